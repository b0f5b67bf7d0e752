"""Build municipal sites with MkDocs: `build_site` for one, `build_sites` for many.

`build_sites` is what `portal build` runs. It skips a site whose fingerprint (portal.site.fingerprint)
matches the one stored with its last build, and builds the others in this process (`jobs=1`) or in
`jobs` forked worker processes that each import MkDocs once and build many sites. Each site is
built into `<out>/.building/<slug>` and swapped into place only when it succeeded, so a broken
municipality keeps its last good site and never stops the others.

Output is what `mkdocs build` writes, byte for byte, except that copied static files are hard links
to one shared copy (portal.site.dedupe) and source maps and unused search languages are left out. The
speed-ups below change how MkDocs gets there, not what it writes:

- the Jinja2 templates of the theme are compiled once per process (a shared bytecode cache) and
  loaded once per language (one environment per theme and language for the run), not once per
  page template per language per site;
- the theme's file listing (mkdocs-material ships ~14,000 files, mostly icons) is walked once;
- static files are linked instead of copied, so a site costs its pages, not 4 MB of theme.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import jinja2
from mkdocs import utils
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.structure import files as files_module
from mkdocs.theme import Theme

from portal.common.settings import project_root
from portal.site import dedupe, fingerprint

BUILDING_DIR = ".building"
LOCK_FILE = ".portal-build.lock"
TRASH_DIR = "trash"


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


def _join(messages: list[str]) -> str:
    """MkDocs' warnings as one message; "Error reading page 'x':" introduces the next one."""
    text = ""
    for message in messages:
        if not text:
            text = message
        elif text.endswith(":"):
            text += " " + message
        else:
            text += "; " + message
    return text


# --- per-process speed-ups of MkDocs (same output, less work) ----------------------------------

class _MemoryBytecodeCache:
    """Jinja2 bytecode kept in memory for the life of the process.

    Jinja checks each entry against the checksum of the template source, so an edited template
    is compiled again; only unchanged templates are reused. Theme environments are all created
    alike by mkdocs.theme.Theme.get_env, so their bytecode is interchangeable. (The one
    extension a plugin adds later, i18n's loopcontrols, only changes templates that use
    break/continue; those do not compile without it, so none is cached from an environment
    lacking it.)
    """

    def __new__(cls):
        class Cache(jinja2.BytecodeCache):
            def __init__(self):
                self.store: dict[str, bytes] = {}

            def load_bytecode(self, bucket):
                if bucket.key in self.store:
                    bucket.bytecode_from_string(self.store[bucket.key])

            def dump_bytecode(self, bucket):
                self.store[bucket.key] = bucket.bytecode_to_string()

        return Cache()


_state: dict = {"installed": False, "store": None, "site_dir": None, "theme_files": {}, "envs": {}}


def _install_speedups() -> None:
    """Patch MkDocs in this process once: see the module docstring. Idempotent."""
    if _state["installed"]:
        return

    bytecode = _MemoryBytecodeCache()
    original_get_env = Theme.get_env

    def get_env(self):
        # One environment per theme folders and language for the whole run: its loaded templates
        # stay loaded. What Theme.get_env sets depends on nothing else; what plugins add in
        # on_env (i18n's loopcontrols, portal_t) is the same for every site and idempotent.
        key = (tuple(self.dirs), str(self.locale))
        env = _state["envs"].get(key)
        if env is None:
            env = _state["envs"][key] = original_get_env(self)
            env.bytecode_cache = bytecode
        return env

    original_add_theme_files = files_module.Files.add_files_from_theme

    def add_files_from_theme(self, env, config):
        key = (tuple(config.theme.dirs), tuple(config.theme.static_templates), tuple(utils.markdown_extensions))
        listing = _state["theme_files"].get(key)
        if listing is None:
            everything = files_module.Files([])
            original_add_theme_files(everything, env, config)
            listing = _state["theme_files"][key] = [(f.src_uri, f.src_dir) for f in everything]
        for path, src_dir in listing:
            # As MkDocs does: a file in docs_dir wins over the theme's.
            if self.get_file_from_path(path) is None:
                self.append(files_module.File(path, src_dir, config.site_dir, config.use_directory_urls))

    original_copy_file = utils.copy_file

    def copy_file(source_path: str, output_path: str) -> None:
        store, site_dir = _state["store"], _state["site_dir"]
        if store is None or not output_path.startswith(site_dir + os.sep) or os.path.isdir(output_path):
            return original_copy_file(source_path, output_path)
        if dedupe.is_source_map(output_path):
            return  # never shipped (dedupe.unused_files): no need to write it first
        os.makedirs(os.path.dirname(output_path), exist_ok=True)
        store.link(source_path, output_path)

    Theme.get_env = get_env
    files_module.Files.add_files_from_theme = add_files_from_theme
    utils.copy_file = copy_file
    _state["installed"] = True


