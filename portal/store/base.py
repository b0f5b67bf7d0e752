"""The store's interface and its SQL, written once for both databases: submissions and their outbox, in SQLite or PostgreSQL.

The backend's SQL lives in `SqlStore`, behind small functions named by verb (`insert_submission`,
`claim_outbox`, `mark_sent`, ...), written once for both databases; `portal.store.sqlite` and
`portal.store.pg` add connections and the few dialect differences (and `portal.store.retention` its
erasing SQL). Each function is one transaction: it commits as a unit or rolls back and raises.
Views and the worker never see a connection. `open_store` picks the store from the URL.

Errors: `StoreUnavailable` when the database cannot be written (disk full, read-only, locked
beyond the busy timeout, missing folder); `ReferenceTaken` when a reference is already in use.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

from portal.common.brussels import BRUSSELS
from portal.store.office import CLOSED_STATUSES, OFFICE_SCHEMA, OfficeMethods

STATUSES = ("pending", "sent", "failed")
# An outbox row nobody will send: given up by an operator (`portal outbox --discard`) or because
# retention erased its application. Counted apart; never claimed again.
DISCARDED = "discarded"
KINDS = ("office", "confirmation")
# ok; bounce: the server refused the recipient (5xx at RCPT); refused: another 5xx; deferred: a 4xx;
# route_down: no SMTP answer at all (connection refused, timeout, TLS, DNS, unwritable mail folder).
INBOX_OUTCOMES = ("ok", "bounce", "refused", "deferred", "route_down")

# Both databases' tables, with the column types that differ between them in braces (see
# `SqlStore.TYPES`): adding a column here adds it to both.
SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id {ID},
    reference TEXT NOT NULL UNIQUE,
    form_id TEXT NOT NULL,
    site_slug TEXT NOT NULL,
    lang TEXT NOT NULL,
    competent_slug TEXT NOT NULL,
    inbox TEXT NOT NULL,
    route_reason TEXT NOT NULL,
    outside_area {BOOL} NOT NULL DEFAULT {FALSE},
    answers TEXT,                      -- JSON, NULL once purged
    received_at {TIME} NOT NULL,
    status TEXT NOT NULL DEFAULT 'received',
    purged_at {TIME},
    submission_key TEXT                -- one application per send (see ADDED_COLUMNS), NULL: none given
);
CREATE TABLE IF NOT EXISTS outbox (
    id {ID},
    submission_id {ROW_ID} NOT NULL REFERENCES submissions(id),
    kind TEXT NOT NULL,                -- office | confirmation
    message_id TEXT NOT NULL UNIQUE,   -- generated once when queued, the same on every retry
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    raw {BYTES},                       -- the complete message as sent, NULL once purged
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at {SECONDS} NOT NULL,     -- unix seconds
    next_attempt_at {SECONDS} NOT NULL,
    lease_until {SECONDS},
    sent_at {SECONDS},
    last_error TEXT                    -- SMTP code and error class only, never personal data
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_submission ON outbox (submission_id);
CREATE TABLE IF NOT EXISTS inbox_checks (   -- `portal inbox-check`: one row per inbox per run
    id {ID},
    slug TEXT NOT NULL,
    form_id TEXT NOT NULL,
    inbox TEXT NOT NULL,               -- an office's address, not personal data
    checked_at {SECONDS} NOT NULL,
    ok {BOOL} NOT NULL,
    outcome TEXT NOT NULL,             -- see INBOX_OUTCOMES
    error TEXT,                        -- SMTP code and error class only
    token TEXT NOT NULL                -- in the test message's Message-ID, to match a later bounce
);
CREATE INDEX IF NOT EXISTS inbox_checks_latest ON inbox_checks (slug, form_id, id);
CREATE TABLE IF NOT EXISTS rate_events (    -- limits counted across workers and servers, kept a day
    id {ID},
    scope TEXT NOT NULL,               -- see RATE_SCOPES
    subject TEXT NOT NULL,             -- a keyed hash of a client or e-mail address, or an office inbox
    at {SECONDS} NOT NULL              -- unix seconds
);
CREATE INDEX IF NOT EXISTS rate_events_subject ON rate_events (scope, subject, at);
"""
# Columns added to a table after databases were created with it: (table, column, type). The
# column is also in SCHEMA (new databases); `_upgrade` adds it to an older database at start-up,
# then runs AFTER_UPGRADE (indexes on those columns).
ADDED_COLUMNS = (("submissions", "submission_key", "TEXT"),)
AFTER_UPGRADE = (
    # The submission key of a send: a second insert with the same key is refused by the database
    # itself, whichever worker or server tries it. NULLs (no key) never collide.
    "CREATE UNIQUE INDEX IF NOT EXISTS submissions_key ON submissions (submission_key)",
)
# address: a stored application per client address (keyed hash); confirmation: a confirmation
# queued to an e-mail address (keyed hash); inbox: an application routed to an office inbox.
RATE_SCOPES = ("address", "confirmation", "inbox")
DAY = 24 * 3600


