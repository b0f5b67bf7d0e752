"""Check your answers (the GOV.UK pattern): a valid form is shown back before it is sent.

The flow, all on the form's own URL and all without JavaScript:

1. POST of the form by its button (`REVIEW_FIELD`, the button's name and value, sent by every
   browser, also when Enter is pressed in a field): the anti-robot checks and validation run;
   valid answers are NOT stored but shown on a check page, one row per question, each with a
   "Wijzigen" / "Modifier" button, and a send button. A POST without `REVIEW_FIELD` (a client
   that posts the documented fields itself, DESIGN.md's contract) is stored at once: 303 to the
   receipt, after the same checks.
2. The check page is one POST form carrying the answers in a hidden field `CHECK_FIELD`, signed
   with itsdangerous (own salt, bound to site, form and language, max age = the CSRF time limit).
   No server-side state and nothing in the URL: a URL ends up in logs and browser history, a
   hidden field only in this no-store page. The payload also holds a fresh submission key (one per
   check page shown) and the browser session's id (`antiabuse.session_id`): answers signed for
   one session are refused in another.
3. A change button (`CHANGE_FIELD` = the field's name) brings the form back with the answers
   filled in, focus on that question and the `RETURN_FIELD` marker; sending that form shows the
   check page again (step 1, with a button text that says so).
4. The send button: the signed answers are verified and validated again (never trusted), and
   only then stored (`portal.intake.accept.accept`) and answered with a 303 to the receipt.
   Answers too old or of another browser session (a lost cookie) come back on the form, with a
   notice to check and send them again; only a tampered signature gives the empty form with a
   clear notice. Nothing is stored either way. The anti-robot
   checks run again on this step. The submission key is stored with the application under a
   UNIQUE constraint: the same send again (back and resend, a double click, a replay) answers
   with the receipt of the application it already stored, and stores and mails nothing.

The signed answers are the raw strings the citizen typed (what the form would post), so the same
validation runs on them in step 4 as in step 1.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from portal.common.i18n import t
from portal.intake.present import answer_rows
from portal.intake.routing import FORWARD_WITHIN_DAYS, route, values_in
from portal.web.antiabuse import SESSION_KEY

CHECK_SALT = "portal.checks.run-answers"
CHECK_FIELD = "check_answers"    # the signed answers on the check page
CHANGE_FIELD = "change"          # which answer to change (a button's value)
RETURN_FIELD = "return_to_check" # on the form after a change: sending it returns to the check page
SEND_FIELD = "send"
REVIEW_FIELD, REVIEW_VALUE = "step", "check"  # the form's own button: show the answers first


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CHECK_SALT)


def answer_fields(definition) -> list:
    """The fields whose answers are shown and carried: every field but the honeypot."""
    return [fdef for fdef in definition.fields if not fdef.honeypot]


def raw_answers(definition, formdata, dropped=frozenset()) -> dict:
    """The answers as the browser sent them: {name: text}; an unticked checkbox is left out, and
    so are the questions in `dropped` (`portal.intake.forms.inapplicable`: they do not apply to
    the choices made, so what was typed there is neither shown nor signed nor stored)."""
    result = {}
    for fdef in answer_fields(definition):
        if fdef.name in dropped:
            continue
        value = formdata.get(fdef.name)
        if value is not None:
            result[fdef.name] = str(value)
    return result


def sign(slug: str, lang: str, form_id: str, answers: dict, *, session_id: str | None = None) -> str:
    """The check page's signed answers, with a new submission key (this check page's send)."""
    return serializer().dumps({"site": slug, "lang": lang, "form": form_id, "answers": answers,
                               "key": secrets.token_urlsafe(16), "sid": session_id})


def send_key(token: str) -> str:
    """The submission key of a signed check page (verified by `unsign` first). A payload signed
    without one (by an older version) is keyed by its own signature: replaying it is one send too."""
    data = serializer().loads(token)
    key = data.get("key") if isinstance(data, dict) else None
    return str(key) if isinstance(key, str) and key else "token:" + hashlib.sha256(token.encode()).hexdigest()


def unsign(token: str | None, slug: str, lang: str, form_id: str, *, to_refill: bool = False) -> dict | None:
    """The answers signed for this site, language and form, or None when the token is missing,
    tampered with, too old (older than the CSRF time limit), made for another form or signed for
    another browser session.

    `to_refill`: also answers too old or of another session (a phone browser that dropped its
    cookie), to fill the form in again, never to store: the page that carried them showed them
    already, so giving them back reveals nothing, and the citizen loses nothing."""
    if not token:
        return None
    max_age = None if to_refill else current_app.config.get("WTF_CSRF_TIME_LIMIT")
    try:
        data = serializer().loads(token, max_age=max_age)
    except BadSignature:          # SignatureExpired is a BadSignature
        return None
    if not (isinstance(data, dict) and data.get("site") == slug and data.get("lang") == lang
            and data.get("form") == form_id and isinstance(data.get("answers"), dict)):
        return None
    if not to_refill and data.get("sid") is not None and data.get("sid") != session.get(SESSION_KEY):
        return None
    answers = data["answers"]
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in answers.items()):
        return None
    return answers


def formdata(answers: dict, *, with_csrf: bool = True) -> MultiDict:
    """Form data to bind a form class to: the answers, plus the CSRF token of this request (the
    app-wide check already accepted it; the form's own check must see it too)."""
    data = MultiDict(answers)
    if with_csrf and "csrf_token" in request.form:
        data["csrf_token"] = request.form["csrf_token"]
    return data


def rows(definition, answers: dict, lang: str, site) -> list[dict]:
    """One row per question, in page order: name, label, value (the shared presenter,
    `portal.intake.present`), and the label of the question's change button."""
    return [{"name": row.name, "label": row.label,
             # The visually hidden part of "Wijzigen <question>": no trailing "?" or ":".
             "change_label": row.label.rstrip(" ?:\u00a0\u202f"),
             "value": row.value, "multiline": row.multiline}
            for row in answer_rows(definition, answers, lang, site)]


def route_sentence(definition, answers: dict, lang: str, site, municipalities: dict) -> str:
    """Which OCMW (or wijk-werk organisation) will receive these answers, and why, as a sentence
    for the check page: the citizen learns it before sending, not from the receipt.

    `answers`: the validated answers (`portal.intake.forms.answers`). The office is decided by
    `portal.intake.routing.route`, the very rule `portal.intake.accept.accept` stores with.
    """
    chosen = route(definition.id, answers, site, municipalities)
    receiver = chosen.municipality
    office = receiver.text(receiver.social_house, lang) or receiver.text(receiver.name, lang)
    named = values_in(chosen, lang)
    values = {"office": office, "postcode": named.get("postcode", ""),
              "competent": named.get("competent", ""), "days": FORWARD_WITHIN_DAYS}
    key = "forms.route." + chosen.reason.removeprefix("routing.")
    # Outside every configured area: name the OCMW that will decide, from the national table.
    if chosen.reason == "routing.outside_area" and len(chosen.national) == 1:
        key, values["competent_office"] = "forms.route_national.one", chosen.national[0].social_service(lang)
    elif chosen.reason == "routing.outside_area" and len(chosen.national) > 1:
        key = "forms.route_national.split"
        values["first"], values["second"] = (m.social_service(lang) for m in chosen.national[:2])
    return t(key, lang, **values)
