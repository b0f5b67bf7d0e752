"""Backend load: accepted applications per second under gunicorn, beside a bare-Flask baseline.

    .venv/bin/python bench/backend_load.py [--workers 4] [--clients 50] [--requests 2000]

Starts, on 127.0.0.1 with random ports, in this same run:

1. the real backend, `gunicorn 'portal.web:create_app()'` with N workers on a scratch SQLite
   database (CSRF, fill time and rate limits off: one client machine posts everything);
2. a bare Flask app under the same gunicorn settings whose POST stores nothing and answers 303;
3. a bare Flask app whose POST inserts one row (SQLite in WAL, synchronous=FULL, like the
   backend's store) and answers 303: the cost of durability alone.

Concurrent clients post the same valid support application to each, as the check-your-answers
page's send button posts it (the answers signed with the backend's key): the request that
stores. The first POST, which only validates and shows the check page, is not measured. The
script prints, for
both, accepted/s, p50 and p99 latency, and the ratio backend/baseline. A run on this 2-core
machine is noisy when others use it: compare ratios of runs made at the same time, not
absolute numbers across days. Only loopback traffic; the loops are bounded by --requests.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORM_URL = "/forms/opwijk/nl/support-application/"
APPLICATION = {
    "help_type": "leefloon", "first_name": "Bench", "last_name": "Mark", "birth_date": "1980-04-12",
    "street": "Kerkstraat", "house_number": "3", "postcode": "1745", "city": "Opwijk", "phone": "",
    "email": "bench@mail.example", "contact_preference": "email", "message": "Load test.", "declaration": "y",
    "website": "",
}
BASELINE_APP = textwrap.dedent('''
    from flask import Flask, redirect, request

    app = Flask(__name__)

    @app.post("/forms/<slug>/<lang>/<form_id>/")
    def form(slug, lang, form_id):
        request.form  # parse the body like the real form does
        return redirect("/done", 303)

    @app.get("/healthz")
    def healthz():
        return {"ok": True}
''')


BASELINE_INSERT_APP = textwrap.dedent('''
    import os
    import sqlite3

    from flask import Flask, redirect, request

    app = Flask(__name__)
    DB = os.environ["BENCH_BASELINE_DB"]

    def connect():
        conn = sqlite3.connect(DB, timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    connect().execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT)")

    @app.post("/forms/<slug>/<lang>/<form_id>/")
    def form(slug, lang, form_id):
        conn = connect()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO rows (body) VALUES (?)", (request.get_data(as_text=True),))
        conn.execute("COMMIT")
        conn.close()
        return redirect("/done", 303)
''')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app_spec: str, workers: int, env: dict, cwd: Path, log: Path):
    port = free_port()
    with log.open("ab") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
             "--timeout", "60", app_spec], cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return process, port
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    stop(process)
    raise SystemExit(f"{app_spec} did not start; see {log}")


def stop(process) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def send_body(secret: str) -> dict:
    """The check page's send POST for APPLICATION, signed as portal/web/check.py signs it."""
    sys.path.insert(0, str(ROOT))
    from itsdangerous import URLSafeTimedSerializer

    from portal.web.answers import CHECK_SALT

    answers = {k: v for k, v in APPLICATION.items() if k != "website"}
    signed = URLSafeTimedSerializer(secret, salt=CHECK_SALT).dumps(
        {"site": "opwijk", "lang": "nl", "form": "support-application", "answers": answers,
         "key": secrets.token_urlsafe(16)})
    return {"check_answers": signed, "send": "1"}


def load(port: int, requests: int, clients: int, form) -> dict:
    """`form`: the POST's fields, or a function that makes them per request (each send its own
    submission key: the same send posted again is answered with its first receipt, not stored)."""
    body = None if callable(form) else urllib.parse.urlencode(form).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    latencies, failures, lock = [], [0], threading.Lock()
    counter = iter(range(requests))

    def client():
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            data = body if body is not None else urllib.parse.urlencode(form()).encode()
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                conn.request("POST", FORM_URL, data, headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 303
            except OSError:
                ok = False
            finally:
                conn.close()
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - started)
                else:
                    failures[0] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {"accepted": len(latencies), "failed": failures[0], "per_second": len(latencies) / elapsed,
            "p50": pct(0.50), "p99": pct(0.99)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        tmp = Path(tmp)
        (tmp / "baseline_app.py").write_text(BASELINE_APP)
        (tmp / "baseline_insert_app.py").write_text(BASELINE_INSERT_APP)
        env = {**os.environ, "PORTAL_SECRET_KEY": "bench-" + "s" * 32, "PORTAL_ENV": "production", "PORTAL_PUBLIC_URL": "https://portal.test",
               "PORTAL_DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}", "PORTAL_WTF_CSRF_ENABLED": "false",
               "PORTAL_FORM_MIN_FILL_SECONDS": "0", "PORTAL_RATELIMIT_ENABLED": "false",
               "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}", "BENCH_BASELINE_DB": str(tmp / "baseline.sqlite3")}
        results = {}
        form = lambda: send_body(env["PORTAL_SECRET_KEY"])  # noqa: E731  (a new send each time)
        for name, spec, cwd in (("baseline (bare Flask, 303, no storage)", "baseline_app:app", tmp),
                                ("baseline (bare Flask, inserts one row)", "baseline_insert_app:app", tmp),
                                ("backend (validate, route, compose, store)", "portal.web:create_app()", ROOT)):
            process, port = start_gunicorn(spec, args.workers, env, cwd, tmp / "gunicorn.log")
            try:
                load(port, min(50, args.requests), min(args.clients, 10), form)      # warm-up, not counted
                results[name] = load(port, args.requests, args.clients, form)
            finally:
                stop(process)
        if (tmp / "bench.sqlite3").exists():
            import sqlite3

            conn = sqlite3.connect(tmp / "bench.sqlite3")
            stored = conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
            conn.close()
        else:
            stored = 0

    print(f"{args.requests} POSTs, {args.clients} clients, {args.workers} gunicorn workers, {os.cpu_count()} CPUs")
    print(f"{'':<44} {'accepted/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7}")
    for name, r in results.items():
        print(f"{name:<44} {r['per_second']:>10.1f} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['failed']:>7}")
    bare, insert, backend = results.values()
    for label, baseline in (("bare Flask", bare), ("one-row insert", insert)):
        print(f"ratio backend/{label}: {backend['per_second'] / baseline['per_second']:.2f} of the throughput, "
              f"p50 x{backend['p50'] / baseline['p50']:.1f}")
    print(f"rows stored by the backend: {stored} (expected {args.requests + min(50, args.requests)})")
    return 0 if all(r["failed"] == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
