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

Hints speak the author's words: the language of the day names written (`lundi` -> French
examples), else the site's first language.

Each day is written once: a day named twice (`maandag-vrijdag` and `dinsdag`) is an error,
so the OSM trap of a later rule replacing a day's hours cannot happen here. The result is an
ordinary OSM string (`to_osm`), so both forms mean exactly the same thing everywhere.
"""

from __future__ import annotations

import re

from portal.municipal.hours_osm import WEEKDAYS, _day_list, hhmm

# Day names in every language an author may write, lowercase -> weekday (0 = Monday); the
# position in each tuple is the language (nl, fr, de, then OSM's abbreviation, which has none).
_NAME_LANGUAGES = ("nl", "fr", "de", None)
DAY_NAMES, NAME_LANGUAGE = {}, {}
for _index, _names in enumerate((
    ("maandag", "lundi", "montag", "mo"), ("dinsdag", "mardi", "dienstag", "tu"),
    ("woensdag", "mercredi", "mittwoch", "we"), ("donderdag", "jeudi", "donnerstag", "th"),
    ("vrijdag", "vendredi", "freitag", "fr"), ("zaterdag", "samedi", "samstag", "sa"),
    ("zondag", "dimanche", "sonntag", "su"),
)):
    DAY_NAMES.update(dict.fromkeys(_names, _index))
    NAME_LANGUAGE.update({name: lang for name, lang in zip(_names, _NAME_LANGUAGES) if lang})
HOLIDAY_NAMES = ("feestdagen", "feestdag", "jours fériés", "jours feries", "jour férié", "feiertage", "feiertag", "ph")
NAME_LANGUAGE.update({"feestdagen": "nl", "feestdag": "nl", "jours fériés": "fr", "jours feries": "fr",
                      "jour férié": "fr", "feiertage": "de", "feiertag": "de"})

# What a hint shows, in the author's language; every example is read by to_osm (tests/test_plain_hours.py).
EXAMPLES = {
    "nl": {"day": "maandag", "range": "maandag-vrijdag", "holidays": "feestdagen", "closed": "gesloten",
           "times": "9u-12u, 13u30-16u", "midnight": "0u", "line": "dinsdag: 8u30-12u, 13u30-16u",
           "note": "op afspraak"},
    "fr": {"day": "lundi", "range": "lundi à vendredi", "holidays": "jours fériés", "closed": "fermé",
           "times": "9h-12h, 13h30-16h", "midnight": "0h", "line": "mardi: 8h30-12h, 13h30-16h",
           "note": "sur rendez-vous"},
    "de": {"day": "Montag", "range": "Montag bis Freitag", "holidays": "Feiertage", "closed": "geschlossen",
           "times": "9-12 Uhr, 13.30-16 Uhr", "midnight": "0 Uhr", "line": "Dienstag: 8.30-12 Uhr, 13.30-16 Uhr",
           "note": "mit Termin"},
}
# The hints of the mistakes to_osm names, by kind, filled with EXAMPLES of the author's language.
HINTS = {
    "day": "write a day ({day}), a range ({range}) or {holidays}",
    "times": "write times like {times}, or {closed}",
    "midnight": "hours past midnight belong to the next day: write them on that day's line, from {midnight}",
    "again": "write each day once, with all its hours on one line, e.g. {line}",
    "mapping": "one line per day, e.g. {line}",
}
CLOSED_WORDS = ("gesloten", "fermé", "ferme", "geschlossen", "off", "closed")
HOLIDAY = "PH"

_RANGE_SEP = re.compile(r"\s*(?:-|–|\btot(?:\s+en\s+met)?\b|\bà\b|\bau\b|\bbis\b)\s*", re.I)
_TIME = r"(\d{1,2})(?:\s*[:.uh]\s*(\d{2}))?\s*(?:uur|heures?|uhr|u|h)?\b"
# "9u-12u", "09:00 - 12:00", "van 9 tot 12.30 uur", "de 9h à 12h", "von 9 bis 12 Uhr"
_INTERVAL = re.compile(rf"^\s*(?:van|de|von)?\s*{_TIME}\s*(?:-|–|\btot\b|\bà\b|\bbis\b)\s*{_TIME}\s*", re.I)
_JOIN = re.compile(r"^\s*(?:,|;|/|\ben\b|\bet\b|\bund\b)\s*", re.I)


class PlainHoursError(ValueError):
    """A line of plain-words hours that cannot be read; `key` is the day line it is on."""

    def __init__(self, key, message: str, hint: str = "", kind: str = ""):
        super().__init__(message)
        self.key, self.hint, self.kind = key, hint, kind   # kind: a HINTS key, filled in by to_osm


def author_language(mapping, default: str = "nl") -> str:
    """The language of the day names in `mapping` (its first key in a language), else `default`."""
    for key in mapping if isinstance(mapping, dict) else ():
        text = str(key).strip().lower()
        for name in (text, *_RANGE_SEP.split(text)):
            if name in NAME_LANGUAGE:
                return NAME_LANGUAGE[name]
    return default if default in EXAMPLES else "nl"


def example_line(lang: str) -> str:
    """One day's line in `lang`, for hints elsewhere: `dinsdag: 8u30-12u, 13u30-16u`."""
    return EXAMPLES.get(lang, EXAMPLES["nl"])["line"]


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
    raise PlainHoursError(key, f'"{key}" is not a day', kind="day")


