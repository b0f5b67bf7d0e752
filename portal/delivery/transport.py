"""Mail transports: how a queued message leaves the machine.

`transport_for(smtp_url, mail_dir)` picks one (the URL is `PORTAL_SMTP_URL`):

- `smtp://user:pass@host:port` (plain, port 25 by default), `smtp://...?starttls=1` (STARTTLS,
  port 587 by default) or `smtps://...` (TLS from the start, port 465): `SmtpTransport`.
- unset: `FileTransport`, which writes each message as an `.eml` file under `instance/mail/`, so
  development and demos never mail anybody.

`send(sender, recipient, raw)` delivers the bytes exactly as queued (so the Message-ID is the
same on every attempt) and raises:

- `TemporaryFailure` when a retry may succeed: connection refused or reset, timeout, TLS or DNS
  trouble, any 4xx reply (421 service not available, 451 local error, 452 out of storage), and
  authentication errors (a configuration problem of ours, not of the message: once the operator
  fixes the password, the queue drains).
- `PermanentFailure` for a 5xx reply to the sender, the recipient or the data (550 mailbox
  unavailable, 553 bad address, 554 rejected): retrying would give the same answer.

Both carry `summary`: the SMTP code and the error class, never the server's text, which may
quote the recipient's address. It is what the outbox stores and what logs show.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

SMTP_TIMEOUT = 30          # seconds per SMTP command
AUTH_CODES = {530, 534, 535, 538}


class DeliveryError(Exception):
    """A message was not delivered. `summary` holds no personal data."""

    retryable = False

    def __init__(self, summary: str):
        super().__init__(summary)
        self.summary = summary


class TemporaryFailure(DeliveryError):
    retryable = True


class PermanentFailure(DeliveryError):
    retryable = False


def _from_code(code: int, what: str) -> DeliveryError:
    summary = f"SMTP {code} ({what})"
    if 400 <= code < 500 or code in AUTH_CODES or code < 400:
        return TemporaryFailure(summary)
    return PermanentFailure(summary)


class SmtpTransport:
    """Delivers through an SMTP server, one connection per message."""

    def __init__(self, host: str, port: int | None = None, *, username: str | None = None,
                 password: str | None = None, tls: bool = False, starttls: bool = False,
                 timeout: float = SMTP_TIMEOUT):
        self.host, self.tls, self.starttls = host, tls, starttls
        self.port = port or (465 if tls else 587 if starttls else 25)
        self.username, self.password, self.timeout = username, password, timeout

    @classmethod
    def from_url(cls, url: str) -> "SmtpTransport":
        """`smtp://user:pass@host:port`, `smtps://...`, `smtp://...?starttls=1`. Raises ValueError."""
        parsed = urlparse(url)
        if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
            raise ValueError("PORTAL_SMTP_URL: expected smtp://user:password@host:port, smtps://... or smtp://...?starttls=1")
        query = parse_qs(parsed.query)
        starttls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
        return cls(parsed.hostname, parsed.port, username=unquote(parsed.username) if parsed.username else None,
                   password=unquote(parsed.password) if parsed.password else None,
                   tls=parsed.scheme == "smtps", starttls=starttls)

    def __repr__(self) -> str:      # never the password
        return f"SmtpTransport({self.host}:{self.port}, tls={self.tls}, starttls={self.starttls})"

    def send(self, sender: str, recipient: str, raw: bytes) -> None:
        """Deliver `raw` to `recipient`. Raises TemporaryFailure or PermanentFailure."""
        try:
            if self.tls:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except smtplib.SMTPConnectError as exc:
            raise _from_code(exc.smtp_code, "connect") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(type(exc).__name__) from None
        try:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.sendmail(sender, [recipient], raw)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()] or [550]
            raise _from_code(max(codes), "recipient refused") from None
        except smtplib.SMTPSenderRefused as exc:
            raise _from_code(exc.smtp_code, "sender refused") from None
        except smtplib.SMTPDataError as exc:
            raise _from_code(exc.smtp_code, "data refused") from None
        except smtplib.SMTPResponseException as exc:
            raise _from_code(exc.smtp_code, type(exc).__name__) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(type(exc).__name__) from None
        finally:
            # The message is accepted once DATA is answered 250; a failing QUIT changes nothing.
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


class FileTransport:
    """Writes each message as `<time>-<outbox message id>.eml` in a folder (development, demos)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"FileTransport({self.folder})"

    def send(self, sender: str, recipient: str, raw: bytes) -> None:
        """Write the message atomically. Raises TemporaryFailure when the folder is not writable."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"{time.time_ns()}-{os.getpid()}"
            partial = self.folder / f".{name}.tmp"
            partial.write_bytes(raw)
            partial.rename(self.folder / f"{name}.eml")
        except OSError as exc:
            raise TemporaryFailure(f"cannot write mail file: {type(exc).__name__}") from None


def transport_for(smtp_url: str | None, mail_dir: Path):
    """SmtpTransport for `smtp_url`, else FileTransport into `mail_dir` (instance/mail/).
    Raises ValueError for a malformed URL."""
    if smtp_url:
        return SmtpTransport.from_url(smtp_url)
    return FileTransport(Path(mail_dir))
