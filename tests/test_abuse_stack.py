"""Abuse and mistakes against the real stack (issue 14): the shipped nginx (deploy/render.py) in front
of gunicorn with several workers in production mode, a real SMTP server, `portal worker --once`.

- The final send replayed 5 times (back + resend, double click, replay): one application, one
  office mail, one confirmation; every answer is the same receipt.
- 100 POSTs from one address over 5 sites and 2 forms within a minute: at most
  PORTAL_RATELIMIT_ADDRESS's per-minute number stored, counted across the workers (in the database).
- 10 applications naming the same confirmation address: every office mail, at most
  PORTAL_CONFIRMATIONS_PER_RECIPIENT confirmations.
- nginx: an unknown host gets nothing, /healthz only for the monitoring addresses, one CSP header.
No 5xx anywhere.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from portal.municipal.config import load_municipality
from tests.conftest import ROOT, copy_project
from tests.smtp_server import SmtpServer
from tests.test_deploy_nginx import (
    BIN,
    NGINX,
    SECRET,
    WSGI_APP,
    Client,
    free_port,
    hidden,
    load_render,
    stop,
    wait_for_port,
    write_nginx_conf,
)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not NGINX.exists(), reason="Debian's nginx is not installed (`make system-deps`)")]

SLUGS = ("opwijk", "sint-gillis", "antwerpen", "turnhout", "merchtem")
PER_MINUTE = 10          # the default PORTAL_RATELIMIT_ADDRESS: "10 per minute;60 per day"
CONFIRMATIONS = 3        # the default PORTAL_CONFIRMATIONS_PER_RECIPIENT


def add_fifth_municipality(project: Path) -> None:
    """A fifth site: Opwijk's configuration under another name, postcode and inboxes."""
    text = (project / "site_config" / "opwijk.yml").read_text(encoding="utf-8")
    text = text.replace("opwijk", "merchtem").replace("Opwijk", "Merchtem").replace("1745", "1785")
    (project / "site_config" / "merchtem.yml").write_text(text, encoding="utf-8")
    shutil.copytree(project / "site_config" / "opwijk", project / "site_config" / "merchtem")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("abuse")
    (tmp / "project").mkdir()
    project = copy_project(tmp / "project")
    add_fifth_municipality(project)
    site_dir = tmp / "site"          # the forms need no built site
    site_dir.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=portal.test",
                    "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")], check=True, capture_output=True)
    smtp = SmtpServer(tmp / "smtp").start()
    backend_port, https_port, http_port = free_port(), free_port(), free_port()
    database = tmp / "portal.sqlite3"
    env = dict(os.environ, PORTAL_ENV="production", PORTAL_SECRET_KEY=SECRET, PORTAL_ROOT=str(project),
               PORTAL_PUBLIC_URL="https://portal.test",
               PORTAL_DATABASE_URL=f"sqlite:///{database}", PORTAL_SMTP_URL=smtp.url,
               PORTAL_MAIL_FROM="noreply@portal.example", PORTAL_PROXY_FIX="1", PORTAL_SITE_DIR=str(site_dir),
               PORTAL_FORM_MIN_FILL_SECONDS="0", NO_MKDOCS_2_WARNING="1")
    for name in ("PORTAL_RATELIMIT_ADDRESS", "PORTAL_CONFIRMATIONS_PER_RECIPIENT", "PORTAL_RATELIMIT_FORM"):
        env.pop(name, None)        # the defaults are what is tested
    log = tmp / "gunicorn.log"
    with log.open("w") as out:
        gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{backend_port}", "--workers", "3",
             "--forwarded-allow-ips", "127.0.0.1", "--error-logfile", "-", WSGI_APP],
            cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT)
    domains = {slug: f"www.{slug}.example" for slug in SLUGS}
    municipalities = [load_municipality(slug, project) for slug in SLUGS]
    (tmp / "acme").mkdir()
    rendered = load_render().render(
        municipalities, domains=domains, BACKEND=f"127.0.0.1:{backend_port}", SITE_ROOT=site_dir,
        LOG_DIR=tmp / "logs", LISTEN=f"127.0.0.1:{https_port}", HTTP_LISTEN=f"127.0.0.1:{http_port}",
        ACME_ROOT=tmp / "acme", CERT=tmp / "cert.pem", CERT_KEY=tmp / "key.pem", MONITORING="127.0.0.1",
        PROXY_SNIPPET=ROOT / "deploy" / "nginx" / "proxy.conf")
    (tmp / "portal.conf").write_text(rendered, encoding="utf-8")
    write_nginx_conf(tmp)
    with (tmp / "nginx.log").open("w") as out:
        nginx = subprocess.Popen([str(NGINX), "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "logs" / "error.log")],
                                 stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(backend_port, gunicorn, log)
        wait_for_port(https_port, nginx, tmp / "logs" / "error.log")
        yield {"tmp": tmp, "env": env, "smtp": smtp, "https": https_port, "http": http_port, "db": database,
               "domains": domains, "gunicorn_log": log}
    finally:
        stop(nginx, signal.SIGQUIT)
        stop(gunicorn)
        smtp.stop()


def rows(stack, sql: str, params=()) -> list:
    conn = sqlite3.connect(stack["db"])
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def answers_for(form_id: str, *, email: str, last_name: str) -> dict:
    if form_id == "wijk-werken":
        return {"request_type": "user", "requester_kind": "private", "organisation_name": "", "first_name": "Jan",
                "last_name": last_name, "street": "Kerkstraat", "house_number": "3", "postcode": "1745",
                "city": "Opwijk", "phone": "", "email": email, "job_description": "De haag snoeien.",
                "message": "", "declaration": "y", "website": ""}
    return {"help_type": "energy", "first_name": "Griet", "last_name": last_name, "birth_date": "1980-04-12",
            "street": "Kerkstraat", "house_number": "3", "postcode": "1745", "city": "Opwijk", "phone": "",
            "email": email, "contact_preference": "email", "message": "Te hoge factuur.", "declaration": "y", "website": ""}


def open_form(client: Client, path: str) -> dict:
    response, page = client.request("GET", path)
    assert response.status == 200, page[:500]
    return {"csrf_token": hidden(page, "csrf_token"), "form_started": hidden(page, "form_started")}


def referer(client: Client, path: str) -> dict:
    return {"Referer": f"https://{client.host}{path}"}


def run_worker(stack) -> None:
    worker = subprocess.run([str(BIN / "portal"), "worker", "--once"], env=stack["env"], cwd=stack["tmp"],
                            capture_output=True, text=True, timeout=120)
    assert worker.returncode == 0, worker.stdout + worker.stderr


def test_the_final_send_replayed_five_times_is_one_application_and_one_office_mail(stack):
    client = Client(stack["https"], stack["domains"]["opwijk"], source="127.0.0.2")
    path = "/forms/opwijk/nl/support-application/"
    data = {**open_form(client, path), **answers_for("support-application", email="replay@mail.example",
                                                      last_name="Replaytest"), "step": "check"}
    response, check_page = client.request("POST", path, data, referer(client, path))
    assert response.status == 200 and 'name="check_answers"' in check_page, check_page[:1000]
    send = {"csrf_token": hidden(check_page, "csrf_token"), "form_started": hidden(check_page, "form_started"),
            "check_answers": hidden(check_page, "check_answers"), "send": "1"}
    locations = []
    for _ in range(5):        # send, then back + send again, a double click, a replay...
        response, body = client.request("POST", path, send, referer(client, path))
        assert response.status == 303, body[:1000]
        locations.append(response.headers["Location"])
    references = set()
    for location in locations:
        response, page = client.request("GET", location.split(stack["domains"]["opwijk"], 1)[-1])
        assert response.status == 200
        references.add(re.search(r"OPW-\d{4}-[0-9A-Z]{5}", page).group(0))
    assert len(references) == 1, "every send again shows the first receipt"
    stored = rows(stack, "SELECT reference FROM submissions WHERE answers LIKE '%Replaytest%'")
    assert [r[0] for r in stored] == list(references)
    outbox = rows(stack, "SELECT kind FROM outbox o JOIN submissions s ON s.id = o.submission_id"
                         " WHERE s.answers LIKE '%Replaytest%' ORDER BY kind")
    assert [r[0] for r in outbox] == ["confirmation", "office"]
    # Replayed from another browser (another session): refused, nothing stored.
    stranger = Client(stack["https"], stack["domains"]["opwijk"], source="127.0.0.3")
    theirs = open_form(stranger, path)
    response, body = stranger.request("POST", path, {**send, "csrf_token": theirs["csrf_token"]}, referer(stranger, path))
    assert response.status == 400 and len(rows(stack, "SELECT id FROM submissions WHERE answers LIKE '%Replaytest%'")) == 1

    run_worker(stack)
    mails = [m for m in stack["smtp"].wait_for(2) if references & {m.message["X-Portal-Reference"]}]
    assert sorted(r for m in mails for r in m.rcpt_tos) == ["replay@mail.example", "welzijn@opwijk.example"]


def test_100_posts_from_one_address_over_5_sites_and_2_forms_store_at_most_the_limit(stack):
    targets = [(slug, form_id) for slug in SLUGS for form_id in ("support-application", "wijk-werken")]
    clients = {slug: Client(stack["https"], stack["domains"][slug], source="127.0.0.4") for slug in SLUGS}
    before = rows(stack, "SELECT COUNT(*) FROM submissions")[0][0]
    codes: dict[int, int] = {}
    started = time.monotonic()
    for n in range(100):
        slug, form_id = targets[n % len(targets)]
        client = clients[slug]
        lang = "fr" if slug == "sint-gillis" else "nl"
        path = f"/forms/{slug}/{lang}/{form_id}/"
        response, page = client.request("GET", path)
        if response.status == 404:           # a site that does not offer this form: a POST anyway
            data = {}
        else:
            assert response.status == 200, page[:300]
            data = {"csrf_token": hidden(page, "csrf_token"), "form_started": hidden(page, "form_started")}
        data.update(answers_for(form_id, email=f"flood{n}@mail.example", last_name=f"Flood{n}"))
        response, body = client.request("POST", path, data, referer(client, path))
        codes[response.status] = codes.get(response.status, 0) + 1
    assert time.monotonic() - started < 60, "the 100 POSTs must fall within one minute"
    stored = rows(stack, "SELECT COUNT(*) FROM submissions")[0][0] - before
    assert 1 <= stored <= PER_MINUTE, (stored, codes)
    assert not [code for code in codes if code >= 500], codes
    assert codes.get(429, 0) >= 100 - PER_MINUTE - codes.get(404, 0), codes


def test_ten_applications_to_one_confirmation_address_mail_every_office_and_three_confirmations(stack):
    path = "/forms/opwijk/nl/support-application/"
    sent_before = len(stack["smtp"].messages())
    references = []
    for n in range(10):       # ten people (ten addresses), one third-party confirmation address
        client = Client(stack["https"], stack["domains"]["opwijk"], source=f"127.0.1.{n + 1}")
        data = {**open_form(client, path), **answers_for("support-application", email="victim@mail.example",
                                                          last_name=f"Cannon{n}")}
        response, body = client.request("POST", path, data, referer(client, path))
        assert response.status == 303, body[:1000]
        response, page = client.request("GET", response.headers["Location"].split(client.host, 1)[-1])
        references.append(re.search(r"OPW-\d{4}-[0-9A-Z]{5}", page).group(0))
    run_worker(stack)
    mails = [m for m in stack["smtp"].wait_for(sent_before + 10 + CONFIRMATIONS)
             if m.message["X-Portal-Reference"] in references]
    offices = [m for m in mails if "welzijn@opwijk.example" in m.rcpt_tos]
    confirmations = [m for m in mails if "victim@mail.example" in m.rcpt_tos]
    assert len(offices) == 10 and len(confirmations) == CONFIRMATIONS
    # Counted without the address in clear.
    assert not rows(stack, "SELECT 1 FROM rate_events WHERE subject LIKE '%victim%' OR subject LIKE '%127.0.%'")


def test_nginx_refuses_unknown_hosts_keeps_healthz_for_monitoring_and_sends_one_csp(stack):
    connection = http.client.HTTPConnection("127.0.0.1", stack["http"], timeout=10)
    connection.request("GET", "/", headers={"Host": "evil.example"})
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        connection.getresponse()       # 444: closed without an answer
    connection.close()
    stranger = Client(stack["https"], "evil.example")
    with pytest.raises(OSError):       # ssl.SSLError: no certificate for a name we do not serve
        stranger.request("GET", "/")

    monitoring = Client(stack["https"], stack["domains"]["opwijk"])
    response, body = monitoring.request("GET", "/healthz")
    assert response.status == 200 and '"database"' in body
    assert len(response.headers.get_all("Content-Security-Policy")) == 1
    outsider = Client(stack["https"], stack["domains"]["opwijk"], source="127.0.0.9")
    response, body = outsider.request("GET", "/healthz")
    assert response.status == 403 and "outbox" not in body

    # The access log: receipts and staff pages as constants, never a token.
    client = Client(stack["https"], stack["domains"]["opwijk"], source="127.0.0.5")
    client.request("GET", "/forms/opwijk/nl/support-application/received/SECRET-TOKEN-123?x=1")
    client.request("GET", "/office/auth/STAFF-TOKEN-456")
    client.request("GET", "/leefloon/?naam=Geheim")
    time.sleep(0.5)
    log = (stack["tmp"] / "logs" / "opwijk.access.log").read_text()
    assert "SECRET-TOKEN-123" not in log and "STAFF-TOKEN-456" not in log and "Geheim" not in log
    assert "/forms/-/received/-" in log and "/office/-" in log
