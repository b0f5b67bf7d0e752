"""The OpenStreetMap `opening_hours` subset that municipal offices use: syntax and its meaning.

Syntax (one string per office, rules separated by `;`):

- weekdays `Mo Tu We Th Fr Sa Su`, ranges and lists: `Mo,We-Fr 09:00-12:00` (a range may wrap: `Fr-Mo`);
- several intervals a day: `Tu-Fr 09:00-12:30,13:00-15:30`; `24:00` may end a day;
- closed: `Sa,Su off` (or `closed`);
- public holidays: `PH off`, `PH 10:00-12:00`, also in a list: `Mo-Fr,PH 10:00-12:00`;
- dated exceptions: `2026 Dec 24 off`, `2026 Dec 24 09:00-11:00`, `Dec 31 off` (every year),
  `2026 Dec 24-31 off`, `Dec 24-Dec 26 off`, `Dec 28-Jan 2 off` (every year, across the new year);
- a rule without a selector applies to every day: `09:00-17:00`; `24/7` is open all the time;
- a note on a rule: `Tu,Th 13:30-16:00 open "op afspraak"`, `2026 Dec 24 off "Kerstavond"`.

The meaning is OpenStreetMap's, checked against opening_hours.js (tests/test_hours_osm_js.py):
rules are read from left to right and a later rule *replaces* the hours of the days it names; a
rule after OSM's additional-rule comma (`Mo-Fr 08:30-12:00, Mo,Th 13:30-16:00`) adds its hours and
overrides only the times it names (`, We off` closes the whole Wednesday).

Forms that OSM reads differently from what an author expects are errors whose message spells out
the fix: a bare note (`09:00-12:00 "op afspraak"` is "unknown" in OSM, not open), a time after a
note (`Mo 09:00-12:00 open "x",13:00-15:00`: in OSM the 13:00-15:00 is a new rule for *every*
day), hours past midnight (`22:00-02:00`: split it over the two days). Constructs the portal does
not evaluate (`Mo[1]`, `SH`, `week 1-26`, `sunrise`, `10:00+`, ...) are named in their message.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
EXAMPLE = '"Mo-Fr 09:00-12:00,13:00-16:00; PH off"'

_TIME = r"(\d{1,2}):(\d{2})"
_INTERVAL_RE = re.compile(rf"{_TIME}\s*-\s*{_TIME}")
_MONTH = "|".join(MONTHS)
_DATE_RE = re.compile(rf"^(?:(\d{{4}})\s+)?({_MONTH})\s+(\d{{1,2}})(?:\s*-\s*(?:({_MONTH})\s+)?(\d{{1,2}}))?$")
_DAY_RE = re.compile(rf"^({'|'.join(WEEKDAYS)})(?:-({'|'.join(WEEKDAYS)}))?$")
# Where the hours part of a rule begins: the first time, or a state word.
_BODY_START_RE = re.compile(r"\d{1,2}:\d{2}|\b(?:off|closed|open)\b")
_MODIFIER_RE = re.compile(r'^(open|off|closed)(?:\s*"([^"]*)")?$')
# OSM's additional-rule separator: a comma after hours, a state word or a note that starts a new selector.
_ADDITIONAL_RE = re.compile(
    rf'(?:(?<=\d\d:\d\d)|(?<=\boff)|(?<=closed)|(?<=open)|(?<="))\s*,\s*'
    rf'(?=(?:{"|".join(WEEKDAYS)}|PH|\d{{4}}\s|(?:{_MONTH})\s|24/7))')

# Constructs OSM knows and the portal does not evaluate: (pattern, what it is, what to write instead).
UNSUPPORTED = (
    (r"\[[^\]]*\]", "nth weekday of the month", 'list the dates instead, e.g. "2026 Jan 5 09:00-12:00"'),
    (r"\bSH\b", "school holidays (SH)", 'list the dates instead, e.g. "2026 Jul 1-31 off"'),
    (r"\bweek\b", "week numbers", 'list the dates instead, e.g. "2026 Jan 5-31 off"'),
    (r"\b(?:sunrise|sunset|dawn|dusk)\b", "times of the sun", "write clock times like 09:00-12:00"),
    (r"\beaster\b", "Easter dates", "write the date, e.g. \"2027 Mar 28 off\""),
    (r"\|\|", 'fallback rules ("||")', 'use ";" between rules'),
    (r"\bunknown\b", 'the state "unknown"', 'write open hours with a note: 09:00-12:00 open "op afspraak"'),
    (r"\bPH\s*[+-]\s*\d", 'days around a holiday ("PH +1 day")', "list the dates instead"),
    (r"\d\s*\+|:\d\d\+", 'open end ("10:00+")', "write a closing time, e.g. 10:00-12:00"),
    (r"\d:\d\d\s*-\s*\d{1,2}:\d\d\s*/", 'repeating times ("10:00-16:00/01:30")', "write each interval"),
    (r"\b\d{4}\s*-\s*\d{4}\b|\b\d{4}\s*-\s*\d{4}\s*/", "year ranges", "write one rule per year"),
    (rf"\b(?:{_MONTH})\b(?!\s+\d)", "whole months or month ranges (\"Jan-Mar\", \"Jul off\")",
     'write days, e.g. "2026 Jul 1-31 off"'),
    (r"\bSS\b|\bPH\s+[A-Z][a-z]\b", "combined selectors", 'write one rule per kind of day, e.g. "Mo-Fr 09:00-12:00; PH off"'),
)
# A string written in plain words instead of OSM: point to the plain-words form.
_PLAIN_RE = re.compile(r"\d\s*[uh]\b|\d[uh]\d|\b(?:ma|di|wo|do|vr|za|zo|lu|me|je|ve|maandag|lundi|montag|gesloten|ferm[ée])\b", re.I)
PLAIN_HINT = ("this is not OpenStreetMap syntax: write it in plain words, one line per day, e.g.\n"
              "      hours:\n        maandag-vrijdag: 8u30-12u\n        feestdagen: gesloten\n"
              f"    or in OSM syntax, e.g. {EXAMPLE}")


class HoursError(ValueError):
    """An opening-hours string that cannot be read; the message names the bad part and the fix."""


@dataclass(frozen=True)
class Interval:
    """Open from `start` to `end`, minutes since midnight; `note` as written (see hours.note_text)."""

    start: int
    end: int
    note: str = ""

    def __str__(self) -> str:
        return f"{hhmm(self.start)}-{hhmm(self.end)}"


@dataclass(frozen=True)
class DateSelector:
    """Days from (month, day) `first` to `last`, in `year` or every year; may wrap past Dec 31."""

    year: int | None
    first: tuple
    last: tuple

    def matches(self, date: dt.date) -> bool:
        here = (date.month, date.day)
        if self.first <= self.last:
            return self.year in (None, date.year) and self.first <= here <= self.last
        return self.year is None and (here >= self.first or here <= self.last)


@dataclass(frozen=True)
class Rule:
    """One rule: which days (weekdays, PH, or dates; none of them: every day) and their hours."""

    text: str
    weekdays: frozenset = frozenset()
    holiday: bool = False
    dates: DateSelector | None = None
    intervals: tuple = ()
    note: str = ""          # a note on a closing rule, e.g. `2026 Dec 24 off "Kerstavond"`
    additional: bool = False

    @property
    def every_day(self) -> bool:
        return not self.weekdays and not self.holiday and self.dates is None

    def hits(self, date: dt.date | None, weekday: int, is_holiday: bool) -> bool:
        if self.dates is not None:
            return date is not None and self.dates.matches(date)
        return self.every_day or weekday in self.weekdays or (self.holiday and is_holiday)


def _override(earlier: tuple, added: tuple) -> tuple:
    """OSM's additional rule: `added` wins where it overlaps `earlier`; the rest of `earlier` stays."""
    kept = []
    for interval in earlier:
        pieces = [(interval.start, interval.end)]
        for new in added:
            pieces = [p for a, b in pieces for p in ((a, min(b, new.start)), (max(a, new.end), b)) if p[0] < p[1]]
        kept += [Interval(a, b, interval.note) for a, b in pieces]
    merged = []
    for interval in sorted(kept + list(added), key=lambda i: i.start):
        if merged and merged[-1].end == interval.start and merged[-1].note == interval.note:
            merged[-1] = Interval(merged[-1].start, interval.end, interval.note)
        else:
            merged.append(interval)
    return tuple(merged)


