"""Delivery through a real SMTP server (aiosmtpd on 127.0.0.1, in a subprocess).

Accepted applications reach the competent inbox and the citizen; a stopped server or a 451 means
a later retry with the same Message-ID and nothing lost; a 550 ends as failed, listed by
`portal outbox`.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import logging
import time

import pytest
from click.testing import CliRunner

from portal.cli import main as cli
from portal.common import settings
from portal.delivery.transport import FileTransport, SmtpTransport, transport_for
from portal.delivery.worker import RetryPolicy, run
from portal.intake.accept import REFERENCE_RE, accept, load_receipt
from portal.store import open_store


def application(**overrides) -> dict:
    answers = {"help_type": "leefloon", "first_name": "Ahmed", "last_name": "Janssens", "birth_date": "1990-05-17",
               "no_fixed_address": False, "street": "Stationsstraat", "house_number": "3", "postcode": "1745",
               "city": "Opwijk", "phone": "", "email": "ahmed@mail.example", "contact_preference": "email",
               "message": "", "declaration": True}
    answers.update(overrides)
    return answers


def wijk_werken(request_type: str, **overrides) -> dict:
    answers = {"request_type": request_type, "requester_kind": "private", "first_name": "Lotte", "last_name": "Peeters",
               "street": "Meir", "house_number": "1", "postcode": "2000", "city": "Antwerpen", "phone": "0470 00 00 00",
               "email": "lotte@mail.example", "job_description": "Tuin onderhouden" if request_type == "user" else "",
               "message": "", "declaration": True}
    answers.update(overrides)
    return answers


def deliver(store, smtp, *, later: float = 0):
    """`portal worker --once` in-process, with the clock moved `later` seconds ahead."""
    return run(store, SmtpTransport.from_url(smtp.url), once=True, clock=lambda: time.time() + later)


def by_recipient(received) -> dict:
    return {r.rcpt_tos[0]: r for r in received}


def test_valid_application_reaches_the_competent_inbox_and_the_citizen(store, smtp, municipalities):
    # Under `delivery: full` (the secure office mail has its own test in tests/test_office.py).
    municipalities = {slug: dataclasses.replace(m, delivery={"default": "full"}) for slug, m in municipalities.items()}
    accepted = accept(municipalities["opwijk"], "support-application", "nl", application(),
                      store=store, municipalities=municipalities)
    assert REFERENCE_RE.match(accepted.reference) and accepted.reference.startswith("OPW-")
    assert deliver(store, smtp)["sent"] == 2
    mail = by_recipient(smtp.wait_for(2))
    office, confirmation = mail["welzijn@opwijk.example"], mail["ahmed@mail.example"]
    assert accepted.reference in office.message["Subject"]
    assert office.message["Reply-To"] == "ahmed@mail.example"
    assert "Janssens" in office.message.get_body(("plain",)).get_content()
    assert "Janssens" not in confirmation.raw.decode("latin-1")
    assert accepted.reference in confirmation.message.get_body(("plain",)).get_content()
    assert store.outbox_counts() == {"pending": 0, "failed": 0, "sent": 2}
    receipt = load_receipt(store, accepted.reference, municipalities)
    assert receipt["first_name"] == "Ahmed" and receipt["competent"] == "opwijk" and not receipt["outside_area"]
    assert "last_name" not in receipt and "Janssens" not in repr(receipt)


def test_no_email_means_only_the_office_message(store, smtp, municipalities):
    accept(municipalities["opwijk"], "support-application", "nl", application(email="", phone="0470 11 22 33"),
           store=store, municipalities=municipalities)
    assert deliver(store, smtp)["sent"] == 1
    assert [r.rcpt_tos for r in smtp.wait_for(1)] == [["welzijn@opwijk.example"]]


def test_resident_of_another_municipality_is_delivered_there(store, smtp, municipalities):
    accepted = accept(municipalities["opwijk"], "support-application", "nl", application(postcode="2300", city="Turnhout"),
                      store=store, municipalities=municipalities)
    assert accepted.route.municipality.slug == "turnhout"
    deliver(store, smtp)
    office = by_recipient(smtp.wait_for(2))[municipalities["turnhout"].inboxes["support-application"]]
    assert "Verstuurd via de website van Opwijk" in office.message.get_body(("plain",)).get_content()


def test_unserved_postcode_goes_to_the_sites_own_ocmw_marked(store, smtp, municipalities):
    accepted = accept(municipalities["opwijk"], "support-application", "nl", application(postcode="8500"),
                      store=store, municipalities=municipalities)
    assert accepted.route.outside_area
    deliver(store, smtp)
    office = by_recipient(smtp.wait_for(2))["welzijn@opwijk.example"]
    assert "doorsturen" in office.message["Subject"]
    assert "5 kalenderdagen" in office.message.get_body(("plain",)).get_content()
    assert load_receipt(store, accepted.reference, municipalities)["outside_area"] is True


@pytest.mark.parametrize("request_type", ["user", "worker"])
def test_wijk_werken_both_request_types_route_as_specified(store, smtp, municipalities, request_type):
    # Sent from Opwijk's site for a job or a candidate in Antwerp: Antwerp's wijk-werken inbox.
    there = accept(municipalities["opwijk"], "wijk-werken", "nl", wijk_werken(request_type),
                   store=store, municipalities=municipalities)
    # Turnhout takes no wijk-werken requests online: the site's own inbox.
    home = accept(municipalities["opwijk"], "wijk-werken", "nl", wijk_werken(request_type, postcode="2300"),
                  store=store, municipalities=municipalities)
    deliver(store, smtp)
    inboxes = [r.rcpt_tos[0] for r in smtp.wait_for(4) if not r.rcpt_tos[0].startswith("lotte@")]
    assert sorted(inboxes) == sorted([municipalities["antwerpen"].inboxes["wijk-werken"],
                                      municipalities["opwijk"].inboxes["wijk-werken"]])
    assert there.route.inbox == municipalities["antwerpen"].inboxes["wijk-werken"]
    assert home.route.inbox == municipalities["opwijk"].inboxes["wijk-werken"]


def test_server_down_while_20_applications_arrive_then_all_delivered_once(store, smtp, municipalities):
    smtp.stop()
    references = [accept(municipalities["opwijk"], "support-application", "nl", application(),
                         store=store, municipalities=municipalities).reference for _ in range(20)]
    assert len(set(references)) == 20
    totals = deliver(store, smtp)
    assert totals == {"claimed": 40, "sent": 0, "retry": 40, "failed": 0}
    assert store.outbox_counts()["pending"] == 40
    assert {row["last_error"] for row in store.list_outbox()} == {"ConnectionRefusedError"}

    smtp.start()
    assert deliver(store, smtp)["claimed"] == 0          # not due yet: backoff
    assert deliver(store, smtp, later=61)["sent"] == 40
    received = smtp.wait_for(40)
    ids = [r.message["Message-ID"] for r in received]
    assert len(ids) == 40 and len(set(ids)) == 40
    stored = {r["message_id"] for r in store.list_outbox(statuses=("sent",))}
    assert set(ids) == stored
    assert {r.message["X-Portal-Reference"] for r in received} == set(references)


def test_451_is_retried_later_with_the_same_message_id(store, smtp, municipalities):
    accept(municipalities["opwijk"], "support-application", "nl", application(), store=store, municipalities=municipalities)
    queued_ids = {r["message_id"] for r in store.list_outbox()}
    smtp.reply(all_rcpt=451)
    assert deliver(store, smtp)["retry"] == 2
    assert {r["last_error"] for r in store.list_outbox()} == {"SMTP 451 (recipient refused)"}
    assert deliver(store, smtp, later=61)["retry"] == 2     # still refused; the delay doubles
    assert deliver(store, smtp, later=61 + 119)["claimed"] == 0
    smtp.reply()
    assert deliver(store, smtp, later=61 + 121)["sent"] == 2
    received = smtp.wait_for(2)
    assert {r.message["Message-ID"] for r in received} == queued_ids
    assert [r["attempts"] for r in store.list_outbox(statuses=("sent",))] == [3, 3]


def test_550_ends_as_failed_and_is_listed_by_portal_outbox(tmp_path, smtp, municipalities, monkeypatch, caplog):
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    store = open_store(url)
    accepted = accept(municipalities["opwijk"], "support-application", "nl", application(),
                      store=store, municipalities=municipalities)
    smtp.reply(rcpt={"ahmed@mail.example": 550})
    with caplog.at_level(logging.INFO, logger="portal.delivery.worker"):
        totals = deliver(store, smtp)
    assert (totals["sent"], totals["failed"]) == (1, 1)
    assert store.health() == {"database": "ok", "outbox": {"pending": 0, "failed": 1, "sent": 1}}
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert accepted.reference in logged
    for personal in ("ahmed", "Ahmed", "Janssens", "Stationsstraat", "1990-05-17"):
        assert personal not in logged

    monkeypatch.setenv("PORTAL_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["outbox"])
    assert result.exit_code == 0, result.output
    assert accepted.reference in result.output and "failed" in result.output and "SMTP 550" in result.output
    assert "0 pending, 1 failed, 1 sent" in result.output
    assert "ahmed" not in result.output.lower()

    failed_id = store.list_outbox()[0]["id"]
    smtp.reply()
    result = CliRunner().invoke(cli, ["outbox", "--retry", str(failed_id)])
    assert result.exit_code == 0, result.output
    assert deliver(store, smtp)["sent"] == 1
    assert "ahmed@mail.example" in by_recipient(smtp.wait_for(2))


def test_temporary_failures_end_as_failed_after_72_hours(store, smtp, municipalities):
    accept(municipalities["opwijk"], "support-application", "nl", application(email=""),
           store=store, municipalities=municipalities)
    smtp.reply(all_rcpt=421)
    policy = RetryPolicy()
    later = 0.0
    for _ in range(100):
        totals = run(store, SmtpTransport.from_url(smtp.url), once=True, policy=policy,
                     clock=lambda later=later: time.time() + later)
        if totals["failed"]:
            break
        later += policy.max_delay + 1
    (row,) = store.list_outbox()
    assert row["status"] == "failed" and row["last_error"].startswith("gave up after")
    assert 70 <= row["attempts"] <= 80       # one minute doubling to one hour, for 72 hours


def test_portal_worker_once_through_the_cli(tmp_path, smtp, municipalities, monkeypatch):
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    accept(municipalities["opwijk"], "support-application", "nl", application(),
           store=open_store(url), municipalities=municipalities)
    monkeypatch.setenv("PORTAL_DATABASE_URL", url)
    monkeypatch.setenv("PORTAL_SMTP_URL", smtp.url)
    result = CliRunner().invoke(cli, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "2 sent, 0 to retry, 0 failed" in result.output
    assert len(smtp.wait_for(2)) == 2


def test_without_smtp_url_messages_are_written_as_eml_files(tmp_path, municipalities, monkeypatch):
    project = tmp_path / "project"
    monkeypatch.delenv("PORTAL_SMTP_URL", raising=False)
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    config = settings.load({"ROOT": project})
    store = open_store(config["DATABASE_URL"])
    accepted = accept(municipalities["opwijk"], "support-application", "fr", application(),
                      store=store, municipalities=municipalities)
    transport = transport_for(config["SMTP_URL"], config["MAIL_DIR"])
    assert isinstance(transport, FileTransport)
    assert run(store, transport, once=True)["sent"] == 2
    files = sorted((project / "instance" / "mail").glob("*.eml"))
    assert len(files) == 2
    parsed = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    assert {m["X-Portal-Reference"] for m in parsed} == {accepted.reference}
    assert any(m["Subject"].startswith("Bien reçu") for m in parsed)     # the citizen wrote in French


def test_background_worker_delivers_while_the_app_runs(store, smtp, municipalities):
    from flask import Flask

    from portal.delivery.worker import start_background_worker

    app = Flask("portal-test")
    app.extensions["portal_store"] = store
    app.extensions["portal_transport"] = SmtpTransport.from_url(smtp.url)
    worker = start_background_worker(app, poll_seconds=0.05)
    try:
        accept(municipalities["opwijk"], "support-application", "nl", application(),
               store=store, municipalities=municipalities)
        assert len(smtp.wait_for(2, timeout=20)) == 2
    finally:
        worker.stop()
    assert not worker.is_alive()


def test_two_workers_draining_together_send_each_message_once(store, smtp, municipalities):
    import threading

    for _ in range(15):
        accept(municipalities["opwijk"], "support-application", "nl", application(),
               store=store, municipalities=municipalities)
    workers = [threading.Thread(target=run, args=(store, SmtpTransport.from_url(smtp.url)),
                                kwargs={"once": True, "limit": 3}) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    ids = [r.message["Message-ID"] for r in smtp.wait_for(30)]
    assert len(ids) == 30 and len(set(ids)) == 30
    assert store.outbox_counts() == {"pending": 0, "failed": 0, "sent": 30}
