"""Checks for the answers citizens type into the forms.

Two layers: plain functions (`is_postcode`, `parse_birth_date`, `is_email`, `normalise_phone`,
`display_phone`, `check_national_number`, on python-stdnum and phonenumbers) that know nothing about the web and are tested on their own, and small
WTForms validators built on them (`Format`, `BirthDateShape`, `ConditionalRequired`, `Applies`,
`Conflicts`, `MaxLength`, `PlainText`, `MustBeEmpty`), each carrying the message from the form definition in the page's language.
"""

from __future__ import annotations

import datetime as dt
import re

import phonenumbers
from stdnum.be import bis as be_bis
from stdnum.be import nn as be_nn
from stdnum.exceptions import ValidationError as ValidationError_
from wtforms.validators import StopValidation, ValidationError

# --- plain checks ----------------------------------------------------------------------------

POSTCODE_RE = re.compile(r"^[0-9]{4}$")
# Local part and domain of an address a mail server will take; no quotes, no spaces, a dotted
# domain with a letter TLD. Deliberately stricter than RFC 5322: it only has to take real inboxes.
# No `%` or `!`: old source-routing forms ("user%other.example@relay") a relay may forward on.
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9#$&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9#$&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
# Characters that never belong in a one-line answer: controls (CR/LF would split a mail header)
# and the start of an RFC 2047 encoded word, which a mail client would decode.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_MULTILINE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
OLDEST_BIRTH_YEAR = 1900


def is_postcode(value: str) -> bool:
    """A Belgian postcode: four digits, 1000 to 9999."""
    return bool(POSTCODE_RE.match(value)) and 1000 <= int(value) <= 9999


def parse_birth_date(value: str, today: dt.date | None = None) -> dt.date | None:
    """The date in `value` when it is a plausible birth date, else None.

    Accepts ISO `YYYY-MM-DD` (what a client posting the documented fields sends) and what people
    type in the form's text input: the Belgian `DD/MM/YYYY`, with `-`, `.` or a space between the
    parts, or 8 digits `DDMMYYYY` (a phone's numeric keypad may have no `/`). Plausible: not in
    the future and not before 1900.
    """
    today = today or dt.date.today()
    parts = _date_parts(value)
    if parts is None:
        return None
    try:
        date = dt.date(*parts)
    except ValueError:
        return None
    if date > today or date.year < OLDEST_BIRTH_YEAR:
        return None
    return date


