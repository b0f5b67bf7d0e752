"""`portal check` lists every problem in one run, each at its file and line: a config error does not
hide the pages' errors, a broken macro does not hide the other macros of its page; a web address
is checked like a file link; hints never suggest what another check refuses, and speak the
author's form and language."""

from __future__ import annotations

import re
import textwrap

import pytest
from click.testing import CliRunner

from portal.cli import main
from tests.conftest import copy_project


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A scratch copy with Opwijk (nl, Flanders) and Sint-Gillis (fr + nl, Brussels)."""
    root = copy_project(tmp_path, slugs=("opwijk", "sint-gillis"))
    monkeypatch.setenv("PORTAL_ROOT", str(root))
    return root


def run_check(*args):
    return CliRunner().invoke(main, ["check", *args])


def lines_at(output: str, path: str, line: int, severity: str = "error") -> list[str]:
    prefix = f"{path}:{line}: {severity}: "
    return [text for text in output.splitlines() if prefix in text]


def line_of(path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def append(path, text: str) -> int:
    """Append `text` after a blank line; the line number its first line gets."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before.rstrip("\n") + "\n\n" + text, encoding="utf-8")
    return len(before.rstrip("\n").splitlines()) + 2


def own_page(project, slug: str, lang: str, name: str, body: str, title: str = "Hulp") -> str:
    path = project / "site_config" / slug / "content" / lang / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: {title}\ndescription: Een pagina.\n---\n\n" + textwrap.dedent(body), encoding="utf-8")
    return f"site_config/{slug}/content/{lang}/{name}"


# --- 1. one error does not hide the others ---------------------------------------------------

def test_a_bad_hours_line_does_not_hide_the_broken_links_of_a_page(project):
    config = project / "site_config" / "opwijk.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '    hours: "Mo-Fr 09:00-12:00; PH off"\n',
        "    hours:\n      maandag: 9u-12u\n      dinsdagg: 9u-12u\n      feestdagen: gesloten\n"), encoding="utf-8")
    leefloon = project / "content" / "nl" / "leefloon.md"
    first = append(leefloon, "Zie [het loket](loket.md).\n\nZie [werk](werk-zoeken.md#bestaat-niet).\n")
    result = run_check("opwijk")
    out = result.output
    assert result.exit_code == 1, out
    assert any('"dinsdagg" is not a day' in f for f in lines_at(out, "site_config/opwijk.yml", line_of(config, "dinsdagg"))), out
    assert any("'loket.md' does not resolve" in f for f in lines_at(out, "content/nl/leefloon.md", first)), out
    assert any("anchor #bestaat-niet does not exist in 'werk-zoeken.md'" in f
               for f in lines_at(out, "content/nl/leefloon.md", first + 2)), out
    # The office whose hours are broken still renders while the pages are checked: no other finding.
    assert "3 error(s)" in out, out


def test_a_yaml_syntax_error_does_not_hide_the_other_keys_nor_the_pages(project):
    config = project / "site_config" / "opwijk.yml"
    text = config.read_text(encoding="utf-8").replace("social_house: {nl: Sociaal Huis De Wegwijzer}",
                                                      "social_house: {nl: Sociaal Huis De Wegwijzer")
    config.write_text(text.replace('email: dewegwijzer@opwijk.example', 'email: dewegwijzer-at-opwijk'), encoding="utf-8")
    page = append(project / "content" / "nl" / "leefloon.md", "Zie [het loket](loket.md).\n")
    result = run_check("opwijk")
    out = result.output
    assert result.exit_code == 1, out
    assert any("invalid YAML" in f and "the { on this line is not closed" in f
               for f in lines_at(out, "site_config/opwijk.yml", line_of(config, "social_house:"))), out
    # A mistake in another key of the same file, and one on a page.
    assert any("is not an e-mail address" in f for f in lines_at(out, "site_config/opwijk.yml", line_of(config, "dewegwijzer-at"))), out
    assert any("'loket.md' does not resolve" in f for f in lines_at(out, "content/nl/leefloon.md", page)), out
    # The broken key is not reported a second time as missing.
    assert "social_house: missing" not in out and "missing required key" not in out, out


