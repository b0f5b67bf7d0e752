"""Lighthouse (mobile) on a built service page, against a default mkdocs-material page, same run.

    .venv/bin/python bench/lighthouse.py [--slug opwijk] [--page leefloon]

Installs Lighthouse from the npm registry into .cache/lighthouse on first use and drives
Debian's /usr/bin/chromium. The baseline is the same markdown page built by plain mkdocs with
the default mkdocs-material theme (its Google Fonts fail offline, as they would be blocked by a
strict privacy policy; that is part of what the portal fixes). Prints the four category scores,
total bytes and the failing audits of both, and the ratios.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE_DIR = ROOT / ".cache" / "lighthouse"
LIGHTHOUSE_VERSION = "12.8.2"
CATEGORIES = ("accessibility", "seo", "best-practices", "performance")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run"


def lighthouse_bin() -> Path:
    binary = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(LIGHTHOUSE_DIR),
                        f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)
    return binary


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def run_lighthouse(url: str, out: Path) -> dict:
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    subprocess.run([str(lighthouse_bin()), url, "--output=json", f"--output-path={out}", "--quiet",
                    f"--chrome-flags={CHROME_FLAGS}"], check=True, env=env)
    report = json.loads(out.read_text())
    audits = report["audits"]
    failing = {}
    for category in CATEGORIES:
        refs = report["categories"][category]["auditRefs"]
        failing[category] = [r["id"] for r in refs if audits[r["id"]]["score"] is not None
                             and audits[r["id"]]["score"] < 1 and r.get("weight", 0) > 0]
    return {
        "scores": {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES},
        "bytes": int(audits["total-byte-weight"]["numericValue"]),
        "failing": failing,
    }


def build_baseline(markdown: Path, dest: Path) -> Path:
    """The same page in a default mkdocs-material site (what a municipality gets out of the box)."""
    docs = dest / "docs"
    docs.mkdir(parents=True)
    body = markdown.read_text(encoding="utf-8").split("---", 2)[-1]
    # Macros are the portal's; the baseline shows the text without them.
    (docs / "index.md").write_text("\n".join(line for line in body.splitlines() if "{{" not in line), encoding="utf-8")
    (dest / "mkdocs.yml").write_text(textwrap.dedent("""\
        site_name: Baseline
        theme: {name: material}
        """), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(dest / "mkdocs.yml"), "-d", str(dest / "site")],
                   check=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    return dest / "site"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", default="opwijk")
    parser.add_argument("--page", default="leefloon")
    args = parser.parse_args()
    from portal.site.build import build_sites

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        results = build_sites([args.slug], tmp / "site", ROOT)
        if not all(r.ok for r in results):
            sys.exit(f"build failed: {results}")
        baseline_site = build_baseline(ROOT / "content" / "nl" / f"{args.page}.md", tmp / "baseline")
        portal_url, portal_server = serve(tmp / "site")
        baseline_url, baseline_server = serve(baseline_site)
        try:
            portal = run_lighthouse(f"{portal_url}/{args.slug}/{args.page}/", tmp / "portal.json")
            baseline = run_lighthouse(f"{baseline_url}/", tmp / "baseline.json")
        finally:
            portal_server.shutdown()
            baseline_server.shutdown()

    print(f"Lighthouse {LIGHTHOUSE_VERSION}, mobile, Debian chromium; page /{args.slug}/{args.page}/")
    print(f"{'':24}{'portal':>10}{'baseline':>10}")
    for category in CATEGORIES:
        print(f"{category:24}{portal['scores'][category]:>10}{baseline['scores'][category]:>10}")
    print(f"{'total bytes (KiB)':24}{portal['bytes'] / 1024:>10.0f}{baseline['bytes'] / 1024:>10.0f}"
          f"   ratio {portal['bytes'] / baseline['bytes']:.2f}")
    for name, result in (("portal", portal), ("baseline", baseline)):
        failing = {c: ids for c, ids in result["failing"].items() if ids}
        print(f"failing audits, {name}: {failing or 'none'}")


if __name__ == "__main__":
    main()
