"""How a page is written: heading order (an error: screen readers navigate by it) and plain
language (warnings: long sentences, a service page without the sections citizens look for).
"""

from __future__ import annotations

import re

from portal.checks.markdown import Line, headings
from portal.common.findings import WARNING, Finding
from portal.municipal.config import SERVICE_IDS
from portal.site.content import SourcePage, front_matter

MAX_SENTENCE_WORDS = 25
# The questions every service page answers, in this order, as level-2 headings.
REQUIRED_SECTIONS = {
    "nl": ("Wat is het?", "Voor wie?", "Hoe gaat het?", "Wat kost het?", "Contact"),
    "fr": ("De quoi s'agit-il ?", "Pour qui ?", "Comment ça se passe ?", "Combien ça coûte ?", "Contact"),
    "de": ("Was ist das?", "Für wen?", "Wie läuft es ab?", "Was kostet es?", "Kontakt"),
}

LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
BLOCK_BREAK_RE = re.compile(r"^\s*(?:#|\||<|!!!|\?\?\?|\[[^\]]+\]:|-{3,}\s*$|\*{3,}\s*$)")
LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
TAG_RE = re.compile(r"<[^>]+>")
EMPHASIS_RE = re.compile(r"[*_]{1,3}")
WORD_RE = re.compile(r"\w", re.UNICODE)
SENTENCE_END_RE = re.compile(r"[.!?…][\"'”»)\]]*$")


def check_writing(page: SourcePage, lines: list[Line]) -> list[Finding]:
    """Heading-level, sentence-length and required-section findings for one page."""
    return _heading_levels(page, lines) + _long_sentences(page, lines) + _sections(page, lines)


def _heading_levels(page: SourcePage, lines: list[Line]) -> list[Finding]:
    findings = []
    previous = 1  # the theme shows the page title as the h1
    for heading in headings(lines):
        if heading.level > previous + 1:
            findings.append(Finding(
                page.path, heading.line,
                f"heading level skipped: {'#' * heading.level} {heading.text!r} follows a level-{previous} heading",
                hint=f"make it {'#' * (previous + 1)}, or add the missing level above it"))
        previous = heading.level
    return findings


def _plain(text: str) -> str:
    text = LINK_RE.sub(r"\1", text)
    text = TAG_RE.sub(" ", text)
    text = LIST_ITEM_RE.sub("", text)
    text = re.sub(r"^\s*>\s?", "", text)
    return EMPHASIS_RE.sub("", text)


def _blocks(lines: list[Line]) -> list[list[Line]]:
    """Paragraphs and list items: the units a sentence cannot cross."""
    blocks, current = [], []
    for line in lines:
        if not line.text.strip() or BLOCK_BREAK_RE.match(line.text):
            if current:
                blocks.append(current)
            current = []
            continue
        if LIST_ITEM_RE.match(line.text) and current:
            blocks.append(current)
            current = []
        current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _long_sentences(page: SourcePage, lines: list[Line]) -> list[Finding]:
    findings = []
    for block in _blocks(lines):
        tokens = [(word, line.number) for line in block for word in _plain(line.text).split()]
        start, count = None, 0
        for word, number in tokens:
            if start is None:
                start, count = number, 0
            if WORD_RE.search(word):
                count += 1
            if SENTENCE_END_RE.search(word):
                if count > MAX_SENTENCE_WORDS:
                    findings.append(_long(page, start, count))
                start = None
        if start is not None and count > MAX_SENTENCE_WORDS:
            findings.append(_long(page, start, count))
    return findings


def _long(page: SourcePage, line: int, count: int) -> Finding:
    return Finding(page.path, line, f"sentence of {count} words (plain language: at most {MAX_SENTENCE_WORDS})",
                   severity=WARNING, hint="split it into two sentences, one idea each")


def _normal(title: str) -> str:
    # French typography puts a (narrow) no-break space before ? and :
    return " ".join(title.replace("\u00a0", " ").replace("\u202f", " ").split()).replace("’", "'")


def _sections(page: SourcePage, lines: list[Line]) -> list[Finding]:
    try:
        meta = front_matter(page.path)
    except Exception:  # noqa: BLE001 - invalid front matter is reported by portal.checks.run
        meta = {}
    if meta.get("service") not in SERVICE_IDS and page.stem not in SERVICE_IDS:
        return []
    required = REQUIRED_SECTIONS.get(page.lang, ())
    present = {_normal(h.text) for h in headings(lines) if h.level == 2}
    return [
        Finding(page.path, 1, f"service page without the section \"## {title}\"", severity=WARNING,
                hint="service pages answer, as ## headings: " + ", ".join(required))
        for title in required if _normal(title) not in present
    ]
