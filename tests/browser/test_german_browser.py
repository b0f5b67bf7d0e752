"""The German-first demo site (Eupen) in Chromium: the form in German from the empty page to the
receipt, axe-core clean at every step, and the built German pages clean too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations, forms_backend, serving

pytestmark = pytest.mark.browser
EUPEN = "/forms/eupen/de/support-application/"


@pytest.fixture(scope="module")
def forms_url(tmp_path_factory):
    with serving(forms_backend(tmp_path_factory.mktemp("german-browser"))) as url:
        yield url


def fill_valid(page) -> None:
    page.get_by_label("Eingliederungseinkommen").check()
    page.get_by_label("Vorname").fill("Anna")
    page.get_by_label("Nachname").fill("Schmitz")
    page.get_by_label("Geburtsdatum").fill("30/07/1985")
    page.fill("#street", "Rathausplatz")
    page.fill("#house_number", "1")
    page.fill("#postcode", "4700")
    page.fill("#city", "Eupen")
    page.fill("#phone", "087 12 34 56")
    page.fill("#email", "anna.schmitz@example.be")
    page.get_by_label("Per E-Mail").check()
    page.check("#declaration")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_german_form_end_to_end_with_axe_at_every_step(new_page, forms_url, width):
    page = new_page(width)
    page.goto(forms_url + EUPEN)
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_have_text("Hilfe beantragen")
    assert axe_violations(page) == [], "empty form"
    page.get_by_label("Vorname").fill("Anna")
    page.fill("#postcode", "12")
    page.click("button[type=submit]")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text("Es gibt ein Problem")
    assert page.title().startswith("Fehler: ")
    summary.get_by_role("link", name="Geben Sie Ihren Nachnamen an").click()
    expect(page.locator("#last_name")).to_be_focused()
    assert axe_violations(page) == [], "error state"
    page.fill("#postcode", "")
    fill_valid(page)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Prüfen Sie Ihre Antworten")
    expect(page.locator("[data-portal-route]")).to_have_text("Ihre Postleitzahl ist 4700. Ihr Antrag geht deshalb an diese Stelle: ÖSHZ Eupen.")
    expect(page.locator(".portal-summary-list")).to_contain_text("30. Juli 1985")
    assert axe_violations(page) == [], "check your answers"
    page.click("button[name=send]")
    page.wait_for_url(re.compile(r"/received/"))
    expect(page.locator("h1")).to_have_text("Antrag erhalten")
    expect(page.locator(".portal-reference")).to_have_text(re.compile(r"^[A-Z]{3}-\d{4}-[A-Z0-9]{5}$"))
    assert axe_violations(page) == [], "receipt"
    assert new_page.foreign == []


def test_the_german_pages_of_the_built_site_have_no_axe_violations(new_page, site_url):
    page = new_page(1280)
    for path in ("", "leefloon/", "faq/", "werk-zoeken/"):
        page.goto(f"{site_url}/eupen/{path}")
        expect(page.locator("html")).to_have_attribute("lang", "de")
        assert axe_violations(page) == [], path
    assert new_page.foreign == []
