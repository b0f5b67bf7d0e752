"""Write the editor's version of a municipality file without losing what the author wrote.

The CMS sends a whole new YAML text, serialised by its own YAML library: comments gone, flow
mappings (`{nl: Opwijk}`) turned into blocks, keys it has no field for possibly dropped. The
municipality files are also edited by hand and their comments explain every key, so the local
backend does not write that text as it is: it parses it and applies only the *values* that changed
to the file on disk through ruamel.yaml's round-trip loader, which keeps comments, key order,
quoting and flow style wherever a value did not change.

Rules (documented in docs/authors.md): a key the new text has gets its new value (unchanged values
keep their formatting); a key the new text lacks is removed only when the editor shows that key
(`managed`), so a key the form does not offer (`regional_holidays`, `privacy`, ...) survives an
edit in the browser; list items are matched by position (offices by their `id`).
"""

from __future__ import annotations

import datetime as dt
import io

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq


class MergeError(ValueError):
    """The editor's text is not a YAML mapping; nothing was written."""


def _round_trip() -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096            # never fold a long sentence onto two lines
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def _plain(value):
    """A value as plain Python, dates as ISO text: what both YAML readers agree on."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _same(old, new) -> bool:
    return _plain(old) == _plain(new)


def _merge_value(old, new):
    """`new` carried into the shape of `old` where both are mappings or lists; else `new`."""
    if _same(old, new):
        return old
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        _merge_map(old, new, managed=None)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        _merge_seq(old, new)
        return old
    if isinstance(old, dt.date) and isinstance(new, str):
        try:
            return dt.date.fromisoformat(new)   # a date stays an unquoted date
        except ValueError:
            return new
    return new


def _merge_map(old: CommentedMap, new: dict, managed: set[str] | None) -> None:
    for key in list(old):
        if key not in new and (managed is None or key in managed):
            del old[key]
    for key, value in new.items():
        if key in old:
            old[key] = _merge_value(old[key], value)
        else:
            old[key] = value


def _key(item):
    return item.get("id") if isinstance(item, dict) else None


def _merge_seq(old: CommentedSeq, new: list) -> None:
    by_id = {_key(item): item for item in old if _key(item) is not None}
    merged = []
    for index, value in enumerate(new):
        match = by_id.get(_key(value)) if _key(value) is not None else (old[index] if index < len(old) else None)
        merged.append(value if match is None else _merge_value(match, value))
    old[:] = merged


def merge_yaml(old_text: str, new_text: str, managed: set[str] | None = None) -> str:
    """`old_text` with the values of `new_text`, its comments and layout kept where unchanged.

    `managed`: the top-level keys the editor shows; others missing from `new_text` are kept.
    Raises MergeError when `new_text` is not a YAML mapping (nothing should be written then).
    """
    try:
        new = yaml.safe_load(new_text)
    except yaml.YAMLError as exc:
        raise MergeError(f"not valid YAML: {exc}") from exc
    if not isinstance(new, dict):
        raise MergeError("the municipality file must be a mapping of keys")
    rt = _round_trip()
    old = rt.load(old_text) if old_text.strip() else CommentedMap()
    if not isinstance(old, CommentedMap):
        old = CommentedMap()
    _merge_map(old, _plain(new), managed)
    out = io.StringIO()
    rt.dump(old, out)
    return out.getvalue()
