"""`portal check`: each problem named with its file and line, exit 1 on errors."""

from __future__ import annotations

import re
import textwrap

from click.testing import CliRunner

from portal.cli import main

BROKEN_BILINGUAL = textwrap.dedent("""\
    slug: brokenville
    name: {fr: Brokenville, nl: Brokenstad}
    languages: [fr, nl]
    branding: {primary_color: "#00594f", accent_color: "#f2a900"}
    social_house: {fr: CPAS de Brokenville}
    postcodes: ["1060"]
    offices:
      - id: main
        name: {fr: Accueil, nl: Onthaal}
        address: {street: Rue Haute 1, postcode: "1060", city: {fr: Brokenville, nl: Brokenstad}}
        phone: "02 600 00 00"
        email: cpas@brokenville.example
        hours: "Mo-Fr 09:00-25:00; PH off"
    inboxes:
      support-application: cpas@brokenville.example
    services: [leefloon, leefloonn]
    """)


def run_check(*args):
    return CliRunner().invoke(main, ["check", *args])


def test_check_names_each_problem_with_file_and_line(scratch_project):
    config = scratch_project / "site_config" / "brokenville.yml"
    config.write_text(BROKEN_BILINGUAL, encoding="utf-8")
    result = run_check("brokenville")
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()

    def finding(line_no, pattern):
        prefix = f"site_config/brokenville.yml:{line_no}: error: "
        return any(prefix in line and re.search(pattern, line) for line in lines)

    assert finding(5, r"social_house: missing 'nl' translation"), result.output
    assert finding(13, r"hours .*25:00"), result.output
    assert finding(16, r"unknown service 'leefloonn'.*did you mean 'leefloon'"), result.output


def test_check_passes_on_the_examples(example_slugs):
    result = run_check()
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_check_rejects_an_unknown_municipality():
    result = run_check("atlantis")
    assert result.exit_code == 2
    assert "no municipality 'atlantis'" in result.output


def test_a_macro_typo_is_reported_at_its_line(scratch_project, example_slugs):
    slug = example_slugs[0]
    page = scratch_project / "content" / "nl" / "index.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    lines.append("")
    lines.append("{{ contact_kaart() }}")
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_check(slug)
    assert result.exit_code == 1
    assert f"content/nl/index.md:{len(lines)}: error: macro: 'contact_kaart' is undefined" in result.output, result.output


def test_an_unknown_office_id_in_a_macro_is_reported(scratch_project, example_slugs):
    slug = example_slugs[0]
    page = scratch_project / "content" / "nl" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + '\n{{ contact_card("nergens") }}\n', encoding="utf-8")
    result = run_check(slug)
    assert result.exit_code == 1
    assert "unknown office id 'nergens'" in result.output, result.output


def test_a_postcode_two_municipalities_list_is_an_error_naming_both(scratch_project):
    opwijk = (scratch_project / "site_config" / "opwijk.yml").read_text(encoding="utf-8")
    zuid = opwijk.replace("slug: opwijk", "slug: zuid")
    (scratch_project / "site_config" / "zuid.yml").write_text(zuid, encoding="utf-8")
    (scratch_project / "site_config" / "zuid").mkdir(exist_ok=True)
    for logo in (scratch_project / "site_config" / "opwijk").glob("logo.*"):
        (scratch_project / "site_config" / "zuid" / logo.name).write_bytes(logo.read_bytes())
    line = next(i for i, text in enumerate(zuid.splitlines(), 1) if text.startswith("postcodes:"))
    # Checking only the newcomer still compares it with every other municipality.
    result = run_check("zuid")
    assert result.exit_code == 1, result.output
    assert f"site_config/zuid.yml:{line}: error: postcode '1745' is also listed by site_config/opwijk.yml:{line}" in result.output, result.output
    # Checking all: the pair is reported once.
    result = run_check()
    assert result.exit_code == 1, result.output
    assert result.output.count("postcode '1745' is also listed") == 1, result.output
