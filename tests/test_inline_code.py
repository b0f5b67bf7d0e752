"""No inline code in any page a citizen gets (issue 14).

The Content-Security-Policy of the static pages (deploy/nginx/portal.conf) and of the form backend
(portal/web/security.py) allow scripts and styles only from files of the site's own host: no
`'unsafe-inline'`. A browser refuses whatever is inline, so the page would silently lose it. Every
built page of every example site (service pages, home, FAQ, legal pages, 404 pages, the quick
exit's neutral page) and the backend's staff sign-in page are read with an HTML parser; data
blocks (`application/json`, `application/ld+json`) are not code and may stay inline.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

# What a browser runs as a classic or module script (the HTML standard's JavaScript MIME types).
SCRIPT_TYPES = {"", "module", "text/javascript", "application/javascript", "application/ecmascript",
                "application/x-javascript", "text/ecmascript", "text/jscript", "text/livescript"}


class InlineCode(HTMLParser):
    """Collects the inline code of one page: scripts with a body, on*= handlers, javascript:
    URLs, <style> elements and style= attributes; and counts the external scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.styles: list[str] = []
        self.external_scripts = 0
        self._script: str | None = None   # the start tag of the executable script being read

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.styles.append(f"<{tag} style={value!r}>")
        if tag == "style":
            self.styles.append("<style>")
        if tag == "script" and (values.get("type") or "").strip().lower() in SCRIPT_TYPES:
            self._script = self.get_starttag_text()
            self.external_scripts += "src" in values

    def handle_data(self, data):
        if self._script is not None and data.strip():
            self.scripts.append(f"{self._script}{data.strip()[:80]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def inline_code(html: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser


def test_the_parser_finds_what_a_strict_policy_blocks():
    """The checker itself: it sees each kind of inline code and leaves data blocks alone."""
    page = inline_code('<script>var a=1</script><script type="module">b()</script><script src="x.js"></script>'
                       '<script type="application/json">{"a": 1}</script><script type="application/ld+json">{}</script>'
                       '<button onclick="go()">x</button><a href=" JavaScript:go()">y</a>'
                       '<style>p{}</style><p style="color:red">z</p>')
    assert len(page.scripts) == 2 and page.external_scripts == 1
    assert len(page.handlers) == 2 and len(page.styles) == 2


def built_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_no_built_page_has_an_inline_script_or_event_handler(built_sites, example_slugs):
    pages = built_pages(built_sites)
    assert {p.relative_to(built_sites).parts[0] for p in pages} == set(example_slugs)
    found, external = [], 0
    for path in pages:
        page = inline_code(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(built_sites)}: {code}" for code in page.scripts + page.handlers]
        external += page.external_scripts
    assert found == []
    assert external >= 2 * len(pages), "every page loads its scripts as files; the walk saw none"


def test_no_built_page_has_an_inline_style(built_sites):
    found = [f"{path.relative_to(built_sites)}: {code}"
             for path in built_pages(built_sites) for code in inline_code(path.read_text(encoding="utf-8")).styles]
    assert found == []


def test_the_staff_sign_in_page_has_no_inline_code(client):
    """The backend's pages (forms, receipts, errors) are checked by tests/test_security.py; the
    staff inbox's first page here."""
    response = client.get("/office/sign-in")
    assert response.status_code == 200
    page = inline_code(response.get_data(as_text=True))
    assert page.scripts + page.handlers + page.styles == []
