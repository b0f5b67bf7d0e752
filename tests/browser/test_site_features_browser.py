"""Issue 8 in Chromium: search per language, quick exit by mouse and keyboard, 404 per language."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest

from portal.common.i18n import t
from portal.common.paths import neutral_page_path
from portal.municipal.config import load_all

from ..conftest import ROOT
from .conftest import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def brussels():
    """The bilingual example, French first (Saint-Gilles)."""
    m = load_all(ROOT)["sint-gillis"]
    assert m.languages == ["fr", "nl"]
    return m


def lang_root(m, lang):
    return "" if lang == m.default_language else f"{lang}/"


def word_in_both_indexes(built_sites, m) -> str:
    """A word both languages' pages contain (the street of the office), so the query could match
    pages of either language if the indexes were not split."""
    street_word = m.offices[0].address.street.split()[-2]  # "Rue Fernand Bernier 40" -> "Bernier"
    for lang in m.languages:
        index = (built_sites / m.slug / lang_root(m, lang) / "search" / "search_index.json").read_text(encoding="utf-8")
        assert street_word in index
    return street_word


def search(page, query):
    """Type a query in the theme's search box; the result links once the worker answered."""
    box = page.locator("input.md-search__input")
    box.click()
    page.wait_for_function("() => document.querySelector('.md-search-result__meta') !== null")
    box.press_sequentially(query, delay=30)
    page.wait_for_function(
        "() => document.querySelectorAll('.md-search-result__item a').length > 0", timeout=10000)
    return [a.get_attribute("href") for a in page.locator(".md-search-result__item a").all()]


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_a_search_returns_only_pages_in_the_language_of_the_page(page, site_url, built_sites, brussels, lang):
    m = brussels
    word = word_in_both_indexes(built_sites, m)
    page.goto(f"{site_url}/{m.slug}/{lang_root(m, lang)}")
    links = search(page, word)
    dutch_folder = f"{site_url}/{m.slug}/nl/"
    for href in links:
        assert urlparse(href).hostname == "127.0.0.1", href
        is_dutch = href.startswith(dutch_folder)
        assert is_dutch == (lang == "nl"), f"a {lang} search returned {href}"
    # The result leads to a real page in that language.
    page.goto(links[0])
    assert page.locator("html").get_attribute("lang") == lang


def test_each_language_loads_its_own_index_and_stemmer(page, site_url, brussels):
    m = brussels
    fetched = []
    page.on("request", lambda r: fetched.append(urlparse(r.url).path))
    page.goto(f"{site_url}/{m.slug}/nl/leefloon/")
    page.locator("input.md-search__input").click()
    page.wait_for_function("() => document.querySelector('.md-search-result__meta') !== null")
    page.wait_for_timeout(300)
    assert f"/{m.slug}/nl/search/search_index.json" in fetched
    assert f"/{m.slug}/search/search_index.json" not in fetched
    assert any(p.endswith("lunr.nl.min.js") for p in fetched)
    assert not any(p.endswith("lunr.fr.min.js") for p in fetched)


# --- quick exit ------------------------------------------------------------------------------

def sensitive_url(built_sites, site_url, m, lang) -> str:
    """A page of `lang` that shows the quick exit (its front matter says `sensitive: true`)."""
    folder = built_sites / m.slug / lang_root(m, lang)
    for html in sorted(folder.glob("*/index.html")):
        if "data-portal-quick-exit" in html.read_text(encoding="utf-8"):
            return f"{site_url}/{m.slug}/{lang_root(m, lang)}{html.parent.name}/"
    pytest.fail(f"no sensitive page in {folder}")


def neutral_url(site_url, m, lang) -> str:
    return f"{site_url}/{m.slug}/{neutral_page_path(lang, m.default_language)}"


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_quick_exit_by_mouse_replaces_the_page_in_the_history(page, site_url, built_sites, brussels, lang):
    m = brussels
    home = f"{site_url}/{m.slug}/{lang_root(m, lang)}"
    sensitive = sensitive_url(built_sites, site_url, m, lang)
    page.goto(home)
    page.goto(sensitive)
    entries = page.evaluate("history.length")
    button = page.get_by_role("link", name=t("quick_exit.label", lang))
    assert button.is_visible()
    button.click()
    page.wait_for_url(neutral_url(site_url, m, lang))
    assert page.locator("html").get_attribute("lang") == lang
    page.go_back()
    # Back leads to the page before the sensitive one: location.replace took its place.
    assert page.url == home
    assert page.evaluate("history.length") == entries  # replaced, not added


