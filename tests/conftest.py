"""Shared fixtures: the example sites built once per test session, scratch projects, the example
municipalities, a SQLite store and a real SMTP server for a test."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from portal.common.settings import project_root
from portal.municipal.config import all_slugs, load_all

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
ROOT = project_root()


@pytest.fixture(scope="session")
def example_slugs() -> list[str]:
    return all_slugs(ROOT)


@pytest.fixture(scope="session")
def built_sites(tmp_path_factory, example_slugs) -> Path:
    """Every example municipality built with `portal build` into one folder, once per run: the
    first pytest-xdist worker to get here builds, the others wait and read the same folder.
    Tests only read it.

    Built from a copy of the project: a build stages its pages under <project>/.cache/, and two
    builds of one site from the same project at once (another worker, test_deploy_nginx) would
    remove each other's staging folder."""
    from portal.site.build import build_sites

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent            # every worker's basetemp is a folder of this one
    out = shared / "built-sites"
    with (shared / "built-sites.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (out / "built.json").exists():
            shutil.rmtree(out, ignore_errors=True)
            project = shared / "built-sites-project"
            shutil.rmtree(project, ignore_errors=True)
            project.mkdir()
            results = build_sites(example_slugs, out / "site", copy_project(project))
            failed = [f"{r.slug}: {r.error}" for r in results if not r.ok]
            assert not failed, "\n".join(failed)
            (out / "built.json").write_text(json.dumps(example_slugs))
    return out / "site"


def copy_project(dest: Path, *, slugs: tuple[str, ...] | None = None) -> Path:
    """A scratch copy of the project (content, templates, configs) that a test may break."""
    for name in ("mkdocs.yml",):
        shutil.copy(ROOT / name, dest / name)
    for name in ("content", "templates", "forms"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, dest / name)
    (dest / "site_config").mkdir()
    for slug in slugs if slugs is not None else all_slugs(ROOT):
        shutil.copy(ROOT / "site_config" / f"{slug}.yml", dest / "site_config" / f"{slug}.yml")
        if (ROOT / "site_config" / slug).is_dir():
            shutil.copytree(ROOT / "site_config" / slug, dest / "site_config" / slug)
    return dest


def build_published(dest: Path, slug: str, site_url: str) -> Path:
    """`slug` built from a scratch copy of the project as published at `site_url` (the key set
    in its YAML file); returns the built site's folder, dest/site/<slug>."""
    from portal.site.build import build_site  # MkDocs is loaded only by the tests that build

    project = dest / "project"
    project.mkdir(parents=True)
    copy_project(project, slugs=(slug,))
    config = project / "site_config" / f"{slug}.yml"
    text = re.sub(r"(?m)^site_url:.*\n", "", config.read_text(encoding="utf-8"))
    config.write_text(text.rstrip("\n") + f"\nsite_url: {site_url}\n", encoding="utf-8")
    build_site(slug, dest / "site", project)
    return dest / "site" / slug


@pytest.fixture
def scratch_project(tmp_path, monkeypatch) -> Path:
    """A copy of the project in tmp_path, with PORTAL_ROOT pointing at it."""
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    monkeypatch.setenv("PORTAL_ROOT", str(project))
    return project


@pytest.fixture(scope="module")
def municipalities() -> dict:
    """The example municipalities (site_config/*.yml), loaded once per test module."""
    return load_all(ROOT)


@pytest.fixture
def store(tmp_path):
    """A store on a fresh SQLite file in tmp_path."""
    from portal.store import open_store

    return open_store(f"sqlite:///{tmp_path / 'portal.sqlite3'}")


@pytest.fixture
def smtp(tmp_path):
    """A real SMTP server (aiosmtpd on 127.0.0.1, in a subprocess), stopped after the test."""
    from tests.smtp_server import SmtpServer

    server = SmtpServer(tmp_path / "smtp").start()
    yield server
    server.stop()


# --- the form backend: one app fixture for every test module (flaskr's tests/conftest.py) ----------

TEST_SECRET = "a-test-secret-that-is-long-enough"


@pytest.fixture
def make_app(scratch_project, tmp_path):
    """make_app(**config): the form backend on the scratch project and a SQLite file in tmp_path,
    the anti-robot fill time and rate limits off (they have their own tests); `config` overrides
    any setting. Every store it opened is closed after the test."""
    from portal.web import create_app

    made = []

    def make(**config):
        base = {
            "SECRET_KEY": TEST_SECRET, "ENV": "testing", "ROOT": scratch_project,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "FORM_MIN_FILL_SECONDS": 0, "RATELIMIT_ENABLED": False,
        }
        made.append(create_app({**base, **config}))
        return made[-1]

    yield make
    for app in made:
        store = app.extensions.get("portal_store")
        if store is not None and hasattr(store, "close"):
            store.close()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


# --- pytest-xdist: which tests share a worker, and which start first ---------------------------------

# Modules whose tests must not run at the same time as each other's: one work unit, one worker.
# - Load and fault tests drive several processes flat out (gunicorn workers, delivery workers,
#   PostgreSQL, up to 50 clients) and some kill them on a timer: two of them at once on a small
#   machine slowed each other into 503s and a kill before the load got going.
# - test_deploy_nginx and test_shared_assets_browser build sites in the project folder itself
#   (ROOT/.cache/ staging): two such builds at once remove each other's staging folder.
SERIAL = "load, fault and project-folder tests"
ONE_WORKER = dict.fromkeys(["tests/test_store_pg.py", "tests/test_durability.py", "tests/test_abuse_stack.py",
                            "tests/test_canary.py", "tests/test_deploy_nginx.py",
                            "tests/browser/test_shared_assets_browser.py"], SERIAL)
# The longest work units (measured), handed out first so that no worker starts one when the others
# are done. Only the wall time depends on this list; a module missing from it just starts later.
LONG_FIRST = [*ONE_WORKER, "tests/test_fuzz_fields.py", "tests/browser/test_sites_browser.py",
              "tests/test_html_checkers.py", "tests/test_office.py", "tests/test_forms_web.py",
              "tests/test_hours_osm_js.py", "tests/browser/test_forms_browser.py"]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """`-n auto`: one worker per core, or a single one when the machine is already busy (a load
    average of at least one process per core).

    Measured on the shared 2-core machine with a load average of 9 to 13 from other work: two
    workers took as long as one (1712 s against 1660 s) and slowed the load and fault tests into
    timeouts. PYTEST_XDIST_AUTO_NUM_WORKERS still sets the number."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None                              # xdist's own hook reads it
    cores = len(os.sched_getaffinity(0))
    return cores if os.getloadavg()[0] < cores else 1


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """A module's tests run on one worker, in order, so its module-scoped fixtures (a built site, a
    server stack, the pa11y run) are set up once, as in a run without xdist (`--dist loadfile`,
    plus the ONE_WORKER groups)."""
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return ONE_WORKER.get(_module(nodeid), _module(nodeid))

    config.option.loadscopereorder = False       # keep the order pytest_collection_modifyitems gives
    return ModuleScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return                                   # a plain run keeps the files' order
    rank = {name: i for i, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(_module(item.nodeid), len(rank)))   # stable: modules stay in order
