"""Helpers for the hardening tests (security, anti-abuse, purge, durability): an app on a
scratch database, valid answers, a stamp that says the form was opened a while ago, and the
check-your-answers step pressed like a browser."""

from __future__ import annotations

import re
import secrets
import time

from itsdangerous import URLSafeTimedSerializer

from portal.web.antiabuse import SESSION_KEY, STARTED_SALT

SECRET = "test-secret-" + "k" * 32
FORM_URL = "/forms/opwijk/nl/support-application/"


def valid_application(**overrides) -> dict:
    """A support application from Opwijk that passes every check (keyword overrides)."""
    data = {
        "help_type": "leefloon", "first_name": "Griet", "last_name": "Vermeulen",
        "birth_date": "1980-04-12", "street": "Kerkstraat", "house_number": "3",
        "postcode": "1745", "city": "Opwijk", "phone": "", "email": "griet@mail.example",
        "contact_preference": "email", "message": "Ik heb hulp nodig.", "declaration": "y", "website": "",
    }
    data.update(overrides)
    return data


def make_app(tmp_path, **config):
    """create_app on a SQLite file in tmp_path; CSRF off and fill time 0 unless given."""
    from portal.web import create_app

    settings = {
        "SECRET_KEY": SECRET, "ENV": "production", "PUBLIC_URL": "https://e-loket.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "WTF_CSRF_ENABLED": False, "FORM_MIN_FILL_SECONDS": 0,
        "ALLOW_EXAMPLE_ADDRESSES": True,     # production mode on the demo configs' .example inboxes
    }
    settings.update(config)
    return create_app(settings)


TEST_SID = "test-session-id"


def in_session(client, sid: str = TEST_SID):
    """`client` (a Flask test client) with `sid` as its browser session's id: the session the
    stamps of `old_stamp` are bound to."""
    with client.session_transaction() as session:
        session[SESSION_KEY] = sid
    return client


def old_stamp(slug="opwijk", form_id="support-application", *, age=60.0, secret=SECRET, sid=TEST_SID) -> str:
    """A valid `form_started` value made `age` seconds ago (no need to sleep in tests), bound to
    the session id `sid` (see `in_session`)."""
    made = time.time() - age
    return URLSafeTimedSerializer(secret, salt=STARTED_SALT).dumps([slug, form_id, round(made, 3), sid])


def hidden_value(html: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else None


def confirmed(client, response, url: str = FORM_URL):
    """After a form POST: when `response` is the check-your-answers page, press its send button
    (the POST that stores) and return that response; any other page is returned as it is."""
    html = response.get_data(as_text=True)
    signed = hidden_value(html, "check_answers")
    if response.status_code != 200 or signed is None:
        return response
    data = {"check_answers": signed, "send": "1", "form_started": hidden_value(html, "form_started") or ""}
    if hidden_value(html, "csrf_token"):
        data["csrf_token"] = hidden_value(html, "csrf_token")
    return client.post(url, data=data)


def post_and_confirm(client, url: str, data: dict):
    """POST the form, then send it from the check page: 303 when stored, else the form's answer."""
    return confirmed(client, client.post(url, data=data), url)


def check_page_send(slug: str = "opwijk", lang: str = "nl", form_id: str = "support-application",
                    *, secret: str = SECRET, **overrides) -> dict:
    """The POST of the check page's send button for `valid_application(**overrides)`, signed as the
    check page signs it. For load tests that measure the POST that stores (CSRF off there)."""
    from portal.web.answers import CHECK_SALT

    answers = {k: str(v) for k, v in valid_application(**overrides).items() if k != "website" and v is not None}
    # A fresh submission key: each call is another send (the same body posted again is one send).
    signed = URLSafeTimedSerializer(secret, salt=CHECK_SALT).dumps(
        {"site": slug, "lang": lang, "form": form_id, "answers": answers, "key": secrets.token_urlsafe(16)})
    return {"check_answers": signed, "send": "1"}
