"""Opening hours on a page: the weekly table, the coming closures, the live-status data, JSON-LD.

A static page cannot know today's date, so the table and the list of closures are what every
visitor sees (also without JavaScript), and `open-now.js` fills the status element from the
embedded data (`data-portal-hours`: the plain week plus every day that differs from it, for
WINDOW_DAYS from the build date). The status element stays hidden without JavaScript and when
the data has run out, so a page never shows a stale "open".
"""

from __future__ import annotations

import datetime as dt
import json

from markupsafe import escape

from portal.common.i18n import t
from portal.municipal.contact import build_date, coming_exceptions, exception_lines, reason_text, week_rows
from portal.municipal.hours import hhmm, note_text, office_days, parse_opening_hours

WINDOW_DAYS = 400        # days of exceptions embedded for the script (the issue asks >= 400)
JSONLD_DAYS = 366        # special days in openingHoursSpecification
# Status sentences open-now.js needs, passed as data so every text exists once (messages/hours.yml).
STATUS_KEYS = (
    "range", "and", "now_open", "now_closed_opens", "now_closed", "today_open", "today_closed",
    "today_closed_reason", "tomorrow_open", "tomorrow_closed", "tomorrow_closed_reason",
)
SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _encode(intervals, lang: str) -> list:
    return [[i.start, i.end, note_text(i.note, lang)] for i in intervals]


def hours_data(office, municipality, lang: str, today: dt.date | None = None) -> dict:
    """The compact schedule open-now.js reads: week (Monday first) and the differing days.

    Intervals are [start minute, end minute, note]; `days` maps ISO dates to {i: intervals,
    r: reason}; `from`..`to` (inclusive) is the range the data is valid for.
    """
    first = build_date(today)
    week = parse_opening_hours(office.hours).weekly()
    days = {}
    for day in office_days(office, municipality, first, WINDOW_DAYS):
        if day.intervals != week[day.date.weekday()] or (not day.open and day.reason):
            days[day.date.isoformat()] = {"i": _encode(day.intervals, lang), "r": reason_text(day, lang)}
    return {
        "from": first.isoformat(),
        "to": (first + dt.timedelta(days=WINDOW_DAYS - 1)).isoformat(),
        "week": [_encode(intervals, lang) for intervals in week],
        "days": days,
    }


def _status_element(office, municipality, lang: str, today: dt.date | None = None) -> str:
    data = hours_data(office, municipality, lang, today)
    texts = {key: t(f"hours.{key}", lang) for key in STATUS_KEYS}
    # role=status is a polite live region: updates are announced without moving focus.
    return ('<p class="portal-hours__status" role="status" aria-live="polite" hidden'
            f" data-portal-hours='{_json_attribute(data)}' data-portal-texts='{_json_attribute(texts)}'></p>")


def render_status_html(office, municipality, lang: str, today: dt.date | None = None) -> str:
    """Only the live status line ("Nu open, tot 12:00."), for the top of a service page; hidden
    without JavaScript, like the one in the contact card."""
    return f'<div class="portal-hours portal-hours--now">{_status_element(office, municipality, lang, today)}</div>'


def render_hours_html(office, municipality, lang: str, today: dt.date | None = None) -> str:
    """The office's hours as HTML for a markdown page: live status slot, weekly table, coming
    closures. Contains no blank line (that would end the HTML block in markdown)."""
    office_name = municipality.text(office.name, lang)
    lines = [
        '<div class="portal-hours">',
        _status_element(office, municipality, lang, today),
        "<table>",  # no class: mkdocs-material styles plain tables in content
        f"<caption>{escape(t('hours.caption', lang, office=office_name))}</caption>",
        "<tbody>",
    ]
    for label, hours in week_rows(office, lang):
        lines.append(f'<tr><th scope="row">{escape(label)}</th><td>{escape(hours)}</td></tr>')
    lines += ["</tbody>", "</table>"]
    exceptions = exception_lines(office, municipality, lang, today)
    if exceptions:
        lines += ['<div class="portal-hours__exceptions">',
                  f'<p class="portal-hours__exceptions-title">{escape(t("hours.exceptions", lang))}</p>', "<ul>"]
        for date, text in exceptions:
            # data-date lets open-now.js hide days that have passed since the build.
            lines.append(f'<li data-date="{date.isoformat()}">{escape(text)}</li>')
        lines += ["</ul>", "</div>"]
    lines.append("</div>")
    return "\n".join(lines)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _json_attribute(data) -> str:
    """JSON for a single-quoted attribute. Its many double quotes stay as they are: written as
    &quot; they cost every HTML parser of the build (Markdown's, the search index's) a character
    reference each, on every page with a contact card."""
    return _json(data).replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;")


def opening_hours_specification(office, municipality, today: dt.date | None = None) -> list[dict]:
    """schema.org OpeningHoursSpecification: the plain week (days with equal hours grouped), then
    every day of the coming year that differs, closed days as opens = closes = 00:00."""
    week = parse_opening_hours(office.hours).weekly()
    result = []
    groups: dict = {}
    for weekday, intervals in enumerate(week):
        key = tuple((i.start, i.end) for i in intervals)
        if key:
            groups.setdefault(key, []).append(weekday)
    for key, weekdays in groups.items():
        for start, end in key:
            result.append({
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": [f"https://schema.org/{SCHEMA_DAYS[d]}" for d in weekdays],
                "opens": hhmm(start),
                "closes": hhmm(end),
            })
    lang = municipality.default_language
    for day in coming_exceptions(office, municipality, today, JSONLD_DAYS):
        spans = [(i.start, i.end) for i in day.intervals] or [(0, 0)]
        for start, end in spans:
            item = {
                "@type": "OpeningHoursSpecification",
                "validFrom": day.date.isoformat(),
                "validThrough": day.date.isoformat(),
                "opens": hhmm(start),
                "closes": hhmm(end),
            }
            if day.reason:
                item["name"] = reason_text(day, lang)
            result.append(item)
    return result
