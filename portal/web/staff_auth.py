"""Staff sign-in without passwords: one-time links and sessions bound to an office inbox.

Whoever can read a configured inbox may read the applications routed to it: the same circle of
people as the e-mail of `delivery: full` reached, without the answers leaving the server.

- A sign-in link holds a random token (32 bytes); the store keeps only its SHA-256, with the inbox
  and an expiry (`TOKEN_TTL`, 15 minutes). Spending it is one UPDATE that checks it is unused and
  unexpired: a link works once.
- A session is another random value in the `COOKIE` cookie (HttpOnly, SameSite=Lax, Secure in
  production, path /office/); the store keeps its SHA-256, the inbox and when it was last used.
  After `IDLE_SECONDS` (30 minutes) without a request it ends, and `MAX_SECONDS` (10 hours, a
  working day) after sign-in in any case, so a browser left signed in does not stay so for good;
  signing out deletes it.

Tokens and cookie values never reach a log (they are not personal data, but they are keys).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

TOKEN_TTL = 15 * 60
IDLE_SECONDS = 30 * 60
MAX_SECONDS = 10 * 60 * 60
COOKIE = "portal_office"
COOKIE_PATH = "/office/"


def digest(value: str) -> str:
    """What the store keeps of a token or cookie value."""
    return hashlib.sha256(value.encode()).hexdigest()


def configured_inboxes(municipalities: dict) -> dict:
    """{inbox address in lower case: (address as configured, its municipality)}: every address of an
    `inboxes:` entry; an address used by several municipalities belongs to the first by slug (for
    the language of its pages)."""
    result = {}
    for slug in sorted(municipalities):
        for address in municipalities[slug].inboxes.values():
            result.setdefault(address.strip().lower(), (address, municipalities[slug]))
    return result


@dataclass(frozen=True)
class Stranded:
    """Applications in an inbox that is no longer configured: nobody can sign in to read them."""
    inbox: str
    municipality: str        # the slug of the municipality that received them
    form_id: str
    count: int
    goes_to: str | None      # where that municipality sends this form today (None: it no longer takes it)


def stranded_applications(store, municipalities: dict) -> list[Stranded]:
    """The applications (not purged) whose inbox address is in no `inboxes:` any more, as spelled:
    the staff list matches the address exactly. An address changed in site_config is the usual
    cause; `portal move-inbox` hands them to the new one."""
    configured = {address for municipality in municipalities.values() for address in municipality.inboxes.values()}
    stranded = []
    for inbox, slug, form_id, count in store.applications_per_inbox():
        if inbox not in configured:
            receiving = municipalities.get(slug)
            stranded.append(Stranded(inbox, slug, form_id, count, receiving.inboxes.get(form_id) if receiving else None))
    return stranded


def new_sign_in_token(store, inbox: str) -> str:
    """A fresh one-time token for `inbox` (a configured address), stored as its digest."""
    token = secrets.token_urlsafe(32)
    store.add_sign_in_token(token_hash=digest(token), inbox=inbox, ttl_seconds=TOKEN_TTL)
    return token


def sign_in_link(base_url: str, token: str) -> str:
    """`<base_url>/office/auth/<token>`."""
    return f"{base_url.rstrip('/')}/office/auth/{token}"


def new_sign_in_link(store, inbox: str, base_url: str) -> str:
    """A fresh one-time link for `inbox` (a configured address): `<base_url>/office/auth/<token>`."""
    return sign_in_link(base_url, new_sign_in_token(store, inbox))


def spend_sign_in_token(store, token: str) -> str | None:
    """The inbox the token was made for, when it is unused and unexpired (it is used up now)."""
    if not token or len(token) > 200:
        return None
    return store.spend_sign_in_token(digest(token))


def start_session(store, inbox: str) -> str:
    """A new session for `inbox`: the cookie's value."""
    value = secrets.token_urlsafe(32)
    store.add_staff_session(session_hash=digest(value), inbox=inbox)
    return value


def session_inbox(store, cookie_value: str | None) -> str | None:
    """The inbox of a live session (which counts as used now), else None."""
    if not cookie_value or len(cookie_value) > 200:
        return None
    return store.touch_staff_session(digest(cookie_value), idle_seconds=IDLE_SECONDS, max_seconds=MAX_SECONDS)


def end_session(store, cookie_value: str | None) -> None:
    if cookie_value and len(cookie_value) <= 200:
        store.end_staff_session(digest(cookie_value))
