"""A canary applicant (a name, e-mail address, national number, phone number, street and client
IP address found nowhere else) goes through everything the backend does with personal data: the form and its
refusals (invalid, CSRF, honeypot, rate limit, tampered check page, a database that cannot write),
gunicorn with its access log, delivery with SMTP failures (451, 550, a dropped connection, the
server down, an exception quoting the recipient), `portal outbox` and its retry, `portal worker`,
/healthz and `portal purge` with the clock past the retention period.

Then: the canary is in no log record (every logger, DEBUG and up), in no gunicorn log line, in no
error column of the outbox, in no command output; and after the purge not in the bytes of the
database file, its write-ahead log or its shared memory file (in any encoding a mail body uses).
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import logging
import quopri
import re
import types
import urllib.parse
from pathlib import Path

from click.testing import CliRunner

from portal.cli import main
from portal.delivery.transport import SmtpTransport
from portal.delivery.worker import RetryPolicy, deliver_due
from portal.store import open_store
from tests.hardening import FORM_URL, confirmed, hidden_value, make_app, old_stamp, post_and_confirm, valid_application
from tests.smtp_server import SmtpServer
from tests.test_durability import Gunicorn

FIRST, LAST = "Zebulonia", "Quaxtrombel"
EMAIL = "zebulonia.quaxtrombel@canary.example"
PHONE = "0471 31 41 59"
STREET = "Vrolijkeknorrenstraat"
MESSAGE = "Mijn hond heet Xylofoonkwartel."
BIRTH = "1980-04-12"
WIJK_URL = "/forms/opwijk/nl/wijk-werken/"


def national_number(birth: str = BIRTH, serial: int = 273) -> str:
    """A valid Belgian national number (born before 2000) for `birth`: YY.MM.DD-SSS.CC."""
    base = int(birth[2:4] + birth[5:7] + birth[8:10] + f"{serial:03d}")
    check = 97 - base % 97
    digits = f"{base:09d}{check:02d}"
    return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}-{digits[6:9]}.{digits[9:]}"


NATIONAL = national_number()
ADDRESS = "198.51.100.77"        # the client's IP address is personal data too
# Each canary as typed, and as code further on might reshape it.
CANARIES = [FIRST, LAST, EMAIL, EMAIL.split("@")[0], PHONE, "471314159", "0471314159", STREET,
            "Xylofoonkwartel", NATIONAL, NATIONAL.replace(".", "").replace("-", ""), ADDRESS]


def canary_answers(**overrides) -> dict:
    return valid_application(first_name=FIRST, last_name=LAST, email=EMAIL, phone=PHONE, street=STREET,
                             house_number="77", birth_date=BIRTH, national_number=NATIONAL, message=MESSAGE,
                             **overrides)


def wijk_canary() -> dict:
    return {"request_type": "user", "requester_kind": "private", "organisation_name": "", "first_name": FIRST,
            "last_name": LAST, "street": STREET, "house_number": "77", "postcode": "1745", "city": "Opwijk",
            "phone": PHONE, "email": EMAIL, "job_description": MESSAGE, "message": "", "declaration": "y", "website": ""}


def forms_of(text: str) -> list[str]:
    """`text` and the ways a log line might quote it: URL-encoded, JSON-escaped, lower case."""
    return [text, urllib.parse.quote_plus(text), urllib.parse.quote(text), json.dumps(text)[1:-1], text.lower()]


def assert_no_canary(where: str, text: str) -> None:
    found = [canary for canary in CANARIES for form in forms_of(canary) if form.lower() in text.lower()]
    assert not found, f"{where} holds personal data: {sorted(set(found))}"


def byte_forms(text: str) -> list[bytes]:
    """The canary's bytes as a database file could hold them: plain UTF-8, quoted-printable, and
    base64 at each of the three alignments (a mail body part may be in either)."""
    raw = text.encode()
    forms = [raw, quopri.encodestring(raw).rstrip(b"=\n")]
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        forms.append(encoded[4 if shift else 0:-4])     # the part that depends on the canary only
    return [form for form in forms if len(form) >= 6]


def database_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


def canaries_in(data: bytes) -> list[str]:
    return sorted({canary for canary in CANARIES for form in byte_forms(canary) if form in data})


# --- the journey --------------------------------------------------------------------------------

def through_the_forms(app, caplog) -> list:
    """Every way the form handles the canary's answers; the responses that stored one."""
    client = app.test_client()
    stored = []
    # Invalid (postcode), then valid through the check page, and a direct POST; the receipt.
    assert client.post(FORM_URL, data=canary_answers(postcode="17")).status_code == 200
    checked = client.post(FORM_URL, data={**canary_answers(), "step": "check"})
    assert checked.status_code == 200 and hidden_value(checked.get_data(as_text=True), "check_answers")
    stored.append(confirmed(client, checked))
    stored.append(client.post(WIJK_URL, data=wijk_canary()))
    for response in stored:
        assert response.status_code == 303
        assert client.get(response.headers["Location"]).status_code == 200
    # A tampered check page.
    tampered = client.post(FORM_URL, data={"check_answers": "x" + hidden_value(checked.get_data(as_text=True),
                                                                                "check_answers"), "send": "1"})
    assert tampered.status_code == 400
    # A database that cannot write: 503 with the answers kept.
    conn = app.extensions["portal_store"]._connection()
    conn.execute("PRAGMA query_only = 1")
    assert post_and_confirm(client, FORM_URL, canary_answers()).status_code == 503
    conn.execute("PRAGMA query_only = 0")
    return stored


