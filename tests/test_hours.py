"""The opening-hours model against expectations written independently of it.

Public holidays are typed in by hand below (Easter Monday, Ascension and Whit Monday included),
weekly schedules as plain tables, and the evaluation the tests compare with is a naive per-day
lookup, so a bug in the parser or in the holiday calendar cannot agree with itself.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.municipal.config import Address, Closure, Municipality, Office, check_municipality, load_all
from portal.municipal.hours import (
    Calendar,
    HoursError,
    check_schedule,
    day_hours,
    note_text,
    parse_opening_hours,
    status_text,
)

from .conftest import ROOT

D = dt.date
# Belgian public holidays, typed from the official calendar (not computed): the ten legal days, as
# OSM's PH (Easter Sunday and Whit Sunday are Sundays and not among them).
HOLIDAYS = {
    D(2026, 1, 1), D(2026, 4, 6), D(2026, 5, 1), D(2026, 5, 14),
    D(2026, 5, 25), D(2026, 7, 21), D(2026, 8, 15), D(2026, 11, 1), D(2026, 11, 11), D(2026, 12, 25),
    D(2027, 1, 1), D(2027, 3, 29), D(2027, 5, 1), D(2027, 5, 6),
    D(2027, 5, 17), D(2027, 7, 21), D(2027, 8, 15), D(2027, 11, 1), D(2027, 11, 11), D(2027, 12, 25),
}
REGIONAL = {"flemish-community": {D(2026, 7, 11), D(2027, 7, 11)},
            "french-community": {D(2026, 9, 27), D(2027, 9, 27)},
            "brussels-region": {D(2026, 5, 8), D(2027, 5, 8)},
            "german-community": {D(2026, 11, 15), D(2027, 11, 15)}}
MORNING = [("09:00", "12:00")]
SPLIT = [("09:00", "12:30"), ("13:00", "15:30")]
# Expected weeks (Monday first) for the schedules the example offices use.
WEEKS = {
    "Mo-Fr 09:00-12:00; PH off": [MORNING] * 5 + [[], []],
    "Mo 09:00-12:30; Tu-Fr 09:00-12:30,13:00-15:30; PH off": [[("09:00", "12:30")]] + [SPLIT] * 4 + [[], []],
    'Mo-Fr 09:00-12:30 open "op afspraak"; PH off': [[("09:00", "12:30")]] * 5 + [[], []],
    "Mo-Fr 08:30-12:00, Mo,Th 13:30-16:00; PH off": [
        [("08:30", "12:00"), ("13:30", "16:00")], [("08:30", "12:00")], [("08:30", "12:00")],
        [("08:30", "12:00"), ("13:30", "16:00")], [("08:30", "12:00")], [], []],
    'Tu-Th 09:00-12:00 open "op afspraak"; PH off': [[], MORNING, MORNING, MORNING, [], [], []],
    'Mo-Fr 08:30-12:00, Tu,Th 13:30-16:00 open "op afspraak"; PH off': [
        [("08:30", "12:00")], [("08:30", "12:00"), ("13:30", "16:00")], [("08:30", "12:00")],
        [("08:30", "12:00"), ("13:30", "16:00")], [("08:30", "12:00")], [], []],
    "Mo-Th 09:00-12:00; PH off": [MORNING] * 4 + [[], [], []],
    # Turnhout's plain words (site_config/turnhout.yml), read into OSM.
    'Mo,We,Fr 08:30-12:00; Tu,Th 08:30-12:00, Tu,Th 13:30-16:00 open "op afspraak"; PH off': [
        [("08:30", "12:00")], [("08:30", "12:00"), ("13:30", "16:00")], [("08:30", "12:00")],
        [("08:30", "12:00"), ("13:30", "16:00")], [("08:30", "12:00")], [], []],
}
YEARS = [D(2026, 1, 1) + dt.timedelta(days=n) for n in range((D(2028, 1, 1) - D(2026, 1, 1)).days)]


def make_municipality(*hours, closures=(), regional=(), languages=("nl", "fr")) -> Municipality:
    offices = [Office(id=f"office-{n}", name={"nl": "Welzijn", "fr": "Bien-être"},
                      address=Address("Kerkstraat 1", "1745", {"nl": "Opwijk", "fr": "Opwijk"}),
                      phone="052 00 00 00", email="welzijn@opwijk.example", hours=text)
               for n, text in enumerate(hours)]
    return Municipality(
        slug="opwijk", name={"nl": "Opwijk", "fr": "Opwijk"}, languages=list(languages), branding={},
        social_house={"nl": "Sociaal Huis", "fr": "CPAS"}, postcodes=["1745"], offices=offices,
        closures=[Closure(date, note) for date, note in closures], inboxes={}, services=[],
        regional_holidays=list(regional),
    )


def hours_on(text: str, date: dt.date, municipality: Municipality | None = None) -> list:
    municipality = municipality or make_municipality(text)
    day = day_hours(parse_opening_hours(text), Calendar.for_municipality(municipality), date)
    return [(f"{i.start // 60:02d}:{i.start % 60:02d}", f"{i.end // 60:02d}:{i.end % 60:02d}") for i in day.intervals]


def naive(week, date, closed_days=frozenset()) -> list:
    return [] if date in HOLIDAYS or date in closed_days else week[date.weekday()]


# --- every day of 2026 and 2027 ---------------------------------------------------------------

@pytest.mark.parametrize("text", sorted(WEEKS))
def test_every_day_of_2026_and_2027_matches_the_hand_written_week_and_holidays(text):
    municipality = make_municipality(text)
    wrong = [(d, hours_on(text, d, municipality), naive(WEEKS[text], d)) for d in YEARS
             if hours_on(text, d, municipality) != naive(WEEKS[text], d)]
    assert not wrong, wrong[:5]


def test_closures_and_regional_days_close_on_top_of_the_holidays():
    closures = [(D(2026, 12, 24), {"nl": "Kerstavond", "fr": "Veille de Noël"}), (D(2027, 12, 31), {"nl": "Oudejaar", "fr": "Saint-Sylvestre"})]
    text = "Mo 09:00-12:30; Tu-Fr 09:00-12:30,13:00-15:30; PH off"
    municipality = make_municipality(text, closures=closures, regional=["french-community", "brussels-region"])
    closed = {d for d, _ in closures} | REGIONAL["french-community"] | REGIONAL["brussels-region"]
    wrong = [d for d in YEARS if hours_on(text, d, municipality) != naive(WEEKS[text], d, closed)]
    assert not wrong
    assert hours_on(text, D(2027, 9, 27), municipality) == []          # a Monday
    assert hours_on(text, D(2027, 9, 27)) == [("09:00", "12:30")]      # not chosen: open


def test_the_easter_based_holidays_are_closed_and_named_in_both_languages():
    municipality = make_municipality("Mo-Fr 09:00-12:00; PH off")
    calendar = Calendar.for_municipality(municipality)
    schedule = parse_opening_hours("Mo-Fr 09:00-12:00; PH off")
    expected = {D(2026, 4, 6): ("Paasmaandag", "Lundi de Pâques"), D(2026, 5, 14): ("O. L. H. Hemelvaart", "Ascension"),
                D(2026, 5, 25): ("Pinkstermaandag", "Lundi de Pentecôte"), D(2027, 3, 29): ("Paasmaandag", "Lundi de Pâques"),
                D(2027, 5, 6): ("O. L. H. Hemelvaart", "Ascension"), D(2027, 5, 17): ("Pinkstermaandag", "Lundi de Pentecôte"),
                D(2026, 11, 11): ("Wapenstilstand", "Jour de l'Armistice")}
    for date, (nl, fr) in expected.items():
        day = day_hours(schedule, calendar, date)
        assert not day.open and (day.reason["nl"], day.reason["fr"]) == (nl, fr) and day.reason["de"], date


def test_example_offices_all_have_an_independent_expectation():
    """Each example office's hours are checked day by day above; a new string needs a row in WEEKS."""
    for municipality in load_all(ROOT).values():
        for office in municipality.offices:
            assert office.hours in WEEKS, f"{municipality.slug}/{office.id}: add {office.hours!r} to WEEKS"
            wrong = [d for d in YEARS if hours_on(office.hours, d, municipality)
                     != naive(WEEKS[office.hours], d, {c.date for c in municipality.closures}
                              | {x for code in municipality.regional_holidays for x in REGIONAL.get(code, ())})]
            assert not wrong, (municipality.slug, office.id, wrong[:3])


