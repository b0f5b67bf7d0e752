"""A site built by `portal build` (shared, hard-linked assets; no source maps or unused search
languages) looks and works in Chromium exactly like the same site from a plain `mkdocs build`."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.serve import combined_app
from portal.site.build import build_sites

from ..conftest import ROOT
from .conftest import serving

pytestmark = pytest.mark.browser
SLUG = "sint-gillis"   # bilingual: both search languages are needed
PAGES = ("", "leefloon/", "nl/", "nl/leefloon/")


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """(portal build URL, plain mkdocs build URL) of the same municipality."""
    shared = tmp_path_factory.mktemp("shared")
    results = build_sites(["opwijk", SLUG], shared, ROOT)   # SLUG second: built with warm caches
    assert all(r.ok for r in results), results
    alone = tmp_path_factory.mktemp("alone")
    env = dict(os.environ, PORTAL_MUNICIPALITY=SLUG, NO_MKDOCS_2_WARNING="1")
    subprocess.run([str(Path(sys.executable).with_name("mkdocs")), "build", "-q", "-d", str(alone / SLUG)],
                   cwd=ROOT, env=env, check=True)
    with contextlib.ExitStack() as stack:
        yield tuple(stack.enter_context(serving(combined_app(folder))) + f"/{SLUG}/" for folder in (shared, alone))


def visit(browser, url: str) -> tuple[str, bytes, list[str]]:
    """The page's DOM after scripts ran, a screenshot, and every failed request (workers too)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-BE", timezone_id="Europe/Brussels")
    failed: list[str] = []
    context.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    # Search loads the worker and its language files (lunr.fr, lunr.nl, lunr.multi).
    page.keyboard.press("/")
    query = "OCMW" if "/nl/" in url else "CPAS"
    page.locator("input.md-search__input").press_sequentially(query, delay=30)
    # Results of the whole word, not of the letters typed so far (h= carries the query).
    page.locator(f'.md-search-result__link[href*="h={query.lower()}"]').first.wait_for(timeout=15000)
    page.keyboard.press("Escape")
    page.wait_for_load_state("networkidle")
    dom = page.evaluate("document.documentElement.outerHTML")
    shot = page.screenshot(full_page=True, animations="disabled")
    context.close()
    return dom, shot, failed


@pytest.mark.parametrize("path", PAGES)
def test_a_site_with_shared_assets_renders_like_one_built_alone(browser, two_builds, path):
    shared_url, alone_url = two_builds
    shared_dom, shared_shot, shared_failed = visit(browser, shared_url + path)
    alone_dom, alone_shot, alone_failed = visit(browser, alone_url + path)
    port = lambda url: url.split("/")[2]  # noqa: E731
    assert [f for f in shared_failed if "/assets/" in f] == [], "assets missing on the site with shared assets"
    assert [f for f in alone_failed if "/assets/" in f] == []
    # (The theme also probes for sitemap.xml files next to the page, on both builds alike.)
    assert shared_dom.replace(port(shared_url), "HOST") == alone_dom.replace(port(alone_url), "HOST")
    assert shared_shot == alone_shot
