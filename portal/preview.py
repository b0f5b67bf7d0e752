"""`portal preview SLUG`: one municipality's site with live reload, and its forms, on one address.

MkDocs' own development server builds the site and reloads the browser whenever a page, the
municipality's YAML file or a template is saved. The form buttons on the pages link to
`/forms/...` on the same host, as in production; so that they work in the preview too, the form
backend (`portal.web.create_app`, in development mode) answers `/forms/` and `/healthz` on the
same port. Mail is written to `instance/mail/` unless `PORTAL_SMTP_URL` is set.

Why a subclass of MkDocs' server and not a second port: a second port would leave every form
button on the previewed pages pointing at a page that does not exist.

The preview never leaves the author stuck: a build that fails (also the very first one, e.g. an
unknown office id in a page) is an error page in the municipality's language naming the real
file (`site_config/<slug>/content/nl/x.md`, not MkDocs' `nl/x.md`) and line; the server keeps
running and the page reloads once the file is fixed. What `portal check` still finds in a site
that builds (a page without its translation, a closing day in the past) is a banner on every page.
"""

from __future__ import annotations

import html
import logging
import os
import re
import signal
import sys
from pathlib import Path
from urllib.parse import urlparse

from mkdocs.commands import serve as mkdocs_serve
from mkdocs.livereload import LiveReloadServer

from portal.admin import create_admin_app
from portal.checks.run import check as run_check
from portal.common import settings
from portal.common.findings import PortalError
from portal.common.i18n import t
from portal.common.settings import project_root
from portal.delivery.worker import start_background_worker
from portal.municipal.config import check_municipality, config_path, load_municipality
from portal.serve import BACKEND_PREFIXES
from portal.site import content
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
    # "Stop with Ctrl+C" holds when a script starts the preview in the background too: a shell
    # hands such a child SIGINT ignored, and Python then leaves it ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    settings.choose_municipality(slug)
    settings.quiet_mkdocs()
    try:  # a config that does not load yet still gets a preview: its error page says why
        municipality = load_municipality(slug, root)
    except PortalError:
        municipality = None
    # MkDocs serves the site at the path of its site_url (the municipality's), else at /.
    site_base = urlparse(getattr(municipality, "site_url", None) or "").path or "/"
    backend = _form_backend(site_base) if forms else None
    # The editor writes files and has no sign-in: only on a loopback address (portal.admin).
    admin = create_admin_app(slug, root) if host in ("127.0.0.1", "localhost", "::1") else None
    state = _State(slug, root)

    real_build = mkdocs_serve.build

    def guarded_build(*args, **kwargs):
        """MkDocs' build, but a failure is kept for the error page instead of ending the preview
        (MkDocs calls the first build outside its server's guard)."""
        # MkDocs logs the real error (file:line) and raises a bare "Aborted with a BuildError!":
        # keep what it logs at warning level and above during this build.
        errors = _ErrorRecords()
        logging.getLogger("mkdocs").addHandler(errors)
        try:
            real_build(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - shown to the author, the server goes on
            state.failed("\n".join(errors.messages) or str(exc).strip() or type(exc).__name__)
        else:
            state.built()
        finally:
            logging.getLogger("mkdocs").removeHandler(errors)

    class PreviewServer(LiveReloadServer):
        """MkDocs' server, plus: a failed rebuild shows its error in the browser and the terminal,
        and the findings of a site that builds show in a banner.

        MkDocs keeps a failed rebuild "in progress", so every page request waits (the browser
        seems to hang) and the message scrolls away in the log. Here a failed rebuild counts as
        finished: pages answer with an error page naming the file and line, which reloads itself
        once the next rebuild succeeds.
        """

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            site_app = self._site_or_error
            self.set_app(_dispatcher(backend, site_app, admin))

        def _site_or_error(self, environ, start_response):
            path = environ.get("PATH_INFO", "")
            if state.error is None or path.startswith("/livereload/") or not _is_page(path):
                return self.serve_request(environ, start_response)
            body = self._inject_js_into_html(state.error_page(), self._visible_epoch)
            start_response("500 Internal Server Error", [("Content-Type", "text/html; charset=utf-8"),
                                                        ("Content-Length", str(len(body)))])
            return [body]

        def _inject_js_into_html(self, content, epoch):
            return super()._inject_js_into_html(state.with_banner(content), epoch)

    # mkdocs.commands.serve builds its server and its pages from these names; swap in ours.
    mkdocs_serve.LiveReloadServer = PreviewServer
    mkdocs_serve.build = guarded_build
    _show_mkdocs_messages()
    mkdocs_serve.serve(config_file=str(root / "mkdocs.yml"), dev_addr=f"{host}:{port}", livereload=True)


class _State:
    """The last build's error (None: it built) and the findings to show in the banner."""

    def __init__(self, slug: str, root: Path):
        self.slug, self.root = slug, root
        self.error: str | None = None
        self.banner: list[str] = []

    @property
    def lang(self) -> str:
        """The author's language: the municipality's first, also when its config is broken."""
        municipality, _ = check_municipality(config_path(self.slug, self.root))
        return municipality.default_language if municipality else "nl"

    def failed(self, message: str) -> None:
        self.error = message
        _announce_error(message)

    def built(self) -> None:
        if self.error:
            print("\nportal preview: fixed, the site is rebuilt.\n", file=sys.stderr, flush=True)
        self.error = None
        try:
            findings = run_check([self.slug], self.root)
        except Exception as exc:  # noqa: BLE001 - the banner is a help; the preview goes on without it
            log.warning("portal check could not run: %s", exc)
            findings = []
        self.banner = [_relative(str(f), self.root) for f in findings]

    def error_page(self) -> bytes:
        return _error_page(explain(self.error or "", self.slug, self.root, self.lang), self.error or "", self.lang)

    def with_banner(self, page: bytes) -> bytes:
        if not self.banner or self.error is not None:
            return page
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self.banner)
        banner = (f'<div class="portal-preview-banner" role="status" style="background:#fff4ce;color:#1b1b1b;'
                  f'border-bottom:.2rem solid #8a6d00;padding:.5rem 1rem;font:1rem/1.5 system-ui,sans-serif">'
                  f"<strong>{html.escape(t('preview.banner_title', self.lang))}</strong>"
                  f'<ul style="margin:.25rem 0 0;padding-left:1.25rem">{items}</ul></div>')
        return re.sub(rb"(<body[^>]*>)", lambda m: m.group(1) + banner.encode(), page, count=1)


