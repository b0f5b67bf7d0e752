"""docs/authors.md tells the truth: its sample `portal check` output is what the check prints for
the mistakes it describes, its `portal new` example passes the CI recipe (`--strict`), and the
button texts it names are the site's and the editor's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.common.i18n import t
from tests.conftest import copy_project

ROOT = Path(__file__).resolve().parents[1]
AUTHORS = (ROOT / "docs" / "authors.md").read_text(encoding="utf-8")

# The page behind the sample output under "Check your work": a link to a service Opwijk does not
# list, a web address instead of a file, a skipped heading level and a long sentence.
SAMPLE_PAGE = """\
---
title: Leefloon
description: Geld van het OCMW als je niet genoeg inkomen hebt.
service: leefloon
---

## Wat is het?

Het leefloon is geld dat je elke maand krijgt van het OCMW.
Werk je al? Lees dan over [artikel 61](art61.md).

## Voor wie?

#### Wie heeft recht?

Je hebt recht op een leefloon als je in België woont, als je niet genoeg inkomen hebt en als je bereid bent om te werken, tenzij je dat om redenen van gezondheid niet kan.

## Hoe gaat het?

Kom eerst naar [het onthaal](/onthaal/).

## Wat kost het?

Niets.

## Contact

{{ contact_card() }}
"""


def sample_block() -> list[str]:
    section = AUTHORS[AUTHORS.index("## Check your work"):]
    return re.search(r"```text\n(.*?)```", section, re.S).group(1).splitlines()


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = copy_project(tmp_path, slugs=("opwijk",))
    monkeypatch.setenv("PORTAL_ROOT", str(root))
    return root


def test_the_sample_check_output_is_what_the_check_prints(project):
    (project / "content" / "nl" / "leefloon.md").write_text(SAMPLE_PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "opwijk"])
    printed = [line.replace(f"{project}/", "") for line in result.output.splitlines()]
    *findings, summary = sample_block()
    # The page's findings, word for word and in order; other findings of the demo config (none
    # today) are not the sample's business.
    assert [line for line in printed if line.startswith("content/nl/leefloon.md:")] == findings, "\n".join(printed)
    errors, warnings = (sum(f": {kind}: " in line for line in findings) for kind in ("error", "warning"))
    assert summary == f"{errors} error(s), {warnings} warning(s)"


def test_the_new_municipality_example_passes_the_ci_recipe(project):
    block = re.search(r"## A new municipality\n\n```sh\n(.*?)```", AUTHORS, re.S).group(1)
    args = re.findall(r'"[^"]*"|\S+', block.replace("\\\n", " "))
    assert args[:2] == ["portal", "new"], args
    result = CliRunner().invoke(main, [a.strip('"') for a in args[1:]])
    assert result.exit_code == 0, result.output
    slug = args[2]
    recipe = re.search(r"`portal check (--strict) <slug>`", AUTHORS)
    assert recipe, "the CI recipe of 'Publishing through the forge' changed: update this test"
    assert CliRunner().invoke(main, ["check", slug]).exit_code == 0
    # Before publishing, --strict lists the placeholders, and nothing else.
    checked = CliRunner().invoke(main, ["check", recipe.group(1), slug])
    problems = [line for line in checked.output.splitlines() if ": warning: " in line or ": error: " in line]
    assert checked.exit_code == 1 and problems, checked.output
    assert all("reserved example name" in line or "no site_url" in line for line in problems), checked.output


def test_the_quick_exit_button_is_named_as_the_site_shows_it():
    section = AUTHORS[AUTHORS.index("`sensitive: true`"):]
    assert f'"{t("quick_exit.label", "nl")}" /\n  "{t("quick_exit.label", "fr")}"' in section[:300] or \
        f'"{t("quick_exit.label", "nl")}" / "{t("quick_exit.label", "fr")}"' in section[:300], section[:300]


def test_the_editor_sign_in_button_is_named_as_the_editor_shows_it():
    """Decap CMS shows its own words in the locale portal.admin.cms_config sets: the site's first language."""
    decap = (ROOT / "node_modules" / "decap-cms" / "dist" / "decap-cms.js")
    if not decap.is_file():
        pytest.skip("npm packages not installed (make install)")
    words = decap.read_text(encoding="utf-8")
    assert 'login:"Inloggen"' in words and 'login:"Se connecter"' in words
    assert "Press **Inloggen** (a site in French first: **Se connecter**)" in AUTHORS
