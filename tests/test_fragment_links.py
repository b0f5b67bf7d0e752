"""Every same-site link with a `#fragment` lands on an element with that id: on every built page of
every example site in every language, and in the footers of the backend's form, check and receipt
pages (which link back to the site). A heading whose id follows its words in one language only
(German "## Kontakt" is #kontakt, the footer links #contact) is caught here for every page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from tests.test_forms_web import is_check_page, send, submit, support_answers

HOST = "http://sites.test"


class _Anchors(HTMLParser):
    """The ids of a page and the hrefs of its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def anchors(html: str) -> _Anchors:
    parser = _Anchors()
    parser.feed(html)
    return parser


def page_url(site: Path, path: Path) -> str:
    """The address a built file is served at: a folder's index.html at the folder."""
    relative = path.relative_to(site).as_posix()
    if relative.endswith("index.html"):
        relative = relative[: -len("index.html")]
    return f"{HOST}/{relative}"


class BuiltSites:
    """The built pages by address, their ids parsed once."""

    def __init__(self, root: Path):
        self.root = root
        self.pages = {page_url(root, path): path for path in root.rglob("*.html")}
        self._ids: dict[str, set[str]] = {}

    def ids(self, url: str) -> set[str] | None:
        path = self.pages.get(url) or self.pages.get(url.rstrip("/") + "/")
        if path is None:
            return None
        if url not in self._ids:
            self._ids[url] = anchors(path.read_text(encoding="utf-8")).ids
        return self._ids[url]


def broken_fragments(sites: BuiltSites, base: str, html: str, own_ids: set[str], slug: str) -> list[str]:
    """The links of a page at `base` whose fragment is missing on the page of `slug`'s site they
    point at (links to other hosts, other sites and other files are not this test's business)."""
    broken = []
    for href in anchors(html).hrefs:
        target = urljoin(base, href)
        parts = urlsplit(target)
        if not parts.fragment or not target.startswith(f"{HOST}/{slug}/"):
            continue
        fragment = unquote(parts.fragment)
        without = target.split("#", 1)[0]
        ids = own_ids if without == base.split("#", 1)[0] else sites.ids(without)
        if ids is None:
            broken.append(f"{href} (no page {without})")
        elif fragment not in ids:
            broken.append(f"{href} (no id {fragment!r} on {without})")
    return broken


@pytest.fixture(scope="module")
def sites(built_sites) -> BuiltSites:
    return BuiltSites(built_sites)


def test_every_fragment_link_of_every_built_page_has_its_target(sites, example_slugs):
    found = {}
    for url, path in sites.pages.items():
        slug = url.removeprefix(HOST + "/").split("/", 1)[0]
        html = path.read_text(encoding="utf-8")
        broken = broken_fragments(sites, url, html, anchors(html).ids, slug)
        if broken:
            found[url.removeprefix(HOST)] = broken
    assert found == {}
    # The crawl saw every site in every language, with the footer's contact link on each.
    for slug in example_slugs:
        assert f"{HOST}/{slug}/" in sites.pages
    assert "contact" in sites.ids(f"{HOST}/eupen/")          # German home page: "## Kontakt"
    assert "contact" in sites.ids(f"{HOST}/eupen/fr/")


def backend_to_sites(href: str, municipalities: dict) -> str:
    """A backend link to a site (its site_url, or /<slug>/ under `portal serve`) as the address of
    the built page in this test's tree; anything else unchanged."""
    for slug, m in municipalities.items():
        for base in filter(None, (m.site_url, f"/{slug}/")):
            if href.startswith(base):
                return f"{HOST}/{slug}/" + href[len(base):]
    return href


def backend_broken(sites: BuiltSites, html: str, slug: str, municipalities: dict) -> list[str]:
    rewritten = re.sub(r'href="([^"]+)"', lambda m: f'href="{backend_to_sites(m.group(1), municipalities)}"', html)
    return broken_fragments(sites, f"{HOST}/forms/", rewritten, anchors(html).ids, slug)


POSTCODES = {"opwijk": "1745", "antwerpen": "2000", "turnhout": "2300", "sint-gillis": "1060", "eupen": "4700"}


def test_the_backend_footers_link_to_existing_fragments_of_the_sites(sites, client, municipalities):
    """The form, check and receipt pages of every site in every language, and a backend 404."""
    seen = 0
    for slug, m in municipalities.items():
        for lang in m.languages:
            for form_id in m.forms:
                url = f"/forms/{slug}/{lang}/{form_id}/"
                page = client.get(url)
                assert page.status_code == 200, url
                assert backend_broken(sites, page.get_data(as_text=True), slug, municipalities) == [], url
                seen += 1
            if "support-application" not in m.forms:
                continue
            url = f"/forms/{slug}/{lang}/support-application/"
            answers = support_answers(postcode=POSTCODES[slug], city=m.text(m.name, lang))
            check = send(client, url, answers)
            assert is_check_page(check), url
            assert backend_broken(sites, check.get_data(as_text=True), slug, municipalities) == [], url
            stored = submit(client, url, answers)
            assert stored.status_code == 303, url
            receipt = client.get(stored.headers["Location"])
            assert receipt.status_code == 200
            assert backend_broken(sites, receipt.get_data(as_text=True), slug, municipalities) == [], url
        missing = client.get(f"/forms/{slug}/{m.default_language}/no-such-form/")
        assert missing.status_code == 404
        assert backend_broken(sites, missing.get_data(as_text=True), slug, municipalities) == []
    assert seen >= len(municipalities)
    # The footers really were checked: the German form links the German home page's contact heading.
    eupen = client.get("/forms/eupen/de/support-application/").get_data(as_text=True)
    assert 'href="/eupen/#contact"' in eupen


def test_the_check_itself_finds_a_missing_fragment(sites):
    html = '<a href="../#kontakt">Kontakt</a><a href="#here">x</a><p id="here"></p>'
    assert broken_fragments(sites, f"{HOST}/eupen/leefloon/", html, {"here"}, "eupen") == [
        f"../#kontakt (no id 'kontakt' on {HOST}/eupen/)"]
