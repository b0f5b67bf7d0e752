"""What the commands print around their work: one build summary, a taken port named before
anything starts, counts in plain English."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.site.build_report import BuildReporter


def test_the_build_summary_is_printed_once(capsys):
    reporter = BuildReporter(3, interactive=False)
    reporter(SimpleNamespace(slug="opwijk", ok=True, skipped=False, seconds=1.5, error=None))
    reporter(SimpleNamespace(slug="turnhout", ok=True, skipped=True, seconds=0.0, error=None))
    reporter(SimpleNamespace(slug="eupen", ok=False, skipped=False, seconds=0.1, error="eupen.yml:3: error: x"))
    reporter.summary()
    out, err = capsys.readouterr()
    assert out.splitlines()[-1].startswith("3 site(s): 1 built, 1 skipped, 1 failed in "), out
    # The counts once: no table repeating them above the last line.
    assert out.count("built") == 2 and "  built   opwijk" in out, out     # the site's line and the summary
    assert err.count("FAILED eupen: eupen.yml:3: error: x") == 1, err


@pytest.fixture
def taken_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.mark.parametrize("command", [["serve"], ["preview", "opwijk"]])
def test_a_taken_port_is_named_before_anything_starts(taken_port, command, scratch_project):
    result = CliRunner().invoke(main, [*command, "--port", str(taken_port)])
    assert result.exit_code == 1, result.output
    assert f"port {taken_port} is already in use; try another: --port {taken_port + 10}" in result.output
    assert "Serving" not in result.output and "Preview of" not in result.output, result.output
