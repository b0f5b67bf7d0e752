"""The texts of the forms say what the checks do: every example a hint or an error gives passes the
real validator, a date that does not exist is called that, and numbers are written the way each
language writes them."""

from __future__ import annotations

import dataclasses
import re
from html import unescape

import pytest

from portal.common.i18n import LANGUAGES, messages
from portal.intake import validators
from portal.intake.forms import NEUTRAL_POSTCODE, example_postcode, load_forms, site_definition, site_text
from portal.intake.receipt import _decisions
from tests.conftest import ROOT
from tests.test_forms_web import send, submit, summary_links, support_answers, wijk_answers

# A phone number as the texts write it: + or 0, then digits with spaces, dots, slashes or dashes.
PHONE_EXAMPLE_RE = re.compile(r"(?:\+|\b0)\d[\d ./-]*\d")


def phone_texts(municipalities):
    """(where, text) of every hint and error message of every phone field, in every language, as
    each example site shows its forms (a municipality's overrides included)."""
    definitions = [("forms/", None, d) for d in load_forms(ROOT).values()]
    definitions += [(f"{slug}:", m, site_definition(form_id, m, ROOT))
                    for slug, m in municipalities.items() for form_id in m.forms]
    for where, municipality, definition in definitions:
        for field in definition.fields:
            if field.format != "phone":
                continue
            texts = {"hint": field.hint or {}, **{f"errors.{rule}": text for rule, text in field.errors.items()}}
            for name, by_lang in texts.items():
                for lang in LANGUAGES:
                    text = by_lang.get(lang, "")
                    if municipality is not None:
                        text = site_text(by_lang, lang, municipality)
                    yield f"{where}{definition.id}.{field.name}.{name}.{lang}", text


def test_every_example_phone_number_in_the_forms_passes_the_phone_check(municipalities):
    examples = {}
    for where, text in phone_texts(municipalities):
        for number in PHONE_EXAMPLE_RE.findall(text):
            examples.setdefault(number, []).append(where)
    rejected = {number: places for number, places in examples.items() if validators.normalise_phone(number) is None}
    assert rejected == {}
    # Every form's hint and format error in every language gave examples to check.
    for form_id in ("support-application", "wijk-werken"):
        for lang in LANGUAGES:
            for part in ("hint", "errors.format"):
                where = f"forms/{form_id}.phone.{part}.{lang}"
                assert any(where in places for places in examples.values()), where


@pytest.mark.parametrize("number", ["+32 2 123 45 67", "02 123 45 67"])
def test_the_example_search_would_catch_the_old_examples(number):
    """The examples the texts gave before: the phone check refuses them, the search finds them."""
    assert PHONE_EXAMPLE_RE.findall(f"zoals 0470 12 34 56 of {number}")[-1] == number
    assert validators.normalise_phone(number) is None


# --- a date that does not exist -------------------------------------------------------------------

@pytest.mark.parametrize("value, impossible", [
    ("31/02/1980", True), ("29/02/2023", True), ("12/13/1985", True), ("00/05/1985", True), ("1980-02-30", True),
    ("29/02/2024", False), ("27/03/1985", False), ("27/03/2999", False), ("27-03", False), ("morgen", False),
])
def test_a_date_that_is_not_in_the_calendar_is_told_apart(value, impossible):
    assert validators.is_impossible_date(value) is impossible


NO_SUCH_DATE = {
    ("opwijk", "nl"): ("Die datum bestaat niet", "in het verleden"),
    ("sint-gillis", "fr"): ("Cette date n'existe pas", "passée"),
    ("eupen", "de"): ("Dieses Datum gibt es nicht", "in der Vergangenheit"),
}


@pytest.mark.parametrize("slug, lang", NO_SUCH_DATE)
def test_an_impossible_birth_date_gets_this_date_does_not_exist(client, slug, lang):
    url = f"/forms/{slug}/{lang}/support-application/"
    response = send(client, url, support_answers(birth_date="31/02/1980", national_number=""))
    html = unescape(response.get_data(as_text=True))
    says, not_this = NO_SUCH_DATE[(slug, lang)]
    assert response.status_code == 200 and 'name="check_answers"' not in html
    assert says in html
    assert not_this not in html
    assert 'value="31/02/1980"' in html          # what was typed stays, to correct
    # A date in the future still gets the format message.
    future = unescape(send(client, url, support_answers(birth_date="27/03/2999", national_number="")).get_data(as_text=True))
    assert not_this in future and says not in future