def _date_parts(value: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a value written like a date (the shapes of `parse_birth_date`),
    whether or not that day exists; None when it is not written like a date."""
    value = value.strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if match:
        year, month, day = (int(x) for x in match.groups())
        return year, month, day
    match = (re.fullmatch(r"(\d{1,2}) ?[/.\- ] ?(\d{1,2}) ?[/.\- ] ?(\d{4})", value)
             or re.fullmatch(r"(\d{2})(\d{2})(\d{4})", value))
    if not match:
        return None
    day, month, year = (int(x) for x in match.groups())
    return year, month, day


def is_impossible_date(value: str) -> bool:
    """True for a value written like a date whose day is not in the calendar: 31/02/1980,
    29/02/2023, 12/13/1985. The citizen then needs "that date does not exist", not "in the past"."""
    parts = _date_parts(value or "")
    if parts is None:
        return False
    try:
        dt.date(*parts)
    except ValueError:
        return True
    return False


# A day, a month and a year of two digits (1/2/85, 01.02.85, 010285): the person wrote the date
# right but for the century, which the portal must not guess (a 1925 birth is as real as 2025).
_TWO_DIGIT_YEAR_RE = re.compile(r"\d{1,2} ?[/.\- ] ?\d{1,2} ?[/.\- ] ?\d{2}|\d{6}")


def birth_date_problem(value: str) -> str | None:
    """Which of the birth date's own mistakes `value` makes, as the rule of its error message:
    "two_digit_year" (1/2/85), "date_form" (not written as day/month/year: "27 maart 1985"),
    "no_such_date" (31/02/1980) or "too_old" (before 1900); None when none of them (a date in
    the future is left to the field's `format` message). Each gets its own message: one general
    "a birth date in the past" sent people looking for the wrong mistake."""
    value = (value or "").strip()
    if _TWO_DIGIT_YEAR_RE.fullmatch(value):
        return "two_digit_year"
    parts = _date_parts(value)
    if parts is None:
        return "date_form"
    try:
        dt.date(*parts)
    except ValueError:
        return "no_such_date"
    return "too_old" if parts[0] < OLDEST_BIRTH_YEAR else None


def is_email(value: str) -> bool:
    """An e-mail address a mail server will accept (at most 254 characters)."""
    return len(value) <= 254 and bool(EMAIL_RE.match(value))


def _parse_phone(value: str):
    """The number as phonenumbers reads it (Belgian unless it starts with + or 00), or None."""
    compact = re.sub(r"[\s./()-]", "", value or "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    # A Belgian number is written with its trunk 0 (`470123456` is a typo as often as a number).
    if not re.fullmatch(r"\+\d{6,17}|0\d{5,16}", compact):
        return None
    try:
        number = phonenumbers.parse(compact, "BE")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalise_phone(value: str) -> str | None:
    """The number in E.164 (`+3224861234`), or None when it is not a valid phone number.

    Belgian numbers are written with or without +32/0032 and with spaces, dots, slashes or dashes;
    a number with another country code (a border worker, a relative abroad) must be valid in that
    country's numbering plan (Google's libphonenumber, the `phonenumbers` package).
    """
    number = _parse_phone(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if number else None


def display_phone(value: str) -> str:
    """A stored number as people read it: Belgian ones in the national format (`0470 12 34 56`),
    foreign ones in the international format (`+33 6 12 34 56 78`); anything else as it is."""
    number = _parse_phone(value)
    if number is None:
        return value
    if number.country_code == 32:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def check_national_number(value: str) -> dt.date | bool | None:
    """Check a rijksregisternummer or bis number (python-stdnum's `be.nn` and `be.bis`); None
    when invalid.

    The number is YYMMDD + a 3-digit serial + a 2-digit check (97 minus the first nine digits
    modulo 97, with a 2 in front for people born in 2000 or later), written with or without dots,
    dashes and spaces. Bis numbers add 20 or 40 to the month. Returns the birth date the number
    encodes when it has one, True for a valid number with an unknown or partial date: day or
    month 00 is common for refugees and people born abroad, the OCMW's own public.
    """
    digits = re.sub(r"[\s.-]", "", value or "")
    if not re.fullmatch(r"\d{11}", digits):
        return None
    for module in (be_nn, be_bis):
        try:
            module.validate(digits)
        except ValidationError_:
            continue
        try:
            birth = module.get_birth_date(digits)
        except ValidationError_:
            birth = None
        return birth or True
    return None


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """True when `value` holds characters no answer needs (line breaks too, unless multiline)."""
    pattern = _CONTROL_MULTILINE_RE if multiline else _CONTROL_RE
    return bool(pattern.search(value))


# --- WTForms validators ----------------------------------------------------------------------

def is_filled(data) -> bool:
    """An answer counts as given when it is True or a non-blank string."""
    if isinstance(data, str):
        return bool(data.strip())
    return bool(data)


def matches(data, expected) -> bool:
    """Whether an answer has the `expected` value (one of a list; a bool for a checkbox; None:
    is filled in)."""
    if expected is None:
        return is_filled(data)
    values = expected if isinstance(expected, (list, tuple)) else [expected]
    return any(data == v or (isinstance(v, bool) and bool(data) == v) for v in values)


class ConditionalRequired:
    """Required always, or when another answer has a value (`required_if`), or unless it has
    (`required_unless`). `when`: list of (rule, other_field, expected_value, message); expected
    None means "is filled". An empty, not-required answer stops the other checks of the field.
    """

    field_flags = {}

    def __init__(self, *, always: str | None = None, when: tuple = ()):
        self.always = always
        self.when = tuple(when)

    def missing_message(self, form) -> str | None:
        if self.always:
            return self.always
        for rule, other, expected, message in self.when:
            matched = matches(form[other].data, expected)
            if (rule == "required_if" and matched) or (rule == "required_unless" and not matched):
                return message
        return None

    def __call__(self, form, field):
        if is_filled(field.data):
            return
        field.errors[:] = []
        message = self.missing_message(form)
        if message:
            raise StopValidation(message)
        raise StopValidation()  # optional and empty: nothing more to check


class Applies:
    """A question that is asked in one situation only (`applies_if` in the definition). When it
    does not apply, its answer is not checked nor required: the form-definition layer drops it
    (`portal.intake.forms.answers`), so an error on it would only send the citizen to fix an
    answer that is never used. `applies(form)`: whether it applies to the answers of `form`."""

    field_flags = {}

    def __init__(self, applies):
        self.applies = applies

    def __call__(self, form, field):
        if not self.applies(form):
            field.errors[:] = []
            raise StopValidation()


class Conflicts:
    """An answer that cannot go with another one (`conflicts_with`): this answer is given (or is
    one of `answer`) while one of the `others` has `value` (None: is filled in). The error is on
    this field only, so the summary names one thing to fix, not each field it conflicts with."""

    def __init__(self, others: tuple, value, answer, message: str):
        self.others = tuple(others)
        self.value = value
        self.answer = answer
        self.message = message

    def __call__(self, form, field):
        if not matches(field.data, self.answer):
            return
        if any(matches(form[other].data, self.value) for other in self.others):
            raise ValidationError(self.message)


class Format:
    """The answer must pass `check(value)` (a function above); the message is the field's."""

    def __init__(self, check, message: str):
        self.check = check
        self.message = message

    def __call__(self, form, field):
        value = field.data.strip() if isinstance(field.data, str) else field.data
        if not self.check(value):
            raise ValidationError(self.message)


class BirthDateShape:
    """A two-digit year, a date not written as day/month/year, a day not in the calendar or a
    year before 1900 each get their own message (`messages`: rule of `birth_date_problem` ->
    text) and no other; the field's `format` message then only speaks of a date in the future."""

    def __init__(self, messages: dict):
        self.messages = messages

    def __call__(self, form, field):
        problem = birth_date_problem(field.data) if isinstance(field.data, str) else None
        if problem:
            raise StopValidation(self.messages[problem])


class MaxLength:
    def __init__(self, maximum: int, message: str):
        self.maximum = maximum
        self.message = message
        self.field_flags = {"maxlength": maximum}

    def __call__(self, form, field):
        if isinstance(field.data, str) and len(field.data) > self.maximum:
            raise ValidationError(self.message)


class PlainText:
    """No control characters and no `=?` (start of an encoded mail header word)."""

    def __init__(self, message: str, *, multiline: bool = False):
        self.message = message
        self.multiline = multiline

    def __call__(self, form, field):
        if isinstance(field.data, str) and (
            has_control_characters(field.data, multiline=self.multiline) or (not self.multiline and "=?" in field.data)
        ):
            raise ValidationError(self.message)


class MustBeEmpty:
    """The honeypot: people never see the field, so anything in it was typed by a robot."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if is_filled(field.data):
            raise StopValidation(self.message)


class MatchesBirthDate:
    """A national number whose encoded birth date differs from the birth date given."""

    def __init__(self, birth_field: str, message: str):
        self.birth_field = birth_field
        self.message = message

    def __call__(self, form, field):
        encoded = check_national_number(field.data or "")
        birth = parse_birth_date(str(form[self.birth_field].data or ""))
        if isinstance(encoded, dt.date) and birth and encoded != birth:
            raise ValidationError(self.message)


FORMATS = {
    "postcode": is_postcode,
    "birth_date": lambda v: parse_birth_date(v) is not None,
    "email": is_email,
    "phone": lambda v: normalise_phone(v) is not None,
    "national_number": lambda v: check_national_number(v) is not None,
}
