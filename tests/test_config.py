"""The municipality config loader: schema, translations, file:line findings."""

from __future__ import annotations

import textwrap

import pytest

from portal.common.findings import PortalError
from portal.municipal.config import check_municipality, load_municipality

GOOD = textwrap.dedent("""\
    slug: testdorp
    name: {nl: Testdorp}
    languages: [nl]
    branding: {primary_color: "#00594f", accent_color: "#f2a900"}
    social_house: {nl: Sociaal Huis Testdorp}
    postcodes: ["9999"]
    offices:
      - id: welzijn
        name: {nl: Welzijn}
        address: {street: Dorpsplein 1, postcode: "9999", city: {nl: Testdorp}}
        phone: "0800 113 41"
        email: welzijn@testdorp.example
        hours: "Mo-Fr 09:00-12:00; PH off"
    inboxes:
      support-application: welzijn@testdorp.example
    services: [leefloon, onthaal]
    privacy: {dpo: {email: dpo@testdorp.example}}
    """)


def write(tmp_path, text, slug="testdorp"):
    folder = tmp_path / "site_config"
    folder.mkdir(exist_ok=True)
    path = folder / f"{slug}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def messages(tmp_path, text):
    _, findings = check_municipality(write(tmp_path, text))
    return [(f.line, f.message) for f in findings]


def test_a_good_config_loads(tmp_path):
    write(tmp_path, GOOD)
    m = load_municipality("testdorp", tmp_path)
    assert m.default_language == "nl"
    assert m.forms == ["support-application"]
    assert m.office("welzijn").address.postcode == "9999"
    assert m.text(m.name, "nl") == "Testdorp"


def test_unknown_key_is_named_with_its_line(tmp_path):
    assert (18, "unknown key 'servics'") in messages(tmp_path, GOOD + "servics: []\n")


def test_slug_must_equal_file_name(tmp_path):
    found = messages(tmp_path, GOOD.replace("slug: testdorp", "slug: anders"))
    assert (1, "slug 'anders' must equal the file name 'testdorp'") in found


def test_a_bilingual_site_needs_every_translation(tmp_path):
    text = GOOD.replace("languages: [nl]", "languages: [fr, nl]").replace("name: {nl: Testdorp}", "name: {fr: Testville, nl: Testdorp}")
    found = messages(tmp_path, text)
    assert (5, "social_house: missing 'fr' translation") in found
    assert (9, "office welzijn.name: missing 'fr' translation") in found


def test_postcodes_must_be_quoted_four_digits(tmp_path):
    found = messages(tmp_path, GOOD.replace('postcodes: ["9999"]', "postcodes: [999, \"12345\"]"))
    assert any(line == 6 and "postcode 999" in msg for line, msg in found)
    assert any(line == 6 and "postcode '12345'" in msg for line, msg in found)


def test_bad_colour(tmp_path):
    found = messages(tmp_path, GOOD.replace('"#00594f"', '"green"'))
    assert any(line == 4 and "primary_color 'green'" in msg for line, msg in found)


def test_unknown_form_inbox(tmp_path):
    text = GOOD.replace("inboxes:\n", "inboxes:\n  fietsherstel: x@testdorp.example\n")
    assert (15, "inboxes: unknown form 'fietsherstel'") in messages(tmp_path, text)


def test_malformed_yaml_names_the_line(tmp_path):
    with pytest.raises(PortalError) as err:
        write(tmp_path, GOOD.replace("languages: [nl]", "languages: [nl"))
        load_municipality("testdorp", tmp_path)
    assert err.value.findings[0].line in (3, 4)
    assert "invalid YAML" in err.value.findings[0].message


def test_a_key_written_twice_is_named_with_both_lines(tmp_path):
    # A YAML parser keeps the second `hours:` without a word; the author meant one of them.
    line = '    hours: "Mo-Fr 09:00-12:00; PH off"\n'
    assert GOOD.count(line) == 1
    text = GOOD.replace(line, line + '    hours: "Mo 09:00-12:00"\n')
    assert messages(tmp_path, text) == [
        (14, "invalid YAML: 'hours' is written twice in the same place (first on line 13); keep one")]


def test_every_shipped_yaml_file_has_each_key_once():
    # Message catalogues, forms, decisions, the demo municipalities: all read through load_yaml.
    from portal.common.yamlfile import load_yaml
    from tests.conftest import ROOT

    files = [*ROOT.glob("portal/**/*.yml"), *ROOT.glob("forms/*.yml"), *ROOT.glob("site_config/**/*.yml")]
    assert len(files) >= 18
    for path in files:
        load_yaml(path)


def test_missing_municipality_lists_the_known_ones(tmp_path):
    write(tmp_path, GOOD)
    with pytest.raises(PortalError, match="no municipality 'elders' \\(known: testdorp\\)"):
        load_municipality("elders", tmp_path)
