"""The PostgreSQL store: the functions of `portal.store.base.SqlStore`, for more than one server.

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
  once do not race on `CREATE TABLE IF NOT EXISTS`; its digest is kept in `schema_digest`, and a
  process that finds the current digest runs no DDL (no table locks while others store).
- Purge (`portal.store.retention`): the UPDATE erases the answers, then `VACUUM FULL` of both tables
  rewrites them without the old row versions, whose bytes PostgreSQL otherwise keeps in the
  table files (it locks the tables for the moment it takes: run the purge at a quiet hour).
  PostgreSQL's WAL segments and any base backups still hold old bytes until they are recycled
  or expire: set the backup retention to match.

Errors: `StoreUnavailable` (cannot connect, connection lost, disk full, read-only standby),
`ReferenceTaken` (a reference in use).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from contextlib import contextmanager

import psycopg
from psycopg import errors as pg_errors

from portal.store.base import ADDED_COLUMNS, AFTER_UPGRADE, KeyTaken, ReferenceTaken, SqlStore, StoreUnavailable

SCHEMA_LOCK = 727_001   # pg_advisory_xact_lock key for schema creation
LIMIT_LOCK_KEY = 727_002  # pg_advisory_xact_lock key for the limit counts of insert_submission
CONNECT_TIMEOUT = 10


class _QmarkConnection:
    """A psycopg connection that takes the "?" placeholders of `SqlStore`'s statements.

    psycopg only knows "%s"; no statement of the store holds a "?" or "%" of its own.
    """

    def __init__(self, conn: psycopg.Connection):
        self._conn = conn

    def execute(self, sql: str, params=()):
        return self._conn.execute(sql.replace("?", "%s"), params)


class PgStore(SqlStore):
    """Submissions and outbox in PostgreSQL. One connection per thread and process."""

    TYPES = {"ID": "BIGSERIAL PRIMARY KEY", "ROW_ID": "BIGINT", "BOOL": "BOOLEAN", "FALSE": "FALSE",
             "TIME": "TIMESTAMPTZ", "SECONDS": "DOUBLE PRECISION", "BYTES": "BYTEA"}
    CLAIM_LOCK = " FOR UPDATE OF o SKIP LOCKED"    # rows another worker is claiming are skipped
    # Limit counts: one submission's count-then-insert at a time, released at commit.
    LIMIT_LOCK = f"SELECT pg_advisory_xact_lock({LIMIT_LOCK_KEY})"
    IntegrityError = pg_errors.IntegrityError

    def __init__(self, url: str):
        self.url = url
        self._local = threading.local()
        statements = self._schema()
        digest = hashlib.sha256(repr((statements, ADDED_COLUMNS, AFTER_UPGRADE)).encode()).hexdigest()
        with self._tx() as conn:
            # Current already (every start but the first after an upgrade): no DDL at all. Even
            # `CREATE INDEX IF NOT EXISTS` locks its table first, and a worker booting while another
            # stores would queue behind that insert holding other tables' locks: a deadlock.
            if self._schema_digest(conn) == digest:
                return
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            if self._schema_digest(conn) == digest:     # made by another process while we waited
                return
            for statement in statements:
                conn.execute(statement)
            self._upgrade(_QmarkConnection(conn))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_digest (digest TEXT NOT NULL)")
            conn.execute("DELETE FROM schema_digest")
            conn.execute("INSERT INTO schema_digest (digest) VALUES (%s)", (digest,))

    @staticmethod
    def _schema_digest(conn) -> str | None:
        """The digest of the schema this database was last brought to, None before the first."""
        if conn.execute("SELECT to_regclass('schema_digest')").fetchone()[0] is None:
            return None
        row = conn.execute("SELECT digest FROM schema_digest").fetchone()
        return row[0] if row else None

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
        """One transaction on the psycopg connection ("%s" placeholders); StoreUnavailable for
        database trouble, IntegrityError passed on."""
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

    @contextmanager
    def _write(self):
        with self._tx() as conn:
            yield _QmarkConnection(conn)

    def _read(self, sql: str, params=()) -> list:
        with self._write() as conn:
            return conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self._drop()

    # --- the PostgreSQL dialect -----------------------------------------------------------------

    def _timestamp(self, when: dt.datetime) -> dt.datetime:
        return when                     # TIMESTAMPTZ

    def _insert_id(self, conn, sql: str, params) -> int:
        return conn.execute(sql + " RETURNING id", params).fetchone()[0]

    def _in(self, column: str, values) -> tuple[str, tuple]:
        return f"{column} = ANY(?)", (list(values),)

    def _has_column(self, conn, table: str, column: str) -> bool:
        return bool(conn.execute("SELECT 1 FROM information_schema.columns WHERE table_name = ? AND column_name = ?"
                                 " AND table_schema = current_schema()", (table, column)).fetchall())

    def _refusal(self, exc: Exception, reference: str) -> Exception:
        if not isinstance(exc, pg_errors.UniqueViolation):
            return StoreUnavailable(f"database refused the row: {type(exc).__name__}")
        if exc.diag.constraint_name == "submissions_reference_key":
            return ReferenceTaken(reference)
        if exc.diag.constraint_name == "submissions_key":
            return KeyTaken(reference)
        return StoreUnavailable("database refused the row: duplicate key")

    # --- retention (portal.store.retention) ---------------------------------------------------------------

    def compact(self) -> bool:
        """VACUUM FULL both tables (outside a transaction): rewrites them without erased row versions."""
        conn = self._connection()
        try:
            for table in ("submissions", "outbox"):
                conn.execute(f"VACUUM FULL {table}")
        except psycopg.Error as exc:
            raise StoreUnavailable(f"purge: VACUUM failed: {type(exc).__name__}") from exc
        return True
