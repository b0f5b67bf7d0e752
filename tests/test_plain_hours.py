"""Opening hours in plain words: every example of docs/authors.md means the OSM string it stands
for, day by day over two years; the forms an author writes are read; mistakes are named."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from portal.cli import main
from portal.municipal.config import check_municipality
from portal.municipal.hours import Calendar, day_hours, parse_opening_hours
from portal.municipal.plain_hours import EXAMPLES, PlainHoursError, author_language, to_osm

ROOT = Path(__file__).resolve().parents[1]
AUTHORS = (ROOT / "docs" / "authors.md").read_text(encoding="utf-8")
EXAMPLE = re.compile(r"```yaml\n(hours:\n.*?)```\n(?:In OSM: `([^`]+)`|(.*?names (\w+) again))", re.S)
DAYS = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(730)]
CALENDAR = Calendar(regional=["flemish-community"])


def same_days(first: str, second: str) -> bool:
    a, b = parse_opening_hours(first), parse_opening_hours(second)
    return all(day_hours(a, CALENDAR, d) == day_hours(b, CALENDAR, d) for d in DAYS)


def authors_examples():
    found = EXAMPLE.findall(AUTHORS)
    assert len(found) >= 5, "docs/authors.md lost its plain-words examples"
    return found


@pytest.mark.parametrize("block, osm, refused, day", authors_examples())
def test_every_example_in_authors_md_means_its_osm_string(block, osm, refused, day):
    mapping = yaml.safe_load(block)["hours"]
    if refused:
        with pytest.raises(PlainHoursError, match=f"names {day} again"):
            to_osm(mapping)
        return
    written = to_osm(mapping)
    assert same_days(written, osm), (written, osm)
    assert written == osm     # the docs show exactly what `portal check --hours` prints


@pytest.mark.parametrize("value, osm", [
    ("9u-12u", "Mo 09:00-12:00"),
    ("9u30-12u", "Mo 09:30-12:00"),
    ("9h30-12h", "Mo 09:30-12:00"),
    ("09:00-12:00", "Mo 09:00-12:00"),
    ("09:00 - 12:00, 13:00 - 16:30", "Mo 09:00-12:00,13:00-16:30"),
    ("van 9 tot 12.30 uur en van 13 tot 15.30 uur", "Mo 09:00-12:30,13:00-15:30"),
    ("de 9h à 12h et de 13h à 16h", "Mo 09:00-12:00,13:00-16:00"),
    ("von 9 bis 12 Uhr", "Mo 09:00-12:00"),
    ("9u-12u op afspraak", 'Mo 09:00-12:00 open "op afspraak"'),
    ("9u-12u (op afspraak|sur rendez-vous)", 'Mo 09:00-12:00 open "op afspraak|sur rendez-vous"'),
    (["9u-12u", "13u-16u"], "Mo 09:00-12:00,13:00-16:00"),
])
def test_times_and_notes(value, osm):
    assert to_osm({"maandag": value, "feestdagen": "gesloten"}) == osm + "; PH off"


@pytest.mark.parametrize("mapping, osm", [
    ({"lundi": "9h-12h", "mercredi": "fermé"}, "Mo 09:00-12:00"),
    ({"Montag-Freitag": "9-12", "Feiertage": "geschlossen"}, "Mo-Fr 09:00-12:00; PH off"),
    ({"Mo": "09:00-12:00", "Fr": "09:00-12:00", "PH": "10u-12u"}, "Mo,Fr 09:00-12:00; PH 10:00-12:00"),
    ({"vrijdag-maandag": "10u-11u"}, "Mo,Fr-Su 10:00-11:00"),
    ({"zaterdag": "10u-12u", "zondag": False}, "Sa 10:00-12:00"),           # `off` unquoted is YAML false
    ({"maandag": "gesloten", "feestdagen": "gesloten"}, "Mo-Su off; PH off"),
])
def test_days_in_every_language(mapping, osm):
    assert to_osm(mapping) == osm
    parse_opening_hours(osm)


@pytest.mark.parametrize("mapping, message", [
    ({"maandag-vrijdag": "8u30-12u", "dinsdag": "13u30-16u"}, '"dinsdag" names Tu again (also in "maandag-vrijdag")'),
    ({"maandagg": "9u-12u"}, '"maandagg" is not a day'),
    ({"maandag": "9u tot de middag"}, 'cannot read "9u tot de middag"'),
    ({"maandag": "22u-2u"}, "ends before it starts"),
    ({"maandag": "9u-25u"}, "is not a time of day"),
    ({"maandag": "9u-12u, 11u-13u"}, "overlap"),
    ({"maandag": None}, "no hours"),
    ({"woensdag": "9u-12u (op afspraak"}, 'the brackets of the note "(op afspraak" do not match'),
    ({"woensdag": "9u-12u op afspraak), 13u-16u"}, 'the brackets of the note "op afspraak)" do not match'),
])
def test_mistakes_are_named(mapping, message):
    with pytest.raises(PlainHoursError) as error:
        to_osm(mapping)
    assert message in str(error.value)


def test_a_note_with_an_unclosed_bracket_names_the_fix():
    """It used to pass, and the site showed "09:00–12:00 ((op afspraak"."""
    with pytest.raises(PlainHoursError) as error:
        to_osm({"maandag": "9u-12u", "woensdag": "9u-12u (op afspraak"})
    assert error.value.key == "woensdag" and error.value.hint == "close the bracket: (op afspraak)"


@pytest.mark.parametrize("lang", sorted(EXAMPLES))
def test_every_example_a_hint_shows_is_read(lang):
    words = EXAMPLES[lang]
    assert to_osm({words["range"]: f"{words['times']} ({words['note']})", words["holidays"]: words["closed"]}, lang)
    day, times = words["line"].split(": ", 1)
    assert to_osm({words["day"]: words["times"], day: times}, lang)
    assert author_language({words["range"]: words["times"]}, "nl") == lang


@pytest.mark.parametrize("mapping, site_language, hint", [
    ({"maandag-vrijdag": "9u-12u", "dinsdag": "13u-16u"}, "fr", "e.g. dinsdag: 8u30-12u, 13u30-16u"),   # the days' language
    ({"lundi à vendredi": "9h-12h", "mardi": "13h-16h"}, "nl", "e.g. mardi: 8h30-12h, 13h30-16h"),
    ({"Mo-Fr": "9-12", "Tu": "13-16"}, "fr", "e.g. mardi: 8h30-12h, 13h30-16h"),                      # no language: the site's
    ({"Montag": "neun bis zwölf"}, "fr", "write times like 9-12 Uhr, 13.30-16 Uhr, or geschlossen"),
])
def test_hints_are_in_the_authors_language(mapping, site_language, hint):
    with pytest.raises(PlainHoursError) as error:
        to_osm(mapping, site_language)
    assert hint in error.value.hint


CONFIG = """\
slug: testdorp
name: {nl: Testdorp}
languages: [nl]
branding: {primary_color: "#00594f", accent_color: "#f2a900"}
social_house: {nl: Sociaal Huis Testdorp}
postcodes: ["9999"]
offices:
  - id: welzijn
    name: {nl: Welzijn}
    address: {street: Kerkstraat 1, postcode: "9999", city: {nl: Testdorp}}
    phone: "052 00 00 00"
    email: welzijn@testdorp.example