class StoreUnavailable(Exception):
    """The database cannot be read or written now (disk full, read-only, locked, missing)."""


class ReferenceTaken(Exception):
    """`insert_submission` was given a reference that another submission already has."""


class KeyTaken(Exception):
    """The database refused a second row with the same submission key (a race of two workers)."""


class AlreadySubmitted(Exception):
    """`insert_submission` was given a submission key that is already stored: the same send
    again (back and resend, a double click, a replay). `reference` is the stored one's."""

    def __init__(self, reference: str):
        super().__init__(reference)
        self.reference = reference


class LimitReached(Exception):
    """`insert_submission` refused: the client address sent its allowed number of applications."""


@dataclass(frozen=True)
class SubmissionLimits:
    """What `insert_submission` counts, in the same transaction as the insert (so across every
    worker and server that shares the database).

    `address`: a keyed hash of the client address, or None (not counted); `address_rules`:
    ((amount, seconds), ...), refused with LimitReached once one is reached. `recipient`: a keyed
    hash of the confirmation's address; once `confirmations_per_day` confirmations went to it in
    the last 24 hours, the confirmation is left out (the office message is always queued).
    """

    address: str | None = None
    address_rules: tuple = ()
    recipient: str | None = None
    confirmations_per_day: int | None = None


@dataclass(frozen=True)
class NewMessage:
    """An outbox row to queue with a submission (see `portal.intake.compose.queued`)."""

    kind: str
    message_id: str
    sender: str
    recipient: str
    raw: bytes


@dataclass(frozen=True)
class OutboxRow:
    """A claimed outbox row: what the worker needs to send it and to report on it."""

    id: int
    submission_id: int
    reference: str
    kind: str
    message_id: str
    sender: str
    recipient: str
    raw: bytes
    attempts: int           # including the current one
    created_at: float


@dataclass(frozen=True)
class StoredSubmission:
    id: int
    reference: str
    form_id: str
    site_slug: str
    lang: str
    competent_slug: str
    inbox: str
    route_reason: str
    outside_area: bool
    answers: dict | None
    received_at: dt.datetime
    status: str


def _brussels(value: str | dt.datetime) -> dt.datetime:
    """A stored time (ISO text in SQLite, a datetime from PostgreSQL) in Brussels time."""
    when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.astimezone(BRUSSELS)


