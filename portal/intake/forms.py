"""Form definitions: `forms/<form-id>.yml` turned into Flask-WTF form classes, per language.

A definition is data: fields in page order with a type, nl/fr label and hint, autocomplete token,
rules (`required`, `required_if`, `required_unless`, `format`, `max_length`, `choices`,
`conflicts_with`) and an error message per rule in each language. A question asked for one
answer only (`applies_if`) has its answer dropped here when it does not apply (`inapplicable`,
`answers`): never checked, shown or stored (data minimisation, GDPR art. 5(1)(c)). See the comment at the top of
`forms/support-application.yml` for the schema.

A municipality changes a label, hint, the introduction or the "what happens next" text without
code in `site_config/<slug>/forms/<form-id>.yml`:

    intro: {nl: "..."}
    next_steps: {nl: "..."}
    fields:
      message:
        hint: {nl: "Vertel ons ook wanneer we u best bellen."}

Rules, names and types cannot be overridden there: the backend, routing and e-mails rely on them.
`{municipality}` and `{social_house}` in any text are replaced by the site's names; `{postcode}` in
the format message of a postcode field by the site's first postcode (an example its citizens know).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.fields import BooleanField, StringField, TextAreaField

from portal.common.findings import ERROR, Finding, PortalError, load_each
from portal.common.i18n import LANGUAGES, format_number, messages
from portal.common.settings import project_root
from portal.common.yamlfile import LineDict, load_yaml
from portal.intake import validators as v
from portal.municipal.config import FORM_IDS, Municipality

FIELD_TYPES = ("text", "date", "email", "tel", "select", "radio", "checkbox", "textarea", "hidden")
# The field names of DESIGN.md: routing, storage and e-mails rely on them, so a definition must
# have exactly these.
FIELD_NAMES = {
    "support-application": (
        "help_type", "first_name", "last_name", "birth_date", "national_number", "no_fixed_address",
        "street", "house_number", "postcode", "city", "phone", "email", "contact_preference",
        "message", "declaration", "website",
    ),
    "wijk-werken": (
        "request_type", "requester_kind", "organisation_name", "first_name", "last_name", "street",
        "house_number", "postcode", "city", "phone", "email", "job_description", "message",
        "declaration", "website",
    ),
}
FIELD_KEYS = (
    "name", "type", "label", "hint", "required", "required_if", "required_unless", "choices",
    "autocomplete", "inputmode", "format", "max_length", "errors", "group", "honeypot",
    "matches_birth_date", "width", "applies_if", "conflicts_with",
)
FORM_KEYS = ("id", "title", "intro", "submit", "next_steps", "groups", "fields")
OVERRIDABLE_FIELD_KEYS = ("label", "hint")
OVERRIDABLE_FORM_KEYS = ("title", "intro", "next_steps", "fields")
DEFAULT_MAX_LENGTH = 200  # one-line answers; textareas set their own
# Old field names still accepted in a POST, for one release (DESIGN.md): old name -> new name.
LEGACY_FIELD_NAMES = {"consent": "declaration"}


@dataclass(frozen=True)
class Condition:
    """`required_if` / `required_unless`: another field's value (None: "is filled")."""

    rule: str
    field: str
    value: object = None


@dataclass(frozen=True)
class Conflict:
    """`conflicts_with`: this answer (any, or one of `answer`) cannot go with one of `fields`
    having `value` (None: filled in)."""

    fields: tuple
    value: object = None
    answer: object = None


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str
    label: dict
    hint: dict | None = None
    required: bool = False
    conditions: tuple = ()
    choices: tuple = ()          # ((value, {nl, fr}), ...)
    autocomplete: str | None = None
    inputmode: str | None = None
    format: str | None = None
    max_length: int = DEFAULT_MAX_LENGTH
    errors: dict = field(default_factory=dict)   # rule -> {nl, fr}
    group: str | None = None
    honeypot: bool = False
    matches_birth_date: str | None = None
    width: str | None = None     # a CSS width class: "4", "10", "20" characters
    applies_if: Condition | None = None   # asked only when this holds; else its answer is dropped
    conflicts_with: Conflict | None = None
    line: int = 1

    def applies_values(self) -> str:
        """The `applies_if` values as the page's script reads them: space-separated, a checkbox's
        as true/false, "" for "is filled in"."""
        value = self.applies_if.value if self.applies_if else None
        values = value if isinstance(value, (list, tuple)) else ([] if value is None else [value])
        return " ".join(str(x).lower() if isinstance(x, bool) else str(x) for x in values)


