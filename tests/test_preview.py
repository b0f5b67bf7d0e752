"""`portal preview`: starts, serves the page and the forms' backend on one port, reloads an edit, stops."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PORTAL = Path(sys.executable).with_name("portal")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def wait_for(condition, timeout: float, what: str, process):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"preview exited early while waiting for {what}"
        try:
            result = condition()
            if result:
                return result
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def running_preview(project: Path, tmp_path: Path, slug: str = "opwijk"):
    """`portal preview SLUG` on a free port as an author starts it; yields (process, base URL) and
    stops it with Ctrl+C afterwards (a preview that does not stop fails the test)."""
    port = free_port()
    env = dict(os.environ, PORTAL_ROOT=str(project), NO_MKDOCS_2_WARNING="1",
               PORTAL_DATABASE_URL=f"sqlite:///{tmp_path / 'preview.sqlite3'}")
    env.pop("PORTAL_SMTP_URL", None)
    log = (tmp_path / "preview.log").open("w")
    process = subprocess.Popen([str(PORTAL), "preview", slug, "--port", str(port)], cwd=project,
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise AssertionError("preview did not stop on Ctrl+C:\n" + (tmp_path / "preview.log").read_text()) from None
        finally:
            log.close()   # else a failure here leaves it open and fails a later test with a ResourceWarning
        log.close()


def test_preview_serves_reloads_and_stops(scratch_project, tmp_path):
    with running_preview(scratch_project, tmp_path) as (process, base):
        status, page = wait_for(lambda: fetch(base + "/"), 90, "the first page", process)
        assert status == 200
        assert "Opwijk" in page and "livereload" in page

        # The form backend answers on the same port, so the pages' form buttons work.
        status, health = fetch(base + "/healthz")
        assert status == 200 and '"database"' in health, health

        index = scratch_project / "content" / "nl" / "index.md"
        index.write_text(index.read_text(encoding="utf-8") + "\nDeze zin is net toegevoegd.\n", encoding="utf-8")
        wait_for(lambda: "Deze zin is net toegevoegd." in fetch(base + "/")[1], 60, "the rebuilt page", process)

        # A macro typo: the page answers (no hanging request) with the file and line of the mistake.
        good = index.read_text(encoding="utf-8")
        index.write_text(good + "\n{{ contact_kaart() }}\n", encoding="utf-8")
        status, page = wait_for(lambda: (lambda r: r if r[0] == 500 else None)(fetch(base + "/")), 60, "the error page", process)
        assert "content/nl/index.md:" in page and "contact_kaart" in page and "livereload" in page, page
        output = (tmp_path / "preview.log").read_text(encoding="utf-8")
        assert "portal preview: the site could not be rebuilt" in output, output
        assert "Overriding" not in output, output
        # Fixed: the site is back.
        index.write_text(good, encoding="utf-8")
        wait_for(lambda: fetch(base + "/")[0] == 200, 60, "the page after the fix", process)
    with socket.socket() as sock:
        port = int(base.rsplit(":", 1)[1])
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "the port is still open after the preview stopped"