# --- syntax and semantics ---------------------------------------------------------------------

@pytest.mark.parametrize("text, date, expected", [
    ("Mo-Fr 09:00-17:00; We 09:00-12:00", D(2026, 11, 18), [("09:00", "12:00")]),   # later rule replaces
    ("Mo-Fr 09:00-17:00; We off", D(2026, 11, 18), []),
    ("Mo-Fr 09:00-17:00; We closed", D(2026, 11, 18), []),
    ("Fr-Mo 10:00-11:00", D(2026, 11, 15), [("10:00", "11:00")]),                    # a range may wrap
    ("Fr-Mo 10:00-11:00", D(2026, 11, 17), []),
    ("10:00-18:00", D(2026, 11, 15), [("10:00", "18:00")]),                          # no selector: every day
    ("Mo-Fr 09:00-12:00; PH 10:00-11:00", D(2026, 11, 11), [("10:00", "11:00")]),
    ("Mo-Fr,PH 10:00-11:00", D(2026, 11, 1), [("10:00", "11:00")]),                  # a Sunday holiday
    ("PH off; Mo-Fr 09:00-12:00", D(2026, 11, 11), [("09:00", "12:00")]),            # OSM: order matters
    ("Mo-Fr 09:00-12:00; 2026 Dec 24 09:00-11:00", D(2026, 12, 24), [("09:00", "11:00")]),
    ("Mo-Fr 09:00-12:00; 2026 Dec 24 off", D(2026, 12, 24), []),
    ("Mo-Fr 09:00-12:00; 2026 Dec 24 off", D(2027, 12, 24), [("09:00", "12:00")]),
    ("Mo-Fr 09:00-12:00; Dec 24 off", D(2027, 12, 24), []),                           # every year
    ("Mo-Fr 09:00-12:00; 2026 Dec 28-31 off", D(2026, 12, 30), []),
    ("Mo-Fr 09:00-12:00, We 13:00-16:00", D(2026, 11, 18), [("09:00", "12:00"), ("13:00", "16:00")]),
    ("Mo 13:00-16:00,09:00-12:00", D(2026, 11, 16), [("09:00", "12:00"), ("13:00", "16:00")]),
    ("Sa 20:00-24:00", D(2026, 11, 21), [("20:00", "24:00")]),
])
def test_rules(text, date, expected):
    assert hours_on(text, date) == expected


