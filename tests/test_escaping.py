"""Config values are text in the built pages (escaped), `site_url` is an absolute https URL, and
`portal check` refuses active content in pages and configs (issue 14)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from portal.cli import main

EVIL = '<script>alert(1)</script>"><b>'


def test_config_values_are_escaped_in_title_meta_and_header(scratch_project):
    from portal.site.build import build_sites

    config = scratch_project / "site_config" / "turnhout.yml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"^social_house: .*$", "social_house: {nl: 'Sociaal Huis " + EVIL.replace("'", "''") + "'}",
                  text, count=1, flags=re.M)
    config.write_text(text, encoding="utf-8")
    out = scratch_project / "site"
    results = build_sites(["turnhout"], out, scratch_project)
    assert all(r.ok for r in results), [r.error for r in results]
    page = (out / "turnhout" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and '"><b>' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "&lt;script&gt;" in title
    # The whole page: the value never breaks out of an attribute or a text (meta tags included).
    assert not re.search(r'content="[^"]*<', page)


@pytest.mark.parametrize("url", ["http://www.opwijk.be/", "javascript:alert(1)", 'https://x.be/"><script>',
                                 "https://x.be/ onmouseover=alert(1)", "//www.opwijk.be/"])
def test_site_url_must_be_an_absolute_https_url(scratch_project, url):
    config = scratch_project / "site_config" / "opwijk.yml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"^site_url: .*$", "", text, flags=re.M) + f"site_url: '{url}'\n"
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "opwijk"])
    assert result.exit_code == 1 and "site_url" in result.output and "https" in result.output, result.output


@pytest.mark.parametrize("line,what", [
    ("<script>alert(1)</script>", "<script>"),
    ('<img src="x.png" alt="x" onerror="alert(1)">', "on...="),
    ("[Klik](javascript:alert(1))", "javascript:"),
    ("Tekst { onclick=\"alert(1)\" }", "on...="),
])
def test_check_refuses_active_content_in_pages(scratch_project, line, what):
    page = scratch_project / "content" / "nl" / "leefloon.md"
    lines = page.read_text(encoding="utf-8").splitlines() + ["", line]
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "opwijk"])
    assert result.exit_code == 1
    assert f"content/nl/leefloon.md:{len(lines)}: error:" in result.output and what in result.output, result.output


def test_check_refuses_active_content_in_a_config(scratch_project):
    config = scratch_project / "site_config" / "opwijk.yml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"^name: .*$", "name: {nl: 'Opwijk<script src=x></script>'}", text, count=1, flags=re.M)
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "opwijk"])
    assert result.exit_code == 1 and "site_config/opwijk.yml" in result.output and "<script>" in result.output
