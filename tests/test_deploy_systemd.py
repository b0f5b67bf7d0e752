"""The systemd units of deploy/systemd/: they parse, the timers fire when docs/deploy.md says, and
the daily rebuild runs the commands the guide runs by hand.

`systemd-analyze verify` reads each unit as systemd would (unknown keys, commands that are not
executable, calendar expressions), on copies whose /srv/portal/app is this checkout.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from portal.site.fingerprint import Fingerprinter
from tests.conftest import ROOT, copy_project

UNITS = ROOT / "deploy" / "systemd"
DEPLOY_DOC = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
APP = "/srv/portal/app"
SITE = "/srv/portal/site"
ANALYZE = shutil.which("systemd-analyze")


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """{section: {key: [values]}} of a unit file: comments skipped, `\\` continuations joined,
    repeated keys (ExecStart= of a oneshot) kept in order. Raises on a line that is none of these."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for number, line in enumerate(lines, 1):
        while line.endswith("\\"):
            line = line[:-1] + " " + next(lines).strip()
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if re.fullmatch(r"\[[A-Za-z]+\]", line):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, equals, value = line.partition("=")
        assert current is not None and equals and re.fullmatch(r"[A-Za-z]+", key), f"{path.name}:{number}: {line!r}"
        current.setdefault(key, []).append(value.strip())
    return sections


def unit_files() -> list[Path]:
    return sorted(p for p in UNITS.iterdir() if p.suffix in (".service", ".timer"))


def test_every_unit_parses_and_every_timer_starts_a_service_of_its_own():
    names = {p.name for p in unit_files()}
    assert {"portal-web.service", "portal-worker.service", "portal-rebuild.service", "portal-rebuild.timer"} <= names
    for path in unit_files():
        unit = parse_unit(path)
        assert unit["Unit"]["Description"], path.name
        if path.suffix == ".timer":
            assert path.with_suffix(".service").name in names, f"{path.name} starts a service that is not shipped"
            assert unit["Timer"]["OnCalendar"] and unit["Install"]["WantedBy"] == ["timers.target"], path.name
        else:
            service = unit["Service"]
            assert service["User"] == ["portal"] and service["ExecStart"], path.name
            for command in service["ExecStart"]:
                assert shlex.split(command)[0].startswith("/"), f"{path.name}: ExecStart needs an absolute path"


@pytest.mark.parametrize("path", unit_files(), ids=lambda p: p.name)
def test_every_unit_is_named_in_the_guide(path):
    assert path.name in DEPLOY_DOC or f"systemd/{path.stem}.service`, `.timer`" in DEPLOY_DOC, path.name


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed (Debian package systemd)")
def test_systemd_analyze_verify_accepts_every_unit(tmp_path):
    """As systemd reads them: every key known, every command executable, every calendar valid.
    The copies point at this checkout instead of /srv/portal/app, whose commands do not exist here."""
    venv_bin = str(Path(sys.executable).parent)
    for path in unit_files():
        text = path.read_text(encoding="utf-8").replace(f"{APP}/.venv/bin", venv_bin).replace(APP, str(ROOT))
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    result = subprocess.run([ANALYZE, "verify", "--man=no", *sorted(p.name for p in tmp_path.iterdir())],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    # systemd only warns ("Unknown key ..., ignoring") for much of what is wrong: any output fails.
    assert result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip(), result.stderr + result.stdout


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed (Debian package systemd)")
def test_the_rebuild_runs_just_after_midnight_in_brussels_whatever_the_servers_zone():
    spec = parse_unit(UNITS / "portal-rebuild.timer")["Timer"]["OnCalendar"][0]
    for zone in ("UTC", "Pacific/Kiritimati"):          # the server's own zone does not matter
        result = subprocess.run([ANALYZE, "calendar", "--iterations=3", spec], env={**os.environ, "TZ": zone},
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        elapses = re.findall(r"(?:Next elapse|Iter\. #\d):\s+\w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (\S+)", result.stdout)
        assert len(elapses) == 3, result.stdout
        for when, zone_name in elapses:
            local = dt.datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(zone if zone_name != "UTC" else "UTC"))
            brussels = local.astimezone(ZoneInfo("Europe/Brussels"))
            assert (brussels.hour, brussels.minute) < (1, 0), (zone, when, brussels)


def test_the_rebuild_runs_the_guides_build_and_leaves_files_nginx_can_read():
    service = parse_unit(UNITS / "portal-rebuild.service")["Service"]
    assert service["ExecStart"] == [f"{APP}/.venv/bin/portal build --out {SITE}",
                                    f"{APP}/.venv/bin/python {APP}/deploy/precompress.py {SITE}"]
    assert service["Type"] == ["oneshot"] and service["EnvironmentFile"] == ["/etc/portal/portal.env"]
    # nginx runs as www-data: the pages must be readable by others (the other units write 0077).
    assert service["UMask"] == ["0022"]
    writable = service["ReadWritePaths"][0].split()
    assert SITE in writable and f"{APP}/.cache" in writable      # the build's staging folder
    assert "portal-admin build --out /srv/portal/site" in DEPLOY_DOC and "portal-rebuild.timer" in DEPLOY_DOC


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_build_date_of_the_fingerprint_is_the_day_in_brussels(zone, monkeypatch):
    """The pages count their days in Brussels; so must the fingerprint that decides whether a site
    is rebuilt. Otherwise a server in UTC would skip the rebuild just after midnight (still
    yesterday in UTC). These two zones are 25 hours apart: one of them is always on another day."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        assert Fingerprinter(ROOT).today == dt.datetime.now(ZoneInfo("Europe/Brussels")).date()
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.slow
def test_the_rebuild_services_commands_build_and_compress_a_site(tmp_path):
    """The ExecStart lines themselves, with this checkout for /srv/portal/app and one municipality."""
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project", slugs=("opwijk",))
    site = tmp_path / "site"
    venv_bin = str(Path(sys.executable).parent)
    env = {**os.environ, "PORTAL_ROOT": str(project), "NO_MKDOCS_2_WARNING": "1"}
    for command in parse_unit(UNITS / "portal-rebuild.service")["Service"]["ExecStart"]:
        command = command.replace(f"{APP}/.venv/bin", venv_bin).replace(APP, str(ROOT)).replace(SITE, str(site))
        result = subprocess.run(shlex.split(command), cwd=project, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, command + "\n" + result.stdout + result.stderr
    assert (site / "opwijk" / "index.html").is_file() and (site / "opwijk" / "index.html.gz").is_file()
