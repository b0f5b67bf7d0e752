"""Benchmark: `portal build` of this checkout against another commit's, on the same project, in one run.

    .venv/bin/python bench/build_compare.py --baseline COMMIT [--against COMMIT] [--sites 285] [--rounds 2]

`--against`: compare with another commit instead of this checkout (both before a config key that
the older one does not know, e.g. `privacy:`, is written: `--no-privacy`).

Checks the baseline commit out into a temporary git worktree with its own virtual environment
(its package layout and MkDocs entry point may differ), generates one synthetic project
(bench/build_scale.py's 285 bilingual municipalities), and builds it cold (`--force`) with each
version in turn, alternating rounds so a busy machine slows both alike. Prints wall and CPU
seconds per round and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess  # nosec B404: runs git, pip and this repository's own commands
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_scale import REPO, machine, timed_portal_build, write_project  # noqa: E402


def baseline_checkout(commit: str, folder: Path) -> Path:
    """A worktree of `commit` with its own venv; returns its python."""
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-f", str(folder), commit],
                   check=True, capture_output=True)  # nosec B603 B607
    subprocess.run([sys.executable, "-m", "venv", str(folder / ".venv")], check=True)  # nosec B603
    python = folder / ".venv" / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", str(folder)], check=True)  # nosec B603
    return python


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="the commit to compare with")
    parser.add_argument("--against", help="another commit instead of this checkout")
    parser.add_argument("--no-privacy", action="store_true", help="configs without privacy: (for commits before it)")
    parser.add_argument("--sites", type=int, default=285)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="portal-compare-") as tmp:
        tmp = Path(tmp)
        base_python = baseline_checkout(args.baseline, tmp / "baseline")
        other = baseline_checkout(args.against, tmp / "against") if args.against else Path(sys.executable)
        try:
            project = tmp / "project"
            # The baseline's templates and catalogue: both versions must be able to build them.
            write_project(project, args.sites, privacy=not args.no_privacy, source=tmp / "baseline")
            versions = {"baseline " + args.baseline[:9]: base_python,
                        (args.against[:9] if args.against else "this checkout"): other}
            times: dict[str, list[tuple[float, float]]] = {label: [] for label in versions}
            print(f"{args.sites} sites, {args.jobs} jobs, {machine()}")
            for round_number in range(args.rounds):
                for label, python in versions.items():
                    wall, cpu, summary = timed_portal_build(project, tmp / f"out-{round_number}-{len(times[label])}",
                                                            args.jobs, "--force", python=python)
                    times[label].append((wall, cpu))
                    print(f"round {round_number + 1}  {label:<20} {wall:6.1f} s wall  {cpu:6.1f} s CPU  ({summary})")
            medians = {label: statistics.median(w for w, _ in runs) for label, runs in times.items()}
            base, this = medians.values()
            print(f"median cold build: baseline {base:.1f} s, this checkout {this:.1f} s, ratio {this / base:.2f}")
        finally:
            for name in ("baseline", "against"):
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tmp / name)],
                               capture_output=True)  # nosec B603 B607
    return 0


if __name__ == "__main__":
    sys.exit(main())
