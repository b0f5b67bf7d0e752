"""Keep a page's markdown in the authors' style when the rich-text editor saves it.

Decap's rich-text editor re-serialises the whole page: `*` bullets instead of `-`, the front
matter rewritten (long descriptions folded over two lines), the blank line after it dropped. The
site would be the same, but every save would show as a rewrite of the page in git and in review.
So the local backend puts the front matter back through yaml_merge (unchanged values keep their
line) and writes `-` bullets and the blank line, as docs/authors.md shows them.
"""

from __future__ import annotations

import re

from portal.admin.yaml_merge import MergeError, merge_yaml

FRONT = re.compile(r"\A---\n(.*?\n)---\n", re.S)
BULLET = re.compile(r"^(\s*)\* (?=\S)", re.M)
FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def _bullets(body: str) -> str:
    """`* item` -> `- item`, outside fenced code blocks."""
    out, last = [], 0
    for fence in FENCE.finditer(body):
        out.append(BULLET.sub(r"\1- ", body[last:fence.start()]))
        out.append(fence.group(0))
        last = fence.end()
    out.append(BULLET.sub(r"\1- ", body[last:]))
    return "".join(out)


def tidy_markdown(old_text: str, new_text: str) -> str:
    """`new_text` (from the editor) with the front matter layout of `old_text` and `-` bullets."""
    new = FRONT.match(new_text)
    if not new:
        return _bullets(new_text)
    front, body = new.group(1), new_text[new.end():]
    old = FRONT.match(old_text or "")
    if old:
        try:
            front = merge_yaml(old.group(1), front)
        except MergeError:
            pass   # not a mapping: written as the editor sent it, `portal check` reports it
    return f"---\n{front}---\n\n{_bullets(body.lstrip(chr(10)))}"
