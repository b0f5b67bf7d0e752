"""The staff inbox (/office/) and `delivery: secure`, through the real app, a real SMTP server
(aiosmtpd) and real databases: SQLite and PostgreSQL.

Several municipalities and inboxes: Opwijk's support inbox (secure), Opwijk's wijk-werken inbox,
Saint-Gilles' support inbox (French). A session of one inbox never sees another's applications.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import threading
import time
import types
import uuid
from urllib.parse import quote, urlencode, urlparse

import pytest

from tests.pg_server import pg_server  # noqa: F401  (the session fixture)
from tests.smtp_server import SmtpServer
from tests.test_forms_web import SECRET, submit, support_answers, wijk_answers

OPWIJK = "/forms/opwijk/nl/support-application/"
OPWIJK_WIJK = "/forms/opwijk/nl/wijk-werken/"
SINT_GILLIS = "/forms/sint-gillis/fr/support-application/"
OPWIJK_INBOX = "welzijn@opwijk.example"
WIJK_INBOX = "wijkwerken@opwijk.example"
GILLIS_INBOX = "cpas@saint-gilles.example"
LINK_RE = re.compile(r"https?://\S+/office/auth/[A-Za-z0-9_-]+(?:\?\S+)?")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    server = request.getfixturevalue("pg_server")
    return server.new_database(f"office_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def smtp(tmp_path):
    server = SmtpServer(tmp_path / "smtp").start()
    yield server
    server.stop()


@pytest.fixture
def app(make_app, database_url, smtp):
    return make_app(SECRET_KEY=SECRET, DATABASE_URL=database_url, SMTP_URL=smtp.url, PUBLIC_URL="https://e-loket.example")


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return match.group(1) if match else ""


def ask_link(client, smtp, email: str, *, expect_mail: bool = True, url: str = "/office/sign-in") -> tuple[str, str | None]:
    """POST the sign-in form at `url`; (the page, the link that arrived by SMTP or None)."""
    before = len(smtp.messages())
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"email": email, "csrf_token": csrf(page)})
    assert response.status_code == 200
    if not expect_mail:
        time.sleep(1.0)
        assert len(smtp.messages()) == before
        return response.get_data(as_text=True), None
    mail = smtp.wait_for(before + 1)[-1]
    assert mail.rcpt_tos == [email]
    return response.get_data(as_text=True), LINK_RE.search(mail.message.get_body(("plain",)).get_content()).group(0)


def follow(client, link: str):
    """Open the link from the mail and press its button: the response of the POST."""
    parts = urlparse(link)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, data={"csrf_token": csrf(page.get_data(as_text=True))})


def signed_in_client(app, smtp, inbox: str):
    client = app.test_client()
    _, link = ask_link(client, smtp, inbox)
    assert follow(client, link).status_code == 303
    return client


def references(html: str) -> list[str]:
    return re.findall(r'href="/office/([A-Z0-9]{3}-\d{4}-[A-Z0-9]{5})"', html)


def stored_reference(response) -> str:
    from portal.web.views import receipt_serializer

    token = response.headers["Location"].rsplit("/", 1)[-1]
    return receipt_serializer().loads(token)["ref"]


def submit_support(app, **answers) -> str:
    """One support application sent through Opwijk's form: its reference."""
    with app.test_request_context():
        response = submit(app.test_client(), OPWIJK, support_answers(**answers))
        assert response.status_code == 303
        return stored_reference(response)


def send_applications(app) -> dict:
    """One application to each inbox (and one more to Opwijk's); {inbox: [references]}."""
    client = app.test_client()
    sent = {OPWIJK_INBOX: [], WIJK_INBOX: [], GILLIS_INBOX: []}
    with app.test_request_context():
        for url, answers, inbox in ((OPWIJK, support_answers(), OPWIJK_INBOX),
                                    (OPWIJK, support_answers(postcode="9999", city="Elders"), OPWIJK_INBOX),
                                    (OPWIJK_WIJK, wijk_answers(), WIJK_INBOX),
                                    (SINT_GILLIS, support_answers(postcode="1060", city="Saint-Gilles"), GILLIS_INBOX)):
            response = submit(client, url, answers)
            assert response.status_code == 303, response.get_data(as_text=True)[:500]
            sent[inbox].append(stored_reference(response))
    return sent


