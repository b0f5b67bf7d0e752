"""Robots get a neutral answer and nothing is stored; people are not bothered."""

from __future__ import annotations

import logging
import re
from html import unescape

import pytest

from tests.hardening import (
    FORM_URL,
    SECRET,
    hidden_value,
    in_session,
    make_app,
    old_stamp,
    post_and_confirm,
    valid_application,
)


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path, FORM_MIN_FILL_SECONDS=3)


@pytest.fixture
def client(app):
    return in_session(app.test_client())


def stored(app) -> int:
    return app.extensions["portal_store"].count_submissions()


def test_the_form_page_carries_a_signed_start_stamp(client):
    page = client.get(FORM_URL).get_data(as_text=True)
    stamp = hidden_value(page, "form_started")
    assert stamp and stamp.count(".") == 2


def test_a_person_who_took_their_time_is_accepted(app, client):
    response = post_and_confirm(client, FORM_URL, valid_application(form_started=old_stamp(age=45)))
    assert response.status_code == 303
    assert stored(app) == 1


def test_a_filled_honeypot_gets_the_neutral_answer_and_nothing_is_stored(app, client, caplog):
    caplog.set_level(logging.INFO, logger="portal.web.antiabuse")
    response = post_and_confirm(client, FORM_URL, valid_application(website="http://spam.example",
                                                            form_started=old_stamp(age=45)))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert stored(app) == 0
    assert "Je aanvraag is nog niet verstuurd" in html
    assert 'value="Griet"' in html                   # the answers are kept for a person
    assert "spam.example" not in html                # the honeypot is emptied
    assert 'href="#website"' not in html             # and not pointed out to the robot
    assert "portal-group--error" not in html         # (it stays hidden, without an error)
    assert "honeypot" in caplog.text and "Griet" not in caplog.text


@pytest.mark.parametrize("age", [0.0, 0.5, 2.5])
def test_a_post_faster_than_a_person_can_fill_the_form_is_not_stored(app, client, age):
    response = post_and_confirm(client, FORM_URL, valid_application(form_started=old_stamp(age=age)))
    assert response.status_code == 200
    assert stored(app) == 0
    # The neutral page looks like any other form page: no word about speed or robots (in the
    # page's content: the quick-exit button outside it says "snel weg" on every form page).
    # Only the words a reader meets: tags and attributes go, as the CSRF token and the form's
    # signed stamp are random text that can hold "bot" (CI once drew "...hbots578").
    html = response.get_data(as_text=True).lower()
    main = html[html.index("<main"):html.index("</main>")]
    words = unescape(re.sub(r"<[^>]+>", " ", main))
    assert not re.search(r"\b(robot|bot|snel)", words), words


@pytest.mark.parametrize("stamp", [
    None,                                                       # missing
    "garbage",                                                  # not signed
    old_stamp(age=45, secret="another-secret-" + "x" * 30),      # forged with another key
    old_stamp("turnhout", "support-application", age=45),       # taken from another site's form
    old_stamp("opwijk", "wijk-werken", age=45),                 # taken from another form
])
def test_a_missing_forged_or_foreign_stamp_is_not_accepted(app, client, stamp):
    data = valid_application()
    if stamp is not None:
        data["form_started"] = stamp
    assert post_and_confirm(client, FORM_URL, data).status_code == 200
    assert stored(app) == 0


def test_the_stamp_is_signed_with_its_own_salt_not_the_receipt_one(app, client):
    from itsdangerous import URLSafeTimedSerializer

    from portal.web.views import RECEIPT_SALT

    foreign = URLSafeTimedSerializer(SECRET, salt=RECEIPT_SALT).dumps(["opwijk", "support-application", 1.0])
    assert post_and_confirm(client, FORM_URL, valid_application(form_started=foreign)).status_code == 200
    assert stored(app) == 0


def test_a_corrected_form_keeps_its_first_stamp(app, client):
    """A person who fixes one mistake within seconds is not taken for a robot."""
    first = old_stamp(age=45)
    page = post_and_confirm(client, FORM_URL, valid_application(postcode="12", form_started=first))
    assert hidden_value(page.get_data(as_text=True), "form_started") == first
    assert post_and_confirm(client, FORM_URL, valid_application(form_started=first)).status_code == 303
    assert stored(app) == 1


def test_after_the_neutral_answer_a_person_can_send_again(app, client):
    page = post_and_confirm(client, FORM_URL, valid_application(form_started=old_stamp(age=1)))
    fresh = hidden_value(page.get_data(as_text=True), "form_started")
    assert fresh
    assert post_and_confirm(client, FORM_URL, valid_application(form_started=old_stamp(age=45))).status_code == 303


def test_a_real_wait_passes_the_real_clock(tmp_path):
    app = make_app(tmp_path, FORM_MIN_FILL_SECONDS=0.3)
    client = app.test_client()
    stamp = hidden_value(client.get(FORM_URL).get_data(as_text=True), "form_started")
    assert post_and_confirm(client, FORM_URL, valid_application(form_started=stamp)).status_code == 200
    import time

    time.sleep(0.5)
    assert post_and_confirm(client, FORM_URL, valid_application(form_started=stamp)).status_code == 303
    assert stored(app) == 1


def test_the_honeypot_is_checked_even_with_the_fill_time_off(tmp_path):
    app = make_app(tmp_path, FORM_MIN_FILL_SECONDS=0)
    client = app.test_client()
    assert post_and_confirm(client, FORM_URL, valid_application(website="x")).status_code == 200
    assert post_and_confirm(client, FORM_URL, valid_application()).status_code == 303
    assert stored(app) == 1


def test_an_empty_form_sent_at_once_gets_the_ordinary_errors_not_the_neutral_notice(app, client):
    """A person who presses the button on an empty form within seconds learns what to fill in."""
    page = client.get(FORM_URL).get_data(as_text=True)
    response = client.post(FORM_URL, data={"step": "check", "form_started": hidden_value(page, "form_started")})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and stored(app) == 0
    assert 'href="#first_name"' in html and 'href="#help_type"' in html      # the field errors
    assert "nog niet verstuurd" not in html                                  # not the neutral notice


def test_wrong_answers_with_a_filled_honeypot_get_the_errors_but_never_the_honeypots(app, client):
    response = client.post(FORM_URL, data=valid_application(postcode="12", website="http://spam.example",
                                                             form_started=old_stamp(age=45), step="check"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and stored(app) == 0
    assert 'href="#postcode"' in html
    assert 'href="#website"' not in html and "spam.example" not in html
