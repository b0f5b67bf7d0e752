"""Addresses on names reserved for examples and tests: the demo configs' placeholders.

`.example`, `.invalid`, `.test` and `.localhost` (RFC 2606, RFC 6761), and example.com, .net and
.org, never reach anybody: a mail to them is never delivered and a site on them is never found.
The demo municipalities use them on purpose (no demo can mail a real office); a real deployment
must not. One rule, used twice: `portal check` warns about every such address (an error with
`--strict` or PORTAL_ENV=production), and the form backend refuses to start in production while
an application or a citizen's reply would go to one, or every mail would come from one
(`check_deliverable`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from portal.common.settings import ConfigurationError

RESERVED_TLDS = ("example", "invalid", "test", "localhost")
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
REMOVE_DEMOS = ("a demo municipality's placeholder: put the real address here, or remove the demo configs "
                "(git rm site_config/<demo>.yml site_config/<demo>/, docs/deploy.md section 3)")


def is_reserved_host(host: str) -> bool:
    """True for a host name under a reserved name: opwijk.example, localhost, www.example.com."""
    host = host.strip().rstrip(".").lower()
    labels = host.split(".")
    return labels[-1] in RESERVED_TLDS or any(host == d or host.endswith("." + d) for d in RESERVED_DOMAINS)


def is_reserved_address(address: str) -> bool:
    """True for an e-mail address whose domain is reserved: welzijn@opwijk.example."""
    _, at, domain = str(address).rpartition("@")
    return bool(at) and is_reserved_host(domain)


@dataclass(frozen=True)
class Placeholder:
    key: str          # where in the config: "inboxes.support-application", "offices[welzijn].email"
    value: str
    line: int
    delivers: bool    # the form backend sends to it or names it as Reply-To


def placeholders(municipality) -> list[Placeholder]:
    """Every address of the municipality's config on a reserved name, with its key and line."""
    m = municipality
    found = []

    def add(key, value, line, delivers=False):
        if value and is_reserved_address(value):
            found.append(Placeholder(key, str(value), line, delivers))

    # The office's address is the Reply-To of the citizen's confirmation; the inboxes get the applications.
    for i, office in enumerate(m.offices):
        add(f"offices[{office.id}].email", office.email, m.line_of("offices", i, "email"), delivers=True)
    for form_id, inbox in m.inboxes.items():
        add(f"inboxes.{form_id}", inbox, m.line_of("inboxes", form_id), delivers=True)
    add("privacy.dpo.email", m.privacy.dpo_email, m.line_of("privacy", "dpo", "email"))
    if m.raw is not None and "contact" in (m.raw.get("accessibility") or {}):   # else: the first office's
        add("accessibility.contact", m.accessibility.contact, m.line_of("accessibility", "contact"))
    return found


def check_deliverable(municipalities, sender: str | None = None, public_url: str | None = None) -> None:
    """The production start-up rule: no application, and no citizen's reply, goes to an address
    that cannot exist, and no mail is sent from one (`sender`, PORTAL_MAIL_FROM: receiving servers
    reject a sender whose domain does not exist, so every mail would bounce), and no link in a
    mail points at a host that cannot exist (`public_url`, PORTAL_PUBLIC_URL: the example file's
    value left in place). Raises ConfigurationError naming each file, line and key."""
    problems = [f"{m.path}:{p.line}: {p.key}: {p.value}"
                for m in municipalities for p in placeholders(m) if p.delivers]
    if sender and is_reserved_address(sender):
        problems.append(f"PORTAL_MAIL_FROM: {sender} (the sender of every mail; set it to an address of the "
                        "municipality's own domain that your mail server may send as)")
    if public_url and is_reserved_host(urlparse(public_url).hostname or ""):
        problems.append(f"PORTAL_PUBLIC_URL: {public_url} (where the staff sign-in links and the office e-mails "
                        "point; set it to the address staff open, e.g. https://www.opwijk.be)")
    if problems:
        raise ConfigurationError(
            "PORTAL_ENV=production, but these addresses are on reserved example names (.example, .invalid, "
            ".test, .localhost), where no mail is ever delivered: applications would be lost while the citizen "
            "gets a receipt.\n  " + "\n  ".join(problems) + "\nPut the municipality's real addresses there, or "
            "remove the demo configs you do not publish (git rm site_config/<demo>.yml site_config/<demo>/; "
            "docs/deploy.md section 3), then start again.")