# --- sign-in --------------------------------------------------------------------------------------

def test_the_link_arrives_by_smtp_works_once_and_opens_a_strict_session(app, smtp):
    client = app.test_client()
    page, link = ask_link(client, smtp, OPWIJK_INBOX)
    assert link.startswith("https://e-loket.example/office/auth/")        # PORTAL_PUBLIC_URL, never the Host
    assert "Kijk in de mailbox van uw dienst" in page
    opened = follow(client, link)
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/office/")
    cookie = opened.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/office/" in cookie
    assert client.get("/office/").status_code == 200
    # The same link again (another browser): refused.
    again = app.test_client()
    refused = follow(again, link)
    assert refused.status_code == 400 and "Deze link werkt niet meer" in refused.get_data(as_text=True)
    assert again.get("/office/").status_code == 303


def test_an_address_that_is_no_inbox_gets_the_same_page_and_no_mail(app, smtp):
    client = app.test_client()
    inbox_page, _ = ask_link(client, smtp, OPWIJK_INBOX)
    other_page, _ = ask_link(client, smtp, "someone@opwijk.example", expect_mail=False)
    assert other_page.replace("someone@opwijk.example", OPWIJK_INBOX) == inbox_page.replace(csrf(inbox_page), csrf(other_page))
    fresh = client.get("/office/sign-in").get_data(as_text=True)
    bad = client.post("/office/sign-in", data={"email": "not an address", "csrf_token": csrf(fresh)})
    assert bad.status_code == 400 and "Vul een e-mailadres in" in bad.get_data(as_text=True)


def test_a_link_expires_after_15_minutes_and_a_session_after_30_idle(app, smtp, monkeypatch):
    import portal.store.office

    client = app.test_client()
    _, link = ask_link(client, smtp, OPWIJK_INBOX)
    later = types.SimpleNamespace(time=lambda: time.time() + 15 * 60 + 1)
    monkeypatch.setattr(portal.store.office, "time", later)
    assert follow(client, link).status_code == 400
    monkeypatch.undo()

    client = signed_in_client(app, smtp, OPWIJK_INBOX)
    assert client.get("/office/").status_code == 200
    monkeypatch.setattr(portal.store.office, "time", types.SimpleNamespace(time=lambda: time.time() + 31 * 60))
    assert client.get("/office/").status_code == 303
    monkeypatch.undo()
    assert client.get("/office/").status_code == 303        # the idle session was deleted

    # Used every 20 minutes, a session still ends 10 hours after sign-in.
    client = signed_in_client(app, smtp, OPWIJK_INBOX)
    start = time.time()
    for minutes in range(20, 10 * 60, 20):
        monkeypatch.setattr(portal.store.office, "time", types.SimpleNamespace(time=lambda m=minutes: start + m * 60))
        assert client.get("/office/").status_code == 200, minutes
    monkeypatch.setattr(portal.store.office, "time", types.SimpleNamespace(time=lambda: start + 10 * 3600 + 60))
    assert client.get("/office/").status_code == 303


def test_the_link_is_made_off_the_request_so_its_timing_does_not_tell_an_inbox(app, smtp, monkeypatch):
    """The database write and the mail happen in the sign-in thread, not while the POST is answered."""
    store = app.extensions["portal_store"]
    threads = []
    real = store.add_sign_in_token
    monkeypatch.setattr(store, "add_sign_in_token", lambda **kw: (threads.append(threading.current_thread().name), real(**kw)))
    ask_link(app.test_client(), smtp, OPWIJK_INBOX)
    assert threads == ["office-sign-in-mail"]


