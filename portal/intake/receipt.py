"""The legal acknowledgement of receipt: what the receipt page and the confirmation e-mail state.

An OCMW must register every application for help and give the applicant a dated acknowledgement
of receipt; it must decide within a legal period that runs from that date. `receipt_facts` turns
a stored submission into those statements in one language: when it was received (Brussels
time), its reference, the competent office, the decision period and its deadline date, and what
the citizen can do when no decision comes, and what happens next.

An application from outside the receiving office's area (routing: `outside_area`) stays with that
office, which passes it on within five calendar days to the OCMW the national table names (or
the configured municipality that takes no applications online). Then every statement says so:
the competent office is that other OCMW, the citizen asks it about the decision, and the
receiving office's own "what happens next" (its social worker calls) is not promised.

The periods and texts per form and help type are data, in `portal/decisions.yml`; what happens
next is the form's `next_steps` (forms/<form-id>.yml, as the competent municipality words it);
the labels around them are in `portal/messages/receipt.yml`. The receipt page and the confirmation e-mail show these same texts.

The help type is an answer: it chooses the texts here but is never printed, logged or put in a
subject. The texts name the law, not the help asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from portal.common.brussels import BRUSSELS
from portal.common.findings import Finding, PortalError
from portal.common.i18n import LANGUAGES, format_date, t
from portal.common.yamlfile import load_yaml
from portal.intake.forms import site_definition, site_text
from portal.intake.routing import FORWARD_WITHIN_DAYS, office_name
from portal.municipal.config import FORM_IDS, Municipality
from portal.municipal.contact import contact_office, office_context

DECISIONS_PATH = Path(__file__).parent / "decisions.yml"
HELP_TYPES = ("leefloon", "financial", "housing", "energy", "medical", "debt", "work", "other")
TEXT_KEYS = ("law", "period", "no_decision")
NUMBER_KEYS = ("decision_days", "notify_days", "appeal_months")
PLACEHOLDERS = ("days", "deadline", "notify_days", "appeal_months", "law", "office")

__all__ = ["ReceiptFacts", "receipt_facts", "facts_for_receipt", "decision_deadline", "decision_rule", "check_decisions", "next_steps_text", "format_date", "format_received"]


@dataclass(frozen=True)
class ReceiptFacts:
    """Everything the acknowledgement states, as texts in `lang` (plus the raw values)."""

    lang: str
    form_id: str
    reference: str
    received_at: dt.datetime          # aware, Europe/Brussels
    received_text: str                # "25 november 2026 om 14:32" / "25 novembre 2026 à 14:32"
    competent_name: str               # the OCMW (social house) or organisation that decides, "" when unknown
    office: dict | None               # portal.municipal.contact.office_context of the office that has it now
    decision_days: int | None         # None: no legal decision period (wijk-werken)
    notify_days: int | None
    appeal_months: int | None
    deadline: dt.date | None          # received date + decision_days
    deadline_text: str                # "25 december 2026", "" without a legal period
    period_label: str                 # "30 dagen" / "geen wettelijke termijn"
    law_text: str
    period_text: str
    no_decision_title: str
    no_decision_text: str
    outside_area: bool
    forward_text: str                 # "" unless the receiving OCMW is not competent
    next_steps: str = ""              # who contacts the citizen, how and when (`next_steps_text`)
    received_by: str = ""             # the social house whose office received it (the mail's sender)


# --- the data file --------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _parse(path: str, stamp: int):
    return load_yaml(Path(path))


def _decisions(path: Path = DECISIONS_PATH) -> dict:
    """portal/decisions.yml, parsed once per file version. Raises PortalError when unreadable."""
    return _parse(str(path), path.stat().st_mtime_ns) or {}


def decision_rule(form_id: str, help_type: str | None) -> dict:
    """The entry of decisions.yml for this form and help type (`default` for an unknown or
    missing help type). Raises KeyError for a form the file does not describe."""
    rules = _decisions()[form_id]
    return rules.get(help_type) if help_type in rules else rules["default"]


def check_decisions(path: Path = DECISIONS_PATH) -> list[Finding]:
    """A finding for every form, help type, language, number or placeholder missing or wrong."""
    try:
        data = load_yaml(path) or {}
    except PortalError as exc:
        return list(exc.findings)
    findings = []
    expected = {"support-application": (*HELP_TYPES, "default"), "wijk-werken": ("default",)}
    for form_id in FORM_IDS:
        rules = data.get(form_id)
        if not isinstance(rules, dict):
            findings.append(Finding(path, 1, f"no decision rules for the form {form_id!r}"))
            continue
        for key in expected[form_id]:
            rule = rules.get(key)
            line = rules.line_of(key)
            if not isinstance(rule, dict):
                findings.append(Finding(path, line, f"{form_id}: no entry for {key!r}"))
                continue
            days = rule.get("decision_days")
            numbers = NUMBER_KEYS if days is not None else ()
            for name in numbers:
                if not isinstance(rule.get(name), int) or rule.get(name) <= 0:
                    findings.append(Finding(path, line, f"{form_id}.{key}.{name}: expected a positive number of days or months"))
            for name in TEXT_KEYS:
                texts = rule.get(name)
                for lang in LANGUAGES:
                    text = texts.get(lang) if isinstance(texts, dict) else None
                    if not isinstance(text, str) or not text.strip():
                        findings.append(Finding(path, line, f"{form_id}.{key}.{name} has no {lang!r} text"))
                        continue
                    try:
                        text.format(**dict.fromkeys(PLACEHOLDERS, "x"))
                    except (KeyError, IndexError, ValueError) as exc:
                        findings.append(Finding(path, line, f"{form_id}.{key}.{name}.{lang}: unknown placeholder {exc}",
                                                hint="known: " + ", ".join("{" + p + "}" for p in PLACEHOLDERS)))
    return findings


# --- what happens next -----------------------------------------------------------------------------



def next_steps_text(form_id: str, lang: str, municipality: Municipality | None) -> str:
    """The form's "what happens next" (`next_steps` of forms/<form-id>.yml, as `municipality`
    changes it in site_config/<slug>/forms/), in `lang`: the one text the receipt page and the
    confirmation e-mail both show. "" when the form or the municipality cannot be read: a text
    must never stop an application."""
    if municipality is None:
        return ""
    definition = site_definition(form_id, municipality, municipality.own_dir.parent.parent)
    return site_text(definition.next_steps, lang, municipality) if definition else ""


# --- dates ----------------------------------------------------------------------------------------

def format_received(when: dt.datetime, lang: str) -> str:
    """'25 november 2026 om 14:32' / '25 novembre 2026 à 14:32', in Brussels time."""
    local = when.astimezone(BRUSSELS)
    return t("receipt.datetime", lang, date=format_date(local.date(), lang), time=local.strftime("%H:%M"))


def decision_deadline(form_id: str, help_type: str | None, received_at: dt.datetime) -> dt.date | None:
    """The Brussels date of receipt plus the decision period in calendar days; None without one."""
    days = decision_rule(form_id, help_type).get("decision_days")
    return received_at.astimezone(BRUSSELS).date() + dt.timedelta(days=days) if days else None


# --- the facts ------------------------------------------------------------------------------------

def receipt_facts(form_id: str, answers_or_help_type, lang: str, received_at: dt.datetime,
                  competent: Municipality | None, *, reference: str = "", outside_area: bool = False,
                  forward_to: tuple = ()) -> ReceiptFacts:
    """The acknowledgement of one submission in `lang`.

    `answers_or_help_type`: the answers (only `help_type` is read) or the help type itself, or
    None (wijk-werken, purged answers: the form's default rule). `received_at` must be aware.
    `competent`: the municipality whose office received it (None when no longer configured).
    `outside_area`: that office is not competent and passes the application on, to `forward_to`
    (portal.intake.routing.forward_targets: one OCMW, the two where the street decides, or none
    known). The deadline is the Brussels date of receipt plus the decision period in calendar days.
    Raises KeyError for an unknown form, ValueError for a naive `received_at`.
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    help_type = answers_or_help_type.get("help_type") if isinstance(answers_or_help_type, dict) else answers_or_help_type
    rule = decision_rule(form_id, help_type)
    local = received_at.astimezone(BRUSSELS)
    office, received_by = None, ""
    if competent is not None:
        office = office_context(competent, contact_office(competent, form_id), lang)
        received_by = office["social_house"] or office["municipality"]
    competent_name, ask, forward_text, next_steps = received_by, received_by, "", next_steps_text(form_id, lang, competent)
    if outside_area:
        competent_name, ask, forward_text = _passed_on(forward_to, received_by, lang)
        # The receiving office's own next steps (its social worker calls) are not what happens.
        next_steps = t("receipt.forward_next_steps", lang)
    days = rule.get("decision_days")
    deadline = decision_deadline(form_id, help_type, local)
    deadline_text = format_date(deadline, lang) if deadline else ""
    law = rule["law"][lang]
    values = {"days": days or "", "deadline": deadline_text, "notify_days": rule.get("notify_days") or "",
              "appeal_months": rule.get("appeal_months") or "", "law": law,
              "office": ask or t("receipt.office_unknown", lang)}
    return ReceiptFacts(
        lang=lang, form_id=form_id, reference=reference, received_at=local,
        received_text=format_received(local, lang), competent_name=competent_name, office=office,
        decision_days=days, notify_days=rule.get("notify_days"), appeal_months=rule.get("appeal_months"),
        deadline=deadline, deadline_text=deadline_text,
        period_label=t("receipt.decision_days", lang, days=days) if days else t("receipt.no_legal_period", lang),
        law_text=law, period_text=rule["period"][lang].format(**values),
        no_decision_title=t("receipt.no_decision_title" if days else "receipt.what_next_title", lang),
        no_decision_text=rule["no_decision"][lang].format(**values),
        outside_area=bool(outside_area), forward_text=forward_text, next_steps=next_steps,
        received_by=received_by,
    )


def _passed_on(forward_to: tuple, received_by: str, lang: str) -> tuple[str, str, str]:
    """For an application its receiving office passes on: (who decides, for the summary; whom to
    ask about the decision; the sentence that says so)."""
    names = [office_name(target, lang) for target in forward_to[:2]]
    values = {"office": received_by or t("receipt.office_unknown", lang), "days": FORWARD_WITHIN_DAYS}
    home = t("receipt.office_home", lang)
    if len(names) == 1:
        return names[0], names[0], t("receipt.forward.one", lang, competent=names[0], **values)
    if len(names) == 2:
        either = t("receipt.either", lang, first=names[0], second=names[1])
        return either, home, t("receipt.forward.split", lang, first=names[0], second=names[1], **values)
    return "", home, t("receipt.forward.unknown", lang, **values)


def facts_for_receipt(receipt: dict, lang: str, municipalities: dict) -> ReceiptFacts:
    """`receipt_facts` for a `portal.intake.accept.load_receipt` result, in `lang` (the page's language)."""
    return receipt_facts(receipt["form_id"], receipt.get("help_type"), lang, receipt["received_at"],
                         municipalities.get(receipt["competent"]), reference=receipt["reference"],
                         outside_area=receipt.get("outside_area", False), forward_to=receipt.get("forward_to", ()))
