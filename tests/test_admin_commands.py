"""The admin commands read the server's database or stop: they never make a new, empty one.

Run by hand without /etc/portal/portal.env (`sudo -u portal .venv/bin/portal outbox` instead of
`portal-admin outbox`), a command would otherwise create instance/portal.sqlite3 in the project
and report "0 pending, 0 failed": a false all-clear. deploy/portal-admin loads that file first.
"""

from __future__ import annotations

import getpass
import os
import subprocess

import pytest
from click.testing import CliRunner

from portal.cli import main as cli
from portal.store import StoreUnavailable, open_store
from tests.conftest import ROOT

ADMIN = ROOT / "deploy" / "portal-admin"


@pytest.mark.parametrize("command", [["outbox"], ["purge"], ["purge", "--dry-run"], ["inbox-check"], ["worker", "--once"]])
def test_an_admin_command_refuses_a_database_that_does_not_exist(command, tmp_path, monkeypatch):
    missing = tmp_path / "instance" / "portal.sqlite3"
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{missing}")
    monkeypatch.setenv("PORTAL_MAIL_FROM", "noreply@portal.example")
    monkeypatch.delenv("PORTAL_SMTP_URL", raising=False)
    result = CliRunner().invoke(cli, command)
    assert result.exit_code != 0, result.output
    assert f"no database at {missing}: set PORTAL_DATABASE_URL (see /etc/portal/portal.env" in result.output
    assert "0 pending" not in result.output and "0 failed" not in result.output
    assert not missing.exists() and not missing.parent.exists(), "nothing created, not even the folder"


def test_without_create_an_existing_database_opens_and_a_missing_one_is_not_made(tmp_path):
    path = tmp_path / "portal.sqlite3"
    with pytest.raises(StoreUnavailable, match="no database at"):
        open_store(f"sqlite:///{path}", create=False)
    assert not path.exists()
    open_store(f"sqlite:///{path}")                       # the form backend makes it
    store = open_store(f"sqlite:///{path}", create=False)
    assert store.outbox_counts() == {"pending": 0, "failed": 0, "sent": 0}


def test_the_outbox_command_reads_an_existing_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    open_store(url)
    monkeypatch.setenv("PORTAL_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["outbox"])
    assert result.exit_code == 0, result.output
    assert "0 pending, 0 failed, 0 sent" in result.output


def admin(tmp_path, env_file_text: str, *args: str) -> subprocess.CompletedProcess:
    """deploy/portal-admin as this user, with a test environment file and this checkout's venv."""
    env_file = tmp_path / "portal.env"
    env_file.write_text(env_file_text, encoding="utf-8")
    # Only what a root shell would have: PORTAL_* must come from the file, not from this process.
    env = {"PATH": os.environ["PATH"], "PORTAL_ADMIN_ENV_FILE": str(env_file), "PORTAL_ADMIN_APP": str(ROOT),
           "PORTAL_ADMIN_USER": getpass.getuser(), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([str(ADMIN), *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)


def test_portal_admin_runs_the_command_with_the_environment_file(tmp_path):
    database = tmp_path / "db" / "portal.sqlite3"
    missing = admin(tmp_path, f"PORTAL_DATABASE_URL=sqlite:///{database}\n", "outbox")
    assert missing.returncode != 0
    assert f"no database at {database}" in missing.stderr, "the file's PORTAL_DATABASE_URL was used"

    open_store(f"sqlite:///{database}")
    # The shipped example's syntax: comments, a value with ? in it, a single-quoted password with $.
    env_text = (f"# the server's settings\nPORTAL_DATABASE_URL=sqlite:///{database}\n"
                "PORTAL_SMTP_URL='smtp://portal:pa$$word@smtp.gemeente.example:587?starttls=1'\n")
    found = admin(tmp_path, env_text, "outbox")
    assert found.returncode == 0, found.stdout + found.stderr
    assert "0 pending, 0 failed, 0 sent" in found.stdout


def test_portal_admin_says_what_is_missing(tmp_path):
    # A file without PORTAL_DATABASE_URL: the command would fall back to the checkout's own database.
    empty = admin(tmp_path, "# nothing set\n", "outbox")
    assert empty.returncode != 0 and "sets no PORTAL_DATABASE_URL" in empty.stderr, empty.stderr
    assert "pending" not in empty.stdout

    env = {"PATH": os.environ["PATH"], "PORTAL_ADMIN_ENV_FILE": str(tmp_path / "absent.env"),
           "PORTAL_ADMIN_APP": str(ROOT), "PORTAL_ADMIN_USER": getpass.getuser()}
    absent = subprocess.run([str(ADMIN), "outbox"], env=env, capture_output=True, text=True, timeout=60)
    assert absent.returncode != 0 and f"cannot read {tmp_path / 'absent.env'}" in absent.stderr, absent.stderr


def test_the_example_environment_file_reads_the_same_in_the_shell_as_in_systemd():
    """portal-admin sources the file with sh; systemd reads NAME=value lines. Same values for both."""
    example = ROOT / "deploy" / "portal.env.example"
    expected = {}
    for line in example.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            expected[name] = value[1:-1] if value[:1] == value[-1:] == "'" else value
    assert "PORTAL_DATABASE_URL" in expected and "PORTAL_SMTP_URL" in expected
    shell = subprocess.run(["sh", "-c", f'set -a; . "{example}"; env'], env={"PATH": os.environ["PATH"]},
                           capture_output=True, text=True, check=True).stdout
    seen = dict(line.split("=", 1) for line in shell.splitlines() if line.startswith("PORTAL_"))
    assert seen == expected