def test_pages_are_not_checked_against_a_config_whose_services_cannot_be_read(project):
    config = project / "site_config" / "opwijk.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("services: [", "services: [[", 1), encoding="utf-8")
    result = run_check("opwijk")
    out = result.output
    assert result.exit_code == 1, out
    assert "site_config/opwijk.yml:1: note: the pages of opwijk were not checked: services could not be read" in out, out
    # Not a flood of "opwijk does not list the service ..." for every link to a service.
    assert "does not list the service" not in out, out


def test_a_macro_syntax_error_does_not_hide_the_other_macro_mistakes_of_its_page(project):
    body = "Tekst.\n" * 35 + textwrap.dedent("""\
        {{ contact_card("nergens") }}

        {{ contact_kaart() }}

        {% for x in [1, 2] %}{{ x }} {{ loop.index }}{% endfor %} {% set y = 2 %}{{ y | upper }}

        {{ form_link("support-application", text="het formulier") }}

        {{ opening_hours("welzijn" }}
        """)
    path = own_page(project, "opwijk", "nl", "hulp.md", body)
    result = run_check("opwijk")
    out = result.output
    assert result.exit_code == 1, out
    assert any("unknown office id 'nergens'" in f for f in lines_at(out, path, 41)), out
    assert any("'contact_kaart' is undefined" in f and "did you mean contact_card?" in f for f in lines_at(out, path, 43)), out
    assert any("macro syntax: unexpected '}'" in f and "(hint: a macro is written" in f for f in lines_at(out, path, 49)), out
    # The names a page binds itself, filters and keyword arguments are not unknown macros.
    assert not [f for f in out.splitlines() if path in f and re.search(r"'(x|y|loop|upper|text)' is undefined", f)], out
    assert "3 error(s)" in out, out


# --- 2. web addresses are checked like file links ---------------------------------------------

def test_a_root_absolute_link_is_resolved_in_the_sites_layout(project):
    page = own_page(project, "opwijk", "nl", "hulp.md", """\
        Zie [SPI](/spi/).
        Zie [wie](/leefloon/#voor-wie).
        Zie [privacy](/privacy/#cookies) en [privacy](privacy.md#cookies).
        Zie [artikel 60](../art60/).
        Zie [de startpagina](/).
        Zie [Frans](/fr/leefloon/).
        """)
    out = run_check("opwijk").output
    assert any("link to '/spi/': service 'spi' does not exist in flanders" in f for f in lines_at(out, page, 6)), out
    assert any("link to '/leefloon/#voor-wie' is a web address" in f and "(hint: write leefloon.md#voor-wie" in f
               for f in lines_at(out, page, 7)), out
    assert any("(hint: write privacy.md#cookies" in f for f in lines_at(out, page, 8)), out
    assert len(lines_at(out, page, 8)) == 1, out          # privacy.md#cookies: a generated page, with its anchor
    assert any("link to '../art60/' is a web address" in f and "(hint: write art60.md" in f for f in lines_at(out, page, 9)), out
    assert any("(hint: write index.md" in f for f in lines_at(out, page, 10)), out
    assert any("this site has no 'fr' pages" in f for f in lines_at(out, page, 11)), out


def test_a_root_absolute_link_on_a_site_in_french_first(project):
    """Sint-Gillis: French at /, Dutch at /nl/ (portal.common.paths.page_path)."""
    fr = own_page(project, "sint-gillis", "fr", "aide.md", "Voir [le revenu](/leefloon/) et [NL](/nl/leefloon/#voor-wie).\n", "Aide")
    own_page(project, "sint-gillis", "nl", "aide.md", "Zie [leefloon](/nl/leefloon/) en [x](/nl/bestaat-niet/).\n")
    out = run_check("sint-gillis").output
    found = lines_at(out, fr, 6)
    assert any("'/leefloon/' is a web address" in f and "(hint: write leefloon.md:" in f for f in found), out
    assert any("'/nl/leefloon/#voor-wie' is a web address" in f and "(hint: write ../nl/leefloon.md#voor-wie" in f for f in found), out
    nl = lines_at(out, "site_config/sint-gillis/content/nl/aide.md", 6)
    assert any("'/nl/leefloon/' is a web address" in f and "(hint: write leefloon.md:" in f for f in nl), out
    assert any("'/nl/bestaat-niet/' does not resolve" in f and "link by file name" in f for f in nl), out


def test_the_checks_layout_is_the_built_sites(built_sites, municipalities):
    """Every page a site publishes is where portal.common.paths.page_path says: what the link check assumes."""
    from portal.common.paths import page_path
    from portal.site.content import source_pages
    from tests.conftest import ROOT

    for m in municipalities.values():
        for page in source_pages(m, ROOT):
            built = built_sites / m.slug / page_path(page.name, page.lang, m.default_language)
            assert (built / "index.html" if page.name.endswith(".md") else built).is_file(), (m.slug, page.name)


# --- 3. plain-words hours with a broken note --------------------------------------------------

def test_an_unclosed_bracket_in_plain_hours_is_an_error_with_the_fix(project):
    config = project / "site_config" / "opwijk.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '    hours: "Mo-Fr 09:00-12:00; PH off"\n',
        "    hours:\n      maandag: 9u-12u\n      woensdag: 9u-12u (op afspraak\n      feestdagen: gesloten\n"), encoding="utf-8")
    out = run_check("opwijk").output
    found = lines_at(out, "site_config/opwijk.yml", line_of(config, "woensdag"))
    assert any('the brackets of the note "(op afspraak" do not match' in f and "(hint: close the bracket: (op afspraak))" in f
               for f in found), out


# --- 4. a hint never suggests what the region check refuses -----------------------------------

def test_a_link_to_a_service_of_another_region_says_so_instead_of_add_it(project):
    page = own_page(project, "sint-gillis", "nl", "werk.md", "Zie [wijk-werken](wijk-werken.md).\n")
    own_page(project, "sint-gillis", "fr", "werk.md", "Voir [SPI](spi.md).\n", "Travail")
    out = run_check("sint-gillis").output
    found = lines_at(out, page, 6)
    assert any("service 'wijk-werken' does not exist in brussels (only in flanders)" in f for f in found), out
    assert "add wijk-werken to services" not in out, out
    # A service of the region that the site does not list: adding it is the right hint.
    art61 = own_page(project, "sint-gillis", "fr", "werk.md", "Voir [article 61](art61.md).\n", "Travail")
    assert any("add art61 to services" in f for f in lines_at(run_check("sint-gillis").output, art61, 6))


# --- 5. output details ------------------------------------------------------------------------

def test_findings_are_sorted_by_file_then_line(project):
    config = project / "site_config" / "opwijk.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("logo: logo.svg", "logo: logo.png"), encoding="utf-8")
    own_page(project, "opwijk", "nl", "b.md", "[x](nergens.md)\n\n[y](/nergens/)\n")
    own_page(project, "opwijk", "nl", "a.md", "[x](nergens.md)\n")
    append(project / "content" / "nl" / "leefloon.md", "[x](nergens.md)\n")
    out = run_check("opwijk").output
    located = [re.match(r"(.+?):(\d+): ", line) for line in out.splitlines()]
    keys = [(m.group(1), int(m.group(2))) for m in located if m]
    assert len(keys) >= 5, out
    assert keys == sorted(keys), out


def test_the_logo_error_names_the_folder_from_the_project_root(project):
    config = project / "site_config" / "opwijk.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("logo: logo.svg", "logo: logo.png"), encoding="utf-8")
    out = run_check("opwijk").output
    assert "branding.logo 'logo.png': no such file in site_config/opwijk/ (hint: put the file in site_config/opwijk/" in out, out


def test_front_matter_errors_point_at_their_line_with_a_hint(project):
    werk = project / "content" / "nl" / "werk-zoeken.md"
    werk.write_text(werk.read_text(encoding="utf-8").replace("title: ", "title: Werk: ", 1), encoding="utf-8")
    art60 = project / "content" / "nl" / "art60.md"
    art60.write_text(art60.read_text(encoding="utf-8").replace("service: art60", "service: art6"), encoding="utf-8")
    faq = project / "content" / "nl" / "faq.md"
    text = faq.read_text(encoding="utf-8")
    end = text.index("\n---", 3)
    faq.write_text(text[:end] + text[end + 4:], encoding="utf-8")     # the closing --- deleted
    result = run_check("opwijk")
    out = result.output
    assert any("front matter is not valid YAML: mapping values are not allowed here" in f and "(hint: " in f
               for f in lines_at(out, "content/nl/werk-zoeken.md", line_of(werk, "title:"))), out
    assert any("`service: art60` expected" in f and "(hint: write `service: art60`" in f
               for f in lines_at(out, "content/nl/art60.md", line_of(art60, "service:"))), out
    assert any("front matter is not closed" in f and "(hint: " in f for f in lines_at(out, "content/nl/faq.md", 1)), out
    # services.md lists werk-zoeken with its title: the broken front matter is a finding, not a crash.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def test_plain_words_hours_get_hints_in_plain_words(project):
    config = project / "site_config" / "opwijk.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '    hours: "Mo-Fr 09:00-12:00; PH off"\n', "    hours:\n      maandag-vrijdag: 9u-12u\n"), encoding="utf-8")
    out = run_check("opwijk").output
    found = lines_at(out, "site_config/opwijk.yml", line_of(config, "hours:"), "warning")
    assert any("says nothing about public holidays" in f and 'add the line "feestdagen: gesloten"' in f for f in found), out
    assert "PH off" not in out, out


def test_a_french_author_gets_french_examples(project):
    config = project / "site_config" / "sint-gillis.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '    hours: "Mo-Fr 08:30-12:00, Mo,Th 13:30-16:00; PH off"\n',
        "    hours:\n      lundi à vendredi: 8h30-12h\n      lundi: 8h30-12h, 13h30-16h\n      jours fériés: fermé\n"), encoding="utf-8")
    out = run_check("sint-gillis").output
    found = lines_at(out, "site_config/sint-gillis.yml", line_of(config, "      lundi:"))
    assert any("names Mo again" in f and "e.g. mardi: 8h30-12h, 13h30-16h" in f for f in found), out
    assert "dinsdag" not in out, out
    # OSM's day abbreviations have no language: the site's first language (French) gives the example.
    config.write_text(config.read_text(encoding="utf-8").replace("lundi à vendredi", "Mo-Fr").replace("      lundi:", "      Mo:"),
                      encoding="utf-8")
    out = run_check("sint-gillis").output
    assert "e.g. mardi: 8h30-12h, 13h30-16h" in out and "dinsdag" not in out, out


def test_an_untranslated_note_in_plain_words_is_named_on_its_day_line(project):
    config = project / "site_config" / "sint-gillis.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '    hours: "Mo-Fr 08:30-12:00, Mo,Th 13:30-16:00; PH off"\n',
        "    hours:\n      lundi: 8h30-12h\n      jeudi: 8h30-12h (seulement le courrier)\n      jours fériés: fermé\n"), encoding="utf-8")
    out = run_check("sint-gillis").output
    found = lines_at(out, "site_config/sint-gillis.yml", line_of(config, "jeudi:"))
    assert any('hours: note "seulement le courrier" has no translation' in f
               and "e.g. (sur rendez-vous|op afspraak)" in f for f in found), out
