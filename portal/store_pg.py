"""The PostgreSQL store: the same functions as `portal.store.SqliteStore`, for more than one server.

`PORTAL_DATABASE_URL=postgresql://user:password@host:5432/portal` (psycopg 3). Use it when
several backend servers (or workers on several machines) share one database: SQLite allows
many processes on ONE machine, PostgreSQL many machines.

Differences that matter:

- Outbox claims take rows with `FOR UPDATE SKIP LOCKED`: two workers claiming at the same
  moment get different rows, without waiting for each other and without a table lock.
- Every function is one transaction (psycopg's `conn.transaction()`), committed before it
  returns; PostgreSQL's default `synchronous_commit = on` makes the commit durable.
- A lost connection (server restart, failover) raises `StoreUnavailable` once; the next call
  opens a new connection.
- The schema is created at start-up under an advisory lock, so several processes starting at
  once do not race on `CREATE TABLE IF NOT EXISTS`.
- Purge (`portal.purge`): the UPDATE erases the answers, then `VACUUM FULL` of both tables
  rewrites them without the old row versions, whose bytes PostgreSQL otherwise keeps in the
  table files (it locks the tables for the moment it takes: run the purge at a quiet hour).
  PostgreSQL's WAL segments and any base backups still hold old bytes until they are recycled
  or expire: set the backup retention to match.

Errors: `StoreUnavailable` (cannot connect, connection lost, disk full, read-only standby),
`ReferenceTaken` (a reference in use).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from contextlib import contextmanager

import psycopg
from psycopg import errors as pg_errors

from portal.store import (
    KINDS, STATUSES, NewMessage, OutboxRow, ReferenceTaken, StoreUnavailable, StoredSubmission,
)

SCHEMA_LOCK = 727_001   # pg_advisory_xact_lock key for schema creation
CONNECT_TIMEOUT = 10

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id BIGSERIAL PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    form_id TEXT NOT NULL,
    site_slug TEXT NOT NULL,
    lang TEXT NOT NULL,
    competent_slug TEXT NOT NULL,
    inbox TEXT NOT NULL,
    route_reason TEXT NOT NULL,
    outside_area BOOLEAN NOT NULL DEFAULT FALSE,
    answers TEXT,                                   -- JSON, NULL once purged
    received_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL DEFAULT 'received',
    purged_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS outbox (
    id BIGSERIAL PRIMARY KEY,
    submission_id BIGINT NOT NULL REFERENCES submissions(id),
    kind TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    raw BYTEA,                                      -- NULL once purged
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at DOUBLE PRECISION NOT NULL,           -- unix seconds, as in the SQLite store
    next_attempt_at DOUBLE PRECISION NOT NULL,
    lease_until DOUBLE PRECISION,
    sent_at DOUBLE PRECISION,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_submission ON outbox (submission_id);
"""


def _brussels(value: dt.datetime) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo("Europe/Brussels"))