HOURS
inboxes: {support-application: welzijn@testdorp.example}
services: [onthaal, leefloon]
privacy: {dpo: {email: dpo@testdorp.example}}
"""


def write(folder: Path, hours: str) -> Path:
    path = folder / "site_config" / "testdorp.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CONFIG.replace("HOURS", hours), encoding="utf-8")
    return path


def test_config_reads_plain_words_into_the_osm_string(tmp_path):
    path = write(tmp_path, "    hours:\n      maandag-vrijdag: 8u30-12u\n      dinsdag: 8u30-12u, 13u30-16u\n      feestdagen: gesloten\n".replace(
        "maandag-vrijdag", "maandag").replace("      dinsdag", "      woensdag-vrijdag: 8u30-12u\n      dinsdag"))
    municipality, findings = check_municipality(path)
    assert findings == []
    assert municipality.offices[0].hours == "Mo,We-Fr 08:30-12:00; Tu 08:30-12:00,13:30-16:00; PH off"


def test_config_names_the_line_of_a_bad_day(tmp_path):
    path = write(tmp_path, "    hours:\n      maandag-vrijdag: 8u30-12u\n      dinsdag: 13u30-16u\n      feestdagen: gesloten\n")
    _, findings = check_municipality(path)
    assert [(f.line, f.severity) for f in findings] == [(15, "error")]
    assert "names Tu again" in findings[0].message and "write each day once" in findings[0].hint


def test_the_trap_fails_portal_check_with_the_fix(scratch_project):
    write(scratch_project, '    hours: "Mo-Fr 08:30-12:00; Tu 13:30-16:00; PH off"\n')
    result = CliRunner().invoke(main, ["check", "testdorp"])
    assert result.exit_code == 1, result.output
    assert "site_config/testdorp.yml:13: error:" in result.output
    assert "Tu loses 08:30-12:00" in result.output
    assert '"Mo-Fr 08:30-12:00, Tu 13:30-16:00"' in result.output          # add the afternoon
    assert '"Mo,We-Fr 08:30-12:00; Tu 13:30-16:00"' in result.output        # or replace the day


def test_check_hours_prints_the_week_it_understood(scratch_project):
    write(scratch_project, "    hours:\n      maandag: 9u-12u, 13u30-16u\n      dinsdag: 9u-12u (op afspraak)\n"
                           "      woensdag: gesloten\n      feestdagen: gesloten\n")
    result = CliRunner().invoke(main, ["check", "--hours", "testdorp"])
    assert result.exit_code == 0, result.output
    assert 'testdorp / welzijn: Mo 09:00-12:00,13:30-16:00; Tu 09:00-12:00 open "op afspraak"; PH off' in result.output
    assert re.search(r"maandag\s+09:00–12:00, 13:30–16:00", result.output)
    assert re.search(r"dinsdag\s+09:00–12:00 \(op afspraak\)", result.output)
    assert re.search(r"woensdag\s+gesloten", result.output)
    assert re.search(r"feestdagen\s+gesloten", result.output)
