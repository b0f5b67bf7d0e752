"""Site features of issue 8: search per language, 404 per language, quick exit, language notices,
and the CPSV-AP catalogue, checked on the built example sites and on a scratch project."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from portal.common.i18n import t
from portal.common.paths import neutral_page_path
from portal.municipal.config import load_municipality
from portal.site import search_split
from portal.site.build import build_site
from portal.site.catalogue_ld import FILE_NAME, ServicePage, catalogue
from portal.site.content import front_matter, source_pages

from .conftest import ROOT, copy_project


def lang_root(m, lang) -> str:
    return "" if lang == m.default_language else f"{lang}/"


def html_lang(path: Path) -> str:
    return re.search(r'<html lang="([a-z]+)"', path.read_text(encoding="utf-8")).group(1)


def built_page(site: Path, location: str) -> Path:
    """The file a search location (e.g. "nl/leefloon/#wat-is-het") points at."""
    path = location.split("#")[0]
    return site / path / "index.html" if not path.endswith(".html") else site / path


def pages_by_url(m, lang, root=ROOT) -> dict[str, Path]:
    """{URL relative to the site root: source file} for the markdown pages of `lang`."""
    result = {}
    for page in source_pages(m, root):
        if page.lang == lang and page.name.endswith(".md"):
            stem = page.stem
            stem = "" if stem == "index" else stem.removesuffix("/index")
            result[lang_root(m, lang) + (f"{stem}/" if stem else "")] = page.path
    return result


# --- search per language ---------------------------------------------------------------------

def test_split_index_gives_each_language_its_own_pages_and_stemmer():
    merged = {"config": {"lang": ["fr", "nl"], "separator": "x"}, "docs": [
        {"location": "", "title": "Accueil", "text": ""},
        {"location": "leefloon/#quoi", "title": "Revenu", "text": ""},
        {"location": "nl/", "title": "Start", "text": ""},
        {"location": "nl/leefloon/#wat", "title": "Leefloon", "text": ""},
        {"location": "nlx/", "title": "Not Dutch: a French page whose name starts with nl", "text": ""},
    ]}
    parts = search_split.split_index(merged, ["fr", "nl"])
    assert parts["fr"]["config"] == {"lang": ["fr"], "separator": "x"}
    assert parts["nl"]["config"]["lang"] == ["nl"]
    assert [d["location"] for d in parts["fr"]["docs"]] == ["", "leefloon/#quoi", "nlx/"]
    assert [d["location"] for d in parts["nl"]["docs"]] == ["", "leefloon/#wat"]


def test_rebase_page_config_changes_only_the_base():
    html = '<p>x</p><script id="__config" type="application/json">{"base": "../..", "search": "../../w.js"}</script>'
    out = search_split.rebase_page_config(html, "../")
    data = json.loads(re.search(r"<script[^>]*>(.*)</script>", out).group(1))
    assert data == {"base": "../", "search": "../../w.js"}
    assert out.startswith("<p>x</p>")


def test_each_language_searches_only_its_own_pages(built_sites, municipalities):
    for slug, m in municipalities.items():
        site = built_sites / slug
        for lang in m.languages:
            index_file = site / lang_root(m, lang) / "search" / "search_index.json"
            index = json.loads(index_file.read_text(encoding="utf-8"))
            assert index["config"]["lang"] == [lang], index_file
            assert index["docs"], f"{index_file} is empty"
            folder = site / lang_root(m, lang)
            for doc in index["docs"]:
                page = built_page(folder, doc["location"])
                assert page.is_file(), f"{index_file}: {doc['location']} does not exist"
                assert html_lang(page) == lang, f"{index_file}: {doc['location']} is not in {lang}"
            # Every page of the language is findable (the index is split, not cut short).
            urls = {built_page(folder, d["location"]).parent.relative_to(site).as_posix() for d in index["docs"]}
            expected = {u.rstrip("/") or "." for u in pages_by_url(m, lang)}
            assert expected <= {u if u != "." else "." for u in urls}, f"{slug} {lang}: {expected - urls}"


def test_pages_of_other_languages_point_the_search_at_their_folder(built_sites, municipalities):
    for slug, m in municipalities.items():
        for lang in m.languages:
            for url in pages_by_url(m, lang):
                page = built_sites / slug / url / "index.html"
                config = json.loads(re.search(r'<script id="__config" type="application/json">(.*?)</script>',
                                              page.read_text(encoding="utf-8"), re.S).group(1))
                # The theme fetches new URL("search/search_index.json", base).
                fetched = urljoin(f"http://h/{slug}/{url}", config["base"].rstrip("/") + "/search/search_index.json")
                assert fetched == f"http://h/{slug}/{lang_root(m, lang)}search/search_index.json", page


# --- 404 pages -------------------------------------------------------------------------------

def test_every_language_has_a_404_page_in_that_language(built_sites, municipalities):
    for slug, m in municipalities.items():
        for lang in m.languages:
            page = built_sites / slug / lang_root(m, lang) / "404.html"
            html = page.read_text(encoding="utf-8")
            assert html_lang(page) == lang, page
            assert f"<h1>{t('not_found.title', lang)}</h1>" in html, page
            # Absolute links, as a 404 page is served at any address: from where the site is
            # published (site_url), else from /<slug>/ where `portal serve` puts it.
            base = urlsplit(m.site_url).path if m.site_url else f"/{slug}/"
            home = base + lang_root(m, lang)
            assert f'<a href="{home}">' in html and f'<a href="{home}services/">' in html, page
            assert (built_sites / slug / lang_root(m, lang) / "services" / "index.html").is_file()
            assert f'href="{base}assets/portal/portal.css"' in html, page
            other = [x for x in m.languages if x != lang]
            for x in other:
                assert f"<h1>{t('not_found.title', x)}</h1>" not in html


# --- quick exit ------------------------------------------------------------------------------

def test_quick_exit_is_on_sensitive_pages_only_and_leads_to_the_neutral_page(built_sites, municipalities):
    seen_sensitive = 0
    for slug, m in municipalities.items():
        site = built_sites / slug
        for lang in m.languages:
            neutral = site / neutral_page_path(lang, m.default_language)
            assert neutral.is_file() and html_lang(neutral) == lang
            assert t("quick_exit.neutral_title", lang) in neutral.read_text(encoding="utf-8")
            for url, source in pages_by_url(m, lang).items():
                html = (site / url / "index.html").read_text(encoding="utf-8")
                has_exit = "data-portal-quick-exit" in html
                sensitive = front_matter(source).get("sensitive") is True
                assert has_exit == sensitive, f"{slug}/{url}: sensitive={sensitive}, quick exit={has_exit}"
                if sensitive:
                    seen_sensitive += 1
                    href = re.search(r'class="portal-quick-exit__button" href="([^"]+)"', html).group(1)
                    assert (site / url / href).resolve() == neutral.resolve()
                    assert t("quick_exit.label", lang) in html
                    assert "assets/portal/quick-exit.js" in html
    assert seen_sensitive, "no example page has `sensitive: true`: the test proves nothing"


def test_the_neutral_page_says_nothing_about_social_services(built_sites, municipalities):
    words = ("ocmw", "cpas", "sociaal", "social", "leefloon", "revenu", "hulp", "aide", "violence", "geweld")
    for slug, m in municipalities.items():
        for lang in m.languages:
            text = (built_sites / slug / neutral_page_path(lang, m.default_language)).read_text(encoding="utf-8").lower()
            assert not [w for w in words if w in text]
            assert "http" not in text  # nothing from another host, not even a link


# --- catalogue -------------------------------------------------------------------------------

def services_in(document) -> dict:
    return {n["dct:identifier"]: n for n in document["@graph"] if n["@type"] == "cpsv:PublicService"}


def test_catalogue_lists_exactly_the_sites_services_per_language(built_sites, municipalities):
    for slug, m in municipalities.items():
        site = built_sites / slug
        for lang in m.languages:
            path = site / lang_root(m, lang) / FILE_NAME
            document = json.loads(path.read_text(encoding="utf-8"))
            services = services_in(document)
            published = {front_matter(p).get("service") for p in pages_by_url(m, lang).values()} - {None}
            assert set(services) == published == {s for s in m.services if s in published}, path
            assert set(services) == set(m.services), f"{path}: a listed service has no {lang} page"
            graph = {n["@id"]: n for n in document["@graph"]}
            authority = graph["#competent-authority"]
            assert authority["skos:prefLabel"] == {"@value": m.text(m.social_house, lang), "@language": lang}
            assert authority["locn:address"]["locn:postCode"] == m.offices[0].address.postcode
            for node in services.values():
                # Ids are the page addresses: absolute under the site_url, else relative.
                prefix = (m.site_url.rstrip("/") + "/" + lang_root(m, lang)) if m.site_url else ""
                assert node["@id"].startswith(prefix)
                page = site / lang_root(m, lang) / node["@id"].removeprefix(prefix) / "index.html"
                html = page.read_text(encoding="utf-8")
                # What the catalogue says is what the page shows.
                assert "<h1" in html and node["dct:title"]["@value"] in html, page
                assert node["dct:title"]["@language"] == lang
                assert f'<meta name="description" content="{node["dct:description"]["@value"]}"' in html.replace("&#39;", "'"), page
                assert {loc["locn:postCode"] for loc in node["dct:spatial"]} == set(m.postcodes)
                for contact in node["cv:contactPoint"]:
                    email = graph[contact["@id"]]["cv:email"]
                    assert f'href="{email}"' in html, f"{page}: {email}"
                channels = [c["@id"] for c in node.get("cv:hasChannel", [])]
                offered = [f"/forms/{slug}/{lang}/{f}/" for f in m.forms if f"/forms/{slug}/{lang}/{f}/" in html]
                assert channels == offered, page


def test_every_page_links_its_languages_catalogue(built_sites, municipalities):
    for slug, m in municipalities.items():
        for lang in m.languages:
            for url in pages_by_url(m, lang):
                page = built_sites / slug / url / "index.html"
                href = re.search(r'<link rel="alternate" type="application/ld\+json" href="([^"]+)"',
                                 page.read_text(encoding="utf-8")).group(1)
                assert (page.parent / href).resolve() == (built_sites / slug / lang_root(m, lang) / FILE_NAME).resolve()


def test_catalogue_ids_are_absolute_when_the_site_url_is_known():
    m = load_municipality("opwijk", ROOT)
    page = ServicePage(service="leefloon", title="Leefloon", description="d", url="leefloon/",
                       forms=["support-application", "not-offered"], offices=[m.offices[0].id])
    document = catalogue(m, "nl", [page], base_url="https://www.opwijk.be/")
    node = services_in(document)["leefloon"]
    assert node["@id"] == "https://www.opwijk.be/leefloon/"
    assert [c["dct:identifier"] for c in node.get("cv:hasChannel", [])] == [f for f in ["support-application"] if f in m.forms]


# --- a page in one language only --------------------------------------------------------------

ONLY_FRENCH = """---
title: "Violences conjugales : où trouver de l'aide"
description: Vous subissez des violences à la maison ? Le CPAS vous écoute et vous oriente.
sensitive: true
---

