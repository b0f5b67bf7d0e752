"""What a newcomer reads is complete: every config key, command, macro and setting is documented
(datasette's habit). A new key or command without its line in the docs fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.cli import main
from portal.common.settings import SETTINGS
from portal.municipal.config import KEYS
from portal.site.render import MACRO_NAMES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
AUTHORS = (ROOT / "docs" / "authors.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("key", [key.name for key in KEYS])
def test_every_key_of_the_municipality_file_has_a_row_in_the_authors_guide(key):
    assert f"| `{key}` |" in AUTHORS


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_the_readme(command):
    assert f"`portal {command}" in README


@pytest.mark.parametrize("macro", MACRO_NAMES)
def test_every_macro_is_explained_to_authors(macro):
    # In a row of the macro table, as an author writes it: {{ name(...) }}, {{ name }} or {% if name(...) %}.
    assert re.search(r"\{[{%] (?:if )?" + re.escape(macro) + r"[ (]", AUTHORS), macro


@pytest.mark.parametrize("name", [setting.name for setting in SETTINGS])
def test_every_setting_is_in_the_readme(name):
    assert f"`PORTAL_{name}`" in README


ENV_EXAMPLE = (ROOT / "deploy" / "portal.env.example").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [setting.name for setting in SETTINGS])
def test_every_setting_is_explained_in_the_example_environment_file(name):
    """The README says the example file explains each variable: each has its (maybe commented) line."""
    assert re.search(rf"^(?:# )?PORTAL_{name}=", ENV_EXAMPLE, re.M), name


GUIDES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "bench").glob("*.md"))]


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_file_of_the_package_a_guide_names_exists(guide):
    """Paths such as `portal/store/pg.py` (not `portal/store_pg.py`, from before the package was
    split into its parts) lead a reader to the file."""
    text = guide.read_text(encoding="utf-8")
    named = set(re.findall(r"(?<![\w/.-])(portal/[\w/.-]*\w)", text))
    assert not sorted(path for path in named if not (ROOT / path).exists())