@dataclass(frozen=True)
class Schedule:
    """A parsed opening-hours string."""

    text: str
    rules: tuple

    def evaluate(self, date: dt.date | None, weekday: int, is_holiday: bool) -> tuple[tuple, str]:
        """(intervals, note of a closing rule) on a day. `date=None`: the plain week (no dated rules)."""
        intervals, note = (), ""
        for rule in self.rules:
            if not rule.hits(date, weekday, is_holiday):
                continue
            if rule.additional and rule.intervals:
                intervals = _override(intervals, rule.intervals)
            else:  # a rule, or an additional rule that closes: the day is what it says
                intervals, note = rule.intervals, rule.note
        return intervals, note

    def weekly(self) -> list[tuple]:
        """Intervals for Monday..Sunday of an ordinary week (no holiday, no dated exception)."""
        return [self.evaluate(None, weekday, False)[0] for weekday in range(7)]

    @property
    def holiday_rule(self) -> Rule | None:
        """The last rule naming PH, if any (what the table shows for public holidays)."""
        found = [rule for rule in self.rules if rule.holiday]
        return found[-1] if found else None

    def holiday_hours(self) -> tuple | None:
        """Intervals on a public holiday (a weekday, as PH rules name the whole day), or None without PH rule."""
        if self.holiday_rule is None:
            return None
        return self.evaluate(None, -1, True)[0]


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_opening_hours(text: str) -> Schedule:
    """Parse an opening-hours string. Raises HoursError naming the part it cannot use."""
    # A Schedule is immutable: each page of each site asks again for the same few strings.
    if isinstance(text, str):
        return _parse_cached(text)
    return _parse(text)


