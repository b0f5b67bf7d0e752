"""The privacy page says what the code does: the retention rule of portal/store/retention.py with
the municipality's own figures, and the supervisory authority's site in the page's language."""

from __future__ import annotations

import dataclasses
import re

import pytest

from portal.municipal import region
from portal.site.legal import privacy_markdown, retention_span
from tests.test_legal_pages import blocks, page_folders

DAYS = {"nl": "dagen", "fr": "jours", "de": "Tage"}
# The condition the shorter period counts from: staff marked the application done or forwarded.
CLOSED = {"nl": "afgehandeld of doorgestuurd", "fr": "traitée ou transmise", "de": "erledigt oder an ein anderes ÖSHZ weitergeleitet"}


def retention_text(markdown_or_html: str, lang: str) -> str:
    heading = {"nl": "Hoe lang bewaren we je gegevens?", "fr": "Combien de temps gardons-nous vos données",
               "de": "Wie lange bewahren wir Ihre Daten auf?"}[lang]
    return markdown_or_html.split(heading, 1)[1][:900]


def test_every_built_privacy_page_states_both_periods_of_its_own_config(built_sites, municipalities):
    for slug, m in municipalities.items():
        if not m.forms:
            continue
        for lang, folder in page_folders(built_sites / slug, m).items():
            text = retention_text(" ".join(blocks((folder / "privacy" / "index.html").read_text(encoding="utf-8"))), lang)
            assert f"{m.retention_days} {DAYS[lang]} ({retention_span(m.retention_days, lang)})" in text, (slug, lang)
            assert f"{m.retention_max_days} {DAYS[lang]} ({retention_span(m.retention_max_days, lang)})" in text, (slug, lang)
            assert CLOSED[lang] in text, (slug, lang)


@pytest.mark.parametrize("slug, lang", [("opwijk", "nl"), ("sint-gillis", "fr"), ("eupen", "de")])
def test_the_privacy_page_takes_its_numbers_from_the_config(municipalities, slug, lang):
    m = dataclasses.replace(municipalities[slug], retention_days=45, retention_max_days=120)
    text = retention_text(privacy_markdown(m, lang), lang)
    assert f"45 {DAYS[lang]}" in text and f"120 {DAYS[lang]}" in text
    assert not re.search(rf"\b(30|90) {DAYS[lang]}", text)
    assert CLOSED[lang] in text


AUTHORITY_SITES = {"nl": "https://www.gegevensbeschermingsautoriteit.be", "fr": "https://www.autoriteprotectiondonnees.be",
                   "de": "https://www.datenschutzbehorde.be"}


def test_the_federal_authority_is_linked_in_the_pages_language(built_sites, municipalities):
    """Sint-Gillis (Brussels: fr, nl) and Eupen (de, fr) complain to the federal Data Protection
    Authority: its site in the language of the page."""
    seen = set()
    for slug in ("sint-gillis", "eupen"):
        m = municipalities[slug]
        assert region.supervisory_authority(m.region) is region.GBA
        for lang, folder in page_folders(built_sites / slug, m).items():
            html = (folder / "privacy" / "index.html").read_text(encoding="utf-8")
            assert f'href="{AUTHORITY_SITES[lang]}"' in html, (slug, lang)
            others = [site for other, site in AUTHORITY_SITES.items() if other != lang]
            assert not any(site in html for site in others), (slug, lang)
            seen.add(lang)
    assert seen == {"nl", "fr", "de"}
