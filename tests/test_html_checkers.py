"""Two engines beside axe-core, on every built page of the example sites and every state of the form
backend (tests/page_states.py): the W3C Nu HTML Checker (vnu-jar from npm, on Debian's JRE) must
report 0 errors, and pa11y with HTML_CodeSniffer (WCAG2AA, on Debian's Chromium) 0 errors and no
warning but the triaged ones of tests/a11y/pa11y-allow.json.

vnu runs once, one JVM over both folders; pa11y runs once, one browser over every URL, four tabs
taking turns (tests/a11y/pa11y-run.mjs). Both come from `npm ci` (package.json, `make test` runs it);
PUPPETEER_SKIP_DOWNLOAD=1 and --ignore-scripts: nothing but the npm registry is asked for anything.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from tests.conftest import ROOT, copy_project
from tests.page_states import write_backend_pages

NODE_MODULES = ROOT / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
PA11Y_RUN = ROOT / "tests" / "a11y" / "pa11y-run.mjs"
ALLOWED = {k: v for k, v in json.loads((ROOT / "tests" / "a11y" / "pa11y-allow.json").read_text()).items() if not k.startswith("_")}
JAVA = shutil.which("java")


def _require(path: Path, what: str) -> None:
    if not path.exists():
        pytest.fail(f"{what} missing at {path}: run `make test` (it runs npm ci)")


@pytest.fixture(scope="module")
def backend_app(tmp_path_factory):
    from portal.web import create_app

    folder = tmp_path_factory.mktemp("backend")
    (folder / "project").mkdir()
    return create_app({
        "SECRET_KEY": "html-checkers-secret-0123456789abcdef", "ENV": "testing",
        "ROOT": copy_project(folder / "project"), "DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite3'}",
        "FORM_MIN_FILL_SECONDS": 0, "RATELIMIT_ENABLED": False,
    })


@pytest.fixture(scope="module")
def backend_pages(backend_app, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("backend-pages")
    written = write_backend_pages(backend_app, folder)
    assert len(written) >= 20, written
    return folder


def built_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if ".shared" not in p.parts)


@pytest.fixture(scope="module")
def vnu_messages(built_sites, backend_pages) -> list[dict]:
    """Every vnu error over the built sites and the backend pages: one JVM, both folders."""
    if not JAVA:
        pytest.fail("no java: `make system-deps` installs default-jre-headless")
    _require(VNU_JAR, "vnu-jar")
    result = subprocess.run([JAVA, "-jar", str(VNU_JAR), "--errors-only", "--skip-non-html", "--format", "json",
                             str(built_sites), str(backend_pages)], capture_output=True, text=True, timeout=600)
    report = json.loads(result.stderr or result.stdout)
    return report["messages"]


def test_vnu_reports_no_error_on_any_built_page(vnu_messages, built_sites):
    assert len(built_pages(built_sites)) >= 40
    errors = [f"{m['url'].split(str(built_sites))[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in vnu_messages if str(built_sites) in m["url"]]
    assert errors == []


def test_vnu_reports_no_error_on_any_backend_page(vnu_messages, backend_pages):
    errors = [f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}"
              for m in vnu_messages if str(backend_pages) in m["url"]]
    assert errors == []


def test_vnu_finds_an_error_where_there_is_one(tmp_path):
    """The checker really reads the files it is given (an unclosed element, and the theme's old markup)."""
    _require(VNU_JAR, "vnu-jar")
    (tmp_path / "bad.html").write_text('<!doctype html><html lang="nl"><title>x</title><main><div></main>'
                                       '<input type="checkbox" id="__drawer" autocomplete="off"></html>')
    result = subprocess.run([JAVA, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    messages = " ".join(m["message"] for m in json.loads(result.stderr)["messages"])
    assert "autocomplete" in messages and "div" in messages


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def pa11y_results(built_sites, backend_pages, backend_app, tmp_path_factory) -> dict:
    """pa11y over every built page (served as files) and every backend state (its saved HTML
    served beside the backend's own static files, so the form pages have their real styles)."""
    _require(NODE_MODULES / "pa11y", "pa11y")
    static = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(built_sites)))
    threading.Thread(target=static.serve_forever, daemon=True).start()

    backend = make_server("127.0.0.1", 0, _dispatch(backend_pages, backend_app), threaded=True)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    try:
        site = f"http://127.0.0.1:{static.server_port}/"
        urls = [site + p.relative_to(built_sites).as_posix() for p in built_pages(built_sites)]
        urls += [f"http://127.0.0.1:{backend.server_port}/saved/{p.name}" for p in sorted(backend_pages.glob("*.html"))]
        folder = tmp_path_factory.mktemp("pa11y")
        (folder / "urls.json").write_text(json.dumps(urls))
        env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"}
        result = subprocess.run(["node", str(PA11Y_RUN), str(folder / "urls.json"), str(folder / "results.json")],
                                capture_output=True, text=True, timeout=900, env=env, cwd=ROOT)
        assert result.returncode == 0, result.stderr[-3000:]
        results = json.loads((folder / "results.json").read_text())
        assert set(results) == set(urls)
        return results
    finally:
        for server in (static, backend):
            server.shutdown()
            server.server_close()


def _dispatch(saved: Path, backend_app):
    """/saved/<name>.html: a backend state as it was sent; anything else: the backend (its CSS, logos)."""
    def app(environ, start_response):
        match = re.fullmatch(r"/saved/([\w-]+\.html)", environ.get("PATH_INFO", ""))
        if match:
            return Response((saved / match.group(1)).read_bytes(), content_type="text/html; charset=utf-8")(environ, start_response)
        return backend_app(environ, start_response)
    return app


def test_pa11y_reports_no_error_on_any_page(pa11y_results):
    errors = [f"{url}: {i['code']} at {i['selector']}: {i['message']}"
              for url, issues in pa11y_results.items() for i in issues if i["type"] == "error"]
    assert not errors, "\n".join(errors)


def test_pa11y_warnings_are_all_triaged_and_the_list_holds_nothing_stale(pa11y_results):
    seen = {i["code"] for issues in pa11y_results.values() for i in issues if i["type"] == "warning"}
    untriaged = sorted(f"{url}: {i['code']} at {i['selector']}: {i['message']}"
                       for url, issues in pa11y_results.items() for i in issues
                       if i["type"] == "warning" and i["code"] not in ALLOWED)
    assert not untriaged, "triage each in tests/a11y/pa11y-allow.json (why it is not a failure) or fix it:\n" + "\n".join(untriaged)
    assert sorted(set(ALLOWED) - seen) == [], "no page raises these any more: remove them from the allow-list"


def test_every_backend_page_has_a_meta_description_without_answers(backend_pages):
    for page in sorted(backend_pages.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        match = re.search(r'<meta name="description" content="([^"]+)">', text)
        assert match and len(match.group(1)) > 15, page.name
        assert "Peeters" not in match.group(1) and "Claes" not in match.group(1), page.name
