"""The e-mails: a submission's office message and citizen's confirmation, the inbox check, the
staff sign-in link.

A submission's two are built once, when it is accepted, and stored as bytes in the outbox with the
Message-ID generated here, so every retry sends exactly the same message.

- Office message, in the receiving office's default language. Under the inbox's `delivery: secure`
  (the default): the reference, form, kind of help, date of receipt, decision deadline, whether the
  office is competent, and a link to the application in the staff inbox; no answer, no Reply-To.
  Under `full`: also every answer with its label (the presenter `portal.intake.present`), the
  full routing reason, Reply-To the citizen's address (when it is a valid address). From: the
  sending site's social house by name, at PORTAL_MAIL_FROM.
- Confirmation, in the language the citizen used: the acknowledgement of receipt
  (`portal.intake.receipt`: date and time of receipt, reference, competent office, decision period and
  deadline, what to do without a decision), what happens next, the office's contact and opening
  hours; no answer, not even the first name (a fixed greeting). From: the receiving social house by name; Reply-To:
  that office's public address, so a reply reaches a person.

Every message says its language in Content-Language. Subjects hold the form name and the
reference only: never personal data. Every header value is
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

import jinja2

from portal.common.i18n import t
from portal.common.paths import legal_page_path, site_page_url
from portal.common.settings import DEFAULT_SENDER, project_root
from portal.intake.forms import FormDefinition, site_definition
from portal.intake.present import answer_rows, choice_label
from portal.intake.receipt import decision_deadline, format_date, format_received, receipt_facts
from portal.intake.routing import reason_text, secure_reason_text
from portal.municipal.config import Municipality
from portal.store import NewMessage

log = logging.getLogger("portal.intake.compose")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# An addr-spec we accept from a citizen: ASCII, no quotes, no comments, no display name, no `%` or
# `!` (source routing: a relay could pass the message on to another host than the one named).
ADDRESS_RE = re.compile(
    r"^[A-Za-z0-9#$&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9#$&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


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


# --- templates --------------------------------------------------------------------------------

LINE_BREAKS_RE = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")


def continued(value) -> str:
    """A multi-line answer for a plain-text mail: every line after the first indented, so a
    typed line such as "- Last name: X" cannot pass for one of the message's own lines."""
    return "\n    ".join(LINE_BREAKS_RE.split(str(value)))


