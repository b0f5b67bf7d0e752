"""The form backend: `create_app()` is the WSGI app for gunicorn and for `portal serve`.

Configuration, in order (later wins):
  1. `Defaults` below;
  2. `PORTAL_*` environment variables without the prefix (`PORTAL_SECRET_KEY` -> `SECRET_KEY`,
     `PORTAL_DATABASE_URL` -> `DATABASE_URL`, `PORTAL_ENV` -> `ENV`, `PORTAL_ROOT` -> `ROOT`);
  3. the `test_config` mapping.

`ENV` is `production` unless set: gunicorn gets the safe default, `portal serve` sets
`development`. Outside development the app refuses to start without a `SECRET_KEY`, because it
signs the CSRF tokens and the receipt links.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect

log = logging.getLogger(__name__)
csrf = CSRFProtect()

STATIC_URL_PATH = "/forms/_static"   # under /forms/ so `portal serve` sends it to this app


class ConfigurationError(RuntimeError):
    """The app cannot start with this configuration; the message says what to set."""


class Defaults:
    ENV = "production"
    SECRET_KEY = None
    ROOT = None                       # project folder (forms/, site_config/, templates/)
    DATABASE_URL = None               # default: SQLite under <ROOT>/instance/
    SITE_DIR = None
    # Where the forms link back to the static site when a local server serves it (`portal serve`:
    # "/{slug}/"; `portal preview`: its own path). None: the published `site_url`, else /<slug>/.
    SITE_BASE = None
    # Text answers only: a whole form is a few kB. Larger bodies get the 413 page.
    MAX_CONTENT_LENGTH = 64 * 1024
    # A slow applicant (reading help texts, finding a national number) must not lose the form.
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    WTF_CSRF_SSL_STRICT = True
    RECEIPT_MAX_AGE = 30 * 24 * 3600  # seconds a receipt link keeps working
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = None      # None: True in production
    SESSION_COOKIE_NAME = "portal_session"


def _configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_prefixed_env("PORTAL")
    if test_config:
        app.config.update(test_config)
    env = str(app.config["ENV"])
    app.config["ENV"] = env
    secret = app.config.get("SECRET_KEY")
    if secret is not None:
        secret = str(secret)  # from_prefixed_env reads "12345" as a number
    if not secret:
        if env != "development":
            raise ConfigurationError(
                f"PORTAL_SECRET_KEY is not set (PORTAL_ENV={env}). It signs the forms' security codes and "
                "the receipt links: set it to a long random value, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`, "
                "or run with PORTAL_ENV=development for a local test."
            )
        # Development only: a fresh random key per start (receipt links end with the server).
        secret = secrets.token_urlsafe(32)
        log.warning("PORTAL_SECRET_KEY not set: using a random key for this development server")
    app.config["SECRET_KEY"] = secret
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = env == "production"
    from portal.config import project_root

    app.config["ROOT"] = Path(app.config["ROOT"]) if app.config.get("ROOT") else project_root()


def create_app(test_config: dict | None = None) -> Flask:
    """The form backend. Raises ConfigurationError (no secret outside development) and
    PortalError (a broken site_config/ or forms/ file, with file:line) at start-up."""
    from portal.config import load_all
    from portal.forms import load_forms

    app = Flask(__name__, static_folder=None)
    _configure(app, test_config)
    root = app.config["ROOT"]
    app.static_folder = str(root / "templates" / "forms" / "static")
    app.static_url_path = STATIC_URL_PATH
    app.add_url_rule(f"{STATIC_URL_PATH}/<path:filename>", endpoint="static", view_func=app.send_static_file)

    import jinja2

    app.jinja_loader = jinja2.FileSystemLoader(str(root / "templates"))
    app.extensions["portal_municipalities"] = load_all(root)
    app.extensions["portal_forms"] = load_forms(root)
    app.extensions["portal_form_classes"] = {}
    _open_store(app)

    csrf.init_app(app)
    from portal.web import errors, health, views

    app.register_blueprint(views.bp)
    app.register_blueprint(health.bp)
    errors.register(app)
    from portal import antiabuse, security

    security.init_app(app)    # headers (CSP, no-store), cookies, ProxyFix, body size, rate limits
    antiabuse.init_app(app)
    return app


def _open_store(app: Flask) -> None:
    """Open the database now, so a wrong URL shows at start-up; a database that cannot be opened
    yet (full disk, locked) is retried on the first request instead of refusing to start."""
    from portal.store import StoreUnavailable, default_url, open_store

    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = default_url(app.config["ROOT"])
    try:
        app.extensions["portal_store"] = open_store(app.config["DATABASE_URL"])
    except StoreUnavailable as exc:
        log.error("database not available at start-up: %s", exc)
        app.extensions["portal_store"] = None

