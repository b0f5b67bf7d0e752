"""The form backend through Flask's test client, on a copy of the example project and a real
SQLite file: pages, validation in both languages, conditional fields, CSRF, the check-your-answers
step, storing, the receipt as the legal acknowledgement and its print view, quick exit, and the
language parity of every form text."""

from __future__ import annotations

import datetime as dt
import re
import time
from html import unescape
from pathlib import Path

import itsdangerous.timed
import pytest

from tests.conftest import TEST_SECRET as SECRET

OPWIJK = "/forms/opwijk/nl/support-application/"
OPWIJK_WIJK = "/forms/opwijk/nl/wijk-werken/"
SINT_GILLIS_FR = "/forms/sint-gillis/fr/support-application/"
SINT_GILLIS_NL = "/forms/sint-gillis/nl/support-application/"


def support_answers(**overrides) -> dict:
    """A complete, valid support application; keyword arguments change or add answers."""
    answers = {
        "help_type": "leefloon", "first_name": "An", "last_name": "Peeters",
        "birth_date": "1985-07-30", "national_number": "85.07.30-033.28",
        "street": "Kerkstraat", "house_number": "5", "postcode": "1745", "city": "Opwijk",
        "phone": "0470 12 34 56", "email": "an.peeters@example.be",
        "contact_preference": "email", "message": "", "declaration": "y", "website": "",
    }
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}


# No fixed address: the box ticked and the address left empty, as the form asks.
NO_ADDRESS = {"no_fixed_address": "y", "street": "", "house_number": "", "postcode": "", "city": ""}


def wijk_answers(**overrides) -> dict:
    answers = {
        "request_type": "user", "requester_kind": "private", "organisation_name": "",
        "first_name": "Jan", "last_name": "Claes", "street": "Markt", "house_number": "1",
        "postcode": "1745", "city": "Opwijk", "phone": "052 36 19 23", "email": "",
        "job_description": "De haag snoeien in maart.", "message": "", "declaration": "y", "website": "",
    }
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}


def later(monkeypatch, *, seconds: float) -> None:
    """Move the clock of every signed value (CSRF tokens, receipt links, check pages) forward."""
    real = time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + seconds)


@pytest.fixture
def store(app):
    return app.extensions["portal_store"]


