"""The staff inbox's tables and SQL (`/office/`, `portal.web.office`), mixed into `SqlStore`.

- `staff_tokens`: the one-time sign-in links. Only a SHA-256 of each token is stored, so a copy of
  the database holds no working link; a token is spent by one UPDATE that also checks it is unused
  and unexpired, so two clicks at once cannot both sign in.
- `staff_sessions`: a signed-in browser, by the SHA-256 of its cookie, bound to one inbox, with
  the time it was last used (idle timeout). Signing out deletes the row.
- `status_changes`: every status an inbox gave an application, with the time and the inbox (never
  a staff member's IP address or name: the inbox is the circle of people who may read it).
- `access_log`: which inbox opened which application when. No answers.

Inbox addresses are the offices' own, from site_config: no citizen's personal data is in these
tables, except perhaps in a forwarding note: staff type it (meant for an OCMW's name), so the
retention erases it with the answers (`SqlStore.erase_submissions`).
"""

from __future__ import annotations

import datetime as dt
import time

# Additive: created next to the tables of `portal.store.base.SCHEMA` (CREATE TABLE IF NOT EXISTS).
OFFICE_SCHEMA = """
CREATE TABLE IF NOT EXISTS staff_tokens (
    id {ID},
    token_hash TEXT NOT NULL UNIQUE,   -- SHA-256 of the link's token, never the token itself
    inbox TEXT NOT NULL,
    created_at {SECONDS} NOT NULL,
    expires_at {SECONDS} NOT NULL,
    used_at {SECONDS}
);
CREATE INDEX IF NOT EXISTS staff_tokens_inbox ON staff_tokens (inbox, created_at);
CREATE TABLE IF NOT EXISTS staff_sessions (
    id {ID},
    session_hash TEXT NOT NULL UNIQUE, -- SHA-256 of the cookie's value
    inbox TEXT NOT NULL,
    created_at {SECONDS} NOT NULL,
    last_seen {SECONDS} NOT NULL
);
CREATE TABLE IF NOT EXISTS status_changes (
    id {ID},
    submission_id {ROW_ID} NOT NULL REFERENCES submissions(id),
    status TEXT NOT NULL,              -- see OFFICE_STATUSES
    note TEXT,                         -- forwarded: to which OCMW (an office's name)
    inbox TEXT NOT NULL,               -- who: the signed-in inbox
    changed_at {SECONDS} NOT NULL
);
CREATE INDEX IF NOT EXISTS status_changes_submission ON status_changes (submission_id, id);
CREATE TABLE IF NOT EXISTS access_log (
    id {ID},
    inbox TEXT NOT NULL,
    reference TEXT NOT NULL,
    viewed_at {SECONDS} NOT NULL
);
CREATE INDEX IF NOT EXISTS access_log_reference ON access_log (reference, id);
"""

