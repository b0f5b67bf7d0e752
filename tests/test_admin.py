"""The browser editor's server side: what it may write, how it writes, who it answers."""

from __future__ import annotations

import json

import pytest
import yaml

from portal.admin import create_admin_app
from portal.admin.backend import BackendError, LocalBackend
from portal.admin.cms_config import MANAGED_KEYS
from portal.admin.markdown_tidy import tidy_markdown
from portal.admin.yaml_merge import merge_yaml

CONFIG = """\
# Opwijk: a comment the editor must keep.
slug: opwijk
name: {nl: Opwijk}
offices:
  - id: welzijn
    hours: "Mo-Fr 09:00-12:00; PH off"   # as on the municipal page
  - id: spi
    hours: "Tu 09:00-12:00"
closures:
  - {date: 2026-12-24, note: {nl: Kerstavond}}
regional_holidays: [flemish-community]
"""


def test_merge_changes_one_value_and_keeps_comments_and_unmanaged_keys():
    data = yaml.safe_load(CONFIG)
    data["offices"][0]["hours"] = "Mo-Fr 09:00-12:00; Tu 13:00-16:00; PH off"
    data["closures"][0]["date"] = "2026-12-24"          # the editor's date picker writes text
    del data["regional_holidays"]                        # a key the form does not show
    merged = merge_yaml(CONFIG, yaml.safe_dump(data), MANAGED_KEYS)
    changed = [(a, b) for a, b in zip(CONFIG.splitlines(), merged.splitlines(), strict=True) if a != b]
    # Only the hours line; its comment stays on it (ruamel may close the gap before it).
    assert [b for _, b in changed] == ['    hours: "Mo-Fr 09:00-12:00; Tu 13:00-16:00; PH off" # as on the municipal page']


def test_merge_follows_offices_by_id_and_removes_what_the_form_removed():
    data = yaml.safe_load(CONFIG)
    data["offices"].reverse()
    data["closures"] = []
    merged = yaml.safe_load(merge_yaml(CONFIG, yaml.safe_dump(data), MANAGED_KEYS))
    assert [o["id"] for o in merged["offices"]] == ["spi", "welzijn"]
    assert merged["closures"] == [] and merged["regional_holidays"] == ["flemish-community"]


def test_merge_refuses_what_is_not_a_mapping():
    with pytest.raises(ValueError):
        merge_yaml(CONFIG, "- a list\n")


def test_tidy_markdown_keeps_front_matter_lines_and_dash_bullets():
    old = "---\ntitle: Leefloon\ndescription: Een lange zin over het leefloon die de editor zou plooien.\n---\n\n## Voor wie?\n\n- jij\n"
    new = ("---\ntitle: Leefloon\ndescription: Een lange zin over het leefloon die de editor\n  zou plooien.\n---\n"
           "## Voor wie?\n\n* jij\n* en jij\n\n```\n* code blijft\n```\n")
    assert tidy_markdown(old, new) == old + "- en jij\n\n```\n* code blijft\n```\n"


@pytest.fixture
def backend(scratch_project):
    return LocalBackend(scratch_project, "opwijk", MANAGED_KEYS)


@pytest.mark.parametrize("path", ["mkdocs.yml", "../outside.md", "content/../mkdocs.yml", "site_config/turnhout.yml",
                                  "site_config/turnhout/content/nl/samenwerking.md", "portal/cli.py", "/etc/passwd",
                                  "forms/support-application.yml"])
def test_backend_refuses_files_outside_the_editors_reach(backend, path):
    with pytest.raises(BackendError):
        backend.handle("persistEntry", {"dataFiles": [{"path": path, "raw": "x"}], "assets": []})
    with pytest.raises(BackendError):
        backend.handle("getEntry", {"path": path})


def test_backend_refuses_scripts_even_in_its_folders(backend):
    with pytest.raises(BackendError):
        backend.handle("persistEntry", {"dataFiles": [{"path": "content/nl/x.js", "raw": "alert(1)"}], "assets": []})


def test_backend_lists_reads_and_writes_pages(backend, scratch_project):
    entries = backend.handle("entriesByFolder", {"folder": "content", "extension": "md", "depth": 2})
    assert {"content/nl/leefloon.md", "content/fr/leefloon.md"} <= {e["file"]["path"] for e in entries}
    page = "site_config/opwijk/content/nl/nieuw.md"
    backend.handle("persistEntry", {"dataFiles": [{"path": page, "raw": "---\ntitle: Nieuw\n---\nTekst"}], "assets": []})
    assert (scratch_project / page).read_text() == "---\ntitle: Nieuw\n---\n\nTekst\n"
    assert backend.handle("getEntry", {"path": page})["data"].startswith("---\ntitle: Nieuw")


@pytest.fixture
def client(scratch_project):
    return create_admin_app("opwijk", scratch_project).test_client()


def post(client, path, body, **headers):
    return client.post(path, data=json.dumps(body), content_type="application/json", **headers)


def test_api_answers_loopback_json_same_origin_only(client):
    assert post(client, "/admin/api/v1", {"action": "info"}).json["type"] == "local_fs"
    assert post(client, "/admin/api/v1", {"action": "info"}, headers={"Host": "evil.example"}).status_code == 403
    assert post(client, "/admin/api/v1", {"action": "info"}, headers={"Origin": "http://evil.example"}).status_code == 403
    plain = client.post("/admin/api/v1", data='{"action": "info"}', content_type="text/plain")
    assert plain.status_code == 403      # a cross-site form could send this without a preflight
    with client.get("/admin/") as page:
        assert "connect-src 'self'" in page.headers["Content-Security-Policy"]


def test_config_describes_this_municipality(client):
    config = client.get("/admin/config.json").json
    names = [c["name"] for c in config["collections"]]
    assert names == ["catalogue", "own-opwijk", "config-opwijk"]
    assert config["collections"][0]["i18n"]["structure"] == "multiple_folders"
    assert config["collections"][2]["files"][0]["file"] == "site_config/opwijk.yml"


def test_check_names_the_field_of_a_config_finding(client, scratch_project):
    config = scratch_project / "site_config" / "opwijk.yml"
    config.write_text(config.read_text().replace('hours: "Mo-Fr 09:00-12:00; PH off"', 'hours: "Mo-Fr 9-12"'))
    result = post(client, "/admin/api/check", {}).json
    assert result["errors"] >= 1
    hours = [f for f in result["findings"] if f["path"] == "site_config/opwijk.yml" and f["severity"] == "error"]
    assert hours and hours[0]["field"] == ["offices", "welzijn", "hours"], result["findings"]


def test_admin_is_never_part_of_a_built_site(built_sites):
    for path in built_sites.rglob("*"):
        assert "admin" not in path.relative_to(built_sites).parts, path
        if path.suffix in (".html", ".js"):
            assert "decap" not in path.read_text(encoding="utf-8", errors="replace").lower(), path
