"""The receipt and the check-your-answers step in Chromium, and quick exit on the form pages.

- A leefloon application's receipt states the date and time of receipt, the decision period and
  the deadline, in Dutch and in French; its print view too; axe-core finds nothing on the check
  page, the receipt and the print view.
- Without JavaScript, a change on the check page opens the form at that question with the
  answers filled in, and sending it returns to the check page; no answer ever appears in a URL.
- The quick exit on the form works with the keyboard (Tab to it, Enter; Shift three times) and
  replaces the form in the history with the site's neutral page.

The backend runs with a small static site beside it (as under `portal serve`), holding the sites'
neutral pages as the build writes them, so the quick exit lands on a real page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations, forms_backend, serving
from .test_forms_browser import TEXTS, fill_valid, form_page_url

pytestmark = pytest.mark.browser
RECEIPT = {
    "nl": {"received": r"^\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4} om \d\d:\d\d$",
           "period": "30 dagen", "deadline_label": "Beslissing uiterlijk op", "no_decision": "Geen beslissing op tijd?",
           "print_link": "Afdrukken of bewaren als PDF", "print_title": "Ontvangstbewijs", "print_button": "Afdrukken",
           "change": "Wijzigen", "return": "Opslaan en terug naar het overzicht"},
    "fr": {"received": r"^(1er|\d{1,2}) (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4} à \d\d:\d\d$",
           "period": "30 jours", "deadline_label": "Décision au plus tard le", "no_decision": "Pas de décision dans les délais\u202f?",
           "print_link": "Imprimer ou enregistrer en PDF", "print_title": "Accusé de réception", "print_button": "Imprimer",
           "change": "Modifier", "return": "Enregistrer et revenir au récapitulatif"},
}
DATE = r"(1er|\d{1,2}) [a-zéû]+ \d{4}"


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    """The form backend and a static site folder with the neutral pages, on one loopback port."""
    from portal.common.paths import neutral_page_path
    from portal.serve import combined_app
    from portal.site.quick_exit import neutral_page_html

    folder = tmp_path_factory.mktemp("receipt-browser")
    app = forms_backend(folder)
    site = folder / "site" / "sint-gillis"
    (site / "nl").mkdir(parents=True)
    (site / "index.html").write_text('<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Accueil</title></head>'
                                     "<body><main><h1>CPAS de Saint-Gilles</h1></main></body></html>", encoding="utf-8")
    for lang in ("fr", "nl"):
        (site / neutral_page_path(lang, "fr")).write_text(neutral_page_html(lang, "fr"), encoding="utf-8")
    with serving(combined_app(folder / "site", app)) as url:
        yield url


def urls_seen(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


@pytest.mark.parametrize("lang_key", ["nl", "fr"])
def test_a_leefloon_receipt_shows_the_date_and_the_decision_period(new_page, server_url, lang_key):
    texts, words = RECEIPT[lang_key], TEXTS[lang_key]
    page = new_page(1280)
    seen = urls_seen(page)
    page.goto(form_page_url(server_url, lang_key))
    fill_valid(page, lang_key)                        # help type: the first choice, leefloon
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text(words["check"])
    assert axe_violations(page) == [], "check your answers"
    page.click("button[name=send]")
    page.wait_for_url(re.compile(r"/received/"))
    expect(page.locator("h1")).to_have_text(words["received"])
    expect(page.locator("[data-portal-received]")).to_have_text(re.compile(texts["received"]))
    expect(page.locator("[data-portal-decision-period]")).to_have_text(texts["period"])
    expect(page.locator("[data-portal-deadline]")).to_have_text(re.compile(f"^{DATE}$"))
    expect(page.get_by_text(texts["deadline_label"])).to_be_visible()
    expect(page.get_by_role("heading", name=texts["no_decision"])).to_be_visible()
    assert axe_violations(page) == [], "receipt"

    received = page.locator("[data-portal-received]").inner_text()
    deadline = page.locator("[data-portal-deadline]").inner_text()
    page.get_by_role("link", name=texts["print_link"]).click()
    page.wait_for_url(re.compile(r"/received/[^/]+/print$"))
    expect(page.locator("h1")).to_have_text(texts["print_title"])
    expect(page.locator("[data-portal-received]")).to_have_text(received)
    expect(page.locator("[data-portal-deadline]")).to_have_text(deadline)
    expect(page.get_by_role("button", name=texts["print_button"])).to_be_visible()   # with JavaScript
    assert axe_violations(page) == [], "print view"
    # On paper: the acknowledgement, without the instructions and buttons around it.
    page.emulate_media(media="print")
    expect(page.locator(".portal-print-tools")).to_be_hidden()
    expect(page.locator("[data-portal-deadline]")).to_be_visible()
    assert all("Peeters" not in url and "an.peeters" not in url for url in seen)


def test_the_print_view_works_without_javascript(new_page, server_url):
    page = new_page(390, javascript=False)
    page.goto(form_page_url(server_url, "nl"))
    fill_valid(page, "nl")
    page.click("button[type=submit]")
    page.click("button[name=send]")
    page.wait_for_url(re.compile(r"/received/"))
    page.get_by_role("link", name=RECEIPT["nl"]["print_link"]).click()
    expect(page.locator("h1")).to_have_text("Ontvangstbewijs")
    expect(page.locator("[data-portal-decision-period]")).to_have_text("30 dagen")
    expect(page.get_by_text("Ctrl+P")).to_be_visible()                    # how to print without the button
    expect(page.locator("[data-portal-print]")).to_be_hidden()


@pytest.mark.parametrize("lang_key", ["nl", "fr"])
def test_a_change_on_the_check_page_returns_to_it_without_javascript(new_page, server_url, lang_key):
    texts, words = RECEIPT[lang_key], TEXTS[lang_key]
    page = new_page(390, javascript=False)
    seen = urls_seen(page)
    page.goto(form_page_url(server_url, lang_key))
    fill_valid(page, lang_key)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text(words["check"])
    first_name_label = "Voornaam" if lang_key == "nl" else "Prénom"
    change = page.get_by_role("button", name=f"{texts['change']} {first_name_label}")
    expect(change).to_have_count(1)
    change.click()
    # The form, at that question, with every answer still there.
    expect(page.locator("#first_name")).to_be_focused()
    expect(page.locator("#first_name")).to_have_value("An")
    expect(page.locator("#last_name")).to_have_value("Peeters")
    expect(page.locator("#help_type")).to_be_checked()
    page.fill("#first_name", "Anna")
    page.get_by_role("button", name=texts["return"]).click()
    # Back on the check page (not a fresh start), with the new answer.
    expect(page.locator("h1")).to_have_text(words["check"])
    row = page.locator(".portal-summary-list__row", has=page.locator("dt", has_text=re.compile(f"^{first_name_label}$")))
    expect(row.locator(".portal-summary-list__value")).to_have_text("Anna")
    page.click("button[name=send]")
    page.wait_for_url(re.compile(r"/received/"))
    expect(page.locator("h1")).to_have_text(words["received"])
    for url in seen:                                   # no answer in any address the browser asked for
        assert "Anna" not in url and "Peeters" not in url and "an.peeters" not in url, url


def test_quick_exit_on_the_form_by_keyboard(new_page, server_url):
    page = new_page(1280)
    page.goto(f"{server_url}/sint-gillis/")
    page.goto(form_page_url(server_url, "fr"))
    exit_link = page.locator("[data-portal-quick-exit] a")
    expect(exit_link).to_have_text("Quitter rapidement ce site")
    expect(page.locator(".portal-quick-exit__hint")).to_be_visible()      # the Shift hint, with JavaScript
    for _ in range(10):                                # a few Tabs from the top of the page reach it
        page.keyboard.press("Tab")
        if exit_link.evaluate("link => link === document.activeElement"):
            break
    expect(exit_link).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server_url}/sint-gillis/calendrier.html")
    expect(page).to_have_title("Calendrier")
    # The form was replaced in the history: Back goes to the page before it.
    page.go_back()
    page.wait_for_url(f"{server_url}/sint-gillis/")
    expect(page).to_have_title("Accueil")


def test_quick_exit_by_pressing_shift_three_times(new_page, server_url):
    page = new_page(1280)
    page.goto(f"{server_url}/forms/sint-gillis/nl/support-application/")
    page.fill("#first_name", "An")
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(f"{server_url}/sint-gillis/nl/kalender.html")
    expect(page).to_have_title("Kalender")


def test_quick_exit_works_without_javascript(new_page, server_url):
    page = new_page(390, javascript=False)
    page.goto(form_page_url(server_url, "fr"))
    expect(page.locator(".portal-quick-exit__hint")).to_be_hidden()       # no shortcut to promise
    page.locator("[data-portal-quick-exit] a").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server_url}/sint-gillis/calendrier.html")
