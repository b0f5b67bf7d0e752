"""The one database layer: submissions and their outbox, in SQLite or PostgreSQL.

`open_store(url)` picks the implementation from the URL; `portal.store.base` holds the interface
and the SQL both databases share, `sqlite` and `pg` their connections, `retention` the purge.
Errors: `StoreUnavailable` (the database cannot be written), `ReferenceTaken`, `AlreadySubmitted`
(the same send again), `LimitReached` (a client address over its limit).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from portal.store.base import (
    INBOX_OUTCOMES,
    KINDS,
    STATUSES,
    AlreadySubmitted,
    LimitReached,
    NewMessage,
    OutboxRow,
    ReferenceTaken,
    SqlStore,
    StoredSubmission,
    StoreUnavailable,
    SubmissionLimits,
    inbox_summary,
)
from portal.store.sqlite import SqliteStore

__all__ = [
    "AlreadySubmitted", "LimitReached", "SubmissionLimits",
    "INBOX_OUTCOMES", "KINDS", "STATUSES", "NewMessage", "OutboxRow", "ReferenceTaken", "SqlStore",
    "StoredSubmission", "StoreUnavailable", "inbox_summary", "default_url", "open_store",
]


def default_url(root: Path) -> str:
    """The default database: a SQLite file under <project>/instance/."""
    return f"sqlite:///{Path(root) / 'instance' / 'portal.sqlite3'}"


def open_store(url: str, *, create: bool = True) -> "SqlStore":
    """The store behind `url` (`sqlite:///absolute/path` or `sqlite:///relative/path`), schema ready.

    `create=False` is for the admin commands (`portal outbox`, `purge`, `inbox-check`, `worker`,
    `staff-link`, `move-inbox`):
    a SQLite file that does not exist is an error, not a new empty database. Run without the
    server's environment they would otherwise read a fresh database and report "0 failed", a
    false all-clear. The form backend (and `portal serve`) creates the database.

    Raises StoreUnavailable when the database cannot be opened or created (or, with
    create=False, does not exist); ValueError for a URL scheme this version does not support.
    """
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        # As in SQLAlchemy: "sqlite:///" then the path, so an absolute path shows four slashes
        # (sqlite:////srv/portal/portal.sqlite3) and three slashes mean relative to the cwd.
        if not url.startswith("sqlite:///"):
            raise ValueError(f"PORTAL_DATABASE_URL {url!r}: write sqlite:///relative/path or sqlite:////absolute/path")
        return SqliteStore(Path(unquote(url[len("sqlite:///"):].split("?", 1)[0])), create=create)
    if scheme in ("postgresql", "postgres"):
        # Imported here: psycopg (and its C library) is loaded only where PostgreSQL is used.
        from portal.store.pg import PgStore

        return PgStore(url)
    raise ValueError(f"PORTAL_DATABASE_URL: unsupported database {scheme!r} (use sqlite:///path or postgresql://...)")


