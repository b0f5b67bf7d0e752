"""The form backend through Flask's test client, on a copy of the example project and a real
SQLite file: pages, validation in both languages, conditional fields, CSRF, storing and receipts."""

from __future__ import annotations

import re
import time

import pytest

from portal.store import StoreUnavailable

SECRET = "a-test-secret-that-is-long-enough"
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
        "contact_preference": "email", "message": "", "consent": "y", "website": "",
    }
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}


def wijk_answers(**overrides) -> dict:
    answers = {
        "request_type": "user", "requester_kind": "private", "organisation_name": "",
        "first_name": "Jan", "last_name": "Claes", "street": "Markt", "house_number": "1",
        "postcode": "1745", "city": "Opwijk", "phone": "052 36 19 23", "email": "",
        "job_description": "De haag snoeien in maart.", "message": "", "consent": "y", "website": "",
    }
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}


@pytest.fixture
def make_app(scratch_project, tmp_path):
    from portal.web import create_app

    def make(**config):
        base = {
            "SECRET_KEY": SECRET, "ENV": "testing", "ROOT": scratch_project,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            # The anti-abuse checks have their own tests; here a test client posts at once.
            "FORM_MIN_FILL_SECONDS": 0, "RATELIMIT_ENABLED": False,
        }
        return create_app({**base, **config})

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def store(app):
    return app.extensions["portal_store"]


def token_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def send(client, url: str, answers: dict, *, csrf: bool = True):
    """GET the form (for its CSRF token and stamp), then POST the answers like a browser."""
    page = client.get(url).get_data(as_text=True)
    data = dict(answers)
    if csrf:
        data.setdefault("csrf_token", token_of(page))
    started = re.search(r'name="form_started" value="([^"]+)"', page)
    if started:
        data.setdefault("form_started", started.group(1))
    return client.post(url, data=data)


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
    assert 'href="https://www.opwijk.be/"' in html            # back to the published site
    assert "<script>" not in html and "style=" not in html      # nothing inline: CSP-friendly
    assert 'autocomplete="given-name"' in html and 'autocomplete="postal-code"' in html
    # Every input has a label, every radio group a fieldset with a legend.
    for input_id in re.findall(r'<(?:input|textarea|select)[^>]*\bid="([\w-]+)"', html):
        assert f'for="{input_id}"' in html, input_id
    assert re.search(r"<fieldset[^>]*>\s*<legend[^>]*>Waarvoor heeft u hulp nodig\?</legend>", html)
    assert "Taal" not in html                                   # one language: no switch


def test_bilingual_site_has_a_language_switch_to_the_same_form(client):
    html = client.get(SINT_GILLIS_FR).get_data(as_text=True)
    assert '<html lang="fr">' in html and "Demander de l&#39;aide" in html
    assert f'href="{SINT_GILLIS_NL}" hreflang="nl" lang="nl">Nederlands</a>' in html
    assert 'href="/sint-gillis/"' in html                       # no site_url: the served site, default language
    nl = client.get(SINT_GILLIS_NL).get_data(as_text=True)
    assert 'href="/sint-gillis/nl/"' in nl and "Hulp aanvragen" in nl


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
    assert links["help_type"] == "Kies waarvoor u hulp nodig heeft"
    assert links["first_name"] == "Vul uw voornaam in"
    assert links["phone"] == "Vul een telefoonnummer of een e-mailadres in"
    assert set(links) == {"help_type", "first_name", "last_name", "birth_date", "street", "house_number",
                          "postcode", "city", "phone", "contact_preference", "consent"}
    for field_id in links:                                       # each link has its target
        assert f'id="{field_id}"' in html
    # The message sits next to the field, which points at it.
    assert re.search(r'id="first_name"[^>]*aria-describedby="first_name-error"', html, re.S)
    assert '<p id="first_name-error" class="portal-error-message">' in html
    assert store.count_submissions() == 0