# What staff may set; "received" is every application's first status, "purged" the retention's.
OFFICE_STATUSES = ("in_progress", "done", "forwarded")
CLOSED_STATUSES = ("done", "forwarded")        # retention counts from here
class OfficeMethods:
    """The staff inbox's functions; `SqlStore` supplies `_write`, `_read`, `SUBMISSION_COLUMNS`
    and `_submission` (a row of those columns as a StoredSubmission)."""

    # --- sign-in links --------------------------------------------------------------------------

    def add_sign_in_token(self, *, token_hash: str, inbox: str, ttl_seconds: float, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._write() as conn:
            conn.execute("INSERT INTO staff_tokens (token_hash, inbox, created_at, expires_at) VALUES (?, ?, ?, ?)",
                         (token_hash, inbox, now, now + ttl_seconds))

    def count_live_sign_in_tokens(self, inbox: str, *, now: float | None = None) -> int:
        """How many links of `inbox` still work (unused, unexpired): a limit on mails to one inbox."""
        now = time.time() if now is None else now
        return self._read("SELECT COUNT(*) FROM staff_tokens WHERE inbox = ? AND used_at IS NULL AND expires_at > ?",
                          (inbox, now))[0][0]

    def spend_sign_in_token(self, token_hash: str, *, now: float | None = None) -> str | None:
        """The inbox of an unused, unexpired token, which is used up by this call; else None."""
        now = time.time() if now is None else now
        with self._write() as conn:
            cursor = conn.execute("UPDATE staff_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"
                                  " AND expires_at > ?", (now, token_hash, now))
            if cursor.rowcount != 1:
                return None
            return conn.execute("SELECT inbox FROM staff_tokens WHERE token_hash = ?", (token_hash,)).fetchone()[0]

    # --- sessions -------------------------------------------------------------------------------

    def add_staff_session(self, *, session_hash: str, inbox: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._write() as conn:
            conn.execute("INSERT INTO staff_sessions (session_hash, inbox, created_at, last_seen) VALUES (?, ?, ?, ?)",
                         (session_hash, inbox, now, now))

    def touch_staff_session(self, session_hash: str, *, idle_seconds: float, max_seconds: float,
                            now: float | None = None) -> str | None:
        """The session's inbox when it was used in the last `idle_seconds` and began less than
        `max_seconds` ago (and it counts as used now); else None, and the session is deleted."""
        now = time.time() if now is None else now
        with self._write() as conn:
            row = conn.execute("SELECT inbox, last_seen, created_at FROM staff_sessions WHERE session_hash = ?",
                               (session_hash,)).fetchone()
            if row is None:
                return None
            if row[1] <= now - idle_seconds or row[2] <= now - max_seconds:
                conn.execute("DELETE FROM staff_sessions WHERE session_hash = ?", (session_hash,))
                return None
            conn.execute("UPDATE staff_sessions SET last_seen = ? WHERE session_hash = ?", (now, session_hash))
            return row[0]

    def end_staff_session(self, session_hash: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM staff_sessions WHERE session_hash = ?", (session_hash,))

    def end_inbox_sessions(self, inbox: str) -> int:
        """Sign every browser of `inbox` (any case) out, and void its unused links; how many
        sessions ended. For a lost laptop or a colleague who left."""
        with self._write() as conn:
            ended = conn.execute("DELETE FROM staff_sessions WHERE LOWER(inbox) = LOWER(?)", (inbox,)).rowcount
            conn.execute("DELETE FROM staff_tokens WHERE LOWER(inbox) = LOWER(?)", (inbox,))
        return ended

    def forget_stale_sign_ins(self, *, idle_seconds: float, now: float | None = None) -> None:
        """Delete spent or expired links and idle sessions (the daily purge calls it)."""
        now = time.time() if now is None else now
        with self._write() as conn:
            conn.execute("DELETE FROM staff_tokens WHERE expires_at <= ? OR used_at IS NOT NULL", (now,))
            conn.execute("DELETE FROM staff_sessions WHERE last_seen <= ?", (now - idle_seconds,))

    # --- applications of one inbox --------------------------------------------------------------

    def list_for_inbox(self, inbox: str, *, limit: int, offset: int = 0) -> tuple[list, int]:
        """The applications routed to `inbox`, newest first, one page of them, and how many there are."""
        total = self._read("SELECT COUNT(*) FROM submissions WHERE inbox = ?", (inbox,))[0][0]
        # The column list is a class constant: no input in the SQL text.
        rows = self._read(f"SELECT {self.SUBMISSION_COLUMNS} FROM submissions WHERE inbox = ?"  # nosec B608
                          " ORDER BY received_at DESC, id DESC LIMIT ? OFFSET ?", (inbox, limit, offset))
        return [self._submission(row) for row in rows], total

    def applications_per_inbox(self, *, purged: bool = False) -> list[tuple[str, str, str, int]]:
        """(inbox, receiving municipality, form, how many) of the applications not purged yet, or
        of all of them with `purged` (the list shows purged ones too, so `move_inbox` moves them)."""
        where = "" if purged else " WHERE purged_at IS NULL"
        # Both texts are constants of this method: no input in the SQL text.
        rows = self._read("SELECT inbox, competent_slug, form_id, COUNT(*) FROM submissions" + where +  # nosec B608
                          " GROUP BY inbox, competent_slug, form_id ORDER BY inbox, competent_slug, form_id")
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def move_inbox(self, old: str, new: str, *, competent_slug: str, form_id: str) -> int:
        """Give the applications of `form_id` received by `competent_slug` in inbox `old` (as
        spelled: see `applications_per_inbox`) to inbox `new`, purged ones too; how many moved."""
        with self._write() as conn:
            return conn.execute("UPDATE submissions SET inbox = ? WHERE inbox = ? AND competent_slug = ? AND form_id = ?",
                                (new, old, competent_slug, form_id)).rowcount

    def set_status(self, reference: str, status: str, *, inbox: str, note: str | None = None,
                   now: float | None = None) -> bool:
        """Give the application `status` on behalf of `inbox` (only its own, never a purged one) and
        record the change. False when there is no such application of that inbox. The same status
        again (a second click, a repeated POST) records nothing: the history stays true and the
        retention, which counts from the last "done", does not start again. A forwarding with
        another note (the OCMW corrected) is a change."""
        if status not in OFFICE_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        now = time.time() if now is None else now
        with self._write() as conn:
            row = conn.execute("SELECT id, status FROM submissions WHERE reference = ? AND LOWER(inbox) = LOWER(?)"
                               " AND purged_at IS NULL", (reference, inbox)).fetchone()
            if row is None:
                return False
            note = (note or "")[:120] or None
            if row[1] == status:
                last = conn.execute("SELECT note FROM status_changes WHERE submission_id = ? ORDER BY id DESC LIMIT 1",
                                    (row[0],)).fetchone()
                if last is not None and last[0] == note:
                    return True
            conn.execute("UPDATE submissions SET status = ? WHERE id = ?", (status, row[0]))
            conn.execute("INSERT INTO status_changes (submission_id, status, note, inbox, changed_at) VALUES (?, ?, ?, ?, ?)",
                         (row[0], status, note, inbox, now))
        return True

    def status_history(self, reference: str) -> list[dict]:
        """[{status, note, inbox, changed_at (aware, Brussels)}], oldest first."""
        rows = self._read("SELECT c.status, c.note, c.inbox, c.changed_at FROM status_changes c"
                          " JOIN submissions s ON s.id = c.submission_id WHERE s.reference = ? ORDER BY c.id",
                          (reference,))
        return [{"status": r[0], "note": r[1], "inbox": r[2],
                 "changed_at": dt.datetime.fromtimestamp(r[3], dt.timezone.utc)} for r in rows]

    # --- access log -----------------------------------------------------------------------------

    def log_access(self, *, inbox: str, reference: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._write() as conn:
            conn.execute("INSERT INTO access_log (inbox, reference, viewed_at) VALUES (?, ?, ?)", (inbox, reference, now))

    def access_log(self, reference: str | None = None) -> list[dict]:
        """[{inbox, reference, viewed_at (unix seconds)}], oldest first; of one reference when given."""
        if reference is None:
            rows = self._read("SELECT inbox, reference, viewed_at FROM access_log ORDER BY id")
        else:
            rows = self._read("SELECT inbox, reference, viewed_at FROM access_log WHERE reference = ? ORDER BY id",
                              (reference,))
        return [{"inbox": r[0], "reference": r[1], "viewed_at": r[2]} for r in rows]
