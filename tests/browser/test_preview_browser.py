"""`portal preview` never leaves the author stuck, seen in a browser: a broken link (even at
start, with an unknown office id in a page) is an error page naming the real file and line in the
site's language; the page recovers by itself after the fix; `portal check` findings of a site that
builds show in a banner."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

from playwright.sync_api import expect

from tests.test_preview import fetch, running_preview, wait_for

PORTAL = Path(sys.executable).with_name("portal")
PAGE = "---\ntitle: Voedselhulp\ndescription: Hulp met eten en een voedselpakket.\n---\n\n# Voedselhulp\n\n" \
       "Je krijgt een voedselpakket.\n\nLees ook [de pagina](nergens.md).\n\n{{ contact_card(\"OFFICE\") }}\n"


def test_preview_error_page_names_the_real_file_and_recovers(scratch_project, tmp_path, page):
    own = scratch_project / "site_config" / "opwijk" / "content" / "nl"
    own.mkdir(parents=True)
    source = own / "voedselhulp.md"
    source.write_text(PAGE.replace("OFFICE", "bestaat-niet"), encoding="utf-8")
    with running_preview(scratch_project, tmp_path) as (process, base):
        base += "/"
        # The first build fails (unknown office id): the preview serves an error page, it does not quit.
        wait_for(lambda: fetch(base)[0] == 500, 120, "the error page at start", process)
        page.goto(base)
        expect(page.locator("h1")).to_have_text("De site kon niet opnieuw gebouwd worden")
        expect(page.locator("main li")).to_contain_text(
            "site_config/opwijk/content/nl/voedselhulp.md, regel 12: er is geen kantoor met id 'bestaat-niet'")

        # Fix the office: now the broken link is the error, with the real path and its line.
        source.write_text(PAGE.replace("OFFICE", "welzijn"), encoding="utf-8")
        expect(page.locator("main li")).to_have_text(
            "site_config/opwijk/content/nl/voedselhulp.md, regel 10: de link naar 'nergens.md' wijst naar een pagina die niet bestaat.",
            timeout=90_000)
        assert "nl/voedselhulp.md'" not in page.locator("main ul").inner_text()

        # Fix the link, and add a closing day in the past: the page comes back by itself, with a banner.
        source.write_text(PAGE.replace("OFFICE", "welzijn").replace("nergens.md", "leefloon.md"), encoding="utf-8")
        config = scratch_project / "site_config" / "opwijk.yml"
        past = (dt.date.today() - dt.timedelta(days=3)).isoformat()
        text = config.read_text(encoding="utf-8")
        text = re.sub(r"^closures:\n", f"closures:\n  - {{date: {past}, note: {{nl: Personeelsdag}}}}\n", text, flags=re.M) \
            if re.search(r"^closures:\n", text, flags=re.M) else text + f"closures:\n  - {{date: {past}, note: {{nl: Personeelsdag}}}}\n"
        config.write_text(text, encoding="utf-8")
        expect(page.locator(".portal-preview-banner")).to_contain_text(f"closure {past} is in the past", timeout=90_000)
        expect(page.locator(".portal-preview-banner")).to_contain_text("Nog te verbeteren voor je publiceert", timeout=90_000)
        assert process.poll() is None   # one server all along: no restart
        page.goto(base + "voedselhulp/")
        expect(page.locator("h1")).to_have_text("Voedselhulp")
