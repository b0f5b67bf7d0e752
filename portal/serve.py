"""`portal serve`: the built sites and the form backend behind one local address.

Static files come from the site directory (`/<slug>/...`); `/forms/...`, the staff inbox
`/office/...` and `/healthz` go to the Flask app. In production a web server such as nginx does the static part (see deploy/).
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

from portal.common.settings import project_root
from portal.municipal.config import load_municipality

BACKEND_PREFIXES = ("/forms/", "/office/", "/healthz")


def _bilingual(values: dict, languages: list) -> str:
    """`Saint-Gilles / Sint-Gillis`: each language's text marked with its lang, default first."""
    parts = dict.fromkeys(values.get(lang) for lang in languages if values.get(lang))
    spans = []
    for text in parts:
        lang = next(lang for lang in languages if values.get(lang) == text)
        spans.append(f'<span lang="{lang}">{html.escape(text)}</span>')
    return " / ".join(spans)


def _site_entry(slug: str) -> tuple[str, str]:
    """(sort key, list item) for one built site: its names and social house, from its config."""
    href = f"/{html.escape(slug)}/"
    try:
        m = load_municipality(slug, project_root())
    except Exception:  # a built folder without a (valid) config: still list it, by its folder
        return slug, f'<li><a href="{href}">{html.escape(slug)}</a></li>'
    name = _bilingual(m.name, m.languages)
    house = _bilingual(m.social_house, m.languages)
    key = m.text(m.name, m.default_language).lower()
    return key, (f'<li><a href="{href}">{name}</a><br>{house} '
                 f'<small class="slug">(<code>{href}</code>)</small></li>')


def _site_index(site_dir: Path) -> Response:
    """The page at `/`: every built site by the municipality's name in each of its languages."""
    slugs = sorted(p.name for p in site_dir.iterdir() if (p / "index.html").is_file() and not p.name.startswith("_")) if site_dir.is_dir() else []
    entries = sorted(_site_entry(slug) for slug in slugs)
    items = "\n".join(item for _, item in entries) or (
        '<li>Nog geen sites gebouwd / <span lang="fr">Aucun site construit</span> / '
        '<span lang="de">Noch keine Websites erstellt</span>: <code>portal build</code></li>')
    body = f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Portaal: gemeenten / Portail : communes / Portal: Gemeinden</title>
<style>body{{font-family:system-ui,sans-serif;line-height:1.5;max-width:40rem;margin:1rem auto;padding:0 1rem}}
li{{margin:0 0 .8rem}}a{{font-weight:600}}.slug{{color:#555}}</style></head>
<body><main><h1>Gemeenten / <span lang="fr">Communes</span> / <span lang="de">Gemeinden</span></h1>
<p>Lokale voorbeeldweergave van de gebouwde sites. / <span lang="fr">Aperçu local des sites construits.</span>
/ <span lang="de">Lokale Vorschau der erstellten Websites.</span></p>
<ul>{items}</ul></main></body></html>"""
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
