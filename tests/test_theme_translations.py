"""The theme's own words on the built pages are in the page's language: mkdocs-material's Dutch
translation has "Header" and "Footer" for the landmarks, which a screen reader reads out on every
page; templates/theme/partials/languages/nl.html overrides them (a copy with its documented
changes, compared with the theme's by tests/test_theme_markup.py, so a theme upgrade fails there
until the copy is redone)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import material

UPSTREAM = Path(material.__file__).parent / "templates" / "partials" / "languages"
# English theme texts that are also the word in these languages.
SAME_WORD = {"fr": {"Navigation"}, "de": {"Navigation"}, "nl": set()}


def theme_texts(name: str) -> dict:
    return dict(re.findall(r'^\s*"([^"]+)": "([^"]*)"', (UPSTREAM / name).read_text(encoding="utf-8"), re.M))


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
