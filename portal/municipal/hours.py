"""Opening hours: the OpenStreetMap `opening_hours` subset that municipal offices use.

Syntax (one string per office, rules separated by `;`):

- weekdays `Mo Tu We Th Fr Sa Su`, ranges and lists: `Mo,We-Fr 09:00-12:00` (a range may wrap: `Fr-Mo`);
- several intervals a day: `Tu-Fr 09:00-12:30,13:00-15:30`; `24:00` may end a day;
- closed: `Sa,Su off` (or `closed`);
- public holidays: `PH off`, `PH 10:00-12:00`, also in a list: `Mo-Fr,PH 10:00-12:00`;
- dated exceptions: `2026 Dec 24 off`, `2026 Dec 24 09:00-11:00`, `Dec 31 off` (every year),
  `2026 Dec 24-31 off` (days of one month);
- a rule without a selector applies to every day: `09:00-17:00`.

Semantics are OpenStreetMap's: rules are read from left to right and a later rule *replaces* the
hours of the days it names (`Mo-Fr 09:00-17:00; We 09:00-12:00` closes Wednesday afternoon).
To *add* hours, use OSM's additional-rule comma: `Mo-Fr 08:30-12:00, Mo,Th 13:30-16:00`.
`check_schedule` warns when a replacement looks like an intended addition.

Notes: a quoted comment after an interval belongs to that interval (`09:00-12:00 "op afspraak"`).
Notes are shown in the page language (see `note_text`): a note equal to a known phrase
(`hours.note.*` in portal/messages/hours.yml, in any language) is translated; otherwise write
`"Dutch|French"`, e.g. `"enkel sociale dienst|service social uniquement"`. An untranslated free
note on a bilingual site is a `portal check` error.

Closed days beyond the string: Belgian public holidays (the `holidays` library, nl/fr names) and
the regional days the municipality lists in `regional_holidays` count as `PH`; the `closures` of
the municipality close the office whatever the string says.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import holidays as holidays_lib

from portal.common.brussels import BRUSSELS
from portal.common.i18n import LANGUAGES, messages, t

# Regional days a municipality may choose to close on, beyond the national public holidays.
REGIONAL_HOLIDAYS = {
    "flemish-community": (7, 11),       # Feest van de Vlaamse Gemeenschap
    "french-community": (9, 27),        # Fête de la Communauté française
    "brussels-region": (5, 8),          # Irisfeest / Fête de l'Iris
    "german-community": (11, 15),
}
WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_TIME = r"(\d{1,2}):(\d{2})"
_INTERVAL_RE = re.compile(rf"{_TIME}\s*-\s*{_TIME}")
_COMMENT_RE = re.compile(r'\s*"([^"]*)"')
_DATE_RE = re.compile(rf"^(?:(\d{{4}})\s+)?({'|'.join(MONTHS)})\s+(\d{{1,2}})(?:\s*-\s*(\d{{1,2}}))?$")
_DAY_RE = re.compile(rf"^({'|'.join(WEEKDAYS)})(?:-({'|'.join(WEEKDAYS)}))?$")
# Where the hours part of a rule begins: the first time, or the word off/closed.
_BODY_START_RE = re.compile(r"\d{1,2}:\d{2}|\b(?:off|closed)\b")
# OSM's additional-rule separator: a comma after hours (or off/a comment) that starts a new selector.
_ADDITIONAL_RE = re.compile(rf'(?:(?<=\d\d:\d\d)|(?<=off)|(?<=closed)|(?<="))\s*,\s*(?=(?:{"|".join(WEEKDAYS)}|PH|\d{{4}}\s|(?:{"|".join(MONTHS)})\s))')


class HoursError(ValueError):
    """An opening-hours string that cannot be read; the message names the bad part."""


@dataclass(frozen=True)
class Interval:
    """Open from `start` to `end`, minutes since midnight; `note` as written (see `note_text`)."""

    start: int
    end: int
    note: str = ""

    def __str__(self) -> str:
        return f"{hhmm(self.start)}-{hhmm(self.end)}"


@dataclass(frozen=True)
class DateSelector:
    year: int | None
    month: int
    first: int
    last: int

    def matches(self, date: dt.date) -> bool:
        return (self.year in (None, date.year) and date.month == self.month
                and self.first <= date.day <= self.last)


@dataclass(frozen=True)
class Rule:
    """One rule: which days (weekdays, PH, or dates; none of them: every day) and their hours."""

    text: str
    weekdays: frozenset = frozenset()
    holiday: bool = False
    dates: DateSelector | None = None
    intervals: tuple = ()
    note: str = ""          # a comment on `off`, e.g. `2026 Dec 24 off "Kerstavond"`
    additional: bool = False

    @property
    def every_day(self) -> bool:
        return not self.weekdays and not self.holiday and self.dates is None

    def matches(self, date: dt.date, is_holiday: bool) -> bool:
        if self.dates is not None:
            return self.dates.matches(date)
        return self.every_day or date.weekday() in self.weekdays or (self.holiday and is_holiday)


@dataclass(frozen=True)
class Schedule:
    """A parsed opening-hours string."""

    text: str
    rules: tuple

    def evaluate(self, date: dt.date | None, weekday: int, is_holiday: bool) -> tuple[tuple, str]:
        """(intervals, note of a closing rule) on a day. `date=None`: the plain week (no dated rules)."""
        intervals, note = (), ""
        for rule in self.rules:
            if rule.dates is not None:
                hit = date is not None and rule.dates.matches(date)
            else:
                hit = rule.every_day or weekday in rule.weekdays or (rule.holiday and is_holiday)
            if not hit:
                continue
            if rule.additional:
                intervals = tuple(sorted(intervals + rule.intervals, key=lambda i: i.start))
            else:
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
        raise HoursError('empty; write e.g. "Mo-Fr 09:00-12:00; PH off"')
    rules = []
    for piece in text.split(";"):
        piece = piece.strip()
        if not piece:
            continue
        for index, part in enumerate(_ADDITIONAL_RE.split(piece)):
            rules.append(_parse_rule(part.strip(), additional=index > 0))
    if not rules:
        raise HoursError('no rules; write e.g. "Mo-Fr 09:00-12:00; PH off"')
    return Schedule(text, tuple(rules))


def _parse_rule(text: str, additional: bool) -> Rule:
    found = _BODY_START_RE.search(text)
    if not found:
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
        raise HoursError(f'cannot read "{text}": no hours; write e.g. "{text} 09:00-12:00" or "{text} off"')
    selector, body = text[:found.start()].strip(), text[found.start():].strip()
    weekdays, holiday, dates = _parse_selector(selector, text)
    closed = re.match(r'^(?:off|closed)(?:\s*"([^"]*)")?$', body)
    if closed:
        intervals, note = (), closed.group(1) or ""
    else:
        intervals, note = _parse_intervals(body), ""
    return Rule(text, frozenset(weekdays), holiday, dates, intervals, note, additional)


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
    month = MONTHS.index(match.group(2)) + 1
    first, last = int(match.group(3)), int(match.group(4) or match.group(3))
    for day in (first, last):
        try:
            dt.date(year or 2024, month, day)  # 2024: a leap year, so "Feb 29" is allowed without a year
        except ValueError:
            raise HoursError(f'"{selector}": there is no day {day} in {match.group(2)}{f" {year}" if year else ""}') from None
    if last < first:
        raise HoursError(f'"{selector}": the last day comes before the first')
    return DateSelector(year, month, first, last)


def _minutes(hours: str, minutes: str, part: str) -> int:
    h, m = int(hours), int(minutes)
    if h > 24 or m > 59 or (h == 24 and m):
        raise HoursError(f'"{part}": {hours}:{minutes} is not a time of day')
    return h * 60 + m


def _parse_intervals(body: str) -> tuple:
    intervals, pos = [], 0
    while True:
        match = _INTERVAL_RE.match(body, pos)
        if not match:
            rest = body[pos:].strip() or body
            raise HoursError(f'cannot read "{rest}": expected times like 09:00-12:00')
        part = match.group(0)
        start = _minutes(match.group(1), match.group(2), part)
        end = _minutes(match.group(3), match.group(4), part)
        if start == 24 * 60 or end <= start:
            raise HoursError(f'"{part}" ends before it starts')
        pos = match.end()
        comment = _COMMENT_RE.match(body, pos)
        note = ""
        if comment:
            note, pos = comment.group(1).strip(), comment.end()
        intervals.append(Interval(start, end, note))
        separator = re.compile(r"\s*,\s*").match(body, pos)
        if separator:
            pos = separator.end()
            continue
        if body[pos:].strip():
            raise HoursError(f'cannot read "{body[pos:].strip()}" after "{part}"')
        break
    ordered = sorted(intervals, key=lambda i: i.start)
    for before, after in zip(ordered, ordered[1:]):
        if after.start < before.end:
            raise HoursError(f'"{before}" and "{after}" overlap')
    return tuple(ordered)


# --- notes -----------------------------------------------------------------------------------

def _known_notes() -> dict:
    """Known note phrases in any language (lowercase) -> {lang: text}, from hours.note.* messages."""
    known = {}
    for key, value in messages().items():
        if key.startswith("hours.note."):
            for text in value.values():
                known[str(text).strip().lower()] = dict(value)
    return known


def note_text(note: str, lang: str) -> str:
    """A note in `lang`: a known phrase translated, `"nl|fr"` or `"nl|fr|de"` split, anything
    else as written."""
    if not note:
        return ""
    known = _known_notes().get(note.strip().lower())
    if known:
        return known[lang]
    if "|" in note:
        parts = [p.strip() for p in note.split("|")]
        return dict(zip(LANGUAGES, parts)).get(lang) or parts[0]
    return note


def _note_translated(note: str) -> bool:
    if note.strip().lower() in _known_notes():
        return True
    parts = [p.strip() for p in note.split("|")]
    # "Dutch|French", or "Dutch|French|German" for a site in German too.
    return 2 <= len(parts) <= len(LANGUAGES) and all(parts)


def check_schedule(schedule: Schedule, languages) -> list[tuple[str, str, str]]:
    """Problems beyond syntax, as (severity, message, hint); severity is "error" or "warning".

    An untranslated note on a site in more than one language; no rule for public holidays; a rule
    that replaces (OSM semantics) the hours of earlier days with hours that do not overlap them,
    which usually means the author meant to add them.
    """
    problems = []
    notes = [i.note for rule in schedule.rules for i in rule.intervals if i.note]
    notes += [rule.note for rule in schedule.rules if rule.note]
    if len(languages) > 1:
        for note in dict.fromkeys(notes):
            if not _note_translated(note):
                problems.append(("error", f'note "{note}" has no translation',
                                 'write it as "Dutch|French", e.g. "op afspraak|sur rendez-vous"'))
    if schedule.holiday_rule is None:
        problems.append(("warning", "says nothing about public holidays, so the site shows the office open on them",
                         'add "; PH off" if the office closes on public holidays'))
    for index, rule in enumerate(schedule.rules):
        if rule.additional or rule.dates is not None or not rule.intervals:
            continue
        for earlier in schedule.rules[:index]:
            shared = rule.weekdays & earlier.weekdays
            if earlier.dates is None and shared and earlier.intervals and not _overlaps(rule.intervals, earlier.intervals):
                days = ",".join(WEEKDAYS[d] for d in sorted(shared))
                problems.append(("warning", f'"{rule.text}" replaces the hours of {days} from "{earlier.text}" (later rules win)',
                                 f'to add hours, join with a comma: "{earlier.text}, {rule.text}"'))
                break
    return problems


def _overlaps(first, second) -> bool:
    return any(a.start < b.end and b.start < a.end for a in first for b in second)


# --- calendar --------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _national(year: int, lang: str) -> dict:
    return dict(holidays_lib.Belgium(years=year, language=lang))


class Calendar:
    """Public holidays (national plus chosen regional days) and a municipality's closures."""

    def __init__(self, closures=(), regional=()):
        self.closures = {c.date: dict(c.note) for c in closures}
        self.regional = {REGIONAL_HOLIDAYS[code]: code for code in regional}

    @classmethod
    def for_municipality(cls, municipality) -> "Calendar":
        return cls(municipality.closures, municipality.regional_holidays)

    def holiday(self, date: dt.date) -> dict | None:
        """{lang: name} when `date` is a public holiday for this municipality, else None."""
        if date in _national(date.year, "nl"):
            return {lang: _national(date.year, lang)[date] for lang in LANGUAGES}
        code = self.regional.get((date.month, date.day))
        if code:
            return {lang: t(f"hours.regional.{code}", lang) for lang in LANGUAGES}
        return None

    def closure(self, date: dt.date) -> dict | None:
        return self.closures.get(date)