@dataclass(frozen=True)
class FormDefinition:
    id: str
    title: dict
    intro: dict | None
    submit: dict
    next_steps: dict
    groups: dict                 # group id -> {"legend": {...}, "hint": {...}|None}
    fields: tuple
    path: Path | None = None

    def field(self, name: str) -> FieldDef:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


# --- loading and checking ---------------------------------------------------------------------

def forms_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "forms"


class _Checker:
    def __init__(self, path: Path):
        self.path = path
        self.findings: list[Finding] = []

    def error(self, line: int, message: str, hint: str = ""):
        self.findings.append(Finding(self.path, line, message, ERROR, hint))

    def text(self, parent, key, where, required=True) -> dict | None:
        value = parent.get(key) if isinstance(parent, dict) else None
        line = parent.line_of(key) if isinstance(parent, LineDict) else 1
        if value is None:
            if required:
                self.error(line, f"{where}: missing {key}", "write it as {nl: ..., fr: ...}")
            return None
        if not isinstance(value, dict):
            self.error(line, f"{where}.{key}: expected {{nl: ..., fr: ...}}")
            return None
        for lang in LANGUAGES:
            if not str(value.get(lang) or "").strip():
                self.error(line, f"{where}.{key}: missing {lang!r} text")
        for lang in value:
            if lang not in LANGUAGES:
                self.error(line, f"{where}.{key}: unknown language {lang!r}")
        return {str(k): str(val) for k, val in value.items()}

    def conditions(self, item, where, names) -> tuple:
        result = []
        for rule in ("required_if", "required_unless"):
            spec = item.get(rule)
            if spec is None:
                continue
            if not isinstance(spec, dict) or "field" not in spec:
                self.error(item.line_of(rule), f"{where}.{rule}: expected {{field: NAME}} or {{field: NAME, value: VALUE}}")
                continue
            if spec["field"] not in names:
                self.error(item.line_of(rule), f"{where}.{rule}: no field {spec['field']!r} in this form")
            result.append(Condition(rule, str(spec["field"]), spec.get("value")))
        return tuple(result)

    def applies_if(self, item, where, names) -> Condition | None:
        spec = item.get("applies_if")
        if spec is None:
            return None
        if not isinstance(spec, dict) or "field" not in spec or "value" not in spec:
            self.error(item.line_of("applies_if"), f"{where}.applies_if: expected {{field: NAME, value: VALUE}}")
            return None
        if spec["field"] not in names or spec["field"] == item.get("name"):
            self.error(item.line_of("applies_if"), f"{where}.applies_if: no other field {spec['field']!r} in this form")
        return Condition("applies_if", str(spec["field"]), spec["value"])

    def conflict(self, item, where, names) -> Conflict | None:
        spec = item.get("conflicts_with")
        if spec is None:
            return None
        others = spec.get("field") if isinstance(spec, dict) else None
        others = [others] if isinstance(others, str) else others
        if not isinstance(others, list) or not others:
            self.error(item.line_of("conflicts_with"),
                       f"{where}.conflicts_with: expected {{field: NAME or [NAMES], value: VALUE, answer: VALUE}}")
            return None
        for other in others:
            if other not in names:
                self.error(item.line_of("conflicts_with"), f"{where}.conflicts_with: no field {other!r} in this form")
        return Conflict(tuple(str(o) for o in others), spec.get("value"), spec.get("answer"))

    def field(self, item, line, names) -> FieldDef | None:
        if not isinstance(item, LineDict):
            self.error(line, "field: expected a mapping with name, type, label")
            return None
        name = str(item.get("name", ""))
        where = f"field {name or '?'}"
        for key in item:
            if key not in FIELD_KEYS:
                self.error(item.line_of(key), f"{where}: unknown key {key!r}", "known: " + ", ".join(FIELD_KEYS))
        ftype = item.get("type")
        if ftype not in FIELD_TYPES:
            self.error(item.line_of("type"), f"{where}: type {ftype!r} is not one of {', '.join(FIELD_TYPES)}")
        label = self.text(item, "label", where)
        hint = self.text(item, "hint", where, required=False)
        conditions = self.conditions(item, where, names)
        applies_if = self.applies_if(item, where, names)
        conflict = self.conflict(item, where, names)
        choices = []
        if ftype in ("select", "radio"):
            raw = item.get("choices")
            if not isinstance(raw, dict) or not raw:
                self.error(item.line_of("choices"), f"{where}: a {ftype} needs choices: {{value: {{nl: ..., fr: ...}}}}")
            else:
                for value in raw:
                    choices.append((str(value), self.text(raw, value, f"{where}.choices") or {}))
        fmt = item.get("format")
        if fmt is not None and fmt not in v.FORMATS:
            self.error(item.line_of("format"), f"{where}: format {fmt!r} is not one of {', '.join(v.FORMATS)}")
        max_length = item.get("max_length", 2000 if ftype == "textarea" else DEFAULT_MAX_LENGTH)
        if not isinstance(max_length, int) or max_length < 1:
            self.error(item.line_of("max_length"), f"{where}: max_length must be a positive whole number")
            max_length = DEFAULT_MAX_LENGTH
        errors = {}
        raw_errors = item.get("errors") or LineDict()
        for rule in raw_errors:
            errors[str(rule)] = self.text(raw_errors, rule, f"{where}.errors") or {}
        needed = [c.rule for c in conditions] + (["required"] if item.get("required") else [])
        if fmt:
            needed.append("format")
        if conflict:
            needed.append("conflicts_with")
        for rule in needed:
            if rule not in errors:
                self.error(item.line_of("errors", line), f"{where}: no error message for {rule!r}",
                           f"add errors: {{{rule}: {{nl: ..., fr: ...}}}}")
        group = item.get("group")
        if group is not None:
            group = str(group)
        return FieldDef(
            name=name, type=str(ftype), label=label or {}, hint=hint, required=bool(item.get("required")),
            conditions=conditions, choices=tuple(choices), autocomplete=item.get("autocomplete"),
            inputmode=item.get("inputmode"), format=fmt, max_length=max_length, errors=errors,
            group=group, honeypot=bool(item.get("honeypot")), matches_birth_date=item.get("matches_birth_date"),
            width=str(item["width"]) if item.get("width") else None, applies_if=applies_if,
            conflicts_with=conflict, line=line,
        )

    def run(self, raw, form_id: str) -> FormDefinition | None:
        if not isinstance(raw, LineDict):
            self.error(1, "expected a mapping with id, title, fields")
            return None
        for key in raw:
            if key not in FORM_KEYS:
                self.error(raw.line_of(key), f"unknown key {key!r}", "known: " + ", ".join(FORM_KEYS))
        if raw.get("id") != form_id:
            self.error(raw.line_of("id"), f"id {raw.get('id')!r} must equal the file name {form_id!r}")
        title = self.text(raw, "title", "form")
        intro = self.text(raw, "intro", "form", required=False)
        submit = self.text(raw, "submit", "form")
        next_steps = self.text(raw, "next_steps", "form")
        groups = {}
        for gid, spec in (raw.get("groups") or LineDict()).items():
            groups[str(gid)] = {"legend": self.text(spec, "legend", f"group {gid}"),
                                "hint": self.text(spec, "hint", f"group {gid}", required=False)}
        raw_fields = raw.get("fields")
        if not isinstance(raw_fields, list) or not raw_fields:
            self.error(raw.line_of("fields"), "fields: expected a list of fields")
            return None
        names = [str(item.get("name")) for item in raw_fields if isinstance(item, dict)]
        fields = []
        for i, item in enumerate(raw_fields):
            fdef = self.field(item, raw_fields.line_of(i), names)
            if fdef is not None:
                fields.append(fdef)
                if fdef.group and fdef.group not in groups:
                    self.error(raw_fields.line_of(i), f"field {fdef.name}: group {fdef.group!r} is not under groups:")
        expected = FIELD_NAMES.get(form_id)
        if expected is not None:
            missing = [n for n in expected if n not in names]
            extra = [n for n in names if n not in expected]
            if missing:
                self.error(raw.line_of("fields"), f"fields missing: {', '.join(missing)}", "DESIGN.md fixes the field names")
            if extra:
                self.error(raw.line_of("fields"), f"unknown fields: {', '.join(extra)}", "DESIGN.md fixes the field names")
        if len(set(names)) != len(names):
            self.error(raw.line_of("fields"), "a field name is used twice")
        if self.findings:
            return None
        return FormDefinition(id=form_id, title=title, intro=intro, submit=submit, next_steps=next_steps,
                              groups=groups, fields=tuple(fields), path=self.path)