def test_empty_form_in_french(client):
    html = send(client, SINT_GILLIS_FR, {}).get_data(as_text=True)
    assert title(html).startswith("Erreur : Demander de l&#39;aide")
    assert "Il y a un problème" in html
    links = dict(summary_links(html))
    assert links["first_name"] == "Indiquez votre prénom"
    assert links["consent"] == "Cochez que vous êtes d&#39;accord, sinon nous ne pouvons pas traiter votre demande"


def test_answers_are_kept_when_something_is_wrong(client):
    html = send(client, OPWIJK, support_answers(postcode="17450", message="Ik <b>bel</b> liever\r\nna 17 uur")).get_data(as_text=True)
    assert dict(summary_links(html)) == {"postcode": "Vul een Belgische postcode van 4 cijfers in, zoals 1745"}
    assert 'value="An"' in html and 'value="17450"' in html and 'value="1985-07-30"' in html
    assert re.search(r'id="help_type" name="help_type" value="leefloon" checked', html)
    assert re.search(r'id="consent" name="consent" value="y" checked', html)
    assert "Ik &lt;b&gt;bel&lt;/b&gt; liever\nna 17 uur</textarea>" in html


@pytest.mark.parametrize("changes, field, message", [
    ({"birth_date": "2999-01-01"}, "birth_date", "Vul een geboortedatum in het verleden in, zoals 27/03/1985"),
    ({"birth_date": "1985-02-30"}, "birth_date", "Vul een geboortedatum in het verleden in, zoals 27/03/1985"),
    ({"national_number": "85.07.30-033.29"}, "national_number", "Het rijksregisternummer klopt niet. Controleer de 11 cijfers op uw identiteitskaart"),
    ({"birth_date": "1985-07-31"}, "national_number", "Het rijksregisternummer past niet bij uw geboortedatum"),
    ({"email": "an@", "contact_preference": "phone"}, "email", "Vul een e-mailadres in zoals naam@voorbeeld.be"),
    ({"phone": "12345"}, "phone", "Vul een telefoonnummer in zoals 0470 12 34 56 of +32 2 123 45 67"),
    ({"message": "x" * 2001}, "message", "Gebruik maximaal 2000 tekens"),
    ({"last_name": "Peeters\r\nBcc: everyone@example.be"}, "last_name", "Gebruik alleen gewone tekst, zonder regeleinden of de tekens =?"),
    ({"first_name": "=?utf-8?b?QW4=?="}, "first_name", "Gebruik alleen gewone tekst, zonder regeleinden of de tekens =?"),
    ({"help_type": "everything"}, "help_type", "Kies een van de mogelijkheden"),
    ({"contact_preference": "pigeon"}, "contact_preference", "Kies een van de mogelijkheden"),
    ({"consent": None}, "consent", "Vink aan dat u akkoord gaat, anders kunnen we uw aanvraag niet behandelen"),
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
    assert send(client, OPWIJK, support_answers(message=message)).status_code == 303


# --- conditional fields -----------------------------------------------------------------------

def test_no_fixed_address_makes_the_address_optional(client):
    empty_address = {"street": "", "house_number": "", "postcode": "", "city": ""}
    html = send(client, OPWIJK, support_answers(**empty_address)).get_data(as_text=True)
    assert [f for f, _ in summary_links(html)] == ["street", "house_number", "postcode", "city"]
    response = send(client, OPWIJK, support_answers(no_fixed_address="y", **empty_address))
    assert response.status_code == 303


def test_phone_or_email_at_least_one(client):
    html = send(client, OPWIJK, support_answers(phone="", email="", contact_preference="letter")).get_data(as_text=True)
    assert summary_links(html) == [("phone", "Vul een telefoonnummer of een e-mailadres in")]
    assert send(client, OPWIJK, support_answers(phone="", contact_preference="email")).status_code == 303
    assert send(client, OPWIJK, support_answers(email="", contact_preference="phone")).status_code == 303


def test_the_chosen_contact_way_must_be_filled_in(client):
    html = send(client, OPWIJK, support_answers(email="", contact_preference="email")).get_data(as_text=True)
    assert [f for f, _ in summary_links(html)] == ["email"]


def test_organisation_name_is_required_unless_private(client, store):
    html = send(client, OPWIJK_WIJK, wijk_answers(requester_kind="school")).get_data(as_text=True)
    assert summary_links(html) == [("organisation_name", "Vul de naam van de school, het bestuur, de vereniging of het bedrijf in")]
    assert send(client, OPWIJK_WIJK, wijk_answers(requester_kind="school", organisation_name="GO! Atheneum")).status_code == 303
    assert send(client, OPWIJK_WIJK, wijk_answers(requester_kind="private")).status_code == 303
    assert store.count_submissions() == 2


def test_job_description_is_required_for_users_only(client):
    html = send(client, OPWIJK_WIJK, wijk_answers(job_description="")).get_data(as_text=True)
    assert summary_links(html) == [("job_description", "Beschrijf de klus die moet gebeuren")]
    worker = wijk_answers(request_type="worker", requester_kind="", job_description="")
    assert send(client, OPWIJK_WIJK, worker).status_code == 303


# --- CSRF -------------------------------------------------------------------------------------

def test_missing_csrf_token_keeps_the_answers_with_a_clear_message(client, store):
    response = send(client, OPWIJK, support_answers(first_name="Ann-Sofie"), csrf=False)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Uw sessie is verlopen" in html and title(html).startswith("Fout: ")
    assert 'value="Ann-Sofie"' in html and "Traceback" not in html
    assert store.count_submissions() == 0
    # The page carries a fresh token: sending it again works.
    again = client.post(OPWIJK, data={**support_answers(), "csrf_token": token_of(html)})
    assert again.status_code == 303


def test_wrong_csrf_token_in_french(client, store):
    response = send(client, SINT_GILLIS_FR, {**support_answers(postcode="1060"), "csrf_token": "forged"})
    assert response.status_code == 400
    assert "Votre session a expiré" in response.get_data(as_text=True)
    assert store.count_submissions() == 0


def test_expired_csrf_token_keeps_the_answers(make_app):
    app = make_app(WTF_CSRF_TIME_LIMIT=1)
    client = app.test_client()
    token = token_of(client.get(OPWIJK).get_data(as_text=True))
    time.sleep(2.1)
    response = client.post(OPWIJK, data={**support_answers(last_name="Van Damme"), "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Uw sessie is verlopen" in html and 'value="Van Damme"' in html
    assert app.extensions["portal_store"].count_submissions() == 0


# --- storing and the receipt ------------------------------------------------------------------

def test_valid_application_is_stored_then_303_to_the_receipt(client, store):
    response = send(client, OPWIJK, support_answers())
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
    response = send(client, OPWIJK, support_answers(postcode="2000", city="Antwerpen"))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "OCMW Antwerpen" in html
    reference = re.search(r'class="portal-reference">([A-Z0-9-]+)<', html).group(1)
    assert store.get_submission(reference).competent_slug == "antwerpen"


def test_unserved_postcode_receipt_says_it_will_be_passed_on(client):
    response = send(client, OPWIJK, support_answers(postcode="8000", city="Brugge"))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "binnen vijf kalenderdagen" in html


def test_receipt_in_french_and_its_language_switch(client):
    response = send(client, SINT_GILLIS_FR, support_answers(postcode="1060", city="Saint-Gilles"))
    location = response.headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert "Demande reçue" in html and "Votre numéro de référence" in html and "Reçue le" in html
    assert re.search(r"\d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4} à \d\d:\d\d", html)
    nl_url = location.replace("/fr/", "/nl/")
    assert f'href="{nl_url}"' in html
    assert "Aanvraag ontvangen" in client.get(nl_url).get_data(as_text=True)


@pytest.mark.parametrize("mangle", [
    lambda url: url[:-3] + "xyz",                                          # tampered signature
    lambda url: url.replace("support-application", "wijk-werken"),         # another form of the site
    lambda url: url.rsplit("/", 1)[0] + "/not-a-token",
])
def test_a_bad_receipt_link_gives_a_clear_page(client, mangle):
    location = send(client, OPWIJK, support_answers()).headers["Location"]
    response = client.get(mangle(location))
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Deze link werkt niet meer" in html and "Traceback" not in html


def test_an_expired_receipt_link_gives_a_clear_page(make_app):
    app = make_app(RECEIPT_MAX_AGE=1)
    client = app.test_client()
    location = send(client, OPWIJK, support_answers()).headers["Location"]
    assert client.get(location).status_code == 200
    time.sleep(2.1)
    response = client.get(location)
    assert response.status_code == 404 and "Deze link werkt niet meer" in response.get_data(as_text=True)


def test_a_database_that_cannot_write_gives_503_with_the_answers_kept(app, client, store):
    class FullDisk:
        """The real store, except that writing fails as on a full disk."""

        def __getattr__(self, name):
            return getattr(store, name)

        def insert_submission(self, **kwargs):
            raise StoreUnavailable("database or disk is full")

    app.extensions["portal_store"] = FullDisk()
    response = send(client, OPWIJK, support_answers(first_name="Fatima"))
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
        "status": "ok", "database": "ok", "outbox": {"pending": 0, "failed": 0, "sent": 0}}
    send(client, OPWIJK, support_answers())                 # office mail + confirmation queued
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
    monkeypatch.setenv("PORTAL_SECRET_KEY", "12345678901234567890")   # digits only: still a string key
    app = create_app()
    assert app.config["SECRET_KEY"] == "12345678901234567890"
    assert app.config["SESSION_COOKIE_SECURE"] is True


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
    from portal.check import check

    path = scratch_project / "forms" / "wijk-werken.yml"
    text = path.read_text(encoding="utf-8")
    broken = text.replace("label: {nl: Voornaam, fr: Prénom}", "label: {nl: Voornaam}", 1)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index("    label: {nl: Voornaam}") + 1
    findings = [f for f in check(root=scratch_project) if f.path.name == "wijk-werken.yml"]
    assert [(f.line, f.message) for f in findings] == [(line, "field first_name.label: missing 'fr' text")]


def test_portal_check_reports_a_broken_override(scratch_project):
    from portal.check import check

    folder = scratch_project / "site_config" / "sint-gillis" / "forms"
    folder.mkdir(parents=True)
    (folder / "support-application.yml").write_text(
        "fields:\n  message:\n    hint: {fr: Dites-nous quand vous appeler.}\n    required: false\n", encoding="utf-8")
    messages = [f.message for f in check(["sint-gillis"], root=scratch_project) if f.path.parent == folder]
    assert messages == ["hint: missing 'nl' text (the site is in fr, nl)",
                        "field message: 'required' cannot be changed here"]


def test_any_text_in_any_field_gets_a_page_never_a_500(app):
    """Unicode, control characters, markup and template syntax: the form again or the receipt."""
    from hypothesis import HealthCheck, given, settings, strategies as st

    from portal.forms import FIELD_NAMES

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
    import portal.intake

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(portal.intake, "accept", broken)
    response = send(client, SINT_GILLIS_FR, support_answers(postcode="1060"))
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Un problème est survenu" in html and "CPAS de Saint-Gilles" in html
    assert "a bug" not in html and "Traceback" not in html


def test_healthz_is_503_when_the_database_does_not_answer(app, client):
    class Unreachable:
        def health(self):
            return {"database": "unavailable", "outbox": None}

    app.extensions["portal_store"] = Unreachable()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unavailable", "outbox": None}
