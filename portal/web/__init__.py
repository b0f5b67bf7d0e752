"""The form backend: `create_app()` is the WSGI app for gunicorn and for `portal serve`.

Configuration (`portal.common.settings.load`): its defaults, then the `PORTAL_*` variables
without the prefix (`PORTAL_SECRET_KEY` -> `SECRET_KEY`), then the `test_config` mapping, checked
as a whole before anything starts. `ENV` is `production` unless set: gunicorn gets the safe
default, `portal serve` passes `env_default="development"`.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

import jinja2
from flask import Flask
from flask_wtf.csrf import CSRFProtect

from portal.common import settings
from portal.common.cookies import SESSION_COOKIE
from portal.common.settings import ConfigurationError
from portal.intake.forms import load_forms
from portal.municipal.config import load_all
from portal.municipal.reserved import check_deliverable
from portal.store import StoreUnavailable, open_store

log = logging.getLogger(__name__)
csrf = CSRFProtect()

STATIC_URL_PATH = "/forms/_static"   # under /forms/ so `portal serve` sends it to this app
DEV_SECRET_FILE = "dev-secret-key"    # under instance/: development only

__all__ = ["ConfigurationError", "create_app", "csrf"]


class FlaskDefaults:
    """Flask's own settings (the portal's are in `portal.common.settings`)."""
    # Where the forms link back to the static site when a local server serves it (`portal serve`:
    # "/{slug}/"; `portal preview`: its own path). None: the published `site_url`, else /<slug>/.
    SITE_BASE = None
    # Text answers only: a whole form is a few kB. Larger bodies get the 413 page.
    MAX_CONTENT_LENGTH = 64 * 1024
    # A slow applicant (reading help texts, finding a national number) must not lose the form.
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    WTF_CSRF_SSL_STRICT = True
    # Seconds a receipt link keeps working: a year. The receipt is the proof of the date of the
    # application, needed most once the decision period (30 days for most help) has passed and
    # for an appeal after it; it shows no answer, only the reference, dates and the office.
    RECEIPT_MAX_AGE = 366 * 24 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = None      # None: True in production
    SESSION_COOKIE_NAME = SESSION_COOKIE   # listed on the privacy page (portal/common/cookies.py)
    # Production refuses to start while an inbox or an office address is a demo's `.example`
    # placeholder (portal/municipal/reserved.py). Only the tests that run production mode on the
    # demo configs turn this on, through create_app's mapping: no environment variable sets it.
    ALLOW_EXAMPLE_ADDRESSES = False


def _configure(app: Flask, test_config: dict | None, env_default: str) -> None:
    app.config.from_object(FlaskDefaults)
    app.config.update(settings.load(test_config, defaults={"ENV": env_default}))
    settings.check_secret(app.config)
    settings.check_public_url(app.config)
    if not app.config["SECRET_KEY"]:
        # Development only (check_secret refuses elsewhere): the key kept in instance/, so the
        # receipt links of `make run` keep working after a restart.
        app.config["SECRET_KEY"] = development_secret(app.config["ROOT"] / "instance" / DEV_SECRET_FILE)
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = app.config["ENV"] == "production"


def development_secret(path: Path) -> str:
    """The development server's secret key: read from `path`, made there on the first start
    (secrets.token_urlsafe, mode 0600; instance/ is not in git). Never used in production."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
        try:
            # A hard link appears whole or not at all: of two servers starting at once, both
            # use the key of the first, and neither reads a half-written file.
            os.link(draft, path)
            log.warning("PORTAL_SECRET_KEY not set: this development server signs with a new key kept in %s", path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    secret = path.read_text(encoding="ascii").strip()
    if len(secret) < 32:
        raise ConfigurationError(f"{path}: not a development key; delete the file, a new one is made on the next start")
    return secret


def create_app(test_config: dict | None = None, *, env_default: str = "production") -> Flask:
    """The form backend. Raises ConfigurationError (a missing or malformed PORTAL_* value) and
    PortalError (a broken site_config/ or forms/ file, with file:line) at start-up."""
    app = Flask(__name__, static_folder=None)
    _configure(app, test_config, env_default)
    root = app.config["ROOT"]
    app.static_folder = str(root / "templates" / "forms" / "static")
    app.static_url_path = STATIC_URL_PATH
    app.add_url_rule(f"{STATIC_URL_PATH}/<path:filename>", endpoint="static", view_func=app.send_static_file)

    app.jinja_loader = jinja2.FileSystemLoader(str(root / "templates"))
    app.extensions["portal_municipalities"] = load_all(root)
    if app.config["ENV"] == "production" and not app.config["ALLOW_EXAMPLE_ADDRESSES"]:
        check_deliverable(app.extensions["portal_municipalities"].values(), sender=app.config["MAIL_FROM"],
                          public_url=app.config.get("PUBLIC_URL"))
    app.extensions["portal_forms"] = load_forms(root)
    app.extensions["portal_form_classes"] = {}
    _open_store(app)

    csrf.init_app(app)
    # Imported here, as in Flask's tutorial: the blueprints' modules import `csrf` from this one.
    from portal.web import antiabuse, errors, health, office, security, views

    app.register_blueprint(views.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(office.bp)
    errors.register(app)
    security.init_app(app)    # headers (CSP, no-store), cookies, ProxyFix, body size, rate limits
    antiabuse.init_app(app)
    return app


def _open_store(app: Flask) -> None:
    """Open the database now, so a wrong URL shows at start-up; a database that cannot be opened
    yet (full disk, locked) is retried on the first request instead of refusing to start."""
    try:
        app.extensions["portal_store"] = open_store(app.config["DATABASE_URL"])
    except StoreUnavailable as exc:
        log.error("database not available at start-up: %s", exc)
        app.extensions["portal_store"] = None