def check_form(path: Path) -> tuple[FormDefinition | None, list[Finding]]:
    """Load and check one definition: (the definition or None on errors, all findings)."""
    path = Path(path)
    try:
        raw = load_yaml(path)
    except PortalError as exc:
        return None, exc.findings
    checker = _Checker(path)
    definition = checker.run(raw, path.stem)
    return definition, checker.findings


def load_form(form_id: str, root: Path | None = None) -> FormDefinition:
    """The checked definition of `form_id`. Raises PortalError (file:line findings) on errors."""
    path = forms_dir(root) / f"{form_id}.yml"
    if not path.is_file():
        raise PortalError(Finding(path, 1, f"no form definition {form_id!r}"))
    definition, findings = check_form(path)
    if definition is None:
        raise PortalError(findings)
    return definition


def site_definition(form_id: str, municipality: Municipality, root: Path | None = None) -> FormDefinition | None:
    """forms/<form_id>.yml as `municipality` shows it (its own labels and texts; a broken override
    is left out, `portal check` reports it), or None when the form file does not load: a text or a
    label must never stop an application. Parsed once per version of the file."""
    path = forms_dir(root) / f"{form_id}.yml"
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    definition = _load_form_version(form_id, str(path.parent.parent), stamp)
    if definition is None:
        return None
    try:
        return form_for_site(definition, municipality)
    except PortalError:
        return definition