@pytest.mark.parametrize("text, named", [
    ("Mo-Fx 09:00-12:00", '"Mo-Fx"'),
    ("Mo-Fr 09:00-12:00; Sat off", '"Sat"'),
    ("Mo 12:00-09:00", '"12:00-09:00" goes past midnight; split it over the two days: "Mo 12:00-24:00, Tu 00:00-09:00"'),
    ("Mo-Fr 22:00-02:00", '"Mo-Fr 22:00-24:00, Tu-Sa 00:00-02:00"'),
    ("Mo 09:00-09:00", '"09:00-09:00" is empty'),
    # Forms OSM reads differently from what they seem to say: an error that spells out the fix.
    ('Mo-Fr 09:00-12:30 "op afspraak"', 'means "unknown" in OpenStreetMap, not open; write 09:00-12:30 open "op afspraak"'),
    ('Mo 09:00-12:00 open "op afspraak",13:00-15:00', 'starts a rule for every day in OpenStreetMap; name the days: "..., Mo 13:00-15:00"'),
    ("Mo-Fr 09:00-17:00 off", 'closing part of a day'),
    ("Mo-Fr open", '"open" without hours'),
    ("24/7 09:00-12:00", '"24/7" means open day and night every day and stands alone'),
    ("ma-vr 8u30-12u", "write it in plain words, one line per day"),
    # OSM constructs the portal does not evaluate: each named.
    ("Mo[1] 09:00-12:00", '"[1]" in "Mo[1] 09:00-12:00": nth weekday of the month'),
    ("SH off", "school holidays (SH)"),
    ("week 1-26 Mo 09:00-12:00", "week numbers"),
    ("Mo-Fr 10:00+", "open end"),
    ("Mo-Fr sunrise-12:00", "times of the sun"),
    ("Jul off", "whole months"),
    ("Mo-Fr 09:00-12:00 || \"op afspraak\"", "fallback rules"),
    ("PH +1 day off", "days around a holiday"),
    ("2026 Dec 24-2026 Dec 31 off", "2026"),
    ("2027 Aug 2-Aug 13 off", "does not read a second month after a year"),
    ("2026 Dec 28-Jan 3 off", 'does not read a second month after a year; write one rule per month, e.g. "2026 Dec 28-31 off"'),
    ("Mo 09:00-12:00,11:30-13:00", '"09:00-12:00" and "11:30-13:00" overlap'),
    ("Mo 09:00-25:00", "25:00"),
    ("Mo 09:60-12:00", "09:60"),
    ("Mo 09:00-12:00 tomorrow", '"tomorrow"'),
    ("Mo-Fr", '"Mo-Fr": no hours'),
    ("2026 Feb 30 off", "no day 30 in Feb 2026"),
    ("Mo 9-12", '"9-12"'),
    ("", "empty"),
    (" ; ", "no rules"),
])
def test_errors_name_the_bad_part(text, named):
    with pytest.raises(HoursError) as error:
        parse_opening_hours(text)
    assert named in str(error.value)


