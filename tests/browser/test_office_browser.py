"""The staff inbox in Chromium, at 390 and 1280 px: sign-in, the list, one application and its
print view, and a status change, all without JavaScript; axe-core finds nothing on any of them;
no request leaves the host; the pages are in the inbox's language (Saint-Gilles: French)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations, forms_backend, serving

pytestmark = pytest.mark.browser
INBOX = "welzijn@opwijk.example"
ANSWERS = {
    "help_type": "leefloon", "first_name": "Roosmarijn", "last_name": "Verhaeghe", "birth_date": "1985-07-30",
    "national_number": "85.07.30-033.28", "no_fixed_address": False, "street": "Kerkstraat", "house_number": "5",
    "postcode": "1745", "city": "Opwijk", "phone": "0470 12 34 56", "email": "roosmarijn@example.be",
    "contact_preference": "email", "message": "Ik bel liever na 17 uur.\nDank je.", "declaration": True,
}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The backend with applications to Opwijk (one overdue, one not competent) and Saint-Gilles."""
    from portal.intake.accept import accept

    app = forms_backend(tmp_path_factory.mktemp("office-browser"))
    store = app.extensions["portal_store"]
    municipalities = app.extensions["portal_municipalities"]
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=45)
    references = [
        accept(municipalities["opwijk"], "support-application", "nl", ANSWERS, store=store,
               municipalities=municipalities, now=long_ago).reference,
        accept(municipalities["opwijk"], "support-application", "nl", {**ANSWERS, "postcode": "9999"}, store=store,
               municipalities=municipalities).reference,
        accept(municipalities["sint-gillis"], "support-application", "fr", {**ANSWERS, "postcode": "1060"}, store=store,
               municipalities=municipalities).reference,
    ]
    with serving(app) as url:
        yield url, app, references


def link_for(app, base: str, inbox: str) -> str:
    from portal.web.staff_auth import new_sign_in_link

    return new_sign_in_link(app.extensions["portal_store"], inbox, base)


def no_axe(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {violations}"


@pytest.mark.parametrize("width", [390, 1280])
def test_sign_in_list_detail_print_and_status_without_javascript(office, new_page, width):
    url, app, (overdue, not_competent, _) = office
    page = new_page(width, javascript=False)
    page.goto(f"{url}/office/")
    expect(page).to_have_url(f"{url}/office/sign-in")            # not signed in: to the sign-in page
    page.get_by_label("E-mailadres van uw dienst").fill(INBOX)
    page.get_by_role("button", name="Stuur mij een link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kijk in de mailbox van uw dienst")

    page.goto(link_for(app, url, INBOX))
    page.get_by_role("button", name="Aanmelden").click()
    expect(page).to_have_url(f"{url}/office/")
    expect(page.get_by_text(f"Aangemeld als {INBOX}")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(not_competent)              # newest first
    expect(rows.nth(0)).to_contain_text("niet bevoegd: doorsturen")
    expect(rows.nth(1)).to_contain_text("te laat")                  # the 45-day-old leefloon: overdue, in red
    expect(rows.nth(1).locator(".office-overdue")).to_have_count(1)
    assert "Roosmarijn" not in page.content()                      # no answer in the list

    page.get_by_role("link", name=overdue).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(overdue)
    answers = page.locator("[data-office-answers]")
    expect(answers).to_contain_text("Roosmarijn")
    expect(answers).to_contain_text("30 juli 1985")
    expect(answers).to_contain_text("85.07.30-033.28")
    page.get_by_role("link", name="Afdrukken of bewaren als PDF").click()
    expect(page.locator("[data-office-answers]")).to_contain_text("Verhaeghe")
    assert page.locator("header.portal-header").count() == 0
    page.get_by_role("link", name="Terug naar de aanvraag").click()
    page.get_by_role("button", name="In behandeling").click()
    expect(page.get_by_text("Nu: in behandeling")).to_be_visible()

    page.get_by_role("button", name="Afmelden").click()
    expect(page.get_by_text("U bent afgemeld.")).to_be_visible()
    page.goto(f"{url}/office/{overdue}")
    expect(page).to_have_url(f"{url}/office/sign-in?next=/office/{overdue}")     # and back there after sign-in
    assert new_page.foreign == []


def test_a_link_in_an_office_mail_opens_the_application_from_webmail(office, new_page):
    """Staff signed in, then click the application's link in webmail (a page of another site): the
    session cookie comes along (SameSite=Lax; a Strict one stayed behind and sent them to sign-in)."""
    url, app, (overdue, _, _) = office
    page = new_page(1280)
    page.goto(link_for(app, url, INBOX))
    page.get_by_role("button", name="Aanmelden").click()
    expect(page).to_have_url(f"{url}/office/")
    page.goto("about:blank")
    page.set_content(f'<a href="{url}/office/{overdue}">Aanvraag {overdue}</a>')    # another site's page
    page.get_by_role("link").click()
    expect(page).to_have_url(f"{url}/office/{overdue}")
    expect(page.get_by_role("heading", level=1)).to_have_text(overdue)


@pytest.mark.parametrize("width", [390, 1280])
def test_every_staff_page_passes_axe_and_nothing_overflows(office, new_page, width):
    url, app, (overdue, not_competent, gillis) = office
    page = new_page(width)
    page.goto(f"{url}/office/sign-in")
    no_axe(page, "sign-in")
    page.get_by_role("button", name="Stuur mij een link").click()        # empty: the error summary
    no_axe(page, "sign-in with an error")
    page.goto(link_for(app, url, INBOX))
    no_axe(page, "the link's page")
    page.get_by_role("button", name="Aanmelden").click()
    for path, where in (("/office/", "list"), (f"/office/{not_competent}", "detail (not competent)"),
                        (f"/office/{overdue}", "detail"), (f"/office/{overdue}/print", "print view"),
                        ("/office/OPW-2026-ZZZZZ", "not found")):
        page.goto(url + path)
        no_axe(page, where)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{where} scrolls sideways at {width}px"
    assert page.goto(f"{url}/office/{gillis}").status == 404       # another inbox's application

    french = new_page(width)
    french.goto(link_for(app, url, "cpas@saint-gilles.example") + "?lang=fr")
    no_axe(french, "the link's page in French")
    french.get_by_role("button", name="Se connecter").click()
    expect(french.get_by_role("heading", level=1)).to_have_text("Demandes")
    assert french.locator("html").get_attribute("lang") == "fr"
    french.get_by_role("link", name=gillis).click()
    expect(french.get_by_role("heading", name="Réponses du demandeur")).to_be_visible()
    no_axe(french, "detail in French")
    assert re.search(r"30 juillet 1985", french.content())
    assert new_page.foreign == []