def test_a_stranger_asking_again_and_again_never_locks_the_inbox_out(app, smtp, monkeypatch):
    """Five working links at most; one is spent or expires: the next request mails a new one."""
    import portal.store.office
    from portal.web.office import LIVE_LINKS

    client = app.test_client()
    links = [ask_link(client, smtp, OPWIJK_INBOX)[1] for _ in range(LIVE_LINKS)]
    ask_link(client, smtp, OPWIJK_INBOX, expect_mail=False)      # the inbox holds five working links
    assert follow(app.test_client(), links[0]).status_code == 303    # staff use one of them
    _, fresh = ask_link(client, smtp, OPWIJK_INBOX)                  # so there is room for one more
    ask_link(client, smtp, OPWIJK_INBOX, expect_mail=False)
    monkeypatch.setattr(portal.store.office, "time", types.SimpleNamespace(time=lambda: time.time() + 15 * 60 + 1))
    assert follow(app.test_client(), fresh).status_code == 400       # all expired now ...
    ask_link(client, smtp, OPWIJK_INBOX)                             # ... and a new one is mailed at once
    ask_link(app.test_client(), smtp, WIJK_INBOX)                    # another inbox never counted


def test_links_that_could_not_be_mailed_do_not_count_against_the_inbox(app, smtp):
    """The mail server is down while staff ask again and again; once it is back, a link comes at once."""
    from portal.web.office import LIVE_LINKS

    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"                  # nothing listens there
    client = app.test_client()
    for _ in range(LIVE_LINKS + 1):
        ask_link(client, smtp, OPWIJK_INBOX, expect_mail=False)
    assert app.extensions["portal_store"].count_live_sign_in_tokens(OPWIJK_INBOX) == 0
    app.config["SMTP_URL"] = smtp.url
    _, link = ask_link(client, smtp, OPWIJK_INBOX)
    assert follow(client, link).status_code == 303


def test_a_link_to_an_application_comes_back_to_it_after_sign_in(app, smtp):
    """An office e-mail's link opened when no session is open: sign in, and land on that application."""
    reference = send_applications(app)[OPWIJK_INBOX][0]
    client = app.test_client()
    response = client.get(f"/office/{reference}")
    assert response.status_code == 303
    sign_in = response.headers["Location"]
    assert sign_in == f"/office/sign-in?next=/office/{reference}"
    _, link = ask_link(client, smtp, OPWIJK_INBOX, url=sign_in)
    assert link.endswith(f"?next=%2Foffice%2F{reference}")
    opened = follow(client, link)
    assert opened.status_code == 303 and opened.headers["Location"] == f"/office/{reference}"
    assert reference in client.get(opened.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/office/", "//evil.example/", "/office/sign-out", "/forms/"])
def test_sign_in_goes_nowhere_but_an_application(app, smtp, target):
    """No open redirect: a `next` that is not an application's page is ignored, in the mail and after sign-in."""
    client = app.test_client()
    _, link = ask_link(client, smtp, OPWIJK_INBOX, url=f"/office/sign-in?next={quote(target, safe='')}")
    assert "next=" not in link
    token_link = link.split("?")[0] + "?" + urlencode({"next": target})
    opened = follow(client, token_link)
    assert opened.status_code == 303 and opened.headers["Location"] == "/office/"


def test_portal_sign_out_inbox_ends_every_session_of_that_inbox_only(app, smtp, monkeypatch, database_url):
    from click.testing import CliRunner

    from portal.cli import main

    laptop, desktop = signed_in_client(app, smtp, OPWIJK_INBOX), signed_in_client(app, smtp, OPWIJK_INBOX)
    other = signed_in_client(app, smtp, WIJK_INBOX)
    _, unused = ask_link(app.test_client(), smtp, OPWIJK_INBOX)
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["sign-out-inbox", OPWIJK_INBOX.upper()])
    assert result.exit_code == 0 and "2 sessions of" in result.output, result.output
    assert laptop.get("/office/").status_code == 303 and desktop.get("/office/").status_code == 303
    assert follow(app.test_client(), unused).status_code == 400                    # the link sent before is void
    assert other.get("/office/").status_code == 200                               # another inbox stays signed in


def test_sign_out_ends_the_session(app, smtp):
    client = signed_in_client(app, smtp, OPWIJK_INBOX)
    page = client.get("/office/").get_data(as_text=True)
    response = client.post("/office/sign-out", data={"csrf_token": csrf(page)})
    assert response.status_code == 303
    assert client.get("/office/").status_code == 303


# --- what each inbox sees -------------------------------------------------------------------------

