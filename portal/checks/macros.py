"""Macro mistakes in a page body, every one at its line, in one run.

Rendering stops at the first mistake and parsing at the first syntax error, so names, office ids
and form ids are found by scanning the tokens of each `{{ ... }}` and `{% ... %}` on its own: a
broken brace on line 51 does not hide an unknown macro on line 43. The page is rendered only when
the scan and the parse found nothing, to catch what shows only then (a wrong number of arguments).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import jinja2
import yaml

from portal.common.findings import Finding, PortalError
from portal.municipal.config import FORM_IDS, Municipality
from portal.site import render

OFFICE_MACROS = ("contact_card", "opening_hours", "open_now")
SYNTAX_HINT = "a macro is written {{ name() }} or {{ name(\"id\") }}: check the braces and the quotes"

# One tag, not running into the next: an unclosed `{{` is left to the parser's message.
TAG_RE = re.compile(r"\{\{(?:(?!\{\{|\{%|\}\}).)*\}\}|\{%(?:(?!\{\{|\{%|%\}).)*%\}", re.S)
COMMENT_RE = re.compile(r"\{#.*?#\}", re.S)
RAW_RE = re.compile(r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}", re.S)
# Words of Jinja's own, never a macro a page uses.
KEYWORDS = {"and", "or", "not", "in", "is", "if", "else", "elif", "endif", "for", "endfor", "set", "endset",
            "with", "endwith", "recursive", "true", "false", "none", "True", "False", "None"}


def check_macros(markdown: str, municipality: Municipality, lang: str, root: Path,
                 source: Path, line_offset: int = 0) -> list[Finding]:
    """Every macro mistake in a page body; `line_offset` is the number of front-matter lines."""
    if "{{" not in markdown and "{%" not in markdown and "{#" not in markdown:
        return []
    tags = [(line, _tokens(line, tag)) for line, tag in _tags(markdown)]
    findings = _unknown_names(tags) + _unknown_ids(tags, municipality)
    findings = [Finding(source, line + line_offset, message, hint=hint) for line, message, hint in findings]
    findings += [Finding(source, line + line_offset, f"macro syntax: {message}", hint=SYNTAX_HINT)
                 for line, message in _syntax_errors(markdown)]
    if findings:
        return findings
    try:
        render.render_markdown(markdown, municipality, lang, root, source, line_offset)
    except PortalError as exc:
        return exc.findings
    except yaml.YAMLError:
        pass   # the front matter of a page service_list() reads: reported on that page
    return []


def _tags(body: str):
    """(line, text) of every tag outside comments and raw blocks; blanking keeps the lines."""
    def blank(match):
        return re.sub(r"[^\n]", " ", match.group(0))

    body = COMMENT_RE.sub(blank, RAW_RE.sub(blank, body))
    for match in TAG_RE.finditer(body):
        yield body.count("\n", 0, match.start()) + 1, match.group(0)


def _tokens(line: int, tag: str) -> list[tuple[int, str, str]]:
    """(line, kind, value) of one tag, without whitespace; up to a lexing error, if any."""
    tokens = []
    try:
        for lineno, kind, value in render.ENV.lexer.tokeniter(tag, None):
            if kind != "whitespace":
                tokens.append((line + lineno - 1, kind, value))
    except jinja2.TemplateSyntaxError:
        pass   # reported by _syntax_errors; the tokens before it still name macros and ids
    return tokens


def _bound(tags) -> set[str]:
    """Names a page binds itself: `{% set x = ... %}`, `{% for a, b in ... %}`."""
    bound = set()
    for _, tokens in tags:
        values = [value for _, _, value in tokens]
        if values[:2] == ["{%", "set"] and len(values) > 2:
            bound.add(values[2])
        elif values[:2] == ["{%", "for"] and "in" in values:
            bound.update(v for v in values[2:values.index("in")] if v != ",")
    return bound


def _unknown_names(tags) -> list[tuple[int, str, str]]:
    known = set(render.MACRO_NAMES) | _bound(tags) | {"loop"}
    found = []
    for _, tokens in tags:
        statement = bool(tokens) and tokens[0][2] == "{%"
        for i, (line, kind, value) in enumerate(tokens):
            if kind != "name" or value in KEYWORDS or value in known or (statement and i == 1):
                continue
            before = tokens[i - 1][2] if i else ""
            after = tokens[i + 1][2] if i + 1 < len(tokens) else ""
            if before in (".", "|", "is") or after == "=":   # attribute, filter, test, keyword argument
                continue
            close = difflib.get_close_matches(value, render.MACRO_NAMES, n=1)
            found.append((line, f"macro: {value!r} is undefined",
                          f"did you mean {close[0]}?" if close else "known macros: " + ", ".join(render.MACRO_NAMES)))
    return found


def _unknown_ids(tags, municipality: Municipality) -> list[tuple[int, str, str]]:
    """Office and form ids written as a macro's first argument: `contact_card("welzijn")`."""
    offices = [o.id for o in municipality.offices]
    found = []
    for _, tokens in tags:
        for i in range(len(tokens) - 2):
            (line, kind, name), (_, _, paren), (_, arg_kind, arg) = tokens[i:i + 3]
            if kind != "name" or paren != "(" or arg_kind != "string":
                continue
            value = arg[1:-1]
            if name in OFFICE_MACROS and value not in offices:
                found.append((line, f"macro: unknown office id {value!r}",
                              f"office ids: {', '.join(offices)}; {{{{ {name}() }}}} without an id shows the first office"))
            elif name in render.FORM_MACROS and value not in FORM_IDS:
                close = difflib.get_close_matches(value, FORM_IDS, n=1)
                found.append((line, f"macro: unknown form {value!r}",
                              f"did you mean {close[0]!r}?" if close else "forms: " + ", ".join(FORM_IDS)))
    return found


def _syntax_errors(body: str) -> list[tuple[int, str]]:
    """The parser's first error in the page, and that of every `{{ ... }}` parsed on its own
    (a statement such as `{% if %}` needs its block, so it is only parsed with the page)."""
    errors = {}
    try:
        render.ENV.parse(body)
    except jinja2.TemplateSyntaxError as exc:
        errors[exc.lineno or 1] = exc.message
    for line, tag in _tags(body):
        if tag.startswith("{{"):
            try:
                render.ENV.parse(tag)
            except jinja2.TemplateSyntaxError as exc:
                errors.setdefault(line + (exc.lineno or 1) - 1, exc.message)
    return sorted(errors.items())