@lru_cache(maxsize=1024)
def _parse_cached(text: str) -> Schedule:
    return _parse(text)


def _parse(text) -> Schedule:
    if not isinstance(text, str) or not text.strip():
        raise HoursError(f"empty; write e.g. {EXAMPLE}")
    _refuse_unsupported(text)
    rules = []
    for piece in text.split(";"):
        piece = piece.strip()
        if not piece:
            continue
        for index, part in enumerate(_ADDITIONAL_RE.split(piece)):
            rules.append(_parse_rule(part.strip(), additional=index > 0))
    if not rules:
        raise HoursError(f"no rules; write e.g. {EXAMPLE}")
    return Schedule(text, tuple(rules))


def _refuse_unsupported(text: str) -> None:
    outside_notes = re.sub(r'"[^"]*"', '""', text)
    plain = _PLAIN_RE.search(outside_notes)
    if plain:
        raise HoursError(f'cannot read "{plain.group(0)}" in "{text}": {PLAIN_HINT}')
    for pattern, what, instead in UNSUPPORTED:
        found = re.search(pattern, outside_notes)
        if found:
            raise HoursError(f'"{found.group(0).strip()}" in "{text}": {what} cannot be shown on the site; {instead}')


def _parse_rule(text: str, additional: bool) -> Rule:
    if text == "24/7":
        return Rule(text, intervals=(Interval(0, 24 * 60),), additional=additional)
    if "24/7" in text:
        raise HoursError(f'"{text}": "24/7" means open day and night every day and stands alone; '
                         f'for opening hours write days and times, e.g. {EXAMPLE}')
    found = _BODY_START_RE.search(text)
    if not found:
        _explain_missing_hours(text)
    selector, body = text[:found.start()].strip(), text[found.start():].strip()
    weekdays, holiday, dates = _parse_selector(selector, text)
    modifier = _MODIFIER_RE.match(body)
    if modifier:
        if modifier.group(1) == "open":
            raise HoursError(f'"{text}": "open" without hours means open all day; write the hours, e.g. "{selector} 09:00-12:00"'.replace("  ", " "))
        intervals, note = (), modifier.group(2) or ""
    else:
        intervals, note = _parse_intervals(body, text, weekdays), ""
    return Rule(text, frozenset(weekdays), holiday, dates, intervals, note, additional)


def _explain_missing_hours(text: str):
    # Name the first words that are not days: "Mo 9-12" -> "9-12".
    words = text.split()
    for count in range(len(words), 0, -1):
        try:
            _parse_selector(" ".join(words[:count]), text)
        except HoursError:
            continue
        if count < len(words):
            raise HoursError(f'cannot read "{" ".join(words[count:])}" in "{text}": expected times like 09:00-12:00, or off')
        break
    if text.startswith('"'):
        raise HoursError(f'"{text}": a note needs days and hours before it, e.g. "Mo-Fr 09:00-12:00 open {text}"')
    raise HoursError(f'cannot read "{text}": no hours; write e.g. "{text} 09:00-12:00" or "{text} off"')


def _parse_selector(selector: str, rule: str):
    if not selector:
        return set(), False, None
    date = _DATE_RE.match(selector)
    if date:
        return set(), False, _parse_date(date, selector)
    weekdays, holiday = set(), False
    for item in selector.split(","):
        item = item.strip()
        if item == "PH":
            holiday = True
            continue
        days = _DAY_RE.match(item)
        if not days:
            raise HoursError(f'cannot read "{item}" in "{rule}": days are Mo Tu We Th Fr Sa Su, PH, or a date like 2026 Dec 24')
        first = WEEKDAYS.index(days.group(1))
        last = WEEKDAYS.index(days.group(2) or days.group(1))
        weekdays.update((first + step) % 7 for step in range((last - first) % 7 + 1))
    return weekdays, holiday, None


