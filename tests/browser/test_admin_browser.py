"""The browser editor (`/admin/` of `portal preview`), driven as a communications officer would.

One preview of Sint-Gillis (bilingual, French first) on a scratch copy of the project, with an own
page in both languages. Through Decap CMS with the portal's local backend: change an office's
Tuesday hours in the municipality form and one sentence of the own page in fr and nl, save; then
the files on disk, `portal check`, and the rebuilt pages. A broken link typed in the editor shows
up in the editor's check panel. No request of /admin/ leaves 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from tests.conftest import copy_project
from tests.test_preview import fetch, free_port, wait_for

pytestmark = pytest.mark.browser
PORTAL = Path(sys.executable).with_name("portal")
OWN_PAGE = {
    "fr": ("Permanences", "Quand venir sans rendez-vous au CPAS.", "Sans rendez-vous",
           "Le service social vous reçoit le matin sans rendez-vous."),
    "nl": ("Permanenties", "Wanneer je zonder afspraak bij het OCMW terechtkunt.", "Zonder afspraak",
           "De sociale dienst ontvangt je 's morgens zonder afspraak."),
}
NEW = {"fr": "Le service social vous reçoit aussi le mardi après-midi.",
       "nl": "De sociale dienst ontvangt je ook op dinsdagnamiddag."}


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    """`portal preview sint-gillis` on a scratch project; yields (base URL, project folder, process)."""
    folder = tmp_path_factory.mktemp("admin")
    (folder / "project").mkdir()
    project = copy_project(folder / "project")
    for lang, (title, description, heading, sentence) in OWN_PAGE.items():
        page = project / "site_config" / "sint-gillis" / "content" / lang / "permanences.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"---\ntitle: {title}\ndescription: {description}\n---\n\n## {heading}\n\n{sentence}\n\n"
                        '{{ contact_card("service-social") }}\n', encoding="utf-8")
    port = free_port()
    env = dict(os.environ, PORTAL_ROOT=str(project), NO_MKDOCS_2_WARNING="1",
               PORTAL_DATABASE_URL=f"sqlite:///{folder / 'preview.sqlite3'}")
    env.pop("PORTAL_SMTP_URL", None)
    log = (folder / "preview.log").open("w")
    process = subprocess.Popen([str(PORTAL), "preview", "sint-gillis", "--port", str(port)], cwd=project, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: fetch(base + "/admin/")[0] == 200 and fetch(base + "/")[0] == 200, 90, "the preview", process)
        yield base, project, process
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


# The check's summary after a save: no error. The demo's warnings (its .example addresses and no
# site_url, tests/test_publish_check.py) may show beside it.
NO_ERROR = re.compile(r"Aucune erreur|^0 erreur\(s\)")


def portal_check(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(PORTAL), "check", "sint-gillis"], cwd=project, capture_output=True, text=True,
                          env=dict(os.environ, PORTAL_ROOT=str(project)))


def publish(page):
    """Decap's save in the simple workflow: Publish, then Publish now (French interface); returns
    once the check that follows the save has shown its result."""
    runs = int(page.locator("#portal-check").get_attribute("data-runs") or 0)
    page.get_by_role("button", name="Publier").first.click()
    page.get_by_role("menuitem", name="Publier maintenant").click()
    expect(page.locator("#portal-check")).to_have_attribute("data-runs", str(runs + 1), timeout=30_000)


def open_admin(page, base):
    page.goto(base + "/admin/")
    page.get_by_role("button", name="Se connecter").click()   # the local backend's sign-in: no password


def test_officer_edits_hours_and_a_page_in_both_languages(preview, page, foreign_requests):
    base, project, process = preview
    config = project / "site_config" / "sint-gillis.yml"
    before = config.read_text(encoding="utf-8")
    open_admin(page, base)

    # The municipality as a form: Tuesday of the first office, one field per day.
    page.goto(base + "/admin/#/collections/config-sint-gillis/entries/municipality")
    tuesday = page.locator('input[data-day="Tu"]').first
    expect(tuesday).to_have_value("08:30-12:00")
    tuesday.fill("08:30-12:00, 13:30-16:00")
    expect(page.locator(".portal-hours output code").first).to_have_text(
        "Mo,Tu,Th 08:30-12:00,13:30-16:00; We,Fr 08:30-12:00; PH off")
    publish(page)
    expect(page.locator("#portal-check-summary")).to_have_text(NO_ERROR, timeout=30_000)

    after = config.read_text(encoding="utf-8")
    data = yaml.safe_load(after)
    assert data["offices"][0]["hours"] == "Mo,Tu,Th 08:30-12:00,13:30-16:00; We,Fr 08:30-12:00; PH off"
    assert data == {**yaml.safe_load(before), "offices": data["offices"]}   # nothing else changed
    # Only the hours line differs: comments, flow style and quoting are the author's.
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [('    hours: "Mo-Fr 08:30-12:00, Mo,Th 13:30-16:00; PH off"',
                        '    hours: "Mo,Tu,Th 08:30-12:00,13:30-16:00; We,Fr 08:30-12:00; PH off"')]

    # The own page, French and Dutch side by side: one sentence in each.
    page.goto(base + "/admin/#/collections/own-sint-gillis")
    page.get_by_text("Permanences").first.click()
    for lang in ("fr", "nl"):
        old = page.get_by_text(OWN_PAGE[lang][3], exact=True)
        old.click(click_count=3)
        page.keyboard.type(NEW[lang])
        expect(page.get_by_text(NEW[lang], exact=True)).to_be_visible()
    publish(page)
    expect(page.locator("#portal-check-summary")).to_have_text(NO_ERROR, timeout=30_000)

    for lang in ("fr", "nl"):
        text = (project / "site_config" / "sint-gillis" / "content" / lang / "permanences.md").read_text(encoding="utf-8")
        assert NEW[lang] in text and OWN_PAGE[lang][3] not in text, text
        assert '{{ contact_card("service-social") }}' in text, text   # the macro, not escaped markdown
        assert yaml.safe_load(text.split("---")[1])["title"] == OWN_PAGE[lang][0]
    result = portal_check(project)
    assert result.returncode == 0, result.stdout + result.stderr

    # The preview has rebuilt the site: the pages show the new sentence and Tuesday's hours.
    fr = wait_for(lambda: (p := fetch(base + "/permanences/")[1]) and NEW["fr"] in p and p, 60, "the rebuilt fr page", process)
    nl = wait_for(lambda: (p := fetch(base + "/nl/permanences/")[1]) and NEW["nl"] in p and p, 60, "the rebuilt nl page", process)
    assert '<th scope="row">mardi</th><td>08:30–12:00, 13:30–16:00</td>' in fr
    assert '<th scope="row">dinsdag</th><td>08:30–12:00, 13:30–16:00</td>' in nl
    assert foreign_requests == []


def test_broken_link_is_reported_in_the_editor(preview, page, foreign_requests):
    base, project, process = preview
    open_admin(page, base)
    page.goto(base + "/admin/#/collections/own-sint-gillis")
    page.get_by_text("Permanences").first.click()
    # The Dutch body in markdown mode (the toolbar's switch), a link to a page the site does not have.
    page.locator("button[role=switch]:not([id])").nth(1).click()
    body = page.get_by_role("textbox").last
    expect(body).to_contain_text("Zonder afspraak")
    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("Lees ook de [uitleg](bestaat-niet.md).")
    publish(page)
    errors = page.locator("#portal-check-list li.error").all_inner_texts()
    assert errors and all("bestaat-niet.md" in e for e in errors), errors
    assert any("site_config/sint-gillis/content/nl/permanences.md" in e for e in errors), errors
    assert portal_check(project).returncode == 1
    assert foreign_requests == []