def _minutes(hours: str, minutes: str | None, written: str, key) -> int:
    h, m = int(hours), int(minutes or 0)
    if h > 24 or m > 59 or (h == 24 and m):
        raise PlainHoursError(key, f'{key}: "{written}" is not a time of day', kind="times")
    return h * 60 + m


def _clean_note(note: str, key) -> str:
    note = note.strip().strip(",;").strip()
    if note.count("(") != note.count(")"):
        # "(op afspraak" would be shown as "09:00–12:00 ((op afspraak": name the bracket.
        inner = note.replace("(", "").replace(")", "").strip()
        raise PlainHoursError(key, f'{key}: the brackets of the note "{note}" do not match',
                              f"close the bracket: ({inner})")
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
            raise PlainHoursError(key, f"{key}: no hours", kind="times")
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
            raise PlainHoursError(key, f'{key}: "{match.group(0).strip()}" ends before it starts', kind="midnight")
        pos += match.end()
        following = _next_interval(text[pos:])
        # A note follows the times it is about: "9u-12u, 13u30-16u (op afspraak)" is the afternoon.
        note = _clean_note(text[pos:pos + following] if following is not None else text[pos:], key)
        intervals.append((start, end, note))
        if following is None:
            break
        pos += following + _JOIN.match(text[pos + following:]).end()
    if not intervals:
        raise PlainHoursError(key, f'{key}: cannot read "{text}"', kind="times")
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


def to_osm(mapping, lang: str = "nl") -> str:
    """The OSM string a plain-words mapping stands for. Raises PlainHoursError naming the line,
    its hint in the author's language (`lang`: the site's first language, when the days do not say)."""
    try:
        return _to_osm(mapping)
    except PlainHoursError as exc:
        if exc.kind:
            exc.hint = HINTS[exc.kind].format(**EXAMPLES[author_language(mapping, lang)])
        raise


def _to_osm(mapping) -> str:
    if not isinstance(mapping, dict) or not mapping:
        raise PlainHoursError(None, "hours: expected one line per day", kind="mapping")
    bodies, named_by = {}, {}
    for key, value in mapping.items():
        days = _days(key)
        body = _body(key, value)
        for day in days:
            if day in named_by:
                name = day if day == HOLIDAY else WEEKDAYS[day]
                raise PlainHoursError(key, f'"{key}" names {name} again (also in "{named_by[day]}")', kind="again")
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
