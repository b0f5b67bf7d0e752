"""`portal check` as the authors' safety net: a deliberately broken content tree, every finding at its line.

The tree is written here, not copied from content/, so the expected lines cannot drift while the
catalogue is edited.
"""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap

import pytest
from click.testing import CliRunner

from portal.cli import main
from tests.conftest import copy_project

LAST_MONTH = dt.date.today() - dt.timedelta(days=30)
NEXT_MONTH = dt.date.today() + dt.timedelta(days=30)


def config(slug, *, languages, services, closure):
    names = ", ".join(f"{lang}: {slug.title()}" for lang in languages)
    return textwrap.dedent(f"""\
        slug: {slug}
        name: {{{names}}}
        languages: [{", ".join(languages)}]
        branding: {{primary_color: "#00594f", accent_color: "#f2a900"}}
        social_house: {{{", ".join(f"{lang}: OCMW {slug.title()}" for lang in languages)}}}
        postcodes: ["{'1060' if len(languages) > 1 else '1745'}"]
        offices:
          - id: onthaal
            name: {{{names}}}
            address: {{street: Kerkstraat 1, postcode: "1745", city: {{{names}}}}}
            phone: "02 600 00 00"
            email: ocmw@{slug}.example
            hours: "Mo-Fr 09:00-12:00; PH off"
        closures:
          - {{date: {closure.isoformat()}, note: {{{names}}}}}
        inboxes:
          support-application: ocmw@{slug}.example
        services: [{", ".join(services)}]
        privacy: {{dpo: {{email: dpo@{slug}.example}}}}
        """)


def page(title, body, service=None):
    front = f"---\ntitle: {title}\ndescription: Een korte beschrijving.\n" + (f"service: {service}\n" if service else "") + "---\n"
    return front + textwrap.dedent(body)


SECTIONS_NL = "## Wat is het?\n\nUitleg.\n\n## Voor wie?\n\nVoor jou.\n\n## Hoe gaat het?\n\nZo.\n\n## Wat kost het?\n\nNiets.\n\n## Contact\n\nBel ons.\n"
SECTIONS_FR = "## De quoi s'agit-il ?\n\nExplication.\n\n## Pour qui ?\n\nPour vous.\n\n## Comment ça se passe ?\n\nAinsi.\n\n## Combien ça coûte ?\n\nRien.\n\n## Contact\n\nAppelez-nous.\n"
LONG_SENTENCE = " ".join(["woord"] * 30) + "."

# content/nl/leefloon.md: front matter is lines 1-5, the body starts with a blank line 6.
BROKEN_LEEFLOON = page("Leefloon", """
    ## Wat is het?

    Lees eerst [het onthaal](onthaal.md#wat-is-het) en [dit](#wat-is-het).
    Lees ook [het onthaal](onthaal.md#bestaat-niet).
    Zie [ook](onthal.md).
    Zie [artikel 60](art60.md).
    ![](kaart.png)
    ![Kaart van het gemeentehuis](kaart.png)

    #### Voor wie?

    {LONG}

    Een korte zin. {LONG}

    `[code](nergens.md)` is geen link.

    ## Hoe gaat het?

    {{ contact_card("nergens") }}

    ## Contact
    """.replace("{LONG}", LONG_SENTENCE), service="leefloon")
LINE = {"anchor": 10, "typo": 11, "unlisted": 12, "no_alt": 13, "skipped": 16, "long": 18,
        "long_after_short": 20, "office": 26}

ONTHAAL_NL = page("Onthaal", """
    ## Wat is het?

    {{ kontakt() }}
    """, service="onthaal")


