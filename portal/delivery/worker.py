"""Delivery: the outbox worker (`portal worker`, and a thread under `portal serve`).

It claims due outbox rows with a lease, sends each through the transport, and records the
result: sent; a temporary failure retried after a backoff that starts at one minute and doubles
up to one hour; failed on a permanent failure or once a message is older than 72 hours. A worker
that dies mid-send leaves its lease to expire and the row is sent again, with the same
Message-ID. Logs name the outbox id, the reference and the kind only: never an address or answer.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from portal.delivery.transport import DeliveryError, transport_for
from portal.store import StoreUnavailable, open_store

log = logging.getLogger("portal.delivery.worker")


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: float = 60           # seconds before the second attempt
    max_delay: float = 3600           # the delay doubles up to this
    give_up_after: float = 72 * 3600  # a message older than this is marked failed

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th failed attempt."""
        return min(self.first_delay * 2 ** max(attempts - 1, 0), self.max_delay)


DEFAULT_POLICY = RetryPolicy()


def deliver_due(store, transport, *, policy: RetryPolicy = DEFAULT_POLICY, lease_seconds: float = 600,
                limit: int = 10, clock=time.time) -> dict:
    """Claim and send one batch of due messages. Returns {"claimed", "sent", "retry", "failed"}.

    Raises StoreUnavailable when the database cannot be reached.
    """
    counts = {"claimed": 0, "sent": 0, "retry": 0, "failed": 0}
    rows = store.claim_outbox(lease_seconds=lease_seconds, limit=limit, now=clock())
    counts["claimed"] = len(rows)
    for row in rows:
        try:
            transport.send(row.sender, row.recipient, row.raw)
        except DeliveryError as exc:
            error = exc.summary
            retry = exc.retryable
        except Exception as exc:  # a bug or an unexpected library error: keep the row, retry later
            # The class name only: an exception's text may quote the recipient's address.
            error, retry = f"unexpected {type(exc).__name__}", True
        else:
            store.mark_sent(row.id, now=clock())
            counts["sent"] += 1
            log.info("outbox %s (%s %s) sent, attempt %s", row.id, row.reference, row.kind, row.attempts)
            continue
        now = clock()
        delay = policy.delay(row.attempts)
        if retry and now + delay - row.created_at <= policy.give_up_after:
            store.mark_retry(row.id, delay_seconds=delay, error=error, now=now)
            counts["retry"] += 1
            log.warning("outbox %s (%s %s) attempt %s: %s; retry in %ss",
                        row.id, row.reference, row.kind, row.attempts, error, int(delay))
        else:
            if retry:
                error = f"gave up after {row.attempts} attempts: {error}"
            store.mark_failed(row.id, error=error, now=now)
            counts["failed"] += 1
            log.error("outbox %s (%s %s) failed: %s", row.id, row.reference, row.kind, error)
    return counts


def run(store, transport, *, once: bool = False, policy: RetryPolicy = DEFAULT_POLICY,
        poll_seconds: float = 2.0, stop: threading.Event | None = None, limit: int = 10,
        lease_seconds: float = 600, clock=time.time) -> dict:
    """Deliver the outbox until `stop` is set, or, with `once`, until nothing is due; return totals.

    With `once`, StoreUnavailable propagates; otherwise the worker logs it and tries again.
    """
    stop = stop or threading.Event()
    totals = {"claimed": 0, "sent": 0, "retry": 0, "failed": 0}
    while not stop.is_set():
        try:
            counts = deliver_due(store, transport, policy=policy, limit=limit,
                                 lease_seconds=lease_seconds, clock=clock)
        except StoreUnavailable as exc:
            if once:
                raise
            log.error("outbox unavailable: %s", exc)
            stop.wait(max(poll_seconds, 5))
            continue
        for key, value in counts.items():
            totals[key] += value
        if counts["claimed"] == 0:
            if once:
                break
            stop.wait(poll_seconds)
    return totals


class BackgroundWorker(threading.Thread):
    """`run` in a daemon thread; `stop()` ends it after the current batch.

    `store` may be None: the thread then opens `store_url` itself, retrying every few seconds,
    so a development server still starts while the database is not reachable.
    """

    def __init__(self, store, transport, *, store_url: str | None = None, **options):
        super().__init__(name="portal-worker", daemon=True)
        self.store, self.transport, self.store_url, self.options = store, transport, store_url, options
        self.stop_event = threading.Event()

    def run(self):
        while self.store is None and not self.stop_event.is_set():
            try:
                self.store = open_store(self.store_url)
            except StoreUnavailable as exc:
                log.error("outbox unavailable: %s", exc)
                self.stop_event.wait(5)
        if self.store is not None:
            run(self.store, self.transport, stop=self.stop_event, **self.options)

    def stop(self, timeout: float | None = 10):
        self.stop_event.set()
        self.join(timeout)


def start_background_worker(app, **options) -> BackgroundWorker:
    """Start delivering in the background of a development server (`portal serve`).

    Uses the app's store (`app.extensions["portal_store"]`) and transport
    (`app.extensions["portal_transport"]`) when the factory set them, else opens them from the
    app's configuration (DATABASE_URL, SMTP_URL, MAIL_DIR).
    Raises ValueError when the SMTP URL is malformed.
    """
    store = app.extensions.get("portal_store")
    transport = app.extensions.get("portal_transport") or transport_for(app.config["SMTP_URL"], app.config["MAIL_DIR"])
    worker = BackgroundWorker(store, transport, store_url=app.config.get("DATABASE_URL"), **options)
    worker.start()
    app.extensions["portal_worker"] = worker
    log.info("background delivery started (%r)", transport)
    return worker