def _parse_date(match, selector: str) -> DateSelector:
    year = int(match.group(1)) if match.group(1) else None
    if year is not None and match.group(4):
        raise HoursError(f'"{selector}": OpenStreetMap does not read a second month after a year; '
                         f'write one rule per month, e.g. "{year} {match.group(2)} {match.group(3)}-31 off"')
    month = MONTHS.index(match.group(2)) + 1
    last_month = MONTHS.index(match.group(4)) + 1 if match.group(4) else month
    first, last = (month, int(match.group(3))), (last_month, int(match.group(5) or match.group(3)))
    for number, day in (first, last):
        try:
            dt.date(year or 2024, number, day)  # 2024: a leap year, so "Feb 29" is allowed without a year
        except ValueError:
            raise HoursError(f'"{selector}": there is no day {day} in {MONTHS[number - 1]}{f" {year}" if year else ""}') from None
    if last < first and (year is not None or last_month == month):
        raise HoursError(f'"{selector}": the last day comes before the first'
                         + ("; across the new year write two rules, one per year" if year else ""))
    return DateSelector(year, first, last)


def _minutes(hours: str, minutes: str, part: str) -> int:
    h, m = int(hours), int(minutes)
    if h > 24 or m > 59 or (h == 24 and m):
        raise HoursError(f'"{part}": {hours}:{minutes} is not a time of day')
    return h * 60 + m


def _next_days(weekdays) -> str:
    return _day_list(sorted((d + 1) % 7 for d in weekdays))


def _day_list(days) -> str:
    """Mo,We-Fr for [0, 2, 3, 4]."""
    days, parts, i = sorted(set(days)), [], 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + 1:
            j += 1
        if j > i + 1:  # a range from three days on: Mo-We, but Mo,Tu
            parts.append(f"{WEEKDAYS[days[i]]}-{WEEKDAYS[days[j]]}")
        else:
            parts += [WEEKDAYS[d] for d in days[i:j + 1]]
        i = j + 1
    return ",".join(parts)


def _parse_intervals(body: str, rule: str, weekdays) -> tuple:
    intervals, pos, note = [], 0, ""
    while True:
        match = _INTERVAL_RE.match(body, pos)
        if not match:
            rest = body[pos:].strip() or body
            raise HoursError(f'cannot read "{rest}": expected times like 09:00-12:00')
        part = match.group(0)
        start = _minutes(match.group(1), match.group(2), part)
        end = _minutes(match.group(3), match.group(4), part)
        if start == 24 * 60 or end == start:
            raise HoursError(f'"{part}" is empty: the end must come after the start')
        if end < start:
            days = _day_list(weekdays)
            split = (f'"{days} {hhmm(start)}-24:00, {_next_days(weekdays)} 00:00-{hhmm(end)}"' if days
                     else f'"{hhmm(start)}-24:00" and the next day "00:00-{hhmm(end)}"')
            raise HoursError(f'"{part}" goes past midnight; split it over the two days: {split}')
        intervals.append(Interval(start, end))
        pos = match.end()
        rest = body[pos:].strip()
        modifier = re.match(r'^(open|off|closed)\b\s*(?:"([^"]*)")?\s*(.*)$', rest)
        if modifier:
            if modifier.group(1) != "open":
                raise HoursError(f'"{rule}": hours followed by "{modifier.group(1)}" (closing part of a day) cannot be shown '
                                 "on the site; write only the hours it is open")
            if re.match(r",\s*\d", modifier.group(3)):
                raise HoursError(f'"{rule}": a time after a note starts a rule for every day in OpenStreetMap; '
                                 f'name the days: "..., {_day_list(weekdays) or "Mo-Fr"} {modifier.group(3)[1:].strip()}"')
            if modifier.group(3):
                raise HoursError(f'"{rule}": cannot read "{modifier.group(3)}" after the note; '
                                 'a note ends the rule: start a new rule with ";" or ", <days>"')
            note = (modifier.group(2) or "").strip()
            break
        if rest.startswith('"'):
            quoted = re.match(r'"[^"]*"', rest)
            written = quoted.group(0) if quoted else rest
            raise HoursError(f'"{rule}": a note right after the hours means "unknown" in OpenStreetMap, not open; '
                             f'write {part} open {written}')
        separator = re.compile(r"\s*,\s*").match(body, pos)
        if separator:
            pos = separator.end()
            continue
        if rest:
            raise HoursError(f'cannot read "{rest}" after "{part}"')
        break
    ordered = sorted(intervals, key=lambda i: i.start)
    for before, after in zip(ordered, ordered[1:]):
        if after.start < before.end:
            raise HoursError(f'"{before}" and "{after}" overlap')
    return tuple(Interval(i.start, i.end, note or "") for i in ordered)
