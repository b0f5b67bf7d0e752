"""What Belgian law asks of a public site: the privacy page (GDPR art. 13, with the cookie list),
the accessibility statement (EU 2016/2102), the footer links to both, the DPO required by
`portal check`, the region that decides the authorities, and plain language on those pages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as htmllib
import re
import textwrap
from pathlib import Path
from urllib.parse import urljoin

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.common.cookies import COOKIES
from portal.intake.compose import compose_confirmation
from portal.intake.routing import route
from portal.municipal.config import check_municipality, load_municipality
from portal.municipal.postcodes import region_for_postcode
from portal.site import accessibility_record, legal
from portal.site.build import build_sites
from portal.web import create_app
from tests.test_forms_web import hidden, support_answers, token_of
from tests.test_mail import WHEN, application, bodies, reparse

MAX_WORDS = 20   # B1: at most 20 words a sentence on these pages

CONFIG = textwrap.dedent("""\
    slug: SLUG
    name: {LANGS_NAME}
    languages: [LANGS]
    branding: {primary_color: "#00594f", accent_color: "#f2a900"}
    social_house: {LANGS_HOUSE}
    postcodes: ["POSTCODE"]
    offices:
      - id: onthaal
        name: {LANGS_NAME}
        address: {street: Markt 1, postcode: "POSTCODE", city: {LANGS_NAME}}
        phone: "011 22 33 44"
        email: onthaal@SLUG.example
        hours: "Mo-Fr 09:00-12:00; PH off"
    inboxes:
      support-application: hulp@SLUG.example
    services: [onthaal, leefloon]
    retention_days: 45
    EXTRA
    """)


def write_config(root: Path, slug: str, postcode: str, *, langs=("fr",), extra="privacy: {dpo: {email: dpo@SLUG.example}}") -> Path:
    names = "{" + ", ".join(f"{lang}: Testville" for lang in langs) + "}"
    houses = "{" + ", ".join(f"{lang}: {'CPAS de Testville' if lang == 'fr' else 'OCMW Testville'}" for lang in langs) + "}"
    text = (CONFIG.replace("EXTRA", extra).replace("{LANGS_NAME}", names).replace("{LANGS_HOUSE}", houses)
            .replace("LANGS", ", ".join(langs)).replace("POSTCODE", postcode).replace("SLUG", slug))
    folder = root / "site_config"
    folder.mkdir(exist_ok=True)
    path = folder / f"{slug}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def article_text(page: str) -> str:
    return re.search(r"<article.*?</article>", page, re.S).group(0)


def blocks(page: str) -> list[str]:
    """The text of every paragraph, list item, cell and heading of the page's article."""
    found = re.findall(r"<(p|li|td|th|h[1-6])\b[^>]*>(.*?)</\1>", article_text(page), re.S)
    return [" ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", inner)).split()) for _, inner in found]


def long_sentences(page: str) -> list[str]:
    result = []
    for block in blocks(page):
        for sentence in re.split(r"(?<=[.!?])\s+", block):
            words = [w for w in sentence.split() if re.search(r"\w", w)]
            if len(words) > MAX_WORDS:
                result.append(f"{len(words)} words: {sentence}")
    return result


def page_folders(site: Path, m) -> dict:
    return {lang: site if lang == m.default_language else site / lang for lang in m.languages}


# --- the region -----------------------------------------------------------------------------

@pytest.mark.parametrize("postcode, region", [
    ("1000", "brussels"), ("1060", "brussels"), ("1210", "brussels"), ("1300", "wallonia"), ("1495", "wallonia"),
    ("1500", "flanders"), ("1745", "flanders"), ("2000", "flanders"), ("3000", "flanders"), ("3990", "flanders"),
    ("4000", "wallonia"), ("4700", "german"), ("4790", "german"), ("4960", "wallonia"), ("5000", "wallonia"),
    ("6700", "wallonia"), ("7000", "wallonia"), ("8000", "flanders"), ("9000", "flanders"),
    ("0999", None), ("abcd", None), ("17450", None),
])
def test_the_region_of_a_postcode(postcode, region):
    assert region_for_postcode(postcode) == region


