"""Every `PORTAL_*` environment variable, read and checked here, once, at start-up.

`SETTINGS` is the one table of them (name, default, meaning); `load()` reads the environment,
applies a caller's overrides (a test's mapping, `portal serve`'s development default), checks every
value and fills in the defaults that depend on others. A typo (`PORTAL_ENV=prod`, a fill time of
"3s", an SMTP URL without a scheme) refuses to start with a message naming the variable, instead of
failing on every request. The rest of the package gets these values as arguments: no other module
reads `os.environ`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ENVIRONMENTS = ("development", "production", "testing")   # testing: the test suite's app
DEFAULT_SENDER = "noreply@portal.example"
# deploy/portal.env.example's PORTAL_SECRET_KEY: copied unchanged, it is a secret everybody knows.
EXAMPLE_SECRET = "change-me-to-a-long-random-value"
MIN_SECRET_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The portal cannot start with this configuration; the message says what to set."""


def _text(value: str) -> str:
    return value.strip()


def _environment(value: str) -> str:
    value = value.strip().lower()
    if value not in ENVIRONMENTS:
        raise ValueError(f"expected one of {', '.join(ENVIRONMENTS)}")
    return value


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("", "0", "false", "no", "off"):
        return False
    raise ValueError("expected 1 or 0 (true or false)")


def _seconds(value) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError("expected a number of seconds, e.g. 3") from None
    if seconds < 0:
        raise ValueError("cannot be negative")
    return seconds


def _count(value) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError("expected a whole number, e.g. 3") from None
    if number < 0:
        raise ValueError("cannot be negative")
    return number


def proxy_count(value) -> int:
    """A number of proxies: unset/false/0 -> 0, true -> 1, "2" -> 2; anything else is an error
    (a typo must not silently trust forged client addresses)."""
    if value in (None, "", False, 0):
        return 0
    if value is True:
        return 1
    text = str(value).strip().lower()
    if text in ("true", "yes", "on"):
        return 1
    if text in ("false", "no", "off"):
        return 0
    try:
        count = int(text)
    except ValueError:
        raise ValueError("give the number of proxies in front of the app (e.g. 1)") from None
    if count < 0:
        raise ValueError("cannot be negative")
    return count


def _database_url(value: str) -> str:
    value = value.strip()
    scheme = urlparse(value).scheme
    if scheme == "sqlite" and not value.startswith("sqlite:///"):
        raise ValueError("write sqlite:///relative/path or sqlite:////absolute/path")
    if scheme not in ("sqlite", "postgresql", "postgres"):
        raise ValueError(f"unsupported database {scheme!r} (use sqlite:///path or postgresql://...)")
    return value


def _smtp_url(value: str) -> str:
    value = value.strip()
    parts = urlparse(value)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("expected smtps://user:pass@host:465 or smtp://user:pass@host:587?starttls=1")
    return value


def _limits(value: str) -> str:
    """A list of limits in the `limits` package's notation: "10 per minute;60 per day"."""
    # Imported here: `limits` takes a quarter second to import, and only the web app's limits need
    # it; the worker and the admin commands start without it.
    import limits

    value = value.strip()
    try:
        if not limits.parse_many(value):
            raise ValueError
    except ValueError:
        raise ValueError("expected limits such as '10 per minute;60 per day'") from None
    return value


def limit_rules(value: str) -> tuple[tuple[int, int], ...]:
    """((amount, seconds), ...) of a checked limits text: "10 per minute" -> ((10, 60),)."""
    import limits  # see _limits: only the web app needs it

    return tuple((item.amount, item.get_expiry()) for item in limits.parse_many(value))


