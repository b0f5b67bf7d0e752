"""The shipped deployment, for real: Debian's nginx with deploy/nginx/ (rendered by deploy/render.py
with loopback ports and temporary paths, nothing edited by hand) in front of gunicorn running
`portal.web:create_app()` in production mode, a built site, a real SMTP server, `portal worker --once`.

A citizen's support application goes through nginx end to end: static page 200, form 200,
POST 200 (check your answers), send 303, receipt 200, mail delivered.
"""

from __future__ import annotations

import html
import http.client
import importlib.util
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from portal.municipal.config import load_municipality
from tests.conftest import ROOT
from tests.smtp_server import SmtpServer

NGINX = Path("/usr/sbin/nginx")
BIN = Path(sys.executable).parent
SLUGS = ("opwijk", "sint-gillis")
DOMAINS = {"opwijk": "www.opwijk.example", "sint-gillis": "www.sint-gillis.example"}
SECRET = "deploy-test-secret-" + "x" * 32
# Production mode on the demo configs, whose inboxes are on .example: a real server refuses those
# (portal/municipal/reserved.py); only a test may allow them, through create_app's mapping.
WSGI_APP = "portal.web:create_app({'ALLOW_EXAMPLE_ADDRESSES': True})"

pytestmark = pytest.mark.skipif(not NGINX.exists(), reason="Debian's nginx is not installed (`make system-deps` installs nginx-light)")


def load_render():
    spec = importlib.util.spec_from_file_location("deploy_render", ROOT / "deploy" / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}:\n{log.read_text(errors='replace')}")


def write_nginx_conf(tmp: Path, *, modules: bool = True) -> Path:
    """The part of nginx.conf that Debian ships and these tests replace: where a private nginx keeps
    its files. Like Debian's, it loads the modules of /etc/nginx/modules-enabled (brotli_static
    when libnginx-mod-http-brotli-static is installed; `modules=False`: an nginx without them) and
    includes tmp/portal.conf, the rendered configuration."""
    (tmp / "logs").mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = tmp / "nginx.conf"
    load = "include /etc/nginx/modules-enabled/*.conf;\n" if modules else ""
    # Their `load_module modules/...` is relative to the prefix (-p tmp): Debian's has this link.
    if modules and not (tmp / "modules").exists():
        (tmp / "modules").symlink_to("/usr/lib/nginx/modules")
    conf.write_text(f"""{user}{load}daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/logs/error.log info;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    access_log {tmp}/logs/access.log;
    include {tmp}/portal.conf;
}}
""", encoding="utf-8")
    return conf


def nginx_test(tmp: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on tmp/portal.conf, as the guide runs it before each reload."""
    return subprocess.run([str(NGINX), "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "logs" / "error.log")],
                          capture_output=True, text=True, timeout=30)


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _SniConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 that names `sni` in the TLS handshake, as a browser names the site (the
    default server refuses a handshake without a known name)."""

    def __init__(self, port: int, sni: str, context, source: str | None):
        super().__init__("127.0.0.1", port, context=context, timeout=30,
                         source_address=(source, 0) if source else None)
        self.sni = sni

    def connect(self):
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.sni)


