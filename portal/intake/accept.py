"""Accepting a submission: route it, compose its e-mails, store it all in one transaction.

`accept` is what the form view calls once the answers are valid. When it returns, the
submission and its outbox messages are durably committed; when the database cannot write it
raises `StoreUnavailable` and nothing is stored (the view answers 503 and keeps the answers).
Delivery happens later, by the worker (`portal.delivery.worker`), from the outbox.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from portal.common.settings import DEFAULT_SENDER
from portal.intake.compose import (
    compose_confirmation,
    compose_office_message,
    queued,
    valid_address,
)
from portal.intake.routing import Route
from portal.intake.routing import route as route_submission
from portal.municipal.config import Municipality, load_all
from portal.municipal.contact import contact_office, office_context
from portal.store import ReferenceTaken, StoreUnavailable

BRUSSELS = ZoneInfo("Europe/Brussels")
# No 0/O, 1/I/L, U (read as V): a reference read over the phone cannot be mistaken.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_RE = re.compile(r"^[A-Z0-9]{3}-[0-9]{4}-[" + REFERENCE_ALPHABET + r"]{5}$")
REFERENCE_ATTEMPTS = 8
NOT_STORED = {"csrf_token", "website"}   # CSRF token and honeypot: not answers

__all__ = ["Accepted", "StoreUnavailable", "accept", "load_receipt", "new_reference", "municipality_code"]


@dataclass(frozen=True)
class Accepted:
    reference: str
    submission_id: int
    received_at: dt.datetime      # aware, Europe/Brussels
    route: Route


def municipality_code(slug: str) -> str:
    """Three letters for a slug: opwijk -> OPW, sint-gillis -> SGI, antwerpen -> ANT."""
    parts = [re.sub(r"[^a-z0-9]", "", p) for p in slug.lower().split("-")]
    parts = [p for p in parts if p]
    if len(parts) >= 2:
        code = parts[0][0] + parts[-1][:2]
    else:
        code = (parts[0] if parts else "")[:3]
    return code.upper().ljust(3, "X")


def new_reference(slug: str, year: int) -> str:
    """A fresh random reference like OPW-2026-7K3Q9 (uniqueness is checked by the store)."""
    tail = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))
    return f"{municipality_code(slug)}-{year:04d}-{tail}"


def _plain(value):
    """Answers as JSON-ready values: dates as ISO text."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def office_link(base_url: str, reference: str) -> str:
    """The application's page in the staff inbox, for the office e-mail ("" without a base URL)."""
    return f"{base_url.rstrip('/')}/office/{reference}" if base_url else ""


def accept(site: Municipality, form_id: str, lang: str, answers: dict, *, store,
           municipalities: dict, sender: str = DEFAULT_SENDER, now: dt.datetime | None = None,
           definition=None, base_url: str = "") -> Accepted:
    """Route, compose and durably store one valid submission sent from `site` in `lang`.

    `definition`: the form as the site shows it (labels of the office e-mail under `full`);
    `base_url`: where staff open the backend (PORTAL_PUBLIC_URL), for the e-mail's link to the
    application in the staff inbox.

    Raises StoreUnavailable (nothing stored) when the database cannot write, RoutingError when
    the site does not offer `form_id`, HeaderInjection when a value meant for a header is unsafe
    (the form validators refuse those first).
    """
    received_at = (now or dt.datetime.now(BRUSSELS)).astimezone(BRUSSELS)
    answers = {k: _plain(v) for k, v in answers.items() if k not in NOT_STORED}
    route = route_submission(form_id, answers, site, municipalities)
    citizen = valid_address(answers.get("email"))
    for _ in range(REFERENCE_ATTEMPTS):
        reference = new_reference(site.slug, received_at.year)
        messages = [queued("office", compose_office_message(
            reference=reference, form_id=form_id, answers=answers, route=route, site=site,
            received_at=received_at, citizen_lang=lang, sender=sender, definition=definition,
            office_url=office_link(base_url, reference)))]
        if citizen:
            messages.append(queued("confirmation", compose_confirmation(
                reference=reference, form_id=form_id, lang=lang, recipient=citizen,
                first_name=answers.get("first_name") or "", route=route, received_at=received_at,
                help_type=answers.get("help_type"), sender=sender)))
        try:
            submission_id = store.insert_submission(
                reference=reference, form_id=form_id, site_slug=site.slug, lang=lang,
                competent_slug=route.municipality.slug, inbox=route.inbox, route_reason=route.reason,
                outside_area=route.outside_area, answers=answers, received_at=received_at, messages=messages,
            )
        except ReferenceTaken:
            continue
        return Accepted(reference, submission_id, received_at, route)
    raise StoreUnavailable("no free reference found")


def load_receipt(store, reference: str, municipalities: dict | None = None) -> dict | None:
    """What the receipt page shows for `reference`, or None when unknown.

    Keys: reference, form_id, site (slug), lang, received_at (aware, Brussels), competent (slug),
    outside_area, first_name, help_type (None for wijk-werken or once purged; it chooses the legal
    texts of `portal.intake.receipt.receipt_facts` and is never shown), office (contact texts in the
    submission's language, or None when the competent municipality is no longer configured).
    No other answer. For the acknowledgement in the page's language:
    `portal.intake.receipt.facts_for_receipt(receipt, lang, municipalities)`.
    """
    submission = store.get_submission(reference)
    if submission is None:
        return None
    if municipalities is None:
        municipalities = load_all()
    competent = municipalities.get(submission.competent_slug)
    office = None
    if competent is not None:
        office = office_context(competent, contact_office(competent, submission.form_id), submission.lang)
    return {
        "reference": submission.reference,
        "form_id": submission.form_id,
        "site": submission.site_slug,
        "lang": submission.lang,
        "received_at": submission.received_at,
        "competent": submission.competent_slug,
        "outside_area": submission.outside_area,
        "first_name": (submission.answers or {}).get("first_name", ""),
        "help_type": (submission.answers or {}).get("help_type"),
        "office": office,
    }
