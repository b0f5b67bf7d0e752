"""Render the shipped nginx configuration for this server's municipalities.

    .venv/bin/python deploy/render.py > /etc/nginx/conf.d/portal.conf
    .venv/bin/python deploy/render.py --site-root /srv/portal/site opwijk
    .venv/bin/python deploy/render.py --http-only > /etc/nginx/conf.d/portal.conf   # before the certificates

`--http-only` renders only the port-80 blocks (Let's Encrypt's challenge and the redirect): the
full configuration names certificate files, and nginx refuses to start while they do not exist.

The files in deploy/nginx/ hold placeholders, upper-case names between at-signs (nginx's own `$variables` are left alone).
Each municipality's domain comes from `site_url` in its site_config/<slug>.yml, which a published
site needs anyway: its forms and "not found" pages link to it. A file without it stops the
rendering. `--domain` (the tests' test domains) only names the nginx server; it does not make
those links right. The tests render the same files with loopback ports and temporary paths.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
NGINX = HERE / "nginx"
PLACEHOLDER_RE = re.compile(r"@([A-Z][A-Z0-9_]*)@")

DEFAULTS = {
    "BACKEND": "127.0.0.1:8001",
    "SITE_ROOT": "/srv/portal/site",
    "LOG_DIR": "/var/log/nginx",
    "LISTEN": "443",
    "HTTP_LISTEN": "80",
    "ACME_ROOT": "/var/www/letsencrypt",
    "CERT": "/etc/letsencrypt/live/@DOMAIN@/fullchain.pem",
    "CERT_KEY": "/etc/letsencrypt/live/@DOMAIN@/privkey.pem",
    "PROXY_SNIPPET": "/etc/nginx/snippets/portal-proxy.conf",
    # Addresses (or networks) whose monitoring may read /healthz, separated by spaces.
    "MONITORING": "127.0.0.1 ::1",
}

# Debian's nginx loads the modules linked in this folder (its nginx.conf includes them); the
# brotli_static directive is written only when the module is among them.
MODULES_ENABLED = Path("/etc/nginx/modules-enabled")
BROTLI_MODULE = "ngx_http_brotli_static_module"
BROTLI_STATIC = "    brotli_static on;\n"


def brotli_static(modules_enabled: Path = MODULES_ENABLED) -> str:
    """`brotli_static on;` when nginx loads the brotli module (libnginx-mod-http-brotli-static),
    else nothing: the `.br` files are then simply not used, and gzip_static serves the `.gz`."""
    confs = sorted(modules_enabled.glob("*.conf")) if modules_enabled.is_dir() else []
    loaded = any(BROTLI_MODULE in conf.read_text(encoding="utf-8", errors="replace") for conf in confs if conf.exists())
    return BROTLI_STATIC if loaded else ""


LANGUAGE_LOCATION = """\
    # {lang}: the site's other language, with its own "not found" page.
    location /{lang}/ {{
        error_page 404 /{lang}/404.html;
        try_files $uri $uri/ =404;
    }}
"""


def fill(template: str, values: dict) -> str:
    """Replace every @NAME@; raises KeyError naming a placeholder without a value."""
    for _ in range(2):  # a default may itself hold a placeholder (the certificate path's domain)
        template = PLACEHOLDER_RE.sub(lambda m: str(values[m.group(1)]), template)
    return template


def domain_of(municipality, domains: dict) -> str:
    """The host name a municipality's site is served on. Raises ValueError when none is known."""
    if municipality.slug in domains:
        return domains[municipality.slug]
    if municipality.site_url:
        return urlsplit(municipality.site_url).hostname
    raise ValueError(f"{municipality.slug}: no site_url in site_config/{municipality.slug}.yml: add the address "
                     f"its site is published at, e.g. `site_url: https://www.{municipality.slug}.be/` (a demo "
                     f"municipality: remove it, docs/deploy.md section 3)")


def render(municipalities, *, domains: dict | None = None, http_only: bool = False, **overrides) -> str:
    """The whole nginx configuration: the shared part once, then the server blocks of each municipality.

    `http_only` renders only the port-80 blocks (site-http.conf), for the first start before
    certbot has made the certificates. `overrides` replace DEFAULTS (e.g. LISTEN="127.0.0.1:8443",
    SITE_ROOT=...); BROTLI_STATIC defaults to what this machine's nginx can load (brotli_static). Raises ValueError for a municipality without a domain and KeyError for an
    unknown placeholder.
    """
    values = {**DEFAULTS, **overrides}
    values.setdefault("BROTLI_STATIC", brotli_static())
    values["HEALTHZ_ALLOW"] = "".join(f"        allow {address};\n" for address in str(values["MONITORING"]).split())
    templates = ["site-http.conf"] if http_only else ["site-http.conf", "site.conf"]
    site_template = "\n".join((NGINX / name).read_text(encoding="utf-8") for name in templates)
    shared = ["default-http.conf"] if http_only else ["portal.conf", "default-http.conf", "default.conf"]
    parts = [fill((NGINX / name).read_text(encoding="utf-8"), values) for name in shared]
    for municipality in municipalities:
        site_values = {
            **values,
            "SLUG": municipality.slug,
            "DOMAIN": domain_of(municipality, domains or {}),
            "LANGUAGE_LOCATIONS": "".join(LANGUAGE_LOCATION.format(lang=lang) for lang in municipality.languages[1:]),
        }
        parts.append(fill(site_template, site_values))
    return "\n".join(parts)


def main(argv=None) -> int:
    sys.path.insert(0, str(HERE.parent))
    from portal.common.findings import PortalError
    from portal.common.settings import project_root
    from portal.municipal.config import load_all, load_municipality

    parser = argparse.ArgumentParser(description="Render the nginx configuration of the portal.")
    parser.add_argument("slugs", nargs="*", help="municipalities (default: all in site_config/)")
    parser.add_argument("--domain", action="append", default=[], metavar="SLUG=HOST",
                        help="host name of a site instead of its site_url's (tests): the pages still link to site_url, "
                             "so a published site needs site_url set")
    parser.add_argument("--http-only", action="store_true",
                        help="only the port-80 blocks (Let's Encrypt and the redirect): the first start, before certbot")
    for key, default in DEFAULTS.items():
        # @DOMAIN@ in a value is each site's domain (the certificate paths).
        parser.add_argument("--" + key.lower().replace("_", "-"), default=default, help=f"default: {default}")
    args = parser.parse_args(argv)
    try:
        root = project_root()
        municipalities = [load_municipality(s, root) for s in args.slugs] if args.slugs else list(load_all(root).values())
        domains = dict(item.split("=", 1) for item in args.domain)
        overrides = {key: getattr(args, key.lower()) for key in DEFAULTS}
        sys.stdout.write(render(municipalities, domains=domains, http_only=args.http_only, **overrides))
    except (PortalError, ValueError, KeyError) as exc:
        print(f"deploy/render.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
