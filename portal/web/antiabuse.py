"""Telling robots from people on a form POST: a honeypot and a minimum fill time.

- The honeypot: the form's `website` field (forms/<form-id>.yml marks it `honeypot: true`) is
  hidden from people and from screen readers; a robot that fills every input fills it too. Every
  value sent under that name is read (`website=&website=x` is caught).
- The minimum fill time: every form page carries a hidden `form_started` field, a timestamp
  signed with the app's secret (itsdangerous, its own salt, bound to the site and the form), so it
  cannot be forged or moved to another form, and bound to the browser session (`session_id`: a
  random id in Flask's signed session cookie), so a stamp fetched once cannot be used from other
  sessions; it expires with the CSRF time limit (8 hours). A POST that comes back sooner than
  `FORM_MIN_FILL_SECONDS` (PORTAL_FORM_MIN_FILL_SECONDS, default 3) after the page was made, or
  without a valid stamp, was not filled in by a person. A page re-rendered after an error keeps
  the first stamp, so correcting one field quickly is not "too fast". 0 turns the check off.

A submission that looks automated but whose answers are otherwise valid gets a neutral answer:
the same form again with the answers, an empty honeypot, a fresh stamp and a plain "check your
answers and send the form again" notice, with status 200 like any other form with errors. When
its answers are wrong anyway (an empty form sent within the minimum time), it gets the ordinary
error messages instead: they say what to do, and they alone keep it from being stored. Nothing is stored or mailed, and the page does
not say which check failed. It is deliberately NOT a fake receipt: a person caught by mistake
(a browser that filled the hidden field, a very fast double click) must not go home believing the
application was sent; they simply send it again.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time

from flask import current_app, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup, escape

log = logging.getLogger(__name__)

STARTED_FIELD = "form_started"
HONEYPOT_FIELD = "website"
STARTED_SALT = "portal.form-started"
NOTICE = "antiabuse.check_and_send"
SESSION_KEY = "portal_sid"       # the browser session's id in Flask's session
DEFAULT_MAX_AGE = 8 * 3600


def session_id() -> str:
    """This browser session's random id (made, and the session cookie set, on first use)."""
    sid = session.get(SESSION_KEY)
    if not isinstance(sid, str) or not sid:
        sid = session[SESSION_KEY] = secrets.token_urlsafe(16)
    return sid


def max_age() -> int:
    """How long a stamp (and the check page's answers) stays valid: the CSRF time limit."""
    return int(current_app.config.get("WTF_CSRF_TIME_LIMIT") or DEFAULT_MAX_AGE)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=STARTED_SALT)


def min_fill_seconds() -> float:
    """PORTAL_FORM_MIN_FILL_SECONDS, checked at start-up by `portal.common.settings`."""
    return float(current_app.config["FORM_MIN_FILL_SECONDS"])


def new_stamp(slug: str, form_id: str, *, now: float | None = None, sid: str | None = None) -> str:
    """A signed 'this form page was made now' for `slug`/`form_id` in this browser session.

    The time goes in the signed payload in milliseconds: itsdangerous' own timestamp has whole
    seconds only, which would let a robot through up to a second early.
    """
    now = time.time() if now is None else now
    return _serializer().dumps([slug, form_id, round(now, 3), sid if sid is not None else session_id()])


def stamp_age(token: str | None, slug: str, form_id: str, *, now: float | None = None) -> float | None:
    """Seconds since `token` was made for this site and form in this session; None when missing,
    forged, foreign, from another session or older than `max_age()`."""
    if not token or len(token) > 300:
        return None
    try:
        value = _serializer().loads(token, max_age=max_age())
    except BadSignature:          # SignatureExpired is a BadSignature
        return None
    if not (isinstance(value, list) and len(value) == 4 and value[:2] == [slug, form_id]
            and isinstance(value[2], (int, float)) and value[3] == session.get(SESSION_KEY)):
        return None
    now = time.time() if now is None else now
    return now - value[2]


def started_field() -> Markup:
    """The hidden `form_started` input for the form page being rendered (a Jinja global).

    After a POST the stamp the browser sent is kept when it is valid, so the fill time counts
    from the first time the page was shown.
    """
    args = request.view_args or {}
    slug, form_id = str(args.get("slug", "")), str(args.get("form_id", ""))
    token = request.form.get(STARTED_FIELD) if request.method == "POST" else None
    if token is None or stamp_age(token, slug, form_id) is None:
        token = new_stamp(slug, form_id)
    # The token is escaped; the rest is a constant.
    return Markup(f'<input type="hidden" name="{STARTED_FIELD}" value="{escape(token)}">')  # nosec B704


def automated_reason(slug: str, form_id: str, form_data=None, *, now: float | None = None) -> str | None:
    """Why this POST looks automated ("honeypot", "no stamp", "too fast"), or None for a person.

    The reason is for the log only: it names a check, never an answer.
    """
    data = request.form if form_data is None else form_data
    values = data.getlist(HONEYPOT_FIELD) if hasattr(data, "getlist") else [data.get(HONEYPOT_FIELD)]
    if any(str(value or "").strip() for value in values):
        return "honeypot"
    minimum = min_fill_seconds()
    if minimum <= 0:
        return None
    age = stamp_age(data.get(STARTED_FIELD), slug, form_id, now=now)
    if age is None:
        return "no stamp"
    if age < minimum:
        return "too fast"
    return None


def stamp_key(slug: str, form_id: str) -> str | None:
    """The submission key of a direct POST (a client that posts the fields itself): derived from
    its valid stamp, so the same page sent twice is one application; None without a valid stamp."""
    token = request.form.get(STARTED_FIELD)
    if stamp_age(token, slug, form_id) is None:
        return None
    return "stamp:" + hashlib.sha256(str(token).encode()).hexdigest()


def looks_automated(slug: str, form_id: str) -> bool:
    """True (and logged, without any answer) when the current POST should get the neutral answer."""
    reason = automated_reason(slug, form_id)
    if reason:
        log.info("form %s/%s: submission not accepted (%s)", slug, form_id, reason)
    return reason is not None


def clear_traps(form) -> None:
    """Empty the honeypot of a form about to be shown again, and drop its error (so a person can
    send it as is, and the page does not say which check failed)."""
    if HONEYPOT_FIELD in form:
        form[HONEYPOT_FIELD].data = ""
        form[HONEYPOT_FIELD].raw_data = []
        form[HONEYPOT_FIELD].errors = []


def init_app(app) -> None:
    """Make `antiabuse_field()` available to the form template."""
    app.jinja_env.globals["antiabuse_field"] = started_field
