"""Write a gzip copy beside every text file of the built sites, for nginx's `gzip_static`.

    .venv/bin/portal build --out /srv/portal/site && .venv/bin/python deploy/precompress.py /srv/portal/site

nginx then sends `page.html.gz` as it is to a browser that accepts gzip, instead of compressing
`page.html` again for every request (deploy/nginx/site.conf). Level 9, once per build: smaller
than nginx's on-the-fly level and no CPU per request. A file whose `.gz` is newer is skipped (a
re-run after an incremental build only compresses what changed); files that are hard links of
one another (`portal build` stores shared assets once, in `<out>/.shared/`) are compressed once
and their `.gz` linked too. The `.gz` has the source's modification time, as gzip_static expects.

The theme's and the portal's assets (stylesheets, scripts, the search worker: every file under an
`assets/` folder, and the shared store `.shared/`) also get a brotli `.br` copy at quality 11,
which nginx sends to browsers that accept it (`brotli_static`, when Debian's module
libnginx-mod-http-brotli-static is installed: deploy/render.py). They are the same for every site,
so they are compressed once, and brotli makes the theme's stylesheet 18 KB instead of gzip's 22.
Pages get no `.br`: they change with every nightly build, and brotli beats gzip by a clear margin
only at quality 11, which costs about forty times gzip's time.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
from pathlib import Path

try:
    import brotli
except ImportError:  # a venv installed before brotli was a dependency: gzip only
    brotli = None

SUFFIXES = {".html", ".css", ".js", ".json", ".jsonld", ".svg", ".xml", ".txt", ".map"}
MIN_SIZE = 256   # below this a gzip header costs more than it saves


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def brotli_compressed(data: bytes) -> bytes:
    return brotli.compress(data, quality=11)


def is_asset(path: Path, root: Path) -> bool:
    """A theme or portal asset (under an `assets/` folder, or in the shared store)."""
    parts = path.relative_to(root).parts
    return "assets" in parts[:-1] or parts[0] == ".shared"


def precompress(root: Path) -> tuple[int, int]:
    """Writes the missing or stale `.gz` (and, for assets, `.br`) files under `root`; returns
    (written, up to date), counting each compressed copy."""
    written = fresh = 0
    by_inode: dict[tuple[int, int, str], Path] = {}
    for path in sorted(root.rglob("*")):
        if path.suffix not in SUFFIXES or not path.is_file() or path.is_symlink():
            continue
        stat = path.stat()
        if stat.st_size < MIN_SIZE:
            continue
        kinds = [(".gz", gzipped)]
        if brotli is not None and is_asset(path, root):
            kinds.append((".br", brotli_compressed))
        for suffix, compress in kinds:
            key = (stat.st_dev, stat.st_ino, suffix)
            target = path.with_name(path.name + suffix)
            if target.exists() and target.stat().st_mtime >= stat.st_mtime:
                fresh += 1
                by_inode.setdefault(key, target)
                continue
            twin = by_inode.get(key)
            tmp = target.with_name(target.name + ".tmp")
            if twin is not None and twin.exists():
                os.link(twin, tmp)
            else:
                tmp.write_bytes(compress(path.read_bytes()))
                os.utime(tmp, (stat.st_atime, stat.st_mtime))
            os.replace(tmp, target)
            by_inode[key] = target
            written += 1
    return written, fresh


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write .gz (and, for assets, .br) copies of the built sites' text files for nginx.")
    parser.add_argument("site_dir", nargs="?", default="site", help="the folder `portal build --out` wrote (default: site)")
    args = parser.parse_args(argv)
    root = Path(args.site_dir)
    if not root.is_dir():
        print(f"deploy/precompress.py: {root} is not a folder", file=sys.stderr)
        return 1
    written, fresh = precompress(root)
    print(f"{written} file(s) compressed, {fresh} up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