@lru_cache(maxsize=16)
def _load_form_version(form_id: str, root: str, stamp: int) -> FormDefinition | None:
    try:
        return load_form(form_id, Path(root))
    except PortalError:
        return None


def load_forms(root: Path | None = None) -> dict:
    """Every form DESIGN.md names, by id. Raises PortalError listing every broken definition."""
    return load_each(FORM_IDS, lambda form_id: load_form(form_id, root))


def override_path(municipality: Municipality, form_id: str) -> Path:
    return municipality.own_dir / "forms" / f"{form_id}.yml"


def check_overrides(definition: FormDefinition, municipality: Municipality) -> tuple[FormDefinition, list[Finding]]:
    """The definition with the municipality's own labels and hints, and findings on the file."""
    path = override_path(municipality, definition.id)
    if not path.is_file():
        return definition, []
    try:
        raw = load_yaml(path)
    except PortalError as exc:
        return definition, exc.findings
    checker = _Checker(path)
    if not isinstance(raw, LineDict):
        checker.error(1, "expected a mapping with fields, intro or next_steps")
        return definition, checker.findings
    changes = {}
    for key in raw:
        if key not in OVERRIDABLE_FORM_KEYS:
            checker.error(raw.line_of(key), f"{key!r} cannot be changed here", "only " + ", ".join(OVERRIDABLE_FORM_KEYS))
        elif key != "fields":
            changes[key] = {**(getattr(definition, key) or {}), **_partial_text(checker, raw, key, municipality)}
    fields = list(definition.fields)
    for name, spec in (raw.get("fields") or LineDict()).items():
        try:
            index = [f.name for f in fields].index(name)
        except ValueError:
            checker.error(raw["fields"].line_of(name), f"no field {name!r} in {definition.id}")
            continue
        field_changes = {}
        for key in spec or {}:
            if key not in OVERRIDABLE_FIELD_KEYS:
                checker.error(spec.line_of(key), f"field {name}: {key!r} cannot be changed here", "only label and hint")
            else:
                field_changes[key] = {**(getattr(fields[index], key) or {}), **_partial_text(checker, spec, key, municipality)}
        fields[index] = dataclasses.replace(fields[index], **field_changes)
    changes["fields"] = tuple(fields)
    return dataclasses.replace(definition, **changes), checker.findings


