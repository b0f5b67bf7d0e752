"""A throwaway PostgreSQL server for tests: initdb + pg_ctl on 127.0.0.1, a random port, in tmp.

Installs nothing: Debian's `postgresql` package comes from `make system-deps`. PostgreSQL refuses
to run as root, so as root the server runs as the `postgres` system user (the package creates
it) through `runuser`. When no server can be started here the tests that need one are skipped
with the reason, except under CI (`CI` set), where a missing PostgreSQL is an error: the
PostgreSQL store must be tested before it lands.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


class PgUnavailable(Exception):
    pass


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise PgUnavailable("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (run `make system-deps`)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgServer:
    """One PostgreSQL cluster: `start()`, `url`, `stop()`."""

    def __init__(self):
        self.bin = _bin_dir()
        self.folder = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.user = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise PgUnavailable("running as root and there is no `postgres` user to run the server") from None
            self.user = "postgres"
            shutil.chown(self.folder, "postgres")
            os.chmod(self.folder, 0o700)

    def _run(self, *args, check=True, timeout=120):
        command = [str(self.bin / args[0]), *map(str, args[1:])]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.folder)
        if check and result.returncode != 0:
            log = (self.folder / "server.log")
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PgUnavailable(f"{args[0]} failed ({result.returncode}): {result.stderr.strip()[-800:]} {tail}")
        return result

    @property
    def url(self) -> str:
        return f"postgresql://portal@127.0.0.1:{self.port}/portal"

    def start(self) -> "PgServer":
        self._run("initdb", "-D", self.data, "-U", "portal", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        # fsync off: a test server, thrown away; durability is PostgreSQL's job, tested upstream.
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", self.folder / "server.log", "-w", "-t", "60", "start")
        self._run("createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "portal", "portal")
        return self

    def stop(self) -> None:
        if self.data.exists():
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def new_database(self, name: str) -> str:
        """A fresh empty database on this server; its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "portal", name)
        return f"postgresql://portal@127.0.0.1:{self.port}/{name}"


def start_or_skip() -> PgServer:
    """A started server, or pytest.skip with the reason (pytest.fail under CI)."""
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        reason = f"psycopg is not installed ({exc})"
    else:
        try:
            return PgServer().start()
        except (PgUnavailable, OSError, subprocess.TimeoutExpired) as exc:
            reason = f"cannot start a local PostgreSQL server: {exc}"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the PostgreSQL tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server():
    server = start_or_skip()
    yield server
    server.stop()


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(port)