def test_the_region_comes_from_the_first_postcode_or_is_set(tmp_path):
    write_config(tmp_path, "namen", "5000")
    assert load_municipality("namen", tmp_path).region == "wallonia"
    write_config(tmp_path, "namen", "5000", extra="privacy: {dpo: {email: dpo@x.example}}\nregion: german")
    assert load_municipality("namen", tmp_path).region == "german"
    path = write_config(tmp_path, "namen", "5000", extra="privacy: {dpo: {email: dpo@x.example}}\nregion: vlaanderen")
    _, findings = check_municipality(path)
    line = path.read_text(encoding="utf-8").splitlines().index("region: vlaanderen") + 1
    assert [(f.line, f.message) for f in findings] == [(line, "region 'vlaanderen' is unknown")]


# --- portal check: the DPO ------------------------------------------------------------------

def test_portal_check_errors_without_a_dpo_when_a_form_is_offered(scratch_project):
    path = write_config(scratch_project, "zonderdpo", "3000", langs=("nl",), extra="")
    result = CliRunner().invoke(main, ["check", "zonderdpo"])
    assert result.exit_code == 1
    line = path.read_text(encoding="utf-8").splitlines().index("inboxes:") + 1
    assert (f"site_config/zonderdpo.yml:{line}: error: privacy.dpo.email missing: this site offers "
            "support-application") in result.output
    assert "hint: add privacy: {dpo: {email: dpo@<municipality>.be}}" in result.output


def test_the_dpo_error_points_at_the_privacy_key_when_it_is_there(tmp_path):
    path = write_config(tmp_path, "leeg", "3000", langs=("nl",), extra="privacy:\n  dpo: {phone: \"011 22 33 44\"}")
    _, findings = check_municipality(path)
    line = path.read_text(encoding="utf-8").splitlines().index("privacy:") + 2   # the dpo line
    assert [(f.line, f.message[:30]) for f in findings] == [(line, "privacy.dpo.email missing: thi")]


def test_no_dpo_needed_without_a_form(tmp_path):
    path = write_config(tmp_path, "zonder", "3000", langs=("nl",), extra="")
    path.write_text(path.read_text(encoding="utf-8").replace("  support-application: hulp@zonder.example\n", "  {}\n")
                    .replace("inboxes:\n", "inboxes:"), encoding="utf-8")
    municipality, findings = check_municipality(path)
    assert findings == [] and municipality.forms == []


def test_a_bad_dpo_address_and_accessibility_keys_are_named(tmp_path):
    path = write_config(tmp_path, "fout", "3000", langs=("nl",), extra=(
        "privacy: {dpo: {email: niet-een-adres}}\naccessibility: {contact: ook-niet, evaluated: morgen, kleur: rood}"))
    _, findings = check_municipality(path)
    assert {f.message for f in findings} == {
        "privacy.dpo.email 'niet-een-adres' is not an e-mail address",
        "accessibility: unknown key 'kleur'",
        "accessibility.contact 'ook-niet' is not an e-mail address",
        "accessibility.evaluated 'morgen' is not a date like 2026-11-20",
    }


# --- the built example sites ----------------------------------------------------------------

def test_every_site_has_both_pages_in_each_language_with_the_dpo_and_retention(built_sites, municipalities):
    for slug, m in municipalities.items():
        for lang, folder in page_folders(built_sites / slug, m).items():
            privacy = (folder / "privacy" / "index.html").read_text(encoding="utf-8")
            statement = (folder / "accessibility" / "index.html").read_text(encoding="utf-8")
            assert f'<html lang="{lang}"' in privacy and f'<html lang="{lang}"' in statement
            assert f"mailto:{m.privacy.dpo_email}" in privacy, (slug, lang)
            words = {"nl": "dagen", "fr": "jours", "de": "Tage"}[lang]
            assert f"{m.retention_days} {words}" in " ".join(blocks(privacy)), (slug, lang)
            # The purge applies the receiving municipality's numbers (portal/store/retention.py).
            other = {"nl": "Dan gelden de termijnen van dat OCMW.", "fr": "Ce sont alors les délais de ce CPAS qui comptent.",
                     "de": "Dann gelten die Fristen dieses ÖSHZ."}[lang]
            assert other in " ".join(blocks(privacy)), (slug, lang)
            for form_id in m.forms:
                assert f'id="form-{form_id}"' in privacy
            assert 'id="cookies"' in privacy
            for cookie in COOKIES:
                assert f"<code>{cookie.name}</code>" in privacy