@lru_cache(maxsize=4)
def _environment(folder: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters["continued"] = continued
    return env


def _render(name: str, **context) -> str:
    env = _environment(str(project_root() / "templates" / "mail"))
    return env.get_template(name).render(**context)


def mailbox(address: str, name: str = "") -> Address:
    """`address` with `name` as its display name, as a header-safe Address: the name is quoted
    and encoded by the email package, never pasted into the header. Raises HeaderInjection."""
    return Address(display_name=header_value(name).strip(), addr_spec=header_value(address))


def _message(*, subject: str, sender: str, sender_name: str = "", recipient: str, when: dt.datetime,
             text: str, html: str, lang: str, reply_to: str | None = None, reference: str) -> EmailMessage:
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
    # The language of the text (RFC 3282), so mail programs and screen readers pick the right voice
    # and spelling; the HTML part says it again in <html lang>. Set last: set_content and
    # add_alternative move or drop the Content-* headers set before them.
    msg["Content-Language"] = header_value(lang)
    return msg


# The choice that names the kind of help, per form: a fixed list, never free text, so even the
# secure e-mail may carry it.
KIND_FIELDS = {"support-application": "help_type", "wijk-werken": "request_type"}


def compose_office_message(*, reference: str, form_id: str, answers: dict, route, site: Municipality,
                           received_at: dt.datetime, citizen_lang: str, sender: str = DEFAULT_SENDER,
                           definition: FormDefinition | None = None, office_url: str = "") -> EmailMessage:
    """The message for the receiving office, in its default language.

    How much it says depends on the receiving inbox's `delivery` (site_config): under `secure`
    (the default) only the reference, the form, the kind of help, the date of receipt, the
    decision deadline, the routing reason and `office_url` (the application in the staff inbox;
    "" leaves the link out): no answer, no Reply-To. Under `full` also every answer (the
    presenter of `portal.intake.present`) and Reply-To the citizen's address. `definition`: the
    form as the sending site shows it (loaded from forms/ when None). Raises HeaderInjection.
    """
    office_municipality = route.municipality
    lang = office_municipality.default_language
    secure = office_municipality.delivery_for(form_id) != "full"
    if definition is None:
        definition = site_definition(form_id, site)
    deadline = decision_deadline(form_id, answers.get("help_type"), received_at)
    context = {
        "lang": lang,
        "secure": secure,
        "reference": reference,
        "form_title": t(f"mail.form_title.{form_id}", lang),
        "kind": choice_label(definition, KIND_FIELDS.get(form_id, ""), answers.get(KIND_FIELDS.get(form_id, "")), lang, site),
        "site": site.text(site.name, lang),
        "received": format_received(received_at, lang),
        "deadline": format_date(deadline, lang) if deadline else "",
        "citizen_lang": citizen_lang,
        "reason": secure_reason_text(route, lang) if secure else reason_text(route, lang),
        "outside_area": route.outside_area,
        "forward_within_days": route.forward_within_days,
        "office_url": office_url,
        "t": lambda key, **kw: t(key, lang, **kw),
    }
    if not secure:
        context["rows"] = [(row.label, row.value) for row in answer_rows(definition, answers, lang, site)]
    subject_key = "mail.office_subject_forward" if route.outside_area else "mail.office_subject"
    subject = t(subject_key, lang, form=context["form_title"], reference=reference)
    template = "office_secure" if secure else "office"
    return _message(subject=subject, sender=sender, sender_name=site.text(site.social_house, lang),
                    recipient=route.inbox, when=received_at, lang=lang,
                    text=_render(f"{template}.txt", **context), html=_render(f"{template}.html", **context),
                    reply_to=None if secure else valid_address(answers.get("email")), reference=reference)


def privacy_url(municipality: Municipality, lang: str) -> str | None:
    """The privacy page of the competent OCMW (the controller), in `lang` when its site has it;
    None while the site's published address (`site_url`) is unknown: a mail needs a full URL."""
    if not municipality.site_url:
        return None
    page_lang = lang if lang in municipality.languages else municipality.default_language
    return site_page_url(municipality.site_url, legal_page_path("privacy", page_lang, municipality.default_language))


def compose_confirmation(*, reference: str, form_id: str, lang: str, recipient: str,
                         route, received_at: dt.datetime, help_type: str | None = None,
                         sender: str = DEFAULT_SENDER) -> EmailMessage:
    """The citizen's confirmation in `lang`: the acknowledgement of receipt (`portal.intake.receipt`).

    It states the date and time of receipt, the reference, the competent office, the decision
    period with its deadline date and what to do if no decision comes; `help_type` chooses those
    texts and is not shown. Nothing the citizen typed but the address it goes to: the address is
    not verified, and a message that repeats a typed name or text under the municipality's sender
    would let anybody send that text to anybody (a phishing relay). So a fixed greeting.
    Raises ValueError when `recipient` is not a valid address.
    """

    address = valid_address(recipient)
    if address is None:
        raise ValueError("the confirmation needs a valid e-mail address")
    facts = receipt_facts(form_id, help_type, lang, received_at, route.municipality,
                          reference=reference, outside_area=route.outside_area, forward_to=route.forward_to)
    # A reply reaches a person: the public address of the office that has the application.
    reply_to = valid_address(facts.office["email"]) if facts.office else None
    context = {
        "lang": lang,
        "reference": reference,
        "form_id": form_id,
        "form_title": t(f"mail.form_title.{form_id}", lang),
        "facts": facts,
        "office": facts.office,
        "next_steps": facts.next_steps,          # the same text as the receipt page
        "reply_to": reply_to,
        "privacy_url": privacy_url(route.municipality, lang),
        "t": lambda key, **kw: t(key, lang, **kw),
    }
    subject = t("mail.confirmation_subject", lang, form=context["form_title"], reference=reference)
    return _message(subject=subject, sender=sender, sender_name=facts.received_by, recipient=address,
                    when=received_at, lang=lang, text=_render("confirmation.txt", **context),
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
    msg["Content-Language"] = lang          # after set_content, which drops Content-* headers
    return msg


def compose_sign_in(*, inbox: str, link: str, municipality: Municipality, when: dt.datetime,
                    sender: str = DEFAULT_SENDER) -> EmailMessage:
    """The staff inbox's sign-in message to an office inbox, in its municipality's default
    language: the one-time link, no personal data. Raises HeaderInjection for an unsafe address."""
    lang = municipality.default_language
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = header_value(t("mail.sign_in_subject", lang))
    msg["From"] = mailbox(sender, municipality.text(municipality.social_house, lang))
    msg["To"] = header_value(inbox)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{secrets.token_hex(16)}@{sender.rsplit('@', 1)[-1]}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(t("mail.sign_in_body", lang, inbox=inbox, link=link) + "\n")
    msg["Content-Language"] = lang          # after set_content, which drops Content-* headers
    return msg


def queued(kind: str, message: EmailMessage) -> NewMessage:
    """The outbox row for `message`: its Message-ID and its bytes, fixed from now on. The row's
    sender is the envelope sender: the From address without its display name."""
    sender = message["From"].addresses[0].addr_spec
    return NewMessage(kind=kind, message_id=str(message["Message-ID"]), sender=sender,
                      recipient=str(message["To"]), raw=message.as_bytes(policy=SMTP))
