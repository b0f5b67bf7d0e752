"""What `portal build` shows while it runs and when it is done.

At a terminal: one progress line, redrawn in place, with the municipality that just finished;
failures are printed above it as they happen. Elsewhere (CI logs, pipes): one plain line per
site. At the end: every failure's message and one summary line (scripts and bench/ read it).
"""

from __future__ import annotations

import shutil
import time

import click

BAR_WIDTH = 24


class BuildReporter:
    """`on_result` callback for portal.site.build.build_sites, plus the closing summary."""

    def __init__(self, total: int, *, interactive: bool):
        self.total = total
        self.interactive = interactive
        self.started = time.perf_counter()
        self.built = self.skipped = 0
        self.failures = []

    @property
    def finished(self) -> int:
        return self.built + self.skipped + len(self.failures)

    def __call__(self, result) -> None:
        if not result.ok:
            self.failures.append(result)
        elif result.skipped:
            self.skipped += 1
        else:
            self.built += 1
        if self.interactive:
            if not result.ok:
                self._clear()
                click.echo(f"FAILED {result.slug}: {result.error}", err=True)
            self._draw(result.slug)
        elif not result.ok:
            click.echo(f"  failed  {result.slug}", err=True)
        elif result.skipped:
            click.echo(f"  skipped {result.slug} (unchanged)")
        else:
            click.echo(f"  built   {result.slug:<28} {result.seconds:6.2f} s")

    def _clear(self) -> None:
        click.echo("\r" + " " * (shutil.get_terminal_size().columns - 1) + "\r", nl=False, err=True)

    def _draw(self, slug: str) -> None:
        done = self.finished
        filled = BAR_WIDTH * done // max(self.total, 1)
        line = (f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{self.total}"
                f"  built {self.built}  skipped {self.skipped}  failed {len(self.failures)}  {slug}")
        width = shutil.get_terminal_size().columns - 1
        click.echo("\r" + line[:width].ljust(width), nl=False, err=True)

    def summary(self) -> None:
        """The failures with their messages, and the one summary line (a table above it said the
        same again)."""
        seconds = time.perf_counter() - self.started
        if self.interactive and self.total:
            self._clear()
        for result in self.failures:
            click.echo(f"FAILED {result.slug}: {result.error}", err=True)
        click.echo(f"{self.total} site(s): {self.built} built, {self.skipped} skipped, "
                   f"{len(self.failures)} failed in {seconds:.1f} s")
