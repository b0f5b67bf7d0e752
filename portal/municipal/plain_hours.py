"""Opening hours in plain words: one line per day, read into the OSM string it stands for.

    hours:
      maandag: 9u-12u, 13u30-16u        # or 09:00-12:00, 13:30-16:00; 9h30 also works
      dinsdag-donderdag: 9u-12u (op afspraak)
      woensdag: gesloten
      feestdagen: gesloten

Days: nl, fr and de names (`maandag`, `lundi`, `Montag`) or the OSM abbreviations (`Mo`), alone
or as a range (`maandag-vrijdag`, `lundi à vendredi`); public holidays are `feestdagen`,
`jours fériés`, `Feiertage` or `PH`. Times: `9u`, `9u30`, `9h30`, `09:00`, also `van 9 tot 12.30 uur`; intervals
joined with `,`, `en`, `et` or `und`; `gesloten`, `fermé`, `geschlossen` (or `off`) for closed. Text
after times is their note: `9u-12u, 13u30-16u (op afspraak)` is the afternoon by appointment
(`(op afspraak|sur rendez-vous)` gives both languages).
Days not written are closed.

Each day is written once: a day named twice (`maandag-vrijdag` and `dinsdag`) is an error,
so the OSM trap of a later rule replacing a day's hours cannot happen here. The result is an
ordinary OSM string (`to_osm`), so both forms mean exactly the same thing everywhere.
"""

from __future__ import annotations

import re

from portal.municipal.hours_osm import WEEKDAYS, _day_list, hhmm

# Day names in every language an author may write, lowercase -> weekday (0 = Monday).
DAY_NAMES = {}
for _index, _names in enumerate((
    ("maandag", "lundi", "montag", "mo"), ("dinsdag", "mardi", "dienstag", "tu"),
    ("woensdag", "mercredi", "mittwoch", "we"), ("donderdag", "jeudi", "donnerstag", "th"),
    ("vrijdag", "vendredi", "freitag", "fr"), ("zaterdag", "samedi", "samstag", "sa"),
    ("zondag", "dimanche", "sonntag", "su"),
)):
    DAY_NAMES.update(dict.fromkeys(_names, _index))
HOLIDAY_NAMES = ("feestdagen", "feestdag", "jours fériés", "jours feries", "jour férié", "feiertage", "feiertag", "ph")
CLOSED_WORDS = ("gesloten", "fermé", "ferme", "geschlossen", "off", "closed")
HOLIDAY = "PH"

_RANGE_SEP = re.compile(r"\s*(?:-|–|\btot(?:\s+en\s+met)?\b|\bà\b|\bau\b|\bbis\b)\s*", re.I)
_TIME = r"(\d{1,2})(?:\s*[:.uh]\s*(\d{2}))?\s*(?:uur|heures?|uhr|u|h)?\b"
# "9u-12u", "09:00 - 12:00", "van 9 tot 12.30 uur", "de 9h à 12h", "von 9 bis 12 Uhr"
_INTERVAL = re.compile(rf"^\s*(?:van|de|von)?\s*{_TIME}\s*(?:-|–|\btot\b|\bà\b|\bbis\b)\s*{_TIME}\s*", re.I)
_JOIN = re.compile(r"^\s*(?:,|;|/|\ben\b|\bet\b|\bund\b)\s*", re.I)


class PlainHoursError(ValueError):
    """A line of plain-words hours that cannot be read; `key` is the day line it is on."""

    def __init__(self, key, message: str, hint: str = ""):
        super().__init__(message)
        self.key, self.hint = key, hint


def _days(key) -> list:
    """Weekdays a key names (0 = Monday), or [HOLIDAY]."""
    if key is False:  # YAML 1.1 reads an unquoted `no`/`off` key as false: nothing a day is called
        key = "off"
    text = str(key).strip().lower()
    if text in HOLIDAY_NAMES:
        return [HOLIDAY]
    parts = _RANGE_SEP.split(text)
    if len(parts) == 1 and text in DAY_NAMES:
        return [DAY_NAMES[text]]
    if len(parts) == 2 and all(p in DAY_NAMES for p in parts):
        first, last = DAY_NAMES[parts[0]], DAY_NAMES[parts[1]]
        return [(first + n) % 7 for n in range((last - first) % 7 + 1)]
    raise PlainHoursError(key, f'"{key}" is not a day',
                          "write a day (maandag, lundi, Montag, Mo), a range (maandag-vrijdag) or feestdagen")


