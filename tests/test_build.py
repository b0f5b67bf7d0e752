"""Built example sites: pages per language, contact data, hreflang, JSON-LD, no other hosts."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest

from portal.municipal.config import SERVICE_IDS, load_municipality
from portal.municipal.contact import tel_href

from .conftest import ROOT, build_published


class PageParser(HTMLParser):
    """Collects what the assertions need from one HTML page."""

    def __init__(self):
        super().__init__()
        self.html_lang = None
        self.alternates = {}
        self.urls = []          # (tag, attribute, value) of every resource reference
        self.jsonld = []
        self._in_jsonld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if tag == "link" and attrs.get("rel") == "alternate" and attrs.get("hreflang"):
            self.alternates[attrs["hreflang"]] = attrs.get("href")
        # rel=canonical/alternate name the published address of a page; browsers do not fetch them.
        fetched = tag != "link" or attrs.get("rel") not in ("canonical", "alternate")
        for name in ("src", "href", "srcset", "data", "poster"):
            if fetched and name in attrs and tag in ("link", "script", "img", "source", "iframe", "video", "audio", "object", "embed"):
                self.urls.append((tag, name, attrs[name]))
        self._in_jsonld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld.append(data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_jsonld = False


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def page_dir(site: Path, municipality, lang: str) -> Path:
    """Default language at the root of the site, others under /<lang>/."""
    return site if lang == municipality.default_language else site / lang


@pytest.fixture(scope="module")
def municipalities(example_slugs):
    return {slug: load_municipality(slug, ROOT) for slug in example_slugs}


def test_the_examples_include_a_french_first_bilingual_site(municipalities):
    assert {"opwijk", "turnhout", "antwerpen"} <= set(municipalities)
    assert any(m.languages == ["fr", "nl"] for m in municipalities.values())


def test_listed_services_exist_in_every_language_and_unlisted_ones_do_not(built_sites, municipalities):
    for slug, m in municipalities.items():
        for lang in m.languages:
            base = page_dir(built_sites / slug, m, lang)
            for service in SERVICE_IDS:
                page = base / service / "index.html"
                assert page.is_file() == (service in m.services), f"{slug} {lang} {service}"
            for common in ("index.html", "services/index.html"):
                assert (base / common).is_file(), f"{slug} {lang} {common}"


def test_single_language_sites_have_no_language_folder(built_sites, municipalities):
    for slug, m in municipalities.items():
        for lang in ("nl", "fr"):
            if lang not in m.languages or lang == m.default_language:
                assert not (built_sites / slug / lang).exists(), f"{slug} has an empty /{lang}/ folder"


def test_pages_carry_their_language_and_hreflang_alternates(built_sites, municipalities):
    for slug, m in municipalities.items():
        for lang in m.languages:
            base = page_dir(built_sites / slug, m, lang)
            for page in [base / "index.html"] + [base / s / "index.html" for s in m.services]:
                parsed = parse(page)
                assert parsed.html_lang == lang, page
                if len(m.languages) > 1:
                    assert set(parsed.alternates) == {*m.languages, "x-default"}, page
                    assert parsed.alternates["x-default"] == parsed.alternates[m.default_language]
                    # The alternate in the other language is the same page, translated.
                    for other, href in parsed.alternates.items():
                        target = (page.parent / href).resolve()
                        target = target / "index.html" if target.is_dir() else target
                        assert target.is_file(), f"{page}: hreflang {other} -> {href}"
                        assert parse(target).html_lang == (other if other != "x-default" else m.default_language)
                else:
                    assert parsed.alternates == {}


PUBLISHED = "https://www.saint-gilles.example/"


@pytest.fixture(scope="module")
def published_site(tmp_path_factory):
    """Saint-Gilles (fr, nl) built with a site_url, as a municipality publishes it."""
    return build_published(tmp_path_factory.mktemp("published"), "sint-gillis", PUBLISHED)


def test_hreflang_alternates_are_fully_qualified_when_the_site_url_is_known(published_site):
    """Search engines (and Lighthouse's hreflang audit) want absolute alternates; the language
    switch a citizen clicks stays relative, so it works on any host the site is viewed on."""
    site = published_site
    pages = sorted(site.rglob("index.html"))
    assert len(pages) > 10
    for page in pages:
        parsed = parse(page)
        assert set(parsed.alternates) == {"fr", "nl", "x-default"}, page
        assert parsed.alternates["x-default"] == parsed.alternates["fr"], page
        for lang, href in parsed.alternates.items():
            assert href.startswith(PUBLISHED), f"{page}: hreflang {lang} -> {href}"
            target = site / href.removeprefix(PUBLISHED) / "index.html"
            assert parse(target).html_lang == (lang if lang != "x-default" else "fr"), f"{page}: {href}"
        # The page is its own alternate in its language.
        folder = page.parent.relative_to(site).as_posix()
        assert parsed.alternates[parsed.html_lang] == (PUBLISHED if folder == "." else f"{PUBLISHED}{folder}/")
        switch = re.findall(r'<a href="([^"]+)" hreflang="(?:fr|nl)" lang=', page.read_text(encoding="utf-8"))
        assert len(switch) == 2 and not any(href.startswith(("http:", "https:", "/")) for href in switch), page
    for not_found in (site / "404.html", site / "nl" / "404.html"):
        assert set(parse(not_found).alternates.values()) == {PUBLISHED, PUBLISHED + "nl/"}


def test_contact_card_and_hours_appear_on_service_pages(built_sites, municipalities):
    """The office named after the service (Saint-Gilles' SPI office on the SPI page), else the first."""
    named = 0
    for slug, m in municipalities.items():
        for lang in m.languages:
            for service in m.services:
                office = next((o for o in m.offices if o.id == service), m.offices[0])
                named += office is not m.offices[0]
                html = (page_dir(built_sites / slug, m, lang) / service / "index.html").read_text(encoding="utf-8")
                assert m.text(office.name, lang) in html
                assert office.address.street_in(lang) in html
                assert f'href="{tel_href(office.phone)}"' in html
                assert f"mailto:{office.email}" in html
                assert "portal-hours" in html and "<table" in html
    assert named >= 2                                   # Saint-Gilles' SPI page, in French and Dutch


def test_json_ld_describes_offices_and_services(built_sites, municipalities):
    for slug, m in municipalities.items():
        for lang in m.languages:
            base = page_dir(built_sites / slug, m, lang)
            for service in m.services:
                blocks = parse(base / service / "index.html").jsonld
                assert len(blocks) == 1
                graph = json.loads(blocks[0])["@graph"]
                offices = [n for n in graph if n["@type"] == "GovernmentOffice"]
                assert len(offices) == len(m.offices)
                assert all(o["openingHoursSpecification"] for o in offices)
                assert offices[0]["address"]["postalCode"] == m.offices[0].address.postcode
                services = [n for n in graph if n["@type"] == "GovernmentService"]
                assert [s["serviceType"] for s in services] == [service]


def test_form_buttons_only_for_forms_the_site_offers(built_sites, municipalities):
    for slug, m in municipalities.items():
        lang = m.default_language
        pages = "".join(p.read_text(encoding="utf-8") for p in (built_sites / slug).rglob("*.html"))
        for form_id in ("support-application", "wijk-werken"):
            url = f"/forms/{slug}/{lang}/{form_id}/"
            assert (url in pages) == (form_id in m.forms), f"{slug} {form_id}"


def test_no_built_file_references_another_host(built_sites):
    offenders = []
    for page in built_sites.rglob("*.html"):
        for tag, attr, value in parse(page).urls:
            for url in value.split(","):
                host = urlparse(url.strip().split(" ")[0]).hostname
                if host and host not in ("127.0.0.1", "localhost"):
                    offenders.append(f"{page}: <{tag} {attr}={url}>")
    for sheet in built_sites.rglob("*.css"):
        for url in re.findall(r"url\(([^)]+)\)", sheet.read_text(encoding="utf-8", errors="replace")):
            if re.match(r"['\"]?(https?:)?//", url):
                offenders.append(f"{sheet}: url({url})")
    assert not offenders, "\n".join(offenders[:20])


def test_every_language_has_its_sitemap_and_a_description(built_sites, municipalities):
    for slug, m in municipalities.items():
        for lang in m.languages:
            base = page_dir(built_sites / slug, m, lang)
            assert (base / "sitemap.xml").is_file(), f"{slug} {lang}"
            locs = re.findall(r"<loc>([^<]*)</loc>", (base / "sitemap.xml").read_text(encoding="utf-8"))
            assert locs and not any("None" in loc for loc in locs), locs[:3]
            if m.site_url:
                assert all(loc.startswith(m.site_url) for loc in locs), locs[:3]
            assert re.search(r'<meta name="description" content="[^"]{20,}"', (base / "index.html").read_text(encoding="utf-8"))


def test_logo_and_colours_are_the_municipalitys(built_sites, municipalities):
    for slug, m in municipalities.items():
        html = (built_sites / slug / "index.html").read_text(encoding="utf-8")
        # The colours are a stylesheet of the site (no inline style), named by its content.
        brand = re.search(r'<link rel="stylesheet" href="(assets/portal/brand\.[0-9a-f]{8}\.css)">', html)
        assert brand, "no brand stylesheet"
        css = (built_sites / slug / brand.group(1)).read_text(encoding="utf-8")
        assert f"--md-primary-fg-color: {m.branding['primary_color']};" in css
        assert f"--md-accent-fg-color: {m.branding['accent_color']};" in css
        logo = re.search(r'<img src="([^"]*logo[^"]*)"', html)
        assert logo and (built_sites / slug / logo.group(1)).is_file()