@pytest.mark.parametrize("slug, authority, address", [
    ("opwijk", "Vlaamse Toezichtcommissie", "Koning Albert II-laan 15, 1210 Brussel"),        # Flanders: 1745
    ("sint-gillis", "Autorité de protection des données", "Rue de la Presse 35, 1000 Bruxelles"),  # Brussels: 1060
])
def test_the_privacy_page_names_the_supervisory_authority_of_the_region(built_sites, slug, authority, address):
    text = " ".join(blocks((built_sites / slug / "privacy" / "index.html").read_text(encoding="utf-8")))
    assert authority in text and address in text
    other = "Gegevensbeschermingsautoriteit" if slug == "opwijk" else "Toezichtcommissie"
    assert other not in text


def test_a_walloon_site_names_the_data_protection_authority_and_the_walloon_decree(scratch_project, tmp_path):
    """Namur (5000): the federal authority for data protection; the Walloon decree of 2 May 2019
    and the médiateur for accessibility."""
    write_config(scratch_project, "namen", "5000")
    [result] = build_sites(["namen"], tmp_path / "out", scratch_project)
    assert result.ok, result.error
    privacy = (tmp_path / "out" / "namen" / "privacy" / "index.html").read_text(encoding="utf-8")
    text = " ".join(blocks(privacy))
    assert "Autorité de protection des données" in text and "Rue de la Presse 35, 1000 Bruxelles" in text
    assert "Toezichtcommissie" not in text
    assert "mailto:dpo@namen.example" in privacy and "45\u00a0jours" in text.replace("45 jours", "45\u00a0jours")
    statement = " ".join(blocks((tmp_path / "out" / "namen" / "accessibility" / "index.html").read_text(encoding="utf-8")))
    assert "décret wallon du 2 mai 2019" in statement and "Médiateur de la Wallonie" in statement
    assert long_sentences(privacy) == []


def test_the_german_pages_of_eupen_name_the_authority_and_the_community_s_decree_in_german(built_sites):
    """Eupen (4700, German-speaking Community): the federal Datenschutzbehörde; the Community's decree
    and its ombudsman for accessibility; the DPO; every text in German."""
    privacy = (built_sites / "eupen" / "privacy" / "index.html").read_text(encoding="utf-8")
    text = " ".join(blocks(privacy))
    assert "Datenschutzbehörde" in text and "Toezichtcommissie" not in text
    assert "mailto:dpo@eupen.example" in privacy and "Datenschutzbeauftragten" in text
    assert "Grundlagengesetz vom 8. Juli 1976" in text and "30 Tage" in text
    statement = " ".join(blocks((built_sites / "eupen" / "accessibility" / "index.html").read_text(encoding="utf-8")))
    assert "Dekret der Deutschsprachigen Gemeinschaft vom 25. Februar 2019" in statement
    assert "Zuständig ist die Ombudsfrau der Deutschsprachigen Gemeinschaft" in statement
    for page in (text, statement):
        assert not any(word in page for word in ("OCMW", "CPAS", "je gegevens", "vos données")), page

def test_flemish_statement_cites_the_bestuursdecreet_and_the_ombudsdienst(built_sites):
    text = " ".join(blocks((built_sites / "opwijk" / "accessibility" / "index.html").read_text(encoding="utf-8")))
    assert "Bestuursdecreet van 7 december 2018" in text and "Vlaamse Ombudsdienst" in text
    text = " ".join(blocks((built_sites / "sint-gillis" / "accessibility" / "index.html").read_text(encoding="utf-8")))
    assert "ordonnance bruxelloise du 4 octobre 2018" in text


def test_the_pages_are_written_in_plain_language(built_sites, municipalities):
    """B1: no sentence longer than 20 words, in every language of every site."""
    for slug, m in municipalities.items():
        for lang, folder in page_folders(built_sites / slug, m).items():
            for name in ("privacy", "accessibility"):
                page = (folder / name / "index.html").read_text(encoding="utf-8")
                assert long_sentences(page) == [], (slug, lang, name)


