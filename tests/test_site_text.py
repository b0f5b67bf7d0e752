"""Catalogue text that fits the site: the form sentence with its link only where the form is
offered, the apply button and the open-now line near the top of a service page, the language
switch with visible text, and a street name per language."""

from __future__ import annotations

import dataclasses
import re
from html import unescape
from pathlib import Path

from portal.checks.macros import check_macros
from portal.common.i18n import t
from portal.common.typography import french_de
from portal.municipal.config import load_municipality
from portal.site.render import contact_card_html, render_markdown

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = ('{% if has_form("support-application") %}\nVraag het aan met het '
            '{{ form_link("support-application", "online formulier") }}.\n{% else %}\n'
            "Je kunt ook bellen of mailen om een afspraak te maken.\n{% endif %}\n")


def render(municipality, text=SENTENCE, lang="nl"):
    return render_markdown(text, municipality, lang, ROOT, ROOT / "content" / lang / "x.md")


def test_the_form_sentence_links_to_the_form_where_the_site_offers_it():
    opwijk = load_municipality("opwijk", ROOT)
    assert "support-application" in opwijk.forms
    shown = render(opwijk)
    assert 'Vraag het aan met het <a href="/forms/opwijk/nl/support-application/">online formulier</a>.' in shown
    assert "bellen of mailen" not in shown


def test_without_the_form_the_page_says_something_else():
    opwijk = load_municipality("opwijk", ROOT)
    without = dataclasses.replace(opwijk, inboxes={}, _memo={})
    shown = render(without)
    assert "formulier" not in shown and "Je kunt ook bellen of mailen" in shown
    # form_link alone, outside a condition, is plain text: never a link to a form that is not there.
    assert render(without, '{{ form_link("support-application", "online formulier") }}') == "online formulier"


def test_a_wrong_form_id_in_the_condition_is_named_with_its_line():
    opwijk = load_municipality("opwijk", ROOT)
    findings = check_macros('\n\n{% if has_form("support-aplication") %}x{% endif %}\n', opwijk, "nl", ROOT, Path("x.md"))
    assert [(f.line, "unknown form 'support-aplication'" in f.message) for f in findings] == [(3, True)]


def test_service_pages_show_the_button_and_open_now_after_the_first_section(built_sites):
    page = (built_sites / "opwijk" / "leefloon" / "index.html").read_text(encoding="utf-8")
    first, second = [m.start() for m in re.finditer(r"<h2", page)][:2]
    button, status = page.index("portal-form-button"), page.index("portal-hours--now")
    assert first < button < second and first < status < second
    assert page.index("portal-contact") > second          # the full contact card stays at the end
    assert 'Vraag het aan met het <a href="/forms/opwijk/nl/support-application/">online formulier</a>' in page


def test_the_language_switch_shows_nl_and_fr_with_full_names(built_sites):
    page = (built_sites / "sint-gillis" / "nl" / "leefloon" / "index.html").read_text(encoding="utf-8")
    switch = page[page.index('class="md-header__option portal-lang"'):]
    switch = switch[:switch.index("</nav>")]
    links = re.findall(r'<a href="([^"]+)" hreflang="(\w+)"[^>]*>(.*?)</a>', switch)
    assert [(lang, re.sub(r"<[^>]+>", "|", text).strip("|")) for _, lang, text in links] == [
        ("fr", "FR||Français"), ("nl", "NL||Nederlands")]
    assert 'hreflang="nl" lang="nl" class="portal-lang__link" aria-current="true"' in switch
    assert '<span aria-hidden="true">FR</span><span class="portal-visually-hidden">Français</span>' in switch


def test_a_street_per_language(built_sites):
    nl = (built_sites / "sint-gillis" / "nl" / "leefloon" / "index.html").read_text(encoding="utf-8")
    fr = (built_sites / "sint-gillis" / "leefloon" / "index.html").read_text(encoding="utf-8")
    assert "Fernand Bernierstraat 40" in nl and "Rue Fernand Bernier 40" not in nl
    assert "Rue Fernand Bernier 40" in fr and "Bernierstraat" not in fr
    sint_gillis = load_municipality("sint-gillis", ROOT)
    address = sint_gillis.offices[0].address
    assert (address.street_in("nl"), address.street_in("fr")) == ("Fernand Bernierstraat 40", "Rue Fernand Bernier 40")


def test_french_pages_elide_de_before_a_municipality_with_a_vowel():
    """content/fr/index.md says "le site du CPAS de {{ municipality }}": Eupen's French page must
    read "d'Eupen", Saint-Gilles keeps "de"; line numbers of macro errors stay right."""
    text = "Bienvenue sur le site du CPAS de {{ municipality }}.\nDe {{ municipality }}, nous aidons."
    eupen = render(load_municipality("eupen", ROOT), text, "fr")
    assert eupen == "Bienvenue sur le site du CPAS d'Eupen.\nD'Eupen, nous aidons."
    gilles = render(load_municipality("sint-gillis", ROOT), text, "fr")
    assert gilles == "Bienvenue sur le site du CPAS de Saint-Gilles.\nDe Saint-Gilles, nous aidons."
    # Dutch has no elision: the same words are left alone.
    assert render(load_municipality("opwijk", ROOT), "de {{ municipality }}", "nl") == "de Opwijk"
    index = (ROOT / "content" / "fr" / "index.md").read_text(encoding="utf-8")
    assert "d'Eupen" in render(load_municipality("eupen", ROOT), index, "fr")


def test_french_de_and_the_messages_use_one_elision_rule():
    assert [french_de(n) for n in ("Opwijk", "Eupen", "Ixelles", "Écaussinnes", "Saint-Gilles", "Huy")] == [
        "d'Opwijk", "d'Eupen", "d'Ixelles", "d'Écaussinnes", "de Saint-Gilles", "de Huy"]
    assert t("mail.office_intro", "fr", site="Opwijk").endswith("en ligne d'Opwijk.")
    assert t("forms.logo_alt", "fr", municipality="Eupen") == "Logo d'Eupen"
    assert t("site.logo_alt", "fr", municipality="Saint-Gilles") == "Logo de Saint-Gilles"
    assert t("hours.range", "fr", start="8 h 30", end="12 h") == "de 8 h 30 à 12 h"


def test_the_contact_card_writes_each_label_s_colon_as_its_language_does():
    """French puts a no-break space before ":" ("Téléphone :", as the receipt); the card wrote
    "Téléphone:" and the built page's French spacing, which only fixes a space already there,
    left it so."""
    gillis = load_municipality("sint-gillis", ROOT)
    office = gillis.offices[0]
    french = unescape(str(contact_card_html(gillis, office, "fr")))
    assert "Téléphone\u00a0: <a" in french and "E-mail\u00a0: <a" in french
    assert "Heures d'ouverture\u00a0: " in french
    assert not re.search(r"\w:", re.sub(r"<[^>]*>|https?://|mailto:|tel:|\d:\d", "", french))
    dutch = str(contact_card_html(gillis, office, "nl"))
    assert "Telefoon: <a" in dutch and "E-mail: <a" in dutch
