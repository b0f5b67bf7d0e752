"""Build municipal sites with MkDocs, in this process: `build_site` for one, `build_sites` for many."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from portal.config import project_root

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@dataclass
class BuildResult:
    slug: str
    ok: bool
    seconds: float
    error: str = ""
    skipped: bool = False


class _WarningCollector(logging.Handler):
    """MkDocs reports broken links and similar as warnings; `strict` turns them into a failure."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def build_site(slug: str, out_dir: Path, root: Path | None = None) -> None:
    """Build municipality `slug` into `out_dir/<slug>/`.

    Raises Exception subclasses from MkDocs (PluginError, Abort, ...) with a readable message.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    root = root or project_root()
    config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(Path(out_dir).resolve() / slug))
    config.plugins["portal"].config.municipality = slug
    collector = _WarningCollector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except SystemExit as exc:  # mkdocs' Abort in strict mode
        raise RuntimeError("; ".join(collector.messages) or f"build aborted ({exc})") from None
    except Exception as exc:
        if collector.messages and "Aborted" in str(exc):
            raise RuntimeError("; ".join(collector.messages)) from None
        raise
    finally:
        logger.removeHandler(collector)


def build_sites(slugs: list[str], out_dir: Path, root: Path | None = None, on_result=None) -> list[BuildResult]:
    """Build each municipality; a failing one does not stop the others."""
    results = []
    for slug in slugs:
        started = time.perf_counter()
        try:
            build_site(slug, out_dir, root)
            result = BuildResult(slug, True, time.perf_counter() - started)
        except Exception as exc:  # reported per site, the run goes on
            result = BuildResult(slug, False, time.perf_counter() - started, error=str(exc) or type(exc).__name__)
        results.append(result)
        if on_result:
            on_result(result)
    return results
