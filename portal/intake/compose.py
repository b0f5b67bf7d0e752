"""The two e-mails of a submission: the office message and the citizen's confirmation.

Both are built once, when the submission is accepted, and stored as bytes in the outbox with the
Message-ID generated here, so every retry sends exactly the same message.

- Office message, in the receiving office's default language: every answer with its label, the
  routing reason, Reply-To the citizen's address (when it is a valid address). From: the
  sending site's social house by name, at PORTAL_MAIL_FROM.
- Confirmation, in the language the citizen used: the acknowledgement of receipt
  (`portal.intake.receipt`: date and time of receipt, reference, competent office, decision period and
  deadline, what to do without a decision), what happens next, the office's contact and opening
  hours; no answer beyond the first name. From: the competent social house by name; Reply-To:
  that office's public address, so a reply reaches a person.

Subjects hold the form name and the reference only: never personal data. Every header value is
checked by `header_value`: control characters are removed and an encoded word (`=?`) is refused,
because this Python (3.11.7) lets an encoded newline through a header (CVE-2024-6923).
Transports live in `portal.delivery.transport` and are re-exported here.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from functools import lru_cache
from pathlib import Path

import jinja2
import yaml

from portal.common.i18n import t
from portal.common.settings import DEFAULT_SENDER, project_root
from portal.intake.receipt import decision_deadline, format_date, format_received, receipt_facts
from portal.intake.routing import reason_text
from portal.intake.validators import display_phone
from portal.municipal.config import Municipality
from portal.store import NewMessage

log = logging.getLogger("portal.intake.compose")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# An addr-spec we accept from a citizen: ASCII, no quotes, no comments, no display name.
ADDRESS_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
HIDDEN_FIELDS = {"csrf_token", "website", "started", "form_started"}


class HeaderInjection(ValueError):
    """A value meant for a header holds an encoded word (`=?`)."""


def header_value(value: str) -> str:
    """`value` without control characters. Raises HeaderInjection on an encoded word `=?`."""
    value = CONTROL_RE.sub("", str(value))
    if "=?" in value:
        raise HeaderInjection("encoded words are not allowed in header values")
    return value


def valid_address(value) -> str | None:
    """The e-mail address if it is a plain, safe addr-spec (no control characters, no `=?`); else None."""
    if not isinstance(value, str):
        return None
    if CONTROL_RE.search(value):      # checked before stripping: a trailing newline is an attack, not a typo
        return None
    value = value.strip(" ")
    if len(value) > 254 or "=?" in value or not ADDRESS_RE.match(value):
        return None
    return value


# --- form field labels (from the web's forms/<form-id>.yml) ---------------------------------

def _forms_dir() -> Path:
    return project_root() / "forms"


def _load_form(form_id: str) -> dict:
    """forms/<form_id>.yml as data; {} when missing or unreadable (`portal check` reports that).

    A broken form file must not stop an application from being stored: the labels then fall
    back to the field names. Parsed once per file version (parsing costs more than the rest of
    accepting a submission).
    """
    path = _forms_dir() / f"{form_id}.yml"
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    return _parse_form(str(path), stamp)


@lru_cache(maxsize=16)
def _parse_form(path: str, stamp: int) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=loader) or {}  # noqa: S506  # nosec B506  # loader is CSafeLoader or SafeLoader
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _text(value, lang: str, fallback: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or next(iter(value.values()), fallback))
    return str(value) if value else fallback


class _Names(dict):
    """Placeholders of form texts ({social_house}, {municipality}); unknown ones stay as written."""

    def __missing__(self, key):
        return "{" + key + "}"


def _fill(text: str, names: dict | None) -> str:
    try:
        return text.format_map(_Names(names or {}))
    except (ValueError, IndexError):     # a stray brace in a label: show it as written
        return text


def field_labels(form_id: str, lang: str, names: dict | None = None) -> dict:
    """{field name: label in `lang`}, in the order of forms/<form_id>.yml (empty when absent).

    `names` fills the placeholders the labels may hold ({social_house}, {municipality}).
    """
    fields = _load_form(form_id).get("fields") or []
    return {str(f["name"]): _fill(_text(f.get("label"), lang, str(f["name"])), names)
            for f in fields if isinstance(f, dict) and f.get("name")}


def _choice_labels(form_id: str, lang: str) -> dict:
    """{field name: {value: label}} for fields with choices (a list of {value, label} or a map)."""
    result = {}
    for f in _load_form(form_id).get("fields") or []:
        if not isinstance(f, dict) or not f.get("choices"):
            continue
        choices = f["choices"]
        if isinstance(choices, dict):
            result[f["name"]] = {str(k): _text(v, lang, str(k)) for k, v in choices.items()}
        elif isinstance(choices, list):
            result[f["name"]] = {
                str(c.get("value")): _text(c.get("label"), lang, str(c.get("value")))
                for c in choices if isinstance(c, dict) and "value" in c
            }
    return result


def _format_fields(form_id: str, fmt: str) -> set:
    """Names of the fields of a format: `birth_date` (stored as YYYY-MM-DD), `phone` (E.164)."""
    return {str(f["name"]) for f in _load_form(form_id).get("fields") or []
            if isinstance(f, dict) and f.get("format") == fmt and f.get("name")}


def short_date(value) -> str:
    """An ISO date as the citizen typed it and Belgians read it: '1985-03-27' -> '27/03/1985'
    (anything else as it is)."""
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def answer_rows(form_id: str, answers: dict, lang: str, names: dict | None = None) -> list[tuple[str, str]]:
    """(label, value) for every answer, form order first, then any other field by name; a date
    as DD/MM/YYYY, a phone number in the national format."""
    labels = field_labels(form_id, lang, names)
    choices = _choice_labels(form_id, lang)
    dates, phones = _format_fields(form_id, "birth_date"), _format_fields(form_id, "phone")
    order = [n for n in labels if n in answers] + sorted(n for n in answers if n not in labels)
    rows = []
    for name in order:
        if name in HIDDEN_FIELDS:
            continue
        value = answers[name]
        if isinstance(value, bool):
            value = t("mail.yes" if value else "mail.no", lang)
        elif value is None:
            value = ""
        elif name in dates and value:
            value = short_date(value)
        elif name in phones and value:
            value = display_phone(str(value))
        elif isinstance(value, (list, tuple)):
            value = ", ".join(choices.get(name, {}).get(str(v), str(v)) for v in value)
        else:
            value = choices.get(name, {}).get(str(value), str(value))
        rows.append((labels.get(name, name), value))
    return rows


# --- templates --------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _environment(folder: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )


def _render(name: str, **context) -> str:
    env = _environment(str(project_root() / "templates" / "mail"))
    return env.get_template(name).render(**context)


def mailbox(address: str, name: str = "") -> Address:
    """`address` with `name` as its display name, as a header-safe Address: the name is quoted
    and encoded by the email package, never pasted into the header. Raises HeaderInjection."""
    return Address(display_name=header_value(name).strip(), addr_spec=header_value(address))


def _message(*, subject: str, sender: str, sender_name: str = "", recipient: str, when: dt.datetime,
             text: str, html: str, reply_to: str | None = None, reference: str) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = header_value(subject)
    # The social house's name, so the citizen and the office see who wrote, not a bare noreply.
    msg["From"] = mailbox(sender, sender_name)
    msg["To"] = header_value(recipient)
    if reply_to:
        msg["Reply-To"] = header_value(reply_to)
    msg["Date"] = format_datetime(when)
    # From the OS's random source, not make_msgid's `random` module: a test framework that seeds
    # `random` (hypothesis does) made two messages in one centisecond share an id.
    msg["Message-ID"] = f"<{secrets.token_hex(16)}@{sender.rsplit('@', 1)[-1]}>"
    msg["X-Portal-Reference"] = header_value(reference)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def compose_office_message(*, reference: str, form_id: str, answers: dict, route, site: Municipality,
                           received_at: dt.datetime, citizen_lang: str, sender: str = DEFAULT_SENDER) -> EmailMessage:
    """The message for the receiving office, in its default language: every answer, the routing
    reason, the date of receipt and the legal decision deadline. Raises HeaderInjection."""
    office_municipality = route.municipality
    lang = office_municipality.default_language
    deadline = decision_deadline(form_id, answers.get("help_type"), received_at)
    context = {
        "lang": lang,
        "reference": reference,
        "form_title": t(f"mail.form_title.{form_id}", lang),
        "site": site.text(site.name, lang),
        "received": format_received(received_at, lang),
        "deadline": format_date(deadline, lang) if deadline else "",
        "citizen_lang": citizen_lang,
        "rows": answer_rows(form_id, answers, lang, {
            "social_house": site.text(site.social_house, lang), "municipality": site.text(site.name, lang)}),
        "reason": reason_text(route, lang),
        "outside_area": route.outside_area,
        "forward_within_days": route.forward_within_days,
        "t": lambda key, **kw: t(key, lang, **kw),
    }
    subject_key = "mail.office_subject_forward" if route.outside_area else "mail.office_subject"
    subject = t(subject_key, lang, form=context["form_title"], reference=reference)
    return _message(subject=subject, sender=sender, sender_name=site.text(site.social_house, lang),
                    recipient=route.inbox, when=received_at,
                    text=_render("office.txt", **context), html=_render("office.html", **context),
                    reply_to=valid_address(answers.get("email")), reference=reference)


def compose_confirmation(*, reference: str, form_id: str, lang: str, recipient: str, first_name: str,
                         route, received_at: dt.datetime, help_type: str | None = None,
                         sender: str = DEFAULT_SENDER) -> EmailMessage:
    """The citizen's confirmation in `lang`: the acknowledgement of receipt (`portal.intake.receipt`).

    It states the date and time of receipt, the reference, the competent office, the decision
    period with its deadline date and what to do if no decision comes; `help_type` chooses those
    texts and is not shown. No other answer than the first name.
    Raises ValueError when `recipient` is not a valid address.
    """

    address = valid_address(recipient)
    if address is None:
        raise ValueError("the confirmation needs a valid e-mail address")
    facts = receipt_facts(form_id, help_type, lang, received_at, route.municipality,
                          reference=reference, outside_area=route.outside_area)
    # A reply reaches a person: the public address of the office that has the application.
    reply_to = valid_address(facts.office["email"]) if facts.office else None
    context = {
        "lang": lang,
        "reference": reference,
        "form_title": t(f"mail.form_title.{form_id}", lang),
        "first_name": CONTROL_RE.sub("", str(first_name or ""))[:100],
        "facts": facts,
        "office": facts.office,
        "next_steps": facts.next_steps,          # the same text as the receipt page
        "reply_to": reply_to,
        "t": lambda key, **kw: t(key, lang, **kw),
    }
    subject = t("mail.confirmation_subject", lang, form=context["form_title"], reference=reference)
    return _message(subject=subject, sender=sender, sender_name=facts.competent_name, recipient=address,
                    when=received_at, text=_render("confirmation.txt", **context),
                    html=_render("confirmation.html", **context), reply_to=reply_to, reference=reference)


def compose_inbox_check(*, inbox: str, token: str, form_id: str, municipality: Municipality,
                        when: dt.datetime, sender: str = DEFAULT_SENDER) -> EmailMessage:
    """The test message of `portal inbox-check` for one office inbox, in its default language.

    Neutral subject, no personal data; `token` is in the Message-ID and the body so a bounce that
    comes back later can be matched to this check. Raises HeaderInjection for an unsafe address.
    """
    lang = municipality.default_language
    values = {"form": t(f"mail.form_title.{form_id}", lang), "municipality": municipality.text(municipality.name, lang),
              "token": token}
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = header_value(t("mail.inbox_check_subject", lang))
    msg["From"] = header_value(sender)
    msg["To"] = header_value(inbox)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(idstring=f"inbox-check.{token}", domain=sender.rsplit("@", 1)[-1])
    msg["X-Portal-Inbox-Check"] = header_value(token)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(t("mail.inbox_check_body", lang, **values) + "\n")
    return msg


def queued(kind: str, message: EmailMessage) -> NewMessage:
    """The outbox row for `message`: its Message-ID and its bytes, fixed from now on. The row's
    sender is the envelope sender: the From address without its display name."""
    sender = message["From"].addresses[0].addr_spec
    return NewMessage(kind=kind, message_id=str(message["Message-ID"]), sender=sender,
                      recipient=str(message["To"]), raw=message.as_bytes(policy=SMTP))