class PgStore:
    """Submissions and outbox in PostgreSQL. One connection per thread and process."""

    def __init__(self, url: str):
        self.url = url
        self._local = threading.local()
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)

    def __repr__(self) -> str:
        return "PgStore(postgresql://...)"     # never the password

    # --- connections and transactions ---------------------------------------------------------

    def _connection(self) -> psycopg.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid() and not conn.closed:
            return conn
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                                   application_name="portal")
        except psycopg.Error as exc:
            raise StoreUnavailable(f"cannot connect to PostgreSQL: {type(exc).__name__}") from exc
        self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.close()
            except psycopg.Error:
                pass

    @contextmanager
    def _tx(self):
        """One transaction; StoreUnavailable for database trouble, IntegrityError passed on."""
        conn = self._connection()
        try:
            with conn.transaction():
                yield conn
        except pg_errors.IntegrityError:
            raise
        except psycopg.Error as exc:
            if conn.closed or conn.broken:
                self._drop()
            # The class name only: PostgreSQL's message may quote a value.
            raise StoreUnavailable(f"database error: {type(exc).__name__}") from exc

    def _read(self, sql: str, params=()) -> list:
        with self._tx() as conn:
            return conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self._drop()

    # --- submissions ----------------------------------------------------------------------------

    def insert_submission(self, *, reference: str, form_id: str, site_slug: str, lang: str,
                          competent_slug: str, inbox: str, route_reason: str, outside_area: bool,
                          answers: dict, received_at: dt.datetime, messages: list[NewMessage],
                          _before_commit=None) -> int:
        """Store a submission and its outbox messages in one transaction; return its id.

        Raises ReferenceTaken, StoreUnavailable (nothing stored in either case).
        """
        if received_at.tzinfo is None:
            raise ValueError("received_at must be timezone-aware")
        now = time.time()
        try:
            with self._tx() as conn:
                submission_id = conn.execute(
                    "INSERT INTO submissions (reference, form_id, site_slug, lang, competent_slug, inbox,"
                    " route_reason, outside_area, answers, received_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                    (reference, form_id, site_slug, lang, competent_slug, inbox, route_reason,
                     bool(outside_area), json.dumps(answers, ensure_ascii=False), received_at),
                ).fetchone()[0]
                for message in messages:
                    if message.kind not in KINDS:
                        raise ValueError(f"unknown outbox kind {message.kind!r}")
                    conn.execute(
                        "INSERT INTO outbox (submission_id, kind, message_id, sender, recipient, raw,"
                        " created_at, next_attempt_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                        (submission_id, message.kind, message.message_id, message.sender,
                         message.recipient, message.raw, now, now),
                    )
                if _before_commit is not None:
                    _before_commit()
        except pg_errors.UniqueViolation as exc:
            if exc.diag.constraint_name == "submissions_reference_key":
                raise ReferenceTaken(reference) from exc
            raise StoreUnavailable("database refused the row: duplicate key") from exc
        except pg_errors.IntegrityError as exc:
            raise StoreUnavailable(f"database refused the row: {type(exc).__name__}") from exc
        return submission_id

    def get_submission(self, reference: str) -> StoredSubmission | None:
        rows = self._read(
            "SELECT id, reference, form_id, site_slug, lang, competent_slug, inbox, route_reason,"
            " outside_area, answers, received_at, status FROM submissions WHERE reference = %s",
            (reference,),
        )
        if not rows:
            return None
        r = rows[0]
        return StoredSubmission(
            id=r[0], reference=r[1], form_id=r[2], site_slug=r[3], lang=r[4], competent_slug=r[5],
            inbox=r[6], route_reason=r[7], outside_area=bool(r[8]),
            answers=json.loads(r[9]) if r[9] is not None else None,
            received_at=_brussels(r[10]), status=r[11],
        )

    def count_submissions(self) -> int:
        return self._read("SELECT COUNT(*) FROM submissions")[0][0]

    # --- outbox ---------------------------------------------------------------------------------

    def claim_outbox(self, *, lease_seconds: float = 300, limit: int = 20, now: float | None = None) -> list[OutboxRow]:
        """Lease up to `limit` due pending rows; rows another worker is claiming are skipped."""
        now = time.time() if now is None else now
        with self._tx() as conn:
            rows = conn.execute(
                "WITH due AS (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= %s"
                " AND (lease_until IS NULL OR lease_until <= %s) ORDER BY next_attempt_at, id LIMIT %s"
                " FOR UPDATE SKIP LOCKED)"
                " UPDATE outbox o SET lease_until = %s, attempts = o.attempts + 1 FROM due, submissions s"
                " WHERE o.id = due.id AND s.id = o.submission_id"
                " RETURNING o.id, o.submission_id, s.reference, o.kind, o.message_id, o.sender, o.recipient,"
                " o.raw, o.attempts, o.created_at, o.next_attempt_at",
                (now, now, limit, now + lease_seconds),
            ).fetchall()
        rows.sort(key=lambda r: (r[10], r[0]))
        return [
            OutboxRow(id=r[0], submission_id=r[1], reference=r[2], kind=r[3], message_id=r[4], sender=r[5],
                      recipient=r[6], raw=bytes(r[7] or b""), attempts=r[8], created_at=r[9])
            for r in rows
        ]

    def mark_sent(self, outbox_id: int, *, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._tx() as conn:
            conn.execute("UPDATE outbox SET status = 'sent', sent_at = %s, lease_until = NULL, last_error = NULL"
                         " WHERE id = %s", (now, outbox_id))

    def mark_retry(self, outbox_id: int, *, delay_seconds: float, error: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._tx() as conn:
            conn.execute("UPDATE outbox SET next_attempt_at = %s, lease_until = NULL, last_error = %s"
                         " WHERE id = %s AND status = 'pending'", (now + delay_seconds, error[:300], outbox_id))

    def mark_failed(self, outbox_id: int, *, error: str, now: float | None = None) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE outbox SET status = 'failed', lease_until = NULL, last_error = %s WHERE id = %s",
                         (error[:300], outbox_id))

    def requeue(self, outbox_id: int, *, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        with self._tx() as conn:
            cursor = conn.execute("UPDATE outbox SET status = 'pending', next_attempt_at = %s, lease_until = NULL"
                                  " WHERE id = %s AND status = 'failed'", (now, outbox_id))
            return cursor.rowcount == 1

    def outbox_counts(self) -> dict:
        counts = dict.fromkeys(STATUSES, 0)
        for status, count in self._read("SELECT status, COUNT(*) FROM outbox GROUP BY status"):
            counts[status] = count
        return counts

    def list_outbox(self, statuses=("pending", "failed")) -> list[dict]:
        rows = self._read(
            "SELECT o.id, s.reference, o.kind, o.status, o.attempts, o.created_at, o.next_attempt_at,"
            " o.last_error, o.message_id FROM outbox o JOIN submissions s ON s.id = o.submission_id"
            " WHERE o.status = ANY(%s) ORDER BY o.id",
            (list(statuses),),
        )
        keys = ("id", "reference", "kind", "status", "attempts", "created_at", "next_attempt_at", "last_error", "message_id")
        return [dict(zip(keys, row)) for row in rows]

    def health(self) -> dict:
        try:
            counts = self.outbox_counts()
        except StoreUnavailable:
            return {"database": "unavailable", "outbox": None}
        return {"database": "ok", "outbox": counts}

    # --- retention (portal.purge) ---------------------------------------------------------------

    def purge_delivered(self, limits: dict, report, *, now: dt.datetime) -> None:
        """Erase the answers and stored e-mails of delivered submissions older than their limit.

        `limits`: {competent slug: oldest kept received_at, None: the default}. Fills `report`.
        """
        from portal.purge import _due

        rows = self._read(
            "SELECT s.id, s.competent_slug, s.received_at,"
            " (SELECT COUNT(*) FROM outbox o WHERE o.submission_id = s.id AND o.status <> 'sent')"
            " FROM submissions s WHERE s.answers IS NOT NULL OR EXISTS (SELECT 1 FROM outbox o"
            " WHERE o.submission_id = s.id AND (o.raw IS NOT NULL OR o.recipient <> ''))")
        delivered = [(r[0], r[1], r[2]) for r in rows if r[3] == 0]
        report.kept_undelivered = len(_due([(r[0], r[1], r[2]) for r in rows if r[3] > 0], limits))
        due = sorted(_due(delivered, limits))
        slugs = {r[0]: r[1] for r in delivered}
        for submission_id in due:
            report.erased[slugs[submission_id]] = report.erased.get(slugs[submission_id], 0) + 1
        if report.dry_run or not due:
            return
        with self._tx() as conn:
            conn.execute("UPDATE submissions SET answers = NULL, purged_at = %s, status = 'purged'"
                         " WHERE id = ANY(%s) AND NOT EXISTS (SELECT 1 FROM outbox o"
                         " WHERE o.submission_id = submissions.id AND o.status <> 'sent')", (now, due))
            conn.execute("UPDATE outbox SET raw = NULL, recipient = '' WHERE submission_id = ANY(%s)"
                         " AND submission_id IN (SELECT id FROM submissions WHERE purged_at IS NOT NULL)", (due,))
        self.compact()
        report.compacted = True

    def compact(self) -> None:
        """VACUUM FULL both tables (outside a transaction): rewrites them without erased row versions."""
        conn = self._connection()
        try:
            for table in ("submissions", "outbox"):
                conn.execute(f"VACUUM FULL {table}")
        except psycopg.Error as exc:
            raise StoreUnavailable(f"purge: VACUUM failed: {type(exc).__name__}") from exc
