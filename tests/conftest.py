"""Shared fixtures: the example sites built once per test session, scratch projects, the example
municipalities, a SQLite store and a real SMTP server for a test."""

from __future__ import annotations

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
    """Every example municipality built with `portal build` into one folder (once per session)."""
    from portal.site.build import build_sites

    out = tmp_path_factory.mktemp("site")
    results = build_sites(example_slugs, out, ROOT)
    failed = [f"{r.slug}: {r.error}" for r in results if not r.ok]
    assert not failed, "\n".join(failed)
    return out


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
