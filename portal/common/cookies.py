"""Every cookie the sites and the form backend set: the privacy page lists them from here.

The static sites set none. The backend's session cookie holds only the CSRF secret (a random
code); it is strictly necessary, so it needs no consent, but it must be listed. A cookie added to
the backend without a row here fails tests/test_legal_pages.py (it drives the backend's pages and
compares every Set-Cookie name with this table).
"""

from __future__ import annotations

from dataclasses import dataclass

SESSION_COOKIE = "portal_session"


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str      # message key: what it is for
    lifetime: str     # message key: how long it stays


COOKIES = (
    Cookie(SESSION_COOKIE, "cookies.portal_session.purpose", "cookies.until_closed"),
)
