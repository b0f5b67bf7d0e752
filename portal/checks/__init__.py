"""The authors' safety net: content checks on the pages one municipality publishes.

`check_site_content(municipality, root)` returns Findings for links and anchors that do not
resolve on this site (overlay included: a link to a service the site does not list is an error
there), images without alt text, skipped heading levels, and plain-language warnings. Each module
holds one concern: `markdown` reads pages, `links` resolves them, `writing` judges the text.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from portal.checks import links, writing
from portal.checks.markdown import body_start, element_ids, prose_lines
from portal.common.findings import Finding, PortalError
from portal.common.paths import LEGAL_PAGES
from portal.municipal.config import Municipality
from portal.site import content, legal, render


class Site:
    """The page tree of one municipality as MkDocs will see it: `<lang>/<name>` -> source file,
    plus the pages the plugin generates (privacy, accessibility) that a page may link to."""

    def __init__(self, municipality: Municipality, root: Path):
        self.municipality = municipality
        self.root = root
        self.pages = {f"{p.lang}/{p.name}": p for p in content.source_pages(municipality, root)}
        self.generated = {f"{lang}/{page}.md" for lang in municipality.languages for page in LEGAL_PAGES}
        self._ids: dict[str, set[str] | None] = {}

    def has(self, tree_path: str) -> bool:
        return tree_path in self.pages or tree_path in self.generated

    def ids(self, tree_path: str) -> set[str] | None:
        """Element ids of a page once built (macros rendered), None when they cannot be known;
        computed once per page."""
        if tree_path not in self._ids:
            self._ids[tree_path] = self._generated_ids(tree_path) if tree_path not in self.pages else self._page_ids(tree_path)
        return self._ids[tree_path]

    def _page_ids(self, tree_path: str) -> set[str]:
        page = self.pages[tree_path]
        text = page.path.read_text(encoding="utf-8", errors="replace")
        offset, lines = body_start(text)
        body = text[offset:]
        try:
            body = render.render_markdown(body, self.municipality, page.lang, self.root, page.path, lines)
        except (PortalError, yaml.YAMLError):
            pass  # reported by the macro and front-matter checks; the headings are still worth resolving
        return element_ids(body)

    def _generated_ids(self, tree_path: str) -> set[str] | None:
        try:
            text = legal.pages(self.municipality)[tree_path]
            return element_ids(text[body_start(text)[0]:])
        except Exception:  # noqa: BLE001 - a config the check could read only in part: anchors unknown
            return None


def check_site_content(municipality: Municipality, root: Path) -> list[Finding]:
    """Every content finding for the markdown pages of one municipality's site."""
    site = Site(municipality, root)
    findings = []
    for tree_path, page in site.pages.items():
        if not page.name.endswith(".md"):
            continue
        try:
            text = page.path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # reported by portal.checks.run.check_pages
        lines = prose_lines(text)
        findings.extend(links.check_links(site, tree_path, lines))
        findings.extend(writing.check_writing(page, lines))
    return findings