def _partial_text(checker, parent, key, municipality) -> dict:
    value = parent.get(key)
    if not isinstance(value, dict):
        checker.error(parent.line_of(key), f"{key}: expected {{nl: ..., fr: ...}}")
        return {}
    for lang in municipality.languages:
        if not str(value.get(lang) or "").strip():
            checker.error(parent.line_of(key), f"{key}: missing {lang!r} text (the site is in {', '.join(municipality.languages)})")
    return {str(k): str(val) for k, val in value.items()}


def form_for_site(definition: FormDefinition, municipality: Municipality) -> FormDefinition:
    """The definition as `municipality` shows it. Raises PortalError on a broken override file."""
    result, findings = check_overrides(definition, municipality)
    if findings:
        raise PortalError(findings)
    return result


# --- texts ------------------------------------------------------------------------------------

def site_text(value: dict | None, lang: str, municipality: Municipality) -> str:
    """`value` in `lang`, with {municipality} and {social_house} filled in."""
    if not value:
        return ""
    text = value.get(lang) or ""
    return (text.replace("{municipality}", municipality.text(municipality.name, lang))
                .replace("{social_house}", municipality.text(municipality.social_house, lang)))


# The example of a postcode message for a site without postcodes of its own (its config
# requires them; a Municipality made in code may have none): Brussels, no one's demo.
NEUTRAL_POSTCODE = "1000"


def example_postcode(municipality: Municipality) -> str:
    """The postcode a message gives as an example: the site's first, which its citizens know."""
    return municipality.postcodes[0] if municipality.postcodes else NEUTRAL_POSTCODE


def error_text(fdef: FieldDef, rule: str, lang: str, municipality: Municipality, **values) -> str:
    """The field's message for `rule`, else the generic one from portal/messages/forms.yml."""
    if rule in fdef.errors:
        text = site_text(fdef.errors[rule], lang, municipality)
    else:
        text = messages()[f"forms.error.{rule}"][lang]
        values.setdefault("label", site_text(fdef.label, lang, municipality).rstrip(" ?:\u00a0\u202f").lower())
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


# --- form classes -----------------------------------------------------------------------------