def test_notes_are_kept_and_translated():
    schedule = parse_opening_hours('Mo 09:00-12:00 open "op afspraak", Mo 13:00-15:00; Tu 09:00-11:00 open "enkel sociale dienst|service social uniquement"')
    monday, tuesday = schedule.weekly()[:2]
    assert [i.note for i in monday] == ["op afspraak", ""]
    assert note_text("op afspraak", "fr") == "sur rendez-vous"
    assert note_text("Sur rendez-vous", "nl") == "op afspraak"
    assert note_text(tuesday[0].note, "nl") == "enkel sociale dienst"
    assert note_text(tuesday[0].note, "fr") == "service social uniquement"


def test_check_schedule_reports_untranslated_notes_missing_ph_and_replacing_rules():
    problems = check_schedule(parse_opening_hours('Mo 09:00-12:00 open "alleen brieven"'), ["nl", "fr"])
    messages = " | ".join(message for _, message, _ in problems)
    assert [severity for severity, _, _ in problems] == ["error", "warning"]
    assert '"alleen brieven" has no translation' in messages and "public holidays" in messages
    assert check_schedule(parse_opening_hours('Mo 09:00-12:00 open "alleen brieven"; PH off'), ["nl"]) == []
    replacing = check_schedule(parse_opening_hours("Mo-Fr 08:30-12:00; Mo,Th 13:30-16:00; PH off"), ["nl"])
    assert [severity for severity, _, _ in replacing] == ["error"]
    assert "replaces the hours of Mo,Th" in replacing[0][1] and "Mo,Th loses 08:30-12:00" in replacing[0][1]
    assert "Mo-Fr 08:30-12:00, Mo,Th 13:30-16:00" in replacing[0][2]
    assert '"Tu,We,Fr 08:30-12:00; Mo,Th 13:30-16:00"' in replacing[0][2]
    # A shorter day inside the longer one is an intended replacement: no warning.
    assert check_schedule(parse_opening_hours("Mo-Fr 09:00-17:00; We 09:00-12:00; PH off"), ["nl"]) == []


# --- hypothesis: random schedules against a naive evaluation ------------------------------------

DAY_NAMES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


@st.composite
def intervals(draw, max_size=3):
    """Sorted, non-overlapping (start, end) minute pairs on a five-minute grid."""
    points = sorted(draw(st.sets(st.integers(0, 24 * 12).map(lambda n: n * 5), max_size=2 * max_size)))
    if len(points) % 2:
        points = points[:-1]
    return [(points[i], points[i + 1]) for i in range(0, len(points), 2)]


