"""The store tests against a real PostgreSQL server (tests/pg_server.py), plus what only
PostgreSQL does: claims by FOR UPDATE SKIP LOCKED from several processes at once."""

from __future__ import annotations

import datetime as dt
import multiprocessing

import pytest

from portal.store import StoreUnavailable
from tests.pg_server import pg_server  # noqa: F401  (the session fixture)
from tests.test_store import (  # noqa: F401  (the same tests, collected here with the PostgreSQL `store`)
    make_submission,
    test_a_process_killed_between_insert_and_commit_leaves_nothing,
    test_a_reference_is_never_given_twice,
    test_a_submission_key_is_stored_once_and_the_second_insert_names_the_first,
    test_accept_draws_a_new_reference_when_one_is_taken,
    test_an_error_before_commit_leaves_nothing,
    test_claimed_rows_are_leased_then_claimable_again_with_the_same_message_id,
    test_inbox_checks_keep_the_latest_result_per_form_and_show_in_health,
    test_limits_per_address_and_per_confirmation_recipient_are_counted_in_the_store,
    test_retry_sent_and_failed_are_recorded_and_listed_without_addresses,
    test_submission_and_outbox_are_stored_together,
    test_the_database_itself_refuses_a_second_row_with_the_same_key,
)


def open_pg(url: str):
    from portal.store.pg import PgStore

    return PgStore(url)


@pytest.fixture
def store(pg_server):  # noqa: F811
    store = open_pg(pg_server.url)
    with store._tx() as conn:
        conn.execute("TRUNCATE outbox, status_changes, access_log, staff_tokens, staff_sessions, submissions,"
                     " inbox_checks, rate_events RESTART IDENTITY")
    yield store
    store.close()


def test_open_store_chooses_postgresql_for_a_postgresql_url(pg_server):  # noqa: F811
    from portal.store import open_store
    from portal.store.pg import PgStore

    store = open_store(pg_server.url)
    assert isinstance(store, PgStore)
    assert "postgresql://..." in repr(store)
    store.close()


def test_an_unreachable_server_raises_store_unavailable_without_the_password():
    from tests.pg_server import _free_port

    with pytest.raises(StoreUnavailable) as caught:
        open_pg(f"postgresql://portal:s3cret-pw@127.0.0.1:{_free_port()}/portal")
    assert "s3cret-pw" not in str(caught.value)


def test_a_dropped_connection_fails_once_then_reconnects(store, pg_server):  # noqa: F811
    make_submission(store)
    pid = store._connection().info.backend_pid
    killer = open_pg(pg_server.url)
    with killer._tx() as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))
    killer.close()
    with pytest.raises(StoreUnavailable):
        store.count_submissions()
    assert store.count_submissions() == 1


def _claimer(url: str, results, ready, go) -> None:
    from portal.store.pg import PgStore

    store, claimed = PgStore(url), []
    ready.release()
    go.wait(60)                 # every worker starts claiming at the same moment
    while True:
        rows = store.claim_outbox(lease_seconds=600, limit=3)
        if not rows:
            break
        for row in rows:
            claimed.append(row.message_id)
            store.mark_sent(row.id)
    store.close()
    results.put(claimed)


def test_workers_claiming_at_once_never_get_the_same_row(store, pg_server):  # noqa: F811
    for i in range(150):
        make_submission(store, reference=f"TST-2026-{i:05d}")
    context = multiprocessing.get_context("spawn")
    results, ready, go = context.Queue(), context.Semaphore(0), context.Event()
    processes = [context.Process(target=_claimer, args=(pg_server.url, results, ready, go)) for _ in range(4)]
    for p in processes:
        p.start()
    for _ in processes:
        assert ready.acquire(timeout=60)
    go.set()
    claimed = [results.get(timeout=120) for _ in processes]
    for p in processes:
        p.join(60)
    everything = [m for batch in claimed for m in batch]
    assert len(everything) == 300 and len(set(everything)) == 300
    assert sum(1 for batch in claimed if batch) >= 2, "one worker did all the work: claims were not concurrent"
    assert store.outbox_counts() == {"pending": 0, "failed": 0, "sent": 300}


