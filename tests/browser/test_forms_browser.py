"""The forms in Chromium: sent (through the check-your-answers page) with and without JavaScript,
the error summary, axe-core (WCAG 2.1 AA) on the empty form, the error state, the check page and
the receipt, in Dutch and French, phone and desktop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations, forms_backend, serving

pytestmark = pytest.mark.browser
WIDTHS = (390, 1280)
# (site, language, form, postcode of the site): Opwijk is Dutch only, Sint-Gillis French first.
FORMS = {
    "nl": ("opwijk", "nl", "support-application", "1745"),
    "fr": ("sint-gillis", "fr", "support-application", "1060"),
}
TEXTS = {
    "nl": {"summary": "Er is een probleem", "first_name": "Vul je voornaam in",
           "help_type": "Kies waarvoor je hulp nodig hebt", "received": "Aanvraag ontvangen", "prefix": "Fout: ",
           "check": "Controleer je antwoorden"},
    "fr": {"summary": "Il y a un problème", "first_name": "Indiquez votre prénom",
           "help_type": "Choisissez pour quoi vous avez besoin d'aide", "received": "Demande reçue", "prefix": "Erreur\u00a0: ",
           "check": "Vérifiez vos réponses"},
}


@pytest.fixture(scope="module")
def forms_url(tmp_path_factory):
    """The form backend (create_app) on a copy of the example project, on a free loopback port."""
    with serving(forms_backend(tmp_path_factory.mktemp("forms-browser"))) as url:
        yield url


def form_page_url(forms_url: str, lang_key: str) -> str:
    slug, lang, form_id, _ = FORMS[lang_key]
    return f"{forms_url}/forms/{slug}/{lang}/{form_id}/"


def fill_valid(page, lang_key: str) -> None:
    """Answer every question the way a citizen would, by clicking and typing."""
    postcode = FORMS[lang_key][3]
    page.check("#help_type")                        # the first choice: leefloon
    page.fill("#first_name", "An")
    page.fill("#last_name", "Peeters")
    page.fill("#birth_date", "1985-07-30")
    page.fill("#national_number", "85.07.30-033.28")
    page.fill("#street", "Kerkstraat")
    page.fill("#house_number", "5")
    page.fill("#postcode", postcode)
    page.fill("#city", "Gemeente")
    page.fill("#phone", "0470 12 34 56")
    page.fill("#email", "an.peeters@example.be")
    page.check("#contact_preference-email")
    page.fill("#message", "Ik ben liefst in de voormiddag bereikbaar.\nDank u.")
    page.check("#declaration")


def send_from_check_page(page, lang_key: str) -> None:
    """On the check-your-answers page (nothing stored yet), press the send button."""
    expect(page.locator("h1")).to_have_text(TEXTS[lang_key]["check"])
    page.click("button[name=send]")
    page.wait_for_url(re.compile(r"/received/"))


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
@pytest.mark.parametrize("lang_key", ["nl", "fr"])
def test_a_filled_in_form_reaches_the_receipt(new_page, forms_url, lang_key, javascript):
    page = new_page(390, javascript=javascript)
    page.goto(form_page_url(forms_url, lang_key))
    fill_valid(page, lang_key)
    page.click("button[type=submit]")
    send_from_check_page(page, lang_key)
    expect(page.locator("h1")).to_have_text(TEXTS[lang_key]["received"])
    expect(page.locator(".portal-reference")).to_have_text(re.compile(r"^[A-Z]{3}-\d{4}-[A-Z0-9]{5}$"))
    assert new_page.foreign == []


@pytest.mark.parametrize("lang_key", ["nl", "fr"])
def test_error_summary_gets_focus_and_its_links_move_to_the_fields(new_page, forms_url, lang_key):
    texts = TEXTS[lang_key]
    page = new_page(1280)
    page.goto(form_page_url(forms_url, lang_key))
    page.fill("#last_name", "Peeters")
    page.click("button[type=submit]")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.locator("h2")).to_have_text(texts["summary"])
    assert page.title().startswith(texts["prefix"])
    expect(page.locator("#last_name")).to_have_value("Peeters")          # answers kept
    summary.get_by_role("link", name=texts["first_name"]).click()
    expect(page.locator("#first_name")).to_be_focused()
    # The message next to the field is what the field announces.
    expect(page.locator("#first_name")).to_have_attribute("aria-describedby", "first_name-error")
    expect(page.locator("#first_name-error")).to_contain_text(texts["first_name"])
    summary.get_by_role("link", name=texts["help_type"]).click()
    expect(page.locator("#help_type")).to_be_focused()                   # the first radio
    assert page.locator("legend", has_text=re.compile(r"\?")).first.is_visible()


def test_error_summary_works_without_javascript(new_page, forms_url):
    page = new_page(390, javascript=False)
    page.goto(form_page_url(forms_url, "nl"))
    page.click("button[type=submit]")
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#error-summary")).to_be_focused()                # autofocus, no script
    page.locator("#error-summary").get_by_role("link", name=TEXTS["nl"]["first_name"]).click()
    assert page.url.endswith("#first_name")
    expect(page.locator("#first_name")).to_be_in_viewport()


def test_conditional_address_with_no_fixed_address(new_page, forms_url):
    page = new_page(390, javascript=False)
    page.goto(form_page_url(forms_url, "nl"))
    fill_valid(page, "nl")
    for field in ("#street", "#house_number", "#postcode", "#city"):
        page.fill(field, "")
    page.check("#no_fixed_address")
    page.check("#contact_preference")            # the first choice: by phone
    page.click("button[type=submit]")
    send_from_check_page(page, "nl")


def test_no_fixed_address_with_an_address_keeps_the_address_and_says_what_to_do(new_page, forms_url):
    page = new_page(390, javascript=False)
    page.goto(form_page_url(forms_url, "nl"))
    fill_valid(page, "nl")
    page.check("#no_fixed_address")
    page.click("button[type=submit]")
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Je hebt aangevinkt dat je geen vaste verblijfplaats hebt.")
    summary.get_by_role("link").first.click()
    expect(page.locator("#no_fixed_address")).to_be_checked()
    expect(page.locator("#street")).to_have_value("Kerkstraat")
    expect(page.locator("#postcode")).to_have_value("1745")


JOB_QUESTIONS = ("requester_kind", "organisation_name", "job_description")


def visible_questions(page) -> list[str]:
    return [name for name in JOB_QUESTIONS if page.locator(f"#{name}").is_visible()]


def test_the_job_questions_show_only_for_a_job_request(new_page, forms_url):
    page = new_page(390)
    page.goto(f"{forms_url}/forms/opwijk/nl/wijk-werken/")
    assert visible_questions(page) == []                      # nothing chosen yet
    page.check("#request_type")                               # a job
    assert visible_questions(page) == ["requester_kind", "job_description"]
    page.check("#requester_kind-school")
    assert visible_questions(page) == list(JOB_QUESTIONS)
    page.fill("#organisation_name", "GO! Atheneum")
    page.check("#request_type-worker")                        # changed their mind: a wijk-werker
    assert visible_questions(page) == []
    page.check("#request_type")                               # and back: what was typed is still there
    expect(page.locator("#organisation_name")).to_have_value("GO! Atheneum")
    assert axe_violations(page) == []


def test_without_javascript_the_job_questions_show_and_say_when_to_skip_them(new_page, forms_url):
    page = new_page(390, javascript=False)
    page.goto(f"{forms_url}/forms/opwijk/nl/wijk-werken/")
    page.check("#request_type-worker")
    assert visible_questions(page) == list(JOB_QUESTIONS)
    expect(page.locator("#request_type-hint")).to_have_text(
        "Wil je zelf wijk-werker worden? Sla dan de 3 vragen over de klus hieronder over.")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang_key", ["nl", "fr"])
def test_no_axe_violations_on_the_form_the_errors_and_the_receipt(new_page, forms_url, lang_key, width):
    page = new_page(width)
    page.goto(form_page_url(forms_url, lang_key))
    assert axe_violations(page) == [], "empty form"
    page.fill("#first_name", "An")
    page.fill("#postcode", "12")
    page.click("button[type=submit]")
    expect(page.locator("#error-summary")).to_be_visible()
    assert axe_violations(page) == [], "error state"
    page.fill("#postcode", "")
    fill_valid(page, lang_key)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text(TEXTS[lang_key]["check"])
    assert axe_violations(page) == [], "check your answers"
    send_from_check_page(page, lang_key)
    assert axe_violations(page) == [], "receipt"
    assert new_page.foreign == []


def test_the_language_switch_opens_the_same_form_in_the_other_language(new_page, forms_url):
    page = new_page(390, javascript=False)
    page.goto(form_page_url(forms_url, "fr"))
    page.get_by_role("link", name="Nederlands").click()
    expect(page.locator("h1")).to_have_text("Hulp aanvragen")
    assert page.url.endswith("/forms/sint-gillis/nl/support-application/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")


def overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] \
        and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


@pytest.mark.parametrize("below", [30, -10])   # partly below the window; fully in it, under the button
def test_a_focused_field_is_never_hidden_under_the_quick_exit_at_390px(forms_url, new_page, below):
    """WCAG 2.4.11: tabbing to Voornaam when it sits where the fixed button is scrolls it clear."""
    page = new_page(390)
    page.set_viewport_size({"width": 390, "height": 420})
    page.goto(f"{forms_url}/forms/opwijk/nl/wijk-werken/")
    page.check("#request_type")                   # a job: its questions show, the last just above Voornaam
    page.locator("#job_description").focus()
    page.evaluate("""below => window.scrollTo(0, window.scrollY + document.querySelector('#first_name')
                     .getBoundingClientRect().bottom - window.innerHeight + below)""", below)
    button = page.locator(".portal-quick-exit").bounding_box()
    assert overlap(page.locator("#first_name").bounding_box(), button) or below > 0   # the situation is real
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "first_name"
    field = page.locator("#first_name").bounding_box()
    assert not overlap(field, page.locator(".portal-quick-exit").bounding_box()), (field, button)
    assert field["y"] >= 0 and field["y"] + field["height"] <= 420


def test_the_shift_hint_is_not_shown_on_a_touch_screen(browser, browser_context_args, forms_url):
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": 390, "height": 844},
                                     "has_touch": True, "is_mobile": True})
    try:
        page = context.new_page()
        page.goto(f"{forms_url}/forms/opwijk/nl/support-application/")
        assert page.locator(".portal-quick-exit__button").is_visible()
        assert not page.locator(".portal-quick-exit__hint").is_visible()
    finally:
        context.close()