def _reset_run_caches() -> None:
    """Forget what a previous run learnt about the theme (its files may have changed since)."""
    _state["theme_files"].clear()
    _state["envs"].clear()


# --- one site ----------------------------------------------------------------------------------

def build_site(slug: str, out_dir: Path, root: Path | None = None, *, site_dir: Path | None = None,
               store: dedupe.SharedStore | None = None) -> None:
    """Build municipality `slug` into `site_dir` (default `out_dir/<slug>/`).

    With a `store`, static files are hard links to its shared copies. Raises Exception subclasses
    from MkDocs (PluginError, ...) or RuntimeError with MkDocs' warnings in strict mode.
    """
    _install_speedups()
    if not _state.get("in_run"):
        _reset_run_caches()  # a lone build must see templates edited since the last one
    root = root or project_root()
    site_dir = Path(site_dir or Path(out_dir) / slug).resolve()
    config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(site_dir))
    config.plugins["portal"].config.municipality = slug
    collector = _WarningCollector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    _state["store"], _state["site_dir"] = store, str(site_dir)
    try:
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except SystemExit as exc:  # mkdocs' Abort in strict mode
        raise RuntimeError(_join(collector.messages) or f"build aborted ({exc})") from None
    except Exception as exc:
        if collector.messages and "Aborted" in str(exc):
            raise RuntimeError(_join(collector.messages)) from None
        raise
    finally:
        _state["store"] = _state["site_dir"] = None
        logger.removeHandler(collector)


def _store(out_dir: Path) -> dedupe.SharedStore:
    """One store per output folder and process: it remembers the theme files' digests."""
    stores = _state.setdefault("stores", {})
    if out_dir not in stores:
        stores[out_dir] = dedupe.SharedStore(out_dir)
    return stores[out_dir]


def _build_and_swap(slug: str, out_dir: Path, root: Path, stamp: str | None, *, defer_delete: bool = False) -> BuildResult:
    """Build one site aside, then put it in place with its fingerprint. Never raises.

    With `defer_delete`, the replaced site is left in `<out>/.building/trash/` for the caller to
    delete (the parent process, idle while workers build, does it in parallel).
    """
    started = time.perf_counter()
    out_dir = Path(out_dir).resolve()
    fresh = out_dir / BUILDING_DIR / slug
    try:
        if fresh.exists():
            shutil.rmtree(fresh)
        build_site(slug, out_dir, root, site_dir=fresh, store=_store(out_dir))
        dedupe.prune_site(fresh)
        if stamp is not None:
            fingerprint.write_stamp(fresh, stamp)
        final = out_dir / slug
        old = out_dir / BUILDING_DIR / TRASH_DIR / f"{slug}.{os.getpid()}"
        if final.exists():
            old.parent.mkdir(exist_ok=True)
            os.replace(final, old)
        os.replace(fresh, final)
        if old.exists() and not defer_delete:
            shutil.rmtree(old)
        return BuildResult(slug, True, time.perf_counter() - started)
    except Exception as exc:  # reported per site, the run goes on
        shutil.rmtree(fresh, ignore_errors=True)
        return BuildResult(slug, False, time.perf_counter() - started, error=str(exc) or type(exc).__name__)


