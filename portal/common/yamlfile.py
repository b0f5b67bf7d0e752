"""YAML loading that remembers the line of every key, so errors can say `file:line`."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from portal.common.findings import Finding, PortalError


class LineDict(dict):
    """A mapping from a YAML file; `line_of(key)` is the 1-based line the key is on."""

    line = 1
    key_lines: dict

    def line_of(self, key, default: int | None = None) -> int:
        return self.key_lines.get(key, default if default is not None else self.line)


class LineList(list):
    """A sequence from a YAML file; `line_of(i)` is the 1-based line of item i."""

    line = 1
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader, node):
    _refuse_repeated_keys(loader, node)
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _refuse_repeated_keys(loader, node) -> None:
    """A key written twice in one mapping is an error at its second line: YAML parsers keep the
    last value without a word, so an author's first `hours:` (or a second message text) would
    silently vanish. Keys that a `<<:` merge brings in may be overridden, as YAML intends."""
    first_lines = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            first = first_lines.get(key)
        except TypeError:          # a list or mapping as a key: YAML allows it, nobody writes it
            continue
        if first is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"{key!r} is written twice in the same place (first on line {first}); keep one",
                key_node.start_mark)
        first_lines[key] = key_node.start_mark.line + 1


def _sequence(loader, node):
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)

_TOP_KEY_RE = re.compile(r"^([^\s#'\"\-\[{][^:]*):(\s|$)")


def load_top_level_keys(text: str) -> tuple[LineDict, list[str]]:
    """The top-level keys of a YAML mapping that has a syntax error, each read on its own:
    (those whose lines parse, with their file lines; the names of those that do not). So
    `portal check` can still check the pages of a municipality whose file has one broken line."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if _TOP_KEY_RE.match(line)] + [len(lines)]
    result, unread = LineDict(), []
    result.key_lines = {}
    for start, end in zip(starts, starts[1:]):
        # Blank lines in front keep the parser's line numbers those of the file.
        block = "\n" * start + "".join(lines[start:end])
        try:
            value = yaml.load(block, Loader=_Loader)  # nosec B506  # _Loader is a yaml.SafeLoader subclass
        except yaml.YAMLError:
            unread.append(_TOP_KEY_RE.match(lines[start]).group(1).strip())
            continue
        if isinstance(value, LineDict):
            for key in value:
                result[key] = value[key]
                result.key_lines[key] = value.line_of(key)
    return result, unread


def load_yaml(path: Path):
    """Parse a YAML file into LineDict/LineList values.

    Raises PortalError naming the file and line when the YAML itself is malformed.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PortalError(Finding(path, 1, f"cannot read file: {exc.strerror}")) from exc
    try:
        return yaml.load(text, Loader=_Loader)  # nosec B506  # _Loader is a yaml.SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise PortalError(Finding(path, line, f"invalid YAML: {exc.problem or exc}")) from exc