def test_quick_exit_by_keyboard_tab_and_enter(page, site_url, built_sites, brussels):
    m = brussels
    sensitive = sensitive_url(built_sites, site_url, m, "nl")
    page.goto(sensitive)
    entries = page.evaluate("history.length")
    # After the skip link, the quick exit is the first stop.
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('portal-quick-exit__button')"):
            break
    else:
        pytest.fail("the quick exit is not among the first three tab stops")
    page.keyboard.press("Enter")
    page.wait_for_url(neutral_url(site_url, m, "nl"))
    assert page.evaluate("history.length") == entries  # the neutral page took the sensitive one's place
    page.go_back()
    assert page.url == "about:blank"


def test_quick_exit_by_pressing_shift_three_times(page, site_url, built_sites, brussels):
    m = brussels
    page.goto(f"{site_url}/{m.slug}/")
    page.goto(sensitive_url(built_sites, site_url, m, "fr"))
    assert page.get_by_text(t("quick_exit.hint", "fr")).is_visible()
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    assert page.url.endswith("/")  # two presses do nothing
    page.keyboard.press("Shift")
    page.wait_for_url(neutral_url(site_url, m, "fr"))
    page.go_back()
    assert page.url == f"{site_url}/{m.slug}/"


def test_quick_exit_works_as_a_plain_link_without_javascript(browser, site_url, built_sites, brussels):
    m = brussels
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(sensitive_url(built_sites, site_url, m, "nl"))
    # The Shift hint needs JavaScript, so it stays hidden.
    assert not page.get_by_text(t("quick_exit.hint", "nl")).is_visible()
    page.get_by_role("link", name=t("quick_exit.label", "nl")).click()
    page.wait_for_url(neutral_url(site_url, m, "nl"))
    context.close()


def test_pages_that_are_not_sensitive_have_no_quick_exit(page, site_url, brussels):
    page.goto(f"{site_url}/{brussels.slug}/nl/services/")
    assert page.locator("[data-portal-quick-exit]").count() == 0


@pytest.mark.parametrize("width", [390, 1280])
def test_quick_exit_and_neutral_page_pass_axe(browser, site_url, built_sites, brussels, width):
    m = brussels
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    problems = []
    for lang in m.languages:
        for url in (sensitive_url(built_sites, site_url, m, lang), neutral_url(site_url, m, lang)):
            page.goto(url)
            problems += [f"{url} [{width}px] {v}" for v in axe_violations(page)]
    # The fixed button stays in view, even at the bottom of a long page.
    page.goto(sensitive_url(built_sites, site_url, m, "nl"))
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.locator(".portal-quick-exit__button").is_visible()
    box = page.locator(".portal-quick-exit__button").bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= 800 and box["x"] + box["width"] <= width
    context.close()
    assert not problems, "\n".join(problems)


# --- 404 -------------------------------------------------------------------------------------

# A 404 page is served at any address, so its links are absolute: from the site_url where one
# is set (Opwijk: https://opwijk.example/, so "/assets/..."), else from /<slug>/ as under
# `portal serve`. Only sites without a site_url are styled under `portal serve`; axe runs there.
@pytest.mark.parametrize("slug, styled", [("sint-gillis", True), ("antwerpen", True), ("opwijk", False)])
def test_the_404_page_is_in_the_language_of_the_address_and_passes_axe(page, site_url, slug, styled):
    m = load_all(ROOT)[slug]
    assert (m.site_url is None) == styled
    for lang in m.languages:
        response = page.goto(f"{site_url}/{slug}/{lang_root(m, lang)}bestaat-niet/")
        assert response.status == 404
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").inner_text() == t("not_found.title", lang)
        assert page.locator(".md-content").get_by_role("link", name=t("not_found.services", lang)).count() == 1
        if styled:
            assert not axe_violations(page), axe_violations(page)


def test_the_404_page_leads_home_and_to_the_services(page, site_url, brussels):
    m = brussels
    page.goto(f"{site_url}/{m.slug}/nl/nergens/te/vinden")
    page.get_by_role("link", name=t("not_found.services", "nl")).click()
    page.wait_for_url(f"{site_url}/{m.slug}/nl/services/")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.goto(f"{site_url}/{m.slug}/nope")
    page.locator(".md-content").get_by_role("link", name=t("not_found.home", "fr", social_house=m.text(m.social_house, "fr"))).click()
    page.wait_for_url(f"{site_url}/{m.slug}/")
    assert json.loads(page.locator("#__config").inner_text())["base"]  # the theme loaded normally
