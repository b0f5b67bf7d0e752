"""Going live with the demo municipalities still in site_config/: their `.example` inboxes
(RFC 2606) would swallow real applications while the citizen gets a receipt, and a site without
`site_url` links to /<slug>/ paths that only `portal serve` has.

`portal check` warns about both (file:line), `--strict` and PORTAL_ENV=production make them
errors, and the form backend refuses to start in production while an application or a reply
would go to an example address.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.common.settings import ConfigurationError
from portal.municipal.reserved import is_reserved_address, is_reserved_host
from portal.web import create_app
from portal.web.pages import public_url
from tests.conftest import ROOT

SECRET = "k" * 40


def run_check(*args):
    return CliRunner().invoke(main, ["check", *args])


def line_of(path, text: str) -> int:
    """The line of `path` holding `text` (1-based)."""
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def make_real(project, slug: str, domain: str) -> None:
    """The demo's addresses and site_url on a (made-up) real domain, as a deployment has them."""
    path = project / "site_config" / f"{slug}.yml"
    text = re.sub(r"@[a-z.-]+\.example\b", f"@{domain}", path.read_text(encoding="utf-8"))
    text = re.sub(r"^site_url: .*\n", "", text, flags=re.M)
    path.write_text(text + f"site_url: https://www.{domain}/\n", encoding="utf-8")


@pytest.mark.parametrize("host, reserved", [
    ("opwijk.example", True), ("www.opwijk.example", True), ("Opwijk.Example.", True), ("x.invalid", True),
    ("ocmw.test", True), ("localhost", True), ("example.com", True), ("mail.example.org", True),
    ("opwijk.be", False), ("example.be", False), ("myexample.com", False), ("example.com.be", False),
    ("test.be", False),
])
def test_reserved_names_are_those_of_rfc_2606_and_6761(host, reserved):
    assert is_reserved_host(host) is reserved
    assert is_reserved_address(f"welzijn@{host}") is reserved
    assert not is_reserved_address(host)        # not an address at all


def test_check_warns_about_every_example_address_with_file_and_line(scratch_project):
    config = scratch_project / "site_config" / "opwijk.yml"
    result = run_check("opwijk")
    assert result.exit_code == 0, result.output        # a warning: the demos pass a plain check
    expected = {
        "inboxes.support-application: welzijn@opwijk.example": line_of(config, "support-application: welzijn@"),
        "inboxes.wijk-werken: wijkwerken@opwijk.example": line_of(config, "wijk-werken: wijkwerken@"),
        "offices[welzijn].email: dewegwijzer@opwijk.example": line_of(config, "email: dewegwijzer@"),
        "privacy.dpo.email: dpo@opwijk.example": line_of(config, "dpo: {email:"),
        "accessibility.contact: toegankelijkheid@opwijk.example": line_of(config, "accessibility: {contact:"),
        "site_url https://opwijk.example/": line_of(config, "site_url:"),
    }
    for text, line in expected.items():
        assert f"site_config/opwijk.yml:{line}: warning: {text}" in result.output, (text, result.output)
    assert "git rm site_config/<demo>.yml" in result.output          # the hint says how to get rid of them

    strict = run_check("--strict", "opwijk")
    assert strict.exit_code == 1, strict.output