def through_the_refusals(tmp_path) -> None:
    """CSRF, honeypot, too fast and the rate limit, each on its own app (same database)."""
    csrf = make_app(tmp_path, WTF_CSRF_ENABLED=True).test_client()
    assert csrf.post(FORM_URL, data=canary_answers()).status_code == 400
    robot = make_app(tmp_path, FORM_MIN_FILL_SECONDS=5).test_client()
    assert robot.post(FORM_URL, data=canary_answers(website=EMAIL, form_started=old_stamp())).status_code == 200
    assert robot.post(FORM_URL, data=canary_answers(form_started=old_stamp(age=1))).status_code == 200
    limited = make_app(tmp_path, RATELIMIT_FORM="1 per minute").test_client()
    codes = [limited.post(FORM_URL, data=canary_answers(postcode="17"), environ_base={"REMOTE_ADDR": ADDRESS}).status_code
             for _ in range(2)]
    assert codes == [200, 429]


def through_gunicorn(tmp_path, db: Path) -> str:
    """One canary application through gunicorn (access log and debug log on); its whole log."""
    server = Gunicorn(f"sqlite:///{db}", workers=1, tmp=tmp_path)
    server.command[-1:-1] = ["--access-logfile", "-", "--error-logfile", "-", "--log-level", "debug"]
    server.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        body = urllib.parse.urlencode(canary_answers()).encode()
        conn.request("POST", FORM_URL, body, {"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        assert response.status == 303
        conn.request("GET", response.getheader("Location"))
        receipt = conn.getresponse()
        receipt.read()
        assert receipt.status == 200
        conn.request("GET", "/healthz")
        health = conn.getresponse().read().decode()
        conn.close()
    finally:
        server.stop()
    log = server.log.read_text()
    assert "POST /forms/opwijk/nl/support-application/" in log, "the access log was not written"
    return log + health


class QuotingTransport:
    """A transport whose error quotes the recipient, as some libraries' errors do."""

    def send(self, sender, recipient, raw):
        raise RuntimeError(f"cannot deliver to {recipient}")


def through_delivery(store, smtp: SmtpServer, monkeypatch) -> tuple[list, list]:
    """Every kind of delivery failure, then `portal outbox` / `--retry` / `portal worker --once`.
    Returns (every error column value seen, every command output)."""
    errors, outputs = [], []
    quick = RetryPolicy(first_delay=0, max_delay=0)

    def note_errors():
        errors.extend(row[0] for row in store._read("SELECT last_error FROM outbox WHERE last_error IS NOT NULL"))

    deliver_due(store, QuotingTransport(), policy=quick, limit=50)
    note_errors()
    transport = SmtpTransport.from_url(smtp.url)
    smtp.reply(all_rcpt=451)
    deliver_due(store, transport, policy=quick, limit=50)
    note_errors()
    smtp.reply(data=451)
    deliver_due(store, transport, policy=quick, limit=50)
    note_errors()
    smtp.stop()
    deliver_due(store, transport, policy=quick, limit=50)
    note_errors()
    smtp.start()
    smtp.reply(rcpt={EMAIL: 550}, drop_first=1)          # the citizen's address refused for good
    while deliver_due(store, transport, policy=quick, limit=50)["claimed"]:
        pass
    note_errors()
    assert store.outbox_counts()["failed"] == 3          # the three confirmations

    monkeypatch.setenv("PORTAL_DATABASE_URL", store.url)
    monkeypatch.setenv("PORTAL_SMTP_URL", smtp.url)
    runner = CliRunner()
    listed = runner.invoke(main, ["outbox"])
    assert listed.exit_code == 0 and "3 failed" in listed.output, listed.output
    outputs.append(listed.output)
    smtp.reply()                                          # the operator fixed it
    retry = ["outbox"] + [arg for row in store.list_outbox(("failed",)) for arg in ("--retry", str(row["id"]))]
    requeued = runner.invoke(main, retry)
    assert requeued.exit_code == 0, requeued.output
    outputs.append(requeued.output)
    worker = runner.invoke(main, ["worker", "--once"])
    assert worker.exit_code == 0 and "3 sent" in worker.output, worker.output
    outputs.append(worker.output)
    assert store.outbox_counts() == {"pending": 0, "failed": 0, "sent": 6}
    return errors, outputs


def through_the_staff_inbox(app, store, monkeypatch) -> list[str]:
    """Staff of Opwijk's inbox sign in (`portal staff-link`), read every application (detail and
    print view, with every answer), and mark them done."""
    monkeypatch.setenv("PORTAL_DATABASE_URL", store.url)
    link = CliRunner().invoke(main, ["staff-link", "opwijk", "welzijn@opwijk.example"])
    assert link.exit_code == 0, link.output
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"     # the production session cookie is Secure
    path = urllib.parse.urlparse(link.output.strip()).path
    assert client.post(path, base_url="https://localhost").status_code == 303
    listing = client.get("/office/", base_url="https://localhost").get_data(as_text=True)
    references = sorted(set(re.findall(r"OPW-\d{4}-[A-Z0-9]{5}", listing)))
    assert len(references) == 2, listing                  # the wijk-werken one went to its own inbox
    for reference in references:
        page = client.get(f"/office/{reference}", base_url="https://localhost").get_data(as_text=True)
        assert LAST in page and "Xylofoonkwartel" in page          # every answer is there, on the server
        assert client.get(f"/office/{reference}/print", base_url="https://localhost").status_code == 200
        assert client.post(f"/office/{reference}/status", data={"status": "done"},
                           base_url="https://localhost").status_code == 303
    assert len(store.access_log()) == 4
    return [link.output, listing]


def bounced_confirmation(app, tmp_path) -> str:
    """One more canary application whose confirmation the mail server refuses for good."""
    client = app.test_client()
    checked = client.post(FORM_URL, data={**canary_answers(), "step": "check"})
    reference = confirmed(client, checked).headers["Location"]
    store = app.extensions["portal_store"]
    with SmtpServer(tmp_path / "smtp-bounce") as smtp:
        smtp.reply(rcpt={EMAIL: 550})
        while deliver_due(store, SmtpTransport.from_url(smtp.url), limit=50)["claimed"]:
            pass
    failed = store.list_outbox(("failed",))
    assert [row["kind"] for row in failed] == ["confirmation"]
    assert reference                                      # a receipt: it was stored
    return failed[0]["reference"]


def test_the_canary_is_in_no_log_error_or_output_and_gone_from_the_database_after_purge(
        tmp_path, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)                       # the root logger: every record of every logger
    db = tmp_path / "portal.sqlite3"
    app = make_app(tmp_path, RATELIMIT_ENABLED=False)
    stored = through_the_forms(app, caplog)
    through_the_refusals(tmp_path)
    gunicorn_log = through_gunicorn(tmp_path, db)
    store = open_store(f"sqlite:///{db}")
    assert store.count_submissions() == 3

    with SmtpServer(tmp_path / "smtp") as smtp:
        errors, outputs = through_delivery(store, smtp, monkeypatch)
        received = smtp.messages()
    # Delivered (no mail carries a canary value to check that by: Opwijk's office mails are secure,
    # and confirmations repeat nothing the citizen typed): every stored application's office mail.
    delivered = {str(m.message["X-Portal-Reference"]) for m in received}
    assert len(delivered) == 3 and all(ref.startswith("OPW-") for ref in delivered), "the mails were not delivered"
    # Opwijk's delivery is secure: its office mails carry the reference and no answer at all.
    office_mails = [m for m in received if m.rcpt_tos[0].endswith("@opwijk.example")]
    assert office_mails
    for mail in office_mails:
        assert_no_canary("a secure office mail", mail.raw.decode("utf-8", "replace"))
        assert_no_canary("a secure office mail", mail.message.get_body(("plain",)).get_content())
    outputs.extend(through_the_staff_inbox(app, store, monkeypatch))
    bounced = bounced_confirmation(app, tmp_path)
    health = app.test_client().get("/healthz").get_data(as_text=True)

    # Purge, with the clock a day past Opwijk's hard maximum: every application goes, the one whose
    # confirmation bounced (and is still listed as failed) too.
    retention = app.extensions["portal_municipalities"]["opwijk"].retention_max_days
    before = database_bytes(db)
    assert canaries_in(before), "the canary is not in the database before the purge: the check below means nothing"

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime.now(tz) + dt.timedelta(days=retention + 1)

    import portal.store.retention

    monkeypatch.setattr(portal.store.retention, "dt", types.SimpleNamespace(
        datetime=Later, timedelta=dt.timedelta, timezone=dt.timezone))
    app.extensions["portal_store"].close()                # no idle connection of ours holds the WAL
    store.close()
    purged = CliRunner().invoke(main, ["purge"])
    assert purged.exit_code == 0 and "4 submissions erased" in purged.output, purged.output
    assert store.get_submission(bounced).answers is None
    outputs.append(purged.output)

    # Nowhere in what the system said or logged ...
    records = [record for record in caplog.records]
    assert len(records) > 20, "the logs were not captured"
    for record in records:
        text = record.getMessage() + " " + repr(record.args) + " " + (record.exc_text or "")
        if record.exc_info:
            text += " " + logging.Formatter().formatException(record.exc_info)
        assert_no_canary(f"log record {record.name}:{record.levelname} {record.getMessage()!r}", text)
    assert_no_canary("caplog", caplog.text)
    assert_no_canary("gunicorn's log", gunicorn_log)
    for value in errors:
        assert_no_canary(f"outbox.last_error {value!r}", value)
    assert any("unexpected RuntimeError" in value for value in errors)
    assert any(value.startswith("SMTP 550") for value in errors) and any(value.startswith("SMTP 451") for value in errors)
    for output in outputs:
        assert_no_canary("command output", output)
    assert_no_canary("/healthz", health)
    for response in stored:
        assert_no_canary("the receipt URL", response.headers["Location"])
    # ... and, after the purge, nowhere in the database files.
    assert canaries_in(database_bytes(db)) == []
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
