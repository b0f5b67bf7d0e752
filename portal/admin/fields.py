"""Which field of the municipality form a `portal check` finding is about, from its file line.

`portal check` reports `site_config/opwijk.yml:15: ...`; the editor shows a form, not lines, so
the check panel names the field instead: `offices › welzijn › hours`.
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq


def _walk(node, line0: int, trail: list) -> list:
    """Deepest key path in `node` whose key starts on or before 0-based `line0`."""
    if isinstance(node, CommentedMap):
        if node.fa.flow_style():   # `{nl: ..., fr: ...}` on one line: the key above it is the field
            return trail
        best = None
        for key in node:
            key_line = node.lc.key(key)[0]
            if key_line <= line0 and (best is None or key_line >= node.lc.key(best)[0]):
                best = key
        if best is None:
            return trail
        return _walk(node[best], line0, [*trail, str(best)])
    if isinstance(node, CommentedSeq):
        best = None
        for index in range(len(node)):
            if node.lc.item(index)[0] <= line0:
                best = index
        if best is None:
            return trail
        item = node[best]
        label = item.get("id", best + 1) if isinstance(item, CommentedMap) else best + 1
        return _walk(item, line0, [*trail, str(label)])
    return trail


def field_of_line(path: Path, line: int) -> list[str] | None:
    """Key path of the value on `line` (1-based) of YAML file `path`; None when unreadable."""
    try:
        data = YAML(typ="rt").load(Path(path).read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - a broken file has no fields; the finding says why
        return None
    return _walk(data, line - 1, []) or None
