"""A shared catalogue page is per language, not per region: the `region` variable of the page
macros lets one page name the service of the site's own region (docs/authors.md)."""

from __future__ import annotations

import html as htmllib
import re

from portal.site.render import MACRO_NAMES, render_markdown
from tests.conftest import ROOT


def article(path) -> str:
    page = re.search(r"<article.*?</article>", path.read_text(encoding="utf-8"), re.S).group(0)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_eupens_french_job_page_names_the_employment_office_of_the_german_speaking_community(built_sites):
    text = article(built_sites / "eupen" / "fr" / "werk-zoeken" / "index.html")
    assert "Office de l'emploi de la Communauté germanophone" in text
    assert "Arbeitsamt der Deutschsprachigen Gemeinschaft (ADG)" in text
    assert "L'inscription comme demandeur d'emploi à l'ADG est gratuite aussi." in text
    for elsewhere in ("VDAB", "Actiris", "Forem"):
        assert elsewhere not in text, elsewhere
    # The German page of the same site says the same.
    assert "Arbeitsamt der Deutschsprachigen Gemeinschaft (ADG)" in article(built_sites / "eupen" / "werk-zoeken" / "index.html")


def test_a_brussels_site_keeps_the_three_regional_services(built_sites):
    text = article(built_sites / "sint-gillis" / "werk-zoeken" / "index.html")
    assert "Actiris à Bruxelles" in text and "ADG" not in text


def test_region_is_a_page_variable(municipalities):
    assert "region" in MACRO_NAMES
    source = ROOT / "content" / "fr" / "werk-zoeken.md"
    body = '{% if region == "german" %}ADG{% else %}ailleurs{% endif %}'
    assert render_markdown(body, municipalities["eupen"], "fr", ROOT, source) == "ADG"
    assert render_markdown(body, municipalities["sint-gillis"], "fr", ROOT, source) == "ailleurs"
