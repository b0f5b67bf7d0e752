"""The answer checks of portal/validators.py, on their own (no web, no forms)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.intake import validators as v

TODAY = dt.date(2026, 11, 24)


def national_number(born: dt.date, serial: int = 33) -> str:
    """A valid rijksregisternummer for someone born on `born` (the rule any office applies)."""
    base = f"{born:%y%m%d}{serial:03d}"
    check = 97 - int(("2" + base) if born.year >= 2000 else base) % 97
    return f"{base}{check:02d}"


# --- rijksregisternummer ----------------------------------------------------------------------

@pytest.mark.parametrize("number, born", [
    ("85.07.30-033.28", dt.date(1985, 7, 30)),      # as printed on the identity card
    ("85073003328", dt.date(1985, 7, 30)),
    ("850730 033 28", dt.date(1985, 7, 30)),
    ("00010100105", dt.date(2000, 1, 1)),          # born 2000 or later: a 2 before the nine digits
    ("00010100173", dt.date(1900, 1, 1)),          # the same digits under the 1900 rule
    ("17031512328", dt.date(2017, 3, 15)),
    ("17031512396", dt.date(1917, 3, 15)),
])
def test_valid_national_numbers_give_their_birth_date(number, born):
    assert v.check_national_number(number) == born


@pytest.mark.parametrize("number", [
    "85073003327",      # check digits off by one
    "85073003329",
    "00010100106",      # 2000+ number with a wrong check
    "8507300332",       # 10 digits
    "850730033281",     # 12 digits
    "85073003A28",
    "",
])
def test_invalid_national_numbers_are_refused(number):
    assert v.check_national_number(number) is None


@pytest.mark.parametrize("base", ["851330033", "856030033"])
def test_a_right_check_on_an_impossible_month_is_refused(base):
    """Month 13, month 60: the mod-97 check alone would let them through."""
    number = f"{base}{97 - int(base) % 97:02d}"
    assert v.check_national_number(number) is None


@pytest.mark.parametrize("base", ["850230033", "850732033", "850200033", "850000033", "000001033"])
def test_a_number_whose_day_counter_ran_out_or_whose_date_is_unknown_is_valid(base):
    """30 February, day 32 (the register ran out of serials for that day), day 00 or month 00
    (birth date unknown: refugees, people born abroad): valid numbers without a birth date."""
    number = f"{base}{97 - int(base) % 97:02d}"
    assert v.check_national_number(number) is True
    wrong = f"{number[:9]}{(int(number[9:]) % 97) + 1:02d}"
    assert v.check_national_number(wrong) is None          # the same digits with a wrong check


def test_the_issue_example_with_a_day_beyond_the_month_is_accepted():
    assert v.check_national_number("85023003390") is True
    assert v.check_national_number("85023003391") is None


def test_a_bis_number_with_month_plus_20_or_40_is_valid():
    base = "854730033"  # month 07 + 40
    number = f"{base}{97 - int(base) % 97:02d}"
    assert v.check_national_number(number) == dt.date(1985, 7, 30)


def test_a_number_with_an_unknown_birth_day_is_valid_without_a_date():
    base = "850700033"
    assert v.check_national_number(f"{base}{97 - int(base) % 97:02d}") is True


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today()), st.integers(1, 998))
def test_every_generated_number_is_valid_and_gives_its_date(born, serial):
    assert v.check_national_number(national_number(born, serial)) == born


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)), st.integers(1, 998), st.integers(1, 96))
def test_a_wrong_check_is_always_refused(born, serial, delta):
    number = national_number(born, serial)
    wrong = f"{number[:9]}{(int(number[9:]) + delta - 1) % 97 + 1:02d}"
    other_century = 97 - int(number[:9] if born.year >= 2000 else "2" + number[:9]) % 97
    if int(wrong[9:]) == other_century:
        return  # the check of the other century: valid, for someone born 100 years apart
    assert v.check_national_number(wrong) is None


# --- postcode, dates, e-mail, phone -----------------------------------------------------------

@pytest.mark.parametrize("code, ok", [
    ("1000", True), ("1745", True), ("9999", True), ("2300", True),
    ("0999", False), ("999", False), ("10000", False), ("17a5", False), ("", False), (" 1745", False),
    ("١٧٤٥", False),  # Arabic-Indic digits: isdigit() says yes, Belgian post says no
])
def test_postcode(code, ok):
    assert v.is_postcode(code) is ok


@pytest.mark.parametrize("text, date", [
    ("1985-07-30", dt.date(1985, 7, 30)),
    ("30/07/1985", dt.date(1985, 7, 30)),
    ("30-07-1985", dt.date(1985, 7, 30)),
    ("1.2.1950", dt.date(1950, 2, 1)),
    ("2026-11-24", dt.date(2026, 11, 24)),     # born today: plausible (a parent applying is another form)
    ("2026-11-25", None),                      # tomorrow
    ("1899-12-31", None),                      # implausibly old
    ("1985-02-30", None),
    ("30/13/1985", None),
    ("85-07-30", None),
    ("yesterday", None),
    ("", None),
])
def test_birth_date_must_be_real_past_and_plausible(text, date):
    assert v.parse_birth_date(text, today=TODAY) == date


@pytest.mark.parametrize("text, problem", [
    ("1/2/85", "two_digit_year"), ("01/02/85", "two_digit_year"), ("01.02.85", "two_digit_year"),
    ("010285", "two_digit_year"),
    ("27 maart 1985", "date_form"), ("27 mars 1985", "date_form"), ("1985", "date_form"), ("morgen", "date_form"),
    ("31/02/1980", "no_such_date"), ("1985-02-30", "no_such_date"),
    ("01/01/1899", "too_old"), ("1899-12-31", "too_old"),
    ("27/03/1985", None), ("1985-03-27", None), ("27031985", None),
    ("27/03/2999", None),            # in the future: the field's own format message says so
])
def test_each_mistake_in_a_birth_date_is_named(text, problem):
    assert v.birth_date_problem(text) == problem


@pytest.mark.parametrize("address, ok", [
    ("an@example.be", True), ("an.peeters+ocmw@mail.example.org", True),
    ("an@example", False), ("an example@example.be", False), ("an@@example.be", False),
    ("an@example.be\r\nBcc: x@y.be", False), ("@example.be", False), ("an@.be", False),
    ("a" * 250 + "@example.be", False),
])
def test_email(address, ok):
    assert v.is_email(address) is ok


@pytest.mark.parametrize("number, normalised", [
    ("0470 12 34 56", "+32470123456"),
    ("0470/12.34.56", "+32470123456"),
    ("+32 470 12 34 56", "+32470123456"),
    ("0032 470 12 34 56", "+32470123456"),
    ("02 486 12 34", "+3224861234"),
    ("052 36 19 23", "+3252361923"),
    ("+32 (0)2 486 12 34", "+3224861234"),   # the (0) is the trunk prefix people add
    ("0800 113 41", "+3280011341"),
    ("+31 20 123 4567", "+31201234567"),  # a Dutch number, e.g. a border worker
    ("0049 651 1234567", "+496511234567"),  # a German landline (Trier), written with 00
    ("+33 6 12 34 56 78", "+33612345678"),  # a French mobile
    ("+33 6 12 34", None),                  # too short for France
    ("+352 621 123 456", "+352621123456"),  # Luxembourg mobile
    ("+999 1234 5678", None),               # no such country code
    ("0470 12 34 5", None),               # a mobile needs 10 digits
    ("02 486 12 345", None),              # a landline 9
    ("470123456", None),
    ("00470123456", None),
    ("phone me", None),
    ("", None),
])
def test_belgian_phone_numbers(number, normalised):
    assert v.normalise_phone(number) == normalised


@pytest.mark.parametrize("stored, shown", [
    ("+32470123456", "0470 12 34 56"),
    ("+3224861234", "02 486 12 34"),
    ("+3252361923", "052 36 19 23"),
    ("+33612345678", "+33 6 12 34 56 78"),
    ("not a number", "not a number"),
])
def test_a_stored_number_is_shown_in_the_national_format(stored, shown):
    assert v.display_phone(stored) == shown


@pytest.mark.parametrize("text, multiline, bad", [
    ("Peeters", False, False),
    ("Van den Broeck-Ş", False, False),
    ("Peeters\r\nBcc: x@example.be", False, True),
    ("line one\nline two", True, False),
    ("bell\x07", True, True),
    ("nul\x00", False, True),
    ("sep\u2028arator", False, True),
])
def test_control_characters(text, multiline, bad):
    assert v.has_control_characters(text, multiline=multiline) is bad


# --- answers that depend on other answers ----------------------------------------------------

class Field:
    """A WTForms field as the validators see it: its data and its errors."""

    def __init__(self, data):
        self.data = data
        self.errors = []


def run(validator, form: dict, name: str):
    """The validator on `form[name]`: None when it passes, else ("stop" or "error", message)."""
    try:
        validator(form, form[name])
    except v.StopValidation as exc:
        return ("stop", str(exc))
    except v.ValidationError as exc:
        return ("error", str(exc))
    return None


@pytest.mark.parametrize("ticked, street, city, result", [
    (True, "Kerkstraat", "Opwijk", ("error", "leeg")),
    (True, "", "Opwijk", ("error", "leeg")),          # one part of the address is enough
    (True, "  ", "", None),                           # blanks are no address
    (False, "Kerkstraat", "Opwijk", None),
])
def test_no_fixed_address_conflicts_with_any_part_of_an_address(ticked, street, city, result):
    form = {"no_fixed_address": Field(ticked), "street": Field(street), "city": Field(city)}
    assert run(v.Conflicts(("street", "city"), None, None, "leeg"), form, "no_fixed_address") == result


@pytest.mark.parametrize("preference, ticked, result", [
    ("letter", True, ("error", "geen brief")),
    ("letter", False, None),
    ("phone", True, None),
])
def test_a_letter_conflicts_with_no_fixed_address(preference, ticked, result):
    form = {"contact_preference": Field(preference), "no_fixed_address": Field(ticked)}
    assert run(v.Conflicts(("no_fixed_address",), True, "letter", "geen brief"), form, "contact_preference") == result


def test_a_question_that_does_not_apply_is_neither_required_nor_checked():
    form = {"job_description": Field("x" * 5000)}
    form["job_description"].errors.append("an earlier error")
    assert run(v.Applies(lambda form: False), form, "job_description") == ("stop", "")
    assert form["job_description"].errors == []
    assert run(v.Applies(lambda form: True), form, "job_description") is None


@pytest.mark.parametrize("data, expected, result", [
    ("user", "user", True), ("worker", "user", False), ("school", ["school", "nonprofit"], True),
    (None, "user", False), (True, True, True), ("y", True, True), (False, True, False), ("", None, False),
])
def test_matches(data, expected, result):
    assert v.matches(data, expected) is result
