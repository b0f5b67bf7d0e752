"""open-now.js in Chromium with the clock pinned: the live status says what the Python model says.

A small page is generated with render_hours_html and served with the real open-now.js from a
temporary folder on 127.0.0.1, so the test does not depend on the example sites.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import threading
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape
from playwright.sync_api import expect

from portal.common.settings import project_root
from portal.municipal.hours import status_text
from portal.site.hours_html import render_hours_html

from ..test_hours import make_municipality

pytestmark = pytest.mark.browser
BRUSSELS = ZoneInfo("Europe/Brussels")
SCRIPT = project_root() / "templates" / "theme" / "assets" / "portal" / "open-now.js"
BUILD = dt.date(2026, 3, 1)   # data until 4 April 2027
SPLIT = "Mo 09:00-12:30; Tu-Fr 09:00-12:30,13:00-15:30; PH off"
MORNINGS = "Mo-Fr 09:00-12:00; PH off"
MUNICIPALITY = make_municipality(SPLIT, MORNINGS, closures=[(dt.date(2026, 12, 24), {"nl": "Kerstavond", "fr": "Veille de Noël"})])
SPLIT_STATUS = ".portal-hours__status >> nth=0"
MORNING_STATUS = ".portal-hours__status >> nth=1"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def page_html(lang: str, today: dt.date) -> str:
    blocks = "\n".join(render_hours_html(office, MUNICIPALITY, lang, today=today) for office in MUNICIPALITY.offices)
    title = {"nl": "Openingsuren", "fr": "Heures d'ouverture"}[lang]
    return (f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<link rel="icon" href="data:,">\n<title>{escape(title)}</title>\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<script src="open-now.js" defer></script>\n</head>\n<body>\n<main>\n<h1>{escape(title)}</h1>\n'
            f"{blocks}\n</main>\n</body>\n</html>\n")


@pytest.fixture(scope="module")
def hours_site(tmp_path_factory):
    """Base URL of a loopback server with nl.html, fr.html (data from BUILD) and stale.html (data run out)."""
    folder = tmp_path_factory.mktemp("open-now")
    (folder / "open-now.js").write_bytes(SCRIPT.read_bytes())
    for lang in ("nl", "fr"):
        (folder / f"{lang}.html").write_text(page_html(lang, BUILD), encoding="utf-8")
    (folder / "stale.html").write_text(page_html("nl", dt.date(2025, 1, 1)), encoding="utf-8")
    (folder / "later.html").write_text(page_html("nl", dt.date(2026, 12, 1)), encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@contextlib.contextmanager
def hours_page(browser, **context_options):
    options = {"locale": "nl-BE", "timezone_id": "Europe/Brussels", **context_options}
    context = browser.new_context(**options)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        yield page
        assert not errors, errors
    finally:
        context.close()


def at(text: str) -> dt.datetime:
    """A Brussels wall time, e.g. at("2026-11-12 10:30")."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=BRUSSELS)


