"""Browser fixtures: pytest-playwright driving Debian's Chromium, hermetic, on loopback only.

`playwright install` cannot download browsers here; we point Playwright at /usr/bin/chromium
(installed by `make system-deps`) and make every host but 127.0.0.1 fail DNS inside Chromium,
so a page that tries to reach another host is caught by the tests, not by the network.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make system-deps` (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "nl-BE", "timezone_id": "Europe/Brussels"}


@pytest.fixture(scope="session")
def base_url():
    # pytest-playwright's fallback fixture warns under pytest 9; tests pass full URLs.
    return None


@contextlib.contextmanager
def serving(app):
    """Serve the WSGI `app` on a free loopback port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def forms_backend(folder: Path):
    """The form backend (create_app) on a copy of the example project, its database in `folder`."""
    from portal.web import create_app

    from ..conftest import copy_project

    (folder / "project").mkdir()
    return create_app({
        "SECRET_KEY": "browser-test-secret-0123456789", "ENV": "testing", "ROOT": copy_project(folder / "project"),
        "DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite3'}",
        # A test fills the form in well under the anti-robot minimum; that check has its own tests.
        "FORM_MIN_FILL_SECONDS": 0, "RATELIMIT_ENABLED": False,
    })


@pytest.fixture(scope="module")
def site_url(built_sites):
    """`portal serve`'s static part over the built example sites, on a free loopback port."""
    from portal.serve import combined_app

    with serving(combined_app(built_sites)) as url:
        yield url


def axe_violations(page, *, wcag_only: bool = False) -> list[str]:
    """axe-core violations on the current page, one readable line each.

    By default every rule of any impact (best practices included), as the sites' acceptance asks;
    `wcag_only` limits it to the WCAG 2.1 A/AA rules.
    """
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}} if wcag_only else {}
    result = Axe().run(page, options=options)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result.response["violations"]]


@pytest.fixture
def foreign_requests(context) -> list[str]:
    """URLs the pages of this test tried to fetch from any host but loopback."""
    seen: list[str] = []

    def on_request(request):
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and urlparse(request.url).hostname not in LOCAL_HOSTS:
            seen.append(request.url)

    context.on("request", on_request)
    return seen


@pytest.fixture
def new_page(browser, browser_context_args):
    """new_page(width, javascript=True): a page in a fresh context; foreign requests recorded."""
    contexts, foreign = [], []

    def make(width: int = 1280, *, javascript: bool = True):
        context = browser.new_context(**{**browser_context_args, "viewport": {"width": width, "height": 900},
                                         "java_script_enabled": javascript})
        context.on("request", lambda r: urlparse(r.url).hostname not in LOCAL_HOSTS
                   and r.url.startswith(("http:", "https:")) and foreign.append(r.url))
        contexts.append(context)
        return context.new_page()

    make.foreign = foreign
    yield make
    for context in contexts:
        context.close()
