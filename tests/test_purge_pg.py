"""Retention on PostgreSQL: the same public store methods erase a done application and one past
the hard maximum whose confirmation failed; a recent open one stays."""

from __future__ import annotations

import uuid

from portal.store.retention import purge
from tests.pg_server import pg_server  # noqa: F401  (the session fixture)
from tests.test_purge import mark, submit


def test_purge_on_postgresql(pg_server, municipalities):  # noqa: F811
    from portal.store.pg import PgStore

    store = PgStore(pg_server.new_database(f"purge_{uuid.uuid4().hex[:12]}"))
    try:
        done = submit(store, municipalities, days_ago=40, canary="Donewright")
        bounced = submit(store, municipalities, days_ago=91, canary="Bouncington")
        kept = submit(store, municipalities, days_ago=5, canary="Keepsake")
        for row in store.claim_outbox(limit=10):
            if row.reference == bounced and row.kind == "confirmation":
                store.mark_failed(row.id, error="SMTP 550 (recipient)")
            else:
                store.mark_sent(row.id)
        mark(store, done, days_ago=31)

        report = purge(store, municipalities)

        assert report.erased == {"opwijk": 2} and report.compacted
        assert store.get_submission(done).answers is None and store.get_submission(bounced).answers is None
        assert store.get_submission(kept).answers is not None
        leftovers = store._read("SELECT COUNT(*) FROM outbox WHERE raw IS NOT NULL OR recipient != ''")
        assert leftovers[0][0] == 2                       # only the kept application's two messages
        assert store.list_outbox() == []
    finally:
        store.close()