THURSDAY_SPLIT = "Vandaag open van 09:00 tot 12:30 en van 13:00 tot 15:30."
JEUDI_SPLIT = "Aujourd'hui ouvert de 09:00 à 12:30 et de 13:00 à 15:30."
CASES = {
    "weekday morning": (at("2026-11-12 10:30"), f"Nu open, tot 12:30. {THURSDAY_SPLIT}",
                        f"Ouvert maintenant, jusqu'à 12:30. {JEUDI_SPLIT}"),
    "lunch break": (at("2026-11-12 12:45"), f"Nu gesloten, opent om 13:00. {THURSDAY_SPLIT}",
                    f"Fermé maintenant, ouvre à 13:00. {JEUDI_SPLIT}"),
    "evening": (at("2026-11-12 19:10"), "Nu gesloten. Morgen open van 09:00 tot 12:30 en van 13:00 tot 15:30.",
                "Fermé maintenant. Demain ouvert de 09:00 à 12:30 et de 13:00 à 15:30."),
    "saturday": (at("2026-11-14 10:00"), "Vandaag gesloten. Morgen gesloten.", "Aujourd'hui fermé. Demain fermé."),
    "public holiday": (at("2026-11-11 10:00"), "Vandaag gesloten (Wapenstilstand). Morgen open van 09:00 tot 12:30 en van 13:00 tot 15:30.",
                       "Aujourd'hui fermé (Jour de l'Armistice). Demain ouvert de 09:00 à 12:30 et de 13:00 à 15:30."),
    "day before a closure": (at("2026-12-23 16:00"), "Nu gesloten. Morgen gesloten (Kerstavond).",
                             "Fermé maintenant. Demain fermé (Veille de Noël)."),
    # 25 October 2026, 02:30 after the clocks went back (01:30 UTC): Sunday, not Saturday night.
    "autumn dst night": (dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.timezone.utc),
                         "Vandaag gesloten. Morgen open van 09:00 tot 12:30.", "Aujourd'hui fermé. Demain ouvert de 09:00 à 12:30."),
    # Monday after: 07:30 UTC is 08:30 in Brussels (summer time would make it 09:30, open).
    "monday after autumn dst": (dt.datetime(2026, 10, 26, 7, 30, tzinfo=dt.timezone.utc),
                                "Nu gesloten, opent om 09:00. Vandaag open van 09:00 tot 12:30.",
                                "Fermé maintenant, ouvre à 09:00. Aujourd'hui ouvert de 09:00 à 12:30."),
    # Monday after the spring switch (29 March 2026): 07:30 UTC is 09:30 in Brussels, open.
    "monday after spring dst": (dt.datetime(2026, 3, 30, 7, 30, tzinfo=dt.timezone.utc),
                                "Nu open, tot 12:30. Vandaag open van 09:00 tot 12:30.",
                                "Ouvert maintenant, jusqu'à 12:30. Aujourd'hui ouvert de 09:00 à 12:30."),
}


@pytest.mark.parametrize("lang", ["nl", "fr"])
@pytest.mark.parametrize("case", list(CASES))
def test_status_at_pinned_moments(browser, hours_site, case, lang):
    moment, nl, fr = CASES[case]
    expected = {"nl": nl, "fr": fr}[lang]
    # The hand-written sentence and the Python model agree ...
    assert status_text(MUNICIPALITY.offices[0], MUNICIPALITY, lang, moment) == expected
    with hours_page(browser) as page:
        page.clock.set_fixed_time(moment)
        page.goto(f"{hours_site}/{lang}.html")
        # ... and so does the script in the browser.
        expect(page.locator(SPLIT_STATUS)).to_have_text(expected)
        expect(page.locator(SPLIT_STATUS)).to_be_visible()


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_a_visitor_in_new_york_sees_brussels_time(browser, hours_site, lang):
    moment, nl, fr = CASES["weekday morning"]   # 04:30 in New York
    with hours_page(browser, timezone_id="America/New_York", locale="en-US") as page:
        page.clock.set_fixed_time(moment)
        page.goto(f"{hours_site}/{lang}.html")
        expect(page.locator(SPLIT_STATUS)).to_have_text({"nl": nl, "fr": fr}[lang])
        assert page.evaluate("new Date().getHours()") == 4   # the visitor's zone really is New York


def test_a_page_left_open_updates_at_closing_time(browser, hours_site):
    with hours_page(browser) as page:
        page.clock.install(time=at("2026-11-12 11:59:30"))
        page.goto(f"{hours_site}/nl.html")
        status = page.locator(MORNING_STATUS)
        expect(status).to_have_text("Nu open, tot 12:00. Vandaag open van 09:00 tot 12:00.")
        page.clock.run_for(60_000)
        expect(status).to_have_text("Nu gesloten. Morgen open van 09:00 tot 12:00.")
        # The split schedule is still open until 12:30 and then changes at its own boundary.
        expect(page.locator(SPLIT_STATUS)).to_have_text(f"Nu open, tot 12:30. {THURSDAY_SPLIT}")
        page.clock.run_for(30 * 60_000)
        expect(page.locator(SPLIT_STATUS)).to_have_text(f"Nu gesloten, opent om 13:00. {THURSDAY_SPLIT}")
        # No focus theft: the live region is announced, focus stays where it was.
        assert page.evaluate("document.activeElement === document.body")


