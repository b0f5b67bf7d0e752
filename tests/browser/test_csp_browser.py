"""The static pages in Chromium through the shipped nginx and its Content-Security-Policy (issue 14).

The policy of the static pages allows no inline script or style (deploy/nginx/portal.conf). A
browser does not fail a page over a refused script: it drops it and writes a console error. So
every page here is watched for CSP violations (the `securitypolicyviolation` event and Chromium's
console errors), script errors and failed requests, while a citizen's ordinary steps still work at
390 and 1280 px: the lazily loaded search, the language switch, the navigation (the drawer on a
phone), the quick exit's hint and its neutral page, the 404 page.

The stack is tests/test_deploy_nginx.py's: Debian's nginx with deploy/nginx/ rendered by
deploy/render.py (HTTPS with a self-signed certificate, the sites' real host names) in front of
gunicorn. This Chromium resolves those host names to 127.0.0.1 and nothing else.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.common.i18n import LANGUAGE_NAMES, t
from tests.test_deploy_nginx import DOMAINS, NGINX, stack  # noqa: F401  (the module fixture)

from .conftest import CHROMIUM

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not NGINX.exists(), reason="Debian's nginx is not installed (`make system-deps`)")]

# Chromium sees the example host names as this machine, and every other host as unknown.
RESOLVER = ", ".join([*(f"MAP {host} 127.0.0.1" for host in DOMAINS.values()), "MAP * ~NOTFOUND", "EXCLUDE 127.0.0.1"])
WATCH_CSP = """document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});"""


@pytest.fixture(scope="module")
def nginx_browser(playwright, stack):  # noqa: F811  (the imported fixture)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", f"--host-resolver-rules={RESOLVER}"])
    yield browser
    browser.close()


class Watched:
    """A page of a fresh context, with what went wrong on it: CSP violations (the event and
    Chromium's own console message), uncaught script errors, answers >= 400 but the expected."""

    def __init__(self, browser, width: int):
        self.context = browser.new_context(viewport={"width": width, "height": 900}, ignore_https_errors=True,
                                           locale="nl-BE", timezone_id="Europe/Brussels")
        self.context.add_init_script(WATCH_CSP)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        # The browser's own request for /favicon.ico on the neutral page (which names no icon, so
        # that its tab shows nothing of the municipality) is not the page's doing.
        self.expected_404: set[str] = set()
        self.page.on("console", lambda m: m.type == "error" and m.location.get("url") not in self.expected_404
                     and self.problems.append(f"console: {m.text} ({m.location.get('url')})"))
        self.page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        self.page.on("response", lambda r: r.status >= 400 and r.url not in self.expected_404
                     and self.problems.append(f"{r.status} {r.url}"))

    def expect_404(self, url: str) -> None:
        self.expected_404.add(url)

    def goto(self, url: str):
        response = self.page.goto(url)
        policy = response.headers["content-security-policy"]
        directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
        assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"], policy
        return response


def url(stack, slug: str, path: str) -> str:  # noqa: F811
    return f"https://{DOMAINS[slug]}:{stack['https']}{path}"


def open_search(page, width: int):
    """Open the search as a citizen does: the field in the header, or its button on a phone."""
    if width < 960:
        page.locator("label.md-header__button[for=__search]").click()
    else:
        page.locator("input.md-search__input").click()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_citizens_steps_work_under_the_strict_policy(nginx_browser, stack, width):  # noqa: F811
    watched = Watched(nginx_browser, width)
    page = watched.page
    try:
        watched.goto(url(stack, "opwijk", "/leefloon/"))
        # The loader (a file now) ran: the theme's search button is shown, the bundle not yet loaded.
        expect(page.locator("html")).to_have_class(re.compile(r"\bportal-lazy-js\b"))
        assert page.evaluate("typeof __md_get === 'function' && __md_scope instanceof URL")
        assert page.evaluate("__md_scope.pathname") == "/"
        # The quick exit of this sensitive page: its script shows the keyboard hint.
        expect(page.locator("[data-portal-quick-exit] .portal-quick-exit__hint")).to_be_visible()

        # Search: the theme's bundle and its worker, loaded on demand, find the page.
        open_search(page, width)
        box = page.locator("input.md-search__input")
        expect(box).to_be_visible()
        page.wait_for_function("() => document.querySelector('.md-search-result__meta') !== null")
        box.press_sequentially("leefloon", delay=30)
        page.wait_for_function("() => document.querySelectorAll('.md-search-result__item a').length > 0", timeout=10000)
        assert any("leefloon" in (a.get_attribute("href") or "") for a in page.locator(".md-search-result__item a").all())
        page.keyboard.press("Escape")
        expect(page.locator("#__search")).not_to_be_checked()

        # Navigation: the drawer on a phone, the sidebar on a wide screen.
        services = page.locator(".md-nav--primary").get_by_role("link", name="Hulp bij werk zoeken", exact=True)
        if width < 1220:
            expect(services).not_to_be_in_viewport()
            page.locator("label.md-header__button[for=__drawer]").click()
        expect(services).to_be_in_viewport()
        services.click()
        page.wait_for_url("**/werk-zoeken/")

        # The language switch of a bilingual site, there and back.
        watched.goto(url(stack, "sint-gillis", "/leefloon/"))
        assert page.locator("html").get_attribute("lang") == "fr"
        page.get_by_role("link", name=LANGUAGE_NAMES["nl"], exact=True).click()
        page.wait_for_url("**/nl/leefloon/")
        assert page.locator("html").get_attribute("lang") == "nl"
        assert page.evaluate("__md_scope.pathname") == "/", "one storage scope for the whole site"
        page.get_by_role("link", name=LANGUAGE_NAMES["fr"], exact=True).click()
        page.wait_for_url(re.compile(r"/leefloon/$"))
        assert page.locator("html").get_attribute("lang") == "fr"

        # The quick exit's neutral page draws its calendar with a file, not inline code.
        watched.expect_404(url(stack, "sint-gillis", "/favicon.ico"))
        watched.goto(url(stack, "sint-gillis", "/nl/kalender.html"))
        expect(page.locator("#month")).to_be_visible()
        assert page.locator("#month td.today").count() == 1

        # The 404 page (absolute links: it is served at any address) opens the search too.
        missing = url(stack, "opwijk", "/bestaat-niet/")
        watched.expect_404(missing)
        assert watched.goto(missing).status == 404
        assert page.locator("h1").inner_text() == t("not_found.title", "nl")
        open_search(page, width)
        page.wait_for_function("() => document.querySelector('.md-search-result__meta') !== null")
    finally:
        watched.context.close()
    assert watched.problems == []
