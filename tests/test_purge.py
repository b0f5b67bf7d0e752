"""Retention: `portal purge` erases delivered submissions' personal data past the retention
period, from query results AND from the bytes of the database file; undelivered ones stay."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from pathlib import Path

from click.testing import CliRunner

from portal.cli import main
from portal.delivery.transport import FileTransport, PermanentFailure
from portal.delivery.worker import deliver_due
from portal.intake.accept import accept
from portal.store.retention import purge

NOW = dt.datetime.now(dt.timezone.utc)
CANARY_NAME = "Quarkfinder"
CANARY_MAIL = "zebedeus.quarkfinder@mail.example"


def submit(store, municipalities, *, days_ago: float, site="opwijk", postcode="1745", canary=CANARY_NAME) -> str:
    answers = {
        "help_type": "leefloon", "first_name": "Zebedeus", "last_name": canary, "birth_date": "1980-04-12",
        "street": "Kerkstraat", "house_number": "3", "postcode": postcode, "city": "X", "phone": "",
        "email": CANARY_MAIL, "contact_preference": "email", "message": f"Ik ben {canary}.", "declaration": True,
        "no_fixed_address": False, "national_number": "",
    }
    return accept(municipalities[site], "support-application", "nl", answers, store=store,
                  municipalities=municipalities, now=NOW - dt.timedelta(days=days_ago)).reference


def deliver_all(store, tmp_path):
    while deliver_due(store, FileTransport(tmp_path / "mail"))["claimed"]:
        pass


def database_bytes(store) -> bytes:
    """Everything SQLite keeps on disk for this database: main file, WAL, shared memory."""
    path = Path(store.path)
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


def test_a_delivered_old_submission_is_erased_from_the_database_file(store, municipalities, tmp_path):
    reference = submit(store, municipalities, days_ago=31)
    deliver_all(store, tmp_path)
    assert CANARY_NAME.encode() in database_bytes(store)      # the check below can fail

    report = purge(store, municipalities)

    assert report.erased == {"opwijk": 1} and report.compacted and not report.checkpoint_busy
    stored = store.get_submission(reference)
    assert stored.answers is None and stored.status == "purged"
    raw = store._read("SELECT raw, recipient, status FROM outbox")
    assert raw and all(r[0] is None and r[1] == "" and r[2] == "sent" for r in raw)
    data = database_bytes(store)
    assert CANARY_NAME.encode() not in data
    assert CANARY_MAIL.encode() not in data
    assert b"Zebedeus" not in data
    # What remains answers "did it arrive?": the reference, dates, statuses.
    assert reference.encode() in data
    assert store.outbox_counts()["sent"] == 2


def test_recent_and_undelivered_submissions_are_kept(store, municipalities, tmp_path):
    recent = submit(store, municipalities, days_ago=29, canary="Recentling")
    deliver_all(store, tmp_path)
    pending = submit(store, municipalities, days_ago=40, canary="Pendingson")
    failed = submit(store, municipalities, days_ago=40, canary="Failedsen")
    for row in store.claim_outbox(limit=10):
        if row.reference == failed:
            store.mark_failed(row.id, error=PermanentFailure("SMTP 550 (recipient)").summary)
        else:
            store.mark_retry(row.id, delay_seconds=60, error="SMTP 451 (data)")

    report = purge(store, municipalities)

    assert report.total == 0 and report.kept_undelivered == 2
    for reference in (recent, pending, failed):
        assert store.get_submission(reference).answers is not None
    # Once the failed one is handled and delivered, the next purge erases it.
    failed_rows = [r for r in store.list_outbox(("failed",)) if r["reference"] == failed]
    for row in failed_rows:
        store.requeue(row["id"])
    # (the pending one stays pending: its retry is not due for another minute)
    deliver_all(store, tmp_path)
    report = purge(store, municipalities)
    assert store.get_submission(failed).answers is None
    assert store.get_submission(pending).answers is not None
    assert b"Failedsen" not in database_bytes(store)
    assert b"Pendingson" in database_bytes(store)


def test_each_competent_municipality_has_its_own_retention(store, municipalities, tmp_path):
    short = dict(municipalities)
    short["turnhout"] = dataclasses.replace(municipalities["turnhout"], retention_days=7)
    turnhout_code = next(iter(municipalities["turnhout"].postcodes))
    in_turnhout = submit(store, short, days_ago=10, postcode=turnhout_code)      # competent: Turnhout
    in_opwijk = submit(store, short, days_ago=10)                                # competent: Opwijk (30)
    deliver_all(store, tmp_path)

    report = purge(store, short)

    assert report.erased == {"turnhout": 1}
    assert store.get_submission(in_turnhout).answers is None
    assert store.get_submission(in_opwijk).answers is not None


def test_a_dry_run_counts_and_erases_nothing(store, municipalities, tmp_path):
    reference = submit(store, municipalities, days_ago=60)
    deliver_all(store, tmp_path)
    report = purge(store, municipalities, dry_run=True)
    assert report.erased == {"opwijk": 1} and not report.compacted
    assert store.get_submission(reference).answers is not None


def test_the_purge_command_and_its_log_name_no_person(store, municipalities, tmp_path, monkeypatch, caplog):
    submit(store, municipalities, days_ago=45)
    submit(store, municipalities, days_ago=1)
    deliver_all(store, tmp_path)
    monkeypatch.setenv("PORTAL_DATABASE_URL", store.url)
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()

    dry = runner.invoke(main, ["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "opwijk: would erase the personal data of 1 submission(s)" in dry.output
    assert CANARY_NAME.encode() in database_bytes(store)

    real = runner.invoke(main, ["purge"])
    assert real.exit_code == 0, real.output
    assert "1 submission(s) erased" in real.output
    again = runner.invoke(main, ["purge"])
    assert "0 submission(s) erased" in again.output
    for text in (dry.output, real.output, again.output, caplog.text):
        assert CANARY_NAME not in text and CANARY_MAIL not in text and "Zebedeus" not in text


def test_a_purged_receipt_still_shows_its_reference(store, municipalities, tmp_path):
    from portal.intake.accept import load_receipt

    reference = submit(store, municipalities, days_ago=45)
    deliver_all(store, tmp_path)
    purge(store, municipalities)
    receipt = load_receipt(store, reference, municipalities)
    assert receipt["reference"] == reference and receipt["first_name"] == ""