def test_under_production_the_example_addresses_are_errors(scratch_project, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")      # `portal-admin check` reads portal.env
    result = run_check("opwijk")
    assert result.exit_code == 1, result.output
    assert "site_config/opwijk.yml:" in result.output and ": error: inboxes.support-application: " in result.output


def test_a_site_without_site_url_cannot_be_published(scratch_project, monkeypatch):
    """Antwerpen's demo has no site_url: a warning, an error with --strict, naming the key and an example."""
    result = run_check("antwerpen")
    finding = "site_config/antwerpen.yml:1: warning: no site_url"
    assert result.exit_code == 0 and finding in result.output, result.output
    assert "site_url: https://www." in result.output                 # the hint's example
    assert run_check("--strict", "antwerpen").exit_code == 1


def test_a_real_configuration_has_none_of_these_findings(scratch_project, monkeypatch):
    make_real(scratch_project, "opwijk", "opwijk-ocmw.be")
    monkeypatch.setenv("PORTAL_ENV", "production")
    result = run_check("opwijk")
    assert "reserved example name" not in result.output and "no site_url" not in result.output, result.output
    assert result.exit_code == 0, result.output


def test_production_refuses_to_start_while_an_inbox_is_a_demo_placeholder(scratch_project, tmp_path, monkeypatch):
    """A new municipality next to the Antwerpen demo: postcode 2000 on its form would be routed to
    sociale.centra@antwerpen.example. The backend names the file, line and key instead of starting."""
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_SECRET_KEY", SECRET)
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    monkeypatch.setenv("PORTAL_MAIL_FROM", "noreply@opwijk-ocmw.be")
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://www.opwijk-ocmw.be")
    for demo in ("sint-gillis", "eupen", "turnhout"):
        (scratch_project / "site_config" / f"{demo}.yml").unlink()
    make_real(scratch_project, "opwijk", "opwijk-ocmw.be")            # "your own" municipality
    config = scratch_project / "site_config" / "antwerpen.yml"
    with pytest.raises(ConfigurationError) as refused:
        create_app()
    message = str(refused.value)
    line = line_of(config, "support-application: sociale.centra@")
    assert f"{config}:{line}: inboxes.support-application: sociale.centra@antwerpen.example" in message, message
    assert "git rm site_config/<demo>.yml" in message
    assert "opwijk.yml" not in message

    # The demo removed, as docs/deploy.md says: it starts.
    config.unlink()
    app = create_app()
    assert list(app.extensions["portal_municipalities"]) == ["opwijk"]


def test_production_refuses_an_office_address_on_an_example_name(scratch_project, tmp_path, monkeypatch):
    """The office's address is the Reply-To of the citizen's confirmation: a reply must reach a person."""
    for demo in ("sint-gillis", "eupen", "turnhout", "antwerpen"):
        (scratch_project / "site_config" / f"{demo}.yml").unlink()
    make_real(scratch_project, "opwijk", "opwijk-ocmw.be")
    config = scratch_project / "site_config" / "opwijk.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("dewegwijzer@opwijk-ocmw.be", "dewegwijzer@opwijk.test"),
                      encoding="utf-8")
    settings = {"ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
                "MAIL_FROM": "noreply@opwijk-ocmw.be", "PUBLIC_URL": "https://www.opwijk-ocmw.be"}
    with pytest.raises(ConfigurationError, match=re.escape(f"{config}:{line_of(config, 'dewegwijzer@')}: "
                                                           "offices[welzijn].email: dewegwijzer@opwijk.test")):
        create_app(settings)
    # Development and the test suite's own mode start on the demos as before.
    assert create_app({**settings, "ENV": "development"})
    assert create_app({**settings, "ENV": "testing"})


def test_production_refuses_to_send_from_an_example_sender(scratch_project, tmp_path):
    """PORTAL_MAIL_FROM left at its default (noreply@portal.example): every mail would bounce at a
    receiving server that checks the sender's domain, the office's as well."""
    for demo in ("sint-gillis", "eupen", "turnhout", "antwerpen"):
        (scratch_project / "site_config" / f"{demo}.yml").unlink()
    make_real(scratch_project, "opwijk", "opwijk-ocmw.be")
    settings = {"ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
                "PUBLIC_URL": "https://www.opwijk-ocmw.be"}
    with pytest.raises(ConfigurationError) as refused:
        create_app(settings)
    assert "PORTAL_MAIL_FROM: noreply@portal.example" in str(refused.value)
    assert "opwijk.yml" not in str(refused.value)
    assert create_app({**settings, "MAIL_FROM": "noreply@opwijk-ocmw.be"})


def test_production_refuses_links_to_a_forged_or_example_host(scratch_project, tmp_path):
    """Without PORTAL_PUBLIC_URL the sign-in links and office e-mails would take the request's
    Host header (anyone can send one); the example file's value would make every link dead."""
    for demo in ("sint-gillis", "eupen", "turnhout", "antwerpen"):
        (scratch_project / "site_config" / f"{demo}.yml").unlink()
    make_real(scratch_project, "opwijk", "opwijk-ocmw.be")
    settings = {"ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
                "MAIL_FROM": "noreply@opwijk-ocmw.be"}
    with pytest.raises(ConfigurationError, match="PORTAL_PUBLIC_URL is not set"):
        create_app(settings)
    example = (ROOT / "deploy" / "portal.env.example").read_text()
    placeholder = re.search(r"^PORTAL_PUBLIC_URL=(\S+)$", example, re.M).group(1)
    with pytest.raises(ConfigurationError, match=re.escape(f"PORTAL_PUBLIC_URL: {placeholder}")):
        create_app({**settings, "PUBLIC_URL": placeholder})
    app = create_app({**settings, "PUBLIC_URL": "https://www.opwijk-ocmw.be"})
    with app.test_request_context("/office/sign-in", base_url="http://evil.test"):
        assert public_url() == "https://www.opwijk-ocmw.be"


def test_the_nginx_configuration_needs_the_site_url_too(scratch_project):
    """deploy/render.py takes each domain from site_url, and stops on a file without it, naming it."""
    result = subprocess.run([sys.executable, str(ROOT / "deploy" / "render.py"), "--http-only", "opwijk", "antwerpen"],
                            cwd=scratch_project, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and not result.stdout, result.stdout
    assert "antwerpen: no site_url in site_config/antwerpen.yml" in result.stderr, result.stderr
    assert "docs/deploy.md section 3" in result.stderr
    alone = subprocess.run([sys.executable, str(ROOT / "deploy" / "render.py"), "--http-only", "opwijk"],
                           cwd=scratch_project, capture_output=True, text=True, timeout=60)
    assert alone.returncode == 0 and "server_name opwijk.example;" in alone.stdout, alone.stderr
