"""The hours block on a page (table, coming closures, status data) and its JSON-LD."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser

import pytest

from portal.site.hours_html import hours_data, opening_hours_specification, render_hours_html

from .test_hours import make_municipality

D = dt.date
BUILD = D(2026, 11, 20)
SPLIT = "Mo 09:00-12:30; Tu-Fr 09:00-12:30,13:00-15:30; PH off"
CLOSURES = [(D(2026, 12, 24), {"nl": "Kerstavond", "fr": "Veille de Noël"}),
            (D(2027, 3, 1), {"nl": "Personeelsdag", "fr": "Journée du personnel"})]


class Page(HTMLParser):
    """Collects rows, list items and the status element, and checks that tags are balanced."""

    VOID = {"br", "img", "input", "meta", "link"}

    def __init__(self, html):
        super().__init__()
        self.stack, self.rows, self.items, self.status, self.caption = [], [], [], None, ""
        self._cells, self._text = None, None
        self.feed(html)
        assert not self.stack, f"unclosed: {self.stack}"

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)
        if "data-portal-hours" in attrs:
            self.status = attrs
        if tag == "tr":
            self._cells = []
        if tag in ("th", "td", "li", "caption"):
            self._text = ""

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()
        if tag in ("th", "td"):
            self._cells.append(self._text)
        elif tag == "tr":
            self.rows.append(tuple(self._cells))
        elif tag == "li":
            self.items.append(self._text)
        elif tag == "caption":
            self.caption = self._text

    def handle_data(self, data):
        if self._text is not None:
            self._text += data


@pytest.fixture
def municipality():
    return make_municipality(SPLIT, 'Tu-Th 09:00-12:00 open "op afspraak"; PH off', closures=CLOSURES)


def test_the_table_in_dutch(municipality):
    html = render_hours_html(municipality.offices[0], municipality, "nl", today=BUILD)
    assert all(line.strip() for line in html.splitlines()), "a blank line would end the HTML block in markdown"
    page = Page(html)
    assert page.caption == "Openingsuren Welzijn"
    assert page.rows == [
        ("maandag", "09:00–12:30"), ("dinsdag", "09:00–12:30, 13:00–15:30"), ("woensdag", "09:00–12:30, 13:00–15:30"),
        ("donderdag", "09:00–12:30, 13:00–15:30"), ("vrijdag", "09:00–12:30, 13:00–15:30"),
        ("zaterdag", "gesloten"), ("zondag", "gesloten"), ("feestdagen", "gesloten"),
    ]
    # The next 60 days from 20 November: the closure and Christmas and New Year, not Sunday 1 November
    # (before), nor 1 March (beyond 60 days), nor a holiday on a day the office is closed anyway.
    assert page.items == ["donderdag 24 december 2026: gesloten (Kerstavond)", "vrijdag 25 december 2026: gesloten (Kerstmis)",
                          "vrijdag 1 januari 2027: gesloten (Nieuwjaar)"]


def test_the_table_in_french_with_notes(municipality):
    page = Page(render_hours_html(municipality.offices[1], municipality, "fr", today=BUILD))
    assert page.caption == "Heures d'ouverture\u00a0: Bien-être"
    assert page.rows[0] == ("lundi", "fermé")
    assert page.rows[1] == ("mardi", "09:00–12:00 (sur rendez-vous)")
    assert page.rows[-1] == ("jours fériés", "fermé")
    assert page.items[0] == "jeudi 24 décembre 2026\u00a0: fermé (Veille de Noël)"


def test_the_status_element_is_a_hidden_polite_live_region_until_the_script_fills_it(municipality):
    page = Page(render_hours_html(municipality.offices[0], municipality, "nl", today=BUILD))
    status = page.status
    assert status["role"] == "status" and status["aria-live"] == "polite"
    assert "hidden" in status
    texts = json.loads(status["data-portal-texts"])
    assert texts["now_open"] == "Nu open, tot {end}" and texts["tomorrow_closed_reason"] == "Morgen gesloten ({reason})"


def test_the_embedded_data_covers_400_days_with_every_exception(municipality):
    data = hours_data(municipality.offices[0], municipality, "fr", today=BUILD)
    assert data["from"] == "2026-11-20" and data["to"] == "2027-12-24"   # 400 days, inclusive
    assert data["week"][0] == [[540, 750, ""]] and data["week"][5] == []
    assert data["days"]["2026-12-24"] == {"i": [], "r": "Veille de Noël"}
    assert data["days"]["2027-03-29"] == {"i": [], "r": "Lundi de Pâques"}
    assert data["days"]["2027-11-11"] == {"i": [], "r": "Jour de l'Armistice"}
    assert "2027-03-28" not in data["days"]   # Easter Sunday: not a legal holiday (nor in OSM's PH), closed anyway
    assert "2026-11-11" not in data["days"] and "2027-12-25" not in data["days"]   # outside the range
    assert "2026-11-23" not in data["days"]                                # an ordinary Monday


def test_opening_hours_specification_groups_the_week_and_lists_special_days(municipality):
    spec = opening_hours_specification(municipality.offices[0], municipality, today=BUILD)
    week = [s for s in spec if "dayOfWeek" in s]
    assert [(s["dayOfWeek"][0].rsplit("/", 1)[1], len(s["dayOfWeek"]), s["opens"], s["closes"]) for s in week] == [
        ("Monday", 1, "09:00", "12:30"), ("Tuesday", 4, "09:00", "12:30"), ("Tuesday", 4, "13:00", "15:30")]
    special = {s["validFrom"]: s for s in spec if "validFrom" in s}
    assert special["2026-12-24"] == {"@type": "OpeningHoursSpecification", "validFrom": "2026-12-24",
                                     "validThrough": "2026-12-24", "opens": "00:00", "closes": "00:00", "name": "Kerstavond"}
    assert {"2027-03-29", "2027-05-06", "2027-05-17", "2027-11-11", "2027-03-01"} <= set(special)
    assert "2027-03-28" not in special          # Easter Sunday: closed anyway, nothing special
    assert max(special) < "2027-11-21"          # one year ahead


def test_dated_exception_with_hours_shows_in_the_list_and_json_ld():
    municipality = make_municipality("Mo-Fr 09:00-12:00; 2026 Dec 24 09:00-11:00; PH off")
    page = Page(render_hours_html(municipality.offices[0], municipality, "nl", today=BUILD))
    assert page.items[0] == "donderdag 24 december 2026: 09:00–11:00"
    spec = opening_hours_specification(municipality.offices[0], municipality, today=BUILD)
    assert {"@type": "OpeningHoursSpecification", "validFrom": "2026-12-24", "validThrough": "2026-12-24",
            "opens": "09:00", "closes": "11:00"} in spec


def test_the_first_of_the_month_is_1er_in_french():
    import datetime as dt

    from portal.municipal.contact import date_text

    assert date_text(dt.date(2027, 1, 1), "fr") == "vendredi 1er janvier 2027"
    assert date_text(dt.date(2027, 1, 1), "nl") == "vrijdag 1 januari 2027"
