"""The small items of issue 14, each on its own: plain SMTP to another host, `%`/`!` addresses,
forged lines in the office mail, the form-part limit, the honeypot sent twice, the stamp bound to
its session and expiring, replays on the test client, the limits on one app."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.common.settings import ConfigurationError, load
from tests.hardening import FORM_URL, SECRET, in_session, make_app, old_stamp, post_and_confirm, valid_application


@pytest.mark.parametrize("url", ["smtp://user:pw@smtp.gemeente.example:25", "smtp://mail.example:587",
                                 "smtp://user:pw@192.0.2.10:25?starttls=0"])
def test_plain_smtp_to_another_host_refuses_to_start(url):
    with pytest.raises(ConfigurationError, match="PORTAL_SMTP_URL.*STARTTLS"):
        load({"SMTP_URL": url}, environ={})
    # Said on purpose: then it starts.
    assert load({"SMTP_URL": url, "SMTP_INSECURE": "1"}, environ={})["SMTP_URL"] == url


@pytest.mark.parametrize("url", ["smtps://user:pw@smtp.gemeente.example:465",
                                 "smtp://user:pw@smtp.gemeente.example:587?starttls=1",
                                 "smtp://127.0.0.1:2525", "smtp://localhost:25", "smtp://[::1]:25"])
def test_tls_or_loopback_smtp_starts(url):
    assert load({"SMTP_URL": url}, environ={})["SMTP_URL"] == url


@pytest.mark.parametrize("address", ["user%victim.example@relay.example", "relay!user@mail.example"])
def test_source_routed_addresses_are_refused(address):
    from portal.intake.compose import valid_address
    from portal.intake.validators import is_email

    assert valid_address(address) is None and not is_email(address)
    assert valid_address("griet.vermeulen+ocmw@mail.example") == "griet.vermeulen+ocmw@mail.example"


def test_a_multi_line_answer_cannot_forge_a_line_of_the_office_mail(municipalities):
    from portal.intake.compose import compose_office_message
    from portal.intake.routing import route

    # Turnhout chose `delivery: full`: its office mail carries the answers.
    answers = {**valid_application(), "postcode": "2300", "city": "Turnhout",
               "message": "Hallo\n- Familienaam: Vervalst\r- Postcode: 9999\u2028- E-mail: x@y.example"}
    answers.pop("website")
    r = route("support-application", answers, municipalities["turnhout"], municipalities)
    msg = compose_office_message(reference="TUR-2026-7K3Q9", form_id="support-application", answers=answers, route=r,
                                 site=municipalities["turnhout"], received_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone.utc),
                                 citizen_lang="nl")
    text = msg.get_body(("plain",)).get_content()
    lines = text.splitlines()
    assert not [line for line in lines if line.startswith("- Familienaam") and "Vervalst" in line]
    assert not [line for line in lines if line.startswith("- Postcode") and "9999" in line]
    assert "    - Familienaam: Vervalst" in lines


def test_a_form_post_of_more_than_200_parts_is_refused(tmp_path):
    app = make_app(tmp_path)
    assert app.config["MAX_FORM_PARTS"] == 200
    data = {f"f{n}": "x" for n in range(300)}
    response = app.test_client().post(FORM_URL, data=data, content_type="multipart/form-data")
    assert response.status_code == 413


def test_the_honeypot_sent_twice_with_the_first_value_empty_is_caught(tmp_path):
    app = make_app(tmp_path)
    client = app.test_client()
    data = [(k, v) for k, v in valid_application().items() if k != "website"] + [("website", ""), ("website", "x")]
    from werkzeug.datastructures import MultiDict

    response = client.post(FORM_URL, data=MultiDict(data))
    assert response.status_code == 200 and app.extensions["portal_store"].count_submissions() == 0


def test_a_stamp_works_only_in_its_own_session_and_expires(tmp_path):
    app = make_app(tmp_path, FORM_MIN_FILL_SECONDS=3)
    mine = in_session(app.test_client())
    stranger = in_session(app.test_client(), sid="another-session")
    assert post_and_confirm(stranger, FORM_URL, valid_application(form_started=old_stamp(age=45))).status_code == 200
    expired = old_stamp(age=45)
    app.config["WTF_CSRF_TIME_LIMIT"] = 0.5
    import time

    time.sleep(1.1)
    assert post_and_confirm(mine, FORM_URL, valid_application(form_started=expired)).status_code == 200
    app.config["WTF_CSRF_TIME_LIMIT"] = 8 * 3600
    assert post_and_confirm(mine, FORM_URL, valid_application(form_started=old_stamp(age=45))).status_code == 303
    assert app.extensions["portal_store"].count_submissions() == 1


def test_the_same_direct_post_twice_is_one_application_with_one_receipt(tmp_path):
    app = make_app(tmp_path, FORM_MIN_FILL_SECONDS=3)
    client = in_session(app.test_client())
    data = valid_application(form_started=old_stamp(age=45))
    first, second = client.post(FORM_URL, data=data), client.post(FORM_URL, data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    store = app.extensions["portal_store"]
    assert store.count_submissions() == 1 and store.outbox_counts()["pending"] == 2


def test_stored_applications_per_address_are_limited_across_sites_and_forms(tmp_path):
    app = make_app(tmp_path, RATELIMIT_ADDRESS="3 per minute", RATELIMIT_FORM="100 per minute",
                   CONFIRMATIONS_PER_RECIPIENT=2)
    client = app.test_client()
    codes = [post_and_confirm(client, FORM_URL, valid_application(last_name=f"L{n}")).status_code for n in range(4)]
    assert codes == [303, 303, 303, 429]
    limited = post_and_confirm(client, FORM_URL, valid_application(first_name="Kwinten"))
    assert limited.status_code == 429 and 'value="Kwinten"' in limited.get_data(as_text=True)
    store = app.extensions["portal_store"]
    assert store.count_submissions() == 3
    # Confirmations to griet@mail.example: two, then office mails only.
    kinds = [row[0] for row in store._read("SELECT kind FROM outbox ORDER BY id")]
    assert kinds.count("office") == 3 and kinds.count("confirmation") == 2
    # Another address may still send.
    other = post_and_confirm(client, FORM_URL, valid_application())
    assert other.status_code == 429
    other = client.post(FORM_URL, data=valid_application(), environ_base={"REMOTE_ADDR": "127.0.0.9"})
    assert other.status_code == 303


def test_the_busy_inbox_alert_shows_in_healthz_and_portal_outbox(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from portal.cli import main as cli

    app = make_app(tmp_path, INBOX_ALERT_PER_HOUR=2, RATELIMIT_ENABLED=False)
    client = app.test_client()
    for n in range(3):
        assert post_and_confirm(client, FORM_URL, valid_application(last_name=f"B{n}")).status_code == 303
    assert client.get("/healthz").get_json()["alerts"] == {"busy_inboxes": 1, "stranded_applications": 0}
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    monkeypatch.setenv("PORTAL_INBOX_ALERT_PER_HOUR", "2")
    result = CliRunner().invoke(cli, ["outbox"])
    assert result.exit_code == 0, result.output
    assert "ALERT: welzijn@opwijk.example received 3 applications in the last hour" in result.output


def test_weak_secret_is_accepted_outside_production_only():
    from portal.common.settings import check_secret

    check_secret({"ENV": "testing", "SECRET_KEY": "short"})
    with pytest.raises(ConfigurationError):
        check_secret({"ENV": "production", "SECRET_KEY": SECRET[:31]})
