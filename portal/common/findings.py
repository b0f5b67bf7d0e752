"""Findings: what `portal check` reports, each tied to a file and a line."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ERROR = "error"
WARNING = "warning"
NOTE = "note"          # an explanation of a choice the config makes; never fails a check


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    message: str
    severity: str = ERROR
    hint: str = ""

    def __str__(self) -> str:
        text = f"{_display(self.path)}:{self.line}: {self.severity}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


class PortalError(Exception):
    """A problem in a file the project reads, carrying its findings."""

    def __init__(self, findings: list[Finding] | Finding):
        self.findings = [findings] if isinstance(findings, Finding) else list(findings)
        super().__init__("\n".join(str(f) for f in self.findings))


def load_each(keys: Iterable[str], load: Callable) -> dict:
    """{key: load(key)} for every key; raises one PortalError with every broken key's findings,
    so an author sees all broken files at once rather than the first."""
    result, errors = {}, []
    for key in keys:
        try:
            result[key] = load(key)
        except PortalError as exc:
            errors.extend(exc.findings)
    if errors:
        raise PortalError(errors)
    return result


def _display(path: Path) -> str:
    """Paths relative to the working directory when possible, so editors can jump to them."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
