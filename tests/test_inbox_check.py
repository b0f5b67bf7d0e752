"""`portal inbox-check` against a real SMTP server (aiosmtpd on 127.0.0.1, in a subprocess):
a refused inbox is listed as bouncing, a stopped server as a route that is down, and /healthz
shows the latest result per inbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.cli import main as cli
from portal.delivery.inbox_check import Inbox, check_inboxes, configured_inboxes, report
from portal.delivery.transport import FileTransport
from portal.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SENDER = "noreply@portal.example"


@pytest.fixture
def database(tmp_path, monkeypatch, smtp) -> str:
    """The command's environment: a fresh SQLite file and the test SMTP server as the mail route."""
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    open_store(url)  # made by the form backend on a server; the command never creates one
    monkeypatch.setenv("PORTAL_DATABASE_URL", url)
    monkeypatch.setenv("PORTAL_SMTP_URL", smtp.url)
    monkeypatch.setenv("PORTAL_MAIL_FROM", SENDER)
    return url


def inbox_check(*slugs):
    return CliRunner().invoke(cli, ["inbox-check", *slugs])


def healthz(url: str, root: Path) -> dict:
    """GET /healthz of the form backend on the same database."""
    from portal.web import create_app

    app = create_app({"SECRET_KEY": "x" * 32, "ENV": "testing", "ROOT": root, "DATABASE_URL": url})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    return response.get_json()


def test_an_inbox_answered_550_is_listed_as_bouncing_and_shown_by_healthz(database, smtp, municipalities):
    dead = municipalities["opwijk"].inboxes["wijk-werken"]
    smtp.reply(rcpt={dead: 550})
    result = inbox_check("opwijk", "turnhout")
    assert result.exit_code == 1, result.output
    assert "2 ok, 1 failing" in result.output
    bouncing = result.output.split("bouncing", 1)[1]
    assert f"{dead} (opwijk, wijk-werken): SMTP 550 (recipient refused)" in bouncing
    assert municipalities["opwijk"].inboxes["support-application"] not in bouncing

    # The two other inboxes got one neutral test message each, with its own Message-ID.
    received = smtp.wait_for(2)
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(
        [municipalities["opwijk"].inboxes["support-application"], municipalities["turnhout"].inboxes["support-application"]])
    assert len({r.message["Message-ID"] for r in received}) == 2
    for r in received:
        assert r.mail_from == SENDER
        assert r.message["Subject"] == "Testbericht van het burgerportaal (geen actie nodig)"
        assert r.message["Auto-Submitted"] == "auto-generated"
        token = r.message["X-Portal-Inbox-Check"]
        assert token in r.message["Message-ID"] and token in r.message.get_content()
        assert token in result.output       # printed, to match a delivery report that comes later

    health = open_store(database).health()
    assert health["inboxes"]["ok"] == 2
    assert [(f["slug"], f["form"], f["inbox"], f["outcome"], f["error"]) for f in health["inboxes"]["failing"]] == [
        ("opwijk", "wijk-werken", dead, "bounce", "SMTP 550 (recipient refused)")]
    body = healthz(database, ROOT)
    assert body["status"] == "ok" and body["inboxes"] == health["inboxes"]


def test_all_inboxes_ok_exits_0_and_a_fixed_inbox_stops_failing(database, smtp, municipalities):
    dead = municipalities["opwijk"].inboxes["wijk-werken"]
    smtp.reply(rcpt={dead: 550})
    assert inbox_check("opwijk").exit_code == 1
    smtp.reply()
    result = inbox_check("opwijk")
    assert result.exit_code == 0, result.output
    assert "2 ok, 0 failing" in result.output and "bouncing" not in result.output
    inboxes = open_store(database).health()["inboxes"]
    assert (inboxes["ok"], inboxes["failing"]) == (2, [])      # the latest result per inbox counts
    assert len(smtp.wait_for(3)) == 3


def test_every_configured_inbox_is_checked_when_no_slug_is_named(database, smtp, municipalities):
    result = inbox_check()
    expected = [i.address for i in configured_inboxes(municipalities)]
    assert result.exit_code == 0, result.output
    assert sorted(r.rcpt_tos[0] for r in smtp.wait_for(len(expected))) == sorted(expected)
    assert open_store(database).health()["inboxes"]["ok"] == len(expected)


def test_server_down_is_reported_as_a_route_that_is_down(database, smtp, municipalities):
    smtp.stop()
    result = inbox_check("opwijk")
    assert result.exit_code == 1, result.output
    assert "0 ok, 2 failing" in result.output
    assert "2 route down: no mail server answered; check PORTAL_SMTP_URL" in result.output
    assert "ConnectionRefusedError" in result.output
    assert f"127.0.0.1:{smtp.port}" in result.output            # which route was tried
    failing = open_store(database).health()["inboxes"]["failing"]
    assert {(f["outcome"], f["error"]) for f in failing} == {("route_down", "ConnectionRefusedError")}


def test_a_451_is_deferred_not_a_bounce(database, smtp, municipalities):
    smtp.reply(all_rcpt=451)
    result = inbox_check("turnhout")
    assert result.exit_code == 1
    assert "1 deferred" in result.output and "SMTP 451 (recipient refused)" in result.output
    assert open_store(database).health()["inboxes"]["failing"][0]["outcome"] == "deferred"


def test_a_broken_database_is_a_clear_error(tmp_path, monkeypatch, smtp):
    monkeypatch.setenv("PORTAL_SMTP_URL", smtp.url)
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgres-or-so://nowhere")
    result = inbox_check("opwijk")
    assert result.exit_code == 1
    assert "PORTAL_DATABASE_URL" in result.output and "Traceback" not in result.output


def test_without_smtp_the_file_route_is_used_and_the_report_says_no_inbox_was_reached(tmp_path, municipalities, store):
    transport = FileTransport(tmp_path / "mail")
    results = check_inboxes([Inbox("opwijk", "support-application", "welzijn@opwijk.example")], municipalities,
                            transport, store, sender=SENDER)
    assert [r.outcome for r in results] == ["ok"]
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
    assert any("no inbox was reached" in line for line in report(results, transport))


def test_health_has_no_inboxes_key_before_the_first_check(store):
    assert "inboxes" not in store.health()