# Each mistake in a birth date gets its own message, in every language; only a date in the future
# keeps "a birth date in the past" (a reviewer got that message for all four of these).
BIRTH_DATE_MESSAGES = {
    ("opwijk", "nl"): {
        "1/2/85": "Schrijf het jaar met 4 cijfers, zoals 27/03/1985",
        "01/02/85": "Schrijf het jaar met 4 cijfers, zoals 27/03/1985",
        "27 maart 1985": "Schrijf de datum in cijfers: dag/maand/jaar, zoals 27/03/1985",
        "01/01/1899": "Kijk het jaar na. Een geboortedatum voor 1900 is niet mogelijk",
        "27/03/2999": "Vul een geboortedatum in het verleden in, zoals 27/03/1985",
    },
    ("sint-gillis", "fr"): {
        "1/2/85": "Écrivez l'année avec 4 chiffres, comme 27/03/1985",
        "27 mars 1985": "Écrivez la date en chiffres\u00a0: jour/mois/année, comme 27/03/1985",
        "01/01/1899": "Vérifiez l'année. Une date de naissance avant 1900 n'est pas possible",
        "27/03/2999": "Indiquez une date de naissance passée, comme 27/03/1985",
    },
    ("eupen", "de"): {
        "01/02/85": "Schreiben Sie das Jahr mit 4 Ziffern, zum Beispiel 27/03/1985",
        "27. März 1985": "Schreiben Sie das Datum in Ziffern: Tag/Monat/Jahr, zum Beispiel 27/03/1985",
        "01/01/1899": "Prüfen Sie das Jahr. Ein Geburtsdatum vor 1900 ist nicht möglich",
        "27/03/2999": "Geben Sie ein Geburtsdatum in der Vergangenheit an, zum Beispiel 27/03/1985",
    },
}


@pytest.mark.parametrize("slug, lang, typed, message", [
    (slug, lang, typed, message) for (slug, lang), cases in BIRTH_DATE_MESSAGES.items() for typed, message in cases.items()])
def test_each_mistake_in_a_birth_date_gets_its_own_message(client, slug, lang, typed, message):
    url = f"/forms/{slug}/{lang}/support-application/"
    html = send(client, url, support_answers(birth_date=typed, national_number="")).get_data(as_text=True)
    assert [(field, unescape(text)) for field, text in summary_links(html)] == [("birth_date", message)]


# The postcode error's example is the site's own postcode: "zoals 1745" (Opwijk's) on Sint-Gillis'
# forms sent people from 1060 looking for a mistake they had not made.
@pytest.mark.parametrize("url, example", [
    ("/forms/opwijk/nl/support-application/", "1745"),
    ("/forms/opwijk/nl/wijk-werken/", "1745"),
    ("/forms/sint-gillis/fr/support-application/", "1060"),
    ("/forms/sint-gillis/nl/support-application/", "1060"),
    ("/forms/eupen/de/support-application/", "4700"),
    ("/forms/antwerpen/nl/wijk-werken/", "2000"),
])
def test_the_postcode_error_gives_the_site_s_own_postcode_as_example(client, url, example):
    answers = wijk_answers(postcode="17450") if "wijk-werken" in url else support_answers(postcode="17450")
    html = send(client, url, answers).get_data(as_text=True)
    message = dict(summary_links(html))["postcode"]
    assert message.endswith(" " + example) and validators.is_postcode(example), message
    assert "{postcode}" not in message
    others = {"1745", "1060", "4700", "2300", "2000"} - {example}
    assert not any(code in message for code in others), message


def test_a_site_without_postcodes_gets_a_neutral_example(municipalities):
    site = dataclasses.replace(municipalities["sint-gillis"], postcodes=[])
    assert example_postcode(site) == NEUTRAL_POSTCODE and validators.is_postcode(NEUTRAL_POSTCODE)
    assert example_postcode(municipalities["sint-gillis"]) == "1060"


# --- wording ------------------------------------------------------------------------------------

def test_the_family_name_error_says_familienaam_like_its_label():
    for definition in load_forms(ROOT).values():
        field = definition.field("last_name")
        assert field.label["nl"] == "Familienaam"
        assert "familienaam" in field.errors["required"]["nl"], definition.id


@pytest.mark.parametrize("slug, lang, number", [("opwijk", "nl", "2.000"), ("sint-gillis", "fr", "2\u00a0000"), ("eupen", "de", "2.000")])
def test_the_length_error_writes_the_maximum_as_the_hint_does(client, slug, lang, number):
    url = f"/forms/{slug}/{lang}/support-application/"
    html = send(client, url, support_answers(message="x" * 2001)).get_data(as_text=True)
    hint = re.search(r'<div id="message-hint" class="portal-hint">(.*?)</div>', html, re.S).group(1)
    error = re.search(r'<p id="message-error" class="portal-error-message">(.*?)</p>', html, re.S).group(1)
    assert number in hint and number in error, (hint, error)
    assert "2000" not in hint + error