def test_each_inbox_sees_its_own_applications_and_gets_404_for_the_others(app, smtp):
    sent = send_applications(app)
    opwijk = signed_in_client(app, smtp, OPWIJK_INBOX)
    gillis = signed_in_client(app, smtp, GILLIS_INBOX)
    wijk = signed_in_client(app, smtp, WIJK_INBOX)

    listing = opwijk.get("/office/").get_data(as_text=True)
    assert references(listing) == list(reversed(sent[OPWIJK_INBOX]))        # newest first
    assert "niet bevoegd: doorsturen" in listing                           # the 9999 one is marked
    assert "Leefloon" in listing or "leefloon" in listing.lower()          # the kind of help
    assert "Hulpaanvraag (" not in listing and "))" not in listing       # form and kind apart, no nested brackets
    assert "An" not in re.findall(r">([^<]+)<", listing)                   # no name in the list
    french = gillis.get("/office/").get_data(as_text=True)
    assert references(french) == sent[GILLIS_INBOX] and "Demandes" in french and 'lang="fr"' in french
    assert references(wijk.get("/office/").get_data(as_text=True)) == sent[WIJK_INBOX]

    for client, own in ((opwijk, OPWIJK_INBOX), (gillis, GILLIS_INBOX), (wijk, WIJK_INBOX)):
        for inbox, refs in sent.items():
            for reference in refs:
                status = client.get(f"/office/{reference}").status_code
                assert status == (200 if inbox == own else 404), (own, reference)
                assert client.get(f"/office/{reference}/print").status_code == (200 if inbox == own else 404)
    assert opwijk.get("/office/OPW-2026-ZZZZZ").status_code == 404


def test_the_detail_shows_every_answer_with_the_check_pages_presenter_and_logs_the_view(app, smtp):
    sent = send_applications(app)
    store = app.extensions["portal_store"]
    opwijk = signed_in_client(app, smtp, OPWIJK_INBOX)
    reference = sent[OPWIJK_INBOX][0]
    html = opwijk.get(f"/office/{reference}").get_data(as_text=True)
    for label, value in (("Voornaam", "An"), ("Familienaam", "Peeters"), ("Geboortedatum", "30 juli 1985"),
                         ("Rijksregisternummer", "85.07.30-033.28"), ("Straat", "Kerkstraat")):
        assert re.search(rf">{label}[^<]*</dt>\s*<dd[^>]*>{re.escape(value)}</dd>", html), label
    assert "uw OCMW is bevoegd" in html                      # the routing reason
    # The language to answer in, under `secure` too (a language is not an answer).
    assert re.search(r'>Taal van de aanvrager</dt>\s*<dd[^>]*lang="nl">Nederlands</dd>', html)
    assert "Afdrukken of bewaren als PDF" in html
    log = store.access_log(reference)
    assert [(row["inbox"], row["reference"]) for row in log] == [(OPWIJK_INBOX, reference)]
    assert set(log[0]) == {"inbox", "reference", "viewed_at"}      # no answer, no IP address
    other = sent[GILLIS_INBOX][0]
    opwijk.get(f"/office/{other}")
    assert store.access_log(other) == []                      # a refused look is no view


def test_staff_never_see_the_job_questions_a_wijk_werker_typed_anyway(app, smtp):
    # Without JavaScript the job's questions stay on the page; a wijk-werker's answers there
    # are dropped before storing, so neither the detail nor the office mail shows them.
    client = app.test_client()
    with app.test_request_context():
        response = submit(client, OPWIJK_WIJK, wijk_answers(request_type="worker", requester_kind="school",
                                                            organisation_name="GO! Atheneum", job_description="Geheime klus"))
        assert response.status_code == 303
        reference = stored_reference(response)
    html = signed_in_client(app, smtp, WIJK_INBOX).get(f"/office/{reference}").get_data(as_text=True)
    assert re.search(r">Wat wil je doen[^<]*</dt>\s*<dd[^>]*>Zelf als wijk-werker aan de slag gaan</dd>", html)
    assert "Geheime klus" not in html and "GO! Atheneum" not in html and "Welke klus" not in html
    rows = app.extensions["portal_store"].claim_outbox(lease_seconds=60)
    bodies = [email.message_from_bytes(row.raw, policy=email.policy.default).get_body(("plain",)).get_content()
              for row in rows]
    assert len(bodies) >= 1 and all(bodies)
    assert not any("Geheime" in body or "Atheneum" in body for body in bodies)