## Qui peut m'aider ?

Appelez gratuitement la ligne d'écoute.
"""


@pytest.fixture(scope="module")
def one_language_page_site(tmp_path_factory):
    """Saint-Gilles with an own page in French only (and sensitive), built from a scratch copy."""
    project = copy_project(tmp_path_factory.mktemp("project"), slugs=("sint-gillis",))
    m = load_municipality("sint-gillis", project)
    own = m.own_dir / "content" / "fr"
    own.mkdir(parents=True, exist_ok=True)
    (own / "violence.md").write_text(ONLY_FRENCH, encoding="utf-8")
    out = tmp_path_factory.mktemp("site")
    build_site("sint-gillis", out, project)
    return m, out / "sint-gillis"


def test_a_page_in_one_language_gets_a_notice_in_the_other(one_language_page_site):
    m, site = one_language_page_site
    assert m.languages == ["fr", "nl"]
    notice = (site / "nl" / "violence" / "index.html").read_text(encoding="utf-8")
    assert t("parity.title", "nl", language=t("parity.language.fr", "nl")) in notice
    link = re.search(r'<a href="([^"]+)" hreflang="fr" lang="fr">Violences conjugales', notice).group(1)
    assert (site / "nl" / "violence" / link / "index.html").resolve() == (site / "violence" / "index.html").resolve()
    # The notice names a sensitive subject: it keeps the quick exit.
    assert "data-portal-quick-exit" in notice


def test_the_notice_stays_out_of_that_languages_navigation_and_search(one_language_page_site):
    m, site = one_language_page_site
    dutch_home = (site / "nl" / "index.html").read_text(encoding="utf-8")
    french_home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="violence/"' not in dutch_home
    assert 'href="violence/"' in french_home
    nl_index = json.loads((site / "nl" / "search" / "search_index.json").read_text(encoding="utf-8"))
    fr_index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not [d for d in nl_index["docs"] if d["location"].startswith("violence")]
    assert [d for d in fr_index["docs"] if d["location"] == "violence/"]
    # The language switch of the French page leads to the notice, not to a missing page.
    page = (site / "violence" / "index.html").read_text(encoding="utf-8")
    assert 'href="../nl/violence/" hreflang="nl"' in page
    assert "data-portal-quick-exit" in page


def test_french_spacing_touches_text_only():
    from portal.common.typography import NBSP, NNBSP, french_spacing

    html = ('<h2 id="pour-qui">Pour qui ?</h2><p title="a : b">Appelez : <a href="https://x.example/?a=1;b">ici !</a> '
            '« bien »</p><pre><code>x ? y : z;</code></pre><script>a ? b : c</script><!-- a ? -->')
    out = french_spacing(html)
    assert f"Pour qui{NNBSP}?" in out and f"Appelez{NBSP}:" in out and f"ici{NNBSP}!" in out
    assert f"«{NBSP}bien{NBSP}»" in out
    # Attributes, URLs, code, scripts and comments keep their characters.
    assert 'title="a : b"' in out and 'href="https://x.example/?a=1;b"' in out
    assert "<code>x ? y : z;</code>" in out and "<script>a ? b : c</script>" in out and "<!-- a ? -->" in out


def test_french_pages_never_break_a_line_before_a_question_mark(built_sites, municipalities):
    m = municipalities["sint-gillis"]   # French first, Dutch beside it
    built = built_sites / m.slug / lang_root(m, "fr") / "leefloon" / "index.html"
    page = built.read_text(encoding="utf-8")
    text = re.sub(r"<(script|style|code|pre)\b.*?</\1>|<[^>]*>", "", page, flags=re.S)
    assert "\u202f?" in text
    assert not re.search(r"[ \t\n][?!;:](?:\s|$)", text), re.findall(r".{20}[ \t\n][?!;:](?:\s|$)", text)[:5]
    # The Dutch pages are left alone.
    nl = (built_sites / m.slug / lang_root(m, "nl") / "leefloon" / "index.html").read_text(encoding="utf-8")
    assert "\u202f?" not in nl