def fmt(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


rules_strategy = st.lists(st.tuples(st.sets(st.integers(0, 6), min_size=1), intervals()), min_size=1, max_size=5)


@settings(max_examples=150, deadline=None)
@given(rules=rules_strategy, ph=st.sampled_from(["", "; PH off", "; PH 10:00-11:00"]))
def test_random_schedules_match_a_naive_evaluation(rules, ph):
    text = "; ".join(
        ",".join(DAY_NAMES[d] for d in sorted(days)) + " " + (",".join(f"{fmt(a)}-{fmt(b)}" for a, b in spans) or "off")
        for days, spans in rules) + ph
    schedule = parse_opening_hours(text)
    calendar = Calendar()
    for date in (D(2026, 11, 9) + dt.timedelta(days=n) for n in range(7)):  # Wednesday the 11th is a holiday
        expected = []
        for days, spans in reversed(rules):  # the last rule naming the day wins
            if date.weekday() in days:
                expected = spans
                break
        if date == D(2026, 11, 11) and ph:
            expected = [] if ph == "; PH off" else [(600, 660)]
        got = [(i.start, i.end) for i in day_hours(schedule, calendar, date).intervals]
        assert got == expected, (text, date)


@settings(max_examples=200, deadline=None)
@given(spans=st.lists(st.tuples(st.integers(0, 1439), st.integers(1, 1440)), min_size=1, max_size=4))
def test_an_interval_list_parses_exactly_when_it_is_ordered_and_does_not_overlap(spans):
    text = "Mo " + ",".join(f"{fmt(a)}-{fmt(b)}" for a, b in spans)
    ordered = sorted(spans)
    valid = all(a < b for a, b in spans) and all(x[1] <= y[0] for x, y in zip(ordered, ordered[1:]))
    if valid:
        assert [(i.start, i.end) for i in parse_opening_hours(text).weekly()[0]] == ordered
    else:
        with pytest.raises(HoursError):
            parse_opening_hours(text)


@settings(max_examples=200, deadline=None)
@given(moment=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31, 23, 59)))
def test_status_says_open_exactly_when_the_hand_written_week_is_open(moment):
    text = "Mo 09:00-12:30; Tu-Fr 09:00-12:30,13:00-15:30; PH off"
    municipality = make_municipality(text)
    minute = fmt(moment.hour * 60 + moment.minute)
    spans = naive(WEEKS[text], moment.date())
    is_open = any(a <= minute < b for a, b in spans)
    text_nl = status_text(municipality.offices[0], municipality, "nl", moment)
    assert text_nl.startswith("Nu open") == is_open, (moment, text_nl)
    if is_open:
        until = next(b for a, b in spans if a <= minute < b)
        assert text_nl.startswith(f"Nu open, tot {until}.")
    if not spans:
        assert text_nl.startswith("Vandaag gesloten")


# --- status sentences ---------------------------------------------------------------------------

@pytest.mark.parametrize("moment, nl, fr", [
    ("2026-11-10 10:30", "Nu open, tot 12:30. Vandaag open van 09:00 tot 12:30 en van 13:00 tot 15:30. Morgen gesloten (Wapenstilstand).",
     "Ouvert maintenant, jusqu'à 12:30. Aujourd'hui ouvert de 09:00 à 12:30 et de 13:00 à 15:30. Demain fermé (Jour de l'Armistice)."),
    ("2026-11-12 12:45", "Nu gesloten, opent om 13:00. Vandaag open van 09:00 tot 12:30 en van 13:00 tot 15:30.",
     "Fermé maintenant, ouvre à 13:00. Aujourd'hui ouvert de 09:00 à 12:30 et de 13:00 à 15:30."),
    ("2026-11-12 07:00", "Nu gesloten, opent om 09:00. Vandaag open van 09:00 tot 12:30 en van 13:00 tot 15:30.",
     "Fermé maintenant, ouvre à 09:00. Aujourd'hui ouvert de 09:00 à 12:30 et de 13:00 à 15:30."),
    ("2026-11-12 18:00", "Nu gesloten. Morgen open van 09:00 tot 12:30 en van 13:00 tot 15:30.",
     "Fermé maintenant. Demain ouvert de 09:00 à 12:30 et de 13:00 à 15:30."),
    ("2026-11-11 10:00", "Vandaag gesloten (Wapenstilstand). Morgen open van 09:00 tot 12:30 en van 13:00 tot 15:30.",
     "Aujourd'hui fermé (Jour de l'Armistice). Demain ouvert de 09:00 à 12:30 et de 13:00 à 15:30."),
    ("2026-11-14 10:00", "Vandaag gesloten. Morgen gesloten.", "Aujourd'hui fermé. Demain fermé."),
    ("2026-11-15 10:00", "Vandaag gesloten. Morgen open van 09:00 tot 12:30.", "Aujourd'hui fermé. Demain ouvert de 09:00 à 12:30."),
    ("2026-12-23 16:00", "Nu gesloten. Morgen gesloten (Kerstavond).", "Fermé maintenant. Demain fermé (Veille de Noël)."),
])
def test_status_text(moment, nl, fr):
    municipality = make_municipality("Mo 09:00-12:30; Tu-Fr 09:00-12:30,13:00-15:30; PH off",
                                     closures=[(D(2026, 12, 24), {"nl": "Kerstavond", "fr": "Veille de Noël"})])
    office = municipality.offices[0]
    assert status_text(office, municipality, "nl", dt.datetime.fromisoformat(moment)) == nl
    assert status_text(office, municipality, "fr", dt.datetime.fromisoformat(moment)) == fr


