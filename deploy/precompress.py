"""Write a gzip copy beside every text file of the built sites, for nginx's `gzip_static`.

    .venv/bin/portal build --out /srv/portal/site && .venv/bin/python deploy/precompress.py /srv/portal/site

nginx then sends `page.html.gz` as it is to a browser that accepts gzip, instead of compressing
`page.html` again for every request (deploy/nginx/site.conf). Level 9, once per build: smaller
than nginx's on-the-fly level and no CPU per request. A file whose `.gz` is newer is skipped (a
re-run after an incremental build only compresses what changed); files that are hard links of
one another (`portal build` stores shared assets once, in `<out>/.shared/`) are compressed once
and their `.gz` linked too. The `.gz` has the source's modification time, as gzip_static expects.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
from pathlib import Path

SUFFIXES = {".html", ".css", ".js", ".json", ".jsonld", ".svg", ".xml", ".txt", ".map"}
MIN_SIZE = 256   # below this a gzip header costs more than it saves


def precompress(root: Path) -> tuple[int, int]:
    """Writes the missing or stale `.gz` files under `root`; returns (written, up to date)."""
    written = fresh = 0
    by_inode: dict[tuple[int, int], Path] = {}
    for path in sorted(root.rglob("*")):
        if path.suffix not in SUFFIXES or not path.is_file() or path.is_symlink():
            continue
        stat = path.stat()
        if stat.st_size < MIN_SIZE:
            continue
        target = path.with_name(path.name + ".gz")
        if target.exists() and target.stat().st_mtime >= stat.st_mtime:
            fresh += 1
            by_inode.setdefault((stat.st_dev, stat.st_ino), target)
            continue
        twin = by_inode.get((stat.st_dev, stat.st_ino))
        tmp = target.with_name(target.name + ".tmp")
        if twin is not None and twin.exists():
            os.link(twin, tmp)
        else:
            tmp.write_bytes(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))
            os.utime(tmp, (stat.st_atime, stat.st_mtime))
        os.replace(tmp, target)
        by_inode[(stat.st_dev, stat.st_ino)] = target
        written += 1
    return written, fresh


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write .gz copies of the built sites' text files for nginx gzip_static.")
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