def test_an_application_from_another_area_names_the_ocmw_to_pass_it_on_to(app, smtp):
    # As the office e-mail does: staff file or forward from the detail page (and its print view).
    client = app.test_client()
    with app.test_request_context():
        reference = stored_reference(submit(client, OPWIJK, support_answers(postcode="9000", city="Gent")))
    opwijk = signed_in_client(app, smtp, OPWIJK_INBOX)
    for path in (f"/office/{reference}", f"/office/{reference}/print"):
        html = opwijk.get(path).get_data(as_text=True)
        assert "Bevoegd volgens de nationale postcodetabel: OCMW Gent (NIS-code 44021)." in html, path


def test_an_erased_application_shows_what_is_left_and_no_deadline_or_erasure_date(app, smtp):
    """After the retention: the reference, dates and routing stay; no deadline (the kind of help
    that sets it is gone), no "will be erased on", and the postcode is said to be erased."""
    store = app.extensions["portal_store"]
    reference = submit_support(app)
    store.erase_submissions([store.get_submission(reference).id], now=dt.datetime.now(dt.timezone.utc))
    page = " ".join(signed_in_client(app, smtp, OPWIJK_INBOX).get(f"/office/{reference}").get_data(as_text=True).split())
    assert "De persoonsgegevens van deze aanvraag zijn gewist" in page
    assert "(postcode gewist)" in page and "postcode ?" not in page
    assert "Beslissen uiterlijk" not in page and "geen wettelijke termijn" not in page
    assert "worden 30 dagen na" not in page


def test_status_changes_persist_with_time_and_inbox(app, smtp):
    sent = send_applications(app)
    store = app.extensions["portal_store"]
    opwijk = signed_in_client(app, smtp, OPWIJK_INBOX)
    own, not_competent = sent[OPWIJK_INBOX]
    page = opwijk.get(f"/office/{own}").get_data(as_text=True)
    assert 'value="forwarded"' not in page                   # only a not-competent one is forwarded
    for status in ("in_progress", "done"):
        assert opwijk.post(f"/office/{own}/status", data={"status": status, "csrf_token": csrf(page)}).status_code == 303
    assert store.get_submission(own).status == "done"
    assert [(c["status"], c["inbox"]) for c in store.status_history(own)] == [("in_progress", OPWIJK_INBOX), ("done", OPWIJK_INBOX)]
    # "Done" again (a second click, a repeated POST): nothing more in the history, so the
    # retention, counted from the last "done", does not start again.
    for _ in range(3):
        assert opwijk.post(f"/office/{own}/status", data={"status": "done", "csrf_token": csrf(page)}).status_code == 303
    assert len(store.status_history(own)) == 2
    assert "afgehandeld" in opwijk.get("/office/").get_data(as_text=True)

    page = opwijk.get(f"/office/{not_competent}").get_data(as_text=True)
    assert 'value="forwarded"' in page and "binnen 5 kalenderdagen" in page
    assert opwijk.post(f"/office/{not_competent}/status", data={"status": "forwarded", "forwarded_to": "OCMW Gent",
                                                                  "csrf_token": csrf(page)}).status_code == 303
    assert store.status_history(not_competent)[-1]["note"] == "OCMW Gent"
    for note in ("OCMW Gent", "OCMW Gent", "OCMW Aalst"):               # the same again, then corrected
        opwijk.post(f"/office/{not_competent}/status", data={"status": "forwarded", "forwarded_to": note,
                                                              "csrf_token": csrf(page)})
    assert [c["note"] for c in store.status_history(not_competent)] == ["OCMW Gent", "OCMW Aalst"]
    assert "doorgestuurd naar OCMW Aalst" in opwijk.get(f"/office/{not_competent}").get_data(as_text=True)
    # Another inbox cannot change it, nor can a status that does not exist.
    gillis = signed_in_client(app, smtp, GILLIS_INBOX)
    token = csrf(gillis.get("/office/").get_data(as_text=True))
    assert gillis.post(f"/office/{own}/status", data={"status": "in_progress", "csrf_token": token}).status_code == 404
    assert opwijk.post(f"/office/{own}/status", data={"status": "purged", "csrf_token": csrf(page)}).status_code == 400
    assert store.get_submission(own).status == "done"