class Client:
    """HTTPS to nginx on 127.0.0.1 with a chosen Host, keeping cookies as a browser would.
    `source`: the loopback address to connect from (127.0.0.2, ...: another citizen)."""

    def __init__(self, port: int, host: str, source: str | None = None):
        self.port, self.host, self.source = port, host, source
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        connection = _SniConnection(self.port, self.host, self.context, self.source)
        sent = {"Host": self.host, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response, text


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """nginx + gunicorn + SMTP + built sites, started once for the tests of this module."""
    from portal.site.build import build_sites

    tmp = tmp_path_factory.mktemp("deploy")
    site_dir = tmp / "site"
    failed = [f"{r.slug}: {r.error}" for r in build_sites(list(SLUGS), site_dir, ROOT) if not r.ok]
    assert not failed, failed
    # docs/deploy.md: the .gz copies that nginx's gzip_static sends.
    subprocess.run([sys.executable, str(ROOT / "deploy" / "precompress.py"), str(site_dir)], check=True, capture_output=True)

    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=portal.test",
                    "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")], check=True, capture_output=True)

    smtp = SmtpServer(tmp / "smtp").start()
    backend_port, https_port, http_port = free_port(), free_port(), free_port()
    env = dict(os.environ, PORTAL_ENV="production", PORTAL_SECRET_KEY=SECRET, PORTAL_ROOT=str(ROOT),
               PORTAL_PUBLIC_URL="https://portal.test",
               PORTAL_DATABASE_URL=f"sqlite:///{tmp / 'portal.sqlite3'}", PORTAL_SMTP_URL=smtp.url,
               PORTAL_MAIL_FROM="noreply@portal.example", PORTAL_PROXY_FIX="1", PORTAL_SITE_DIR=str(site_dir),
               PORTAL_FORM_MIN_FILL_SECONDS="1", NO_MKDOCS_2_WARNING="1")
    gunicorn_log = tmp / "gunicorn.log"
    with gunicorn_log.open("w") as out:  # the child keeps its own copy of the descriptor
        gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{backend_port}", "--workers", "2",
             "--forwarded-allow-ips", "127.0.0.1", "--error-logfile", "-", WSGI_APP],
            cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT)

    render = load_render()
    municipalities = [load_municipality(slug, ROOT) for slug in SLUGS]
    (tmp / "acme").mkdir()
    rendered = render.render(
        municipalities, domains=DOMAINS, BACKEND=f"127.0.0.1:{backend_port}", SITE_ROOT=site_dir,
        LOG_DIR=tmp / "logs", LISTEN=f"127.0.0.1:{https_port}", HTTP_LISTEN=f"127.0.0.1:{http_port}",
        ACME_ROOT=tmp / "acme", CERT=tmp / "cert.pem", CERT_KEY=tmp / "key.pem",
        PROXY_SNIPPET=ROOT / "deploy" / "nginx" / "proxy.conf")
    (tmp / "portal.conf").write_text(rendered, encoding="utf-8")
    write_nginx_conf(tmp)
    nginx_log = tmp / "nginx.log"
    with nginx_log.open("w") as out:
        nginx = subprocess.Popen([str(NGINX), "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "logs" / "error.log")],
                                 stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(backend_port, gunicorn, gunicorn_log)
        wait_for_port(https_port, nginx, tmp / "logs" / "error.log")
        yield {"tmp": tmp, "env": env, "smtp": smtp, "https": https_port, "http": http_port,
               "logs": [gunicorn_log, tmp / "logs"]}
    finally:
        stop(nginx, signal.SIGQUIT)
        stop(gunicorn)
        smtp.stop()


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden field {name!r} on the form"
    return html.unescape(match.group(1))


def test_a_support_application_goes_through_nginx_end_to_end(stack):
    client = Client(stack["https"], DOMAINS["opwijk"])

    response, page = client.request("GET", "/")
    assert response.status == 200, page[:500]
    assert "Opwijk" in page
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]

    form_path = "/forms/opwijk/nl/support-application/"
    response, form = client.request("GET", form_path)
    assert response.status == 200, form[:500]
    # The backend's own stricter policy, once; nginx's headers not doubled.
    assert response.headers.get_all("Content-Security-Policy") == [response.headers["Content-Security-Policy"]]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert len(response.headers.get_all("X-Content-Type-Options")) == 1
    assert "Secure" in " ".join(response.headers.get_all("Set-Cookie") or []), "production cookies are Secure"
    # A shared computer must not show the previous citizen's form: nginx keeps the backend's no-store.
    assert "no-store" in response.headers["Cache-Control"]

    time.sleep(1.1)  # the form's minimum fill time (PORTAL_FORM_MIN_FILL_SECONDS=1)
    answers = {
        "csrf_token": hidden(form, "csrf_token"), "form_started": hidden(form, "form_started"),
        "help_type": "energy", "first_name": "Griet", "last_name": "Nginxtest", "birth_date": "1980-04-12",
        "street": "Kerkstraat", "house_number": "3", "postcode": "1745", "city": "Opwijk", "phone": "",
        "email": "griet@mail.example", "contact_preference": "email", "message": "Mijn energiefactuur is te hoog.",
        "declaration": "y", "website": "", "step": "check",  # the form's button: check the answers first
    }
    # A browser sends the page as Referer; over HTTPS Flask-WTF requires it to be same-origin,
    # which only passes when the backend believes nginx's X-Forwarded-Proto.
    referer = {"Referer": f"https://{DOMAINS['opwijk']}{form_path}"}
    response, body = client.request("POST", form_path, answers, referer)
    # Valid answers are shown to check first (nothing stored yet); its send button stores them.
    assert response.status == 200 and 'name="check_answers"' in body, body[:2000]
    assert "no-store" in response.headers["Cache-Control"]
    send = {"csrf_token": hidden(body, "csrf_token"), "form_started": hidden(body, "form_started"),
            "check_answers": hidden(body, "check_answers"), "send": "1"}
    response, body = client.request("POST", form_path, send, referer)
    assert response.status == 303, body[:2000]
    receipt = response.headers["Location"]
    assert "/forms/opwijk/nl/support-application/received/" in receipt
    assert "Nginxtest" not in receipt and "griet" not in receipt

    response, page = client.request("GET", receipt.replace(f"https://{DOMAINS['opwijk']}", ""))
    assert response.status == 200, page[:500]
    reference = re.search(r"OPW-\d{4}-[0-9A-Z]{5}", page)
    assert reference, page[:2000]
    assert "no-store" in response.headers["Cache-Control"]

    worker = subprocess.run([str(BIN / "portal"), "worker", "--once"], env=stack["env"], cwd=stack["tmp"],
                            capture_output=True, text=True, timeout=120)
    assert worker.returncode == 0, worker.stdout + worker.stderr
    messages = stack["smtp"].wait_for(2)
    recipients = sorted(r for m in messages for r in m.rcpt_tos)
    assert recipients == ["griet@mail.example", "welzijn@opwijk.example"]
    for message in messages:
        assert reference.group(0) in message.message["Subject"]
        assert "Nginxtest" not in message.message["Subject"]

    # No personal data in any log of the stack.
    for log in stack["logs"]:
        files = sorted(log.rglob("*")) if log.is_dir() else [log]
        for file in files:
            if file.is_file():
                text = file.read_text(errors="replace")
                assert "Nginxtest" not in text and "griet@mail.example" not in text, file


def test_health_and_redirect_and_not_found_pages(stack):
    client = Client(stack["https"], DOMAINS["opwijk"])
    response, body = client.request("GET", "/healthz")
    assert response.status == 200 and '"database"' in body, body

    connection = http.client.HTTPConnection("127.0.0.1", stack["http"], timeout=10)
    connection.request("GET", "/leefloon/", headers={"Host": DOMAINS["opwijk"]})
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 301
    assert response.headers["Location"] == f"https://{DOMAINS['opwijk']}/leefloon/"

    response, body = client.request("GET", "/bestaat-niet/")
    assert response.status == 404 and 'lang="nl"' in body, body[:300]
    assert response.headers["X-Content-Type-Options"] == "nosniff", "security headers on error pages too"

    # Sint-Gillis: French at the root, Dutch under /nl/, each with its own not-found page.
    bilingual = Client(stack["https"], DOMAINS["sint-gillis"])
    response, body = bilingual.request("GET", "/")
    assert response.status == 200 and 'lang="fr"' in body
    response, body = bilingual.request("GET", "/introuvable/")
    assert response.status == 404 and 'lang="fr"' in body
    response, body = bilingual.request("GET", "/nl/bestaat-niet/")
    assert response.status == 404 and 'lang="nl"' in body, body[:300]


def policy(response) -> dict[str, list[str]]:
    """The one Content-Security-Policy header of a response, as {directive: sources}."""
    headers = response.headers.get_all("Content-Security-Policy") or []
    assert len(headers) == 1, headers
    return {part.split()[0]: part.split()[1:] for part in headers[0].split(";") if part.strip()}


def test_static_pages_allow_scripts_and_styles_only_from_files_of_their_host(stack):
    """Issue 14: no 'unsafe-inline' in the static pages' policy: the theme's scripts and the
    site's colours are files (tests/test_inline_code.py checks the pages have nothing inline)."""
    pages = {DOMAINS["opwijk"]: ("/", "/leefloon/", "/kalender.html", "/privacy/", "/bestaat-niet/"),
             DOMAINS["sint-gillis"]: ("/", "/nl/leefloon/", "/nl/kalender.html", "/nl/bestaat-niet/")}
    for host, paths in pages.items():
        client = Client(stack["https"], host)
        for path in paths:
            response, _ = client.request("GET", path)
            assert response.status in (200, 404), (host, path)
            directives = policy(response)
            assert directives["script-src"] == ["'self'"], (host, path, directives)
            assert directives["style-src"] == ["'self'"], (host, path, directives)
            assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"]


def test_hashed_assets_are_immutable_and_pages_are_revalidated(stack):
    client = Client(stack["https"], DOMAINS["opwijk"])
    _, page = client.request("GET", "/leefloon/")
    for pattern in (r'href="([^"]*assets/stylesheets/main\.[0-9a-f]{8}\.min\.css)"', r'"([^"]*assets/javascripts/bundle\.[0-9a-f]{8}\.min\.js)"'):
        asset = re.search(pattern, page).group(1)
        response, _ = client.request("GET", "/" + asset.replace("../", "").lstrip("./"))
        assert response.status == 200, asset
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", asset
    response, _ = client.request("GET", "/assets/portal/portal.css")
    assert response.headers["Cache-Control"] == "public, max-age=86400", "no hash in its name: a day"
    response, _ = client.request("GET", "/leefloon/")
    assert response.headers["Cache-Control"] == "no-cache"
    # Revalidation costs no body: nginx answers 304 to the browser's conditional request.
    response, body = client.request("GET", "/leefloon/", headers={"If-None-Match": response.headers["ETag"]})
    assert response.status == 304 and body == ""
    response, _ = client.request("GET", "/bestaat-niet/")
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_pages_and_assets_are_sent_as_their_precompressed_gz(stack):
    """gzip_static: the bytes on the wire are the .gz written by deploy/precompress.py (level 9),
    not nginx's on-the-fly compression."""
    client = Client(stack["https"], DOMAINS["opwijk"])
    site = stack["tmp"] / "site" / "opwijk"
    _, page = client.request("GET", "/leefloon/")
    stylesheet = re.search(r'href="([^"]*assets/stylesheets/main\.[0-9a-f]{8}\.min\.css)"', page).group(1).replace("../", "")
    for path, file in (("/leefloon/", site / "leefloon" / "index.html"), ("/" + stylesheet, site / stylesheet)):
        connection = _SniConnection(stack["https"], DOMAINS["opwijk"], client.context, None)
        connection.request("GET", path, headers={"Host": DOMAINS["opwijk"], "Accept-Encoding": "gzip"})
        response = connection.getresponse()
        raw = response.read()
        connection.close()
        assert response.headers["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in response.headers.get("Vary", ""), path
        assert raw == file.with_name(file.name + ".gz").read_bytes(), f"{path}: not the precompressed file"
    # The form backend's pages have no .gz: compressed on the fly.
    connection = _SniConnection(stack["https"], DOMAINS["opwijk"], client.context, None)
    connection.request("GET", "/forms/opwijk/nl/support-application/", headers={"Host": DOMAINS["opwijk"], "Accept-Encoding": "gzip"})
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.headers["Content-Encoding"] == "gzip"
    assert "no-store" in response.headers["Cache-Control"]


def test_assets_are_sent_as_their_precompressed_br_to_browsers_that_accept_brotli(stack):
    """brotli_static (Debian's libnginx-mod-http-brotli-static, installed by `make system-deps`):
    the theme's stylesheet as the .br that deploy/precompress.py wrote; pages keep their .gz."""
    render = load_render()
    assert render.brotli_static() == render.BROTLI_STATIC, "install libnginx-mod-http-brotli-static (make system-deps)"
    client = Client(stack["https"], DOMAINS["opwijk"])
    site = stack["tmp"] / "site" / "opwijk"
    _, page = client.request("GET", "/leefloon/")
    stylesheet = re.search(r'href="([^"]*assets/stylesheets/main\.[0-9a-f]{8}\.min\.css)"', page).group(1).replace("../", "")
    assert (site / (stylesheet + ".br")).stat().st_size < (site / (stylesheet + ".gz")).stat().st_size
    assert not (site / "leefloon" / "index.html.br").exists()
    for path, file, encoding in (("/" + stylesheet, site / (stylesheet + ".br"), "br"),
                                 ("/leefloon/", site / "leefloon" / "index.html.gz", "gzip")):
        connection = _SniConnection(stack["https"], DOMAINS["opwijk"], client.context, None)
        connection.request("GET", path, headers={"Host": DOMAINS["opwijk"], "Accept-Encoding": "gzip, deflate, br"})
        response = connection.getresponse()
        raw = response.read()
        connection.close()
        assert response.headers["Content-Encoding"] == encoding, path
        assert "Accept-Encoding" in response.headers.get("Vary", ""), path
        assert raw == file.read_bytes(), f"{path}: not the precompressed file"


def test_the_brotli_directive_is_written_only_when_nginx_loads_the_module(tmp_path):
    """nginx refuses a configuration with a directive of a module it has not loaded: render.py
    writes `brotli_static on;` only when /etc/nginx/modules-enabled loads the module."""
    render = load_render()
    modules = tmp_path / "modules-enabled"
    assert render.brotli_static(modules) == ""
    modules.mkdir()
    (modules / "50-mod-http-echo.conf").write_text("load_module modules/ngx_http_echo_module.so;\n")
    assert render.brotli_static(modules) == ""
    (modules / "50-mod-http-brotli-static.conf").write_text("load_module modules/ngx_http_brotli_static_module.so;\n")
    assert render.brotli_static(modules) == render.BROTLI_STATIC
    # An nginx without the module: the configuration rendered for it loads; with the directive it would not.
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=portal.test",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    write_nginx_conf(tmp_path, modules=False)
    for directive, loads in (("", True), (render.BROTLI_STATIC, False)):
        (tmp_path / "portal.conf").write_text(render.render(
            [load_municipality("opwijk", ROOT)], domains={"opwijk": DOMAINS["opwijk"]}, BROTLI_STATIC=directive,
            SITE_ROOT=tmp_path, LOG_DIR=tmp_path / "logs", LISTEN=f"127.0.0.1:{free_port()}",
            HTTP_LISTEN=f"127.0.0.1:{free_port()}", ACME_ROOT=tmp_path, CERT=tmp_path / "cert.pem",
            CERT_KEY=tmp_path / "key.pem", PROXY_SNIPPET=ROOT / "deploy" / "nginx" / "proxy.conf"), encoding="utf-8")
        checked = nginx_test(tmp_path)
        assert (checked.returncode == 0) == loads, checked.stderr
        assert loads or 'unknown directive "brotli_static"' in checked.stderr


def test_the_backup_script_copies_a_live_database(tmp_path):
    if not shutil.which("sqlite3"):
        pytest.skip("the sqlite3 command is not installed (Debian package sqlite3)")
    from portal.store import open_store

    database = tmp_path / "portal.sqlite3"
    open_store(f"sqlite:///{database}")  # the portal's schema, in WAL mode
    env = dict(os.environ, PORTAL_DATABASE_URL=f"sqlite:///{database}", PORTAL_BACKUP_DIR=str(tmp_path / "backup"),
               PORTAL_BACKUP_KEEP="2")
    for _ in range(3):
        result = subprocess.run([str(ROOT / "deploy" / "backup" / "portal-backup.sh")], env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        time.sleep(1.05)  # copies are named by the second
    copies = sorted((tmp_path / "backup").glob("portal-*.sqlite3.gz"))
    assert len(copies) == 2, "only the newest PORTAL_BACKUP_KEEP copies are kept"
    subprocess.run(["gunzip", "-k", str(copies[-1])], check=True)
    restored = copies[-1].with_suffix("")
    tables = subprocess.run(["sqlite3", str(restored), ".tables"], capture_output=True, text=True, check=True).stdout
    assert tables.split(), "the copy holds the portal's tables"



def test_the_first_start_serves_lets_encrypt_over_http_before_any_certificate_exists(tmp_path):
    """docs/deploy.md §4: `render.py --http-only`, nginx, certbot --webroot, then the full configuration."""
    http_port = free_port()
    (tmp_path / "acme" / ".well-known" / "acme-challenge").mkdir(parents=True)
    (tmp_path / "acme" / ".well-known" / "acme-challenge" / "token-123").write_text("token-123.thumbprint")
    write_nginx_conf(tmp_path)
    options = ["--domain", f"opwijk={DOMAINS['opwijk']}", "--domain", f"sint-gillis={DOMAINS['sint-gillis']}",
               "--http-listen", f"127.0.0.1:{http_port}", "--acme-root", str(tmp_path / "acme"),
               "--cert", str(tmp_path / "live" / "@DOMAIN@" / "fullchain.pem"),      # certbot has not run yet
               "--cert-key", str(tmp_path / "live" / "@DOMAIN@" / "privkey.pem"),
               "--log-dir", str(tmp_path / "logs"), "--proxy-snippet", str(ROOT / "deploy" / "nginx" / "proxy.conf"),
               *SLUGS]

    def render_cli(*extra):
        result = subprocess.run([sys.executable, str(ROOT / "deploy" / "render.py"), *extra, *options],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        (tmp_path / "portal.conf").write_text(result.stdout, encoding="utf-8")
        return result.stdout

    # Without certificates the full configuration fails `nginx -t`: why --http-only exists.
    render_cli()
    full = nginx_test(tmp_path)
    assert full.returncode != 0 and "fullchain.pem" in full.stderr, full.stderr

    rendered = render_cli("--http-only")
    assert "ssl_certificate" not in rendered and "listen 443" not in rendered
    checked = nginx_test(tmp_path)
    assert checked.returncode == 0, checked.stderr

    log = tmp_path / "nginx.log"
    with log.open("w") as out:
        nginx = subprocess.Popen([str(NGINX), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                                  "-e", str(tmp_path / "logs" / "error.log")], stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(http_port, nginx, tmp_path / "logs" / "error.log")
        for host in DOMAINS.values():
            connection = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
            connection.request("GET", "/.well-known/acme-challenge/token-123", headers={"Host": host})
            response = connection.getresponse()
            body = response.read().decode()
            connection.close()
            assert response.status == 200 and body == "token-123.thumbprint", (host, response.status, body)

            connection = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
            connection.request("GET", "/leefloon/", headers={"Host": host})
            response = connection.getresponse()
            response.read()
            connection.close()
            assert response.status == 301 and response.headers["Location"] == f"https://{host}/leefloon/"
    finally:
        stop(nginx, signal.SIGQUIT)


DEBIAN_NGINX_CONF = Path("/etc/nginx/nginx.conf")
DEBIAN_DEFAULT_SITE = Path("/etc/nginx/sites-available/default")


def debian_layout(tmp: Path) -> None:
    """Debian's own /etc/nginx/nginx.conf with its default site enabled, as a fresh `apt-get
    install nginx-light` leaves them, moved to `tmp`: only where it keeps its pid, logs and temp
    files changes. It includes conf.d/*.conf (where the guide puts portal.conf) and sites-enabled/*
    (where the package enables its `default` site). write_nginx_conf, which the other tests use,
    includes portal.conf alone and could not see what those two files do together."""
    text = DEBIAN_NGINX_CONF.read_text(encoding="utf-8")
    for include in ("conf.d/*.conf", "sites-enabled/*"):
        assert f"include /etc/nginx/{include};" in text, f"Debian's nginx.conf no longer includes {include}"
        text = text.replace(f"/etc/nginx/{include}", f"{tmp}/{include}")
    text = re.sub(r"^pid .*;$", f"pid {tmp}/nginx.pid;", text, flags=re.M)
    text = re.sub(r"(access_log|error_log) /var/log/nginx/", rf"\1 {tmp}/logs/", text)
    temp = "".join(f"\t{kind}_temp_path {tmp}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    text = re.sub(r"^http \{\n", "http {\n" + temp, text, count=1, flags=re.M)
    for folder in ("conf.d", "sites-enabled", "logs", "acme"):
        (tmp / folder).mkdir(exist_ok=True)
    (tmp / "nginx.conf").write_text(text, encoding="utf-8")
    shutil.copy(DEBIAN_DEFAULT_SITE, tmp / "sites-enabled" / "default")


@pytest.mark.skipif(not (DEBIAN_NGINX_CONF.is_file() and DEBIAN_DEFAULT_SITE.is_file()),
                    reason="Debian's /etc/nginx/nginx.conf and sites-available/default are not installed")
def test_the_guides_nginx_steps_on_debians_own_configuration(tmp_path):
    """docs/deploy.md section 4 on a fresh Debian nginx: its default site claims default_server on
    port 80 as portal.conf does, so `nginx -t` fails until the guide's `rm` of it; then the
    port-80 configuration and, once the certificates exist, the full one pass on Debian's
    nginx.conf (its http-level gzip and ssl settings included)."""
    debian_layout(tmp_path)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=portal.test",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    municipalities = [load_municipality(slug, ROOT) for slug in SLUGS]

    def nginx_t(**options) -> subprocess.CompletedProcess:
        # The guide's ports (80, 443) and paths, but for the logs and certificates of this test.
        rendered = load_render().render(
            municipalities, domains=DOMAINS, LOG_DIR=tmp_path / "logs", ACME_ROOT=tmp_path / "acme",
            CERT=tmp_path / "cert.pem", CERT_KEY=tmp_path / "key.pem",
            PROXY_SNIPPET=ROOT / "deploy" / "nginx" / "proxy.conf", **options)
        (tmp_path / "conf.d" / "portal.conf").write_text(rendered, encoding="utf-8")
        # Debian's prefix (no -p): its load_module lines name modules relative to it.
        return subprocess.run([str(NGINX), "-t", "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "logs" / "error.log")],
                              capture_output=True, text=True, timeout=30)

    first = nginx_t(http_only=True)
    assert first.returncode != 0 and "duplicate default server" in first.stderr, first.stderr

    (tmp_path / "sites-enabled" / "default").unlink()          # rm /etc/nginx/sites-enabled/default
    for options in ({"http_only": True}, {}):
        checked = nginx_t(**options)
        assert checked.returncode == 0, (options, checked.stderr)
