"""An office as people read it: contact details and opening hours in plain words.

One presenter for what the pages (`portal.site.hours_html`), the receipt and the e-mails show of an
office, so a Tuesday afternoon reads the same in all of them.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from portal.common.i18n import format_date, t
from portal.municipal.config import Municipality, Office
from portal.municipal.hours import HoursError, brussels_now, hhmm, note_text, office_days, parse_opening_hours

log = logging.getLogger(__name__)
LIST_DAYS = 60           # days of coming closures listed under the weekly hours


def build_date(today: dt.date | None = None) -> dt.date:
    """The first day shown: `today`, or the current date in Brussels."""
    return today or brussels_now().date()


def intervals_text(intervals, lang: str) -> str:
    """"09:00–12:00, 13:30–16:00 (op afspraak)", or "gesloten"."""
    if not intervals:
        return t("hours.closed", lang)
    return ", ".join(
        f"{hhmm(i.start)}\u2013{hhmm(i.end)}" + (f" ({note_text(i.note, lang)})" if i.note else "")
        for i in intervals
    )


def reason_text(day, lang: str) -> str:
    """Why a day differs (a holiday's or closure's name), in `lang` when it has one."""
    if not day.reason:
        return ""
    return day.reason.get(lang) or next(iter(day.reason.values()))


def date_text(date: dt.date, lang: str) -> str:
    """"donderdag 24 december 2026" / "vendredi 1er janvier 2027"."""
    return format_date(date, lang, weekday=True)


def coming_exceptions(office: Office, municipality: Municipality, today: dt.date | None = None,
                      days: int = LIST_DAYS) -> list:
    """Days in the next `days` whose hours differ from the plain week (a holiday on a day the
    office is closed anyway is left out)."""
    week = parse_opening_hours(office.hours).weekly()
    return [day for day in office_days(office, municipality, build_date(today), days)
            if day.intervals != week[day.date.weekday()]]


def week_rows(office: Office, lang: str) -> list[tuple[str, str]]:
    """[(day name, hours in words)], Monday first, then public holidays when the hours say so."""
    schedule = parse_opening_hours(office.hours)
    rows = [(t(f"hours.day.{n}", lang), intervals_text(intervals, lang)) for n, intervals in enumerate(schedule.weekly())]
    if schedule.holiday_rule is not None:
        rows.append((t("hours.holidays", lang), intervals_text(schedule.holiday_rule.intervals, lang)))
    return rows


def hours_report(municipality: Municipality, today: dt.date | None = None) -> str:
    """What `portal check --hours` prints: per office the OSM string its hours stand for, the week
    in every site language as the pages show it, and the coming days that differ."""
    lines = []
    for office in municipality.offices:
        lines.append(f"{municipality.slug} / {office.id}: {office.hours}")
        for lang in municipality.languages:
            lines.append(f"  [{lang}]")
            lines += [f"    {day:<14} {hours}" for day, hours in week_rows(office, lang)]
        coming = exception_lines(office, municipality, municipality.default_language, today)
        if coming:
            lines.append(f"  {t('hours.exceptions', municipality.default_language)}:")
            lines += [f"    {text}" for _, text in coming]
    return "\n".join(lines)


def exception_lines(office: Office, municipality: Municipality, lang: str,
                    today: dt.date | None = None) -> list[tuple[dt.date, str]]:
    """[(date, "donderdag 24 december 2026: gesloten (Kerstavond)")] for the coming closures."""
    lines = []
    for day in coming_exceptions(office, municipality, today):
        what = intervals_text(day.intervals, lang)
        reason = reason_text(day, lang)
        lines.append((day.date, t("hours.exception", lang, date=date_text(day.date, lang),
                                  what=what + (f" ({reason})" if reason else ""))))
    return lines


def tel_href(phone: str) -> str:
    """`tel:` link in international form: Belgian numbers drop the leading 0 for +32."""
    digits = re.sub(r"[^0-9+]", "", phone)
    if digits.startswith("+"):
        return f"tel:{digits}"
    if digits.startswith("00"):
        return f"tel:+{digits[2:]}"
    return f"tel:+32{digits.lstrip('0')}"


def contact_office(municipality: Municipality, form_id: str) -> Office:
    """The office a citizen contacts about `form_id`: one whose id names the form, else the first."""
    key = "wijk" if form_id == "wijk-werken" else None
    for office in municipality.offices:
        if office.id == form_id or (key and key in office.id):
            return office
    return municipality.offices[0]


def office_context(municipality: Municipality, office: Office, lang: str) -> dict:
    """An office's contact details as plain texts in `lang` (for the mail and the receipt).

    Hours that cannot be read (a config `portal check` would refuse) fall back to the raw text:
    a display problem must never stop an application.
    """
    try:
        week = week_rows(office, lang)
        exceptions = [text for _, text in exception_lines(office, municipality, lang)]
    except HoursError:
        log.warning("opening hours of office %s could not be read", office.id)
        week, exceptions = [("", office.hours)], []
    return {
        "municipality": municipality.text(municipality.name, lang),
        "social_house": municipality.text(municipality.social_house, lang),
        "name": municipality.text(office.name, lang),
        "street": office.address.street_in(lang),
        "postcode": office.address.postcode,
        "city": municipality.text(office.address.city, lang),
        "phone": office.phone,
        "email": office.email,
        "hours": office.hours,
        "hours_week": week,
        "hours_exceptions": exceptions,
    }
