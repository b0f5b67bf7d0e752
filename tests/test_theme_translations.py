"""The theme's own words on the built pages are in the page's language: mkdocs-material's Dutch
translation has "Header" and "Footer" for the landmarks, which a screen reader reads out on every
page; templates/theme/partials/languages/nl.html overrides them (a copy with its documented
changes, so a theme upgrade fails here until the copy is redone)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import material

from tests.conftest import ROOT

UPSTREAM = Path(material.__file__).parent / "templates" / "partials" / "languages"
OURS = ROOT / "templates" / "theme" / "partials" / "languages"
HEADER = re.compile(r"\A\{#-.*?-#\}\n", re.S)
EDITS = {
    "nl.html": [('"footer": "Footer"', '"footer": "Paginavoet"'), ('"header": "Header"', '"header": "Paginakop"'),
                ('"search.result.one": "1 overeenkomende document"', '"search.result.one": "1 overeenkomend document"')],
}
# English theme texts that are also the word in these languages.
SAME_WORD = {"fr": {"Navigation"}, "de": {"Navigation"}, "nl": set()}


def theme_texts(name: str) -> dict:
    return dict(re.findall(r'^\s*"([^"]+)": "([^"]*)"', (UPSTREAM / name).read_text(encoding="utf-8"), re.M))


def test_the_copied_translations_are_the_themes_plus_their_documented_changes():
    for name, edits in EDITS.items():
        expected = HEADER.sub("", (UPSTREAM / name).read_text(encoding="utf-8"), count=1)
        for old, new in edits:
            assert expected.count(old) == 1, f"{name}: the theme changed ({old!r}); redo the copy"
            expected = expected.replace(old, new)
        assert HEADER.sub("", (OURS / name).read_text(encoding="utf-8"), count=1) == expected, name


class _Labels(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.labels: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if attrs.get("aria-label"):
            self.labels.append(attrs["aria-label"])


def test_no_built_page_has_an_english_label_for_a_screen_reader(built_sites):
    english = set(theme_texts("en.html").values())
    found, pages = {}, {"nl": 0, "fr": 0, "de": 0}
    for path in built_sites.rglob("*.html"):
        parser = _Labels()
        parser.feed(path.read_text(encoding="utf-8"))
        if parser.lang not in pages:
            continue
        pages[parser.lang] += 1
        wrong = sorted({label for label in parser.labels if label in english - SAME_WORD[parser.lang]})
        if wrong:
            found[str(path.relative_to(built_sites))] = wrong
    assert found == {}
    assert all(count > 10 for count in pages.values()), pages


def test_the_dutch_landmarks_are_labelled_in_dutch(built_sites):
    html = (built_sites / "opwijk" / "index.html").read_text(encoding="utf-8")
    assert 'aria-label="Paginakop"' in html and 'aria-label="Paginavoet"' in html
    assert 'aria-label="Header"' not in html and 'aria-label="Footer"' not in html
