"""Every e-mail the portal sends says its language (Content-Language) and the confirmation opens
with a greeting that reads right without a name, as a real SMTP server (aiosmtpd) receives them."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.common.brussels import BRUSSELS
from portal.delivery.transport import SmtpTransport
from portal.delivery.worker import run
from portal.intake.compose import compose_inbox_check, compose_sign_in
from tests.test_forms_web import submit, support_answers

GREETING = {"nl": "Hallo,", "fr": "Bonjour,", "de": "Guten Tag,"}


@pytest.mark.parametrize("slug, lang, postcode", [("opwijk", "nl", "1745"), ("sint-gillis", "fr", "1060"), ("eupen", "de", "4700")])
def test_both_mails_of_an_application_say_their_language_and_greet_cleanly(make_app, smtp, slug, lang, postcode):
    app = make_app()
    client = app.test_client()
    stored = submit(client, f"/forms/{slug}/{lang}/support-application/", support_answers(postcode=postcode))
    assert stored.status_code == 303
    run(app.extensions["portal_store"], SmtpTransport.from_url(smtp.url), once=True)
    mails = {m.rcpt_tos[0]: m.message for m in smtp.wait_for(2)}
    confirmation = mails["an.peeters@example.be"]
    office = next(m for address, m in mails.items() if address != "an.peeters@example.be")
    assert confirmation["Content-Language"] == lang
    assert office["Content-Language"] == app.extensions["portal_municipalities"][slug].default_language
    text = confirmation.get_body(("plain",)).get_content()
    # The greeting, one empty line, then the first sentence: no name, no double gap.
    assert re.match(rf"{re.escape(GREETING[lang])}\n\n\S", text.replace("\r\n", "\n")), text[:80]
    assert "An" not in text.split("\n", 1)[0]
    html = confirmation.get_body(("html",)).get_content()
    assert f'<html lang="{lang}">' in html and f"<p>{GREETING[lang]}</p>" in html


def test_the_sign_in_and_inbox_check_mails_say_their_language(municipalities):
    when = dt.datetime(2026, 3, 2, 10, 30, tzinfo=BRUSSELS)
    for slug, m in municipalities.items():
        inbox = next(iter(m.inboxes.values()))
        sign_in = compose_sign_in(inbox=inbox, link="https://e-loket.example/office/auth/x", municipality=m, when=when)
        check = compose_inbox_check(inbox=inbox, token="t0k3n", form_id=next(iter(m.inboxes)), municipality=m, when=when)
        assert sign_in["Content-Language"] == m.default_language == check["Content-Language"], slug
