"""Headers, cookies, proxies, body size and rate limits on every answer of the backend, and
mail header safety (CVE-2024-6923: no control character or `=?` from a citizen in a header)."""

from __future__ import annotations

import email
import re
from email.policy import default as default_policy

import pytest

from portal.common import settings
from portal.common.settings import ConfigurationError, proxy_count
from tests.hardening import FORM_URL, make_app, post_and_confirm, valid_application

WIJK_URL = "/forms/opwijk/nl/wijk-werken/"


def assert_policy_headers(response):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split("; ") if part}
    assert directives["object-src"] == ["'none'"], csp
    assert directives["base-uri"] == ["'none'"], csp
    assert directives["frame-ancestors"] == ["'none'"], csp
    assert directives["form-action"] == ["'self'"], csp
    assert directives["default-src"] == ["'self'"], csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp and "*" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)

    @app.get("/forms/_test/boom")
    def boom():
        raise RuntimeError("a bug")

    return app


@pytest.fixture
def client(app):
    return app.test_client()


def test_every_kind_of_answer_carries_the_policy_headers(app, client):
    answers = {
        "form": client.get(FORM_URL),
        "invalid form": client.post(FORM_URL, data=valid_application(first_name="")),
        "not found": client.get("/forms/opwijk/nl/no-such-form/"),
        "unknown site": client.get("/forms/nowhere/nl/support-application/"),
        "method": client.put(FORM_URL),
        "too large": client.post(FORM_URL, data=valid_application(message="x" * 200_000)),
        "bug": client.get("/forms/_test/boom"),
        "health": client.get("/healthz"),
        "brand": client.get("/forms/_brand/opwijk/brand.css"),
    }
    expected = {"form": 200, "invalid form": 200, "not found": 404, "unknown site": 404, "method": 405,
                "too large": 413, "bug": 500}
    for name, response in answers.items():
        if name in expected:
            assert response.status_code == expected[name], name
        assert_policy_headers(response)
        assert "Strict-Transport-Security" not in response.headers, name   # plain HTTP


def test_a_csrf_failure_and_a_database_failure_carry_the_headers_too(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    refused = client.post(FORM_URL, data=valid_application())
    assert refused.status_code == 400
    assert_policy_headers(refused)

    (tmp_path / "ro").mkdir()
    app = make_app(tmp_path / "ro")
    store = app.extensions["portal_store"]
    store._connection().execute("PRAGMA query_only = 1")   # this thread's connection: the test client's
    unavailable = post_and_confirm(app.test_client(), FORM_URL, valid_application())
    assert unavailable.status_code == 503
    assert_policy_headers(unavailable)
    assert unavailable.headers["Cache-Control"] == "no-store"


def test_forms_receipts_and_errors_are_never_cached_but_the_brand_is(client):
    assert client.get(FORM_URL).headers["Cache-Control"] == "no-store"
    sent = post_and_confirm(client, FORM_URL, valid_application())
    assert sent.status_code == 303
    receipt = client.get(sent.headers["Location"])
    assert receipt.status_code == 200
    assert receipt.headers["Cache-Control"] == "no-store"
    assert sent.headers["Cache-Control"] == "no-store"
    assert client.get("/forms/opwijk/nl/nothing/").headers["Cache-Control"] == "no-store"
    assert "max-age=300" in client.get("/forms/_brand/opwijk/brand.css").headers["Cache-Control"]


def test_pages_have_no_inline_script_or_style_that_the_policy_would_block(client):
    sent = post_and_confirm(client, FORM_URL, valid_application())
    pages = [client.get(FORM_URL), client.post(FORM_URL, data=valid_application(postcode="12")),
             client.post(FORM_URL, data=valid_application()),                  # the check page
             client.get(sent.headers["Location"]), client.get(sent.headers["Location"] + "/print"),
             client.get("/forms/opwijk/nl/nothing/")]
    for page in pages:
        html = page.get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, tag
        assert "<style" not in html
        assert not re.search(r"\sstyle=", html)
        assert not re.search(r"\son[a-z]+=", html), "inline event handler"
        assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html.replace('href="https://opwijk.example/', 'x')), \
            "a page loads something from another host"


