"""`portal new`: a new municipality that checks and builds straight away; questions only at a terminal."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from portal import cli
from portal.cli import main
from portal.municipal.config import load_municipality

NL_ONLY = ["new", "meerdaal", "--name", "Meerdaal", "--languages", "nl", "--postcode", "3040",
           "--street", "Dorpsstraat 1", "--phone", "016 00 00 00", "--email", "ocmw@meerdaal.example",
           "--inbox", "hulp@meerdaal.example", "--wijk-werken-inbox", "wijkwerken@meerdaal.example",
           "--services", "onthaal,leefloon,wijk-werken"]
BILINGUAL = ["new", "bruxelles-sud", "--name", "fr=Bruxelles-Sud", "--name", "nl=Brussel-Zuid",
             "--languages", "fr,nl", "--postcode", "1070", "--postcode", "1190", "--street", "Rue de l'Église 2",
             "--phone", "02 500 00 00", "--email", "cpas@bruxelles-sud.example", "--inbox", "aide@bruxelles-sud.example"]


def invoke(*args, **kwargs):
    return CliRunner().invoke(main, list(args), **kwargs)


@pytest.mark.parametrize("args", [NL_ONLY, BILINGUAL], ids=["nl-only", "bilingual"])
def test_a_new_municipality_checks_and_builds(scratch_project, tmp_path, args):
    slug = args[1]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    config = scratch_project / "site_config" / f"{slug}.yml"
    assert config.is_file() and (scratch_project / "site_config" / slug / "logo.svg").is_file()
    text = config.read_text(encoding="utf-8")
    assert text.count("\n# ") >= 10, "every key is explained by a comment"

    checked = invoke("check", slug)
    assert checked.exit_code == 0, checked.output
    built = invoke("build", slug, "--out", str(tmp_path / "out"))
    assert built.exit_code == 0, built.output

    municipality = load_municipality(slug, scratch_project)
    site = tmp_path / "out" / slug
    assert (site / "index.html").is_file()
    for lang in municipality.languages[1:]:
        assert (site / lang / "index.html").is_file()
    assert municipality.inboxes["support-application"].endswith(".example")
    # The legal pages exist from the start, with a placeholder DPO on the .example domain.
    assert municipality.privacy.dpo_email.endswith(".example")
    for lang in municipality.languages:
        folder = site if lang == municipality.default_language else site / lang
        assert municipality.privacy.dpo_email in (folder / "privacy" / "index.html").read_text(encoding="utf-8")
        assert (folder / "accessibility" / "index.html").is_file()


def test_the_answers_are_written_as_given(scratch_project):
    assert invoke(*BILINGUAL).exit_code == 0
    m = load_municipality("bruxelles-sud", scratch_project)
    assert m.languages == ["fr", "nl"]
    assert m.name == {"fr": "Bruxelles-Sud", "nl": "Brussel-Zuid"}
    assert m.social_house == {"fr": "CPAS de Bruxelles-Sud", "nl": "OCMW Brussel-Zuid"}
    assert m.postcodes == ["1070", "1190"]
    assert m.offices[0].address.street == "Rue de l'Église 2"
    assert m.forms == ["support-application"]
    assert m.privacy.dpo_email == "dpo@bruxelles-sud.example" and m.region == "brussels"
    assert m.accessibility.contact == "cpas@bruxelles-sud.example" and m.accessibility.evaluated is None


def test_a_french_name_with_a_vowel_gets_cpas_d_apostrophe(scratch_project):
    result = invoke("new", "ixelles-est", "--name", "fr=Ixelles-Est", "--name", "nl=Elsene-Oost",
                    "--languages", "fr,nl", "--postcode", "1050", "--street", "Rue de l'Église 2",
                    "--phone", "02 500 00 00", "--email", "cpas@ixelles-est.example", "--inbox", "aide@ixelles-est.example")
    assert result.exit_code == 0, result.output
    assert load_municipality("ixelles-est", scratch_project).social_house["fr"] == "CPAS d'Ixelles-Est"


def test_the_dpo_can_be_given(scratch_project):
    assert invoke(*NL_ONLY, "--dpo", "privacy@meerdaal.example").exit_code == 0
    assert load_municipality("meerdaal", scratch_project).privacy.dpo_email == "privacy@meerdaal.example"


def test_without_a_terminal_missing_options_are_an_error_not_a_question(scratch_project, monkeypatch):
    monkeypatch.setattr(cli, "_stdin_is_terminal", lambda: False)
    result = invoke("new", "leeg", "--name", "Leeg", input="Leeg\n")
    assert result.exit_code == 2, result.output
    assert "missing --languages, --postcode, --street, --phone, --email, --inbox" in result.output
    assert not (scratch_project / "site_config" / "leeg.yml").exists()


def test_at_a_terminal_it_asks_for_what_is_missing(scratch_project, monkeypatch):
    monkeypatch.setattr(cli, "_stdin_is_terminal", lambda: True)
    answers = "\n".join(["nl", "1745", "Kerkstraat 3", "052 00 00 00", "ocmw@vraag.example", "hulp@vraag.example"]) + "\n"
    result = invoke("new", "vraag", "--name", "Vraag", input=answers)
    assert result.exit_code == 0, result.output
    assert "Inbox" in result.output
    assert load_municipality("vraag", scratch_project).postcodes == ["1745"]


def test_bad_answers_are_named_and_nothing_is_overwritten(scratch_project):
    result = invoke(*[("12345" if a == "3040" else a) for a in NL_ONLY])
    assert result.exit_code == 1
    assert "--postcode '12345': expected four digits" in result.output
    existing = invoke(*[("opwijk" if a == "meerdaal" else a) for a in NL_ONLY])
    assert existing.exit_code == 1
    assert "opwijk.yml already exists" in existing.output and "--force" in existing.output