def test_status_uses_brussels_time_whatever_the_zone_of_now():
    from zoneinfo import ZoneInfo

    municipality = make_municipality('Mo-Fr 09:00-12:00 open "op afspraak"; PH off')
    # 05:30 in New York is 11:30 in Brussels (both on standard time on 12 November 2026).
    moment = dt.datetime(2026, 11, 12, 5, 30, tzinfo=ZoneInfo("America/New_York"))
    assert status_text(municipality.offices[0], municipality, "fr", moment) == (
        "Ouvert maintenant, jusqu'à 12:00 (sur rendez-vous). Aujourd'hui ouvert de 09:00 à 12:00 (sur rendez-vous).")


# --- portal check --------------------------------------------------------------------------------

CONFIG = """\
slug: testdorp
name: {nl: Testdorp, fr: Testdorp}
languages: [nl, fr]
social_house: {nl: Sociaal Huis, fr: CPAS}
branding: {primary_color: "#00594f", accent_color: "#f2a900"}
postcodes: ["1745"]
offices:
  - id: welzijn
    name: {nl: Welzijn, fr: Bien-être}
    address: {street: Kerkstraat 1, postcode: "1745", city: {nl: Testdorp, fr: Testdorp}}
    phone: "052 00 00 00"
    email: welzijn@testdorp.example
    hours: "HOURS"
closures:
  - {date: CLOSURE, note: {nl: Kerstavond, fr: Veille de Noël}}
inboxes: {support-application: welzijn@testdorp.example}
services: [leefloon]
privacy: {dpo: {email: dpo@testdorp.example}}
"""


def check(tmp_path, hours, closure=None):
    closure = closure or (dt.date.today() + dt.timedelta(days=30))
    path = tmp_path / "testdorp.yml"
    path.write_text(CONFIG.replace("HOURS", hours).replace("CLOSURE", closure.isoformat()), encoding="utf-8")
    return check_municipality(path)[1]


@pytest.mark.parametrize("hours, message", [
    ("Mo-Fr 09:00-12:00; Zo off", '"Zo"'),
    ("Mo-Fr 09:00-12:00,11:00-13:00; PH off", "overlap"),
    ("Mo-Fr 12:00-09:00; PH off", "goes past midnight"),
    ('Mo-Fr 09:00-12:00 open \\"alleen brieven\\"; PH off', "has no translation"),
    # The replace-the-day trap: Tuesday would silently lose its morning.
    ("Mo-Fr 08:30-12:00; Tu 13:30-16:00; PH off", 'to add the hours, join with a comma: "Mo-Fr 08:30-12:00, Tu 13:30-16:00"'),
])
def test_portal_check_names_bad_hours_with_file_and_line(tmp_path, hours, message):
    findings = [f for f in check(tmp_path, hours) if f.severity == "error"]
    assert len(findings) == 1, findings
    assert findings[0].line == 13 and message in str(findings[0])
    assert str(findings[0]).startswith(str(tmp_path / "testdorp.yml") + ":13: error:")


def test_portal_check_accepts_good_hours_and_rejects_closures_out_of_range(tmp_path):
    assert check(tmp_path, "Mo-Fr 09:00-12:00; PH off") == []
    far = check(tmp_path, "Mo-Fr 09:00-12:00; PH off", dt.date.today() + dt.timedelta(days=3 * 366))
    assert [(f.line, "outside the sensible range" in f.message) for f in far] == [(15, True)]


def test_no_ph_rule_is_a_warning(tmp_path):
    findings = check(tmp_path, "Mo-Fr 09:00-12:00")
    assert [(f.severity, f.line) for f in findings] == [("warning", 13)]


def test_regional_holiday_names_exist_in_both_languages():
    from portal.municipal.hours import REGIONAL_HOLIDAYS

    calendar = Calendar(regional=list(REGIONAL_HOLIDAYS))
    for code, (month, day) in REGIONAL_HOLIDAYS.items():
        names = calendar.holiday(D(2030, month, day))
        assert names and all(names[lang].strip() for lang in ("nl", "fr", "de")), code
    assert calendar.holiday(D(2030, 5, 8)) == {"nl": "Irisfeest", "fr": "Fête de l'Iris",
                                               "de": "Feiertag der Region Brüssel-Hauptstadt"}
