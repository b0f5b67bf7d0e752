"""The backend's defences that do not depend on a form: headers, cookies, proxies, body size, rate limits.

`init_app(app)` attaches all of it; `create_app` calls it once the blueprints are registered.

Headers, on every response including error pages (an `after_request` hook, which Flask also runs
for the responses of error handlers):

- `Content-Security-Policy`: everything from our own origin only, no inline script (a template
  that really needs one calls `csp_nonce()` and the policy then allows that one nonce),
  `object-src 'none'`, `base-uri 'none'`, `frame-ancestors 'none'`, `form-action 'self'`;
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: strict-origin-when-cross-origin`,
  `X-Frame-Options: DENY` (for browsers without `frame-ancestors`);
- `Strict-Transport-Security` only when the request came over TLS (HSTS on plain HTTP is ignored
  by browsers and would only confuse a local test);
- `Cache-Control: no-store` on the forms, the receipts, every POST answer and every error: a
  shared computer at a library must not show the previous citizen's answers from its cache.

The session cookie (it holds the CSRF secret) is HttpOnly, SameSite=Lax, and Secure in production.

Client addresses: behind a reverse proxy every request seems to come from the proxy. Set
`PORTAL_PROXY_FIX` to the number of proxies in front of the app (1 for one nginx) and
`X-Forwarded-For` / `X-Forwarded-Proto` are honoured, counting from the right, so a client cannot
forge its own address. Unset (the default) they are ignored: without a proxy anybody can send them.

Rate limits, two layers:

- Flask-Limiter: every POST to a form (answers, check page, send), counted per client address
  across every form and site (`PORTAL_RATELIMIT_FORM`, default "20 per minute;200 per hour":
  generous, because a social worker may send several applications from one office, and mobile
  networks put many citizens behind one address). A client over the limit gets the form back with
  its answers and a 429. Counters live in memory by default, which counts PER PROCESS: with 4
  gunicorn workers a client gets up to 4 times this limit, and every server of a cluster counts
  on its own; `PORTAL_RATELIMIT_STORAGE_URL` (`redis://host:6379`, `memcached://host:11211`; see
  the `limits` package) shares them. It is the coarse flood guard in front of:
- the stored applications per client address (`PORTAL_RATELIMIT_ADDRESS`, default "10 per
  minute;60 per day") and the confirmations per e-mail address (`PORTAL_CONFIRMATIONS_PER_RECIPIENT`),
  counted in the database in the transaction that stores (`portal.store.SubmissionLimits`): exact
  across every worker and every server that shares the database, without another service.

`PORTAL_RATELIMIT_ENABLED=false` turns all of these off (load tests from one address).
"""

from __future__ import annotations

import logging
import secrets

from flask import Flask, g, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.common.settings import proxy_count
from portal.web.errors import error_page
from portal.web.views import lookup, posted_form, render_form

log = logging.getLogger(__name__)

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
HSTS = "max-age=31536000; includeSubDomains"
# Endpoints whose pages hold personal data or a fresh CSRF token: never cached.
NO_STORE_ENDPOINTS = {"forms.form", "forms.received"}
# A form is a few kB of text; the 413 page answers anything bigger before it is parsed.
DEFAULT_MAX_CONTENT_LENGTH = 64 * 1024
MAX_FORM_PARTS = 200      # a form has ~20 fields; werkzeug's (and Flask's) default is 1000

def csp_nonce() -> str:
    """A nonce for one inline script of this response (the policy then allows it)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy() -> str:
    policy = dict(CSP)
    if "csp_nonce" in g:
        policy["script-src"] += f" 'nonce-{g.csp_nonce}'"
    return "; ".join(f"{name} {value}" for name, value in policy.items())


def add_headers(response):
    """The `after_request` hook: security and cache headers on every response."""
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy()
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["X-Frame-Options"] = "DENY"
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    if (request.endpoint in NO_STORE_ENDPOINTS or request.method != "GET"
            or response.status_code >= 400 or "Cache-Control" not in headers):
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    return response


def form_limit_key() -> str:
    """The client address alone: one count across every form of every site (a per-form count
    gave a robot a fresh allowance on each form of each municipality)."""
    return f"{get_remote_address()}|forms"


def sign_in_limit_key() -> str:
    """Client address: one person's tries at the staff sign-in."""
    return f"{get_remote_address()}|office-sign-in"


