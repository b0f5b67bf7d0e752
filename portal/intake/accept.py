"""Accepting a submission: route it, compose its e-mails, store it all in one transaction.

`accept` is what the form view calls once the answers are valid. When it returns, the
submission and its outbox messages are durably committed; when the database cannot write it
raises `StoreUnavailable` and nothing is stored (the view answers 503 and keeps the answers).
Delivery happens later, by the worker (`portal.delivery.worker`), from the outbox.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from portal.common.brussels import BRUSSELS
from portal.common.settings import DEFAULT_SENDER
from portal.intake.compose import (
    compose_confirmation,
    compose_office_message,
    queued,
    valid_address,
)
from portal.intake.routing import Route, forward_targets
from portal.intake.routing import route as route_submission
from portal.municipal.config import Municipality, load_all
from portal.municipal.contact import contact_office, office_context
from portal.store import ReferenceTaken, StoreUnavailable, SubmissionLimits

# No 0/O, 1/I/L, U (read as V): a reference read over the phone cannot be mistaken.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_RE = re.compile(r"^[A-Z0-9]{3}-[0-9]{4}-[" + REFERENCE_ALPHABET + r"]{5}$")
REFERENCE_ATTEMPTS = 8
NOT_STORED = {"csrf_token", "website"}   # CSRF token and honeypot: not answers

__all__ = ["Accepted", "Policy", "StoreUnavailable", "accept", "load_receipt", "new_reference", "municipality_code",
           "pseudonym"]


@dataclass(frozen=True)
class Accepted:
    reference: str
    submission_id: int
    received_at: dt.datetime      # aware, Europe/Brussels
    route: Route


@dataclass(frozen=True)
class Policy:
    """The limits `accept` applies (portal.store.SubmissionLimits counts them in the database,
    so every worker and server sharing it counts together).

    `secret` keys the hashes under which client and e-mail addresses are counted (never stored
    in clear, kept a day); `client`: the client address or None; `address_rules`: ((amount,
    seconds), ...) for stored applications per client address; `confirmations_per_day`: at most
    this many confirmations to one e-mail address in 24 hours (None: no limit).
    """

    secret: str
    client: str | None = None
    address_rules: tuple = ()
    confirmations_per_day: int | None = None


def pseudonym(secret: str, scope: str, value: str) -> str:
    """A keyed hash of `value` (an address) for counting: equal inputs give equal hashes, and
    without the secret nobody can tell which address it was."""
    return hmac.new(secret.encode(), f"{scope}|{value}".encode(), hashlib.sha256).hexdigest()


def _limits(policy: Policy | None, citizen: str | None) -> SubmissionLimits | None:
    if policy is None:
        return None
    return SubmissionLimits(
        address=pseudonym(policy.secret, "address", policy.client) if policy.client and policy.address_rules else None,
        address_rules=tuple(policy.address_rules),
        recipient=pseudonym(policy.secret, "confirmation", citizen.lower()) if citizen else None,
        confirmations_per_day=policy.confirmations_per_day,
    )


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
           submission_key: str | None = None, policy: Policy | None = None,
           definition=None, base_url: str = "") -> Accepted:
    """Route, compose and durably store one valid submission sent from `site` in `lang`.

    `submission_key`: the send this is (see portal/web/answers.py); the same key again raises
    AlreadySubmitted with the first one's reference, and nothing is stored or mailed. `policy`:
    the limits (LimitReached: nothing stored; a confirmation over its address's daily share is
    left out, the office message never). `definition`: the form as the site shows it (labels of
    the office e-mail under `full`); `base_url`: where staff open the backend (PORTAL_PUBLIC_URL),
    for the e-mail's link to the application in the staff inbox.

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
                route=route, received_at=received_at,
                help_type=answers.get("help_type"), sender=sender)))
        try:
            submission_id = store.insert_submission(
                reference=reference, form_id=form_id, site_slug=site.slug, lang=lang,
                competent_slug=route.municipality.slug, inbox=route.inbox, route_reason=route.reason,
                outside_area=route.outside_area, answers=answers, received_at=received_at, messages=messages,
                submission_key=submission_key, limits=_limits(policy, citizen),
            )
        except ReferenceTaken:
            continue
        return Accepted(reference, submission_id, received_at, route)
    raise StoreUnavailable("no free reference found")


def load_receipt(store, reference: str, municipalities: dict | None = None) -> dict | None:
    """What the receipt page shows for `reference`, or None when unknown.

    Keys: reference, form_id, site (slug), lang, received_at (aware, Brussels), competent (slug),
    outside_area, first_name, help_type (None for wijk-werken or once purged; it chooses the legal
    texts of `portal.intake.receipt.receipt_facts` and is never shown), forward_to (outside the
    area: to whom the office passes it on, found from the postcode; () once purged), office
    (contact texts in the submission's language, or None when the competent municipality is no
    longer configured). No other answer. For the acknowledgement in the page's language:
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
    answers = submission.answers or {}
    forward_to = forward_targets(str(answers.get("postcode") or ""), municipalities) if submission.outside_area else ()
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
        "forward_to": forward_to,
        "office": office,
    }