def _public_url(value: str) -> str:
    value = value.strip().rstrip("/")
    parts = urlparse(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError("expected the address staff open the backend at, e.g. https://www.opwijk.be")
    return value


def _path(value: str) -> Path:
    return Path(value).expanduser()


@dataclass(frozen=True)
class Setting:
    name: str                          # the variable without `PORTAL_`
    default: object
    parse: Callable[[str], object]
    help: str


SETTINGS = (
    Setting("ENV", "production", _environment,
            "`production` (the default under gunicorn) or `development` (`portal serve`, `portal preview`)"),
    Setting("SECRET_KEY", None, _text,
            "signs the forms' security codes and the receipt links; required in production"),
    Setting("ROOT", None, _path,
            "the project folder (site_config/, forms/, templates/); default: the working directory "
            "when it has site_config/, else this checkout"),
    Setting("DATABASE_URL", None, _database_url,
            "`sqlite:////srv/portal/instance/portal.sqlite3` or `postgresql://user:pass@host/db`; "
            "default: SQLite under instance/"),
    Setting("SMTP_URL", None, _smtp_url,
            "`smtps://user:pass@host:465` or `smtp://user:pass@host:587?starttls=1`; unset: each message "
            "is written as an .eml file under instance/mail/"),
    Setting("MAIL_FROM", DEFAULT_SENDER, _text, "the sender address of every message"),
    Setting("SITE_DIR", None, _path, "where `portal build` writes and `portal serve` reads (default: site/)"),
    Setting("PROXY_FIX", 0, proxy_count,
            "behind nginx: `1` (the number of proxies whose X-Forwarded-* headers to trust)"),
    Setting("RATELIMIT_ENABLED", True, _flag, "`0` turns rate limiting off (load tests from one address)"),
    Setting("RATELIMIT_STORAGE_URL", "memory://", _text,
            "where rate-limit counters live: memory (per process) or a shared store, e.g. redis://host:6379"),
    Setting("RATELIMIT_FORM", "20 per minute;200 per hour", _limits,
            "form POSTs (any: answers, check page, send) per client address, across every form and site; "
            "counted by Flask-Limiter in RATELIMIT_STORAGE_URL"),
    Setting("RATELIMIT_ADDRESS", "10 per minute;60 per day", _limits,
            "stored applications per client address across every form and site; counted in the database, "
            "so every worker and server sharing it counts together"),
    Setting("CONFIRMATIONS_PER_RECIPIENT", 3, _count,
            "citizen confirmations to one e-mail address per 24 hours; beyond it the application is stored and "
            "the office mailed, without a confirmation"),
    Setting("INBOX_ALERT_PER_HOUR", 30, _count,
            "applications to one office inbox in an hour beyond which `portal outbox` and /healthz show an alert "
            "(they are stored and delivered all the same)"),
    Setting("SMTP_INSECURE", False, _flag,
            "`1` allows an `smtp://` URL without STARTTLS to a host other than this machine: password and "
            "applications cross the network unencrypted"),
    Setting("FORM_MIN_FILL_SECONDS", 3.0, _seconds,
            "a form sent back faster than this is treated as a robot's"),
    Setting("PUBLIC_URL", None, _public_url,
            "the backend's address as staff open it, the domain of one of the server's sites (nginx passes /office/ "
            "on there), e.g. https://www.opwijk.be: the office e-mails and the staff sign-in links point there; "
            "unset: the address of the request (set it in production, so a forged Host header can never put another "
            "host in a sign-in link)"),
    Setting("RATELIMIT_SIGN_IN", "5 per minute;30 per hour", _limits,
            "staff sign-in requests (POST /office/sign-in) per client address"),
    Setting("WTF_CSRF_ENABLED", True, _flag,
            "`0` turns the forms' CSRF check off: for load tests that post without a browser, never on a public server"),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}


def project_root(configured: Path | str | None = None) -> Path:
    """The folder holding mkdocs.yml, site_config/ and content/.

    `configured` wins, then PORTAL_ROOT; else the working directory when it has a `site_config/`;
    else the repository this package was installed from (editable install). The site build and
    `portal check` call it without an argument (they have no other configuration).
    """
    configured = configured or os.environ.get("PORTAL_ROOT")
    if configured:
        return Path(configured).resolve()
    cwd = Path.cwd()
    if (cwd / "site_config").is_dir():
        return cwd
    return Path(__file__).resolve().parents[2]


def quiet_mkdocs() -> None:
    """Silence mkdocs-material's end-of-life banner (NO_MKDOCS_2_WARNING, read by the theme): it
    is printed on every build and tells an officer nothing. Called by the command line only."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def choose_municipality(slug: str) -> None:
    """The municipality plain `mkdocs build`/`serve` builds: mkdocs.yml reads PORTAL_MUNICIPALITY
    with its `!ENV` tag, on every rebuild. `portal preview` sets it; the portal itself never reads it."""
    os.environ["PORTAL_MUNICIPALITY"] = slug


def from_environ(environ: Mapping[str, str] | None = None) -> dict:
    """The `PORTAL_*` variables that are set, parsed. Raises ConfigurationError naming the variable."""
    environ = os.environ if environ is None else environ
    values = {}
    for setting in SETTINGS:
        raw = environ.get(f"PORTAL_{setting.name}")
        if raw is None or raw == "":
            continue
        values[setting.name] = _parse(setting, raw)
    return values


def _parse(setting: Setting, raw):
    try:
        return setting.parse(raw)
    except ValueError as exc:
        shown = "(hidden)" if setting.name == "SECRET_KEY" else repr(raw)
        raise ConfigurationError(f"PORTAL_{setting.name}={shown}: {exc}") from None


def load(overrides: Mapping | None = None, *, environ: Mapping[str, str] | None = None,
         defaults: Mapping | None = None) -> dict:
    """The portal's configuration: `defaults` (a command's own, e.g. ENV=development), then the
    environment, then `overrides` (a test's mapping), checked as a whole.

    Keys are the names of `SETTINGS` (without `PORTAL_`); other keys of `overrides` (Flask's own)
    pass through untouched. Raises ConfigurationError with the variable's name and the fix.
    """
    config = {setting.name: setting.default for setting in SETTINGS}
    config.update(defaults or {})
    config.update(from_environ(environ))
    for key, value in (overrides or {}).items():
        config[key] = _parse(BY_NAME[key], value) if key in BY_NAME and isinstance(value, str) else value
    config["ROOT"] = project_root(config.get("ROOT"))
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{config['ROOT'] / 'instance' / 'portal.sqlite3'}"
    config["SITE_DIR"] = Path(config.get("SITE_DIR") or config["ROOT"] / "site")
    config["MAIL_DIR"] = config["ROOT"] / "instance" / "mail"
    _check(config)
    return config


LOOPBACK_NAMES = ("localhost", "localhost.localdomain")


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _check_smtp(config: dict) -> None:
    """A mail server on another host is reached over TLS (smtps:// or ?starttls=1) unless
    PORTAL_SMTP_INSECURE=1 says plain text is meant."""
    url = config.get("SMTP_URL")
    if not url or config.get("SMTP_INSECURE"):
        return
    parts = urlparse(str(url))
    starttls = parse_qs(parts.query).get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
    if parts.scheme == "smtp" and not starttls and not is_loopback(parts.hostname or ""):
        raise ConfigurationError(
            f"PORTAL_SMTP_URL: smtp:// to {parts.hostname} without STARTTLS would send the mail password and "
            "every application unencrypted. Use smtps://user:pass@host:465 or "
            "smtp://user:pass@host:587?starttls=1; set PORTAL_SMTP_INSECURE=1 only if plain text is really meant."
        )


def _check(config: dict) -> None:
    _check_smtp(config)
    try:
        Address(addr_spec=str(config["MAIL_FROM"]))
    except (ValueError, IndexError):
        raise ConfigurationError(
            f"PORTAL_MAIL_FROM={config['MAIL_FROM']!r}: expected a plain e-mail address such as noreply@ocmw.example"
        ) from None


def check_public_url(config: dict) -> None:
    """The web app's own requirement in production: PORTAL_PUBLIC_URL set, as the request's Host
    header (which anyone can forge when gunicorn is reached without the shipped nginx) must never
    decide where a sign-in link or an office e-mail points. Raises ConfigurationError."""
    if config["ENV"] == "production" and not config.get("PUBLIC_URL"):
        raise ConfigurationError(
            "PORTAL_PUBLIC_URL is not set (PORTAL_ENV=production). The staff sign-in links and the office "
            "e-mails point there; without it they would take the host from the request, which anyone can forge. "
            "Set it to the address staff open, e.g. https://www.opwijk.be (a site of this server; nginx passes "
            "/office/ on there)."
        )


def check_secret(config: dict) -> None:
    """The web app's own requirement (the admin commands sign nothing): a secret outside development.
    Raises ConfigurationError."""
    if not config.get("SECRET_KEY") and config["ENV"] != "development":
        raise ConfigurationError(
            f"PORTAL_SECRET_KEY is not set (PORTAL_ENV={config['ENV']}). It signs the forms' security codes and "
            "the receipt links: set it to a long random value, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`, "
            "or run with PORTAL_ENV=development for a local test."
        )
    secret = str(config.get("SECRET_KEY") or "")
    if config["ENV"] == "production" and (len(secret) < MIN_SECRET_LENGTH or EXAMPLE_SECRET in secret):
        why = "is the example's text" if EXAMPLE_SECRET in secret else f"is shorter than {MIN_SECRET_LENGTH} characters"
        raise ConfigurationError(
            f"PORTAL_SECRET_KEY {why}: anybody could forge the forms' security codes and receipt links. "
            "Set it to a long random value, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`."
        )
