"""The SQLite store: the functions of `portal.store.base.SqlStore` in one file, for one server.

SQLite is opened in WAL mode with `synchronous=FULL` (a committed row survives a power cut, not
only a process crash), a busy timeout, and `BEGIN IMMEDIATE` for every write, so writers from
several processes queue for the lock at the start of the transaction instead of failing with
"database is locked" half-way through it. (The PostgreSQL store locks only the outbox rows it
claims, with `FOR UPDATE SKIP LOCKED`.)

Errors: `StoreUnavailable` when the database cannot be written (disk full, read-only, locked
beyond the busy timeout, missing folder); `ReferenceTaken` when a reference is already in use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import quote

from portal.store.base import KeyTaken, ReferenceTaken, SqlStore, StoreUnavailable

BUSY_TIMEOUT_MS = 30_000


class SqliteStore(SqlStore):
    """Submissions and outbox in one SQLite file. Safe for threads and for several processes.

    Each thread of each process has its own connection (opened lazily, re-opened after a fork),
    so gunicorn workers and the background delivery thread never share one.
    """

    # received_at and purged_at as ISO 8601 text in UTC: SQLite has no time type.
    TYPES = {"ID": "INTEGER PRIMARY KEY AUTOINCREMENT", "ROW_ID": "INTEGER", "BOOL": "INTEGER", "FALSE": "0",
             "TIME": "TEXT", "SECONDS": "REAL", "BYTES": "BLOB"}
    IntegrityError = sqlite3.IntegrityError

    def __init__(self, path: Path, *, create: bool = True):
        """Open (with `create`, first make) the database file at `path` and its tables.

        With create=False a missing file raises StoreUnavailable and nothing is made, not even
        its folder: the connections open the file read-write only (SQLite's mode=rw).
        """
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self.create = create
        self._local = threading.local()
        if not create and not self.path.is_file():
            raise StoreUnavailable(f"no database at {self.path.absolute()}: set PORTAL_DATABASE_URL "
                                   "(see /etc/portal/portal.env; on a server run the command through portal-admin)")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"cannot create the database folder {self.path.parent}: {exc.strerror}") from exc
        # Tables missing from an older database are added (CREATE TABLE IF NOT EXISTS) either way.
        self._create_schema()

    # --- connections and transactions ---------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            return conn
        try:
            # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
            # mode=rw: never create the file when it vanished between the check and this open.
            target = self.path if self.create else f"file:{quote(str(self.path))}?mode=rw"
            conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=True, uri=not self.create)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StoreUnavailable(f"cannot switch {self.path.name} to WAL mode (got {mode})")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            # Freed cells are overwritten with zeros, in the main file and in the pages written to
            # the WAL: erased answers do not linger in free space (`compact` then drops free pages).
            conn.execute("PRAGMA secure_delete = ON")
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open the database {self.path}: {exc}") from exc
        self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    @contextlib.contextmanager
    def _write(self):
        """One write transaction: BEGIN IMMEDIATE ... COMMIT, or ROLLBACK and raise."""
        conn = self._connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"database busy or not writable: {exc}") from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.IntegrityError):
                raise
            if isinstance(exc, sqlite3.Error):
                raise StoreUnavailable(f"database write failed: {exc}") from exc
            raise

    def _read(self, sql: str, params=()) -> list:
        try:
            return self._connection().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"database read failed: {exc}") from exc

    def _create_schema(self):
        with self._write() as conn:
            for statement in self._schema():
                conn.execute(statement)
            self._upgrade(conn)

    def close(self):
        """Close this thread's connection (others close when their thread ends)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # --- the SQLite dialect ---------------------------------------------------------------------

    def _timestamp(self, when: dt.datetime) -> str:
        return when.astimezone(dt.timezone.utc).isoformat()

    def _insert_id(self, conn, sql: str, params) -> int:
        return conn.execute(sql, params).lastrowid

    def _in(self, column: str, values) -> tuple[str, tuple]:
        values = tuple(values)
        return f"{column} IN ({','.join('?' for _ in values)})", values

    def _has_column(self, conn, table: str, column: str) -> bool:
        return any(row[1] == column for row in conn.execute(f"PRAGMA table_info({table})").fetchall())

    def _refusal(self, exc: Exception, reference: str) -> Exception:
        if "submissions.reference" in str(exc):
            return ReferenceTaken(reference)
        if "submissions.submission_key" in str(exc):
            return KeyTaken(reference)
        return StoreUnavailable(f"database refused the row: {exc}")

    # --- retention (portal.store.retention) -------------------------------------------------------

    def _checkpoint(self, conn, attempts: int = 20) -> bool:
        """TRUNCATE checkpoint; True when it completed (no reader held the WAL)."""
        for _ in range(attempts):
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return True
            time.sleep(0.25)
        return False

    def compact(self) -> bool:
        """Checkpoint the WAL, VACUUM (rewrites the file without its free pages), truncate the WAL.

        False when another process kept the WAL open, so erased bytes may remain in the -wal file
        until the next checkpoint. Raises StoreUnavailable when the file cannot be rewritten.
        """
        conn = self._connection()
        try:
            self._checkpoint(conn)
            conn.execute("VACUUM")
            return self._checkpoint(conn)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"purge: could not compact the database: {exc}") from exc
