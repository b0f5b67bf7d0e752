"""Retention: erase the personal data of delivered submissions once their municipality's
retention period is over (`portal purge [--dry-run]`, run daily from cron or a systemd timer).

What is erased, per submission whose every e-mail was sent and that was received more than
`retention_days` (site_config/<slug>.yml, default 30) days ago, counted for the COMPETENT
municipality (the one whose office received the application and is responsible for it):

- the answers (`submissions.answers` becomes NULL, `purged_at` records when);
- the stored e-mails (`outbox.raw`, which repeat every answer) and the citizen's address
  (`outbox.recipient` of the confirmation).

What is kept: the reference, form, sites, office inbox, routing reason, dates and delivery
statuses, so statistics and "did my application arrive?" questions can still be answered.
Submissions with a pending or failed e-mail are kept whole until an operator has handled them
(`portal outbox --retry`): erasing them would lose an application nobody has received.

"Erased" means gone from the database FILE, not only from query results: SQLite keeps deleted
bytes in free pages and in the WAL file. The purge therefore writes with `secure_delete` on,
then checkpoints the WAL, VACUUMs (which rewrites the file without the free pages), and
truncates the WAL. A checkpoint blocked by a long reader (another process with an open read)
is retried and reported. PostgreSQL stores erase with the same UPDATEs, then `compact` (in
`portal.store.pg`: VACUUM FULL of both tables).

Logs and output name municipalities and counts only.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import time
from dataclasses import dataclass, field

from portal.municipal.config import DEFAULT_RETENTION_DAYS
from portal.store.base import StoreUnavailable
from portal.store.sqlite import SqliteStore

log = logging.getLogger(__name__)
BATCH = 500


@dataclass
class PurgeReport:
    """What a purge erased (or, with `dry_run`, would erase), per competent municipality."""

    dry_run: bool
    erased: dict = field(default_factory=dict)       # slug -> number of submissions
    kept_undelivered: int = 0                         # past retention, but an e-mail is pending or failed
    compacted: bool = False
    checkpoint_busy: bool = False

    @property
    def total(self) -> int:
        return sum(self.erased.values())


def cutoffs(municipalities: dict, now: dt.datetime, default_days: int) -> dict:
    """{slug: oldest received_at that is kept} for every configured municipality."""
    return {slug: now - dt.timedelta(days=m.retention_days) for slug, m in municipalities.items()} | {
        None: now - dt.timedelta(days=default_days)}


def _due(rows, limits: dict) -> list[int]:
    due = []
    for submission_id, competent, received_at in rows:
        when = dt.datetime.fromisoformat(received_at) if isinstance(received_at, str) else received_at
        if when < limits.get(competent, limits[None]):
            due.append(submission_id)
    return due


# --- erasing ------------------------------------------------------------------------------------
# The purge's own SQL lives here rather than in portal/store.py: it is the only code that erases,
# and keeping it beside its explanation makes it easy to review. It is written once for both
# stores with their "?" statements, `_in` and `_timestamp` (see `portal.store.base.SqlStore`), and
# uses the store's transaction helper, so it writes under the same discipline as every writer.

CANDIDATES_SQL = """
SELECT s.id, s.competent_slug, s.received_at,
       (SELECT COUNT(*) FROM outbox o WHERE o.submission_id = s.id AND o.status != 'sent') AS open
FROM submissions s WHERE s.answers IS NOT NULL OR EXISTS
     (SELECT 1 FROM outbox o WHERE o.submission_id = s.id AND (o.raw IS NOT NULL OR o.recipient != ''))
"""


def _erase(store, limits: dict, report: PurgeReport, now: dt.datetime) -> None:
    rows = store._read(CANDIDATES_SQL)
    delivered = [(r[0], r[1], r[2]) for r in rows if r[3] == 0]
    report.kept_undelivered = len(_due([(r[0], r[1], r[2]) for r in rows if r[3] > 0], limits))
    due = set(_due(delivered, limits))
    slugs = {r[0]: r[1] for r in delivered}
    for submission_id in due:
        report.erased[slugs[submission_id]] = report.erased.get(slugs[submission_id], 0) + 1
    if report.dry_run or not due:
        return
    ids = sorted(due)
    stamp = store._timestamp(now)
    sqlite = isinstance(store, SqliteStore)
    if sqlite:
        # secure_delete: the old cells are overwritten with zeros as they are freed, in the main
        # file and in the pages written to the WAL; VACUUM below then drops the free pages themselves.
        store._connection().execute("PRAGMA secure_delete = ON")
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        batch, params = store._in("id", chunk)
        owned, _ = store._in("submission_id", chunk)       # the same parameters
        with store._write() as tx:
            # Re-checked inside the transaction: a row requeued meanwhile is not erased.
            # Only placeholders go into the SQL text; the ids are bound parameters.
            tx.execute(f"UPDATE submissions SET answers = NULL, purged_at = ?, status = 'purged'"  # nosec B608
                       f" WHERE {batch} AND NOT EXISTS (SELECT 1 FROM outbox o WHERE"
                       f" o.submission_id = submissions.id AND o.status != 'sent')", (stamp, *params))
            tx.execute(f"UPDATE outbox SET raw = NULL, recipient = '' WHERE {owned}"  # nosec B608
                       f" AND submission_id IN (SELECT id FROM submissions WHERE purged_at IS NOT NULL)", params)
    if sqlite:
        _sqlite_compact(store, report)
    else:
        store.compact()                 # PostgreSQL: VACUUM FULL (portal.store.pg)
        report.compacted = True


# --- SQLite -------------------------------------------------------------------------------------

def _checkpoint(conn, attempts: int = 20) -> bool:
    """TRUNCATE checkpoint; True when it completed (no reader held the WAL)."""
    for _ in range(attempts):
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy:
            return True
        time.sleep(0.25)
    return False


def _sqlite_compact(store, report: PurgeReport) -> None:
    conn = store._connection()
    try:
        _checkpoint(conn)
        conn.execute("VACUUM")
        report.checkpoint_busy = not _checkpoint(conn)
        report.compacted = True
    except sqlite3.Error as exc:
        raise StoreUnavailable(f"purge: could not compact the database: {exc}") from exc
    if report.checkpoint_busy:
        log.warning("purge: another process kept the write-ahead log open; erased data may remain in"
                    " %s-wal until the next checkpoint (run `portal purge` again when it is idle)",
                    getattr(store, "path", "the database"))


# --- entry point --------------------------------------------------------------------------------

def purge(store, municipalities: dict, *, dry_run: bool = False, now: dt.datetime | None = None,
          default_days: int | None = None) -> PurgeReport:
    """Erase (or count, with `dry_run`) what retention allows. Raises StoreUnavailable."""
    now = now or dt.datetime.now(dt.timezone.utc)
    limits = cutoffs(municipalities, now, default_days or DEFAULT_RETENTION_DAYS)
    report = PurgeReport(dry_run=dry_run)
    _erase(store, limits, report, now)
    for slug, count in sorted(report.erased.items(), key=lambda item: str(item[0])):
        log.info("purge: %s %s submission(s) of %s", "would erase" if dry_run else "erased", count, slug)
    return report
