"""The one presenter of a citizen's answers: a form definition and its answers become label/value rows.

Used by every view of the answers, so they read the same everywhere:

- the check-your-answers page (`portal.web.answers`, before sending: the answers as typed);
- the office e-mail under `delivery: full` (`portal.intake.compose`, the stored answers);
- the staff inbox's application page and its print view (`portal.web.office`).

A value is shown as a person reads it: a choice by its label, a checkbox as Ja/Nee (Oui/Non), a
date in words ("9 juli 1984"), an empty answer as "Niet ingevuld". The answers may be the raw
strings of a form post ("y" for a ticked box, "27/03/1985" as typed) or the stored values (True,
"1985-03-27"); both give the same rows. Labels come from the definition as the sending site shows
it; with no definition (a form file that no longer loads) the field names are the labels, so an
application can always be read.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.common.i18n import t
from portal.intake.forms import FormDefinition, applies, site_text
from portal.intake.receipt import format_date
from portal.intake.validators import display_phone, parse_birth_date
from portal.municipal.config import Municipality

# Never an answer: the CSRF token, the honeypot and the anti-robot time stamps.
NOT_ANSWERS = {"csrf_token", "website", "started", "form_started"}


@dataclass(frozen=True)
class Row:
    name: str           # the field name (the check page's change buttons need it)
    label: str
    value: str
    multiline: bool = False


def _checked(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() not in ("", "0", "n", "no", "false", "off")


def shown_value(fdef, value, lang: str, site: Municipality) -> str:
    """One answer as a person reads it (see the module's docstring)."""
    if fdef is not None and fdef.type == "checkbox":
        return t("forms.check.yes" if _checked(value) else "forms.check.no", lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(shown_value(fdef, item, lang, site) for item in value) or t("forms.check.not_given", lang)
    text = "" if value is None else str(value).replace("\r\n", "\n").strip()
    if not text:
        return t("forms.check.not_given", lang)
    if fdef is None:
        return text
    if fdef.choices:
        for choice, label in fdef.choices:
            if choice == text:
                return site_text(label, lang, site)
        return text
    if fdef.format == "birth_date":
        day = parse_birth_date(text)
        return format_date(day, lang) if day else text
    if fdef.format == "phone":
        return display_phone(text)
    return text


def answer_rows(definition: FormDefinition | None, answers: dict, lang: str, site: Municipality) -> list[Row]:
    """One row per question in page order (hidden fields and the honeypot left out), then any
    stored answer the definition does not know, by its name. A question that does not apply to
    the choices made (`applies_if`: the job's questions for someone who wants to work as a
    wijk-werker) has no row: it was not asked, and its answer is dropped."""
    rows = []
    known = set()
    for fdef in (definition.fields if definition is not None else ()):
        known.add(fdef.name)
        if fdef.honeypot or fdef.type == "hidden" or fdef.name in NOT_ANSWERS:
            continue
        if not applies(definition, fdef.name, answers):
            continue
        rows.append(Row(fdef.name, site_text(fdef.label, lang, site) or fdef.name,
                        shown_value(fdef, answers.get(fdef.name, ""), lang, site), fdef.type == "textarea"))
    for name in sorted(set(answers) - known - NOT_ANSWERS):
        rows.append(Row(name, name, shown_value(None, answers[name], lang, site), "\n" in str(answers[name])))
    return rows


def choice_label(definition: FormDefinition | None, name: str, value, lang: str, site: Municipality) -> str:
    """The label of a choice answer (the kind of help), "" when the answer is empty or unknown.

    For the secure office e-mail and the staff list: a fixed choice, never free text.
    """
    if definition is None or not value:
        return ""
    try:
        fdef = definition.field(name)
    except KeyError:
        return ""
    for choice, label in fdef.choices:
        if choice == value:
            return site_text(label, lang, site)
    return ""      # a value outside the choices is shown nowhere: it could be anything typed