def _relative(text: str, root: Path) -> str:
    return text.replace(str(root) + os.sep, "")


_FINDING = re.compile(r"^(\S.*?):(\d+): (?:error|warning): (.*)$")
_UNKNOWN_OFFICE = re.compile(r"unknown office id '([^']+)' \(known: ([^)]*)\)")
_DOC_FILE = re.compile(r"Doc file '([^']+)' contains (?:a|an unrecognized relative) link '([^']+)'(.*)")


def explain(message: str, slug: str, root: Path, lang: str) -> list[str]:
    """MkDocs' build messages as an author reads them: the real file (the overlay's source, not
    the docs path MkDocs sees), the line, and the problem in `lang`; other lines as they are."""
    try:
        pages = {f"{page.lang}/{page.name}": page.path for page in content.source_pages(load_municipality(slug, root), root)}
    except Exception:  # noqa: BLE001 - a config that does not load: show the messages as they are
        pages = {}
    lines = []
    for line in message.splitlines():
        if line.startswith("Error reading page "):
            continue   # the next line names the file and line itself
        found = _DOC_FILE.search(line)
        if found:
            docs_path, target, rest = found.groups()
            source = _source(pages, docs_path, root)
            number = _line_of(source, target) if source else 1
            where = t("preview.where", lang, path=_relative(str(source or docs_path), root), line=number)
            key = "preview.broken_anchor" if "anchor" in rest else "preview.broken_link"
            lines.append(f"{where}: {t(key, lang, target=target)}")
            continue
        finding = _FINDING.match(_relative(line, root))
        if finding:
            path, number, text = finding.groups()
            office = _UNKNOWN_OFFICE.search(text)
            if office:
                text = t("preview.unknown_office", lang, office=office.group(1), known=office.group(2))
            lines.append(f"{t('preview.where', lang, path=path, line=number)}: {text}")
            continue
        lines.append(_relative(line, root))
    return lines


def _source(pages: dict, docs_path: str, root: Path) -> Path | None:
    docs_path = docs_path.replace("\\", "/")
    if docs_path in pages:
        return Path(pages[docs_path])
    return next((Path(path) for name, path in pages.items() if docs_path.endswith("/" + name)), None)


def _line_of(path: Path, target: str) -> int:
    """The first line of `path` that links to `target`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return 1
    for number, line in enumerate(text.splitlines(), 1):
        if f"({target}" in line or f"]: {target}" in line or f'"{target}"' in line:
            return number
    return 1


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


def _error_page(lines: list[str], raw: str, lang: str) -> bytes:
    """A small page in the browser with the build error in the author's language; MkDocs'
    live-reload script is added by the server."""
    items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines if line.strip())
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(t("preview.error_title", lang))} - portal preview</title>
<style>body{{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
ul{{background:#fff4f4;border-left:.3rem solid #b00020;padding:1rem 1rem 1rem 2rem}}code{{white-space:pre-wrap}}</style></head>
<body><main><h1>{html.escape(t("preview.error_title", lang))}</h1>
<ul>{items}</ul>
<p>{html.escape(t("preview.error_fix", lang))}</p>
<details><summary>{html.escape(t("preview.details", lang))}</summary><pre>{html.escape(raw)}</pre></details>
</main></body></html>""".encode()


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
