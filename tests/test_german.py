"""German (de), the third language: the German-first demo site (Eupen) builds, its form works in
German from the empty page to the receipt and the e-mails, and no Dutch or French interface text
is left on a German page (the language switch names "Français" in French, marked lang="fr")."""

from __future__ import annotations

import email
import email.policy
import html as html_lib
import re

import pytest

from portal.common.i18n import format_date, messages
from portal.municipal.config import load_municipality
from tests.conftest import ROOT
from tests.test_forms_web import SECRET, confirm, route_of, send, support_answers, token_of

EUPEN = "/forms/eupen/de/support-application/"
# Words of the theme (mkdocs-material) and of the interface that betray a Dutch or French page.
TELLTALES = ("Zoeken", "Rechercher", "Inhoudstafel", "Table des matières", "Volgende", "Suivant",
             "Vorige", "Précédent", "OCMW", "CPAS", "Sociaal Huis", " jij ", " uw ", " votre ", " vous ")


def interface_fragments() -> set[str]:
    """Every piece of Dutch and French interface text (messages and forms) that differs from the
    German one, cut at its placeholders; only pieces long enough to be telling."""
    import yaml

    values = list(messages().values())
    for form_id in ("support-application", "wijk-werken"):
        data = yaml.safe_load((ROOT / "forms" / f"{form_id}.yml").read_text(encoding="utf-8"))

        def walk(node):
            if isinstance(node, dict):
                if "nl" in node and "fr" in node and isinstance(node["fr"], str):
                    values.append(node)
                    return
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)
        walk(data)
    fragments = set()
    for value in values:
        for lang in ("nl", "fr"):
            text = str(value.get(lang) or "")
            if text == value.get("de"):
                continue
            for piece in re.split(r"\{[a-z_]+\}", text):
                piece = piece.strip(" :;,.\u00a0\u202f")
                if len(piece) >= 10:
                    fragments.add(piece)
    return fragments


def visible_text(page: str) -> str:
    """The text a reader meets, attributes that are read out included; elements marked as another
    language (lang="fr", lang="nl") left out, as screen readers switch voice for them."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<(\w+)[^>]*\blang="(?:fr|nl)"[^>]*>.*?</\1>', " ", page, flags=re.S)
    attributes = " ".join(re.findall(r'(?:aria-label|title|placeholder|alt|content)="([^"]*)"', page))
    text = re.sub(r"<[^>]+>", " ", page) + " " + attributes
    return re.sub(r"\s+", " ", html_lib.unescape(text))


def foreign_words(text: str, fragments: set[str]) -> list[str]:
    found = [f for f in fragments if f in text]
    found += [w.strip() for w in TELLTALES if w in f" {text} "]
    return sorted(found)


@pytest.fixture(scope="module")
def fragments() -> set[str]:
    return interface_fragments()


def test_the_fragments_would_catch_a_dutch_or_french_text(fragments):
    assert "Er is een probleem" in fragments and "Il y a un problème" in fragments
    assert foreign_words("Fehler: Er is een probleem", fragments) == ["Er is een probleem"]


def test_german_dates():
    import datetime as dt

    assert format_date(dt.date(2026, 12, 1), "de") == "1. Dezember 2026"
    assert format_date(dt.date(2026, 12, 24), "de", weekday=True) == "Donnerstag, 24. Dezember 2026"


def test_eupen_is_german_first_with_french_beside_it():
    m = load_municipality("eupen", ROOT)
    assert m.languages == ["de", "fr"] and m.postcodes == ["4700", "4701"]
    assert all(address.endswith(".example") for address in m.inboxes.values())


def test_every_german_page_of_the_built_site_is_german_only(built_sites, fragments):
    site = built_sites / "eupen"
    pages = [p for p in site.rglob("*.html") if not p.relative_to(site).parts[0] == "fr"]
    assert len(pages) >= 9, pages
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert '<html lang="de"' in html, path
        assert foreign_words(visible_text(html), fragments) == [], path


@pytest.fixture
def client(scratch_project, tmp_path):
    from portal.web import create_app

    app = create_app({"SECRET_KEY": SECRET, "ENV": "testing", "ROOT": scratch_project,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
                      "FORM_MIN_FILL_SECONDS": 0, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    client.store = app.extensions["portal_store"]
    return client


def test_the_german_form_from_empty_page_to_receipt_and_mails(client, fragments):
    empty = client.get(EUPEN).get_data(as_text=True)
    assert "Hilfe beantragen" in empty and '<html lang="de"' in empty
    assert foreign_words(visible_text(empty), fragments) == []
    errors = client.post(EUPEN, data={"csrf_token": token_of(empty), "step": "check",
                                      "first_name": "Anna", "postcode": "12"}).get_data(as_text=True)
    assert "Es gibt ein Problem" in errors and "Geben Sie Ihren Nachnamen an" in errors
    assert "Geben Sie eine belgische Postleitzahl mit 4 Ziffern an" in errors
    assert foreign_words(visible_text(errors), fragments) == []
    answers = support_answers(first_name="Anna", last_name="Schmitz", postcode="4700", city="Eupen",
                              street="Rathausplatz", phone="+49 241 123456", national_number="85.02.00-033.20")  # birth day unknown
    check_page = send(client, EUPEN, answers)
    check = check_page.get_data(as_text=True)
    assert "Prüfen Sie Ihre Antworten" in check and "30. Juli 1985" in check
    assert "+49 241 123456" in check
    assert route_of(check) == "Ihre Postleitzahl ist 4700. Ihr Antrag geht deshalb an diese Stelle: ÖSHZ Eupen."
    assert foreign_words(visible_text(check), fragments) == []
    response = confirm(client, EUPEN, check_page)
    assert response.status_code == 303
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Antrag erhalten" in receipt and "Empfangsbestätigung" in receipt
    assert foreign_words(visible_text(receipt), fragments) == []
    rows = client.store.claim_outbox(lease_seconds=60)
    for row in rows:
        message = email.message_from_bytes(row.raw, policy=email.policy.default)
        text = message.get_body(("plain",)).get_content()
        assert foreign_words(re.sub(r"\s+", " ", text), fragments) == [], row.kind
    confirmation = email.message_from_bytes(next(r for r in rows if r.kind == "confirmation").raw,
                                            policy=email.policy.default)
    assert confirmation["Subject"].startswith("Eingegangen: Antrag auf Hilfe ")
    # German nouns keep their capital (the form's title is not lowercased into the sentence).
    assert "Wir haben Ihren Antrag auf Hilfe erhalten." in confirmation.get_body(("plain",)).get_content()


def test_a_postcode_outside_east_belgium_names_the_competent_oshz_in_german(client):
    answers = support_answers(postcode="4780", city="Sankt Vith", national_number="")
    check = send(client, EUPEN, answers).get_data(as_text=True)
    assert "Die Postleitzahl 4780 gehört zum ÖSHZ Sankt Vith: Dieses ÖSHZ entscheidet über Ihren Antrag." in route_of(check)


def test_the_german_404_of_the_backend(client, fragments):
    page = client.get("/forms/eupen/de/no-such-form/")
    assert page.status_code == 404
    assert "Seite nicht gefunden" in page.get_data(as_text=True)