# Where a configured name ({office}, {social_house}: "CPAS de Saint-Gilles", "ÖSHZ Eupen",
# "Sociaal Huis De Wegwijzer") would need an article or a case ending it cannot have: right after
# a preposition or a verb that takes an object. French and German put it after a colon instead.
# German needs the article for a subject too ("Dann bearbeitet ÖSHZ Eupen Ihren Antrag",
# "ÖSHZ Eupen geht sorgfältig ..."), so there a name stands only after a colon, in brackets
# ("an uns (ÖSHZ Eupen)"), in quotes, or alone at the start as a heading ("ÖSHZ Eupen: Wie ...").
NAME = r"\{(?:office|social_house)\}"
NEEDS_AN_ARTICLE = {
    "fr": re.compile(r"(?:\bà|\bde|\bchez|\bpar|\bContactez|\bcontactez)(?:\s|\u00a0:\s)" + NAME),
    "de": re.compile(r"(?<=.)(?<!: )(?<!\()(?<!')" + NAME + "|^" + NAME + r"(?!:|$)", re.S),
}


def all_texts():
    """(where, lang, text) of every interface message, decision text and form text in fr and de."""
    for key, value in messages().items():
        for lang in ("fr", "de"):
            yield key, lang, value[lang]
    for form_id, rules in _decisions().items():
        for help_type, rule in rules.items():
            for part in ("period", "no_decision"):
                for lang in ("fr", "de"):
                    yield f"decisions.{form_id}.{help_type}.{part}", lang, rule[part][lang]
    for definition in load_forms(ROOT).values():
        texts = {"intro": definition.intro or {}, "next_steps": definition.next_steps}
        texts.update({f"{f.name}.hint": f.hint or {} for f in definition.fields})
        texts.update({f"{f.name}.label": f.label for f in definition.fields})
        texts.update({f"{f.name}.errors.{rule}": text for f in definition.fields for rule, text in f.errors.items()})
        for name, by_lang in texts.items():
            for lang in ("fr", "de"):
                yield f"forms/{definition.id}.{name}", lang, by_lang.get(lang, "")


def test_no_configured_name_stands_where_french_or_german_needs_an_article():
    wrong = [(where, lang, text) for where, lang, text in all_texts() if NEEDS_AN_ARTICLE[lang].search(text)]
    assert wrong == []


@pytest.mark.parametrize("text, lang", [
    ("Demandez alors à {office} si une décision a été prise.", "fr"),
    ("Votre demande ira à\u00a0: {office}.", "fr"),
    ("Fragen Sie dann bei {office}, ob", "de"),
    ("Zurück zur Website von {social_house}", "de"),
    ("Dann bearbeitet {social_house} Ihren Antrag und Sie müssen keine Adresse angeben.", "de"),
    ("Manchmal erhält {social_house} sie zuerst und leitet sie an dieses ÖSHZ weiter.", "de"),
    ("{social_house} geht sorgfältig mit Ihren Daten um.", "de"),
    ("Wie {social_house} Ihre Daten verwendet und schützt", "de"),
])
def test_the_article_check_catches_the_old_sentences(text, lang):
    assert NEEDS_AN_ARTICLE[lang].search(text)


@pytest.mark.parametrize("text", [
    "Zuständig für Ihren Antrag ist: {social_house}.", "wenden Sie sich an uns ({social_house}).",
    "{social_house}: Wie wir Ihre Daten verwenden", "{social_house}", "Öffnungszeiten: {office}",
])
def test_the_german_article_check_lets_a_name_after_a_colon_or_in_brackets_pass(text):
    assert not NEEDS_AN_ARTICLE["de"].search(text)


def test_the_wijk_werken_receipt_tells_one_sequence(client):
    stored = submit(client, "/forms/opwijk/nl/wijk-werken/", wijk_answers())
    html = client.get(stored.headers["Location"]).get_data(as_text=True)
    main = " ".join(unescape(re.sub(r"<[^>]+>", " ", re.search(r"<main.*?</main>", html, re.S).group(0))).split())
    assert "Voor een vraag over wijk-werken geldt geen wettelijke beslissingstermijn." in main
    assert "De wijk-werkorganisatie bekijkt je vraag. Ze neemt binnen tien werkdagen contact met je op." in main
    assert "Hoorde je na tien werkdagen nog niets? Neem dan contact op met Sociaal Huis De Wegwijzer" in main
    assert "twee weken" not in main
    assert "Sociaal Huis De Wegwijzer neemt contact met je op" not in main     # one who, one when


def test_the_receipt_says_how_the_decision_comes_in_plain_words(client):
    stored = submit(client, "/forms/opwijk/nl/support-application/", support_answers())
    html = unescape(client.get(stored.headers["Location"]).get_data(as_text=True))
    assert "tegen ontvangstbewijs" not in html
    assert "Je krijgt ze met een aangetekende brief. Of iemand geeft ze je en je tekent dat je ze kreeg." in html
