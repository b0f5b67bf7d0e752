"""Shared assets: files that every site ships (theme JavaScript and CSS, search workers, logos that
happen to be equal) are stored once under `<out>/.shared/` and hard-linked into each site.

A hard link is the same bytes under a second name, so every site is still a complete folder that
any web server (or `rsync -H`) serves as is; the 4 MB of theme assets cost disk once per build
folder instead of once per municipality. What is not shipped at all: source maps (`*.map`, only
for debugging the theme) and the search-language files for languages the site does not use.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

SHARED_DIR = ".shared"
# Material's search worker loads lunr.stemmer.support, lunr.multi (more than one language) and
# lunr.<lang> per non-English language; tinyseg for Japanese, wordcut for Hindi and Thai
# (material/templates/assets/javascripts/workers/search.*.min.js, setupSearchLanguages).
LUNR_DIR = "assets/javascripts/lunr"
LUNR_LANG_RE = re.compile(r"^lunr\.([a-z]+)\.min\.js$")
LUNR_ALWAYS = {"stemmer", "multi"}
LUNR_EXTRA = {"ja": ("tinyseg.js",), "hi": ("wordcut.js",), "th": ("wordcut.js",)}


class SharedStore:
    """Content-addressed copies under `out_dir/.shared/`, hard-linked into the sites."""

    def __init__(self, out_dir: Path):
        self.dir = Path(out_dir) / SHARED_DIR
        self._digests: dict[tuple, str] = {}

    def digest(self, path: str) -> str:
        """SHA-256 of a file, remembered per (path, size, mtime) for the rest of the run."""
        st = os.stat(path)
        key = (path, st.st_size, st.st_mtime_ns)
        digest = self._digests.get(key)
        if digest is None:
            with open(path, "rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
            self._digests[key] = digest
        return digest

    def link(self, source: str, dest: str) -> None:
        """Put a file with `source`'s bytes at `dest`, as a hard link to the one shared copy.

        Falls back to a plain copy when the file system has no hard links.
        """
        digest = self.digest(source)
        shared = self.dir / digest[:2] / (digest + Path(source).suffix)
        if not shared.exists():
            shared.parent.mkdir(parents=True, exist_ok=True)
            # Several build processes may store the same file: write aside, then rename.
            tmp = shared.with_name(f".{shared.name}.{os.getpid()}")
            with open(source, "rb") as src, open(tmp, "wb") as out:
                out.write(src.read())
            os.replace(tmp, shared)
        # Never write through an existing name: it may be a link to the shared copy.
        try:
            existing = os.lstat(dest)
        except FileNotFoundError:
            pass
        else:
            here = os.stat(shared)
            if (existing.st_ino, existing.st_dev) == (here.st_ino, here.st_dev):
                return  # already this file (each language's build copies the theme again)
            os.unlink(dest)
        try:
            os.link(shared, dest)
        except OSError:
            with open(shared, "rb") as src, open(dest, "wb") as out:
                out.write(src.read())

    def collect_garbage(self) -> int:
        """Remove shared copies no site links to any more; returns how many."""
        removed = 0
        if not self.dir.is_dir():
            return 0
        for path in self.dir.rglob("*"):
            if path.is_file() and os.stat(path).st_nlink == 1:
                path.unlink()
                removed += 1
        return removed


def is_source_map(path: str) -> bool:
    """A theme source map: only for debugging the theme's own sources."""
    return path.endswith(".map") and f"{os.sep}assets{os.sep}" in path


def search_languages(site_dir: Path) -> list[str] | None:
    """The languages the site's search indexes ask the search worker for (None: no search).

    A bilingual site has one index per language: the root one and `<lang>/search/` (see
    portal/search_split.py).
    """
    indexes = [site_dir / "search" / "search_index.json", *sorted(site_dir.glob("*/search/search_index.json"))]
    indexes = [index for index in indexes if index.is_file()]
    if not indexes:
        return None
    languages: list[str] = []
    for index in indexes:
        with open(index, encoding="utf-8") as f:
            languages += [lang for lang in json.load(f).get("config", {}).get("lang") or ["en"] if lang not in languages]
    return languages


def unused_files(site_dir: Path) -> list[Path]:
    """Files a built site does not need: source maps, and search languages it does not use."""
    site_dir = Path(site_dir)
    unused = [p for p in site_dir.glob("assets/**/*.map") if p.is_file() and is_source_map(str(p))]
    languages = search_languages(site_dir)
    lunr = site_dir / LUNR_DIR
    if languages is not None and lunr.is_dir():
        keep_min = LUNR_ALWAYS | set(languages)
        keep_extra = {name for lang in languages for name in LUNR_EXTRA.get(lang, ())}
        for path in (lunr / "min").glob("*.js"):
            match = LUNR_LANG_RE.match(path.name)
            if match and match.group(1) not in keep_min:
                unused.append(path)
        for path in lunr.glob("*.js"):
            if path.name not in keep_extra:
                unused.append(path)
    return unused


def prune_site(site_dir: Path) -> int:
    """Delete what `unused_files` lists; returns the number of files removed."""
    files = unused_files(site_dir)
    for path in files:
        path.unlink()
    return len(files)
