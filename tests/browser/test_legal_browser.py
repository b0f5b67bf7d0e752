"""The privacy pages and accessibility statements in Chromium: axe-core at a phone's and a
desktop's width, reached from the footer of a page and from a form (same tab), no cookie from a
built page, the form's session cookie the one the privacy page lists."""

from __future__ import annotations

import pytest

from portal.common.cookies import COOKIES
from portal.serve import combined_app
from portal.site import accessibility_record

from .conftest import axe_violations, forms_backend, serving

pytestmark = pytest.mark.browser
# (slug, folder of the language under the site): Opwijk is Dutch only; Sint-Gillis French first.
LEGAL_PAGES = [("opwijk", ""), ("sint-gillis", ""), ("sint-gillis", "nl/")]


@pytest.fixture(scope="module")
def portal_url(built_sites, tmp_path_factory):
    """The built sites and the form backend on one address, as `portal serve` publishes them."""
    backend = forms_backend(tmp_path_factory.mktemp("legal-browser"))
    backend.config["SITE_BASE"] = "/{slug}/"
    with serving(combined_app(built_sites, backend)) as url:
        yield url


@pytest.mark.parametrize("width", accessibility_record.AXE_WIDTHS)
def test_the_legal_pages_pass_axe(new_page, portal_url, width):
    page = new_page(width)
    problems = []
    for slug, folder in LEGAL_PAGES:
        for name in ("privacy", "accessibility"):
            url = f"{portal_url}/{slug}/{folder}{name}/"
            assert page.goto(url).status == 200, url
            problems += [f"{url} [{width}px] {v}" for v in axe_violations(page)]
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{url} is {overflow}px wider than the screen at {width}px"
    # The accessibility statement says how many violations the last run found: keep it true.
    assert len(problems) == accessibility_record.AXE_VIOLATIONS, "\n".join(problems)
    assert not new_page.foreign, new_page.foreign


def test_the_footer_leads_to_the_privacy_page_and_its_cookie_list(new_page, portal_url):
    page = new_page(390)
    page.goto(f"{portal_url}/sint-gillis/nl/leefloon/")
    page.locator(".portal-footer-links a", has_text="Cookies").click()
    page.wait_for_url("**/sint-gillis/nl/privacy/#cookies")
    assert page.locator("h1").inner_text() == "Privacy en cookies"
    page.locator(".portal-footer-links a", has_text="Toegankelijkheid").click()
    page.wait_for_url("**/sint-gillis/nl/accessibility/")
    assert page.locator("h1").inner_text() == "Toegankelijkheidsverklaring"
    page.locator(".portal-footer-links a", has_text="Contact").click()
    page.wait_for_url("**/sint-gillis/nl/#contact")
    assert page.context.cookies() == [], "a built page set a cookie"


def test_the_form_links_its_privacy_section_in_the_same_tab(new_page, portal_url):
    page = new_page(1280)
    page.goto(f"{portal_url}/forms/opwijk/nl/support-application/")
    names = {cookie["name"] for cookie in page.context.cookies()}
    assert names <= {cookie.name for cookie in COOKIES}, names
    pages_before = len(page.context.pages)
    page.locator("[data-portal-privacy] a").click()
    page.wait_for_url("**/opwijk/privacy/#form-support-application")
    assert len(page.context.pages) == pages_before
    assert page.locator("#form-support-application").is_visible()
    page.go_back()
    page.locator(".portal-footer__links a", has_text="Toegankelijkheid").click()
    page.wait_for_url("**/opwijk/accessibility/")
