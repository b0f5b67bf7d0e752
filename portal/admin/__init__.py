"""`/admin/`: the browser editor of `portal preview` (Decap CMS with the portal's local backend).

    portal preview opwijk      ->  http://127.0.0.1:8000/admin/

What is served, all from this host (never a CDN, never part of a built site):

- `/admin/`                the editor page (static/index.html), with a strict Content-Security-Policy;
- `/admin/decap/<file>`    Decap CMS itself, from `node_modules/decap-cms/dist/` (the version pinned in
                           package.json and package-lock.json, installed by `make install`);
- `/admin/static/<file>`   the portal's widgets, editor components and check panel (static/admin.js);
- `/admin/config.json`     the CMS configuration for this municipality (cms_config);
- `/admin/portal.json`     what the widgets need: offices, forms, languages, services;
- `POST /admin/api/v1`     Decap's local backend protocol (backend.LocalBackend);
- `POST /admin/api/check`  `portal check` for this municipality, findings with the field they concern.

The API writes files on the officer's machine and has no sign-in, like `decap-server`: it answers
only requests to a loopback address (Host header, so DNS rebinding cannot reach it), only JSON
(a cross-site form cannot post it without a CORS preflight, which is never granted), and only from
its own origin.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from flask import Flask, abort, jsonify, request, send_from_directory

from portal.admin.backend import BackendError, LocalBackend
from portal.admin.cms_config import MANAGED_KEYS, catalogue_titles, cms_config
from portal.admin.fields import field_of_line
from portal.municipal.config import FORM_IDS, load_municipality

STATIC = Path(__file__).with_name("static")
CHECKOUT = Path(__file__).resolve().parents[2]
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
BUNDLE_FILE = re.compile(r"^[\w.-]+\.(?:js|css|wasm)$")
# Decap validates its configuration with ajv (compiled with eval) and injects its styles; the
# policy's point is connect-src/img-src/font-src 'self': the editor talks to this host only.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-src 'self' blob:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")


def bundle_dir(root: Path) -> Path:
    """Where the pinned Decap bundle is: this checkout's node_modules (else the project's)."""
    for base in (CHECKOUT, root):
        dist = base / "node_modules" / "decap-cms" / "dist"
        if (dist / "decap-cms.js").is_file():
            return dist
    return CHECKOUT / "node_modules" / "decap-cms" / "dist"


def create_admin_app(slug: str, root: Path, *, check=None) -> Flask:
    """The `/admin/` WSGI app for municipality `slug` of the project at `root`.

    `check(slugs, root)` returns findings (default: portal.check.check)."""
    if check is None:
        from portal.checks.run import check  # imported here: checking pulls in the whole content stack
    root = Path(root).resolve()
    app = Flask(__name__, static_folder=None)
    backend = LocalBackend(root, slug, MANAGED_KEYS)

    def municipality():
        return load_municipality(slug, root)

    @app.before_request
    def local_only():
        host = request.host.rsplit(":", 1)[0] if not request.host.startswith("[") else request.host.split("]")[0] + "]"
        if host not in LOOPBACK:
            abort(403, "the editor answers only on this computer (127.0.0.1)")
        if request.method == "POST":
            origin = request.headers.get("Origin")
            if not request.is_json or (origin and urlparse(origin).netloc != request.host):
                abort(403, "JSON from the editor's own page only")

    @app.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.get("/admin/")
    def index():
        if not (bundle_dir(root) / "decap-cms.js").is_file():
            return ("<!doctype html><title>Editor not installed</title><p>The editor is not installed: run "
                    "<code>make install</code> (it runs <code>npm ci</code>).</p>", 503)
        return send_from_directory(STATIC, "index.html")

    @app.get("/admin/decap/<name>")
    def decap(name):
        if not BUNDLE_FILE.match(name):
            abort(404)
        return send_from_directory(bundle_dir(root), name)

    @app.get("/admin/static/<name>")
    def static_file(name):
        return send_from_directory(STATIC, name)

    @app.get("/admin/config.json")
    def config():
        backend_section = {"name": "proxy", "proxy_url": f"{request.host_url}admin/api/v1", "branch": "main"}
        return jsonify(cms_config([municipality()], root, backend_section))

    @app.get("/admin/portal.json")
    def portal_json():
        m = municipality()
        lang = m.default_language
        return jsonify({
            "slug": m.slug, "languages": m.languages, "language": lang,
            "offices": [{"id": o.id, "label": m.text(o.name, lang)} for o in m.offices],
            "forms": [{"id": f, "offered": f in m.forms} for f in FORM_IDS],
            "services": catalogue_titles(root, lang),
        })

    @app.post("/admin/api/v1")
    def api():
        body = request.get_json(silent=True) or {}
        try:
            return jsonify(backend.handle(str(body.get("action")), body.get("params") or {}))
        except BackendError as exc:
            return jsonify({"error": str(exc)}), exc.status
        except (KeyError, TypeError, ValueError) as exc:
            return jsonify({"error": f"bad request: {exc}"}), 422

    @app.post("/admin/api/check")
    def run_check():
        findings = check([slug], root)
        rows = []
        for f in findings:
            path = Path(f.path)
            try:
                rel = path.resolve().relative_to(root).as_posix()
            except ValueError:
                rel = str(path)
            rows.append({"path": rel, "line": f.line, "severity": f.severity, "message": f.message,
                         "hint": f.hint, "field": field_of_line(root / rel, f.line) if rel.endswith(".yml") else None})
        errors = sum(r["severity"] == "error" for r in rows)
        return jsonify({"slug": slug, "errors": errors, "warnings": len(rows) - errors, "findings": rows,
                        "saved": backend.written})

    return app
