"""Take the screenshots of the guides (docs/img/*.png) from freshly built example sites.

    .venv/bin/python docs/screenshots.py

Builds Opwijk and Sint-Gillis into a temporary folder, serves them with `portal serve`, and
photographs them with Debian's Chromium through Playwright. Small windows keep the files small.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
BIN = Path(sys.executable).parent
SHOTS = [
    # (file, path, width, height, what to scroll to or None)
    ("site-service-page.png", "/opwijk/leefloon/", 1000, 720, None),
    ("site-contact.png", "/opwijk/onthaal/", 1000, 620, "#contact"),
    ("site-bilingual.png", "/sint-gillis/", 1000, 620, None),
    ("form.png", "/forms/opwijk/nl/support-application/", 900, 760, None),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PORTAL_DATABASE_URL=f"sqlite:///{tmp}/db.sqlite3")
        subprocess.run([str(BIN / "portal"), "build", "opwijk", "sint-gillis", "--out", f"{tmp}/site"],
                       check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        port = free_port()
        server = subprocess.Popen([str(BIN / "portal"), "serve", "--port", str(port), "--site-dir", f"{tmp}/site"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                with socket.socket() as sock:
                    if sock.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.1)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
                for name, path, width, height, anchor in SHOTS:
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(f"http://127.0.0.1:{port}{path}")
                    if anchor:
                        page.locator(anchor).first.scroll_into_view_if_needed()
                    page.screenshot(path=str(DOCS / "img" / name))
                    page.close()
                    print(f"docs/img/{name}")
                browser.close()
        finally:
            server.terminate()
            server.wait()


def admin_shots() -> None:
    """The browser editor (/admin/ of `portal preview opwijk`) on a scratch copy of the project."""
    import shutil

    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        for name in ("mkdocs.yml", "content", "templates", "forms", "site_config"):
            (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, project / name)
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PORTAL_ROOT=str(project),
                   PORTAL_DATABASE_URL=f"sqlite:///{tmp}/db.sqlite3")
        port = free_port()
        server = subprocess.Popen([str(BIN / "portal"), "preview", "opwijk", "--port", str(port)], cwd=project,
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}/admin/"
        try:
            for _ in range(300):
                with socket.socket() as sock:
                    if sock.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.1)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(base)
                page.get_by_role("button", name="Inloggen").click()
                page.goto(base + "#/collections/config-opwijk/entries/municipality")
                page.locator('input[data-day="Tu"]').first.fill("09:00-12:00, 13:30-16:00")
                page.get_by_role("button", name="Publiceer", exact=True).first.click()
                page.get_by_role("menuitem", name="Publiceer nu").click()
                page.locator("#portal-check-summary").filter(has_text="Geen fouten").wait_for()
                page.locator(".portal-hours").first.evaluate("e => e.scrollIntoView({block: 'center'})")
                page.screenshot(path=str(DOCS / "img" / "admin-hours.png"))
                page.goto(base + "#/collections/catalogue")
                page.get_by_text("Leefloon").first.click()
                page.wait_for_timeout(1500)
                page.screenshot(path=str(DOCS / "img" / "admin-page.png"))
                browser.close()
                print("docs/img/admin-page.png\ndocs/img/admin-hours.png")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
    admin_shots()