@dataclass(frozen=True)
class Day:
    """One date: its intervals (empty: closed) and why it differs, {lang: text} or None."""

    date: dt.date
    intervals: tuple
    reason: dict | None = None

    @property
    def open(self) -> bool:
        return bool(self.intervals)


def day_hours(schedule: Schedule, calendar: Calendar, date: dt.date) -> Day:
    """What `schedule` gives on `date`: a closure closes; a holiday follows the PH rule."""
    closure = calendar.closure(date)
    if closure is not None:
        return Day(date, (), closure)
    holiday = calendar.holiday(date)
    intervals, note = schedule.evaluate(date, date.weekday(), holiday is not None)
    if intervals:
        return Day(date, intervals)
    if note:
        return Day(date, (), {lang: note_text(note, lang) for lang in LANGUAGES})
    return Day(date, (), holiday)


_OFFICE_DAYS: dict = {}


def office_days(office, municipality, first: dt.date, count: int) -> list[Day]:
    """`count` days of `office` from `first`."""
    # Every page with a contact card or JSON-LD asks for the same year of days: compute it once
    # per schedule, closures and holidays (`portal build` of many sites spends a fifth here).
    key = (office.hours, tuple((c.date, tuple(sorted((c.note or {}).items()))) for c in municipality.closures),
           tuple(municipality.regional_holidays), first, count)
    days = _OFFICE_DAYS.get(key)
    if days is None:
        schedule = parse_opening_hours(office.hours)
        calendar = Calendar.for_municipality(municipality)
        days = tuple(day_hours(schedule, calendar, first + dt.timedelta(days=n)) for n in range(count))
        if len(_OFFICE_DAYS) > 512:
            _OFFICE_DAYS.clear()
        _OFFICE_DAYS[key] = days
    return list(days)


