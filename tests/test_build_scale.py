"""Building many sites: fingerprints, skipping what did not change, failures kept apart, shared assets.

Two example municipalities are enough to see every behaviour: opwijk (nl only) and sint-gillis
(fr first, then nl); their service lists differ, which the fingerprint must notice.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.site import build, dedupe, fingerprint
from portal.site.build import build_sites

from .conftest import copy_project

SLUGS = ("opwijk", "sint-gillis")
TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    (tmp_path / "project").mkdir()
    root = copy_project(tmp_path / "project", slugs=SLUGS)
    monkeypatch.setenv("PORTAL_ROOT", str(root))
    return root


def fingerprints(root: Path, *, options=None, today=TODAY) -> dict[str, str]:
    hasher = fingerprint.Fingerprinter(root, options, today=today)
    return {slug: hasher.site(slug) for slug in SLUGS}


def append(path: Path, text: str = "\n") -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


# --- fingerprints ------------------------------------------------------------------------------

# (what changes, how, which sites it concerns)
CHANGES = [
    ("municipality YAML", lambda r: append(r / "site_config/opwijk.yml", "# edited\n"), {"opwijk"}),
    ("municipality's own file", lambda r: (r / "site_config/opwijk/extra.svg").write_text("<svg/>"), {"opwijk"}),
    ("catalogue page both use (nl)", lambda r: append(r / "content/nl/leefloon.md"), {"opwijk", "sint-gillis"}),
    ("catalogue page only the French site has", lambda r: append(r / "content/fr/leefloon.md"), {"sint-gillis"}),
    ("catalogue page of a service only sint-gillis lists", lambda r: append(r / "content/nl/spi.md"), {"sint-gillis"}),
    ("new catalogue page", lambda r: (r / "content/nl/privacy.md").write_text("# Privacy\n"), {"opwijk", "sint-gillis"}),
    ("form definition and mail texts", lambda r: append(r / "forms/wijk-werken.yml", "# edited\n"), set()),
    ("mail template", lambda r: append(r / "templates/mail/office.txt", "edited\n"), set()),
    ("form page template", lambda r: append(r / "templates/forms/form.html", "{# edited #}\n"), set()),
    ("template", lambda r: append(r / "templates/theme/main.html", "{# edited #}\n"), {"opwijk", "sint-gillis"}),
    ("mkdocs.yml", lambda r: append(r / "mkdocs.yml", "# edited\n"), {"opwijk", "sint-gillis"}),
]


@pytest.mark.parametrize("change", CHANGES, ids=[c[0] for c in CHANGES])
def test_the_fingerprint_changes_for_the_sites_an_input_concerns_and_only_those(project, change):
    _, mutate, concerned = change
    before = fingerprints(project)
    mutate(project)
    after = fingerprints(project)
    assert {slug for slug in SLUGS if before[slug] != after[slug]} == concerned


def test_the_fingerprint_ignores_what_no_site_uses_and_file_times(project):
    before = fingerprints(project)
    append(project / "content/nl/ama.md")             # a service neither site lists
    (project / "site_config/antwerpen.yml").write_text("slug: antwerpen\n")  # another municipality
    os.utime(project / "content/nl/leefloon.md", (0, 0))  # touched, same bytes
    assert fingerprints(project) == before


def test_the_fingerprint_changes_with_the_build_date_options_package_and_engine(project, tmp_path, monkeypatch):
    before = fingerprints(project)
    # Pages carry the opening hours of the coming year, counted from the build date.
    assert fingerprints(project, today=TODAY + dt.timedelta(days=1)) != before
    assert fingerprints(project, options={"drop_source_maps": False}) != before

    package = tmp_path / "portal-copy"
    shutil.copytree(fingerprint.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "PACKAGE_DIR", package)
    assert fingerprints(project) == before
    # The form backend's parts and texts: no site runs them.
    for backend_file in ("intake/compose.py", "intake/decisions.yml", "web/views.py", "store/base.py",
                         "delivery/worker.py", "common/messages/mail.yml", "common/messages/forms.yml"):
        append(package / backend_file, "# edited\n")
        assert fingerprints(project) == before, backend_file
    for site_file in ("municipal/hours.py", "common/i18n.py", "site/render.py", "common/messages/site.yml"):
        append(package / site_file, "# edited\n")
        assert fingerprints(project) != before, site_file
        before = fingerprints(project)
    monkeypatch.setattr(fingerprint, "PACKAGE_DIR", fingerprint.Path(fingerprint.__file__).resolve().parents[1])

    real_version = fingerprint.metadata.version
    monkeypatch.setattr(fingerprint.metadata, "version",
                        lambda name: "99.0" if name == "mkdocs-material" else real_version(name))
    assert fingerprints(project) != before


# --- incremental builds ------------------------------------------------------------------------

def mtimes(site: Path) -> dict[str, int]:
    return {str(p.relative_to(site)): p.stat().st_mtime_ns for p in site.rglob("*.html")}


def test_nothing_changed_builds_nothing_and_one_yaml_changed_builds_that_site(project, tmp_path):
    out = tmp_path / "site"
    first = build_sites(list(SLUGS), out, project, jobs=2)
    assert [(r.slug, r.ok, r.skipped) for r in first] == [("opwijk", True, False), ("sint-gillis", True, False)], first
    stamps = {slug: mtimes(out / slug) for slug in SLUGS}

    again = build_sites(list(SLUGS), out, project, jobs=2)
    assert all(r.ok and r.skipped for r in again), again
    assert {slug: mtimes(out / slug) for slug in SLUGS} == stamps

    # The form backend's texts (a form's mail and receipt texts, the e-mail templates): no page shows them.
    append(project / "forms/support-application.yml", "# a mail text edited\n")
    append(project / "templates/mail/office.txt", "edited\n")
    after_backend_edit = build_sites(list(SLUGS), out, project, jobs=2)
    assert all(r.ok and r.skipped for r in after_backend_edit), after_backend_edit

    config = project / "site_config/sint-gillis.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("Service social", "Accueil social"), encoding="utf-8")
    third = build_sites(list(SLUGS), out, project, jobs=2)
    assert {r.slug: r.skipped for r in third} == {"opwijk": True, "sint-gillis": False}
    assert mtimes(out / "opwijk") == stamps["opwijk"]
    assert "Accueil social" in (out / "sint-gillis/index.html").read_text(encoding="utf-8")


def test_force_rebuilds_every_site(project, tmp_path):
    out = tmp_path / "site"
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--out", str(out), "--jobs", "1", *SLUGS])
    assert result.exit_code == 0, result.output
    assert "2 built, 0 skipped, 0 failed" in result.output
    result = runner.invoke(main, ["build", "--out", str(out), "--jobs", "1", *SLUGS])
    assert "0 built, 2 skipped, 0 failed" in result.output, result.output
    result = runner.invoke(main, ["build", "--out", str(out), "--jobs", "2", "--force", *SLUGS])
    assert result.exit_code == 0, result.output
    assert "2 built, 0 skipped, 0 failed" in result.output


def test_a_broken_municipality_fails_alone_with_its_message_and_keeps_its_last_good_site(project, tmp_path):
    out = tmp_path / "site"
    assert all(r.ok for r in build_sites(list(SLUGS), out, project))
    good_page = (out / "sint-gillis/index.html").read_bytes()
    page = project / "site_config/sint-gillis/content/fr/horaires.md"
    page.parent.mkdir(parents=True)
    page.write_text("# Horaires\n\n{{ contact_crad() }}\n", encoding="utf-8")
    append(project / "site_config/opwijk.yml", "# edited\n")

    result = CliRunner().invoke(main, ["build", "--out", str(out), "--jobs", "2", *SLUGS])

    assert result.exit_code == 1, result.output
    assert "1 built, 0 skipped, 1 failed" in result.output
    assert "FAILED sint-gillis:" in result.output
    assert re.search(r"horaires\.md:3: error: macro: 'contact_crad' is undefined", result.output), result.output
    assert (out / "opwijk/index.html").is_file()
    assert (out / "sint-gillis/index.html").read_bytes() == good_page
    # Not marked as built: the next run tries again.
    again = build_sites(list(SLUGS), out, project)
    assert {r.slug: (r.ok, r.skipped) for r in again} == {"opwijk": (True, True), "sint-gillis": (False, False)}


# --- shared assets -----------------------------------------------------------------------------

def mkdocs_build(project: Path, slug: str, dest: Path) -> None:
    """The reference: a plain `mkdocs build`, as a communications officer would run it."""
    mkdocs = Path(sys.executable).with_name("mkdocs")
    env = dict(os.environ, PORTAL_MUNICIPALITY=slug, NO_MKDOCS_2_WARNING="1")
    subprocess.run([str(mkdocs), "build", "-q", "-d", str(dest)], cwd=project, env=env, check=True)


def all_files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}


def test_shared_assets_leave_every_site_complete_and_byte_identical_to_a_plain_mkdocs_build(project, tmp_path):
    out = tmp_path / "site"
    # In one process: the second site is built with what the first left warm (templates,
    # theme listing, shared files), the path where state could leak from one site to the next.
    assert all(r.ok for r in build_sites(list(SLUGS), out, project, jobs=1))
    for slug in SLUGS:
        reference = tmp_path / f"reference-{slug}"
        mkdocs_build(project, slug, reference)
        ours, theirs = all_files(out / slug), all_files(reference)
        dropped = set(map(lambda p: p.relative_to(reference).as_posix(), dedupe.unused_files(reference)))
        assert dropped, "expected source maps and unused search languages to drop"
        assert ours - {fingerprint.STAMP_FILE} == theirs - dropped
        mismatch = [name for name in sorted(theirs - dropped)
                    if not filecmp.cmp(out / slug / name, reference / name, shallow=False)]
        assert mismatch == []

    bundle = next((out / "opwijk/assets/javascripts").glob("bundle.*.min.js"))
    twin = out / "sint-gillis" / bundle.relative_to(out / "opwijk")
    assert os.path.samefile(bundle, twin), "theme assets should be one file linked into both sites"


def test_only_the_search_languages_a_site_uses_are_shipped(project, tmp_path):
    out = tmp_path / "site"
    assert all(r.ok for r in build_sites(list(SLUGS), out, project))
    lunr = out / "sint-gillis" / dedupe.LUNR_DIR
    names = {p.name for p in (lunr / "min").iterdir()}
    assert {"lunr.fr.min.js", "lunr.nl.min.js", "lunr.stemmer.support.min.js", "lunr.multi.min.js"} <= names
    assert "lunr.de.min.js" not in names and not (lunr / "wordcut.js").exists()
    assert {p.name for p in (out / "opwijk" / dedupe.LUNR_DIR / "min").iterdir()} >= {"lunr.nl.min.js"}
    assert "lunr.fr.min.js" not in {p.name for p in (out / "opwijk" / dedupe.LUNR_DIR / "min").iterdir()}
    assert list(out.glob("*/assets/**/*.map")) == []


def test_a_rebuild_never_writes_through_a_shared_file(project, tmp_path):
    out = tmp_path / "site"
    build_sites(list(SLUGS), out, project)
    shared_before = {p: p.read_bytes() for p in (out / dedupe.SHARED_DIR).rglob("*") if p.is_file()}
    css = project / "templates/theme/assets/portal/portal.css"
    append(css, "/* edited */\n")
    build_sites(["opwijk"], out, project)
    assert (out / "opwijk/assets/portal/portal.css").read_bytes() == css.read_bytes()
    assert (out / "sint-gillis/assets/portal/portal.css").read_bytes() != css.read_bytes()
    for path, data in shared_before.items():
        assert not path.exists() or path.read_bytes() == data


def test_a_second_build_into_the_same_folder_is_refused_while_one_runs(project, tmp_path):
    import fcntl

    out = tmp_path / "site"
    out.mkdir()
    with open(out / build.LOCK_FILE, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)   # as a running `portal build` holds it
        result = CliRunner().invoke(main, ["build", "--out", str(out), "opwijk"])
    assert result.exit_code == 1
    assert "another portal build is writing into" in result.output
    assert not (out / "opwijk").exists()
    assert CliRunner().invoke(main, ["build", "--out", str(out), "opwijk"]).exit_code == 0


def test_an_edited_template_shows_in_the_next_build_in_the_same_process(project, tmp_path):
    out = tmp_path / "site"
    build_sites(["opwijk"], out, project)
    append(project / "templates/theme/main.html", "{% block footer %}{{ super() }}<p>edited-footer</p>{% endblock %}\n")
    build_sites(["opwijk"], out, project)
    assert "edited-footer" in (out / "opwijk/index.html").read_text(encoding="utf-8")