def test_the_status_is_a_polite_live_region_and_the_page_passes_axe(browser, hours_site):
    from axe_playwright_python.sync_playwright import Axe

    with hours_page(browser) as page:
        page.clock.set_fixed_time(CASES["weekday morning"][0])
        page.goto(f"{hours_site}/nl.html")
        status = page.locator(SPLIT_STATUS)
        expect(status).to_have_text(CASES["weekday morning"][1])
        assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
        result = Axe().run(page)   # every rule, any impact
        assert result.violations_count == 0, result.generate_report()


def test_without_javascript_the_table_shows_and_no_status(browser, hours_site):
    with hours_page(browser, java_script_enabled=False) as page:
        page.goto(f"{hours_site}/nl.html")
        expect(page.locator("table").first).to_be_visible()
        expect(page.locator("table").first.locator("tr").first).to_have_text("maandag09:00–12:30")
        expect(page.locator(".portal-hours__exceptions li").first).to_be_visible()
        for index in range(2):
            expect(page.locator(f".portal-hours__status >> nth={index}")).to_be_hidden()
        body = page.locator("body").inner_text()
        assert "Nu open" not in body and "Nu gesloten" not in body


def test_when_the_data_has_run_out_the_status_stays_hidden(browser, hours_site):
    with hours_page(browser) as page:
        page.clock.set_fixed_time(CASES["weekday morning"][0])   # the page was built on 1 January 2025
        page.goto(f"{hours_site}/stale.html")
        expect(page.locator("table").first).to_be_visible()
        expect(page.locator(SPLIT_STATUS)).to_be_hidden()
        assert page.locator(SPLIT_STATUS).text_content() == ""


def test_closures_that_have_passed_since_the_build_are_hidden(browser, hours_site):
    with hours_page(browser) as page:
        page.clock.set_fixed_time(at("2026-12-26 10:00"))   # built on 1 December
        page.goto(f"{hours_site}/later.html")
        items = page.locator(".portal-hours__exceptions >> nth=0").locator("li")
        expect(items.filter(has_text="24 december 2026")).to_be_hidden()
        expect(items.filter(has_text="25 december 2026")).to_be_hidden()
        expect(items.filter(has_text="1 januari 2027")).to_be_visible()
        expect(page.locator(SPLIT_STATUS)).to_have_text("Vandaag gesloten. Morgen gesloten.")   # a Saturday



def test_the_script_agrees_with_the_python_model_at_many_moments(browser, hours_site):
    """Seeded random moments over the data's year, plus the edges of the intervals."""
    import random

    rng = random.Random(20261112)
    start = dt.datetime(2026, 3, 1, tzinfo=BRUSSELS)
    moments = [start + dt.timedelta(minutes=rng.randrange(0, 398 * 24 * 60)) for _ in range(10)]
    moments += [at("2026-11-12 08:59:59"), at("2026-11-12 09:00:00"), at("2026-11-12 12:29:59"),
                at("2026-11-12 12:30:00"), at("2026-11-12 15:30:00"), at("2026-11-12 23:59:59"),
                at("2026-12-31 23:59:00"), at("2027-01-01 00:00:00")]
    with hours_page(browser) as page:
        for lang in ("nl", "fr"):
            for moment in moments:
                page.clock.set_fixed_time(moment)
                page.goto(f"{hours_site}/{lang}.html")
                for index, office in enumerate(MUNICIPALITY.offices):
                    expect(page.locator(f".portal-hours__status >> nth={index}")).to_have_text(
                        status_text(office, MUNICIPALITY, lang, moment))
