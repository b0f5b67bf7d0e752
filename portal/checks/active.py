"""Active content where only text belongs: `<script`, `on...=` event attributes and `javascript:`
URLs in a page or a municipality's config. A page or a name is text and links; a script there
would run on the municipality's domain for every visitor (and the static pages' CSP allows no
inline script), so each is an error naming the file and line."""

from __future__ import annotations

import re
from pathlib import Path

from portal.common.findings import Finding

CHECKS = (
    (re.compile(r"<\s*script\b", re.IGNORECASE), "a <script> element"),
    # An on...= attribute in an HTML tag, or in a Markdown attribute list `{: onclick=... }`.
    (re.compile(r"(?:<[a-z][^>]*|\{[^}]*)[\s\"'/]on[a-z]+\s*=", re.IGNORECASE), "an on...= event attribute"),
    (re.compile(r"(?:java|vb)\s*script\s*:", re.IGNORECASE), "a javascript: URL"),
)
HINT = "pages and configs hold text and links only: remove it (a script belongs in the theme's files)"


def check_text(path: Path, text: str) -> list[Finding]:
    """One finding per line and kind of active content in `text` (the whole file)."""
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, what in CHECKS:
            if pattern.search(line):
                findings.append(Finding(path, number, f"{what} is not allowed here", hint=HINT))
    return findings


def check_file(path: Path) -> list[Finding]:
    try:
        return check_text(path, path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):      # reported by the checks that read the file anyway
        return []
