"""The PORTAL_* variables: read once, checked at start-up, a typo refuses to start with its name."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.common import settings
from portal.common.settings import ConfigurationError
from portal.web import create_app


@pytest.mark.parametrize("name, value", [
    ("PORTAL_ENV", "prod"),
    ("PORTAL_FORM_MIN_FILL_SECONDS", "3s"),
    ("PORTAL_SMTP_URL", "mail.example.org:587"),
    ("PORTAL_DATABASE_URL", "mysql://localhost/portal"),
    ("PORTAL_RATELIMIT_ENABLED", "maybe"),
    ("PORTAL_MAIL_FROM", "Social House <not an address"),
    ("PORTAL_RATELIMIT_SIGN_IN", "bogus"),          # was free text: a typo turned the staff sign-in limit off
    ("PORTAL_RATELIMIT_SIGN_IN", "5 per minuut"),
])
def test_a_malformed_variable_refuses_to_start_and_names_itself(name, value, monkeypatch):
    monkeypatch.setenv(name, value)
    monkeypatch.setenv("PORTAL_SECRET_KEY", "k" * 40)
    with pytest.raises(ConfigurationError, match=name):
        create_app()
    result = CliRunner().invoke(main, ["outbox"])       # the admin commands read the same settings
    assert result.exit_code == 1 and name in result.output, result.output


def test_the_backend_refuses_production_without_a_secret(monkeypatch):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_ENV", "production")
    with pytest.raises(ConfigurationError, match="PORTAL_SECRET_KEY"):
        create_app()


def test_values_are_parsed_once_and_defaults_follow_the_root(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_ROOT", str(tmp_path))
    monkeypatch.setenv("PORTAL_FORM_MIN_FILL_SECONDS", "2.5")
    monkeypatch.setenv("PORTAL_PROXY_FIX", "true")
    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    monkeypatch.delenv("PORTAL_SITE_DIR", raising=False)
    config = settings.load()
    assert config["FORM_MIN_FILL_SECONDS"] == 2.5 and config["PROXY_FIX"] == 1
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'portal.sqlite3'}"
    assert config["SITE_DIR"] == tmp_path / "site" and config["MAIL_DIR"] == tmp_path / "instance" / "mail"


def test_a_test_mapping_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("PORTAL_FORM_MIN_FILL_SECONDS", "9")
    assert settings.load({"FORM_MIN_FILL_SECONDS": 0})["FORM_MIN_FILL_SECONDS"] == 0
    with pytest.raises(ConfigurationError, match="PORTAL_FORM_MIN_FILL_SECONDS"):
        settings.load({"FORM_MIN_FILL_SECONDS": "soon"})


def test_the_development_secret_is_kept_in_instance_and_survives_a_restart(scratch_project, tmp_path, monkeypatch):
    """`make run` without PORTAL_SECRET_KEY: a restart must not break the receipt links it gave out."""
    import stat

    from portal.web import DEV_SECRET_FILE

    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_ENV", "development")
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'd.sqlite3'}")
    first = create_app().config["SECRET_KEY"]
    kept = scratch_project / "instance" / DEV_SECRET_FILE
    assert kept.read_text().strip() == first and len(first) >= 32
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600           # a secret: readable by its owner only
    assert create_app().config["SECRET_KEY"] == first            # the second start reads the same key
    assert [p.name for p in kept.parent.iterdir()] == [DEV_SECRET_FILE]    # no draft left behind

    # Production never uses it: it still requires PORTAL_SECRET_KEY.
    monkeypatch.setenv("PORTAL_ENV", "production")
    with pytest.raises(ConfigurationError, match="PORTAL_SECRET_KEY"):
        create_app()