def test_the_list_is_paged(app, smtp, monkeypatch):
    import portal.web.office

    monkeypatch.setattr(portal.web.office, "PAGE_SIZE", 1)
    sent = send_applications(app)
    opwijk = signed_in_client(app, smtp, OPWIJK_INBOX)
    first = opwijk.get("/office/").get_data(as_text=True)
    second = opwijk.get("/office/?page=2").get_data(as_text=True)
    assert references(first) == [sent[OPWIJK_INBOX][1]] and references(second) == [sent[OPWIJK_INBOX][0]]
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert opwijk.get("/office/?page=99999999999999999999").status_code == 200        # no 500 from the database


def test_portal_staff_link_prints_a_working_link_and_refuses_a_stranger(app, smtp, monkeypatch, database_url, tmp_path):
    from click.testing import CliRunner

    from portal.cli import main

    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://e-loket.example")
    runner = CliRunner()
    result = runner.invoke(main, ["staff-link", "opwijk", WIJK_INBOX])
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith("https://e-loket.example/office/auth/")
    client = app.test_client()
    assert follow(client, link).status_code == 303
    assert "Aangemeld als wijkwerken@opwijk.example" in client.get("/office/").get_data(as_text=True)
    stranger = runner.invoke(main, ["staff-link", "opwijk", "someone@opwijk.example"])
    assert stranger.exit_code == 1 and "is not an inbox of opwijk" in stranger.output
    # Run without the server's environment: no link into a new, empty database that nobody reads.
    nowhere = tmp_path / "elsewhere.sqlite3"
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{nowhere}")
    lost = runner.invoke(main, ["staff-link", "opwijk", WIJK_INBOX])
    assert lost.exit_code == 1 and "/office/auth/" not in lost.output and not nowhere.exists()


def test_applications_left_in_a_changed_inbox_address_are_flagged_and_moved_by_portal_move_inbox(
        app, smtp, make_app, database_url, scratch_project, monkeypatch):
    """site_config gives Opwijk's support inbox a new address: staff of the new one see nothing
    until `portal move-inbox`, and /healthz and `portal outbox` say that applications wait unread."""
    from click.testing import CliRunner

    from portal.cli import main

    sent = send_applications(app)
    store = app.extensions["portal_store"]
    purged = submit_support(app)                    # a third one, erased already: it moves too (the list shows it)
    store.erase_submissions([store.get_submission(purged).id], now=dt.datetime.now(dt.timezone.utc))
    new_inbox = "sociaal@opwijk.example"
    config = scratch_project / "site_config" / "opwijk.yml"
    config.write_text(config.read_text().replace(f"support-application: {OPWIJK_INBOX}", f"support-application: {new_inbox}"))
    changed = make_app(SECRET_KEY=SECRET, DATABASE_URL=database_url, SMTP_URL=smtp.url, PUBLIC_URL="https://e-loket.example")
    ask_link(changed.test_client(), smtp, OPWIJK_INBOX, expect_mail=False)     # the old address is no inbox now
    staff = signed_in_client(changed, smtp, new_inbox)
    assert references(staff.get("/office/").get_data(as_text=True)) == []
    assert changed.test_client().get("/healthz").get_json()["alerts"]["stranded_applications"] == 2

    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    runner = CliRunner()
    outbox = runner.invoke(main, ["outbox"]).output
    assert (f"ALERT: 2 applications of opwijk wait in {OPWIJK_INBOX}, which is no longer an inbox" in outbox
            and f"portal move-inbox {OPWIJK_INBOX} {new_inbox}" in outbox), outbox
    refused = runner.invoke(main, ["move-inbox", OPWIJK_INBOX, "someone@opwijk.example"])
    assert refused.exit_code == 1 and "is in no municipality's inboxes" in refused.output
    wrong = runner.invoke(main, ["move-inbox", OPWIJK_INBOX, WIJK_INBOX]).output       # an inbox, not this form's
    assert f"stay: 3 applications of opwijk (support-application): opwijk sends that form to {new_inbox}" in wrong
    dry = runner.invoke(main, ["move-inbox", OPWIJK_INBOX, new_inbox, "--dry-run"]).output
    assert "would move: 3 applications of opwijk (support-application)" in dry
    assert references(staff.get("/office/").get_data(as_text=True)) == []

    moved = runner.invoke(main, ["move-inbox", OPWIJK_INBOX.upper(), new_inbox])
    assert moved.exit_code == 0 and "moved: 3 applications of opwijk (support-application)" in moved.output
    assert sorted(references(staff.get("/office/").get_data(as_text=True))) == sorted(sent[OPWIJK_INBOX] + [purged])
    assert staff.get(f"/office/{sent[WIJK_INBOX][0]}").status_code == 404             # nothing else came along
    assert changed.test_client().get("/healthz").get_json()["alerts"]["stranded_applications"] == 0
    assert "ALERT" not in runner.invoke(main, ["outbox"]).output
    assert "no application waits in" in runner.invoke(main, ["move-inbox", OPWIJK_INBOX, new_inbox]).output


