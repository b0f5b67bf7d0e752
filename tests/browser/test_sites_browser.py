"""The built sites in Chromium: language switch, axe-core on every page, nothing from other hosts."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from portal.common.i18n import LANGUAGE_NAMES
from portal.municipal.config import load_all

from ..conftest import ROOT, build_published
from .conftest import LOCAL_HOSTS, axe_violations, serving

pytestmark = pytest.mark.browser
WIDTHS = (390, 1280)


@pytest.fixture(scope="module")
def municipalities():
    return load_all(ROOT)


def bilingual(municipalities):
    return next(m for m in municipalities.values() if len(m.languages) > 1)


def page_urls(built_sites, site_url, slug):
    """Every HTML page of a built site, as served URLs (404 pages excepted)."""
    for page in sorted((built_sites / slug).rglob("index.html")):
        rel = page.parent.relative_to(built_sites).as_posix()
        yield f"{site_url}/{rel}/"


def watch_requests(page):
    foreign, failed = [], []
    page.on("request", lambda r: urlparse(r.url).hostname not in LOCAL_HOSTS and r.url.startswith("http") and foreign.append(r.url))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    return foreign, failed


def test_language_switch_lands_on_the_same_page_in_the_other_language(page, site_url, municipalities):
    m = bilingual(municipalities)
    first, second = m.languages
    page.goto(f"{site_url}/{m.slug}/leefloon/")
    assert page.locator("html").get_attribute("lang") == first
    # Visible text (NL / FR), the full name for screen readers: one click, no menu to open.
    switcher = page.get_by_role("link", name=LANGUAGE_NAMES[second], exact=True)
    assert switcher.count() == 1 and switcher.inner_text().strip().startswith(second.upper())
    assert page.locator(".portal-lang a[aria-current]").get_attribute("hreflang") == first
    switcher.click()
    page.wait_for_url(f"**/{m.slug}/{second}/leefloon/")
    assert page.locator("html").get_attribute("lang") == second
    # And back again.
    page.get_by_role("link", name=LANGUAGE_NAMES[first], exact=True).click()
    page.wait_for_url(f"**/{m.slug}/leefloon/")
    assert page.locator("html").get_attribute("lang") == first


@pytest.fixture(scope="module")
def published_url(tmp_path_factory):
    """Saint-Gilles built with a site_url (its hreflang links name https://www.saint-gilles.example/)
    and viewed elsewhere, as on a preview or `portal serve`: its base URL on loopback."""
    from portal.serve import combined_app

    site = build_published(tmp_path_factory.mktemp("published"), "sint-gillis", "https://www.saint-gilles.example/")
    with serving(combined_app(site.parent)) as url:
        yield f"{url}/sint-gillis"


def test_after_a_search_the_language_switch_lands_on_the_same_page_and_nothing_leaves_this_host(page, published_url):
    """Search loads the theme's bundle, which would fetch a sitemap.xml beside every hreflang link
    (from the published host) and take over clicks on the language switch."""
    foreign, failed = watch_requests(page)
    for here, query, other, there, there_lang in (("leefloon/", "CPAS", "Nederlands", "nl/leefloon/", "nl"),
                                                  ("nl/leefloon/", "OCMW", "Français", "leefloon/", "fr")):
        page.goto(f"{published_url}/{here}")
        assert page.locator("link[rel=alternate][hreflang=x-default]").get_attribute("href") == \
            "https://www.saint-gilles.example/leefloon/"
        page.keyboard.press("/")
        page.locator("input.md-search__input").press_sequentially(query, delay=30)
        page.locator(".md-search-result__link").first.wait_for(timeout=15000)
        page.keyboard.press("Escape")
        page.wait_for_load_state("networkidle")
        page.get_by_role("link", name=other, exact=True).click()
        page.wait_for_url(f"{published_url}/{there}")
        assert page.locator("html").get_attribute("lang") == there_lang
    page.wait_for_load_state("networkidle")
    assert foreign == [] and failed == [], (foreign, failed)


def test_single_language_sites_have_no_language_switch(page, site_url, municipalities):
    m = next(m for m in municipalities.values() if len(m.languages) == 1)
    page.goto(f"{site_url}/{m.slug}/")
    assert page.locator(".portal-lang a[hreflang]").count() == 0


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_passes_axe_and_stays_on_this_host(browser, built_sites, site_url, municipalities, width):
    flemish = next(m for m in municipalities.values() if m.languages == ["nl"])
    brussels = bilingual(municipalities)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    foreign, failed = watch_requests(page)
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    problems = []
    for m in (flemish, brussels):
        for url in page_urls(built_sites, site_url, m.slug):
            page.goto(url)
            problems += [f"{url} [{width}px] {v}" for v in axe_violations(page)]
    context.close()
    assert not problems, "\n".join(problems)
    assert not foreign, foreign
    assert not failed, failed
    assert not errors, errors


def test_bilingual_pages_fit_a_phone_without_javascript(browser, site_url, municipalities):
    """The language switch must not widen the page (the old hidden list did: 421 px at 390 px)."""
    m = bilingual(municipalities)
    context = browser.new_context(viewport={"width": 390, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    widths = {}
    for lang_prefix in ("", f"{m.languages[1]}/"):
        page.goto(f"{site_url}/{m.slug}/{lang_prefix}leefloon/")
        switch = page.locator(".portal-lang")
        assert switch.count() == 1 and switch.is_visible()      # NL / FR, visible without JavaScript
        widths[lang_prefix] = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert all(width <= 390 for width in widths.values()), widths
