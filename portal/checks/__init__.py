"""The authors' safety net: content checks on the pages one municipality publishes.

`check_site_content(municipality, root)` returns Findings for links and anchors that do not
resolve on this site (overlay included: a link to a service the site does not list is an error
there), images without alt text, skipped heading levels, and plain-language warnings. Each module
holds one concern: `markdown` reads pages, `links` resolves them, `writing` judges the text.
"""

from __future__ import annotations

from pathlib import Path

from portal.checks import links, writing
from portal.checks.markdown import body_start, element_ids, prose_lines
from portal.common.findings import Finding, PortalError
from portal.municipal.config import Municipality
from portal.site import content, render


class Site:
    """The page tree of one municipality as MkDocs will see it: `<lang>/<name>` -> source file."""

    def __init__(self, municipality: Municipality, root: Path):
        self.municipality = municipality
        self.root = root
        self.pages = {f"{p.lang}/{p.name}": p for p in content.source_pages(municipality, root)}
        self._ids: dict[str, set[str]] = {}

    def ids(self, tree_path: str) -> set[str]:
        """Element ids of a page once built (macros rendered); computed once per page."""
        if tree_path not in self._ids:
            page = self.pages[tree_path]
            text = page.path.read_text(encoding="utf-8", errors="replace")
            offset, lines = body_start(text)
            body = text[offset:]
            try:
                body = render.render_markdown(body, self.municipality, page.lang, self.root, page.path, lines)
            except PortalError:
                pass  # reported by the macro check; the headings are still worth resolving
            self._ids[tree_path] = element_ids(body)
        return self._ids[tree_path]


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
