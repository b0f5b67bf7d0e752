"""`portal serve`: the built sites and the form backend behind one local address.

Static files come from the site directory (`/<slug>/...`); `/forms/...` and `/healthz` go to the
Flask app. In production a web server such as nginx does the static part (see deploy/).
"""

from __future__ import annotations

import html
import mimetypes
import re
from pathlib import Path
from urllib.parse import urlparse

from werkzeug.security import safe_join
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

BACKEND_PREFIXES = ("/forms/", "/healthz")


def _site_index(site_dir: Path) -> Response:
    slugs = sorted(p.name for p in site_dir.iterdir() if (p / "index.html").is_file() and not p.name.startswith("_")) if site_dir.is_dir() else []
    items = "\n".join(f'<li><a href="/{html.escape(s)}/">{html.escape(s)}</a></li>' for s in slugs) or "<li>Nog geen sites gebouwd: <code>portal build</code></li>"
    body = f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Portaal: gemeenten</title></head>
<body><main><h1>Gemeenten / Communes</h1><ul>{items}</ul></main></body></html>"""
    return Response(body, mimetype="text/html")


def _not_found(site_dir: Path, path: str) -> Response:
    """The 404 page of the site (and language) the path belongs to."""
    parts = [p for p in path.split("/") if p]
    candidates = []
    if parts:
        if len(parts) > 1:
            candidates.append(site_dir / parts[0] / parts[1] / "404.html")
        candidates.append(site_dir / parts[0] / "404.html")
    for candidate in candidates:
        if candidate.is_file():
            return Response(_as_served_here(candidate.read_bytes(), parts[0]), status=404, mimetype="text/html")
    return Response("<!doctype html><html lang=\"nl\"><title>Niet gevonden</title><h1>Niet gevonden / Introuvable</h1></html>", status=404, mimetype="text/html")


def _as_served_here(page: bytes, slug: str) -> bytes:
    """A 404 page, with links from the site's published root mapped to /<slug>/.

    A 404 page is served at any address, so its links are absolute from where the site is
    published (`site_url`, e.g. `/` on www.opwijk.be). This server puts every site under
    /<slug>/ instead, so those links are rewritten for the preview.
    """
    from portal.config import load_municipality, project_root

    try:
        site_url = load_municipality(slug, project_root()).site_url
    except Exception:  # not a configured municipality here: serve the page as built
        return page
    published = urlparse(site_url or "").path or "/"
    here = f"/{slug}/"
    if not site_url or published == here:
        return page
    pattern = re.compile(rb'((?:href|src)=")' + re.escape(published.encode()) + rb"(?!" + re.escape(here[1:].encode()) + rb")")
    return pattern.sub(lambda m: m.group(1) + here.encode(), page)


def static_app(site_dir: Path):
    site_dir = Path(site_dir)

    def app(environ, start_response):
        request = Request(environ)
        path = request.path
        if path == "/":
            return _site_index(site_dir)(environ, start_response)
        target = safe_join(str(site_dir), path.lstrip("/"))
        if target is None or Path(path).name.startswith("_"):
            return _not_found(site_dir, path)(environ, start_response)
        file = Path(target)
        if file.is_dir():
            if not path.endswith("/"):
                return redirect(path + "/", 301)(environ, start_response)
            file = file / "index.html"
        if not file.is_file():
            return _not_found(site_dir, path)(environ, start_response)
        mimetype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        # A development server for small files: reading them whole leaves no file handle open.
        return Response(file.read_bytes(), mimetype=mimetype)(environ, start_response)

    return app


def combined_app(site_dir: Path, backend=None):
    """One WSGI app: the backend for its prefixes, the static sites for the rest."""
    static = static_app(site_dir)

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if backend is not None and path.startswith(BACKEND_PREFIXES):
            return backend(environ, start_response)
        return static(environ, start_response)

    return app