# --- the office e-mail under `delivery: secure` ---------------------------------------------------

def test_the_secure_office_mail_carries_the_reference_and_no_answer(app, smtp):
    """Opwijk's support inbox is `delivery: secure`: sent through the form, delivered by the worker
    to a real SMTP server, its office mail names the reference, form, kind of help, dates and the
    link, and none of the citizen's answers in any form; the confirmation is as before."""
    from portal.delivery.transport import SmtpTransport
    from portal.delivery.worker import deliver_due

    answers = support_answers(
        help_type="energy", first_name="Wendelinde", last_name="Oosterzeelaar", birth_date="1985-07-30",
        national_number="85.07.30-033.28", street="Zonnebloemdreef", house_number="517", city="Mazenzele",
        phone="0470 98 76 54", email="wendelinde@mail.example", message="Mijn kraan lekt sinds Pasen.")
    client = app.test_client()
    with app.test_request_context():
        response = submit(client, OPWIJK, answers)
        assert response.status_code == 303
        reference = stored_reference(response)
    store = app.extensions["portal_store"]
    while deliver_due(store, SmtpTransport.from_url(smtp.url))["claimed"]:
        pass
    mails = {m.rcpt_tos[0]: m for m in smtp.wait_for(2)}
    office, confirmation = mails[OPWIJK_INBOX], mails["wendelinde@mail.example"]

    text = office.message.get_body(("plain",)).get_content()
    html = office.message.get_body(("html",)).get_content()
    # The raw message less its random tokens (Message-ID, MIME boundaries), which may hold "517" by chance.
    raw = re.sub(r"(?im)^message-id:.*$|={15}\d+==", "", office.raw.decode("utf-8", "replace"))
    for body in (text, html):
        assert reference in body and "Hulpaanvraag" in body and "Energie" in body          # form, kind of help
        assert "Ontvangen op" in body and "Beslissen uiterlijk op" in body
        assert "uw OCMW is bevoegd" in body.lower() or "Uw OCMW is bevoegd" in body
        assert f"https://e-loket.example/office/{reference}" in body
    printed = ("Wendelinde", "Oosterzeelaar", "30 juli 1985", "30/07/1985", "1985-07-30", "85.07.30-033.28",
               "85073003328", "Zonnebloemdreef", "517", "Mazenzele", "1745", "0470 98 76 54", "0470987654",
               "wendelinde@mail.example", "wendelinde", "kraan", "Pasen", "Voornaam", "Rijksregisternummer")
    for value in printed:
        for where, body in (("text", text), ("html", html), ("raw message", raw)):
            assert value.lower() not in body.lower(), f"{value!r} in the secure office mail's {where}"
    assert office.message["Reply-To"] is None
    assert reference in office.message["Subject"]
    # The citizen's confirmation as before: the acknowledgement, the first name, no other answer.
    confirmation_text = confirmation.message.get_body(("plain",)).get_content()
    assert reference in confirmation_text and "Wendelinde" not in confirmation_text   # a fixed greeting
    assert "85.07.30-033.28" not in confirmation_text and "Oosterzeelaar" not in confirmation_text