class SqlStore(OfficeMethods):
    """The store's functions, written once for SQLite and PostgreSQL (the staff inbox's in
    `portal.store.office`).

    Every statement uses "?" placeholders (the PostgreSQL store turns them into "%s"). A subclass
    supplies the connections and transactions (`_write`, `_read`) and the few places where the
    two SQL dialects differ: how a time is stored (`_timestamp`), how the new row's id comes back
    (`_insert_id`), how a list of values is matched (`_in`), which lock a claim takes
    (`CLAIM_LOCK`) and how a refused row is told apart from a taken reference (`_refusal`).
    """

    TYPES: dict = {}                # the column types of SCHEMA
    SUBMISSION_COLUMNS = ("id, reference, form_id, site_slug, lang, competent_slug, inbox, route_reason,"
                          " outside_area, answers, received_at, status")
    CLAIM_LOCK = ""                 # appended to the claim's SELECT
    IntegrityError: type[Exception] = Exception    # what `_write` lets through for `_refusal`

    # --- dialect parts, overridden by each store -------------------------------------------------

    def _write(self):
        """A context manager: one write transaction whose connection `execute`s "?" SQL."""
        raise NotImplementedError

    def _read(self, sql: str, params=()) -> list:
        raise NotImplementedError

    def _timestamp(self, when: dt.datetime):
        """The value stored for a timezone-aware time."""
        raise NotImplementedError

    def _insert_id(self, conn, sql: str, params) -> int:
        """Run an INSERT and return the new row's id."""
        raise NotImplementedError

    def _in(self, column: str, values) -> tuple[str, tuple]:
        """SQL that is true when `column` is one of `values`, and its parameters."""
        raise NotImplementedError

    def _refusal(self, exc: Exception, reference: str) -> Exception:
        """ReferenceTaken when `exc` says the reference is in use, else StoreUnavailable."""
        raise NotImplementedError

    def _has_column(self, conn, table: str, column: str) -> bool:
        raise NotImplementedError

    LIMIT_LOCK = ""                 # a statement that serializes the limit counts (PostgreSQL)

    def _schema(self) -> list[str]:
        """The CREATE statements of SCHEMA, in this database's types."""
        return [statement for statement in (SCHEMA + OFFICE_SCHEMA).format(**self.TYPES).split(";") if statement.strip()]

    def _upgrade(self, conn) -> None:
        """Add ADDED_COLUMNS missing from an older database, then AFTER_UPGRADE; in the schema's
        transaction. Table and column names are constants of this module."""
        for table, column, kind in ADDED_COLUMNS:
            if not self._has_column(conn, table, column):
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        for statement in AFTER_UPGRADE:
            conn.execute(statement)

    # --- submissions ----------------------------------------------------------------------------

    def insert_submission(self, *, reference: str, form_id: str, site_slug: str, lang: str,
                          competent_slug: str, inbox: str, route_reason: str, outside_area: bool,
                          answers: dict, received_at: dt.datetime, messages: list[NewMessage],
                          submission_key: str | None = None, limits: SubmissionLimits | None = None,
                          _before_commit=None) -> int:
        """Store a submission and its outbox messages in one transaction; return its id.

        Raises ReferenceTaken when `reference` exists (nothing stored), AlreadySubmitted when
        `submission_key` is stored already (nothing stored: the same send again), LimitReached
        when `limits` refuse it (nothing stored), StoreUnavailable when the database cannot write
        (nothing stored). `_before_commit` is a test hook called inside the transaction, to prove
        a crash there leaves nothing behind.
        """
        if received_at.tzinfo is None:
            raise ValueError("received_at must be timezone-aware")
        now = time.time()
        limits = limits or SubmissionLimits()
        try:
            with self._write() as conn:
                if submission_key is not None:
                    earlier = conn.execute("SELECT reference FROM submissions WHERE submission_key = ?",
                                           (submission_key,)).fetchall()
                    if earlier:
                        raise AlreadySubmitted(earlier[0][0])
                messages = self._within_limits(conn, limits, messages, now)
                submission_id = self._insert_id(
                    conn,
                    "INSERT INTO submissions (reference, form_id, site_slug, lang, competent_slug, inbox,"
                    " route_reason, outside_area, answers, received_at, submission_key)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (reference, form_id, site_slug, lang, competent_slug, inbox, route_reason,
                     bool(outside_area), json.dumps(answers, ensure_ascii=False), self._timestamp(received_at),
                     submission_key),
                )
                self._count(conn, limits, messages, inbox, now)
                for message in messages:
                    if message.kind not in KINDS:
                        raise ValueError(f"unknown outbox kind {message.kind!r}")
                    conn.execute(
                        "INSERT INTO outbox (submission_id, kind, message_id, sender, recipient, raw,"
                        " created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (submission_id, message.kind, message.message_id, message.sender,
                         message.recipient, message.raw, now, now),
                    )
                if _before_commit is not None:
                    _before_commit()
        except self.IntegrityError as exc:
            refusal = self._refusal(exc, reference)
            if isinstance(refusal, KeyTaken) and submission_key is not None:
                # Another worker stored the same send a moment ago (a double click): its receipt.
                rows = self._read("SELECT reference FROM submissions WHERE submission_key = ?", (submission_key,))
                if rows:
                    raise AlreadySubmitted(rows[0][0]) from exc
            raise refusal from exc
        return submission_id

    def _recent(self, conn, scope: str, subject: str, since: float) -> int:
        return conn.execute("SELECT COUNT(*) FROM rate_events WHERE scope = ? AND subject = ? AND at > ?",
                            (scope, subject, since)).fetchone()[0]

    def _within_limits(self, conn, limits: SubmissionLimits, messages: list, now: float) -> list:
        """Raise LimitReached for a client over its limit; the messages to queue (without the
        confirmation once its address had its share today)."""
        if limits.address is None and limits.recipient is None:
            return messages
        if self.LIMIT_LOCK:
            # Two transactions must not both count n-1 and both insert (PostgreSQL's READ
            # COMMITTED; SQLite's BEGIN IMMEDIATE already runs one writer at a time).
            conn.execute(self.LIMIT_LOCK)
        if limits.address is not None:
            for amount, seconds in limits.address_rules:
                if self._recent(conn, "address", limits.address, now - seconds) >= amount:
                    raise LimitReached()
        if limits.recipient is not None and limits.confirmations_per_day is not None:
            if self._recent(conn, "confirmation", limits.recipient, now - DAY) >= limits.confirmations_per_day:
                return [m for m in messages if m.kind != "confirmation"]
        return messages

    def _count(self, conn, limits: SubmissionLimits, messages: list, inbox: str, now: float) -> None:
        """Record this submission's events, and forget those older than the longest window."""
        events = [("inbox", inbox)]
        if limits.address is not None:
            events.append(("address", limits.address))
        if limits.recipient is not None and any(m.kind == "confirmation" for m in messages):
            events.append(("confirmation", limits.recipient))
        for scope, subject in events:
            conn.execute("INSERT INTO rate_events (scope, subject, at) VALUES (?, ?, ?)", (scope, subject, now))
        keep = max([DAY, *(seconds for _, seconds in limits.address_rules)])
        conn.execute("DELETE FROM rate_events WHERE at < ?", (now - keep,))

    def busy_inboxes(self, per_hour: int, *, now: float | None = None) -> list[tuple[str, int]]:
        """[(inbox, applications in the last hour)] for every office inbox over `per_hour`: more
        than an office expects, maybe a robot. Stored and delivered all the same; an alert."""
        now = time.time() if now is None else now
        rows = self._read("SELECT subject, COUNT(*) FROM rate_events WHERE scope = 'inbox' AND at > ?"
                          " GROUP BY subject HAVING COUNT(*) > ? ORDER BY subject", (now - 3600, per_hour))
        return [(row[0], row[1]) for row in rows]

    def submission_by_key(self, submission_key: str) -> str | None:
        """The reference stored with `submission_key`, or None."""
        rows = self._read("SELECT reference FROM submissions WHERE submission_key = ?", (submission_key,))
        return rows[0][0] if rows else None

    def get_submission(self, reference: str) -> StoredSubmission | None:
        """The submission with this reference, or None."""
        # The column list is a class constant: no input in the SQL text.
        rows = self._read(f"SELECT {self.SUBMISSION_COLUMNS} FROM submissions WHERE reference = ?",  # nosec B608
                          (reference,))
        return self._submission(rows[0]) if rows else None

    def _submission(self, row) -> StoredSubmission:
        """A row of SUBMISSION_COLUMNS."""
        return StoredSubmission(
            id=row[0], reference=row[1], form_id=row[2], site_slug=row[3], lang=row[4],
            competent_slug=row[5], inbox=row[6], route_reason=row[7], outside_area=bool(row[8]),
            answers=json.loads(row[9]) if row[9] is not None else None,
            received_at=_brussels(row[10]), status=row[11],
        )

    def count_submissions(self) -> int:
        return self._read("SELECT COUNT(*) FROM submissions")[0][0]

    # --- outbox ---------------------------------------------------------------------------------

    def claim_outbox(self, *, lease_seconds: float = 300, limit: int = 20, now: float | None = None) -> list[OutboxRow]:
        """Lease up to `limit` due pending rows to the caller and count the attempt.

        A row is due when its next attempt time has come and no live lease holds it; a worker that
        dies mid-send leaves its lease to expire, and the row is claimed again (same Message-ID).
        `CLAIM_LOCK` keeps two workers claiming at once from getting the same row.
        """
        now = time.time() if now is None else now
        with self._write() as conn:
            rows = conn.execute(
                # attempts + 1: the attempt this claim starts, counted by the UPDATE below.
                "SELECT o.id, o.submission_id, s.reference, o.kind, o.message_id, o.sender, o.recipient,"  # nosec B608
                " o.raw, o.attempts + 1, o.created_at FROM outbox o JOIN submissions s ON s.id = o.submission_id"
                " WHERE o.status = 'pending' AND o.next_attempt_at <= ?"
                " AND (o.lease_until IS NULL OR o.lease_until <= ?) ORDER BY o.next_attempt_at, o.id LIMIT ?"
                + self.CLAIM_LOCK,      # a constant of the store class, no input
                (now, now, limit),
            ).fetchall()
            if rows:
                ids, params = self._in("id", [row[0] for row in rows])
                # Only placeholders go into the SQL text; the ids are bound parameters.
                conn.execute(f"UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE {ids}",  # nosec B608
                             (now + lease_seconds, *params))
        return [
            OutboxRow(id=r[0], submission_id=r[1], reference=r[2], kind=r[3], message_id=r[4], sender=r[5],
                      recipient=r[6], raw=bytes(r[7] or b""), attempts=r[8], created_at=r[9])
            for r in rows
        ]

    def mark_sent(self, outbox_id: int, *, now: float | None = None) -> None:
        """The server accepted the message: done."""
        now = time.time() if now is None else now
        with self._write() as conn:
            conn.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?",
                (now, outbox_id),
            )

    def mark_retry(self, outbox_id: int, *, delay_seconds: float, error: str, now: float | None = None) -> None:
        """A temporary failure: try again after `delay_seconds`. `error` must hold no personal data."""
        now = time.time() if now is None else now
        with self._write() as conn:
            conn.execute(
                "UPDATE outbox SET next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE id = ? AND status = 'pending'",
                (now + delay_seconds, error[:300], outbox_id),
            )

    def mark_failed(self, outbox_id: int, *, error: str, now: float | None = None) -> None:
        """A permanent failure (or retries exhausted): stays listed by `portal outbox` until handled."""
        with self._write() as conn:
            conn.execute(
                "UPDATE outbox SET status = 'failed', lease_until = NULL, last_error = ? WHERE id = ?",
                (error[:300], outbox_id),
            )

    def requeue(self, outbox_id: int, *, now: float | None = None) -> bool:
        """Put a failed row back in the queue (after an operator fixed the cause)."""
        now = time.time() if now is None else now
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE outbox SET status = 'pending', next_attempt_at = ?, lease_until = NULL WHERE id = ? AND status = 'failed'",
                (now, outbox_id),
            )
            return cursor.rowcount == 1

    def discard(self, outbox_id: int) -> bool:
        """Give up on a pending or failed message that will never be delivered (`portal outbox
        --discard`): it is not sent again and no longer listed. False when no such row."""
        with self._write() as conn:
            cursor = conn.execute("UPDATE outbox SET status = ?, lease_until = NULL WHERE id = ?"
                                  " AND status IN ('pending', 'failed')", (DISCARDED, outbox_id))
            return cursor.rowcount == 1

    def outbox_counts(self) -> dict:
        """{"pending": n, "failed": n, "sent": n}, and "discarded": n once there are any."""
        counts = dict.fromkeys(STATUSES, 0)
        for status, count in self._read("SELECT status, COUNT(*) FROM outbox GROUP BY status"):
            counts[status] = count
        return counts

    # --- retention (`portal.store.retention` decides, these erase) ----------------------------

    def retention_candidates(self) -> list[dict]:
        """Every application that still holds personal data: {id, competent, received_at (aware), purged (erased before),
        closed_at (aware: when it was last marked done or forwarded; None while open)}."""
        closed, params = self._in("c.status", CLOSED_STATUSES)
        # Only placeholders go into the SQL text; the statuses are bound parameters.
        rows = self._read(
            "SELECT s.id, s.competent_slug, s.received_at, s.status,"  # nosec B608
            " (SELECT MAX(c.changed_at) FROM status_changes c WHERE c.submission_id = s.id AND " + closed + ")"
            " FROM submissions s WHERE s.answers IS NOT NULL OR EXISTS (SELECT 1 FROM outbox o"
            " WHERE o.submission_id = s.id AND (o.raw IS NOT NULL OR o.recipient != ''))"
            " OR EXISTS (SELECT 1 FROM status_changes n WHERE n.submission_id = s.id AND n.note IS NOT NULL)",
            params)
        return [{"id": r[0], "competent": r[1], "received_at": _brussels(r[2]), "purged": r[3] == "purged",
                 "closed_at": (dt.datetime.fromtimestamp(r[4], dt.timezone.utc)
                               if r[4] is not None and r[3] in CLOSED_STATUSES else None)} for r in rows]

    def erase_submissions(self, ids, *, now: dt.datetime, batch: int = 500) -> int:
        """Erase the personal data of these applications, whatever the state of their e-mails:
        the answers (`purged_at` records when), the stored e-mails and the citizen's address, and
        the notes staff typed when forwarding.
        A message not yet sent is discarded with them: it would only repeat erased data. Returns
        how many were erased. Call `compact()` afterwards, so the bytes leave the file too."""
        ids = sorted(ids)
        erased = 0
        stamp = self._timestamp(now)
        for start in range(0, len(ids), batch):
            chunk = ids[start:start + batch]
            matches, params = self._in("id", chunk)
            owned, _ = self._in("submission_id", chunk)       # the same parameters
            with self._write() as conn:
                # Only placeholders go into the SQL text; the ids are bound parameters.
                erased += conn.execute(f"UPDATE submissions SET answers = NULL, purged_at = ?, status = 'purged'"  # nosec B608
                                       f" WHERE {matches} AND purged_at IS NULL", (stamp, *params)).rowcount
                conn.execute(f"UPDATE submissions SET answers = NULL WHERE {matches}", params)  # nosec B608
                conn.execute(f"UPDATE outbox SET status = ?, lease_until = NULL WHERE {owned}"  # nosec B608
                             " AND status IN ('pending', 'failed')", (DISCARDED, *params))
                conn.execute(f"UPDATE outbox SET raw = NULL, recipient = '' WHERE {owned}", params)  # nosec B608
                # Staff type the forwarding note: it may hold more than an OCMW's name.
                conn.execute(f"UPDATE status_changes SET note = NULL WHERE {owned}", params)  # nosec B608
        return erased

    def compact(self) -> bool:
        """Rewrite the database files without the bytes of erased rows; True when complete."""
        raise NotImplementedError

    def list_outbox(self, statuses=("pending", "failed")) -> list[dict]:
        """Rows in these statuses, oldest first: ids, reference, kind, status, attempts, times, error.

        No recipient and no message: what `portal outbox` prints must be safe to paste in a ticket.
        """
        matches, params = self._in("o.status", statuses)
        rows = self._read(
            # Only placeholders go into the SQL text; the statuses are bound parameters.
            "SELECT o.id, s.reference, o.kind, o.status, o.attempts, o.created_at, o.next_attempt_at,"  # nosec B608
            f" o.last_error, o.message_id FROM outbox o JOIN submissions s ON s.id = o.submission_id"
            f" WHERE {matches} ORDER BY o.id",
            params,
        )
        keys = ("id", "reference", "kind", "status", "attempts", "created_at", "next_attempt_at", "last_error", "message_id")
        return [dict(zip(keys, row)) for row in rows]

    # --- inbox checks (`portal inbox-check`) ----------------------------------------------------

    def record_inbox_check(self, *, slug: str, form_id: str, inbox: str, outcome: str, error: str | None,
                           token: str, checked_at: float | None = None) -> None:
        """Store one inbox's test result. `error` must hold no personal data (SMTP code and class)."""
        if outcome not in INBOX_OUTCOMES:
            raise ValueError(f"unknown inbox check outcome {outcome!r}")
        checked_at = time.time() if checked_at is None else checked_at
        with self._write() as conn:
            conn.execute(
                "INSERT INTO inbox_checks (slug, form_id, inbox, checked_at, ok, outcome, error, token)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (slug, form_id, inbox, checked_at, outcome == "ok", outcome, (error or "")[:300] or None, token),
            )

    def latest_inbox_checks(self) -> list[dict]:
        """The latest result per municipality and form, ordered by slug and form."""
        rows = self._read(
            "SELECT slug, form_id, inbox, checked_at, ok, outcome, error FROM inbox_checks"
            " WHERE id IN (SELECT MAX(id) FROM inbox_checks GROUP BY slug, form_id) ORDER BY slug, form_id"
        )
        keys = ("slug", "form_id", "inbox", "checked_at", "ok", "outcome", "error")
        return [dict(zip(keys, row), ok=bool(row[4])) for row in rows]

    def health(self, *, busy_per_hour: int | None = None) -> dict:
        """For /healthz: {"database": "ok"|"unavailable", "outbox": {pending, failed, sent}}, and
        "inboxes" (see `inbox_summary`) once `portal inbox-check` has run; with `busy_per_hour`,
        "alerts": {"busy_inboxes": how many office inboxes got more than that in the last hour}
        (a count: which ones, `portal outbox` says)."""
        try:
            counts = self.outbox_counts()
            checks = self.latest_inbox_checks()
            busy = self.busy_inboxes(busy_per_hour) if busy_per_hour is not None else []
        except StoreUnavailable:
            return {"database": "unavailable", "outbox": None}
        health = {"database": "ok", "outbox": counts}
        if checks:
            health["inboxes"] = inbox_summary(checks)
        if busy_per_hour is not None:
            health["alerts"] = {"busy_inboxes": len(busy)}
        return health


def inbox_summary(checks: list[dict]) -> dict:
    """{"ok": n, "failing": [{slug, form, inbox, outcome, error, checked_at}], "checked_at": latest}.

    From `latest_inbox_checks()` rows. Office inboxes are not personal data; times are UTC ISO.
    """
    def utc(seconds: float) -> str:
        return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).isoformat(timespec="seconds")

    failing = [{"slug": c["slug"], "form": c["form_id"], "inbox": c["inbox"], "outcome": c["outcome"],
                "error": c["error"], "checked_at": utc(c["checked_at"])} for c in checks if not c["ok"]]
    return {"ok": sum(1 for c in checks if c["ok"]), "failing": failing,
            "checked_at": utc(max(c["checked_at"] for c in checks))}