def _minutes(hours: str, minutes: str | None, written: str, key) -> int:
    h, m = int(hours), int(minutes or 0)
    if h > 24 or m > 59 or (h == 24 and m):
        raise PlainHoursError(key, f'{key}: "{written}" is not a time of day')
    return h * 60 + m


def _clean_note(note: str, key) -> str:
    note = note.strip().strip(",;").strip()
    if note.startswith("(") and note.endswith(")"):
        note = note[1:-1].strip()
    note = note.strip('"').strip()
    if '"' in note or ";" in note:
        raise PlainHoursError(key, f'{key}: the note "{note}" may not contain quotes or ";"')
    return note


def _next_interval(text: str) -> int | None:
    """Where the next `, 13u-16u` starts in `text` (the words before it are a note), or None."""
    for index in range(len(text)):
        join = _JOIN.match(text[index:])
        if join and _INTERVAL.match(text[index + join.end():]):
            return index
    return None


def _body(key, value) -> list:
    """One line as [(intervals "09:00-12:00,13:30-16:00", note)], intervals with the same note
    together; or "off"."""
    if value is False or value is None:  # `off`/`no` unquoted; an empty line
        if value is None:
            raise PlainHoursError(key, f"{key}: no hours", "write times like 9u-12u, or gesloten")
        return "off"
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    text = str(value).strip()
    if text.lower() in CLOSED_WORDS:
        return "off"
    intervals, pos = [], 0
    while True:
        match = _INTERVAL.match(text[pos:])
        if not match:
            break
        start = _minutes(match.group(1), match.group(2), match.group(0).strip(), key)
        end = _minutes(match.group(3), match.group(4), match.group(0).strip(), key)
        if end <= start:
            raise PlainHoursError(key, f'{key}: "{match.group(0).strip()}" ends before it starts',
                                  "hours past midnight belong to the next day: write them on that day's line, from 0u")
        pos += match.end()
        following = _next_interval(text[pos:])
        # A note follows the times it is about: "9u-12u, 13u30-16u (op afspraak)" is the afternoon.
        note = _clean_note(text[pos:pos + following] if following is not None else text[pos:], key)
        intervals.append((start, end, note))
        if following is None:
            break
        pos += following + _JOIN.match(text[pos + following:]).end()
    if not intervals:
        raise PlainHoursError(key, f'{key}: cannot read "{text}"', "write times like 9u-12u, 13u30-16u, or gesloten")
    intervals.sort()
    for (a, b, _), (c, d, _) in zip(intervals, intervals[1:]):
        if c < b:
            raise PlainHoursError(key, f"{key}: {hhmm(a)}-{hhmm(b)} and {hhmm(c)}-{hhmm(d)} overlap")
    groups = {}
    for a, b, note in intervals:   # the hours without a note first: they make the day's main rule
        groups.setdefault(note, []).append(f"{hhmm(a)}-{hhmm(b)}")
    return [(",".join(times), note) for note, times in sorted(groups.items(), key=lambda item: item[0] != "")]


def _rule(days: str, body) -> str:
    """`Tu,Th 08:30-12:00, Tu,Th 13:30-16:00 open "op afspraak"`: OSM's additional rule per note."""
    if body == "off":
        return f"{days} off"
    return ", ".join(f'{days} {times} open "{note}"' if note else f"{days} {times}" for times, note in body)


def to_osm(mapping) -> str:
    """The OSM string a plain-words mapping stands for. Raises PlainHoursError naming the line."""
    if not isinstance(mapping, dict) or not mapping:
        raise PlainHoursError(None, "hours: expected one line per day, e.g. maandag: 9u-12u")
    bodies, named_by = {}, {}
    for key, value in mapping.items():
        days = _days(key)
        body = _body(key, value)
        for day in days:
            if day in named_by:
                name = day if day == HOLIDAY else WEEKDAYS[day]
                raise PlainHoursError(key, f'"{key}" names {name} again (also in "{named_by[day]}")',
                                      "write each day once, with all its hours on one line, e.g. dinsdag: 8u30-12u, 13u30-16u")
            named_by[day], bodies[day] = key, body
    rules, done = [], set()
    for day in range(7):   # days with the same hours share one rule: Mo-Fr 09:00-12:00
        if day in bodies and day not in done and bodies[day] != "off":
            same = [d for d in range(7) if bodies.get(d) == bodies[day]]
            done.update(same)
            rules.append(_rule(_day_list(same), bodies[day]))
    if HOLIDAY in bodies:
        rules.append(_rule("PH", bodies[HOLIDAY]))
    if not rules or all(rule.startswith("PH") for rule in rules):
        rules.insert(0, f"{_day_list(range(7))} off")
    return "; ".join(rules)
