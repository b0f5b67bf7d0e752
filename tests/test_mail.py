"""The e-mails: headers, languages, no personal data in subjects, header injection refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import re
import shutil
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from portal.intake.accept import accept
from portal.intake.compose import (
    HeaderInjection,
    compose_confirmation,
    compose_office_message,
    header_value,
    queued,
    valid_address,
)
from portal.intake.routing import route

ROOT = Path(__file__).resolve().parents[1]
BRUSSELS = ZoneInfo("Europe/Brussels")
WHEN = dt.datetime(2026, 3, 2, 10, 30, tzinfo=BRUSSELS)


def application(**overrides) -> dict:
    """A valid support application with recognisable personal data in every field."""
    answers = {
        "help_type": "energy", "first_name": "Marieke", "last_name": "Vandenbroucke",
        "birth_date": "1984-07-09", "national_number": "84070912345", "no_fixed_address": False,
        "street": "Kerkstraat", "house_number": "12", "postcode": "1745", "city": "Opwijk",
        "phone": "0470 12 34 56", "email": "marieke@mail.example", "contact_preference": "email",
        "message": "Mijn energiefactuur is te hoog", "declaration": True,
    }
    answers.update(overrides)
    return answers


PERSONAL = ("Marieke", "Vandenbroucke", "9 juli 1984", "84070912345", "Kerkstraat", "0470 12 34 56",
            "marieke@mail.example", "energiefactuur")


def delivering(municipalities: dict, mode: str) -> dict:
    """The example municipalities with every inbox set to `delivery: mode`."""
    return {slug: dataclasses.replace(m, delivery={"default": mode}) for slug, m in municipalities.items()}


def office_message(municipalities, site="opwijk", *, delivery="full", office_url="", **overrides):
    """The office e-mail of a support application (under `delivery: full` unless told)."""
    municipalities = delivering(municipalities, delivery)
    answers = application(**overrides)
    r = route("support-application", answers, municipalities[site], municipalities)
    msg = compose_office_message(reference="OPW-2026-7K3Q9", form_id="support-application", answers=answers,
                                 route=r, site=municipalities[site], received_at=WHEN, citizen_lang="nl",
                                 office_url=office_url)
    return reparse(msg)


def reparse(msg):
    """The message as a mail client sees it: parsed back from the bytes the outbox stores."""
    return email.message_from_bytes(queued("office", msg).raw, policy=email.policy.default)


def bodies(msg) -> tuple[str, str]:
    return (msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content())


def test_office_message_carries_every_answer_the_reason_and_reply_to(municipalities):
    msg = office_message(municipalities)
    assert msg["To"] == "welzijn@opwijk.example"
    assert msg["Reply-To"] == "marieke@mail.example"
    assert msg["From"] == "Sociaal Huis De Wegwijzer <noreply@portal.example>"
    assert msg["Subject"] == "Hulpaanvraag OPW-2026-7K3Q9"
    text, html = bodies(msg)
    for value in PERSONAL:
        assert value in text and value in html
    assert "OPW-2026-7K3Q9" in text
    assert "uw OCMW is bevoegd" in text          # the routing reason, in Dutch
    assert "Voornaam" in text or "first_name" in text
    assert "1984-07-09" not in text                # the birth date as people write it: 09/07/1984


def test_office_message_is_in_the_receiving_offices_language(municipalities):
    msg = office_message(municipalities, postcode="1060")       # Opwijk's site, a Saint-Gilles resident
    assert msg["To"] == municipalities["sint-gillis"].inboxes["support-application"]
    text, _ = bodies(msg)
    assert "Pourquoi vous recevez cette demande" in text and "votre CPAS est compétent" in text
    assert msg["Subject"].startswith("Demande d'aide ")


@pytest.mark.parametrize("delivery", ["full", "secure"])
def test_french_elides_de_before_a_site_name_with_a_vowel(municipalities, delivery):
    # Opwijk's site, a Saint-Gilles resident: the French office reads "le formulaire d'Opwijk".
    text, html = bodies(office_message(municipalities, postcode="1060", delivery=delivery))
    for body in (text, unescape(html)):
        assert "via le formulaire en ligne d'Opwijk." in body
        assert "de Opwijk" not in body
    if delivery == "full":
        assert "Envoyée via le site d'Opwijk" in text
    # Before a consonant "de" stays.
    own = bodies(office_message(municipalities, site="sint-gillis", postcode="1060", delivery=delivery))[0]
    assert "via le formulaire en ligne de Saint-Gilles." in own


@pytest.mark.parametrize("site, postcode, form, kind", [
    ("opwijk", "1745", "Formulier: Hulpaanvraag", "Soort aanvraag: Leefloon (een inkomen als je niet genoeg middelen hebt)"),
    ("opwijk", "1060", "Formulaire\u00a0: Demande d'aide",
     "Type de demande\u00a0: Revenu d'intégration (un revenu si vous n'avez pas assez de ressources)"),
])
def test_the_secure_office_mail_puts_form_and_kind_on_two_lines_without_nested_brackets(municipalities, site, postcode, form, kind):
    # The kind's label has brackets of its own: "Hulpaanvraag (Leefloon (een inkomen ...))" was unreadable.
    msg = office_message(municipalities, site, delivery="secure", postcode=postcode, help_type="leefloon")
    text, html = bodies(msg)
    assert form in text.splitlines() and kind in text.splitlines()
    plain_html = unescape(re.sub(r"<[^>]+>", "", html))
    assert form in plain_html and kind in plain_html
    for body in (text, plain_html):
        assert "((" not in body and "))" not in body
    assert "Leefloon" not in msg["Subject"] and "intégration" not in msg["Subject"]     # an answer: never in a subject


def test_outside_area_is_marked_in_subject_and_body_without_personal_data(municipalities):
    msg = office_message(municipalities, postcode="9999")
    assert msg["To"] == "welzijn@opwijk.example"
    assert "doorsturen" in msg["Subject"]
    assert "5 kalenderdagen" in bodies(msg)[0]


def test_subjects_hold_no_personal_data(municipalities):
    office = office_message(municipalities)
    r = route("support-application", application(), municipalities["opwijk"], municipalities)
    confirmation = reparse(compose_confirmation(
        reference="OPW-2026-7K3Q9", form_id="support-application", lang="nl", recipient="marieke@mail.example",
        route=r, received_at=WHEN))
    for msg in (office, confirmation):
        for value in PERSONAL:
            assert value not in msg["Subject"]
        assert "OPW-2026-7K3Q9" in msg["Subject"]


@pytest.mark.parametrize("lang,expected", [("nl", "Wat gebeurt er nu?"), ("fr", "Et maintenant\u202f?")])
def test_confirmation_in_the_citizens_language_with_contact_and_no_answers(municipalities, lang, expected):
    answers = application(postcode="1060")
    site = municipalities["sint-gillis"]
    r = route("support-application", answers, site, municipalities)
    msg = reparse(compose_confirmation(reference="SGI-2026-7K3Q9", form_id="support-application", lang=lang,
                                       recipient=answers["email"], route=r, received_at=WHEN))
    assert msg["To"] == "marieke@mail.example"
    # From the competent social house by name; a reply goes to its office, where a person reads it.
    assert msg["From"].addresses[0].display_name == site.text(site.social_house, lang)
    assert msg["From"].addresses[0].addr_spec == "noreply@portal.example"
    assert msg["Reply-To"] == site.offices[0].email
    text, html = bodies(msg)
    office = site.offices[0]
    for body in (text, html):
        assert expected in body
        assert "SGI-2026-7K3Q9" in body
        assert office.phone in body and office.email in body
        # Nothing the citizen typed, not even the first name: a fixed greeting (no phishing relay).
        assert "Marieke" not in body
        for value in PERSONAL:
            if value != "marieke@mail.example":
                assert value not in body
    raw = queued("confirmation", msg).raw.decode()
    assert "Vandenbroucke" not in raw and "84070912345" not in raw


def test_the_message_id_is_fixed_at_queue_time_and_unchanged_on_retries(municipalities, store):
    accepted = accept(municipalities["opwijk"], "support-application", "nl", application(),
                      store=store, municipalities=municipalities, now=WHEN)
    first = store.claim_outbox(lease_seconds=1, now=1_000_000_000_000)
    for row in first:
        store.mark_retry(row.id, delay_seconds=60, error="SMTP 451", now=1_000_000_000_000)
    second = store.claim_outbox(now=1_000_000_000_100)
    assert [(r.message_id, r.raw) for r in second] == [(r.message_id, r.raw) for r in first]
    for row in second:
        parsed = email.message_from_bytes(row.raw, policy=email.policy.default)
        assert parsed["Message-ID"] == row.message_id
        assert parsed["X-Portal-Reference"] == accepted.reference
    assert len({r.message_id for r in second}) == 2


@pytest.mark.parametrize("value", [
    "marieke@mail.example\r\nBcc: victim@other.example",
    "marieke@mail.example\nBcc: victim@other.example",
    "=?utf-8?q?x=0ABcc=3A_victim=40other.example?=@mail.example",
    "marieke=?utf-8?q?x?=@mail.example",
    "Marieke <marieke@mail.example>",
    "marieke@mail.example\x00",
    "marieke@mail.example\u2028",
    "not-an-address",
])
def test_unsafe_reply_to_is_left_out_and_nothing_reaches_the_headers(municipalities, value):
    assert valid_address(value) is None
    msg = office_message(municipalities, email=value)
    assert msg["Reply-To"] is None and msg["Bcc"] is None
    assert "victim" not in str(msg["To"]) + str(msg["Subject"])
    assert [k for k in msg.keys() if k.lower() == "bcc"] == []


def test_names_with_newlines_or_encoded_words_stay_in_the_body(municipalities):
    msg = office_message(municipalities, first_name="Jan\r\nBcc: victim@other.example", last_name="=?utf-8?b?SGk=?=")
    assert msg["Bcc"] is None
    assert all("victim" not in str(v) and "=?" not in str(v) for v in msg.values()
               if not str(v).startswith("multipart"))


def test_header_value_strips_control_characters_and_refuses_encoded_words():
    assert header_value("Aanvraag\r\n hulp\x00") == "Aanvraag hulp"
    with pytest.raises(HeaderInjection):
        header_value("=?utf-8?q?Bcc:_x?=")


def test_answers_are_escaped_in_html_and_never_evaluated(municipalities):
    msg = office_message(municipalities, message="<script>alert(1)</script> {{7*7}} {% raw %}")
    text, html = bodies(msg)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "{{7*7}}" in text and "{{7*7}}" in html and "49" not in text


def test_office_message_uses_the_forms_labels_and_the_sites_own_wording(tmp_path, monkeypatch, municipalities):
    """Under `full` the answers are the shared presenter's rows: the labels of the form as the
    sending site shows it (its override file), choices by their label, a date in words."""
    project = tmp_path / "project"
    for name in ("forms", "templates"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copytree(ROOT / "site_config", project / "site_config")
    override = project / "site_config" / "opwijk" / "forms" / "support-application.yml"
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text("fields:\n  first_name:\n    label: {nl: Uw roepnaam}\n", encoding="utf-8")
    monkeypatch.setenv("PORTAL_ROOT", str(project))
    sites = municipalities | {"opwijk": dataclasses.replace(municipalities["opwijk"], path=project / "site_config" / "opwijk.yml")}
    text, html = bodies(office_message(sites))
    assert "Uw roepnaam: Marieke" in text and "Uw roepnaam" in html
    assert "9 juli 1984" in text                        # the date in words, as on the check page
    assert "Energie" in text and "help_type" not in text    # the choice's label, not its value
    assert text.index("Uw roepnaam") < text.index("Vandenbroucke")    # the form's order


@pytest.mark.parametrize("lang,received,deadline,court,competent", [
    ("nl", "25 november 2026 om 14:32", "25 december 2026", "arbeidsrechtbank", "OCMW Sint-Gillis"),
    ("fr", "25 novembre 2026 à 14:32", "25 décembre 2026", "tribunal du travail", "CPAS de Saint-Gilles"),
])
def test_confirmation_is_the_dated_acknowledgement_of_receipt(municipalities, lang, received, deadline, court, competent):
    answers = application(help_type="leefloon", postcode="1060")
    r = route("support-application", answers, municipalities["sint-gillis"], municipalities)
    msg = reparse(compose_confirmation(
        reference="SGI-2026-7K3Q9", form_id="support-application", lang=lang, recipient=answers["email"],
        route=r, received_at=dt.datetime(2026, 11, 25, 13, 32, tzinfo=dt.timezone.utc),
        help_type="leefloon"))
    text, html = bodies(msg)
    for body in (text, html):
        assert received in body and "SGI-2026-7K3Q9" in body and competent in body
        assert deadline in body and ("30 dagen" if lang == "nl" else "30 jours") in body
        assert court in body and ("3 maanden" if lang == "nl" else "3 mois") in body
        # The help type chooses the legal texts but is not named: the e-mail repeats no answer.
        assert "leefloon" not in body.lower() and "Revenu d'intégration (" not in body
    assert "leefloon" not in msg["Subject"].lower() and deadline not in msg["Subject"]


def test_wijk_werken_confirmation_has_no_deadline_but_says_what_happens_next(municipalities):
    answers = {"request_type": "user", "postcode": "1745", "email": "lotte@mail.example"}
    r = route("wijk-werken", answers, municipalities["opwijk"], municipalities)
    msg = reparse(compose_confirmation(reference="OPW-2026-7K3Q9", form_id="wijk-werken", lang="nl",
                                       recipient="lotte@mail.example", route=r, received_at=WHEN))
    text, html = bodies(msg)
    for body in (text, html):
        assert "2 maart 2026 om 10:30" in body and "geen wettelijke termijn" in body
        assert "Beslissing uiterlijk op" not in body and "arbeidsrechtbank" not in body
        assert "Hoorde je na tien werkdagen nog niets?" in body


def test_office_message_states_the_date_of_receipt_and_the_legal_deadline(municipalities):
    text, html = bodies(office_message(municipalities, help_type="leefloon"))
    for body in (text, html):
        assert "2 maart 2026 om 10:30" in body and "Beslissen uiterlijk op" in body and "1 april 2026" in body


def test_a_social_house_name_with_commas_and_quotes_is_a_safe_display_name(municipalities):
    """The name is config, but the email package quotes it: it can never add an address."""
    import dataclasses

    site = dataclasses.replace(municipalities["opwijk"], social_house={"nl": 'OCMW "Zuid", Noord <x@evil.example>'})
    answers = application()
    r = route("support-application", answers, site, {**municipalities, "opwijk": site})
    msg = compose_office_message(reference="OPW-2026-7K3Q9", form_id="support-application", answers=answers,
                                 route=r, site=site, received_at=WHEN, citizen_lang="nl")
    row = queued("office", msg)
    assert row.sender == "noreply@portal.example"               # the envelope sender: no name
    parsed = reparse(msg)
    assert [a.addr_spec for a in parsed["From"].addresses] == ["noreply@portal.example"]
    assert parsed["From"].addresses[0].display_name == 'OCMW "Zuid", Noord <x@evil.example>'


def test_portal_check_names_the_file_and_key_of_an_email_text_without_french(tmp_path, monkeypatch):
    """The e-mails are built from templates/mail/ with their texts in portal/messages/mail.yml:
    a text missing one language is a `portal check` error at its file and line."""
    import shutil

    import portal.common.i18n
    from portal.checks.run import check

    folder = tmp_path / "messages"
    shutil.copytree(portal.common.i18n.MESSAGES_DIR, folder)
    path = folder / "mail.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("mail.confirmation_subject:"))
    lines[number] = 'mail.confirmation_subject: {nl: "Ontvangen: {form} {reference}"}'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(portal.common.i18n, "MESSAGES_DIR", folder)
    portal.common.i18n.messages.cache_clear()
    try:
        findings = [f for f in check() if f.path.name == "mail.yml"]
    finally:
        portal.common.i18n.messages.cache_clear()
    assert [(f.line, f.message) for f in findings] == [(number + 1, "message 'mail.confirmation_subject' has no 'fr' text"),
                                                       (number + 1, "message 'mail.confirmation_subject' has no 'de' text")]
