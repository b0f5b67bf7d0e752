"""Every field of both forms, fuzzed with hypothesis: any unicode, control characters, huge values,
script, template and mail-header payloads, through the Flask test client and on to both e-mails.

For each value put in one field of an otherwise valid application, posted directly (DESIGN.md's
contract: stored at once) and through the check-your-answers page (the browser's way):

- never an answer >= 500 (a body over MAX_CONTENT_LENGTH gets the 413 page);
- both ways agree: stored by both or by neither;
- an invalid answer is never stored, judged by rules written here independently of the form
  code (control characters, `=?` on one line, length, choices, formats, the honeypot); and what is
  stored passes those rules;
- pages never carry a payload unescaped, and a template payload is never evaluated (`{{7*7}}`
  never becomes `49`);
- the worker delivers both e-mails (file transport): a `delivery: full` office mail's HTML part
  escapes every answer and its text part shows it as typed; a `secure` office mail and the
  citizen's confirmation are exactly the mails composed with every typed answer replaced by "X"
  (nothing typed in them, whatever its length); no header holds anything from the citizen but a
  valid Reply-To address: no CR/LF, no unexpected header, no `=?` except in the subject, which is
  exactly the form name and the reference.
"""

from __future__ import annotations

import email
import itertools
import re
import traceback
import unicodedata
from email.policy import default as default_policy

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from portal.delivery.transport import FileTransport
from portal.delivery.worker import deliver_due
from portal.intake.compose import compose_confirmation, compose_office_message
from portal.intake.routing import route
from portal.intake.validators import display_phone
from tests.hardening import confirmed, make_app, valid_application

SUPPORT_URL = "/forms/opwijk/nl/support-application/"
WIJK_URL = "/forms/opwijk/nl/wijk-werken/"
WIJK_ANSWERS = {
    "request_type": "user", "requester_kind": "private", "organisation_name": "",
    "first_name": "Jan", "last_name": "Claes", "street": "Markt", "house_number": "1",
    "postcode": "1745", "city": "Opwijk", "phone": "052 36 19 23", "email": "jan.claes@mail.example",
    "job_description": "De haag snoeien in maart.", "message": "", "declaration": "y", "website": "",
}
FORMS = {
    "support-application": (SUPPORT_URL, valid_application(national_number="", no_fixed_address="")),
    "wijk-werken": (WIJK_URL, WIJK_ANSWERS),
}

SCRIPT = "<script>alert('xss7')</script>"
IMG = "\"><img src=x onerror=alert('xss8')>"
TEMPLATES = ["A{{7*7}}Z", "A{{ 7*7 }}Z", "A{%print(7*7)%}Z", "A${7*7}Z", "A#{7*7}Z", "A<%= 7*7 %>Z",
             "A{{config}}Z", "A{social_house}Z", "A{0.__class__}Z", "A%(x)sZ"]
PAYLOADS = [SCRIPT, IMG, *TEMPLATES,
            "=?utf-8?q?Jan=0D=0ABcc:_evil@evil.example?=", "Jan\r\nBcc: evil@evil.example",
            "Jan\nX-Injected: evil", "Jan\u2028Bcc: evil@evil.example", "evil@evil.example\r\nBcc: x@evil.example",
            "'; DROP TABLE submissions; --", "\x00", "\ufeff\u202eJan", "Zoë Ñandú 王 😀", "&lt;b&gt;", "</td></tr>"]
EVALUATED = "A49Z"            # what a template payload would turn into
ALLOWED_HEADERS = {"subject", "from", "to", "reply-to", "date", "message-id", "x-portal-reference",
                   "auto-submitted", "mime-version", "content-type", "content-transfer-encoding",
                   "content-language"}  # fixed per message: the language of its text
EXAMPLES = 60                 # per field: 31 fields x 60 = 1,860 values, each posted both ways


