"""The store: one transaction per submission, durable, unique references, several writers.

The tests that take the `store` fixture and use only `counts` run again against PostgreSQL
(tests/test_store_pg.py imports them)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from portal.store import NewMessage, ReferenceTaken, StoreUnavailable, open_store

BRUSSELS = ZoneInfo("Europe/Brussels")
ROOT = Path(__file__).resolve().parents[1]


def make_submission(store, *, reference="TST-2026-AAAAA", messages=None, **overrides) -> int:
    """Insert one submission with an office and a confirmation message (keyword overrides)."""
    values = dict(
        reference=reference, form_id="support-application", site_slug="opwijk", lang="nl",
        competent_slug="opwijk", inbox="welzijn@opwijk.example", route_reason="routing.own_area",
        outside_area=False, answers={"first_name": "Griet", "postcode": "1745"},
        received_at=dt.datetime(2026, 3, 2, 10, 30, tzinfo=BRUSSELS),
        messages=messages if messages is not None else [
            NewMessage("office", f"<office-{reference}@portal.example>", "noreply@portal.example",
                       "welzijn@opwijk.example", b"Subject: office\r\n\r\nbody\r\n"),
            NewMessage("confirmation", f"<conf-{reference}@portal.example>", "noreply@portal.example",
                       "griet@mail.example", b"Subject: confirmation\r\n\r\nbody\r\n"),
        ],
    )
    values.update(overrides)
    return store.insert_submission(**values)


def raw_counts(path: Path) -> tuple[int, int]:
    """Rows in submissions and outbox, read by a fresh connection (what is really on disk)."""
    conn = sqlite3.connect(path)
    try:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in ("submissions", "outbox"))
    finally:
        conn.close()


def counts(store) -> tuple[int, int]:
    """Rows in submissions and outbox, read by a second store on the same database: its own
    connection sees only what was committed."""
    other = open_store(store.url)
    try:
        return tuple(other._read(f"SELECT COUNT(*) FROM {table}")[0][0] for table in ("submissions", "outbox"))
    finally:
        other.close()


def test_submission_and_outbox_are_stored_together(store):
    submission_id = make_submission(store)
    stored = store.get_submission("TST-2026-AAAAA")
    assert stored.id == submission_id
    assert stored.answers == {"first_name": "Griet", "postcode": "1745"}
    assert stored.received_at.isoformat() == "2026-03-02T10:30:00+01:00"      # Brussels time, as given
    assert counts(store) == (1, 2)
    assert store.outbox_counts() == {"pending": 2, "failed": 0, "sent": 0}
    assert store.health()["database"] == "ok"


def test_sqlite_runs_in_wal_with_full_sync(store):
    conn = store._connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2      # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_an_error_before_commit_leaves_nothing(store):
    def boom():
        raise RuntimeError("crash between insert and commit")

    with pytest.raises(RuntimeError):
        make_submission(store, _before_commit=boom)
    assert counts(store) == (0, 0)
    make_submission(store)      # the connection is usable afterwards
    assert counts(store) == (1, 2)


def test_a_process_killed_between_insert_and_commit_leaves_nothing(store):
    """A real crash: the process dies with the transaction open, nothing reaches the database."""
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from tests.test_store import make_submission
        from portal.store import open_store
        make_submission(open_store({store.url!r}), _before_commit=lambda: os._exit(9))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == 9, result.stderr.decode()
    assert counts(store) == (0, 0)
    assert store.count_submissions() == 0


def test_a_reference_is_never_given_twice(store):
    make_submission(store, reference="TST-2026-BBBBB")
    with pytest.raises(ReferenceTaken):
        make_submission(store, reference="TST-2026-BBBBB", messages=[
            NewMessage("office", "<other@portal.example>", "noreply@portal.example", "x@y.example", b"x")])
    assert counts(store) == (1, 2)


def test_a_full_database_raises_store_unavailable_and_stores_nothing(store):
    make_submission(store, reference="TST-2026-CCCCC")
    conn = store._connection()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")       # SQLite answers SQLITE_FULL from now on
    big = {"message": "x" * 200_000}
    with pytest.raises(StoreUnavailable):
        make_submission(store, reference="TST-2026-DDDDD", answers=big)
    assert store.get_submission("TST-2026-DDDDD") is None
    assert raw_counts(store.path) == (1, 2)


def test_an_unwritable_location_raises_store_unavailable(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnavailable):
        open_store(f"sqlite:///{blocker / 'sub' / 'portal.sqlite3'}")


def test_database_urls(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert open_store("sqlite:///relative.sqlite3").path == Path("relative.sqlite3")
    assert open_store(f"sqlite:///{tmp_path}/abs.sqlite3").path == tmp_path / "abs.sqlite3"
    with pytest.raises(ValueError):
        open_store("mysql://localhost/portal")


def test_claimed_rows_are_leased_then_claimable_again_with_the_same_message_id(store):
    make_submission(store)
    first = store.claim_outbox(lease_seconds=60, limit=10, now=1_000_000_000_000)
    assert [r.kind for r in first] == ["office", "confirmation"] and all(r.attempts == 1 for r in first)
    assert store.claim_outbox(lease_seconds=60, now=1_000_000_000_030) == []      # leased
    again = store.claim_outbox(lease_seconds=60, now=1_000_000_000_061)            # lease expired
    assert [(r.message_id, r.raw, r.attempts) for r in again] == [(r.message_id, r.raw, 2) for r in first]


def test_retry_sent_and_failed_are_recorded_and_listed_without_addresses(store):
    make_submission(store)
    office, confirmation = store.claim_outbox(now=1_000_000_000_000)
    store.mark_sent(office.id)
    store.mark_retry(confirmation.id, delay_seconds=60, error="SMTP 451 (recipient refused)", now=1_000_000_000_000)
    assert store.claim_outbox(now=1_000_000_000_030) == []
    (again,) = store.claim_outbox(now=1_000_000_000_061)
    store.mark_failed(again.id, error="SMTP 550 (recipient refused)")
    assert store.outbox_counts() == {"pending": 0, "failed": 1, "sent": 1}
    listed = store.list_outbox()
    assert [(r["reference"], r["kind"], r["status"], r["attempts"]) for r in listed] == [
        ("TST-2026-AAAAA", "confirmation", "failed", 2)]
    assert "griet" not in repr(listed).lower()
    assert store.health() == {"database": "ok", "outbox": {"pending": 0, "failed": 1, "sent": 1}}
    assert store.requeue(again.id) and store.outbox_counts()["pending"] == 1


def test_inbox_checks_keep_the_latest_result_per_form_and_show_in_health(store):
    assert "inboxes" not in store.health()
    store.record_inbox_check(slug="opwijk", form_id="support-application", inbox="welzijn@opwijk.example",
                             outcome="bounce", error="SMTP 550 (recipient refused)", token="t1", checked_at=1_000)
    store.record_inbox_check(slug="opwijk", form_id="support-application", inbox="welzijn@opwijk.example",
                             outcome="ok", error=None, token="t2", checked_at=2_000)
    store.record_inbox_check(slug="opwijk", form_id="wijk-werken", inbox="wijk@opwijk.example",
                             outcome="deferred", error="SMTP 451 (try again)", token="t3", checked_at=3_000)
    assert [(c["form_id"], c["ok"], c["outcome"]) for c in store.latest_inbox_checks()] == [
        ("support-application", True, "ok"), ("wijk-werken", False, "deferred")]
    inboxes = store.health()["inboxes"]
    assert inboxes["ok"] == 1 and [f["form"] for f in inboxes["failing"]] == ["wijk-werken"]
    with pytest.raises(ValueError):
        store.record_inbox_check(slug="opwijk", form_id="x", inbox="x@y.example", outcome="maybe", error=None, token="t")

def _writer(url: str, worker: int, count: int, errors) -> None:
    store = open_store(url)
    for i in range(count):
        try:
            make_submission(store, reference=f"W{worker:02d}-2026-{i:05d}")
            store.claim_outbox(lease_seconds=60, limit=2)
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            errors.put(f"{type(exc).__name__}: {exc}")


def test_concurrent_writers_in_several_processes_never_see_database_is_locked(tmp_path):
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    open_store(url)
    context = multiprocessing.get_context("spawn")
    errors = context.Queue()
    processes = [context.Process(target=_writer, args=(url, n, 40, errors)) for n in range(4)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(120)
    assert [p.exitcode for p in processes] == [0, 0, 0, 0]
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert found == []
    assert raw_counts(tmp_path / "portal.sqlite3") == (160, 320)


def test_accept_draws_a_new_reference_when_one_is_taken(store, monkeypatch):
    from portal.intake import accept as intake
    from portal.municipal.config import load_all

    municipalities = load_all(ROOT)
    if "opwijk" not in municipalities:
        pytest.skip("example config opwijk not present")
    make_submission(store, reference="OPW-2026-22222")
    drawn = iter(["OPW-2026-22222", "OPW-2026-33333"])
    monkeypatch.setattr(intake, "new_reference", lambda slug, year: next(drawn))
    accepted = intake.accept(municipalities["opwijk"], "support-application", "nl",
                             {"first_name": "An", "postcode": "1745", "email": ""},
                             store=store, municipalities=municipalities)
    assert accepted.reference == "OPW-2026-33333"
    assert counts(store) == (2, 3)


def test_references_use_the_unambiguous_alphabet():
    from portal.intake.accept import REFERENCE_RE, municipality_code, new_reference

    assert [municipality_code(s) for s in ("opwijk", "sint-gillis", "antwerpen", "turnhout")] == ["OPW", "SGI", "ANT", "TUR"]
    references = {new_reference("opwijk", 2026) for _ in range(500)}
    assert len(references) == 500
    assert all(REFERENCE_RE.match(r) and not set(r[9:]) & set("01ILOU") for r in references)


# --- one application per send, limits counted in the database (issue 14) -----------------------

def test_a_submission_key_is_stored_once_and_the_second_insert_names_the_first(store):
    from portal.store import AlreadySubmitted

    make_submission(store, reference="TST-2026-KEY01", submission_key="k" * 64)
    with pytest.raises(AlreadySubmitted) as again:
        make_submission(store, reference="TST-2026-KEY02", submission_key="k" * 64)
    assert again.value.reference == "TST-2026-KEY01"
    assert store.count_submissions() == 1 and store.outbox_counts()["pending"] == 2
    # Submissions without a key (NULL) never collide.
    make_submission(store, reference="TST-2026-NOKY1")
    make_submission(store, reference="TST-2026-NOKY2")
    assert store.count_submissions() == 3
    assert store.submission_by_key("k" * 64) == "TST-2026-KEY01"


def test_the_database_itself_refuses_a_second_row_with_the_same_key(store):
    """The UNIQUE index, not only the look-up before the insert: what stops two workers at once."""
    make_submission(store, reference="TST-2026-UNIQ1", submission_key="same")
    with pytest.raises(Exception) as caught, store._write() as conn:
        conn.execute("UPDATE submissions SET submission_key = 'same' WHERE reference = 'TST-2026-UNIQ1'")
        conn.execute("INSERT INTO submissions (reference, form_id, site_slug, lang, competent_slug, inbox, route_reason,"
                     " received_at, submission_key) VALUES ('TST-2026-UNIQ2', 'f', 's', 'nl', 's', 'i', 'r', ?, 'same')",
                     (store._timestamp(dt.datetime(2026, 3, 2, tzinfo=BRUSSELS)),))
    assert isinstance(caught.value, store.IntegrityError)
    assert store.count_submissions() == 1


def test_limits_per_address_and_per_confirmation_recipient_are_counted_in_the_store(store):
    from portal.store import LimitReached, SubmissionLimits

    limits = SubmissionLimits(address="hash-of-address", address_rules=((3, 60), (100, 86400)),
                              recipient="hash-of-mail", confirmations_per_day=2)
    for n in range(3):
        make_submission(store, reference=f"TST-2026-LIM0{n}", limits=limits)
    with pytest.raises(LimitReached):
        make_submission(store, reference="TST-2026-LIM09", limits=limits)
    assert store.count_submissions() == 3
    kinds = [row[0] for row in store._read("SELECT kind FROM outbox ORDER BY id")]
    assert kinds == ["office", "confirmation", "office", "confirmation", "office"], "the third: office only"
    # Another address is not limited by the first one's count.
    other = SubmissionLimits(address="another-hash", address_rules=((3, 60),))
    make_submission(store, reference="TST-2026-LIM10", limits=other)
    assert store.count_submissions() == 4
    # Office inboxes busier than expected: an alert, nothing refused.
    assert store.busy_inboxes(3) == [("welzijn@opwijk.example", 4)]
    assert store.busy_inboxes(4) == []
    assert store.health(busy_per_hour=3)["alerts"] == {"busy_inboxes": 1}


def test_an_older_sqlite_database_gets_the_submission_key_column_and_its_unique_index(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE submissions (id INTEGER PRIMARY KEY AUTOINCREMENT, reference TEXT NOT NULL UNIQUE,"
                 " form_id TEXT NOT NULL, site_slug TEXT NOT NULL, lang TEXT NOT NULL, competent_slug TEXT NOT NULL,"
                 " inbox TEXT NOT NULL, route_reason TEXT NOT NULL, outside_area INTEGER NOT NULL DEFAULT 0,"
                 " answers TEXT, received_at TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'received', purged_at TEXT)")
    conn.commit()
    conn.close()
    store = open_store(f"sqlite:///{path}")
    make_submission(store, reference="TST-2026-OLD01", submission_key="once")
    from portal.store import AlreadySubmitted

    with pytest.raises(AlreadySubmitted):
        make_submission(store, reference="TST-2026-OLD02", submission_key="once")
    index = sqlite3.connect(path).execute("SELECT sql FROM sqlite_master WHERE name = 'submissions_key'").fetchone()[0]
    assert index.startswith("CREATE UNIQUE INDEX")
