"""Opening hours: the model (portal.municipal.hours_osm parses the OSM string; plain_hours reads
the plain-words form into that string), notes in the page language, the calendar, the live status.

Notes: a note on a rule belongs to each of its intervals (`09:00-12:00 open "op afspraak"`).
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
from dataclasses import dataclass
from functools import lru_cache

import holidays as holidays_lib

from portal.common.brussels import BRUSSELS
from portal.common.i18n import LANGUAGES, messages, t
from portal.municipal.hours_osm import (  # noqa: F401  (re-exported: the hours model is one import)
    _BODY_START_RE,
    MONTHS,
    WEEKDAYS,
    DateSelector,
    HoursError,
    Interval,
    Rule,
    Schedule,
    _day_list,
    hhmm,
    parse_opening_hours,
)
from portal.municipal.plain_hours import EXAMPLES

# Regional days a municipality may choose to close on, beyond the national public holidays.
REGIONAL_HOLIDAYS = {
    "flemish-community": (7, 11),       # Feest van de Vlaamse Gemeenschap
    "french-community": (9, 27),        # Fête de la Communauté française
    "brussels-region": (5, 8),          # Irisfeest / Fête de l'Iris
    "german-community": (11, 15),
}


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


def check_schedule(schedule: Schedule, languages, plain: str | None = None) -> list[tuple[str, str, str]]:
    """Problems beyond syntax, as (severity, message, hint); severity is "error" or "warning".

    `plain` is the language of an author who wrote the hours in plain words: the hints are then
    in that form (`feestdagen: gesloten`, not `; PH off`).

    An untranslated note on a site in more than one language; no rule for public holidays; a rule
    that replaces (OSM semantics) the hours of earlier days with hours that do not overlap them:
    that is nearly always an addition gone wrong (`Mo-Fr 08:30-12:00; Tu 13:30-16:00` leaves
    Tuesday without its morning), so it is an error whose hint spells out both ways to write it.
    """
    problems = []
    notes = [i.note for rule in schedule.rules for i in rule.intervals if i.note]
    notes += [rule.note for rule in schedule.rules if rule.note]
    if len(languages) > 1:
        for note in dict.fromkeys(notes):
            if not _note_translated(note):
                example = "|".join(EXAMPLES[lang]["note"] for lang in languages if lang in EXAMPLES)
                problems.append(("error", f'note "{note}" has no translation',
                                 f"write it in brackets in each language of the site, e.g. ({example})" if plain else
                                 'write it as "Dutch|French", e.g. "op afspraak|sur rendez-vous"'))
    if schedule.holiday_rule is None:
        words = EXAMPLES.get(plain or "", {})
        problems.append(("warning", "says nothing about public holidays, so the site shows the office open on them",
                         f'add the line "{words["holidays"]}: {words["closed"]}" if the office closes on public holidays'
                         if words else 'add "; PH off" if the office closes on public holidays'))
    for index, rule in enumerate(schedule.rules):
        if rule.additional or rule.dates is not None or not rule.intervals:
            continue
        for earlier in schedule.rules[:index]:
            shared = rule.weekdays & earlier.weekdays
            if earlier.dates is None and shared and earlier.intervals and not _overlaps(rule.intervals, earlier.intervals):
                days = _day_list(shared)
                rest = _day_list(earlier.weekdays - shared)
                body = earlier.text[len(_selector_of(earlier)):].strip()
                keep = f'"{rest} {body}; {rule.text}"' if rest else f'"{rule.text}"'
                problems.append(("error", f'"{rule.text}" replaces the hours of {days} from "{earlier.text}": '
                                 f"in OpenStreetMap a later rule replaces the day, so {days} loses {body}",
                                 f'to add the hours, join with a comma: "{earlier.text}, {rule.text}"; '
                                 f"to replace them, leave {days} out of the first rule: {keep}"))
                break
    return problems


def _selector_of(rule: Rule) -> str:
    found = _BODY_START_RE.search(rule.text)
    return rule.text[:found.start()] if found else rule.text


def _overlaps(first, second) -> bool:
    return any(a.start < b.end and b.start < a.end for a in first for b in second)


# --- calendar --------------------------------------------------------------------------------

# The `holidays` library lists Easter Sunday and Whit Sunday too; they are Sundays, not among the
# ten legal public holidays, and OSM's PH (opening_hours.js) leaves them out: so does the portal.
_NOT_LEGAL = ("Easter Sunday", "Pentecost")


@lru_cache(maxsize=64)
def _national(year: int, lang: str) -> dict:
    sundays = {date for date, name in holidays_lib.Belgium(years=year, language="en_US").items() if name in _NOT_LEGAL}
    return {date: name for date, name in holidays_lib.Belgium(years=year, language=lang).items() if date not in sundays}


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