# --- status ----------------------------------------------------------------------------------

def brussels_now(now: dt.datetime | None = None) -> dt.datetime:
    """`now` (default: the current time) as Brussels wall time; a naive value is taken as Brussels time."""
    if now is None:
        return dt.datetime.now(BRUSSELS)
    if now.tzinfo is None:
        return now.replace(tzinfo=BRUSSELS)
    return now.astimezone(BRUSSELS)


def _ranges(intervals, lang: str) -> str:
    parts = [t("hours.range", lang, start=hhmm(i.start), end=hhmm(i.end)) + _note_suffix(i.note, lang) for i in intervals]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " " + t("hours.and", lang) + " " + parts[-1]


def _note_suffix(note: str, lang: str) -> str:
    return f" ({note_text(note, lang)})" if note else ""


def _closed_sentence(key: str, day: Day, lang: str) -> str:
    if day.reason:
        return t(f"{key}_reason", lang, reason=day.reason.get(lang) or next(iter(day.reason.values())))
    return t(key, lang)


def status_text(office, municipality, lang: str, now: dt.datetime | None = None) -> str:
    """What the live status says at `now`, e.g. "Nu open, tot 12:00. Vandaag open van 09:00 tot 12:00."

    open-now.js composes the same sentences from the embedded data; keep the two in step.
    """
    now = brussels_now(now)
    today, tomorrow = office_days(office, municipality, now.date(), 2)
    minute = now.hour * 60 + now.minute
    current = next((i for i in today.intervals if i.start <= minute < i.end), None)
    upcoming = next((i for i in today.intervals if i.start > minute), None)
    sentences = []
    if not today.open:
        sentences.append(_closed_sentence("hours.today_closed", today, lang) + ".")
    else:
        if current:
            sentences.append(t("hours.now_open", lang, end=hhmm(current.end)) + _note_suffix(current.note, lang) + ".")
        elif upcoming:
            sentences.append(t("hours.now_closed_opens", lang, start=hhmm(upcoming.start)) + _note_suffix(upcoming.note, lang) + ".")
        else:
            sentences.append(t("hours.now_closed", lang) + ".")
        if current or upcoming:
            sentences.append(t("hours.today_open", lang, ranges=_ranges(today.intervals, lang)) + ".")
    if not (current or upcoming) or (not tomorrow.open and tomorrow.reason):
        if tomorrow.open:
            sentences.append(t("hours.tomorrow_open", lang, ranges=_ranges(tomorrow.intervals, lang)) + ".")
        else:
            sentences.append(_closed_sentence("hours.tomorrow_closed", tomorrow, lang) + ".")
    return " ".join(sentences)
