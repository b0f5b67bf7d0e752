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

import html
import logging
import os
import sys
from urllib.parse import urlparse

from mkdocs.commands import serve as mkdocs_serve
from mkdocs.livereload import LiveReloadServer

from portal.admin import create_admin_app
from portal.common.settings import project_root
from portal.delivery.worker import start_background_worker
from portal.municipal.config import load_municipality
from portal.serve import BACKEND_PREFIXES
from portal.web import create_app

log = logging.getLogger("portal.preview")


def _dispatcher(backend, site_app, admin=None):
    """WSGI: the backend's prefixes to the form backend, `/admin` to the browser editor,
    everything else to MkDocs' server."""

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if admin is not None and (path == "/admin" or path.startswith("/admin/")):
            return admin(environ, start_response)
        if backend is not None and path.startswith(BACKEND_PREFIXES):
            return backend(environ, start_response)
        return site_app(environ, start_response)

    return app


def _form_backend(site_base: str):
    """The form backend in development mode, with its mail worker; None when it cannot start.

    `site_base`: the path MkDocs' server shows the site at, where the forms link back to."""
    try:
        app = create_app({"SITE_BASE": site_base}, env_default="development")
    except Exception as exc:  # noqa: BLE001 - the site preview is still useful without forms
        log.warning("forms not available in this preview: %s", exc)
        return None
    start_background_worker(app)
    return app


def preview(slug: str, host: str = "127.0.0.1", port: int = 8000, forms: bool = True) -> None:
    """Serve municipality `slug` with live reload on http://host:port/ until interrupted.

    Raises whatever MkDocs raises for a site that does not build (with file and line).
    """
    root = project_root()
    # mkdocs.yml reads the municipality from this variable (its `!ENV` tag), on every rebuild.
    os.environ["PORTAL_MUNICIPALITY"] = slug
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    # MkDocs serves the site at the path of its site_url (the municipality's), else at /.
    site_base = urlparse(load_municipality(slug, root).site_url or "").path or "/"
    backend = _form_backend(site_base) if forms else None
    # The editor writes files and has no sign-in: only on a loopback address (portal.admin).
    admin = create_admin_app(slug, root) if host in ("127.0.0.1", "localhost", "::1") else None

    class PreviewServer(LiveReloadServer):
        """MkDocs' server, plus: a failed rebuild shows its error in the browser and the terminal.

        MkDocs keeps a failed rebuild "in progress", so every page request waits (the browser
        seems to hang) and the message scrolls away in the log. Here a failed rebuild counts as
        finished: pages answer with an error page naming the file and line, which reloads itself
        once the next rebuild succeeds.
        """

        def __init__(self, *args, builder, **kwargs):
            self.build_error: str | None = None

            def guarded_builder(*a, **kw):
                # MkDocs logs the real error (file:line) and raises a bare "Aborted with a
                # BuildError!": keep what it logs at warning level and above during this build.
                errors = _ErrorRecords()
                logging.getLogger("mkdocs").addHandler(errors)
                try:
                    builder(*a, **kw)
                except Exception as exc:  # noqa: BLE001 - shown to the author, the server goes on
                    self.build_error = "\n".join(errors.messages) or str(exc).strip() or type(exc).__name__
                    _announce_error(self.build_error)
                else:
                    if self.build_error:
                        print("\nportal preview: fixed, the site is rebuilt.\n", file=sys.stderr, flush=True)
                    self.build_error = None
                finally:
                    logging.getLogger("mkdocs").removeHandler(errors)

            super().__init__(*args, builder=guarded_builder, **kwargs)
            site_app = self._site_or_error
            self.set_app(_dispatcher(backend, site_app, admin))

        def _site_or_error(self, environ, start_response):
            path = environ.get("PATH_INFO", "")
            if self.build_error is None or path.startswith("/livereload/") or not _is_page(path):
                return self.serve_request(environ, start_response)
            page = _error_page(self.build_error)
            body = self._inject_js_into_html(page, self._visible_epoch)
            start_response("500 Internal Server Error", [("Content-Type", "text/html; charset=utf-8"),
                                                        ("Content-Length", str(len(body)))])
            return [body]

    # mkdocs.commands.serve builds its server from this name; swap in ours for this process.
    mkdocs_serve.LiveReloadServer = PreviewServer
    _show_mkdocs_messages()
    mkdocs_serve.serve(config_file=str(root / "mkdocs.yml"), dev_addr=f"{host}:{port}", livereload=True)


class _ErrorRecords(logging.Handler):
    """The messages logged at warning level and above while it is attached (strict mode
    turns warnings into a failed build)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _is_page(path: str) -> bool:
    """A request for a page (not an asset): the ones that get the error page."""
    last = path.rsplit("/", 1)[-1]
    return path.endswith("/") or last.endswith(".html") or "." not in last


def _announce_error(message: str) -> None:
    """The build error, set apart from MkDocs' log lines so the file:line cannot be missed."""
    rule = "=" * 72
    print(f"\n{rule}\nportal preview: the site could not be rebuilt\n\n{message}\n\n"
          f"Fix it and save: the browser reloads by itself.\n{rule}\n", file=sys.stderr, flush=True)


def _error_page(message: str) -> bytes:
    """A small page in the browser with the build error; MkDocs' live-reload script is added."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Build error - portal preview</title>
<style>body{{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
pre{{white-space:pre-wrap;background:#fff4f4;border-left:.3rem solid #b00020;padding:1rem}}</style></head>
<body><main><h1>The site could not be rebuilt</h1>
<pre>{html.escape(message)}</pre>
<p>Fix the file and save it: this page reloads by itself.</p></main></body></html>""".encode()


def _show_mkdocs_messages() -> None:
    """MkDocs' own command line prints its log; called from here, we attach the handler."""
    logger = logging.getLogger("mkdocs")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    logging.getLogger("portal").addHandler(logger.handlers[0])
    # The language plugin logs a line per translated page on every rebuild ("Overriding ..."),
    # which buries the one line an author needs: only its warnings are shown.
    logging.getLogger("mkdocs.plugins.mkdocs_static_i18n").setLevel(logging.WARNING)
    logging.getLogger("mkdocs.livereload").addFilter(_request_lines_as_info)


def _request_lines_as_info(record: logging.LogRecord) -> bool:
    """MkDocs' server logs each non-200 request as a warning, which the strict build (mkdocs.yml)
    counts: a browser asking for a page during a rebuild (the error page is a 500) would fail
    that rebuild, and every one after it. A request line is not a build warning: log it as info."""
    if record.levelno == logging.WARNING and '" code ' in record.getMessage():
        record.levelno, record.levelname = logging.INFO, "INFO"
    return True
