"""`portal check`: each problem named with its file and line, exit 1 on errors."""

from __future__ import annotations

import re
import textwrap

from click.testing import CliRunner

from portal.cli import main
from portal.municipal.config import load_all

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
    privacy: {dpo: {email: dpd@brokenville.example}}
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


def test_an_unclosed_brace_in_a_config_is_reported_where_it_was_opened(scratch_project):
    config = scratch_project / "site_config" / "opwijk.yml"
    lines = config.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("social_house:"))
    lines[line - 1] = lines[line - 1].rstrip().removesuffix("}")
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_check("opwijk")
    assert result.exit_code == 1, result.output
    assert re.search(rf"site_config/opwijk.yml:{line}: error: invalid YAML: .*the {{ on this line is not closed; noticed on line \d+.*\(hint: close it", result.output), result.output


def test_every_macro_mistake_of_a_page_is_reported(scratch_project, example_slugs):
    page = scratch_project / "content" / "nl" / "index.md"
    before = len(page.read_text(encoding="utf-8").splitlines())
    page.write_text(page.read_text(encoding="utf-8") + '\n{{ contact_kaart() }}\n\n{{ form_button("wijk-werkn") }}\n\n{{ opening_hours("nergens") }}\n', encoding="utf-8")
    result = run_check(example_slugs[0])
    assert f"content/nl/index.md:{before + 2}: error: macro: 'contact_kaart' is undefined (hint: did you mean contact_card?)" in result.output, result.output
    assert f"content/nl/index.md:{before + 4}: error: macro: unknown form 'wijk-werkn' (hint: did you mean 'wijk-werken'?)" in result.output, result.output
    assert f"content/nl/index.md:{before + 6}: error: macro: unknown office id 'nergens'" in result.output, result.output


def test_a_mistake_on_a_shared_page_is_reported_once_naming_the_sites_it_affects(scratch_project, example_slugs):
    """content/nl/leefloon.md is published by several sites: one finding each, one hint."""
    page = scratch_project / "content" / "nl" / "leefloon.md"
    before = len(page.read_text(encoding="utf-8").splitlines())
    page.write_text(page.read_text(encoding="utf-8") + '\n{{ contact_card("sociaal") }}\n\nZie [werk](wijk-werk.md).\n\n![Kaart](kaartje.png)\n',
                    encoding="utf-8")
    result = run_check()
    out = result.output
    office = [line for line in out.splitlines() if "unknown office id 'sociaal'" in line]
    assert len(office) == 1, out
    nl_sites = sorted(m.slug for m in load_all().values() if "nl" in m.languages and "leefloon" in m.services)
    assert f"(on the sites {', '.join(nl_sites)})" in office[0], office[0]
    assert office[0].count("(hint: ") == 1 and "office ids per site: " in office[0], office[0]
    link = [line for line in out.splitlines() if "'wijk-werk.md' does not resolve" in line]
    assert len(link) == 1 and f"leefloon.md:{before + 4}:" in link[0] and "did you mean wijk-werken.md?" in link[0], out
    image = [line for line in out.splitlines() if "kaartje.png" in line]
    assert len(image) == 1 and "image 'kaartje.png' not found" in image[0] and "put the image file in content/nl/" in image[0], out
    assert "e.g. index.md" not in image[0]