def _configure(app: Flask) -> None:
    if not app.config.get("MAX_CONTENT_LENGTH"):
        app.config["MAX_CONTENT_LENGTH"] = DEFAULT_MAX_CONTENT_LENGTH
    # Not setdefault: Flask's own defaults already hold MAX_FORM_PARTS (1000), so setdefault never set ours.
    if app.config.get("MAX_FORM_PARTS") in (None, 1000):
        app.config["MAX_FORM_PARTS"] = MAX_FORM_PARTS
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if app.config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = app.config.get("ENV", "production") == "production"


def _proxy_fix(app: Flask) -> None:
    count = proxy_count(app.config["PROXY_FIX"])
    if count:
        # Only the client address and the scheme: a proxy that does not set X-Forwarded-Host would
        # otherwise let the client choose the host name of our links.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


class _NoClientAddress(logging.Filter):
    """Flask-Limiter logs each breach as "ratelimit <limit> (<key>) exceeded", and our key starts
    with the client's address: personal data, which no log may hold. Keep the line (which form was
    hammered is worth knowing), drop the address."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if str(record.msg).startswith("ratelimit") and isinstance(args, tuple) and len(args) == 3:
            record.args = (args[0], str(args[1]).split("|", 1)[-1] if "|" in str(args[1]) else "-", args[2])
        return True


def _rate_limits(app: Flask) -> None:
    limiter_log = logging.getLogger("flask-limiter")
    if not any(isinstance(f, _NoClientAddress) for f in limiter_log.filters):
        limiter_log.addFilter(_NoClientAddress())

    storage = str(app.config.get("RATELIMIT_STORAGE_URL") or "memory://")
    limiter = Limiter(key_func=form_limit_key, storage_uri=storage, headers_enabled=False,
                      strategy="moving-window" if storage.startswith("memory") else "fixed-window")
    limiter.init_app(app)
    app.extensions["portal_limiter"] = limiter
    if app.config.get("ENV") == "production" and storage.startswith("memory") and app.config["RATELIMIT_ENABLED"]:
        log.info("rate limits counted in memory, per process (set PORTAL_RATELIMIT_STORAGE_URL to share them)")
    blueprint = app.blueprints.get("forms")
    if blueprint is not None:
        limiter.limit(str(app.config["RATELIMIT_FORM"]), methods=["POST"], key_func=form_limit_key)(blueprint)
    else:
        log.warning("no 'forms' blueprint registered before security.init_app: forms are not rate limited")

    office = app.blueprints.get("office")
    if office is not None:
        # Sign-in requests per client address: each may send a mail. Only that view is limited:
        # staff changing statuses are not.
        limiter.limit(str(app.config["RATELIMIT_SIGN_IN"]), methods=["POST"], key_func=sign_in_limit_key,
                      exempt_when=lambda: request.endpoint != "office.sign_in")(office)

    @app.errorhandler(RateLimitExceeded)
    def too_many(exc):
        retry_after = "60"
        args = request.view_args or {}
        if request.endpoint == "forms.form" and {"slug", "lang", "form_id"} <= set(args):
            try:
                site, definition = lookup(args["slug"], args["lang"], args["form_id"])
            except NotFound:          # a form this site does not offer: its 404, not a 500 from here
                return error_page(404)
            form, _ = posted_form(site, definition, args["lang"])   # also from the check page
            body, status, headers = render_form(site, definition, args["lang"], form, status=429,
                                                notice="security.rate_limited")
            return body, status, {**headers, "Retry-After": retry_after}

        body, status, headers = error_page(429)
        return body, status, {**headers, "Retry-After": retry_after}


def init_app(app: Flask) -> None:
    """Attach headers, cookie policy, ProxyFix (when configured), body limits and rate limits.

    Call after the blueprints are registered (the form limit is attached to the `forms`
    blueprint). Raises ValueError for a PORTAL_PROXY_FIX that is not a number of proxies.
    """
    _configure(app)
    _proxy_fix(app)
    _rate_limits(app)
    app.after_request(add_headers)
    app.jinja_env.globals.setdefault("csp_nonce", csp_nonce)