def _empty_trash(out_dir: Path) -> None:
    """Delete the sites that new builds replaced (each moved there whole, by one rename)."""
    trash = out_dir / BUILDING_DIR / TRASH_DIR
    if trash.is_dir():
        for old in trash.iterdir():
            shutil.rmtree(old, ignore_errors=True)


# --- many sites --------------------------------------------------------------------------------

def _worker_init() -> None:
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    _install_speedups()


def _warm_up() -> None:
    """Import MkDocs, the theme and the plugins before forking, so workers share them."""
    import material.plugins.search.plugin  # noqa: F401
    import mkdocs.commands.build  # noqa: F401
    import mkdocs.config  # noqa: F401
    import mkdocs_static_i18n.plugin  # noqa: F401

    import portal.site.plugin  # noqa: F401

    _install_speedups()


def build_sites(slugs: list[str], out_dir: Path, root: Path | None = None, on_result=None, *,
                jobs: int = 1, force: bool = False, options: dict | None = None) -> list[BuildResult]:
    """Build each municipality that changed since its last build (all with `force`).

    `jobs` > 1 builds in that many forked processes. `on_result(result)` is called in this
    process as each site finishes (skipped ones first). A failing site does not stop the others;
    results come back in the order of `slugs`. Raises BuildLocked when another build is writing
    into `out_dir`.
    """
    root = Path(root or project_root()).resolve()
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(out_dir):
        _state["in_run"] = True
        try:
            return _build_sites(slugs, out_dir, root, on_result, jobs=jobs, force=force, options=options)
        finally:
            _state["in_run"] = False


class BuildLocked(RuntimeError):
    """Another `portal build` is writing into the same output folder."""


@contextlib.contextmanager
def _exclusive(out_dir: Path):
    """One build at a time per output folder (a cron job and a person may start one together)."""
    with open(out_dir / LOCK_FILE, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(f"another portal build is writing into {out_dir}/; wait until it has finished") from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build_sites(slugs, out_dir: Path, root: Path, on_result, *, jobs: int, force: bool, options) -> list[BuildResult]:
    _reset_run_caches()
    results: dict[str, BuildResult] = {}
    todo: list[tuple[str, str | None]] = []
    hasher = fingerprint.Fingerprinter(root, options)
    for slug in slugs:
        started = time.perf_counter()
        try:
            stamp = hasher.site(slug)
        except Exception:  # an unreadable config: let the build report it properly
            stamp = None
        if not force and stamp is not None and fingerprint.read_stamp(out_dir / slug) == stamp:
            results[slug] = BuildResult(slug, True, time.perf_counter() - started, skipped=True)
            if on_result:
                on_result(results[slug])
        else:
            todo.append((slug, stamp))

    def done(result: BuildResult):
        results[result.slug] = result
        if on_result:
            on_result(result)

    if jobs <= 1 or len(todo) <= 1:
        for slug, stamp in todo:
            done(_build_and_swap(slug, out_dir, root, stamp))
    elif todo:
        _warm_up()
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context, initializer=_worker_init) as pool:
            futures = {pool.submit(_build_and_swap, slug, out_dir, root, stamp, defer_delete=True): slug
                       for slug, stamp in todo}
            for future in as_completed(futures):
                try:
                    done(future.result())
                except Exception as exc:  # the worker process itself died
                    done(BuildResult(futures[future], False, 0.0, error=f"build process failed: {exc}"))
                _empty_trash(out_dir)
    if todo:
        dedupe.SharedStore(out_dir).collect_garbage()
        shutil.rmtree(out_dir / BUILDING_DIR, ignore_errors=True)
    return [results[slug] for slug in slugs]
