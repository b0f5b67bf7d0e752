"""`delivery:` in site_config (secure | full, per inbox), the retention keys, and how `portal check`
explains the choice."""

from __future__ import annotations

from portal.checks.run import check_delivery
from portal.common.findings import NOTE
from portal.municipal.config import check_municipality
from tests.test_config import GOOD, messages, write

LAST_LINE = GOOD.count("\n") + 1     # the line of a key appended to GOOD


def load(tmp_path, extra: str):
    municipality, findings = check_municipality(write(tmp_path, GOOD + extra))
    return municipality, findings


def test_secure_is_the_default_and_full_can_be_chosen_per_inbox(tmp_path):
    municipality, _ = load(tmp_path, "")
    assert municipality.delivery_for("support-application") == "secure"
    municipality, findings = load(tmp_path, "delivery: {default: secure, wijk-werken: full}\n")
    assert findings == []
    assert municipality.delivery_for("support-application") == "secure"
    assert municipality.delivery_for("wijk-werken") == "full"
    municipality, _ = load(tmp_path, "delivery: full\n")
    assert municipality.delivery_for("support-application") == "full"


def test_a_wrong_delivery_is_an_error_with_its_line(tmp_path):
    found = messages(tmp_path, GOOD + "delivery: encrypted\n")
    assert (LAST_LINE, "delivery 'encrypted': expected secure or full") in found
    found = messages(tmp_path, GOOD + "delivery: {default: secure, contact: full}\n")
    assert any("delivery: unknown inbox 'contact'" in message for _, message in found)


def test_retention_max_days_must_not_be_shorter_than_retention_days(tmp_path):
    municipality, _ = load(tmp_path, "")
    assert (municipality.retention_days, municipality.retention_max_days) == (30, 90)
    found = messages(tmp_path, GOOD + "retention_days: 60\nretention_max_days: 45\n")
    assert any("retention_max_days 45 is shorter than retention_days 60" in message for _, message in found)


def test_portal_check_explains_full_and_a_missing_key_in_notes(tmp_path):
    municipality, _ = load(tmp_path, "")
    notes = check_delivery(municipality)
    assert len(notes) == 1 and notes[0].severity == NOTE and "secure" in notes[0].message
    municipality, _ = load(tmp_path, "delivery: full\n")
    notes = check_delivery(municipality)
    assert len(notes) == 1 and notes[0].line == LAST_LINE and "national number" in notes[0].message
    assert "data protection officer" in notes[0].hint
    municipality, _ = load(tmp_path, "delivery: secure\n")
    assert check_delivery(municipality) == []
