"""`portal inbox-check`: a test message to every configured inbox, through the real mail route.

A municipality should learn that an inbox address is dead before a citizen's application is
stuck on it. For every `inboxes` entry of site_config/<slug>.yml this sends one neutral test
message (no personal data; a unique token in its Message-ID) with the transport the worker uses
(`PORTAL_SMTP_URL`, else `.eml` files under instance/mail/), records the outcome in the store
(`inbox_checks`, shown by /healthz) and reports:

- ok: the mail server accepted the message for that address;
- bounce: the server refused the address itself (a 5xx reply to RCPT TO);
- refused: another 5xx (sender or content refused);
- deferred: a 4xx (try again later), e.g. a full mailbox or greylisting;
- route_down: no mail server answered at all (connection refused, timeout, TLS, wrong password,
  unwritable mail folder): every inbox fails the same way, and so does delivery.

Only what the server answers during the SMTP conversation is seen. A bounce that the receiving
side sends back later as a delivery status notification (DSN) goes to the sender address
(PORTAL_MAIL_FROM) and is out of scope: its Message-ID holds the token printed here.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from dataclasses import dataclass

from portal.common.settings import DEFAULT_SENDER
from portal.delivery.transport import AUTH_CODES, DeliveryError, FileTransport, transport_for
from portal.intake.compose import compose_inbox_check
from portal.municipal.config import FORM_IDS, Municipality, load_all
from portal.store import open_store

SUMMARY_RE = re.compile(r"^SMTP (\d{3}) \((.*)\)$")
FAILING_HELP = {
    "bounce": "bouncing: the mail server refused the address; correct `inboxes` in site_config/<slug>.yml or create the mailbox",
    "refused": "refused: the mail server refused the test message (sender or content); check PORTAL_MAIL_FROM and the server's rules",
    "deferred": "deferred: the mail server answered 'try again later' (full mailbox, greylisting); run the check again later",
    "route_down": "route down: no mail server answered; check PORTAL_SMTP_URL (host, port, TLS, password) and that the server runs",
}


@dataclass(frozen=True)
class Inbox:
    slug: str
    form_id: str
    address: str          # an office's inbox: not personal data


@dataclass(frozen=True)
class CheckResult:
    inbox: Inbox
    outcome: str          # see portal.store.INBOX_OUTCOMES
    error: str | None     # SMTP code and error class only
    token: str

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def configured_inboxes(municipalities: dict, slugs: list[str] | None = None) -> list[Inbox]:
    """Every `inboxes` entry of the named municipalities (all when none), by slug then form."""
    result = []
    for slug in sorted(slugs or municipalities):
        municipality = municipalities[slug]
        for form_id in FORM_IDS:
            if municipality.inboxes.get(form_id):
                result.append(Inbox(slug, form_id, municipality.inboxes[form_id]))
    return result


def classify(error: DeliveryError) -> str:
    """The outcome for a failed send, from the transport's summary ("SMTP 550 (recipient refused)")."""
    match = SUMMARY_RE.match(error.summary)
    if match is None:                 # no SMTP reply at all: ConnectionRefusedError, TimeoutError, ...
        return "route_down"
    code, stage = int(match.group(1)), match.group(2)
    if code in AUTH_CODES or stage == "connect":
        return "route_down"           # our credentials or the server's greeting: nothing gets through
    if code >= 500:
        return "bounce" if stage == "recipient refused" else "refused"
    return "deferred"


def check_inboxes(inboxes: list[Inbox], municipalities: dict, transport, store=None, *,
                  clock=time.time, sender: str = DEFAULT_SENDER) -> list[CheckResult]:
    """Send one test message per inbox with `transport`; record each outcome in `store` when given.

    Raises StoreUnavailable when a result cannot be recorded (the messages already sent stay sent).
    """
    results = []
    for inbox in inboxes:
        token = secrets.token_hex(8)
        now = clock()
        message = compose_inbox_check(inbox=inbox.address, token=token, form_id=inbox.form_id,
                                      municipality=municipalities[inbox.slug], sender=sender,
                                      when=dt.datetime.fromtimestamp(now, dt.timezone.utc))
        try:
            transport.send(sender, inbox.address, message.as_bytes())
        except DeliveryError as exc:
            result = CheckResult(inbox, classify(exc), exc.summary, token)
        else:
            result = CheckResult(inbox, "ok", None, token)
        if store is not None:
            store.record_inbox_check(slug=inbox.slug, form_id=inbox.form_id, inbox=inbox.address,
                                     outcome=result.outcome, error=result.error, token=token, checked_at=now)
        results.append(result)
    return results


def report(results: list[CheckResult], transport) -> list[str]:
    """The lines `portal inbox-check` prints: a table, a count, then the failing inboxes by kind."""
    lines = [f"Mail route: {transport!r}"]
    if isinstance(transport, FileTransport):
        lines.append("PORTAL_SMTP_URL is not set: the test messages were written as .eml files, no inbox was reached.")
    if not results:
        return lines + ["No inboxes configured (site_config/<slug>.yml `inboxes`)."]
    widths = [max(len(row) for row in column) for column in (
        ["municipality"] + [r.inbox.slug for r in results],
        ["form"] + [r.inbox.form_id for r in results],
        ["inbox"] + [r.inbox.address for r in results],
        ["result"] + [r.outcome for r in results],
    )]

    def row(*cells):
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths + [0])).rstrip()

    lines.append(row("municipality", "form", "inbox", "result", "detail / check token"))
    for r in results:
        lines.append(row(r.inbox.slug, r.inbox.form_id, r.inbox.address, r.outcome, r.error or f"token {r.token}"))
    failing = [r for r in results if not r.ok]
    lines.append(f"{len(results) - len(failing)} ok, {len(failing)} failing")
    for outcome, explanation in FAILING_HELP.items():
        group = [r for r in failing if r.outcome == outcome]
        if group:
            lines.append(f"{len(group)} {explanation}:")
            lines.extend(f"  {r.inbox.address} ({r.inbox.slug}, {r.inbox.form_id}): {r.error}" for r in group)
    return lines


def inbox_check_command(slugs: list[str], echo, *, config: dict) -> int:
    """`portal inbox-check [SLUG...]`: check, record, print with `echo`; the exit code (1: a failure).

    `config` is `portal.common.settings.load()`. Raises StoreUnavailable (results not recorded)
    or ValueError (a bad SMTP URL); the command turns both into a clear message.
    """
    municipalities: dict[str, Municipality] = load_all(config["ROOT"])
    transport = transport_for(config["SMTP_URL"], config["MAIL_DIR"])
    store = open_store(config["DATABASE_URL"], create=False)
    results = check_inboxes(configured_inboxes(municipalities, slugs or None), municipalities, transport, store,
                            sender=config["MAIL_FROM"])
    for line in report(results, transport):
        echo(line)
    return 0 if all(r.ok for r in results) else 1
