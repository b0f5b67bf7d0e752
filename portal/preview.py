"""`portal preview SLUG`: one municipality's site with live reload, and its forms, on one address.

MkDocs' own development server builds the site and reloads the browser whenever a page, the
municipality's YAML file or a template is saved. The form buttons on the pages link to
`/forms/...` on the same host, as in production; so that they work in the preview too, the form
backend (`portal.web.create_app`, in development mode) answers `/forms/` and `/healthz` on the
same port. Mail is written to `instance/mail/` unless `PORTAL_SMTP_URL` is set.

Why a subclass of MkDocs' server and not a second port: a second port would leave every form
button on the previewed pages pointing at a page that does not exist.
"""

from __future__ import annotations

import logging
import os

from portal.serve import BACKEND_PREFIXES

log = logging.getLogger("portal.preview")


def _dispatcher(backend, site_app):
    """WSGI: the backend's prefixes to the form backend, everything else to MkDocs' server."""

    def app(environ, start_response):
        if environ.get("PATH_INFO", "").startswith(BACKEND_PREFIXES):
            return backend(environ, start_response)
        return site_app(environ, start_response)

    return app


def _form_backend(site_base: str):
    """The form backend in development mode, with its mail worker; None when it cannot start.

    `site_base`: the path MkDocs' server shows the site at, where the forms link back to."""
    os.environ.setdefault("PORTAL_ENV", "development")
    try:
        from portal.web import create_app
    except ImportError:  # a checkout without the backend: the site still previews
        return None
    try:
        app = create_app({"SITE_BASE": site_base})
    except Exception as exc:  # noqa: BLE001 - the site preview is still useful without forms
        log.warning("forms not available in this preview: %s", exc)
        return None
    try:
        from portal.worker import start_background_worker
    except ImportError:
        return app
    start_background_worker(app)
    return app


def preview(slug: str, host: str = "127.0.0.1", port: int = 8000, forms: bool = True) -> None:
    """Serve municipality `slug` with live reload on http://host:port/ until interrupted.

    Raises whatever MkDocs raises for a site that does not build (with file and line).
    """
    from mkdocs.commands import serve as mkdocs_serve
    from mkdocs.livereload import LiveReloadServer

    from portal.config import project_root

    root = project_root()
    # mkdocs.yml reads the municipality from this variable (its `!ENV` tag), on every rebuild.
    os.environ["PORTAL_MUNICIPALITY"] = slug
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    # MkDocs serves the site at the path of its site_url (the municipality's), else at /.
    from urllib.parse import urlparse

    from portal.config import load_municipality

    site_base = urlparse(load_municipality(slug, root).site_url or "").path or "/"
    backend = _form_backend(site_base) if forms else None

    class PreviewServer(LiveReloadServer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if backend is not None:
                self.set_app(_dispatcher(backend, self.serve_request))

    # mkdocs.commands.serve builds its server from this name; swap in ours for this process.
    mkdocs_serve.LiveReloadServer = PreviewServer
    _show_mkdocs_messages()
    mkdocs_serve.serve(config_file=str(root / "mkdocs.yml"), dev_addr=f"{host}:{port}", livereload=True)


def _show_mkdocs_messages() -> None:
    """MkDocs' own command line prints its log; called from here, we attach the handler."""
    logger = logging.getLogger("mkdocs")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    logging.getLogger("portal").addHandler(logger.handlers[0])
