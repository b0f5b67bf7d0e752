"""The legal keys of `site_config/<slug>.yml`: `privacy:`, `accessibility:` and `region:`.

    region: flanders                       # optional: derived from the first of `postcodes`
    privacy:
      dpo: {email: dpo@opwijk.example, phone: "052 26 90 00", address: "Marktplein 1, 1745 Opwijk"}
      processors: {hosting: "...", mail: "..."}   # optional: who hosts the forms, who sends the mail
    accessibility:
      contact: toegankelijkheid@opwijk.example    # feedback on accessibility (default: first office)
      evaluated: 2026-11-20                       # the last manual review of this site
      issues: [{nl: "...", fr: "..."}]            # what is known not to be accessible

A data protection officer is mandatory for a public body (GDPR art. 37(1)(a)); the privacy page
names it, so a site that offers a form cannot go without `privacy.dpo.email`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from portal.common.yamlfile import LineDict, LineList
from portal.municipal.postcodes import region_for_postcode
from portal.municipal.region import REGIONS

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ./]{5,}$")
DPO_HINT = "add privacy: {dpo: {email: dpo@<municipality>.be}}: the data protection officer (GDPR art. 37)"


@dataclass(frozen=True)
class Privacy:
    dpo_email: str | None = None
    dpo_phone: str | None = None
    dpo_address: str | None = None
    hosting: str | None = None      # the processor that runs the form backend
    mail: str | None = None         # the processor that delivers the e-mails


@dataclass(frozen=True)
class Accessibility:
    contact: str | None = None      # None: the first office's e-mail
    evaluated: dt.date | None = None
    issues: tuple = ()              # ({lang: text}, ...)


def check_region(checker, raw: LineDict, postcodes: list) -> str:
    """`region:` as set, else the region of the first postcode (flanders when unknown)."""
    value = raw.get("region")
    if value is not None:
        if value not in REGIONS:
            checker.error(raw.line_of("region"), f"region {value!r} is unknown", "one of " + ", ".join(REGIONS))
            return "flanders"
        return str(value)
    for code in postcodes:
        region = region_for_postcode(code)
        if region:
            return region
    return "flanders"


def _mapping(checker, raw: LineDict, key: str, known: tuple, where: str = "") -> LineDict:
    """raw[key] as a mapping with only `known` keys (an empty one when absent or not a mapping)."""
    value = raw.get(key)
    if not isinstance(value, LineDict):
        if value is not None:
            checker.error(raw.line_of(key), f"{where}{key}: expected a mapping of {', '.join(known)}")
        value = LineDict()
        value.key_lines = {}
        return value
    for name in value:
        if name not in known:
            checker.error(value.line_of(name), f"{where}{key}: unknown key {name!r}", "known: " + ", ".join(known))
    return value


def check_privacy(checker, raw: LineDict, forms: list) -> Privacy:
    """`privacy:`; an error when a form is offered without the DPO's e-mail address."""
    section = _mapping(checker, raw, "privacy", ("dpo", "processors"))
    dpo = _mapping(checker, section, "dpo", ("email", "phone", "address"), "privacy.") if "dpo" in section else None
    email = str(dpo.get("email") or "") if dpo is not None else ""
    line = (dpo.line_of("email", section.line_of("dpo")) if dpo is not None
            else raw.line_of("privacy") if "privacy" in raw else raw.line_of("inboxes"))
    if email and not EMAIL_RE.match(email):
        checker.error(line, f"privacy.dpo.email {email!r} is not an e-mail address")
    elif not email and forms:
        checker.error(line, f"privacy.dpo.email missing: this site offers {', '.join(forms)}, and its privacy page must name the data protection officer", DPO_HINT)
    phone = str(dpo.get("phone") or "") if dpo is not None else ""
    if phone and not PHONE_RE.match(phone):
        checker.error(dpo.line_of("phone"), f"privacy.dpo.phone {phone!r} is not a phone number")
    processors = _mapping(checker, section, "processors", ("hosting", "mail"), "privacy.")
    return Privacy(
        dpo_email=email or None, dpo_phone=phone or None,
        dpo_address=str(dpo["address"]) if dpo is not None and dpo.get("address") else None,
        hosting=str(processors["hosting"]) if processors.get("hosting") else None,
        mail=str(processors["mail"]) if processors.get("mail") else None,
    )


def check_accessibility(checker, raw: LineDict) -> Accessibility:
    section = _mapping(checker, raw, "accessibility", ("contact", "evaluated", "issues"))
    contact = section.get("contact")
    if contact is not None and not EMAIL_RE.match(str(contact)):
        checker.error(section.line_of("contact"), f"accessibility.contact {contact!r} is not an e-mail address")
        contact = None
    evaluated = section.get("evaluated")
    if evaluated is not None and not isinstance(evaluated, dt.date):
        checker.error(section.line_of("evaluated"), f"accessibility.evaluated {evaluated!r} is not a date like 2026-11-20")
        evaluated = None
    elif isinstance(evaluated, dt.date) and evaluated > dt.date.today():
        checker.error(section.line_of("evaluated"), f"accessibility.evaluated {evaluated} is in the future",
                      "the date of the last review that was done")
    issues = section.get("issues") or []
    if not isinstance(issues, LineList) and issues:
        checker.error(section.line_of("issues"), "accessibility.issues: expected a list of {nl: ..., fr: ...}")
        issues = []
    texts = []
    for i in range(len(issues)):
        holder = LineDict({"issue": issues[i]})
        holder.key_lines = {"issue": issues.line_of(i)}
        text = checker.text(holder, "issue", f"accessibility.issues[{i + 1}]")
        if text:
            texts.append(text)
    return Accessibility(contact=str(contact) if contact else None, evaluated=evaluated, issues=tuple(texts))