def test_every_page_links_to_privacy_accessibility_cookies_and_contact(built_sites, municipalities):
    """The footer of every built page, in the page's language, and each link leads to a page."""
    for slug, m in municipalities.items():
        site = built_sites / slug
        for index in site.rglob("index.html"):
            if "search" in index.parts:
                continue
            page = index.read_text(encoding="utf-8")
            lang = re.search(r'<html lang="(\w+)"', page).group(1)
            footer = re.search(r'<nav class="portal-footer-links"[^>]*>(.*?)</nav>', page, re.S)
            assert footer, index
            hrefs = re.findall(r'<a href="([^"]+)">([^<]+)</a>', footer.group(1))
            assert [text for _, text in hrefs] == {"nl": ["Privacy", "Toegankelijkheid", "Cookies", "Contact"],
                                                   "fr": ["Vie privée", "Accessibilité", "Cookies", "Contact"],
                                                   "de": ["Datenschutz", "Barrierefreiheit", "Cookies", "Kontakt"]}[lang]
            here = "/" + index.parent.relative_to(site).as_posix() + "/"
            root = "/" if lang == m.default_language else f"/{lang}/"
            targets = [urljoin(here.replace("//", "/"), href) for href, _ in hrefs]
            assert targets == [f"{root}privacy/", f"{root}accessibility/", f"{root}privacy/#cookies", f"{root}#contact"], index
        for lang in m.languages:   # the 404 page of each language: absolute links from /<slug>/
            page = (site / ("" if lang == m.default_language else lang) / "404.html").read_text(encoding="utf-8")
            base = (m.site_url and re.sub(r"^https?://[^/]+", "", m.site_url)) or f"/{slug}/"
            root = base if lang == m.default_language else f"{base}{lang}/"
            assert f'href="{root}privacy/"' in page and f'href="{root}accessibility/"' in page


def test_the_legal_pages_stay_out_of_the_navigation(built_sites):
    home = (built_sites / "opwijk" / "index.html").read_text(encoding="utf-8")
    nav = re.search(r'<nav class="md-nav md-nav--primary".*?</nav>', home, re.S).group(0)
    assert "privacy/" not in nav and "accessibility/" not in nav


# --- the accessibility statement ------------------------------------------------------------

def test_fully_conforms_only_when_nothing_is_known_and_someone_reviewed(municipalities, tmp_path, monkeypatch):
    assert legal.conformance(municipalities["opwijk"]) == "full"            # reviewed on 2026-11-20
    assert legal.conformance(municipalities["antwerpen"]) == "partial"      # never reviewed by hand
    text = legal.accessibility_markdown(municipalities["antwerpen"], "nl", today=dt.date(2026, 11, 26))
    assert "voldoet gedeeltelijk" in text and "Niemand heeft deze website al met de hand nagekeken" in text
    write_config(tmp_path, "issues", "3000", langs=("nl",), extra=(
        "privacy: {dpo: {email: dpo@issues.example}}\n"
        "accessibility:\n  evaluated: 2026-11-01\n  issues: [{nl: De plattegrond is een afbeelding zonder tekst.}]"))
    m = load_municipality("issues", tmp_path)
    text = legal.accessibility_markdown(m, "nl")
    assert legal.conformance(m) == "partial" and "- De plattegrond is een afbeelding zonder tekst." in text
    assert "1 november 2026" in text
    monkeypatch.setattr(accessibility_record, "KNOWN_ISSUES", ({"nl": "Iets", "fr": "Quelque chose"},))
    assert legal.conformance(municipalities["opwijk"]) == "partial"


def test_the_statement_has_the_parts_of_the_eu_model(built_sites, municipalities):
    """Implementing Decision (EU) 2018/1523: status, non-accessible content, preparation (date,
    method), feedback and contact, enforcement procedure."""
    m = municipalities["opwijk"]
    text = " ".join(blocks((built_sites / "opwijk" / "accessibility" / "index.html").read_text(encoding="utf-8")))
    for part in ("voldoet volledig aan de norm EN 301 549", "Wat is niet toegankelijk?", "20 november 2026",
                 "We hebben de website zelf beoordeeld.", "axe-core", m.accessibility.contact,
                 "klacht indienen bij de Vlaamse Ombudsdienst"):
        assert part in text, part


