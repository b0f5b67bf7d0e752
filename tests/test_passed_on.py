"""An application from a postcode no configured municipality serves: the check page, the receipt and
the confirmation e-mail tell one story. The site's own office received it and passes it on within
five calendar days to the OCMW the national table names; that OCMW decides and is the one to ask
about the decision (DESIGN.md, Routing). Through the real app: POST, receipt page, outbox."""

from __future__ import annotations

import email
import email.policy
import re
from html import unescape

import pytest

from tests.test_forms_web import route_of, send, submit, support_answers


def summary(html: str) -> dict:
    """The receipt's summary rows: label -> value."""
    rows = re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", html, re.S)
    return {unescape(re.sub(r"<[^>]+>", "", k)).strip(): unescape(re.sub(r"<[^>]+>", "", v)).strip() for k, v in rows}


def text_of(html: str) -> str:
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    return squeeze(unescape(re.sub(r"<[^>]+>", " ", main)))


def squeeze(text: str) -> str:
    """Runs of ordinary white space as one space; French no-break spaces stay."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def confirmation(store) -> email.message.EmailMessage:
    rows = {row.kind: row for row in store.claim_outbox(lease_seconds=60)}
    return email.message_from_bytes(rows["confirmation"].raw, policy=email.policy.default)


CASES = {
    # site, lang, receiving office, the OCMW that decides, sentences that must be there, and not.
    "nl": ("opwijk", "nl", "Sociaal Huis De Wegwijzer", "OCMW Gent", "Bevoegd", "Ontvangen door", [
        "Daarom beslist een ander OCMW over je aanvraag: OCMW Gent.",
        "Sociaal Huis De Wegwijzer stuurt je aanvraag binnen 5 kalenderdagen door naar dat OCMW en laat je dat weten.",
        "Vraag dan aan OCMW Gent of er al een beslissing is.",
        "Het OCMW dat beslist, neemt daarna contact met je op.",
    ], [
        "Vraag dan aan Sociaal Huis De Wegwijzer",
        "Een maatschappelijk werker neemt binnen vijf werkdagen contact met je op",   # Opwijk's own next steps
    ]),
    "fr": ("sint-gillis", "fr", "CPAS de Saint-Gilles", "CPAS de Gand", "Compétent", "Reçue par", [
        "C'est donc un autre CPAS qui décide de votre demande\u00a0: CPAS de Gand.",
        "Votre demande lui est transmise dans les 5 jours calendrier.",
        "Adressez-vous à l'organisme suivant\u00a0: CPAS de Gand.",
    ], [
        "Adressez-vous à l'organisme suivant\u00a0: CPAS de Saint-Gilles",
        "Un assistant social vous contactera dans les cinq jours ouvrables",
    ]),
    "de": ("eupen", "de", "ÖSHZ Eupen", "ÖSHZ Gent", "Zuständig", "Eingegangen bei", [
        "Deshalb entscheidet ein anderes ÖSHZ über Ihren Antrag: ÖSHZ Gent.",
        "Ihr Antrag wird innerhalb von 5 Kalendertagen dorthin geschickt.",
        "Wenden Sie sich an diese Stelle: ÖSHZ Gent.",
    ], [
        "Wenden Sie sich an diese Stelle: ÖSHZ Eupen",
        "Ein Sozialarbeiter meldet sich innerhalb von fünf Werktagen",
    ]),
}


@pytest.mark.parametrize("case", CASES)
def test_an_application_from_outside_every_area_gets_one_story_on_check_page_receipt_and_mail(app, client, case):
    slug, lang, receiver, decider, competent_label, received_label, present, absent = CASES[case]
    url = f"/forms/{slug}/{lang}/support-application/"
    answers = support_answers(postcode="9000", city="Gent")
    check = unescape(route_of(send(client, url, answers).get_data(as_text=True)))
    assert decider.split()[-1] in check and receiver in check          # the check page said so first

    stored = submit(client, url, answers)
    assert stored.status_code == 303
    html = client.get(stored.headers["Location"]).get_data(as_text=True)
    rows = summary(html)
    assert rows[competent_label] == decider
    assert rows[received_label] == receiver
    page = text_of(html)
    for sentence in present:
        assert sentence in page, sentence
    for sentence in absent:
        assert sentence not in page, sentence

    mail = confirmation(app.extensions["portal_store"])
    body = squeeze(mail.get_body(("plain",)).get_content())
    assert f"{competent_label}{':' if lang != 'fr' else chr(0xa0) + ':'} {decider}" in body
    assert f"{received_label}{':' if lang != 'fr' else chr(0xa0) + ':'} {receiver}" in body
    for sentence in present:
        assert sentence in body, sentence
    for sentence in absent:
        assert sentence not in body, sentence
    assert mail["From"].addresses[0].display_name == receiver       # who wrote: the office that has it


def test_a_split_postcode_names_both_candidates_and_asks_the_ocmw_of_the_residence(client):
    stored = submit(client, "/forms/opwijk/nl/support-application/", support_answers(postcode="1040", city="Etterbeek"))
    html = client.get(stored.headers["Location"]).get_data(as_text=True)
    competent = summary(html)["Bevoegd"]
    assert re.fullmatch(r"OCMW \S.* of OCMW \S.*", competent), competent
    page = text_of(html)
    assert "Je straat bepaalt welk:" in page
    assert "Vraag dan aan het OCMW van je woonplaats of er al een beslissing is." in page


def test_a_postcode_the_table_does_not_know_says_the_ocmw_of_the_residence_decides(client):
    stored = submit(client, "/forms/opwijk/nl/support-application/", support_answers(postcode="1234", city="Nergens"))
    html = client.get(stored.headers["Location"]).get_data(as_text=True)
    rows = summary(html)
    assert "Bevoegd" not in rows and rows["Ontvangen door"] == "Sociaal Huis De Wegwijzer"
    page = text_of(html)
    assert "Daarom beslist het OCMW van je woonplaats over je aanvraag." in page
    assert "Vraag dan aan het OCMW van je woonplaats of er al een beslissing is." in page


def test_inside_the_area_the_receipt_is_as_before(client):
    stored = submit(client, "/forms/opwijk/nl/support-application/", support_answers())
    html = client.get(stored.headers["Location"]).get_data(as_text=True)
    rows = summary(html)
    assert rows["Bevoegd"] == "Sociaal Huis De Wegwijzer" and "Ontvangen door" not in rows
    page = text_of(html)
    assert "Vraag dan aan Sociaal Huis De Wegwijzer of er al een beslissing is." in page
    assert "Een maatschappelijk werker neemt binnen vijf werkdagen contact met je op" in page
    assert "kalenderdagen" not in page
