"""Lighthouse (mobile) on what citizens get: the pages behind the shipped nginx configuration,
this branch ("after") against a git revision ("before"), in one run.

    .venv/bin/python bench/lighthouse.py [--before REV] [--out bench/out/lighthouse.json] [--reports DIR]

For each variant: the example sites opwijk (nl) and sint-gillis (fr, nl), published at the
bench's addresses (`site_url: https://www.<slug>.example/`, as a real site has), built with that variant's
templates/ and mkdocs.yml, `deploy/precompress.py` when the variant has it, deploy/render.py and
deploy/nginx/ of that variant rendered with loopback ports and a self-signed certificate (HTTPS,
HTTP/2, as on a server), gunicorn running the form backend in production mode. Pages: home,
service page, empty form, form with errors, check page, receipt; nl and fr. Lighthouse navigates
with GET only: the form with errors and the check page are the backend's answers to real POSTs
through nginx, saved and served by the same nginx under /_bench/ (their CSS and script still come
from the backend through nginx). The Python code is this branch's in both variants, and so are the
e-mail and staff templates it needs (no measured page uses them). `--reports`
keeps each page's whole Lighthouse report (which audit costs the points).

Lighthouse 12.8.2 from npm into .cache/lighthouse (no install scripts, no browser download),
Debian's /usr/bin/chromium, default mobile settings (simulated slow 4G, 4x CPU slowdown).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIGHTHOUSE_DIR = ROOT / ".cache" / "lighthouse"
LIGHTHOUSE_VERSION = "12.8.2"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
DOMAINS = {"opwijk": "www.opwijk.example", "sint-gillis": "www.sint-gillis.example"}
SLUGS = tuple(DOMAINS)


def lighthouse_bin() -> Path:
    binary = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix",
                        str(LIGHTHOUSE_DIR), f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True,
                       env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"})
    return binary


def variant_project(rev: str | None, dest: Path) -> Path:
    """A copy of the project with templates/, mkdocs.yml and deploy/ from `rev` (None: the work tree)."""
    from tests.conftest import copy_project

    dest.mkdir(parents=True)
    copy_project(dest, slugs=SLUGS)
    # Published at the bench's addresses, as a municipality's site is (site_url: canonical and
    # hreflang URLs; without it the hreflang links are relative and Lighthouse fails them).
    for slug, domain in DOMAINS.items():
        config = dest / "site_config" / f"{slug}.yml"
        text = re.sub(r"(?m)^site_url:.*\n", "", config.read_text(encoding="utf-8"))
        config.write_text(text.rstrip("\n") + f"\nsite_url: https://{domain}/\n", encoding="utf-8")
    shutil.copytree(ROOT / "deploy", dest / "deploy")
    if rev:
        for name in ("templates", "deploy"):
            shutil.rmtree(dest / name)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "templates", "deploy", "mkdocs.yml"],
                                 check=True, capture_output=True).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
        # No page measured here comes from the e-mail or staff templates, and this branch's
        # Python (which both variants run) needs its own: an older copy may lack one.
        for name in ("mail", "office"):
            shutil.rmtree(dest / "templates" / name, ignore_errors=True)
            shutil.copytree(ROOT / "templates" / name, dest / "templates" / name)
    return dest


def start_stack(project: Path, tmp: Path) -> dict:
    import importlib.util

    from portal.municipal.config import load_municipality
    from portal.site.build import build_sites
    from tests.test_deploy_nginx import NGINX, WSGI_APP, free_port, wait_for_port, write_nginx_conf

    site = tmp / "site"
    failed = [r for r in build_sites(list(SLUGS), site, project) if not r.ok]
    assert not failed, failed
    if (project / "deploy" / "precompress.py").exists():
        subprocess.run([sys.executable, str(project / "deploy" / "precompress.py"), str(site)], check=True, capture_output=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=bench",
                    "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")], check=True, capture_output=True)
    backend_port, https_port, http_port = free_port(), free_port(), free_port()
    env = dict(os.environ, PORTAL_ENV="production", PORTAL_PUBLIC_URL="https://portal.test", PORTAL_SECRET_KEY="bench-secret-" + "y" * 32, PORTAL_ROOT=str(project),
               PORTAL_DATABASE_URL=f"sqlite:///{tmp / 'portal.sqlite3'}", PORTAL_MAIL_FROM="noreply@portal.example",
               PORTAL_PROXY_FIX="1", PORTAL_SITE_DIR=str(site), PORTAL_FORM_MIN_FILL_SECONDS="0",
               PORTAL_RATELIMIT_FORM="1000 per minute", NO_MKDOCS_2_WARNING="1")
    log = (tmp / "gunicorn.log").open("w")
    gunicorn = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{backend_port}",
                                 "--workers", "1", "--forwarded-allow-ips", "127.0.0.1", WSGI_APP],
                                cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    spec = importlib.util.spec_from_file_location("render", project / "deploy" / "render.py")
    render = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render)
    render.NGINX = project / "deploy" / "nginx"
    (tmp / "acme").mkdir()
    (tmp / "portal.conf").write_text(render.render(
        [load_municipality(s, project) for s in SLUGS], domains=DOMAINS, BACKEND=f"127.0.0.1:{backend_port}",
        SITE_ROOT=site, LOG_DIR=tmp / "logs", LISTEN=f"127.0.0.1:{https_port}", HTTP_LISTEN=f"127.0.0.1:{http_port}",
        ACME_ROOT=tmp / "acme", CERT=tmp / "cert.pem", CERT_KEY=tmp / "key.pem",
        PROXY_SNIPPET=project / "deploy" / "nginx" / "proxy.conf"), encoding="utf-8")
    write_nginx_conf(tmp)
    nginx = subprocess.Popen([str(NGINX), "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "logs" / "error.log")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    wait_for_port(backend_port, gunicorn, tmp / "gunicorn.log")
    wait_for_port(https_port, nginx, tmp / "logs" / "error.log")
    return {"site": site, "https": https_port, "processes": [nginx, gunicorn]}


def form_pages(stack: dict, slug: str, lang: str) -> dict[str, str]:
    """Empty form (URL), errors and check page (saved POST answers), receipt (URL)."""
    from tests.page_states import SUPPORT
    from tests.test_deploy_nginx import Client, hidden

    client = Client(stack["https"], DOMAINS[slug])
    path = f"/forms/{slug}/{lang}/support-application/"
    referer = {"Referer": f"https://{DOMAINS[slug]}{path}"}
    _, form = client.request("GET", path)
    base = {"csrf_token": hidden(form, "csrf_token"), "form_started": hidden(form, "form_started")}
    _, errors = client.request("POST", path, {**base, "step": "check", "first_name": "An", "postcode": "12"}, referer)
    response, check = client.request("POST", path, {**base, **SUPPORT, "consent": "y", "step": "check"}, referer)
    assert 'name="check_answers"' in check, check[:1000]
    send = {"csrf_token": hidden(check, "csrf_token"), "form_started": hidden(check, "form_started"),
            "check_answers": hidden(check, "check_answers"), "send": "1"}
    response, _ = client.request("POST", path, send, referer)
    assert response.status == 303, response.status
    saved = stack["site"] / slug / "_bench"
    saved.mkdir(exist_ok=True)
    (saved / f"{lang}-errors.html").write_text(errors, encoding="utf-8")
    (saved / f"{lang}-check.html").write_text(check, encoding="utf-8")
    return {"empty form": path, "form with errors": f"/_bench/{lang}-errors.html",
            "check page": f"/_bench/{lang}-check.html",
            "receipt": response.headers["Location"].replace(f"https://{DOMAINS[slug]}", "")}


def run_lighthouse(url: str, out: Path) -> dict:
    flags = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
             "--no-first-run --ignore-certificate-errors "
             f"--host-resolver-rules=\"MAP {DOMAINS['opwijk']} 127.0.0.1, MAP {DOMAINS['sint-gillis']} 127.0.0.1\"")
    subprocess.run([str(lighthouse_bin()), url, "--output=json", f"--output-path={out}", "--quiet",
                    f"--chrome-flags={flags}"], check=True, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"})
    report = json.loads(out.read_text())
    audits = report["audits"]
    failing = sorted(r["id"] for c in CATEGORIES for r in report["categories"][c]["auditRefs"]
                     if r.get("weight", 0) > 0 and audits[r["id"]]["score"] is not None and audits[r["id"]]["score"] < 1)
    return {
        "scores": {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES},
        "bytes": int(audits["total-byte-weight"]["numericValue"]),
        "lcp_ms": int(audits["largest-contentful-paint"]["numericValue"]),
        "fcp_ms": int(audits["first-contentful-paint"]["numericValue"]),
        "failing": failing,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="521bae0", help="git revision measured as 'before' (default: where issue-17 branched)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "lighthouse.json"))
    parser.add_argument("--reports", help="a folder to keep every page's full Lighthouse JSON report in")
    parser.add_argument("--after-only", action="store_true", help="measure the work tree only (no before/after table)")
    args = parser.parse_args()
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)", flush=True)
    lighthouse_bin()
    from tests.test_deploy_nginx import stop

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        variants = (("before", args.before), ("after", None))
        for name, rev in variants[1:] if args.after_only else variants:
            project = variant_project(rev, tmp / name / "project")
            stack = start_stack(project, tmp / name)
            try:
                pages = []
                for slug, lang, service in (("opwijk", "nl", "leefloon/"), ("sint-gillis", "fr", "leefloon/")):
                    host = f"https://{DOMAINS[slug]}:{stack['https']}"
                    pages += [(lang, "home", host + "/"), (lang, "service page", host + "/" + service)]
                    pages += [(lang, label, host + path) for label, path in form_pages(stack, slug, lang).items()]
                for lang, label, url in pages:
                    key = f"{label} ({lang})"
                    report = tmp / name / "lh.json"
                    results.setdefault(key, {})[name] = run_lighthouse(url, report)
                    if args.reports:
                        Path(args.reports).mkdir(parents=True, exist_ok=True)
                        shutil.copy(report, Path(args.reports) / f"{name}-{label.replace(' ', '-')}-{lang}.json")
                    r = results[key][name]
                    print(f"{name:7} {key:24} {' '.join(str(r['scores'][c]) for c in CATEGORIES):16} "
                          f"{r['bytes'] / 1024:6.1f} KiB  LCP {r['lcp_ms']:5d} ms  {r['failing']}", flush=True)
            finally:
                for process in stack["processes"]:
                    stop(process, signal.SIGQUIT if process is stack["processes"][0] else signal.SIGTERM)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1))
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.after_only:
        return
    print(f"Lighthouse {LIGHTHOUSE_VERSION}, mobile (simulated slow 4G), Debian chromium, behind deploy/nginx; "
          f"before = {args.before}, after = work tree; scores perf/a11y/bp/seo")
    print(f"{'page':26}{'before':>18}{'after':>18}{'KiB before':>12}{'KiB after':>11}{'LCP before':>12}{'LCP after':>11}")
    for key, r in results.items():
        b, a = r["before"], r["after"]
        print(f"{key:26}{'/'.join(str(b['scores'][c]) for c in CATEGORIES):>18}{'/'.join(str(a['scores'][c]) for c in CATEGORIES):>18}"
              f"{b['bytes'] / 1024:12.1f}{a['bytes'] / 1024:11.1f}{b['lcp_ms'] / 1000:11.2f}s{a['lcp_ms'] / 1000:10.2f}s")


if __name__ == "__main__":
    main()
