"""Reading a markdown page the way an author sees it: real file lines, minus code and macros.

Everything here works on the source text, so every finding can name the line the author edits
(front matter included). Nothing here knows about municipalities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import markdown as markdown_lib

FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
INLINE_CODE_RE = re.compile(r"`[^`]*`")
MACRO_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
ATTR_LIST_RE = re.compile(r"\s*\{[:#.][^}]*\}\s*$")
# [text](target "title") and ![alt](src); the text may not contain brackets.
INLINE_LINK_RE = re.compile(r"(!?)\[([^\]\[]*)\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
REF_USE_RE = re.compile(r"(!?)\[([^\]\[]*)\]\[([^\]\[]*)\]")
REF_DEF_RE = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s.*)?$")
HTML_A_RE = re.compile(r"<a\b[^>]*?\bhref\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
HTML_IMG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
HTML_ALT_RE = re.compile(r"\balt\s*=\s*([\"'])(.*?)\1", re.IGNORECASE)
HTML_SRC_RE = re.compile(r"\bsrc\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
ID_RE = re.compile(r"\bid=\"([^\"]+)\"")
SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")

# The markdown extensions of mkdocs.yml that create or change heading ids.
EXTENSIONS = ["attr_list", "md_in_html", "admonition", "toc"]


def body_start(text: str) -> tuple[int, int]:
    """(character offset, number of lines) where the body begins after the front matter."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            after = text.find("\n", end + 4)
            after = len(text) if after == -1 else after + 1
            return after, text[:after].count("\n")
    return 0, 0


@dataclass(frozen=True)
class Line:
    number: int   # 1-based line in the file, front matter included
    text: str     # with inline code and macros blanked out


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    text: str


@dataclass(frozen=True)
class Link:
    line: int
    target: str
    text: str
    image: bool


def prose_lines(text: str) -> list[Line]:
    """The body's lines outside fenced code, with inline code and `{{ macros }}` blanked.

    Blanking keeps columns but stops `[x](y)` inside code or a macro argument counting as a link.
    """
    offset, first = body_start(text)
    lines, fence = [], None
    for number, raw in enumerate(text[offset:].split("\n"), start=first + 1):
        match = FENCE_RE.match(raw)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
            continue
        blank = lambda m: " " * len(m.group(0))  # noqa: E731 - keeps the columns
        lines.append(Line(number, MACRO_RE.sub(blank, INLINE_CODE_RE.sub(blank, raw))))
    return lines


def headings(lines: list[Line]) -> list[Heading]:
    result = []
    for line in lines:
        match = HEADING_RE.match(line.text)
        if match:
            title = ATTR_LIST_RE.sub("", match.group(2)).strip()
            result.append(Heading(line.number, len(match.group(1)), title))
    return result


def links(lines: list[Line]) -> list[Link]:
    """Every link and image: inline, reference-style and HTML, with the line it is on."""
    definitions = {}
    for line in lines:
        match = REF_DEF_RE.match(line.text)
        if match:
            definitions[match.group(1).strip().lower()] = (line.number, match.group(2))
    result = []
    for line in lines:
        if REF_DEF_RE.match(line.text):
            continue
        for match in INLINE_LINK_RE.finditer(line.text):
            result.append(Link(line.number, match.group(3), match.group(2), bool(match.group(1))))
        for match in REF_USE_RE.finditer(line.text):
            ref = (match.group(3) or match.group(2)).strip().lower()
            if ref in definitions:
                result.append(Link(line.number, definitions[ref][1], match.group(2), bool(match.group(1))))
        for match in HTML_A_RE.finditer(line.text):
            result.append(Link(line.number, match.group(1), "", False))
        for match in HTML_IMG_RE.finditer(line.text):
            src = HTML_SRC_RE.search(match.group(0))
            alt = HTML_ALT_RE.search(match.group(0))
            # alt="" is a deliberate choice (a decorative image); a missing alt is not.
            text = "" if alt is None else (alt.group(2) or "(decorative)")
            result.append(Link(line.number, src.group(1) if src else "", text, True))
    return result


def is_internal(target: str) -> bool:
    """A link MkDocs resolves inside the site: relative, not to another host or scheme."""
    return bool(target) and not SCHEME_RE.match(target) and not target.startswith("/")


def element_ids(rendered_body: str) -> set[str]:
    """The ids a page's HTML will have (heading anchors included), as MkDocs' markdown makes them."""
    html = markdown_lib.Markdown(extensions=EXTENSIONS).convert(rendered_body)
    return set(ID_RE.findall(html))