def token_of(html: str) -> str:
    """The page's CSRF token ("" when the app runs with CSRF off)."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return match.group(1) if match else ""


def send(client, url: str, answers: dict, *, csrf: bool = True):
    """GET the form (for its CSRF token and stamp), then POST the answers like a browser."""
    page = client.get(url).get_data(as_text=True)
    data = dict(answers)
    data.setdefault("step", "check")  # the form's button: answers are shown to check first
    if csrf:
        data.setdefault("csrf_token", token_of(page))
    started = re.search(r'name="form_started" value="([^"]+)"', page)
    if started:
        data.setdefault("form_started", started.group(1))
    return client.post(url, data=data)


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def is_check_page(response) -> bool:
    return response.status_code == 200 and 'name="check_answers"' in response.get_data(as_text=True)


def confirm(client, url: str, check_page, **extra):
    """Press a button of the check page like a browser: "send" (default) or `change=<field>`."""
    html = check_page.get_data(as_text=True)
    data = {"csrf_token": token_of(html), "form_started": hidden(html, "form_started"),
            "check_answers": hidden(html, "check_answers")}
    data.update(extra or {"send": "1"})
    return client.post(url, data=data)


def submit(client, url: str, answers: dict, **kwargs):
    """Send the form and, when its answers are valid, press "send" on the check page: the
    response of the last POST (303 to the receipt when stored)."""
    response = send(client, url, answers, **kwargs)
    if not is_check_page(response):
        return response
    return confirm(client, url, response)


def summary_links(html: str) -> list[tuple[str, str]]:
    summary = html.split('class="portal-error-summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'<a href="#([\w-]+)">(.*?)</a>', summary)


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


# --- pages and 404s ---------------------------------------------------------------------------

def test_form_page_is_branded_labelled_and_not_cached(client):
    response = client.get(OPWIJK)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert '<html lang="nl">' in html
    assert title(html) == "Hulp aanvragen – Sociaal Huis De Wegwijzer"
    assert 'href="/forms/_brand/opwijk/brand.css"' in html and 'src="/forms/_brand/opwijk/logo"' in html
    assert 'href="https://opwijk.example/"' in html            # back to the published site
    assert "<script>" not in html and "style=" not in html      # nothing inline: CSP-friendly
    assert 'autocomplete="given-name"' in html and 'autocomplete="postal-code"' in html
    # Every input has a label, every radio group a fieldset with a legend.
    for input_id in re.findall(r'<(?:input|textarea|select)[^>]*\bid="([\w-]+)"', html):
        assert f'for="{input_id}"' in html, input_id
    assert re.search(r"<fieldset[^>]*>\s*<legend[^>]*>Waarvoor heb je hulp nodig\?</legend>", html)
    assert "Taal" not in html                                   # one language: no switch


def test_bilingual_site_has_a_language_switch_to_the_same_form(client):
    html = client.get(SINT_GILLIS_FR).get_data(as_text=True)
    assert '<html lang="fr">' in html and "Demander de l&#39;aide" in html
    assert f'href="{SINT_GILLIS_NL}" hreflang="nl" lang="nl">Nederlands</a>' in html
    assert 'href="/sint-gillis/"' in html                       # no site_url: the served site, default language
    nl = client.get(SINT_GILLIS_NL).get_data(as_text=True)
    assert 'href="/sint-gillis/nl/"' in nl and "Hulp aanvragen" in nl


def hreflang_links(html: str) -> dict:
    return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', html))


def test_the_form_names_itself_in_every_language_for_search_engines_fully_qualified(client):
    """hreflang: every language including its own and x-default (the default language), absolute
    (Lighthouse's hreflang audit fails relative ones): here on the host that answered."""
    expected = {"fr": "http://localhost" + SINT_GILLIS_FR, "nl": "http://localhost" + SINT_GILLIS_NL,
                "x-default": "http://localhost" + SINT_GILLIS_FR}
    for url in (SINT_GILLIS_FR, SINT_GILLIS_NL):
        assert hreflang_links(client.get(url).get_data(as_text=True)) == expected
    assert hreflang_links(client.get(OPWIJK).get_data(as_text=True)) == {}      # one language


def test_with_a_site_url_the_forms_hreflang_links_name_the_published_host(scratch_project, make_app):
    config = scratch_project / "site_config" / "sint-gillis.yml"
    config.write_text(config.read_text(encoding="utf-8") + "site_url: https://www.saint-gilles.example/\n", encoding="utf-8")
    html = make_app().test_client().get(SINT_GILLIS_NL).get_data(as_text=True)
    assert hreflang_links(html) == {"fr": "https://www.saint-gilles.example" + SINT_GILLIS_FR,
                                    "nl": "https://www.saint-gilles.example" + SINT_GILLIS_NL,
                                    "x-default": "https://www.saint-gilles.example" + SINT_GILLIS_FR}
    assert f'href="{SINT_GILLIS_FR}" hreflang="fr" lang="fr">Français</a>' in html   # the switch stays on this host


@pytest.mark.parametrize("url, lang, heading", [
    ("/forms/nowhere/nl/support-application/", "nl", "Pagina niet gevonden"),
    ("/forms/opwijk/fr/support-application/", "nl", "Pagina niet gevonden"),    # opwijk has no French site
    ("/forms/opwijk/nl/no-such-form/", "nl", "Pagina niet gevonden"),
    ("/forms/sint-gillis/fr/wijk-werken/", "fr", "Page introuvable"),           # not in its inboxes
    ("/forms/sint-gillis/nl/wijk-werken/", "nl", "Pagina niet gevonden"),
    ("/forms/opwijk/nl/support-application/extra/", "nl", "Pagina niet gevonden"),
])
def test_unknown_site_language_or_form_is_a_404_in_the_sites_language(client, url, lang, heading):
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert f'<html lang="{lang}">' in html and heading in html
    assert "Traceback" not in html


def test_unknown_site_404_speaks_both_languages(client):
    html = client.get("/forms/nowhere/nl/support-application/").get_data(as_text=True)
    assert "Pagina niet gevonden" in html and '<div lang="fr">' in html and "Page introuvable" in html


def test_logo_and_colours_are_served_for_the_site(client):
    with client.get("/forms/_brand/opwijk/logo") as logo:      # files: close the response
        assert logo.status_code == 200 and logo.mimetype == "image/svg+xml" and b"<svg" in logo.data
    css = client.get("/forms/_brand/opwijk/brand.css").get_data(as_text=True)
    assert "--md-primary-fg-color: #00594f;" in css
    assert client.get("/forms/_brand/nowhere/logo").status_code == 404
    with client.get("/forms/_static/forms.css") as stylesheet:
        assert stylesheet.status_code == 200


# --- validation -------------------------------------------------------------------------------

def test_empty_form_in_dutch_lists_every_required_field(client, store):
    response = send(client, OPWIJK, {})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert title(html).startswith("Fout: Hulp aanvragen")
    assert 'role="alert"' in html and 'tabindex="-1"' in html and "Er is een probleem" in html
    links = dict(summary_links(html))
    assert links["help_type"] == "Kies waarvoor je hulp nodig hebt"
    assert links["first_name"] == "Vul je voornaam in"
    assert links["phone"] == "Vul een telefoonnummer of een e-mailadres in"
    assert set(links) == {"help_type", "first_name", "last_name", "birth_date", "street", "house_number",
                          "postcode", "city", "phone", "contact_preference", "declaration"}
    for field_id in links:                                       # each link has its target
        assert f'id="{field_id}"' in html
    # The message sits next to the field, which points at it.
    assert re.search(r'id="first_name"[^>]*aria-describedby="first_name-error"', html, re.S)
    assert '<p id="first_name-error" class="portal-error-message">' in html
    assert store.count_submissions() == 0


def test_empty_form_in_french(client):
    html = send(client, SINT_GILLIS_FR, {}).get_data(as_text=True)
    assert title(html).startswith("Erreur\u00a0: Demander de l&#39;aide")
    assert "Il y a un problème" in html
    links = dict(summary_links(html))
    assert links["first_name"] == "Indiquez votre prénom"
    assert links["declaration"] == "Cochez pour confirmer que vos réponses sont exactes et complètes"


def test_answers_are_kept_when_something_is_wrong(client):
    html = send(client, OPWIJK, support_answers(postcode="17450", message="Ik <b>bel</b> liever\r\nna 17 uur")).get_data(as_text=True)
    assert dict(summary_links(html)) == {"postcode": "Vul een Belgische postcode van 4 cijfers in, zoals 1745"}
    assert 'value="An"' in html and 'value="17450"' in html and 'value="1985-07-30"' in html
    assert re.search(r'id="help_type" name="help_type" value="leefloon" checked', html)
    assert re.search(r'id="declaration" name="declaration" value="y" checked', html)
    assert "Ik &lt;b&gt;bel&lt;/b&gt; liever\nna 17 uur</textarea>" in html


@pytest.mark.parametrize("changes, field, message", [
    ({"birth_date": "2999-01-01"}, "birth_date", "Vul een geboortedatum in het verleden in, zoals 27/03/1985"),
    ({"birth_date": "1985-02-30"}, "birth_date", "Die datum bestaat niet. Kijk de dag en de maand na, zoals 27/03/1985"),
    ({"national_number": "85.07.30-033.29"}, "national_number", "Het rijksregisternummer klopt niet. Controleer de 11 cijfers op je identiteitskaart"),
    ({"birth_date": "1985-07-31"}, "national_number", "Het rijksregisternummer past niet bij je geboortedatum"),
    ({"email": "an@", "contact_preference": "phone"}, "email", "Vul een e-mailadres in zoals naam@voorbeeld.be"),
    ({"phone": "12345"}, "phone", "Vul een telefoonnummer in zoals 0470 12 34 56 of +32 2 486 12 34"),
    ({"message": "x" * 2001}, "message", "Gebruik maximaal 2.000 tekens"),
    ({"last_name": "Peeters\r\nBcc: everyone@example.be"}, "last_name", "Gebruik alleen gewone tekst, zonder regeleinden of de tekens =?"),
    ({"first_name": "=?utf-8?b?QW4=?="}, "first_name", "Gebruik alleen gewone tekst, zonder regeleinden of de tekens =?"),
    ({"help_type": "everything"}, "help_type", "Kies een van de mogelijkheden"),
    ({"contact_preference": "pigeon"}, "contact_preference", "Kies een van de mogelijkheden"),
    ({"declaration": None}, "declaration", "Vink aan dat je antwoorden juist en volledig zijn"),
])
def test_each_invalid_answer_gets_its_message_and_nothing_is_stored(client, store, changes, field, message):
    response = send(client, OPWIJK, support_answers(**changes))
    assert response.status_code == 200
    assert summary_links(response.get_data(as_text=True)) == [(field, message)]
    assert store.count_submissions() == 0


def test_a_message_of_exactly_2000_characters_with_line_breaks_is_accepted(client):
    # A line break counts once, although the browser sends it as CR LF.
    message = ("a" * 99 + "\r\n") * 20
    assert len(message.replace("\r\n", "\n")) == 2000
    assert submit(client, OPWIJK, support_answers(message=message)).status_code == 303


# --- conditional fields -----------------------------------------------------------------------

def test_no_fixed_address_makes_the_address_optional(client):
    empty_address = {"street": "", "house_number": "", "postcode": "", "city": ""}
    html = send(client, OPWIJK, support_answers(**empty_address)).get_data(as_text=True)
    assert [f for f, _ in summary_links(html)] == ["street", "house_number", "postcode", "city"]
    response = submit(client, OPWIJK, support_answers(no_fixed_address="y", **empty_address))
    assert response.status_code == 303


NO_FIXED_ADDRESS_ERROR = ("no_fixed_address", "Je hebt aangevinkt dat je geen vaste verblijfplaats hebt. "
                          "Laat het adres dan leeg, of vink het vakje uit")
NO_LETTER_ERROR = ("contact_preference", "We kunnen je geen brief sturen zonder adres. Kies telefonisch of per e-mail")


@pytest.mark.parametrize("address", [
    {},                                                   # the full address of support_answers
    {"street": "", "house_number": "", "postcode": "", "city": "Opwijk"},   # a part of it
])
def test_no_fixed_address_with_an_address_is_an_error_that_keeps_what_was_typed(client, store, address):
    html = send(client, OPWIJK, support_answers(no_fixed_address="y", **address)).get_data(as_text=True)
    assert summary_links(html) == [NO_FIXED_ADDRESS_ERROR]
    assert 'name="check_answers"' not in html                     # no check page, no routing sentence
    assert re.search(r'<input[^>]*id="no_fixed_address"[^>]*value="y" checked', html)
    assert 'value="Opwijk"' in html
    if not address:
        assert 'value="Kerkstraat"' in html and 'value="5"' in html and 'value="1745"' in html
    # A script posting the fields directly (no check page) is refused the same way.
    page = client.get(OPWIJK).get_data(as_text=True)
    direct = client.post(OPWIJK, data={**support_answers(no_fixed_address="y", **address), "csrf_token": token_of(page),
                                       "form_started": hidden(page, "form_started")})
    assert direct.status_code == 200 and summary_links(direct.get_data(as_text=True)) == [NO_FIXED_ADDRESS_ERROR]
    assert store.count_submissions() == 0


def test_no_fixed_address_and_a_letter_is_an_error_on_the_contact_way(client, store):
    html = send(client, OPWIJK, support_answers(contact_preference="letter", **NO_ADDRESS)).get_data(as_text=True)
    assert summary_links(html) == [NO_LETTER_ERROR]
    assert re.search(r'<input[^>]*id="contact_preference-letter"[^>]*value="letter" checked', html)
    # Both contradictions at once: both named, in page order.
    both = send(client, OPWIJK, support_answers(no_fixed_address="y", contact_preference="letter")).get_data(as_text=True)
    assert summary_links(both) == [NO_FIXED_ADDRESS_ERROR, NO_LETTER_ERROR]
    # A letter with an address is fine, and so is no address with a phone call.
    assert submit(client, OPWIJK, support_answers(contact_preference="letter")).status_code == 303
    assert submit(client, OPWIJK, support_answers(contact_preference="phone", **NO_ADDRESS)).status_code == 303
    assert store.count_submissions() == 2


@pytest.mark.parametrize("url, letter, address", [
    (SINT_GILLIS_FR, "Nous ne pouvons pas vous envoyer de lettre sans adresse. Choisissez par téléphone ou par e-mail",
     "Vous avez coché que vous n&#39;avez pas de résidence fixe. Laissez alors l&#39;adresse vide, ou décochez la case"),
    ("/forms/eupen/de/support-application/",
     "Ohne Adresse können wir Ihnen keinen Brief schicken. Wählen Sie per Telefon oder per E-Mail",
     "Sie haben angekreuzt, dass Sie keinen festen Wohnsitz haben. Lassen Sie dann die Adresse leer, oder entfernen Sie das Kreuz"),
])
def test_the_no_address_errors_in_french_and_german(client, url, letter, address):
    html = send(client, url, support_answers(no_fixed_address="y", contact_preference="letter")).get_data(as_text=True)
    assert [message for _, message in summary_links(html)] == [address, letter]


def test_phone_or_email_at_least_one(client):
    html = send(client, OPWIJK, support_answers(phone="", email="", contact_preference="letter")).get_data(as_text=True)
    assert summary_links(html) == [("phone", "Vul een telefoonnummer of een e-mailadres in")]
    assert submit(client, OPWIJK, support_answers(phone="", contact_preference="email")).status_code == 303
    assert submit(client, OPWIJK, support_answers(email="", contact_preference="phone")).status_code == 303


def test_the_chosen_contact_way_must_be_filled_in(client):
    html = send(client, OPWIJK, support_answers(email="", contact_preference="email")).get_data(as_text=True)
    assert [f for f, _ in summary_links(html)] == ["email"]


def test_organisation_name_is_required_unless_private(client, store):
    html = send(client, OPWIJK_WIJK, wijk_answers(requester_kind="school")).get_data(as_text=True)
    assert summary_links(html) == [("organisation_name", "Vul de naam van de school, het bestuur, de vereniging of het bedrijf in")]
    assert submit(client, OPWIJK_WIJK, wijk_answers(requester_kind="school", organisation_name="GO! Atheneum")).status_code == 303
    assert submit(client, OPWIJK_WIJK, wijk_answers(requester_kind="private")).status_code == 303
    assert store.count_submissions() == 2


def test_job_description_is_required_for_users_only(client):
    html = send(client, OPWIJK_WIJK, wijk_answers(job_description="")).get_data(as_text=True)
    assert summary_links(html) == [("job_description", "Beschrijf de klus die moet gebeuren")]
    worker = wijk_answers(request_type="worker", requester_kind="", job_description="")
    assert submit(client, OPWIJK_WIJK, worker).status_code == 303


# The job's questions of a wijk-werker: typed anyway (no JavaScript to hide them), never kept.
WORKER_WITH_JOB = wijk_answers(request_type="worker", requester_kind="school", organisation_name="GO! Atheneum",
                               job_description="Geheime klus: " + "x" * 2100)   # too long, yet no error


def test_the_jobs_questions_of_a_wijk_werker_are_dropped_before_the_check_page_and_storing(client, store):
    check = send(client, OPWIJK_WIJK, WORKER_WITH_JOB)
    html = check.get_data(as_text=True)
    assert is_check_page(check), summary_links(html)
    assert "Geheime klus" not in html and "GO! Atheneum" not in html
    assert "Welke klus" not in html and "Voor wie is de klus" not in html and "Naam van de organisatie" not in html
    # Nor in the signed answers the send button carries.
    from portal.web.answers import serializer
    with client.application.test_request_context():
        signed = serializer().loads(hidden(html, "check_answers"))["answers"]
    assert not {"requester_kind", "organisation_name", "job_description"} & set(signed)
    response = confirm(client, OPWIJK_WIJK, check)
    assert response.status_code == 303
    reference = re.search(r'class="portal-reference">([A-Z0-9-]+)<', client.get(response.headers["Location"]).get_data(as_text=True)).group(1)
    answers = store.get_submission(reference).answers
    assert (answers["requester_kind"], answers["organisation_name"], answers["job_description"]) == ("", "", "")
    assert answers["request_type"] == "worker" and answers["first_name"] == "Jan"


def test_a_posted_wijk_werker_application_drops_the_jobs_answers_too(client, store):
    page = client.get(OPWIJK_WIJK).get_data(as_text=True)
    response = client.post(OPWIJK_WIJK, data={**WORKER_WITH_JOB, "csrf_token": token_of(page),
                                              "form_started": hidden(page, "form_started")})
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    answers = store.get_submission(re.search(r'class="portal-reference">([A-Z0-9-]+)<', html).group(1)).answers
    assert not any("Geheime" in str(value) or "Atheneum" in str(value) for value in answers.values())


def test_an_organisation_name_for_a_private_job_is_dropped(client, store):
    check = send(client, OPWIJK_WIJK, wijk_answers(requester_kind="private", organisation_name="Mijn Firma"))
    html = check.get_data(as_text=True)
    assert is_check_page(check) and "Mijn Firma" not in html and "Naam van de organisatie" not in html
    assert "Welke klus moet er gebeuren" in html and "De haag snoeien in maart." in html
    assert confirm(client, OPWIJK_WIJK, check).status_code == 303


def test_the_jobs_questions_say_for_which_choice_they_are_and_carry_it_for_the_script(client):
    html = client.get(OPWIJK_WIJK).get_data(as_text=True)
    assert "Wil je zelf wijk-werker worden? Sla dan de 3 vragen over de klus hieronder over." in html
    for name, value in (("requester_kind", "request_type\" data-portal-applies-value=\"user"),
                        ("organisation_name", "requester_kind\" data-portal-applies-value=\"school local_government nonprofit agriculture"),
                        ("job_description", "request_type\" data-portal-applies-value=\"user")):
        assert re.search(rf'data-portal-applies-field="{value}">\s*(<fieldset[^>]*>\s*<legend[^>]*>[^<]*</legend>\s*)?'
                         rf'(<label[^>]*for="{name}"|<div id="{name}-hint")', html), name
    # The three follow the choice, in page order: nothing about the worker in between.
    order = [html.index(f'id="{name}"') for name in ("request_type", "requester_kind", "organisation_name", "job_description", "first_name")]
    assert order == sorted(order)


def test_a_client_posting_the_documented_fields_directly_is_stored_at_once(client, store):
    # DESIGN.md: a valid POST of the form's fields is stored and answered with a 303; the check
    # page is what the form's own button asks for.
    page = client.get(OPWIJK).get_data(as_text=True)
    data = {**support_answers(), "csrf_token": token_of(page), "form_started": hidden(page, "form_started")}
    response = client.post(OPWIJK, data=data)
    assert response.status_code == 303 and "/received/" in response.headers["Location"]
    assert store.count_submissions() == 1


# --- CSRF -------------------------------------------------------------------------------------

def test_missing_csrf_token_keeps_the_answers_with_a_clear_message(client, store):
    response = send(client, OPWIJK, support_answers(first_name="Ann-Sofie"), csrf=False)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Je sessie is verlopen" in html and title(html).startswith("Fout: ")
    assert 'value="Ann-Sofie"' in html and "Traceback" not in html
    assert store.count_submissions() == 0
    # The page carries a fresh token: sending it again works.
    again = client.post(OPWIJK, data={**support_answers(), "csrf_token": token_of(html), "step": "check"})
    assert is_check_page(again)


def test_wrong_csrf_token_in_french(client, store):
    response = send(client, SINT_GILLIS_FR, {**support_answers(postcode="1060"), "csrf_token": "forged"})
    assert response.status_code == 400
    assert "Votre session a expiré" in response.get_data(as_text=True)
    assert store.count_submissions() == 0


def test_expired_csrf_token_keeps_the_answers(make_app, monkeypatch):
    app = make_app(WTF_CSRF_TIME_LIMIT=1)
    client = app.test_client()
    token = token_of(client.get(OPWIJK).get_data(as_text=True))
    later(monkeypatch, seconds=2.1)
    response = client.post(OPWIJK, data={**support_answers(last_name="Van Damme"), "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Je sessie is verlopen" in html and 'value="Van Damme"' in html
    assert app.extensions["portal_store"].count_submissions() == 0


# --- storing and the receipt ------------------------------------------------------------------

def test_valid_application_is_stored_then_303_to_the_receipt(client, store):
    response = submit(client, OPWIJK, support_answers())
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/forms/opwijk/nl/support-application/received/")
    assert "Peeters" not in location and "an.peeters" not in location   # no personal data in the URL
    receipt = client.get(location)
    html = receipt.get_data(as_text=True)
    assert receipt.status_code == 200 and receipt.headers["Cache-Control"] == "no-store"
    reference = re.search(r'class="portal-reference">([A-Z0-9-]+)<', html).group(1)
    assert re.fullmatch(r"OPW-\d{4}-[A-Z0-9]{5}", reference)
    stored = store.get_submission(reference)
    assert stored is not None and stored.answers["last_name"] == "Peeters"
    assert stored.answers["birth_date"] == "1985-07-30" and "website" not in stored.answers
    assert "Aanvraag ontvangen" in html and "Ontvangen op" in html and "Wat gebeurt er nu?" in html
    assert "Kloosterstraat 10" in html                                   # the competent office
    assert "Peeters" not in html                                         # no answers on the receipt


def test_a_resident_of_another_municipality_sees_that_office_on_the_receipt(client, store):
    response = submit(client, OPWIJK, support_answers(postcode="2000", city="Antwerpen"))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "OCMW Antwerpen" in html
    reference = re.search(r'class="portal-reference">([A-Z0-9-]+)<', html).group(1)
    assert store.get_submission(reference).competent_slug == "antwerpen"


def route_of(html: str) -> str:
    """The check page's sentence on which OCMW will receive the answers."""
    return re.search(r'<p class="portal-inset" data-portal-route>(.*?)</p>', html, re.S).group(1)


@pytest.mark.parametrize("url, answers, sentence", [
    (OPWIJK, support_answers(postcode="2000", city="Antwerpen"),
     "Je postcode is 2000. Je aanvraag gaat daarom naar OCMW Antwerpen."),
    (OPWIJK, support_answers(), "Je postcode is 1745. Je aanvraag gaat daarom naar Sociaal Huis De Wegwijzer."),
    (OPWIJK, support_answers(**NO_ADDRESS),
     "Je hebt geen vaste verblijfplaats. Je aanvraag gaat daarom naar Sociaal Huis De Wegwijzer."),
    (OPWIJK, support_answers(postcode="8000", city="Brugge"),
     "Postcode 8000 hoort bij OCMW Brugge: dat OCMW beslist over je aanvraag. Sociaal Huis De Wegwijzer stuurt ze binnen 5 kalenderdagen door."),
    (OPWIJK, support_answers(postcode="9999", city="Nergens"),               # no such postcode: a typing error?
     "We kennen postcode 9999 niet. Kijk hem na en pas hem aan als hij niet klopt. Klopt hij wel? Dan gaat je "
     "aanvraag eerst naar Sociaal Huis De Wegwijzer."),
    (SINT_GILLIS_FR, support_answers(postcode="2000", city="Anvers"),
     "Votre code postal est 2000. Votre demande ira donc à l&#39;organisme suivant\u00a0: OCMW Antwerpen."),
])
def test_the_check_page_names_the_ocmw_that_will_receive_it(client, store, url, answers, sentence):
    html = send(client, url, answers).get_data(as_text=True)
    assert sentence in route_of(html)
    # The same rule stores it: the receipt names the same OCMW.
    stored = confirm(client, url, send(client, url, answers))
    receipt = client.get(stored.headers["Location"]).get_data(as_text=True)
    office = "OCMW Antwerpen" if "Antwerpen" in sentence else "Sociaal Huis De Wegwijzer"
    assert office in receipt


def test_the_birth_date_is_a_text_input_with_the_belgian_format_and_stored_as_iso(client, store):
    html = client.get(OPWIJK).get_data(as_text=True)
    tag = re.search(r'<input[^>]*id="birth_date"[^>]*>', html).group(0)
    assert 'type="text"' in tag and 'inputmode="numeric"' in tag and 'autocomplete="bday"' in tag
    assert "Bijvoorbeeld 27/03/1985" in html
    for typed in ("27/03/1985", "27031985", "1985-03-27"):
        check_page = send(client, OPWIJK, support_answers(birth_date=typed, national_number=""))
        assert "27 maart 1985" in check_page.get_data(as_text=True), typed
    response = confirm(client, OPWIJK, check_page)
    reference = re.search(r"received/([^/?]+)", response.headers["Location"])
    assert reference and store.count_submissions() == 1
    stored = store.get_submission(re.search(r'class="portal-reference">([A-Z0-9-]+)<', client.get(
        response.headers["Location"]).get_data(as_text=True)).group(1))
    assert stored.answers["birth_date"] == "1985-03-27"


def test_a_checkbox_hint_follows_its_label_and_describes_the_box(client):
    html = client.get(OPWIJK).get_data(as_text=True)
    box = html.index('id="no_fixed_address"')
    label = html.index('<label class="portal-checkbox__label" for="no_fixed_address">')
    hint = html.index('id="no_fixed_address-hint"')
    assert box < label < hint
    assert re.search(r'<input[^>]*id="no_fixed_address"[^>]*aria-describedby="no_fixed_address-hint"', html)


def receipt_and_confirmation(client, store, url, answers) -> tuple[str, str]:
    """The receipt page's text and the confirmation e-mail's plain text of one submission."""
    import email
    import email.policy

    response = submit(client, url, answers)
    page = unescape(re.sub(r"\s+", " ", client.get(response.headers["Location"]).get_data(as_text=True)))
    rows = [r for r in store.claim_outbox(lease_seconds=60) if r.kind == "confirmation"]
    mail = email.message_from_bytes(rows[-1].raw, policy=email.policy.default).get_body(("plain",)).get_content()
    return page, re.sub(r"\s+", " ", mail)


@pytest.mark.parametrize("url, answers, same, never", [
    (OPWIJK, support_answers(help_type="leefloon"),
     ["binnen vijf werkdagen contact met je op", "wet van 26 mei 2002", "uiterlijk op"], ["organieke wet"]),
    (OPWIJK, support_answers(help_type="financial", national_number=""),
     ["binnen vijf werkdagen contact met je op", "organieke wet van 8 juli 1976"], ["leefloon", "26 mei 2002"]),
    (OPWIJK_WIJK, wijk_answers(email="jan@mail.example"),
     ["binnen tien werkdagen contact met je op", "geen wettelijke beslissingstermijn"], ["vijf werkdagen"]),
])
def test_the_receipt_and_the_confirmation_promise_the_same_per_help_type(client, store, url, answers, same, never):
    page, mail = receipt_and_confirmation(client, store, url, answers)
    for text in same:
        assert text in page and text in mail, text
    for text in never:
        assert text not in page and text not in mail, text


def test_every_routing_reason_has_a_sentence_for_the_citizen():
    from portal.common.i18n import messages

    reasons = {k.removeprefix("routing.") for k in messages() if k.startswith("routing.")} - {"forward_notice"}
    assert {k.removeprefix("forms.route.") for k in messages() if k.startswith("forms.route.")} == reasons


def test_the_form_asks_a_declaration_not_a_consent(client):
    html = client.get(OPWIJK).get_data(as_text=True)
    assert 'name="declaration"' in html and 'name="consent"' not in html
    assert "Ik verklaar dat mijn antwoorden juist en volledig zijn" in html


def test_posting_the_old_consent_name_still_works(client, store):
    """DESIGN.md: scripts may still send `consent` instead of `declaration` for one release; a
    script posts the fields at once (no check page) and the answer is stored as the declaration."""
    answers = {k: v for k, v in support_answers().items() if k != "declaration"} | {"consent": "y"}
    page = client.get(OPWIJK).get_data(as_text=True)
    data = answers | {"csrf_token": token_of(page), "form_started": hidden(page, "form_started")}
    response = client.post(OPWIJK, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    reference = re.search(r"OPW-\d{4}-[A-Z0-9]{5}", receipt).group(0)
    assert store.get_submission(reference).answers["declaration"] is True
    assert "consent" not in store.get_submission(reference).answers


def test_without_declaration_nor_consent_the_form_asks_for_it(client):
    answers = {k: v for k, v in support_answers().items() if k != "declaration"}
    html = submit(client, OPWIJK, answers).get_data(as_text=True)
    assert dict(summary_links(html)) == {"declaration": "Vink aan dat je antwoorden juist en volledig zijn"}


@pytest.mark.parametrize("url, privacy, receiver", [
    # Who gets the answers, as routing.py sends them: the competent OCMW, sometimes by way of the
    # site's own (outside the configured areas); wijk-werken goes to a wijk-werken service.
    (OPWIJK, "https://opwijk.example/privacy/#form-support-application",
     "Soms krijgt Sociaal Huis De Wegwijzer ze eerst en geeft het ze door aan dat OCMW."),
    (OPWIJK_WIJK, "https://opwijk.example/privacy/#form-wijk-werken", "naar de dienst wijk-werken van je gemeente"),
    (SINT_GILLIS_FR, "/sint-gillis/privacy/#form-support-application",
     "Parfois, le CPAS de Saint-Gilles les reçoit d'abord et les transmet à ce CPAS."),
    (SINT_GILLIS_NL, "/sint-gillis/nl/privacy/#form-support-application", "Soms krijgt OCMW Sint-Gillis ze eerst"),
])
def test_the_form_says_what_happens_with_the_data_and_links_the_privacy_page(client, url, privacy, receiver):
    html = client.get(url).get_data(as_text=True)
    notice = html[html.index("data-portal-privacy"):]
    assert f'href="{privacy}"' in notice[:1000]
    assert receiver in unescape(notice[:1000]) and "Alleen" not in notice[:1000]
    assert 'target="_blank"' not in notice[:1000]              # the same tab
    assert html.index("data-portal-privacy") < html.index('name="step"')     # above the button


def test_the_check_page_has_the_privacy_notice_above_the_send_button(client):
    html = send(client, OPWIJK, support_answers()).get_data(as_text=True)
    assert "Wat gebeurt er met je gegevens?" in html
    assert html.index("data-portal-privacy") < html.index("data-portal-send")
    assert 'href="https://opwijk.example/privacy/#form-support-application"' in html


@pytest.mark.parametrize("url, links", [
    (OPWIJK, ["https://opwijk.example/privacy/", "https://opwijk.example/accessibility/",
              "https://opwijk.example/privacy/#cookies", "https://opwijk.example/#contact"]),
    (SINT_GILLIS_NL, ["/sint-gillis/nl/privacy/", "/sint-gillis/nl/accessibility/",
                      "/sint-gillis/nl/privacy/#cookies", "/sint-gillis/nl/#contact"]),
])
def test_every_form_page_has_the_footer_links_in_its_language(client, url, links):
    html = client.get(url).get_data(as_text=True)
    footer = html[html.index('class="portal-footer__links"'):]
    assert re.findall(r'<a href="([^"]+)">', footer)[:4] == links


def test_no_form_field_asks_for_consent_to_use_the_data():
    """GDPR recital 43: no consent where a public authority processes data by law. A form text
    that asks to agree ("akkoord", "j'accepte", "d'accord", "toestemming") near data fails."""
    from portal.common.settings import project_root

    agree = re.compile(r"akkoord|j'accepte|j’accepte|d'accord|d’accord|toestemming|consens|consent", re.I)
    data = re.compile(r"gegevens|données|data", re.I)
    for path in sorted((project_root() / "forms").glob("*.yml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("#"):
                continue
            assert not (agree.search(line) and data.search(line)), f"{path.name}:{number}: {line.strip()}"
            assert "name: consent" not in line, f"{path.name}:{number}"


def test_unserved_postcode_receipt_says_it_will_be_passed_on(client):
    response = submit(client, OPWIJK, support_answers(postcode="8000", city="Brugge"))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Daarom beslist een ander OCMW over je aanvraag: OCMW Brugge." in html
    assert "stuurt je aanvraag binnen 5 kalenderdagen door naar dat OCMW" in html


def test_receipt_in_french_and_its_language_switch(client):
    response = submit(client, SINT_GILLIS_FR, support_answers(postcode="1060", city="Saint-Gilles"))
    location = response.headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert "Demande reçue" in html and "Votre numéro de référence" in html and "Reçue le" in html
    assert re.search(r"\d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4} à \d\d:\d\d", html)
    nl_url = location.replace("/fr/", "/nl/")
    assert f'href="{nl_url}" hreflang="nl" lang="nl">Nederlands</a>' in html
    assert "Aanvraag ontvangen" in client.get(nl_url).get_data(as_text=True)
    # Not for search engines (noindex): no hreflang link names another address of the receipt.
    assert '<meta name="robots" content="noindex">' in html and hreflang_links(html) == {}


def test_error_pages_are_noindex_without_hreflang(client):
    html = client.get("/forms/sint-gillis/fr/no-such-form/").get_data(as_text=True)
    assert '<meta name="robots" content="noindex">' in html and hreflang_links(html) == {}


def test_the_check_page_has_no_noindex_and_no_link_that_loses_the_answers(client):
    # It answers a POST to the form's own address, which no search engine sends: a noindex there
    # would protect nothing (and costs Lighthouse's SEO audit). A link to the form in another
    # language would drop the answers: no switch, no hreflang.
    check = send(client, SINT_GILLIS_FR, support_answers(postcode="1060", city="Saint-Gilles"))
    assert is_check_page(check)
    html = check.get_data(as_text=True)
    assert "noindex" not in html and hreflang_links(html) == {}
    assert 'hreflang="nl"' not in html and "/nl/support-application/" not in html


@pytest.mark.parametrize("mangle", [
    lambda url: url[:-3] + "xyz",                                          # tampered signature
    lambda url: url.replace("support-application", "wijk-werken"),         # another form of the site
    lambda url: url.rsplit("/", 1)[0] + "/not-a-token",
])
def test_a_bad_receipt_link_gives_a_clear_page(client, mangle):
    location = submit(client, OPWIJK, support_answers()).headers["Location"]
    response = client.get(mangle(location))
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Deze link werkt niet meer" in html and "Traceback" not in html


def test_an_expired_receipt_link_gives_a_clear_page(make_app, monkeypatch):
    app = make_app(RECEIPT_MAX_AGE=1)
    client = app.test_client()
    location = submit(client, OPWIJK, support_answers()).headers["Location"]
    assert client.get(location).status_code == 200
    later(monkeypatch, seconds=2.1)
    response = client.get(location)
    assert response.status_code == 404 and "Deze link werkt niet meer" in response.get_data(as_text=True)


def test_a_receipt_link_works_for_a_year(client, monkeypatch):
    """The receipt proves the date of the application when the decision period has passed (30
    days for most help) and for an appeal after it: its link lasts a year, not 30 days."""
    location = submit(client, OPWIJK, support_answers()).headers["Location"]
    later(monkeypatch, seconds=365 * 24 * 3600)
    response = client.get(location)
    assert response.status_code == 200 and "OPW-" in response.get_data(as_text=True)


def test_the_expired_link_page_is_true_for_someone_who_gave_no_e_mail(make_app, monkeypatch):
    app = make_app(RECEIPT_MAX_AGE=1)
    client = app.test_client()
    location = submit(client, OPWIJK, support_answers(email="", contact_preference="phone")).headers["Location"]
    later(monkeypatch, seconds=2.1)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", client.get(location).get_data(as_text=True))).split())
    assert "Gaf je een e-mailadres? Dan staat je referentienummer ook in de bevestiging per e-mail." in text
    assert "Gaf je geen e-mailadres, of heb je vragen? Neem dan contact op met Sociaal Huis De Wegwijzer." in text
    assert "Je aanvraag is niet verloren: als je ze verstuurd hebt, staat" not in text


def test_a_database_that_cannot_write_gives_503_with_the_answers_kept(app, client, store):
    # SQLite itself answers SQLITE_FULL, as on a full disk: the file may not grow by one page.
    conn = app.extensions["portal_store"]._connection()       # this thread's: the test client's
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    response = submit(client, OPWIJK, support_answers(first_name="Fatima", message="x" * 1900))
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "kon nu niet bewaard worden" in html and 'value="Fatima"' in html
    assert "Aanvraag ontvangen" not in html
    assert store.count_submissions() == 0


def test_too_large_a_body_gets_the_413_page_in_the_sites_language(client):
    response = client.post(SINT_GILLIS_FR, data={"message": "x" * 100_000})
    assert response.status_code == 413
    assert "Trop de texte" in response.get_data(as_text=True)


def test_a_municipality_changes_a_hint_without_code(scratch_project, make_app):
    folder = scratch_project / "site_config" / "opwijk" / "forms"
    folder.mkdir(parents=True)
    (folder / "support-application.yml").write_text(
        "fields:\n  message:\n    hint: {nl: Zeg ons wanneer we u best bellen.}\n", encoding="utf-8")
    html = make_app().test_client().get(OPWIJK).get_data(as_text=True)
    assert "Zeg ons wanneer we u best bellen." in html


# --- health and start-up ----------------------------------------------------------------------

def test_healthz_reports_the_database_and_the_outbox(client):
    assert client.get("/healthz").get_json() == {
        "status": "ok", "database": "ok", "outbox": {"pending": 0, "failed": 0, "sent": 0},
        "alerts": {"busy_inboxes": 0, "stranded_applications": 0}}
    submit(client, OPWIJK, support_answers())                 # office mail + confirmation queued
    body = client.get("/healthz").get_json()
    assert body["outbox"]["pending"] == 2


def test_production_without_a_secret_refuses_to_start(scratch_project, tmp_path, monkeypatch):
    from portal.web import ConfigurationError, create_app

    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_ENV", raising=False)          # gunicorn's default: production
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    with pytest.raises(ConfigurationError, match="PORTAL_SECRET_KEY"):
        create_app()
    monkeypatch.setenv("PORTAL_ENV", "production")
    with pytest.raises(ConfigurationError, match="PORTAL_SECRET_KEY"):
        create_app()
    # Weak secrets refuse to start too: short ones, and the example file's placeholder.
    for weak in ("x", "12345", "k" * 31, "change-me-to-a-long-random-value"):
        monkeypatch.setenv("PORTAL_SECRET_KEY", weak)
        with pytest.raises(ConfigurationError, match="PORTAL_SECRET_KEY"):
            create_app()
    monkeypatch.setenv("PORTAL_SECRET_KEY", "1234567890" * 4)   # digits only: still a string key
    with pytest.raises(ConfigurationError, match="PORTAL_PUBLIC_URL is not set"):
        create_app({"ALLOW_EXAMPLE_ADDRESSES": True})
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://e-loket.example")
    app = create_app({"ALLOW_EXAMPLE_ADDRESSES": True})          # the demos' .example inboxes
    assert app.config["SECRET_KEY"] == "1234567890" * 4
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_the_example_env_file_holds_the_placeholder_production_refuses():
    from portal.common.settings import EXAMPLE_SECRET

    example = (Path(__file__).resolve().parents[1] / "deploy" / "portal.env.example").read_text()
    assert f"PORTAL_SECRET_KEY={EXAMPLE_SECRET}\n" in example


def test_a_misspelt_environment_refuses_to_start(scratch_project, tmp_path, monkeypatch):
    """PORTAL_ENV=prod used to start without the Secure cookie flag; now it names the variable."""
    from portal.web import ConfigurationError, create_app

    monkeypatch.setenv("PORTAL_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("PORTAL_ENV", "prod")
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    with pytest.raises(ConfigurationError, match="PORTAL_ENV"):
        create_app()


def test_development_starts_without_a_secret(scratch_project, tmp_path, monkeypatch):
    from portal.web import create_app

    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_ENV", "development")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'd.sqlite3'}"})
    assert len(app.config["SECRET_KEY"]) >= 32


def test_portal_serve_sends_forms_and_healthz_to_the_app(app, tmp_path):
    from werkzeug.test import Client

    from portal.serve import combined_app

    (tmp_path / "site" / "opwijk").mkdir(parents=True)
    (tmp_path / "site" / "opwijk" / "index.html").write_text("<h1>Opwijk</h1>", encoding="utf-8")
    client = Client(combined_app(tmp_path / "site", app))
    assert client.get(OPWIJK).status_code == 200
    stylesheet = client.get("/forms/_static/forms.css")
    assert stylesheet.status_code == 200
    stylesheet.close()
    assert client.get("/healthz").status_code == 200
    with client.get("/opwijk/") as page:
        assert b"Opwijk" in page.data


def test_portal_check_names_the_file_and_line_of_a_missing_form_translation(scratch_project):
    from portal.checks.run import check

    path = scratch_project / "forms" / "wijk-werken.yml"
    text = path.read_text(encoding="utf-8")
    broken = text.replace('label: {nl: Voornaam, fr: Prénom, de: "Vorname"}', 'label: {nl: Voornaam, de: "Vorname"}', 1)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index('    label: {nl: Voornaam, de: "Vorname"}') + 1
    findings = [f for f in check(root=scratch_project) if f.path.name == "wijk-werken.yml"]
    assert [(f.line, f.message) for f in findings] == [(line, "field first_name.label: missing 'fr' text")]


def test_applies_follows_the_chain_of_questions():
    from portal.intake.forms import applies, load_form

    wijk = load_form("wijk-werken")
    school = {"request_type": "user", "requester_kind": "school"}
    assert applies(wijk, "organisation_name", school) and applies(wijk, "job_description", school)
    assert not applies(wijk, "organisation_name", {**school, "requester_kind": "private"})
    # A wijk-werker: the organisation's question depends on one that is not asked, so it is not.
    worker = {**school, "request_type": "worker"}
    assert not applies(wijk, "requester_kind", worker) and not applies(wijk, "organisation_name", worker)
    assert applies(wijk, "first_name", worker)


@pytest.mark.parametrize("change, message", [
    (("    applies_if: {field: request_type, value: user}\n    required: true\n    max_length: 2000",
      "    applies_if: {field: request_kind, value: user}\n    required: true\n    max_length: 2000"),
     "field job_description.applies_if: no other field 'request_kind' in this form"),
    (("    applies_if: {field: request_type, value: user}\n    required: true\n    max_length: 2000",
      "    applies_if: {field: request_type}\n    required: true\n    max_length: 2000"),
     "field job_description.applies_if: expected {field: NAME, value: VALUE}"),
])
def test_portal_check_reports_a_wrong_applies_if(scratch_project, change, message):
    from portal.intake.forms import check_form

    path = scratch_project / "forms" / "wijk-werken.yml"
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(*change), encoding="utf-8")
    definition, findings = check_form(path)
    assert definition is None and [f.message for f in findings] == [message]


def test_portal_check_asks_a_message_for_a_conflict(scratch_project):
    from portal.intake.forms import check_form

    path = scratch_project / "forms" / "support-application.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index("      conflicts_with:\n        nl: Je hebt aangevinkt")
    end = text.index("  - name: street")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    definition, findings = check_form(path)
    assert definition is None
    assert [f.message for f in findings] == ["field no_fixed_address: no error message for 'conflicts_with'"]


def test_portal_check_reports_a_broken_override(scratch_project):
    from portal.checks.run import check

    folder = scratch_project / "site_config" / "sint-gillis" / "forms"
    folder.mkdir(parents=True)
    (folder / "support-application.yml").write_text(
        "fields:\n  message:\n    hint: {fr: Dites-nous quand vous appeler.}\n    required: false\n", encoding="utf-8")
    messages = [f.message for f in check(["sint-gillis"], root=scratch_project) if f.path.parent == folder]
    assert messages == ["hint: missing 'nl' text (the site is in fr, nl)",
                        "field message: 'required' cannot be changed here"]


def test_any_text_in_any_field_gets_a_page_never_a_500(app):
    """Unicode, control characters, markup and template syntax: the form again or the receipt."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from portal.intake.forms import FIELD_NAMES

    client = app.test_client()
    page = client.get(OPWIJK).get_data(as_text=True)
    token = token_of(page)
    texts = st.one_of(st.text(max_size=300), st.sampled_from(["{{7*7}}", "<script>alert(1)</script>", "=?utf-8?q?x?=", "\r\n", "\x00"]))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.dictionaries(st.sampled_from(FIELD_NAMES["support-application"]), texts))
    def post_anything(changes):
        response = client.post(OPWIJK, data={**support_answers(), **changes, "csrf_token": token})
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 303), response.status_code
        assert "<script>alert" not in html                    # answers are shown escaped

    post_anything()


def test_an_unexpected_error_gives_the_500_page_in_the_sites_language(client, monkeypatch):
    import portal.intake.accept

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(portal.intake.accept, "accept", broken)
    response = submit(client, SINT_GILLIS_FR, support_answers(postcode="1060"))
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Un problème est survenu" in html and "CPAS de Saint-Gilles" in html
    assert "a bug" not in html and "Traceback" not in html


def test_healthz_is_503_when_the_database_does_not_answer(make_app, tmp_path):
    # A database file that is not a database: SQLite refuses it at start-up and on every retry.
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not an SQLite database" * 100)
    app = make_app(DATABASE_URL=f"sqlite:///{broken}")
    assert app.extensions["portal_store"] is None           # started anyway; retried per request
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert response.get_json()["database"] == "unavailable"


# --- check your answers -----------------------------------------------------------------------

def test_valid_answers_are_shown_to_check_and_not_stored_yet(client, store):
    response = send(client, OPWIJK, support_answers(message="Liefst 's morgens.\r\nDank u."))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert store.count_submissions() == 0
    assert title(html).startswith("Controleer je antwoorden – Hulp aanvragen")
    assert "<h1 class=\"portal-heading-l\">Controleer je antwoorden</h1>" in html
    rows = dict(re.findall(r'<dt class="portal-summary-list__key">(.*?)</dt>\s*<dd class="portal-summary-list__value[^"]*">(.*?)</dd>', html, re.S))
    assert rows["Waarvoor heb je hulp nodig?"].startswith("Leefloon")        # the choice's label
    assert rows["Voornaam"] == "An" and rows["Familienaam"] == "Peeters"
    assert rows["Geboortedatum"] == "30 juli 1985"                             # a date in words
    assert rows["Ik heb geen vaste verblijfplaats"] == "Nee"
    assert rows["Hoe wil je dat we je contacteren?"] == "Per e-mail"
    assert rows["Wil je nog iets vertellen? (niet verplicht)"] == "Liefst &#39;s morgens.\nDank u."
    assert "Laat dit veld leeg" not in html                                    # not the honeypot
    # One change button per answer, named for screen readers by its question.
    changes = re.findall(r'<button type="submit" class="portal-link-button" name="change" value="([\w]+)">'
                         r'Wijzigen<span class="portal-visually-hidden"> (.*?)</span></button>', html)
    assert len(changes) == len(rows) == 15
    assert ("first_name", "Voornaam") in changes and ("help_type", "Waarvoor heb je hulp nodig") in changes
    assert re.search(r'<button type="submit" class="portal-button" name="send" value="1"[^>]*>Aanvraag versturen</button>', html)


def test_the_check_page_in_french(client):
    html = send(client, SINT_GILLIS_FR, support_answers(**NO_ADDRESS)).get_data(as_text=True)
    assert "Vérifiez vos réponses" in html and "Envoyer la demande" in html
    assert re.search(r">Modifier<span class=\"portal-visually-hidden\"> Prénom</span>", html)
    assert "30 juillet 1985" in html and ">Oui</dd>" in html


def test_confirm_stores_exactly_one_row_and_goes_to_the_receipt(client, store):
    check_page = send(client, OPWIJK, support_answers())
    assert store.count_submissions() == 0
    response = confirm(client, OPWIJK, check_page)
    assert response.status_code == 303
    assert "/received/" in response.headers["Location"] and "Peeters" not in response.headers["Location"]
    assert store.count_submissions() == 1
    assert client.get("/healthz").get_json()["outbox"]["pending"] == 2      # office + confirmation, once


def test_a_change_returns_to_the_form_filled_in_and_then_to_the_check_page(client, store):
    check_page = send(client, OPWIJK, support_answers())
    form_page = confirm(client, OPWIJK, check_page, change="first_name")
    html = form_page.get_data(as_text=True)
    assert form_page.status_code == 200 and form_page.headers["Cache-Control"] == "no-store"
    assert "<h1 class=\"portal-heading-l\">Hulp aanvragen</h1>" in html
    assert re.search(r'id="first_name" name="first_name"\s+type="text" value="An"[^>]*autofocus', html)
    assert 'value="Peeters"' in html and re.search(r'value="leefloon" checked', html)
    assert 'name="return_to_check" value="1"' in html
    assert "Opslaan en terug naar het overzicht</button>" in html
    assert "portal-error-summary" not in html
    # Sending the form again (as the browser would, every field) shows the check page again.
    data = {**support_answers(first_name="Anna"), "csrf_token": token_of(html),
            "form_started": hidden(html, "form_started"), "return_to_check": "1"}
    again = client.post(OPWIJK, data=data)
    assert is_check_page(again)
    assert re.search(r'<dt class="portal-summary-list__key">Voornaam</dt>\s*<dd[^>]*>Anna</dd>', again.get_data(as_text=True))
    assert store.count_submissions() == 0
    assert confirm(client, OPWIJK, again).status_code == 303
    assert store.count_submissions() == 1


def test_a_change_of_a_radio_answer_focuses_the_chosen_radio(client):
    check_page = send(client, OPWIJK, support_answers(contact_preference="phone"))
    html = confirm(client, OPWIJK, check_page, change="contact_preference").get_data(as_text=True)
    assert re.search(r'id="contact_preference" name="contact_preference" value="phone" checked autofocus', html)
    assert len(re.findall(r"\bautofocus\b", html)) == 1


def test_an_invalid_change_shows_the_errors_and_keeps_the_way_back(client, store):
    html = confirm(client, OPWIJK, send(client, OPWIJK, support_answers()), change="postcode").get_data(as_text=True)
    data = {**support_answers(postcode="12"), "csrf_token": token_of(html),
            "form_started": hidden(html, "form_started"), "return_to_check": "1"}
    page = client.post(OPWIJK, data=data).get_data(as_text=True)
    assert [f for f, _ in summary_links(page)] == ["postcode"]
    assert 'name="return_to_check" value="1"' in page
    assert store.count_submissions() == 0


@pytest.mark.parametrize("tamper", [
    lambda signed: signed[:-2] + ("AA" if not signed.endswith("AA") else "BB"),   # signature
    lambda signed: signed.replace(".", "x.", 1),                                    # payload
    lambda signed: "",
])
def test_tampered_answers_are_refused_with_a_clear_message(client, store, tamper):
    check_page = send(client, OPWIJK, support_answers(first_name="Ilse"))
    html = check_page.get_data(as_text=True)
    data = {"csrf_token": token_of(html), "form_started": hidden(html, "form_started"),
            "check_answers": tamper(hidden(html, "check_answers")), "send": "1"}
    response = client.post(OPWIJK, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "We konden je antwoorden niet meer lezen" in page and "Er is niets verstuurd" in page
    assert 'value="Ilse"' not in page                   # nothing of it is trusted or shown
    assert store.count_submissions() == 0


def test_answers_signed_for_another_form_or_site_are_refused(client, store):
    from itsdangerous import URLSafeTimedSerializer

    from portal.web.answers import CHECK_SALT

    html = send(client, OPWIJK, support_answers()).get_data(as_text=True)
    serializer = URLSafeTimedSerializer(SECRET, salt=CHECK_SALT)
    answers = {k: v for k, v in support_answers().items() if k != "website"}
    for site, lang, form_id in [("sint-gillis", "nl", "support-application"), ("opwijk", "nl", "wijk-werken"),
                                ("opwijk", "fr", "support-application")]:
        signed = serializer.dumps({"site": site, "lang": lang, "form": form_id, "answers": answers})
        response = client.post(OPWIJK, data={"csrf_token": token_of(html), "check_answers": signed, "send": "1"})
        assert response.status_code == 400, (site, lang, form_id)
    # The receipt's salt does not sign answers either.
    from portal.web.views import RECEIPT_SALT

    signed = URLSafeTimedSerializer(SECRET, salt=RECEIPT_SALT).dumps(
        {"site": "opwijk", "lang": "nl", "form": "support-application", "answers": answers})
    assert client.post(OPWIJK, data={"csrf_token": token_of(html), "check_answers": signed, "send": "1"}).status_code == 400
    assert store.count_submissions() == 0


def test_answers_older_than_the_csrf_time_limit_are_not_sent_but_given_back(make_app, monkeypatch):
    app = make_app(WTF_CSRF_TIME_LIMIT=1, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    check_page = send(client, OPWIJK, support_answers(first_name="Mieke"))
    later(monkeypatch, seconds=2.1)
    response = confirm(client, OPWIJK, check_page)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Je antwoorden staan er nog" in page and 'value="Mieke"' in page
    assert 'name="return_to_check" value="1"' in page                  # sending it shows the check page again
    assert app.extensions["portal_store"].count_submissions() == 0


def test_signed_answers_are_validated_again_before_storing(client, store):
    """A valid signature proves where the answers came from, not that they are valid now."""
    from itsdangerous import URLSafeTimedSerializer

    from portal.web.answers import CHECK_SALT

    html = send(client, OPWIJK, support_answers()).get_data(as_text=True)
    answers = {k: v for k, v in support_answers(postcode="17", declaration=None).items() if k != "website"}
    signed = URLSafeTimedSerializer(SECRET, salt=CHECK_SALT).dumps(
        {"site": "opwijk", "lang": "nl", "form": "support-application", "answers": answers})
    response = client.post(OPWIJK, data={"csrf_token": token_of(html), "check_answers": signed, "send": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert [f for f, _ in summary_links(page)] == ["postcode", "declaration"]
    assert 'name="return_to_check" value="1"' in page
    assert store.count_submissions() == 0


def test_the_confirm_step_needs_the_csrf_token(client, store):
    check_page = send(client, OPWIJK, support_answers(first_name="Mieke"))
    html = check_page.get_data(as_text=True)
    response = client.post(OPWIJK, data={"check_answers": hidden(html, "check_answers"), "send": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Je sessie is verlopen" in page
    assert 'value="Mieke"' in page                      # the signed answers are given back
    assert store.count_submissions() == 0


def test_an_expired_check_page_with_csrf_on_gives_the_answers_back(make_app, monkeypatch):
    # Its token and its signed answers expire together: the CSRF refusal comes first; the form
    # it gives back holds the answers the page showed, to check and send again.
    app = make_app(WTF_CSRF_TIME_LIMIT=1)
    client = app.test_client()
    html = send(client, OPWIJK, support_answers(first_name="Mieke")).get_data(as_text=True)
    later(monkeypatch, seconds=2.1)
    response = client.post(OPWIJK, data={"csrf_token": token_of(html), "check_answers": hidden(html, "check_answers"),
                                         "send": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Je antwoorden staan er nog" in page and 'value="Mieke"' in page
    assert app.extensions["portal_store"].count_submissions() == 0


def test_a_check_page_whose_browser_lost_its_cookie_gives_the_answers_back(make_app):
    """A phone browser that dropped its session cookie between the check page and the send: the
    answers come back on the form (nothing stored), and sending them again works, once."""
    app = make_app()
    html = send(app.test_client(), OPWIJK, support_answers(first_name="Mieke")).get_data(as_text=True)
    client = app.test_client()                                      # the same page, no cookie any more
    response = client.post(OPWIJK, data={"csrf_token": token_of(html), "check_answers": hidden(html, "check_answers"),
                                         "send": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Je antwoorden staan er nog" in page and 'value="Mieke"' in page
    store = app.extensions["portal_store"]
    assert store.count_submissions() == 0
    # The form as given back, sent: the check page, then the send.
    data = {**support_answers(first_name="Mieke"), "csrf_token": token_of(page), "form_started": hidden(page, "form_started"),
            "return_to_check": "1"}
    again = client.post(OPWIJK, data=data)
    assert again.status_code == 200 and "Controleer je antwoorden" in again.get_data(as_text=True)
    assert confirm(client, OPWIJK, again).status_code == 303
    assert store.count_submissions() == 1


def test_the_robot_checks_apply_to_the_form_and_to_the_send_step(make_app):
    from tests.hardening import in_session, old_stamp

    app = make_app(FORM_MIN_FILL_SECONDS=3, WTF_CSRF_ENABLED=False)
    client = in_session(app.test_client())
    store = app.extensions["portal_store"]
    stamp = old_stamp(age=45, secret=SECRET)
    # Too fast, or the honeypot filled in: the neutral answer, no check page.
    review = {"step": "check"}
    assert not is_check_page(client.post(OPWIJK, data={**support_answers(), **review, "form_started": old_stamp(age=0.5, secret=SECRET)}))
    assert not is_check_page(client.post(OPWIJK, data={**support_answers(website="http://spam.example"), **review, "form_started": stamp}))
    # A person: the check page, and sending it right away is fine (its answers passed the checks).
    check_page = client.post(OPWIJK, data={**support_answers(), **review, "form_started": stamp})
    assert is_check_page(check_page)
    assert confirm(client, OPWIJK, check_page).status_code == 303
    assert store.count_submissions() == 1
    # The send step itself: a robot that posts the signed answers with the honeypot filled, or
    # without the stamp, gets the neutral answer and nothing is stored.
    again = client.post(OPWIJK, data={**support_answers(), **review, "form_started": old_stamp(age=45, secret=SECRET)})
    signed = hidden(again.get_data(as_text=True), "check_answers")
    for extra in ({"website": "http://spam.example", "form_started": stamp}, {}):
        response = client.post(OPWIJK, data={"check_answers": signed, "send": "1", **extra})
        assert response.status_code == 200 and "nog niet verstuurd" in response.get_data(as_text=True)
    assert store.count_submissions() == 1


def test_wijk_werken_goes_through_the_check_page_too(client, store):
    check_page = send(client, OPWIJK_WIJK, wijk_answers())
    html = check_page.get_data(as_text=True)
    assert is_check_page(check_page) and "De haag snoeien in maart." in html
    assert confirm(client, OPWIJK_WIJK, check_page).status_code == 303
    assert store.count_submissions() == 1


# --- the receipt as the legal acknowledgement -------------------------------------------------

def stored_facts(store, html: str, lang: str):
    from portal.intake.accept import load_receipt
    from portal.intake.receipt import facts_for_receipt
    from portal.municipal.config import load_all

    reference = re.search(r'class="portal-reference">([A-Z0-9-]+)<', html).group(1)
    municipalities = load_all()
    return facts_for_receipt(load_receipt(store, reference, municipalities), lang, municipalities)


@pytest.mark.parametrize("url, answers, lang, texts", [
    (OPWIJK, support_answers(), "nl",
     ["Ontvangen op", "Beslissingstermijn", "30 dagen", "Beslissing uiterlijk op", "Geen beslissing op tijd?",
      "arbeidsrechtbank", "Kloosterstraat 10", "0800 113 41", "Openingsuren", "maandag"]),
    (SINT_GILLIS_FR, support_answers(postcode="1060", city="Saint-Gilles"), "fr",
     ["Reçue le", "Délai de décision", "30 jours", "Décision au plus tard le", "Pas de décision dans les délais\u202f?",
      "tribunal du travail", "Heures d&#39;ouverture", "lundi"]),
])
def test_a_leefloon_receipt_states_the_date_the_decision_period_and_the_deadline(client, store, url, answers, lang, texts):
    response = client.get(submit(client, url, answers).headers["Location"])
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    facts = stored_facts(store, html, lang)
    assert facts.decision_days == 30 and facts.deadline_text
    assert f"<dd data-portal-received>{facts.received_text}</dd>" in html
    assert f"<dd data-portal-decision-period>{facts.period_label}</dd>" in html
    assert f"<dd data-portal-deadline><strong>{facts.deadline_text}</strong></dd>" in html
    assert facts.received_at.date() + dt.timedelta(days=30) == facts.deadline
    for text in texts:
        assert text in html, text
    assert "Peeters" not in html                          # still no answers on the receipt


def test_a_wijk_werken_receipt_says_there_is_no_legal_period(client):
    html = client.get(submit(client, OPWIJK_WIJK, wijk_answers()).headers["Location"]).get_data(as_text=True)
    assert "geen wettelijke termijn" in html and "Beslissing uiterlijk op" not in html


def test_the_receipt_links_to_a_print_view_that_works_without_script(client, store):
    location = submit(client, OPWIJK, support_answers()).headers["Location"]
    receipt = client.get(location).get_data(as_text=True)
    assert f'<a href="{location}/print">Afdrukken of bewaren als PDF</a>' in receipt
    response = client.get(f"{location}/print")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert '<html lang="nl">' in html and "<h1 class=\"portal-heading-l\">Ontvangstbewijs</h1>" in html
    facts = stored_facts(store, receipt, "nl")
    assert facts.reference in html and facts.received_text in html and facts.deadline_text in html
    assert "portal-header" not in html and "portal-quick-exit" not in html and "portal-footer" not in html
    assert f'<a href="{location}">Terug naar het ontvangstbewijs</a>' in html
    assert "Ctrl+P" in html                               # how to print, without the script's button
    with client.get("/forms/_static/forms.css") as stylesheet:
        assert b"@media print" in stylesheet.data
    assert client.get(location[:-3] + "xyz/print").status_code == 404


def test_the_print_view_in_french(client):
    location = submit(client, SINT_GILLIS_FR, support_answers(postcode="1060", city="Saint-Gilles")).headers["Location"]
    html = client.get(f"{location}/print").get_data(as_text=True)
    assert "Accusé de réception" in html and "Délai de décision" in html and "Imprimer" in html


# --- quick exit on the form pages -------------------------------------------------------------

@pytest.mark.parametrize("url, href", [
    (OPWIJK, "https://opwijk.example/kalender.html"),              # site_url: the published site
    (SINT_GILLIS_FR, "/sint-gillis/calendrier.html"),            # French first, no site_url
    (SINT_GILLIS_NL, "/sint-gillis/nl/kalender.html"),
])
def test_the_form_pages_have_a_quick_exit_to_the_sites_neutral_page(client, url, href):
    html = client.get(url).get_data(as_text=True)
    assert re.search(rf'<aside class="portal-quick-exit" data-portal-quick-exit aria-label="[^"]+">\s*'
                     rf'<a class="portal-quick-exit__button" href="{re.escape(href)}" rel="nofollow">', html)
    assert 'href="/forms/_quick-exit/quick-exit.css"' in html and 'src="/forms/_quick-exit/quick-exit.js"' in html
    check_page = send(client, url, support_answers(postcode="1060" if "sint" in url else "1745")).get_data(as_text=True)
    assert f'href="{href}"' in check_page


def test_the_quick_exit_files_are_the_sites_own(client, scratch_project):
    folder = scratch_project / "templates" / "theme" / "assets" / "portal"
    for name in ("quick-exit.css", "quick-exit.js"):
        with client.get(f"/forms/_quick-exit/{name}") as response:
            assert response.status_code == 200
            assert response.data == (folder / name).read_bytes()
    assert client.get("/forms/_quick-exit/open-now.js").status_code == 404
    assert client.get("/forms/_quick-exit/..%2F..%2Fsite_config%2Fopwijk.yml").status_code == 404


# --- language parity --------------------------------------------------------------------------

def test_every_text_of_the_forms_exists_in_dutch_and_french(scratch_project):
    """Every label, hint, choice, error and page text of the forms, and every message the form
    pages use, in both languages: what `portal check` enforces, asserted on the shipped files."""
    from portal.common.i18n import check_messages, messages
    from portal.intake.forms import check_forms, load_forms

    assert check_forms(scratch_project) == []
    gaps = [f.message for f in check_messages()]
    assert gaps == []
    for key, value in messages().items():
        if key.startswith(("forms.", "receipt.", "quick_exit.", "antiabuse.", "security.")):
            assert {"nl", "fr"} <= set(value) and all(str(value[lang]).strip() for lang in ("nl", "fr")), key
    for definition in load_forms(scratch_project).values():
        texts = [definition.title, definition.submit, definition.next_steps]
        for fdef in definition.fields:
            texts += [fdef.label, *(label for _, label in fdef.choices), *fdef.errors.values()]
            texts += [fdef.hint] if fdef.hint else []
        for text in texts:
            assert text.get("nl", "").strip() and text.get("fr", "").strip(), text


def french_texts(scratch_project):
    """Every French text of the forms, receipts and e-mails."""
    from portal.common.i18n import messages
    from portal.intake.forms import load_forms
    from portal.intake.receipt import _decisions

    texts = [value["fr"] for key, value in messages().items()
             if key.startswith(("forms.", "receipt.", "mail.", "routing.", "antiabuse.", "security.",
                                "privacy.", "footer.", "cookies.", "a11y."))]
    for definition in load_forms(scratch_project).values():
        texts += [definition.title["fr"], definition.next_steps["fr"], (definition.intro or {}).get("fr", "")]
        for fdef in definition.fields:
            texts += [fdef.label["fr"], *(label["fr"] for _, label in fdef.choices),
                      *(e["fr"] for e in fdef.errors.values()), (fdef.hint or {}).get("fr", "")]
        texts += [g[k]["fr"] for g in definition.groups.values() for k in ("legend", "hint") if g.get(k)]
    for rules in _decisions().values():
        texts += [rule[k]["fr"] for rule in rules.values() for k in ("law", "period", "no_decision")]
    return texts


def test_french_texts_have_a_no_break_space_before_double_punctuation(scratch_project):
    """French typography: U+00A0 before ":", U+202F (or U+00A0) before "?", "!", ";", and
    inside « »; never an ordinary space there (a line could break before the sign)."""
    texts = french_texts(scratch_project)
    assert len(texts) > 100
    wrong = [text for text in texts if re.search(r" [?!;:]|« | »", str(text))]
    assert wrong == []


def test_french_receipt_title_and_mail_colons(client, store):
    answers = support_answers(postcode="1060", city="Saint-Gilles")
    response = submit(client, SINT_GILLIS_FR, answers)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search("<title>Demande reçue\u00a0: SGI-2\\d{3}-", html)
    assert "Téléphone\u00a0: <a" in html
    import email
    import email.policy

    rows = {r.kind: r for r in store.claim_outbox(lease_seconds=60)}
    text = email.message_from_bytes(rows["confirmation"].raw, policy=email.policy.default).get_body(("plain",)).get_content()
    assert "Reçue le\u00a0: " in text and "Téléphone\u00a0: " in text
    # Everything but the opening hours' closures (the hours component's own texts).
    assert " : " not in text.split("Heures d'ouverture")[0]


def test_portal_check_fails_on_a_form_choice_without_french(scratch_project):
    from portal.checks.run import check

    path = scratch_project / "forms" / "support-application.yml"
    text = path.read_text(encoding="utf-8")
    match = re.search(r"^(\s+)(\w+): \{nl: ([^,}]+), fr: [^}]+?, (de: [^}]+)\}$", text.split("choices:", 1)[1], re.M)
    broken = text.replace(match.group(0), f"{match.group(1)}{match.group(2)}: {{nl: {match.group(3)}, {match.group(4)}}}", 1)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    findings = [f for f in check(root=scratch_project) if f.path.name == "support-application.yml"]
    assert [f.message for f in findings] == [f"field help_type.choices.{match.group(2)}: missing 'fr' text"]


def test_portal_check_fails_on_a_form_message_without_french(tmp_path, monkeypatch):
    import shutil

    import portal.common.i18n

    folder = tmp_path / "messages"
    shutil.copytree(portal.common.i18n.MESSAGES_DIR, folder)
    path = folder / "forms.yml"
    text = path.read_text(encoding="utf-8")
    broken = text.replace('forms.check.change: {nl: Wijzigen, fr: Modifier, de: "Ändern"}', 'forms.check.change: {nl: Wijzigen, de: "Ändern"}')
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    monkeypatch.setattr(portal.common.i18n, "MESSAGES_DIR", folder)
    findings = portal.common.i18n.check_messages()
    line = broken.splitlines().index('forms.check.change: {nl: Wijzigen, de: "Ändern"}') + 1
    assert [(f.path.name, f.line, f.message) for f in findings] == [
        ("forms.yml", line, "message 'forms.check.change' has no 'fr' text")]


def test_a_refusal_on_the_check_page_gives_the_answers_back(make_app):
    """Over the rate limit when pressing send: the form with the signed answers, not an empty one."""
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_FORM="2 per minute")
    client = app.test_client()
    check_page = send(client, OPWIJK, support_answers(first_name="Hasna"))       # POST 1
    assert is_check_page(check_page)
    assert confirm(client, OPWIJK, check_page, change="city").status_code == 200  # POST 2
    refused = confirm(client, OPWIJK, check_page)                                 # POST 3
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert 'value="Hasna"' in html and "Traceback" not in html
    assert app.extensions["portal_store"].count_submissions() == 0


def test_forms_link_back_to_the_published_site_or_to_the_local_server(make_app):
    published = make_app().test_client().get(OPWIJK).get_data(as_text=True)
    assert 'href="https://opwijk.example/"' in published
    # `portal serve` serves the sites itself under /<slug>/: the forms must not leave it.
    local = make_app(SITE_BASE="/{slug}/").test_client().get(OPWIJK).get_data(as_text=True)
    assert 'href="/opwijk/"' in local and 'href="/opwijk/kalender.html"' in local
    assert "opwijk.example" not in local
