"""Retention: `portal purge` erases an application's personal data `retention_days` after staff
marked it done, or `retention_max_days` after receipt whatever its state and its e-mails' state,
from query results AND from the bytes of the database file (and its WAL)."""

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


def mark(store, reference: str, status: str = "done", *, days_ago: float) -> None:
    """Staff's status change in the staff inbox, `days_ago` days ago."""
    inbox = store.get_submission(reference).inbox
    assert store.set_status(reference, status, inbox=inbox, now=(NOW - dt.timedelta(days=days_ago)).timestamp())


def deliver_all(store, tmp_path):
    while deliver_due(store, FileTransport(tmp_path / "mail"))["claimed"]:
        pass


def database_bytes(store) -> bytes:
    """Everything SQLite keeps on disk for this database: main file, WAL, shared memory."""
    path = Path(store.path)
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


def test_an_application_marked_done_is_erased_from_the_database_file(store, municipalities, tmp_path):
    reference = submit(store, municipalities, days_ago=40)
    deliver_all(store, tmp_path)
    mark(store, reference, days_ago=31)
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
    # What remains answers "did it arrive?": the reference, dates, statuses, the staff's changes.
    assert reference.encode() in data
    assert store.outbox_counts()["sent"] == 2
    assert [c["status"] for c in store.status_history(reference)] == ["done"]


def test_the_note_typed_when_forwarding_is_erased_with_the_answers(store, municipalities, tmp_path):
    """Staff type the forwarding note: it may hold a name or a number, so it goes with the answers;
    a note an older version left behind after a purge is erased on the next one."""
    reference = submit(store, municipalities, days_ago=40, postcode="9000", canary="Wolkenvanger")
    deliver_all(store, tmp_path)
    inbox = store.get_submission(reference).inbox
    assert store.set_status(reference, "forwarded", inbox=inbox, note=f"OCMW Gent, dossier {CANARY_NAME}",
                            now=(NOW - dt.timedelta(days=31)).timestamp())
    assert CANARY_NAME.encode() in database_bytes(store)

    assert purge(store, municipalities).erased == {"opwijk": 1}
    assert [(c["status"], c["note"]) for c in store.status_history(reference)] == [("forwarded", None)]
    assert CANARY_NAME.encode() not in database_bytes(store)

    with store._write() as conn:            # as an older version left it: purged, the note still there
        conn.execute("UPDATE status_changes SET note = ?", (f"OCMW Gent, {CANARY_NAME}",))
    purge(store, municipalities)
    assert store.status_history(reference)[0]["note"] is None
    assert CANARY_NAME.encode() not in database_bytes(store)


def test_a_failed_confirmation_never_keeps_an_application_past_the_maximum(store, municipalities, tmp_path):
    """The hard maximum (90 days) erases it whatever its e-mails: a bounced confirmation, an office
    message still pending. Their unsent copies are discarded with it, never sent empty."""
    bounced = submit(store, municipalities, days_ago=91, canary="Bouncington")
    pending = submit(store, municipalities, days_ago=91, canary="Pendingson")
    for row in store.claim_outbox(limit=10):
        if row.reference == bounced and row.kind == "confirmation":
            store.mark_failed(row.id, error=PermanentFailure("SMTP 550 (recipient)").summary)
        elif row.reference == bounced:
            store.mark_sent(row.id)
        else:
            store.mark_retry(row.id, delay_seconds=0, error="SMTP 451 (data)")
    assert b"Bouncington" in database_bytes(store) and b"Pendingson" in database_bytes(store)

    report = purge(store, municipalities)

    assert report.erased == {"opwijk": 2}
    for reference in (bounced, pending):
        assert store.get_submission(reference).answers is None
    data = database_bytes(store)
    for canary in (b"Bouncington", b"Pendingson", b"Zebedeus", CANARY_MAIL.encode()):
        assert canary not in data
    assert store.claim_outbox(limit=10) == []          # nothing left to send
    assert store.list_outbox() == []                   # nor listed as failed: discarded
    assert store.outbox_counts()["discarded"] == 3