def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _multiline(value):
    """Browsers send CRLF; count and store a line break as one character."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def _validators(fdef: FieldDef, definition: FormDefinition, lang: str, municipality: Municipality) -> list:
    msg = partial(error_text, fdef, lang=lang, municipality=municipality)
    if fdef.honeypot:
        return [v.MustBeEmpty(msg("honeypot"))]
    when = [(c.rule, c.field, c.value, msg(c.rule)) for c in fdef.conditions]
    chain = []
    if fdef.applies_if:
        chain.append(v.Applies(lambda form, name=fdef.name: applies(definition, name, form_values(form))))
    chain.append(v.ConditionalRequired(always=msg("required") if fdef.required else None, when=when))
    if fdef.type != "checkbox":
        chain.append(v.PlainText(msg("plain_text"), multiline=fdef.type == "textarea"))
        chain.append(v.MaxLength(fdef.max_length, msg("max_length", max=format_number(fdef.max_length, lang))))
    if fdef.choices:
        allowed = {value for value, _ in fdef.choices}
        chain.append(v.Format(lambda value, allowed=allowed: value in allowed, msg("choice")))
    if fdef.format == "birth_date":
        chain.append(v.BirthDateShape({
            "two_digit_year": msg("two_digit_year"), "date_form": msg("date_form"),
            "no_such_date": msg("no_such_date"), "too_old": msg("too_old", year=v.OLDEST_BIRTH_YEAR)}))
    if fdef.format == "postcode":
        # The example is a postcode of the site's own area, not the one of the first demo.
        chain.append(v.Format(v.FORMATS["postcode"], msg("format", postcode=example_postcode(municipality))))
    elif fdef.format:
        chain.append(v.Format(v.FORMATS[fdef.format], msg("format")))
    if fdef.matches_birth_date:
        chain.append(v.MatchesBirthDate(fdef.matches_birth_date, msg("matches_birth_date")))
    if fdef.conflicts_with:
        c = fdef.conflicts_with
        chain.append(v.Conflicts(c.fields, c.value, c.answer, msg("conflicts_with")))
    return chain


def build_form_class(definition: FormDefinition, lang: str, municipality: Municipality) -> type:
    """A FlaskForm subclass with one field per definition field, messages in `lang`.

    Pages render the inputs themselves (templates/forms/_fields.html) for GOV.UK markup; the class
    does parsing and validation. Select and radio answers are plain strings checked against the
    choices, so a tampered value gets the definition's message rather than WTForms' English one.
    """
    attrs = {"definition": definition, "lang": lang}
    for fdef in definition.fields:
        label = site_text(fdef.label, lang, municipality)
        validators = _validators(fdef, definition, lang, municipality)
        if fdef.type == "checkbox":
            attrs[fdef.name] = BooleanField(label, validators=validators)
        elif fdef.type == "textarea":
            attrs[fdef.name] = TextAreaField(label, validators=validators, filters=[_multiline])
        else:
            attrs[fdef.name] = StringField(label, validators=validators, filters=[_strip])
    name = re.sub(r"\W", "_", f"{definition.id}_{lang}_{municipality.slug}")
    return type(name, (FlaskForm,), attrs)


def current_names(formdata):
    """Form data with the old field names of LEGACY_FIELD_NAMES renamed to the current ones, so a
    script that still posts `consent` is answered as if it sent `declaration`. When both are
    sent, the current name wins. Returns `formdata` itself when there is nothing to rename."""
    legacy = [old for old, new in LEGACY_FIELD_NAMES.items() if old in formdata and new not in formdata]
    if not legacy:
        return formdata
    data = MultiDict(formdata)
    for old in legacy:
        data.setlist(LEGACY_FIELD_NAMES[old], data.poplist(old))
    return data


def form_values(form) -> dict:
    """The parsed answers of a bound form, by field name (for `applies`)."""
    return {fdef.name: form[fdef.name].data for fdef in form.definition.fields}


def applies(definition: FormDefinition, name: str, values: dict) -> bool:
    """Whether the question `name` is asked, given the answers `values`: its `applies_if` holds,
    and the question that condition reads is asked itself (a question for "a school" is not
    asked when the question "for whom" is not)."""
    condition = definition.field(name).applies_if
    if condition is None:
        return True
    return applies(definition, condition.field, values) and v.matches(values.get(condition.field), condition.value)


def inapplicable(form) -> set:
    """The names of the questions that do not apply to the answers of this bound form: whatever
    was typed there is dropped before the check page and before storing."""
    values = form_values(form)
    return {fdef.name for fdef in form.definition.fields if not applies(form.definition, fdef.name, values)}


def answers(form) -> dict:
    """The citizen's answers, by field name: strings, booleans for checkboxes, ISO dates, phone
    numbers in E.164.

    The honeypot and the CSRF token are left out; so are answers to fields that are not required
    in the situation and were left empty (they are stored as ""), and answers to questions that
    do not apply to the choices made (`applies_if`): stored as "" (False for a checkbox), whatever
    was typed there.
    """
    result = {}
    dropped = inapplicable(form)
    for fdef in form.definition.fields:
        if fdef.honeypot:
            continue
        data = form[fdef.name].data
        if fdef.name in dropped:
            result[fdef.name] = False if fdef.type == "checkbox" else ""
        elif fdef.type == "checkbox":
            result[fdef.name] = bool(data)
        elif fdef.format == "birth_date" and data:
            result[fdef.name] = v.parse_birth_date(data).isoformat()
        elif fdef.format == "phone" and data:
            result[fdef.name] = v.normalise_phone(data)      # stored in E.164, shown nationally
        else:
            result[fdef.name] = data or ""
    return result


def check_forms(root: Path | None = None, municipalities=()) -> list[Finding]:
    """Findings for every form definition and every municipality's text overrides (`portal check`).

    A definition must have the field names of DESIGN.md, known types, and every label, hint,
    choice and error message in Dutch and French.
    """
    findings, definitions = [], {}
    for form_id in FORM_IDS:
        path = forms_dir(root) / f"{form_id}.yml"
        if not path.is_file():
            findings.append(Finding(path, 1, f"no form definition {form_id!r}", hint="DESIGN.md names the forms"))
            continue
        definition, form_findings = check_form(path)
        findings.extend(form_findings)
        if definition is not None:
            definitions[form_id] = definition
    for municipality in municipalities:
        for form_id in municipality.forms:
            if form_id in definitions:
                findings.extend(check_overrides(definitions[form_id], municipality)[1])
    return findings