def test_hsts_only_over_tls(client):
    assert "Strict-Transport-Security" not in client.get(FORM_URL).headers
    secure = client.get(FORM_URL, base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_cookie_is_secure_httponly_and_lax_in_production(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    cookie = app.test_client().get(FORM_URL, base_url="https://localhost").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie

    dev = make_app(tmp_path, WTF_CSRF_ENABLED=True, ENV="development")
    cookie = dev.test_client().get(FORM_URL).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_max_content_length_is_set_and_answered_with_the_413_page(client, app):
    assert 0 < app.config["MAX_CONTENT_LENGTH"] <= 1024 * 1024
    response = client.post(FORM_URL, data=valid_application(message="x" * (app.config["MAX_CONTENT_LENGTH"] + 1)))
    assert response.status_code == 413
    assert "<html" in response.get_data(as_text=True)


# --- rate limits ------------------------------------------------------------------------------

def test_posts_are_limited_per_client_across_forms_and_the_answers_are_kept(tmp_path):
    app = make_app(tmp_path, RATELIMIT_FORM="2 per minute")
    client = app.test_client()
    for _ in range(2):
        assert client.post(FORM_URL, data=valid_application(postcode="12")).status_code == 200
    limited = client.post(FORM_URL, data=valid_application(first_name="Kwinten", postcode="12"))
    assert limited.status_code == 429
    assert limited.headers["Retry-After"].isdigit()
    assert 'value="Kwinten"' in limited.get_data(as_text=True)
    assert_policy_headers(limited)
    # Another form, of this site or another, counts with the first: one allowance per address.
    assert client.post(WIJK_URL, data={"first_name": "x"}).status_code == 429
    assert client.post("/forms/sint-gillis/fr/support-application/", data={"first_name": "x"}).status_code == 429
    # Reading the form is not limited.
    assert client.get(FORM_URL).status_code == 200
    # Another client is not limited.
    other = client.post(FORM_URL, data=valid_application(postcode="12"), environ_base={"REMOTE_ADDR": "127.0.0.9"})
    assert other.status_code == 200
    assert app.extensions["portal_store"].count_submissions() == 0


def test_x_forwarded_for_is_ignored_without_a_configured_proxy(tmp_path):
    client = make_app(tmp_path, RATELIMIT_FORM="2 per minute").test_client()
    codes = [client.post(FORM_URL, data={"first_name": "x"}, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
             for i in range(3)]
    assert codes == [200, 200, 429]
    spoofed = client.get(FORM_URL, headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in spoofed.headers


def test_behind_one_configured_proxy_the_forwarded_address_and_scheme_count(tmp_path):
    client = make_app(tmp_path, RATELIMIT_FORM="2 per minute", PROXY_FIX=1).test_client()
    codes = [client.post(FORM_URL, data={"first_name": "x"}, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
             for i in range(3)]
    assert codes == [200, 200, 200]
    # A client that prepends its own forged address still counts as the address the proxy saw.
    same = [client.post(FORM_URL, data={"first_name": "x"},
                        headers={"X-Forwarded-For": f"10.9.9.{i}, 203.0.113.50"}).status_code for i in range(3)]
    assert same == [200, 200, 429]
    secure = client.get(FORM_URL, headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_rate_limiting_can_be_turned_off_for_load_tests(tmp_path):
    client = make_app(tmp_path, RATELIMIT_FORM="1 per minute", RATELIMIT_ENABLED="false").test_client()
    assert {client.post(FORM_URL, data={"first_name": "x"}).status_code for _ in range(3)} == {200}


@pytest.mark.parametrize("value, count", [(None, 0), ("", 0), (0, 0), (False, 0), (True, 1), ("true", 1),
                                          (1, 1), ("2", 2), ("off", 0)])
def test_proxy_fix_setting(value, count):
    assert proxy_count(value) == count


@pytest.mark.parametrize("value", ["one", "-1", "1.5"])
def test_a_proxy_fix_typo_is_refused(value, monkeypatch):
    monkeypatch.setenv("PORTAL_PROXY_FIX", value)
    with pytest.raises(ConfigurationError, match="PORTAL_PROXY_FIX"):
        settings.load()


# --- mail headers (CVE-2024-6923) ---------------------------------------------------------------

HOSTILE = [
    "=?utf-8?q?Griet=0D=0ABcc:_canary@evil.example?=",
    "Griet\r\nBcc: canary@evil.example",
    "Griet\nX-Injected: canary",
    "=?utf-8?b?R3JpZXQNCkJjYzogY2FuYXJ5QGV2aWwuZXhhbXBsZQ==?=",
    "Griet\u2028Bcc: canary@evil.example",
    "canary@evil.example\r\nBcc: canary@evil.example",
    "canary@evil.example?=",
]
ALLOWED_HEADERS = {"subject", "from", "to", "reply-to", "date", "message-id", "x-portal-reference",
                   "auto-submitted", "mime-version", "content-type", "content-transfer-encoding",
                   "content-language"}  # fixed per message: the language of its text


def test_header_value_refuses_encoded_words_and_drops_control_characters():
    from portal.intake.compose import HeaderInjection, header_value

    with pytest.raises(HeaderInjection):
        header_value(HOSTILE[0])
    assert header_value("a\r\nb\x00c\u2028d") == "abcd"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_no_citizen_value_reaches_a_mail_header(tmp_path, hostile):
    from portal.intake.accept import accept
    from portal.municipal.config import load_all
    from portal.store import open_store

    municipalities = load_all()
    store = open_store(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    answers = {name: hostile for name in valid_application()}
    answers.update(declaration=True, no_fixed_address=False, postcode="1745")
    accepted = accept(municipalities["opwijk"], "support-application", "nl", answers, store=store,
                      municipalities=municipalities)
    rows = store.claim_outbox(limit=10)
    assert rows and all(row.reference == accepted.reference for row in rows)
    for row in rows:
        head = row.raw.split(b"\r\n\r\n", 1)[0]
        assert b"canary" not in head and b"X-Injected" not in head
        message = email.message_from_bytes(row.raw, policy=default_policy)
        assert {name.lower() for name in message.keys()} <= ALLOWED_HEADERS, message.keys()
        for name, value in message.items():
            assert "canary" not in str(value) and "\n" not in str(value) and "\r" not in str(value), name


def test_an_encoded_word_in_a_name_is_refused_by_the_form_and_nothing_is_stored(app, client):
    response = client.post(FORM_URL, data=valid_application(first_name=HOSTILE[0]))
    assert response.status_code == 200
    assert app.extensions["portal_store"].count_submissions() == 0