def values_for(base_value: str, max_length: int):
    """Hostile and odd values for one field; also valid-looking ones with a payload attached."""
    filler = "ab<>&\"' {}" * 300
    # Each kind equally often (st.one_of favours its first, simplest branches).
    return st.sampled_from([
        st.text(max_size=120),                                              # any unicode, control characters
        st.sampled_from(PAYLOADS),
        st.builds(lambda a, p, b: a + p + b, st.text(max_size=12), st.sampled_from(PAYLOADS), st.text(max_size=12)),
        st.builds(lambda p: base_value + " " + p, st.sampled_from(PAYLOADS)),
        st.sampled_from([" " + base_value + " ", base_value.upper(), ""]),
        # Just under, at and over the field's length limit; a CRLF counts as one character.
        st.integers(max_length - 2, max_length + 2).map(lambda n: filler[:n]),
        st.integers(max_length // 3 - 2, max_length // 3 + 2).map(lambda n: "ab\r\n" * n),
        st.just("x" * 70_000),                                              # over the body size limit
    ]).flatmap(lambda kind: kind)


# --- the rules, written independently of portal/validators.py ----------------------------------------

def normalised(fdef, value: str):
    """What the form keeps of a posted value: text stripped, a textarea's CRLF as LF, a ticked box True."""
    if fdef.type == "checkbox":
        return value not in ("", "false")
    if fdef.type == "textarea":
        return value.replace("\r\n", "\n").strip()
    return value.strip()


def is_control(char: str, multiline: bool) -> bool:
    if multiline and char in "\t\n\r":
        return False
    return unicodedata.category(char) == "Cc" or char in "\u2028\u2029"


def asked(definition, fdef, answers: dict) -> bool:
    """Whether the question is asked, given the other answers: its `applies_if` holds (and that of
    the field it depends on, for a chain); a question not asked has its answer dropped."""
    condition = fdef.applies_if
    if condition is None:
        return True
    wanted = condition.value if isinstance(condition.value, list) else [condition.value]
    return (str(answers.get(condition.field, "")).strip() in {str(w) for w in wanted}
            and asked(definition, definition.field(condition.field), answers))


def breaks_a_rule(fdef, value, *, definition, answers: dict) -> str | None:
    """Why `value` (normalised) may never be stored in this field, given the other `answers`, or
    None when no rule forbids it.

    Formats are checked loosely here (a value that passes may still be refused by the form); every
    rule here is one the form must hold.
    """
    if not asked(definition, fdef, answers):
        return "an answer to a question not asked" if value else None
    if fdef.honeypot:
        return "honeypot" if value else None
    if fdef.type == "checkbox":
        return "required" if fdef.required and not value else None
    if fdef.required and not value:
        return "required"
    if not value:
        return None
    if any(is_control(c, fdef.type == "textarea") for c in value):
        return "control character"
    if fdef.type != "textarea" and "=?" in value:
        return "encoded word"
    if len(value) > fdef.max_length:
        return "too long"
    if fdef.choices and value not in {choice for choice, _ in fdef.choices}:
        return "not a choice"
    if fdef.format == "postcode" and not re.fullmatch(r"[1-9][0-9]{3}", value):
        return "postcode"
    if fdef.format == "email" and not re.fullmatch(r"[\x21-\x7e]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,63}", value):
        return "email"
    # \d and \s as Python reads them (any script's digits, any space): loose on purpose.
    if fdef.format == "phone" and (not re.fullmatch(r"[\d\s+./()-]+", value) or len(re.sub(r"\D", "", value)) < 8):
        return "phone"
    if fdef.format == "national_number" and len(re.sub(r"\D", "", value)) != 11:
        return "national number"
    if fdef.format == "birth_date" and not re.fullmatch(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}", value):
        return "birth date"
    return None


# --- the app, shared by every example --------------------------------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    app = make_app(folder, RATELIMIT_ENABLED=False)
    definitions = app.extensions["portal_forms"]
    return {"app": app, "client": app.test_client(), "store": app.extensions["portal_store"],
            "mail": folder / "mail", "definitions": definitions, "counter": itertools.count()}


def fields_of(form_id: str) -> list[str]:
    from portal.intake.forms import load_form

    return [fdef.name for fdef in load_form(form_id).fields]


CASES = [(form_id, name) for form_id in FORMS for name in fields_of(form_id)]


def assert_page_is_safe(html: str, value: str) -> None:
    assert SCRIPT not in html and "<img src=x onerror" not in html
    if "7*7" in value:
        # Signed tokens (CSRF, form stamp, check-page answers, receipt links) are base64 and may hold
        # "A49Z" by chance: look at the page without the values of hidden fields.
        visible = re.sub(r'(<input type="hidden"[^>]*value=")[^"]*"', r'\1"', html)
        visible = re.sub(r'/received/[^"/]*', "/received/", visible)   # the receipt link's token
        assert EVALUATED not in visible
    stripped = value.strip()
    if "<" in stripped and len(stripped) >= 12:
        assert stripped not in html, "a value with markup is in the page unescaped"


def reference_of(store, location: str) -> str:
    from itsdangerous import URLSafeTimedSerializer

    from tests.hardening import SECRET

    token = location.rstrip("/").rsplit("/", 1)[-1]
    return URLSafeTimedSerializer(SECRET, salt="portal.intake.receipt").loads(token)["ref"]


def deliver(world) -> list:
    """Run the worker over what is due (file transport); the messages it wrote, each parsed, with
    the bytes as sent in `.raw`."""
    folder = world["mail"] / f"run-{next(world['counter'])}"
    transport = FileTransport(folder)
    while deliver_due(world["store"], transport, limit=20)["claimed"]:
        pass
    messages = []
    for path in sorted(folder.glob("*.eml")):
        raw = path.read_bytes()
        message = email.message_from_bytes(raw, policy=default_policy)
        message.raw = raw
        messages.append(message)
    return messages


def header_lines(raw: bytes) -> list[tuple[str, str]]:
    """(name, value) of each header as written, folded lines joined; raw bytes checked first."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\n" not in head.replace(b"\r\n", b"") and b"\r" not in head.replace(b"\r\n", b""), head
    result = []
    for line in head.decode("ascii").split("\r\n"):
        if line[:1] in (" ", "\t"):
            result[-1] = (result[-1][0], result[-1][1] + line)
        else:
            name, _, text = line.partition(":")
            result.append((name, text))
    return result


def same_text(value: str) -> str:
    """A value as a mail body keeps it: every line break as LF (a lone CR too)."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def assert_mails_are_safe(world, messages, reference: str, form_id: str, lang: str) -> None:
    """Headers, subjects and escaping of both mails; the office mail under `delivery: full` holds
    every answer as typed and Reply-To the citizen, under `secure` no Reply-To and nothing typed."""
    from portal.common.i18n import t

    stored = world["store"].get_submission(reference).answers
    expected_office, expected_confirmation = composed_without_typed_text(world, reference, form_id, lang)
    form_title = t(f"mail.form_title.{form_id}", lang)
    citizen = stored.get("email") or ""
    office = [m for m in messages if str(m["To"]) != citizen]
    confirmation = [m for m in messages if citizen and str(m["To"]) == citizen]
    assert len(office) == 1 and len(confirmation) == (1 if citizen else 0), [str(m["To"]) for m in messages]
    for message in messages:
        headers = header_lines(message.raw)
        assert {name.lower() for name, _ in headers} <= ALLOWED_HEADERS, headers
        for name, text in headers:
            if "=?" in text:
                assert name.lower() == "subject", (name, text)
        assert str(message["X-Portal-Reference"]) == reference
        subjects = {t(key, lang, form=form_title, reference=reference) for key in (
            "mail.office_subject", "mail.office_subject_forward", "mail.confirmation_subject")}
        subjects |= {t(key, "nl", form=t(f"mail.form_title.{form_id}", "nl"), reference=reference)
                     for key in ("mail.office_subject", "mail.office_subject_forward")}
        assert str(message["Subject"]) in subjects, str(message["Subject"])
        html = message.get_body(preferencelist=("html",)).get_content()
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert SCRIPT not in html and "<img src=x onerror" not in html
        assert EVALUATED not in html and EVALUATED not in text
    # The confirmation goes to an unverified address: a fixed greeting, nothing typed (a phishing
    # relay otherwise).
    for message in confirmation:
        assert_same_bodies(message, expected_confirmation, "the confirmation")
    reply_to = office[0]["Reply-To"]
    if delivered_securely(world, reference, form_id):
        assert reply_to is None
        return assert_same_bodies(office[0], expected_office, "the secure office mail")
    html = office[0].get_body(preferencelist=("html",)).get_content()
    # A multi-line answer's next lines are indented in the text part (no forged "Label: value" line).
    text = same_text(office[0].get_body(preferencelist=("plain",)).get_content()).replace("\n    ", "\n")
    assert (str(reply_to) if reply_to else "") == citizen
    for name, value in stored.items():
        if isinstance(value, str) and value and name not in ("help_type", "request_type", "requester_kind",
                                                              "contact_preference", "birth_date", "phone"):
            assert str(escape(same_text(value))) in same_text(html), f"{name} not escaped in the office mail"
            assert same_text(value) in text, f"{name} not as typed in the office mail's text part"
    if stored.get("phone"):   # stored in E.164, shown in the national format
        assert stored["phone"].startswith("+") and display_phone(stored["phone"]) in text


def assert_same_bodies(message, expected, what: str) -> None:
    for kind in ("plain", "html"):
        sent, composed = (same_text(m.get_body(preferencelist=(kind,)).get_content()) for m in (message, expected))
        assert sent == composed, f"{what}'s {kind} part holds something typed"


def composed_without_typed_text(world, reference: str, form_id: str, lang: str):
    """(office mail, confirmation or None) composed again for the stored application with every
    typed answer replaced by "X": the route (from the postcode), the kind of help and the time
    stay. A mail that repeats nothing typed is equal to these, whatever was typed; this catches a
    leak whatever its length, where looking for the value in the mail would also "find" a short
    one such as "wijk" in the fixed text."""
    submission = world["store"].get_submission(reference)
    answers, definition = submission.answers, world["definitions"][form_id]
    municipalities = world["app"].extensions["portal_municipalities"]
    site = municipalities[submission.site_slug]
    typed = {f.name for f in definition.fields if f.type in ("text", "textarea", "email", "tel") and f.format != "postcode"}
    untyped = {name: "X" if name in typed and value else value for name, value in answers.items()}
    routed = route(form_id, answers, site, municipalities)
    office = compose_office_message(reference=reference, form_id=form_id, answers=untyped, route=routed, site=site,
                                    received_at=submission.received_at, citizen_lang=lang, definition=definition,
                                    office_url=f"{world['app'].config['PUBLIC_URL']}/office/{reference}")
    confirmation = compose_confirmation(
        reference=reference, form_id=form_id, lang=lang, recipient=answers["email"], route=routed,
        received_at=submission.received_at, help_type=answers.get("help_type")) if answers.get("email") else None
    return office, confirmation


# --- the properties --------------------------------------------------------------------------------

def exercise(world, form_id: str, name: str, value: str) -> None:
    client, store = world["client"], world["store"]
    url, base = FORMS[form_id]
    fdef = world["definitions"][form_id].field(name)
    answers = {**base, name: value}
    before = store.count_submissions()

    direct = client.post(url, data=answers)
    checked = client.post(url, data={**answers, "step": "check"})
    sent = confirmed(client, checked, url)
    for response in (direct, checked, sent):
        assert response.status_code in (200, 303, 413), response.status_code
        assert_page_is_safe(response.get_data(as_text=True), value)
    assert checked.status_code in (200, 413)
    assert (direct.status_code == 303) == (sent.status_code == 303), (direct.status_code, sent.status_code)

    # The posted answers decide whether this question is asked; one not asked is dropped, not refused.
    if not asked(world["definitions"][form_id], fdef, answers):
        reason = None
    else:
        reason = breaks_a_rule(fdef, normalised(fdef, value), definition=world["definitions"][form_id], answers=answers)
    event(f"{direct.status_code} ({reason or 'no rule broken'})")
    if direct.status_code != 303:
        assert store.count_submissions() == before
        return
    assert reason is None, f"stored although {reason}: {value!r}"
    assert store.count_submissions() == before + 2
    for response in (direct, sent):
        reference = reference_of(store, response.headers["Location"])
        receipt = client.get(response.headers["Location"])
        assert receipt.status_code == 200
        assert_page_is_safe(receipt.get_data(as_text=True), value)
        stored = store.get_submission(reference).answers
        for other in world["definitions"][form_id].fields:
            if other.name in stored:
                problem = breaks_a_rule(other, stored[other.name], definition=world["definitions"][form_id], answers=stored)
                assert problem is None, f"stored {other.name}={stored[other.name]!r}: {problem}"
    messages = deliver(world)
    assert len(messages) == 2 * (2 if stored.get("email") else 1)
    for reference in {str(m["X-Portal-Reference"]) for m in messages}:
        mine = [m for m in messages if str(m["X-Portal-Reference"]) == reference]
        assert_mails_are_safe(world, mine, reference, form_id, "nl")


@pytest.mark.parametrize("form_id, name", CASES, ids=[f"{f}:{n}" for f, n in CASES])
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_any_value_in_one_field(world, form_id, name, data):
    base_value = str(FORMS[form_id][1].get(name) or "Jan")
    max_length = world["definitions"][form_id].field(name).max_length
    value = data.draw(values_for(base_value, max_length), label=name)
    try:
        exercise(world, form_id, name, value)
    except Exception:
        # Hypothesis replays a failing example to shrink it, and here the replay can go another
        # way (it then reports FlakyStrategyDefinition, not the failure): the value and the real
        # error are printed, and pytest shows them under the failed test.
        print(f"{form_id}:{name} = {value!r}\n{traceback.format_exc()}")
        raise


def delivered_securely(world, reference: str, form_id: str) -> bool:
    """True when the application's receiving inbox is `delivery: secure` (no answers in its mail)."""
    submission = world["store"].get_submission(reference)
    receiver = world["app"].extensions["portal_municipalities"][submission.competent_slug]
    return receiver.delivery_for(form_id) == "secure"


@pytest.mark.parametrize("form_id, url, lang", [
    ("support-application", SUPPORT_URL, "nl"), ("wijk-werken", WIJK_URL, "nl"),
    ("support-application", "/forms/sint-gillis/fr/support-application/", "fr"),
    # Turnhout is `delivery: full`: every payload is in its office mail, escaped.
    ("support-application", "/forms/turnhout/nl/support-application/", "nl")])
@pytest.mark.parametrize("payload", [SCRIPT, IMG, *TEMPLATES, "Zoë Ñandú 王 😀", "&lt;b&gt;", "</td></tr>"])
def test_a_payload_in_every_free_text_field_at_once_is_stored_escaped_and_mailed_safely(world, form_id, url, lang,
                                                                                      payload):
    """The payloads a form accepts (no control character, no `=?`) in every text field together:
    stored, and shown escaped on the check page, the receipt and in both e-mails, never evaluated
    (Dutch and French pages; the office mail is in the competent office's language)."""
    base = FORMS[form_id][1]
    definition = world["definitions"][form_id]
    answers = dict(base)
    if "/turnhout/" in url:
        answers.update(postcode="2300", city="Turnhout")
    for fdef in definition.fields:
        if fdef.type in ("text", "textarea") and not fdef.format and not fdef.honeypot:
            answers[fdef.name] = f"{base.get(fdef.name) or 'Jan'} {payload}"[:fdef.max_length]
    client, store = world["client"], world["store"]
    for response in (client.post(url, data=answers),
                     confirmed(client, client.post(url, data={**answers, "step": "check"}), url)):
        assert response.status_code == 303, response.get_data(as_text=True)[:3000]
        reference = reference_of(store, response.headers["Location"])
        stored = store.get_submission(reference).answers
        assert stored["first_name"].endswith(payload)
        assert_page_is_safe(client.get(response.headers["Location"]).get_data(as_text=True), payload)
    checked = client.post(url, data={**answers, "step": "check"}).get_data(as_text=True)
    assert_page_is_safe(checked, payload)
    assert str(escape(payload)) in checked                     # shown, escaped, on the check page
    messages = deliver(world)
    assert len(messages) == 4
    for reference in {str(m["X-Portal-Reference"]) for m in messages}:
        mine = [m for m in messages if str(m["X-Portal-Reference"]) == reference]
        assert_mails_are_safe(world, mine, reference, form_id, lang)