def test_the_statement_says_what_the_project_measured():
    assert accessibility_record.AXE_WIDTHS == (390, 1280)     # tests/browser/ runs axe at these widths
    assert accessibility_record.AXE_VIOLATIONS == 0           # and asserts none (test_legal_browser.py)


@pytest.mark.parametrize("days, nl, fr", [
    (7, "minder dan twee weken", "moins de deux semaines"), (21, "3 weken", "3 semaines"),
    (30, "ongeveer een maand", "environ un mois"), (90, "ongeveer 3 maanden", "environ 3 mois"),
    (365, "ongeveer een jaar", "environ un an"), (1095, "ongeveer 3 jaar", "environ 3 ans"),
])
def test_the_retention_period_in_words(days, nl, fr):
    assert (legal.retention_span(days, "nl"), legal.retention_span(days, "fr")) == (nl, fr)


# --- cookies --------------------------------------------------------------------------------

def test_every_cookie_the_backend_sets_is_listed(scratch_project, tmp_path):
    """Drive the backend's pages (form, errors, check page, send, receipt, print, 404, health,
    branding) and compare each Set-Cookie name with portal/common/cookies.py: a new cookie that
    is not on the privacy page fails here."""
    app = create_app({"SECRET_KEY": "a-test-secret-that-is-long-enough", "ENV": "testing", "ROOT": scratch_project,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}", "FORM_MIN_FILL_SECONDS": 0,
                      "RATELIMIT_ENABLED": False})
    client = app.test_client()
    names = set()

    def keep(response):
        names.update(header.split("=", 1)[0].strip() for header in response.headers.getlist("Set-Cookie"))
        response.get_data()
        response.close()   # a file response (the logo) keeps its file open until then
        return response

    url = "/forms/opwijk/nl/support-application/"
    page = keep(client.get(url)).get_data(as_text=True)
    base = {"csrf_token": token_of(page), "form_started": hidden(page, "form_started")}
    keep(client.post(url, data=base | {"step": "check"}))                                   # errors
    check = keep(client.post(url, data=base | support_answers(step="check"))).get_data(as_text=True)
    sent = keep(client.post(url, data=base | {"check_answers": hidden(check, "check_answers"), "send": "1"}))
    receipt = sent.headers["Location"]
    keep(client.get(receipt))
    keep(client.get(receipt + "/print"))
    for other in ("/forms/opwijk/nl/wijk-werken/", "/forms/sint-gillis/fr/support-application/", "/forms/nope/nl/x/",
                  "/healthz", "/forms/_brand/opwijk/brand.css", "/forms/_brand/opwijk/logo"):
        keep(client.get(other))
    assert names, "the backend sets its session cookie: the test must see it"
    assert names <= {cookie.name for cookie in COOKIES}, f"not on the privacy page: {names - {c.name for c in COOKIES}}"


def test_the_confirmation_mail_links_the_competent_ocmws_privacy_page(municipalities):
    answers = application()
    r = route("support-application", answers, municipalities["opwijk"], municipalities)
    msg = reparse(compose_confirmation(reference="OPW-2026-7K3Q9", form_id="support-application", lang="nl",
                                       recipient=answers["email"], route=r, received_at=WHEN))
    text, html = bodies(msg)
    assert "https://opwijk.example/privacy/" in text
    assert '<a href="https://opwijk.example/privacy/">' in html


@pytest.mark.parametrize("region", ["flanders", "brussels", "wallonia", "german"])
@pytest.mark.parametrize("lang", ["nl", "fr", "de"])
def test_every_region_s_texts_are_plain_language(municipalities, region, lang):
    """The texts that differ per region (law, authority, ombudsman), in sentences of at most 20 words."""
    m = dataclasses.replace(municipalities["sint-gillis"], region=region)
    for text in (legal.privacy_markdown(m, lang), legal.accessibility_markdown(m, lang)):
        body = text.split("\n---\n", 1)[1]
        for line in body.splitlines():
            plain = re.sub(r"\[([^\]]*)\]\([^)]*\)|\{#[\w-]+\}|[*#|`]", r"\1", line)
            for sentence in re.split(r"(?<=[.!?])\s+", plain):
                assert len([w for w in sentence.split() if re.search(r"\w", w)]) <= MAX_WORDS, sentence