@pytest.fixture
def broken_project(tmp_path, monkeypatch):
    project = copy_project(tmp_path, slugs=())
    shutil.rmtree(project / "content")
    files = {
        "site_config/brokenville.yml": config("brokenville", languages=["nl", "fr"], services=["leefloon", "onthaal"], closure=LAST_MONTH),
        "site_config/okstad.yml": config("okstad", languages=["nl"], services=["art60"], closure=NEXT_MONTH),
        "content/nl/index.md": page("Welkom", "Welkom bij [leefloon](leefloon.md).\n"),
        "content/fr/index.md": page("Bienvenue", "Bienvenue au [revenu](leefloon.md#pour-qui).\n"),
        "content/nl/leefloon.md": BROKEN_LEEFLOON,
        "content/fr/leefloon.md": page("Revenu d'intégration", SECTIONS_FR, service="leefloon"),
        "content/nl/onthaal.md": ONTHAAL_NL,
        # okstad's own home page replaces the catalogue's, which links to a service it does not list.
        "site_config/okstad/content/nl/index.md": page("Welkom in Okstad", "Lees over [artikel 60](art60.md#wat-kost-het).\n"),
        "content/nl/art60.md": page("Artikel 60", SECTIONS_NL + "\n" + LONG_SENTENCE + "\n", service="art60"),
    }
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    (project / "content/nl/kaart.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    monkeypatch.setenv("PORTAL_ROOT", str(project))
    return project


def run_check(*args):
    return CliRunner().invoke(main, ["check", *args])


def findings_at(output, path, line, severity="error"):
    prefix = f"{path}:{line}: {severity}: "
    return [text for text in output.splitlines() if prefix in text]


def test_every_content_problem_is_reported_at_its_line(broken_project):
    result = run_check("brokenville")
    out = result.output
    assert result.exit_code == 1, out
    leefloon = "content/nl/leefloon.md"

    assert any("anchor #bestaat-niet does not exist in 'onthaal.md'" in f and "#wat-is-het" in f
               for f in findings_at(out, leefloon, LINE["anchor"])), out
    assert any("'onthal.md' does not resolve" in f and "did you mean onthaal.md?" in f
               for f in findings_at(out, leefloon, LINE["typo"])), out
    assert any("brokenville does not list the service 'art60'" in f and "hint: add art60 to services" in f
               for f in findings_at(out, leefloon, LINE["unlisted"])), out
    assert any("image kaart.png has no alt text" in f for f in findings_at(out, leefloon, LINE["no_alt"])), out
    assert any("heading level skipped: #### 'Voor wie?'" in f and "make it ###" in f
               for f in findings_at(out, leefloon, LINE["skipped"])), out
    assert any("sentence of 30 words" in f for f in findings_at(out, leefloon, LINE["long"], "warning")), out
    assert any("sentence of 30 words" in f for f in findings_at(out, leefloon, LINE["long_after_short"], "warning")), out
    assert any("unknown office id 'nergens'" in f for f in findings_at(out, leefloon, LINE["office"])), out
    sections = findings_at(out, leefloon, 1, "warning")
    assert any('without the section "## Voor wie?"' in f for f in sections), out
    assert any('without the section "## Wat kost het?"' in f for f in sections), out

    # An unknown macro, on the line it is written (front matter: 5 lines, blank, heading, blank).
    assert any("'kontakt' is undefined" in f for f in findings_at(out, "content/nl/onthaal.md", 9)), out
    # A catalogue page this bilingual site lists, missing in French: on the page and on the config.
    assert any("onthaal.md has no 'fr' version" in f for f in findings_at(out, "content/nl/onthaal.md", 1)), out
    assert any("service 'onthaal' is listed but has no 'fr' page" in f
               for f in findings_at(out, "site_config/brokenville.yml", 18)), out
    # A closure already past: a warning on its line of the config.
    assert any(f"closure {LAST_MONTH} is in the past" in f
               for f in findings_at(out, "site_config/brokenville.yml", 15, "warning")), out


def test_what_is_right_is_not_reported(broken_project):
    out = run_check("brokenville").output
    # Valid links and anchors, in either language, the alt-texted image, code spans: nothing.
    assert not [f for f in out.splitlines() if "content/fr/" in f.split(": ")[0]], out
    assert not findings_at(out, "content/nl/index.md", 5), out
    assert not findings_at(out, "content/nl/leefloon.md", 9), out
    assert not findings_at(out, "content/nl/leefloon.md", 14), out
    assert "nergens.md" not in out
    # Each finding carries a hint how to fix it.
    for line in out.splitlines():
        if ": error: " in line and str(broken_project) in line:
            assert "(hint: " in line or "is undefined" in line or "unknown office" in line, line


def test_a_link_to_a_service_is_an_error_only_where_the_service_is_not_listed(broken_project):
    index = broken_project / "content/nl/index.md"
    index.write_text(page("Welkom", "Zie [artikel 60](art60.md).\n"), encoding="utf-8")
    own_index = broken_project / "site_config/okstad/content/nl/index.md"
    own_index.write_text(index.read_text(encoding="utf-8"), encoding="utf-8")
    assert findings_at(run_check("brokenville").output, "content/nl/index.md", 5)
    result = run_check("okstad")
    assert not findings_at(result.output, "index.md", 5), result.output


def test_warnings_fail_only_with_strict(broken_project):
    result = run_check("okstad")
    assert result.exit_code == 0, result.output
    assert findings_at(result.output, "content/nl/art60.md", 26, "warning"), result.output
    # The other warning: okstad lists Opwijk's postcode 1745 (the national postcode table).
    assert "postcode '1745' belongs to Opwijk (NIS 23060)" in result.output
    # And four about publishing it (tests/test_publish_check.py): no site_url, and the office,
    # inbox and DPO addresses on .example.
    assert "0 error(s), 6 warning(s)" in result.output
    strict = run_check("--strict", "okstad")
    assert strict.exit_code == 1, strict.output


def test_a_page_that_cannot_be_read_is_a_finding_not_a_crash(broken_project):
    (broken_project / "content/fr/leefloon.md").write_bytes(b"---\ntitle: x\n---\n\nR\xe9sum\xe9\n")
    (broken_project / "content/nl/art60.md").write_text("---\ntitle: [unclosed\n---\n\nTekst.\n", encoding="utf-8")
    result = run_check("brokenville", "okstad")
    assert result.exit_code == 1, result.output
    assert findings_at(result.output, "content/fr/leefloon.md", 5), result.output
    assert "the file is not UTF-8 text" in result.output
    # The unclosed [ is reported on its own line (2), with a plain hint.
    assert any("front matter is not valid YAML" in f and "the [ on this line is not closed" in f and "(hint: close it" in f
               for f in findings_at(result.output, "content/nl/art60.md", 2)), result.output


def test_a_hand_written_form_link_is_checked_for_each_site(broken_project):
    index = broken_project / "content/nl/index.md"
    index.write_text(page("Welkom", "[Vraag hulp](/forms/brokenville/nl/support-application/)\n"
                                    "[Wijk-werken](/forms/brokenville/nl/wijk-werken/)\n"), encoding="utf-8")
    out = run_check("brokenville").output
    assert not findings_at(out, "content/nl/index.md", 5), out
    assert any("brokenville does not offer the form 'wijk-werken'" in f and "form_button" in f
               for f in findings_at(out, "content/nl/index.md", 6)), out
    other = broken_project / "site_config/okstad/content/nl/index.md"
    other.write_text(index.read_text(encoding="utf-8"), encoding="utf-8")
    out = run_check("okstad").output
    assert any("the form of 'brokenville', not of okstad" in f for f in findings_at(out, "site_config/okstad/content/nl/index.md", 5)), out


def test_html_images_need_an_alt_attribute_and_may_be_decorative(broken_project):
    index = broken_project / "content/nl/index.md"
    index.write_text(page("Welkom", '<img src="kaart.png">\n<img src="kaart.png" alt="">\n<img src="kaart.png" alt="Kaart">\n'),
                     encoding="utf-8")
    out = run_check("brokenville").output
    assert any("image kaart.png has no alt text" in f for f in findings_at(out, "content/nl/index.md", 5)), out
    assert not findings_at(out, "content/nl/index.md", 6), out
    assert not findings_at(out, "content/nl/index.md", 7), out
