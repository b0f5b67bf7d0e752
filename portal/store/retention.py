"""Retention: erase the personal data of applications once their municipality's retention is over
(`portal purge [--dry-run]`, run daily from cron or a systemd timer).

An application's personal data is erased, counted for the COMPETENT municipality (the one whose
office received it and is responsible for it):

- `retention_days` (site_config/<slug>.yml, default 30) after staff marked it done ("afgehandeld
  / traité") or forwarded in the staff inbox (`/office/`), or
- `retention_max_days` (default 90) after it was received, whatever happened to it,

whatever the state of its e-mails: a confirmation that bounced or an office message that keeps
failing never keeps an application (a message not yet sent is discarded with it; the office
finds the application in the staff inbox until then, and `portal outbox` lists what failed).

What is erased: the answers (`submissions.answers` becomes NULL, `purged_at` records when), the
stored e-mails (`outbox.raw`) and the citizen's address (`outbox.recipient`). What is kept: the
reference, form, sites, office inbox, routing reason, dates, statuses, the staff inbox's status
changes and access log: none of it about the person, so statistics and "did my application
arrive?" questions can still be answered, and the receipt page still shows the reference.

"Erased" means gone from the database FILE, not only from query results: the store's `compact()`
rewrites it (SQLite: zeroed free cells, VACUUM, WAL truncated; PostgreSQL: VACUUM FULL). This
module decides what is due and only uses the store's public methods (`retention_candidates`,
`erase_submissions`, `compact`, `forget_stale_sign_ins`).

Logs and output name municipalities and counts only.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from portal.municipal.config import DEFAULT_RETENTION_DAYS, DEFAULT_RETENTION_MAX_DAYS

log = logging.getLogger(__name__)
STAFF_IDLE_SECONDS = 30 * 60      # idle staff sessions are deleted with the spent sign-in links


@dataclass
class PurgeReport:
    """What a purge erased (or, with `dry_run`, would erase), per competent municipality."""

    dry_run: bool
    erased: dict = field(default_factory=dict)       # slug -> number of applications
    compacted: bool = False
    checkpoint_busy: bool = False

    @property
    def total(self) -> int:
        return sum(self.erased.values())


def is_due(candidate: dict, municipality, now: dt.datetime) -> bool:
    """True when `candidate` (see `SqlStore.retention_candidates`) is past its municipality's limits;
    an application of a municipality no longer configured gets the defaults. One purged before
    with something left (a forwarding note an older version kept) is due at once."""
    if candidate.get("purged"):
        return True
    days = municipality.retention_days if municipality else DEFAULT_RETENTION_DAYS
    max_days = municipality.retention_max_days if municipality else DEFAULT_RETENTION_MAX_DAYS
    if candidate["received_at"] <= now - dt.timedelta(days=max_days):
        return True
    closed = candidate["closed_at"]
    return closed is not None and closed <= now - dt.timedelta(days=days)


def purge(store, municipalities: dict, *, dry_run: bool = False, now: dt.datetime | None = None) -> PurgeReport:
    """Erase (or count, with `dry_run`) what retention allows. Raises StoreUnavailable."""
    now = now or dt.datetime.now(dt.timezone.utc)
    report = PurgeReport(dry_run=dry_run)
    due = []
    for candidate in store.retention_candidates():
        if is_due(candidate, municipalities.get(candidate["competent"]), now):
            due.append(candidate["id"])
            report.erased[candidate["competent"]] = report.erased.get(candidate["competent"], 0) + 1
    if not dry_run:
        store.forget_stale_sign_ins(idle_seconds=STAFF_IDLE_SECONDS, now=now.timestamp())
        if due:
            store.erase_submissions(due, now=now)
            report.checkpoint_busy = not store.compact()
            report.compacted = True
    if report.checkpoint_busy:
        log.warning("purge: another process kept the write-ahead log open; erased data may remain in the"
                    " database's -wal file until the next checkpoint (run `portal purge` again when it is idle)")
    for slug, count in sorted(report.erased.items(), key=lambda item: str(item[0])):
        log.info("purge: %s %s submission(s) of %s", "would erase" if dry_run else "erased", count, slug)
    return report