def test_purge_erases_delivered_answers_from_the_table_files(store, pg_server):  # noqa: F811
    from portal.municipal.config import load_all
    from portal.store.retention import purge

    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=95)   # past the hard maximum (90)
    make_submission(store, reference="TST-2026-OLD01", received_at=old, competent_slug="opwijk",
                    answers={"first_name": "Pgcanarius", "postcode": "1745"})
    make_submission(store, reference="TST-2026-NEW01", competent_slug="opwijk",
                    received_at=dt.datetime.now(dt.timezone.utc), answers={"first_name": "Keepme"})
    for row in store.claim_outbox(limit=10):
        store.mark_sent(row.id)
    report = purge(store, load_all())
    assert report.erased == {"opwijk": 1} and report.compacted
    assert store.get_submission("TST-2026-OLD01").answers is None
    assert store.get_submission("TST-2026-NEW01").answers == {"first_name": "Keepme"}
    with store._tx() as conn:
        conn.execute("CHECKPOINT")   # flush the rewritten tables to their files
    files = [p for p in (pg_server.data / "base").rglob("*") if p.is_file()]
    data = b"".join(p.read_bytes() for p in files)
    assert b"Keepme" in data                  # the check can see table contents
    assert b"Pgcanarius" not in data


def run_pg_load(pg_server, tmp_path, *, applications: int, clients: int):  # noqa: F811
    """4 gunicorn workers and 2 delivery workers on one PostgreSQL database: nothing lost, each
    message delivered exactly once (the claims by SKIP LOCKED never hand a row to two workers)."""
    import time
    from collections import Counter

    from tests.smtp_server import SmtpServer
    from tests.test_durability import Gunicorn, post_applications, worker_process

    url = pg_server.new_database(f"load_{tmp_path.name.replace('-', '_').lower()}")
    store = open_pg(url)
    smtp = SmtpServer(tmp_path / "smtp").start()
    server = Gunicorn(url, workers=4, tmp=tmp_path).start()
    drains = [worker_process(url, smtp.url, once=False, limit=20, log_dir=tmp_path) for _ in range(2)]
    try:
        result = post_applications(server.port, applications, clients)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and store.outbox_counts()["sent"] < 2 * applications:
            time.sleep(0.5)
        with store._tx() as conn:
            rows = dict(conn.execute("SELECT s.reference, COUNT(o.id) FROM submissions s"
                                     " JOIN outbox o ON o.submission_id = s.id GROUP BY s.id, s.reference").fetchall())
            expected = {r[0] for r in conn.execute("SELECT message_id FROM outbox")}
        received = Counter(str(m.message["Message-ID"]) for m in smtp.wait_for(len(expected), timeout=60))
    finally:
        for drain in drains:
            drain.kill()
            drain.wait()
        server.stop()
        smtp.stop()
        store.close()
    assert "Traceback" not in server.log.read_text()
    # On a failure, the server's own log says why (the class of a database error, no answers).
    assert result["errors"] == 0 and result["codes"] == Counter({303: applications}), server.log.read_text()[-3000:]
    assert set(rows) == set(result["refs"]) and set(rows.values()) == {2}
    assert set(received) == expected and set(received.values()) == {1}


def test_gunicorn_and_two_workers_on_postgresql_lose_nothing(pg_server, tmp_path):  # noqa: F811
    run_pg_load(pg_server, tmp_path, applications=100, clients=10)


@pytest.mark.slow
def test_2000_applications_on_postgresql(pg_server, tmp_path):  # noqa: F811
    run_pg_load(pg_server, tmp_path, applications=2000, clients=50)


def test_a_worker_starting_while_another_stores_neither_waits_nor_deadlocks(pg_server):  # noqa: F811
    """A gunicorn worker booting while another worker's insert is open: the schema is current, so
    the new store takes no table lock. (Its `CREATE INDEX IF NOT EXISTS` used to queue behind the
    open insert while holding other tables' locks: a deadlock that answered a citizen with 503.)"""
    import threading

    url = pg_server.new_database("boot_during_insert")
    writer = open_pg(url)
    inside, release, opened = threading.Event(), threading.Event(), threading.Event()

    def hold_the_transaction():
        inside.set()
        release.wait(30)

    def store_one():
        make_submission(writer, _before_commit=hold_the_transaction)
        writer.close()                      # this thread's connection

    thread = threading.Thread(target=store_one)
    thread.start()
    assert inside.wait(10)
    booting = threading.Thread(target=lambda: (open_pg(url).close(), opened.set()))
    booting.start()
    try:
        assert opened.wait(5), "opening the store waited for another worker's open transaction"
    finally:
        release.set()
        thread.join(30)
        booting.join(30)
        writer.close()                      # the main thread's connection (the schema check)


def test_an_older_database_gets_the_submission_key_column_and_its_unique_index(pg_server):  # noqa: F811
    store = open_pg(pg_server.url)
    with store._tx() as conn:
        conn.execute("DROP TABLE IF EXISTS schema_digest")     # made before the digest existed
        conn.execute("DROP INDEX IF EXISTS submissions_key")
        conn.execute("ALTER TABLE submissions DROP COLUMN submission_key")
    store.close()
    store = open_pg(pg_server.url)
    with store._tx() as conn:
        assert conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'submissions_key'").fetchone()[0].startswith(
            "CREATE UNIQUE INDEX")
    store.close()
