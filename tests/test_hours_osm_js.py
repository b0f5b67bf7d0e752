"""The portal's opening hours mean what OpenStreetMap means: held against opening_hours.js.

opening_hours.js (npm `opening_hours`, the reference implementation of the OSM syntax; installed
by the Makefile from package.json) and open-now.js (the site's live status, run in Node over the
very data the pages embed) are asked, in 15-minute steps over 2026 and 2027, whether each office
of the corpus (tests/data/hours_corpus.txt plus every demo config) is open and with which note.
The model's answer must be the same at every step, except on the documented regional days
(`regional_holidays`, docs/authors.md): OSM's PH knows only the national holidays, so an office
that closes on a regional day closes there only in the portal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from portal.municipal.config import Address, Municipality, Office, load_all
from portal.municipal.hours import REGIONAL_HOLIDAYS, note_text, office_days, parse_opening_hours
from portal.municipal.plain_hours import to_osm
from portal.site.hours_html import hours_data

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).parent / "data" / "hours_corpus.txt"
START, DAYS = dt.date(2026, 1, 1), 730
REGIONAL_DAYS = {dt.date(year, month, day) for year in (2026, 2027) for month, day in REGIONAL_HOLIDAYS.values()}


def corpus() -> list[str]:
    strings = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        strings.append(to_osm(yaml.safe_load(line[len("plain:"):])) if line.startswith("plain:") else line)
    for municipality in load_all(ROOT).values():
        strings += [office.hours for office in municipality.offices]
    return list(dict.fromkeys(strings))


def municipality_for(text: str) -> Municipality:
    office = Office(id="welzijn", name={"nl": "Welzijn", "fr": "Bien-être"},
                    address=Address("Kerkstraat 1", "1745", {"nl": "Opwijk", "fr": "Opwijk"}),
                    phone="052 00 00 00", email="welzijn@opwijk.example", hours=text)
    return Municipality(
        slug="opwijk", name={"nl": "Opwijk", "fr": "Opwijk"}, languages=["nl", "fr"], branding={},
        social_house={"nl": "Sociaal Huis", "fr": "CPAS"}, postcodes=["1745"], offices=[office],
        closures=[], inboxes={}, services=[], regional_holidays=list(REGIONAL_HOLIDAYS),
    )


def case(text: str) -> dict:
    municipality = municipality_for(text)
    office = municipality.offices[0]
    days = office_days(office, municipality, START, DAYS)
    return {
        "osm": text,
        "model": [[[i.start, i.end, i.note, note_text(i.note, "nl")] for i in day.intervals] for day in days],
        # What the pages built on the first day of each year embed for open-now.js.
        "embedded": [hours_data(office, municipality, "nl", dt.date(year, 1, 1)) for year in (2026, 2027)],
    }


def test_the_corpus_is_large_and_every_string_is_read():
    strings = corpus()
    assert len(strings) >= 40
    for text in strings:
        parse_opening_hours(text)


@pytest.fixture(scope="module")
def node_modules():
    if not shutil.which("node") or not (ROOT / "node_modules" / "opening_hours").is_dir():
        pytest.fail("opening_hours.js is missing: `make test` installs it (npm ci, package.json)")
    return ROOT / "node_modules"


def compare(cases: list, days: int, node_modules: Path) -> list:
    data = Path(os.environ.get("TMPDIR", "/tmp")) / f"hours-cases-{os.getpid()}.json"
    data.write_text(json.dumps({"start": START.isoformat(), "days": days, "cases": cases}), encoding="utf-8")
    try:
        env = {**os.environ, "TZ": "Europe/Brussels", "NODE_PATH": str(node_modules)}
        run = subprocess.run(["node", str(ROOT / "tests" / "hours_compare.js"), str(data)],
                             capture_output=True, text=True, env=env, timeout=900, check=False)
    finally:
        data.unlink()
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)["cases"]


@pytest.mark.slow
def test_model_and_open_now_agree_with_opening_hours_js_for_two_years(node_modules):
    cases = [case(text) for text in corpus()]
    results = compare(cases, DAYS, node_modules)
    assert len(results) == len(cases)
    unexplained, regional = [], 0
    for result in results:
        assert "error" not in result, result
        assert result["steps"] >= DAYS * 96 - 8      # two years in 15-minute steps (less the spring switches)
        for found in result["disagreements"]:
            when = dt.date.fromisoformat(found["when"][:10])
            # On a regional day only the PH rule differs; open-now.js must still show the model.
            if when in REGIONAL_DAYS and found["openNow"] == found["openNowExpected"]:
                regional += 1
                continue
            unexplained.append((result["osm"], found))
    assert unexplained == [], f"{len(unexplained)} disagreements, first: {unexplained[:5]}"
    assert regional > 0   # the documented exception exists and is the only one


def test_the_comparison_finds_a_model_that_differs(node_modules):
    """The harness itself: a model that reads the old project meaning of an additional `off` is caught."""
    good = case("Mo-Fr 09:00-12:00; PH off")
    wrong = dict(case("Mo-Fr 09:00-12:00, We off; PH off"), model=good["model"])   # Wednesday still open
    note = case('Mo-Fr 09:00-12:00 open "op afspraak"; PH off')
    bad_note = dict(note, model=[[[s, e, "", n] for s, e, _, n in day] for day in note["model"]])
    results = compare([good, wrong, bad_note], 14, node_modules)
    assert results[0]["disagreements"] == []
    found = results[1]["disagreements"]
    assert found and {f["when"][:10] for f in found} == {"2026-01-07", "2026-01-14"}
    assert found[0]["osm"] == "closed" and found[0]["model"] == "open"
    assert results[2]["disagreements"][0]["osm"] == 'open "op afspraak"'