def test_open_and_recently_closed_applications_are_kept(store, municipalities, tmp_path):
    open_one = submit(store, municipalities, days_ago=89, canary="Openingham")
    recently_done = submit(store, municipalities, days_ago=60, canary="Recentling")
    deliver_all(store, tmp_path)
    mark(store, recently_done, days_ago=29)
    mark(store, open_one, "in_progress", days_ago=80)      # in progress is not done

    report = purge(store, municipalities)

    assert report.total == 0
    for reference in (open_one, recently_done):
        assert store.get_submission(reference).answers is not None


def test_each_competent_municipality_has_its_own_retention(store, municipalities, tmp_path):
    short = dict(municipalities)
    short["turnhout"] = dataclasses.replace(municipalities["turnhout"], retention_days=7)
    turnhout_code = next(iter(municipalities["turnhout"].postcodes))
    in_turnhout = submit(store, short, days_ago=10, postcode=turnhout_code)      # competent: Turnhout
    in_opwijk = submit(store, short, days_ago=10)                                # competent: Opwijk (30)
    deliver_all(store, tmp_path)
    mark(store, in_turnhout, days_ago=8)
    mark(store, in_opwijk, days_ago=8)

    report = purge(store, short)

    assert report.erased == {"turnhout": 1}
    assert store.get_submission(in_turnhout).answers is None
    assert store.get_submission(in_opwijk).answers is not None
    shorter_max = {**short, "opwijk": dataclasses.replace(municipalities["opwijk"], retention_max_days=9)}
    assert purge(store, shorter_max).erased == {"opwijk": 1}


def test_a_dry_run_counts_and_erases_nothing(store, municipalities, tmp_path):
    reference = submit(store, municipalities, days_ago=95)
    deliver_all(store, tmp_path)
    report = purge(store, municipalities, dry_run=True)
    assert report.erased == {"opwijk": 1} and not report.compacted
    assert store.get_submission(reference).answers is not None


def test_the_purge_command_and_its_log_name_no_person(store, municipalities, tmp_path, monkeypatch, caplog):
    submit(store, municipalities, days_ago=95)
    submit(store, municipalities, days_ago=1)
    deliver_all(store, tmp_path)
    monkeypatch.setenv("PORTAL_DATABASE_URL", store.url)
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()

    dry = runner.invoke(main, ["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "opwijk: would erase the personal data of 1 submission\n" in dry.output
    assert "1 submission would be erased" in dry.output      # not "1 submission(s) would erase"
    assert CANARY_NAME.encode() in database_bytes(store)

    real = runner.invoke(main, ["purge"])
    assert real.exit_code == 0, real.output
    assert "1 submission erased" in real.output
    again = runner.invoke(main, ["purge"])
    assert "0 submissions erased" in again.output
    for text in (dry.output, real.output, again.output, caplog.text):
        assert CANARY_NAME not in text and CANARY_MAIL not in text and "Zebedeus" not in text


def test_a_purged_receipt_still_shows_its_reference(store, municipalities, tmp_path):
    from portal.intake.accept import load_receipt

    reference = submit(store, municipalities, days_ago=95)
    deliver_all(store, tmp_path)
    purge(store, municipalities)
    receipt = load_receipt(store, reference, municipalities)
    assert receipt["reference"] == reference and receipt["first_name"] == ""


def test_outbox_discard_gives_up_on_a_message_for_good(store, municipalities, tmp_path, monkeypatch):
    reference = submit(store, municipalities, days_ago=1)
    rows = store.claim_outbox(limit=10)
    for row in rows:
        store.mark_failed(row.id, error="SMTP 550 (recipient)")
    monkeypatch.setenv("PORTAL_DATABASE_URL", store.url)
    runner = CliRunner()
    result = runner.invoke(main, ["outbox", "--discard", str(rows[0].id)])
    assert result.exit_code == 0, result.output
    assert f"outbox {rows[0].id}: discarded" in result.output
    assert [r["id"] for r in store.list_outbox()] == [rows[1].id]
    again = runner.invoke(main, ["outbox", "--discard", str(rows[0].id)])
    assert again.exit_code == 1 and "no pending or failed message" in again.output
    assert not store.requeue(rows[0].id)                 # a discarded message is not put back
    assert store.get_submission(reference).answers is not None   # the application itself stays
