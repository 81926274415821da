"""Start-up of the command line: ``ketenradar --help``, this tree against an earlier commit.

Runs ``python -m ketenradar --help`` ``--runs`` times (default 15) with the code of this work
tree and with the code of ``--baseline-ref`` (default ``f0fa59a``, before the CLI stopped
importing pandas for ``--help``) checked out in a temporary git worktree, alternating the two,
and prints the median and best wall time, the peak memory of one run (``wait4``) and the ratio
(baseline / project).

Usage::

    python benchmarks/bench_cli_startup.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from measure import Measurement, run  # noqa: E402


def main() -> None:
    """Time both versions and print the comparison."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--baseline-ref", default="f0fa59a")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ketenradar-cli-baseline-"))
    tree = tmp / "tree"
    subprocess.run(
        [
            "git",
            "-C",
            str(REPO),
            "worktree",
            "add",
            "--detach",
            "--force",
            str(tree),
            a.baseline_ref,
        ],
        check=True,
        capture_output=True,
    )
    cmd = [sys.executable, "-m", "ketenradar", "--help"]
    envs = {
        "project": {"PYTHONPATH": str(REPO / "src")},
        f"baseline {a.baseline_ref}": {"PYTHONPATH": str(tree / "src")},
    }
    runs: dict[str, list[Measurement]] = {k: [] for k in envs}
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(1)
    try:
        os.dup2(devnull, 1)  # the help text itself is not of interest
        for _ in range(a.runs):
            for label, env in envs.items():
                runs[label].append(run(label, cmd, env))
    finally:
        os.dup2(saved, 1)
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"`python -m ketenradar --help`, {a.runs} runs each, alternating")
    print(f"{'code':<20} {'median s':>9} {'best s':>7} {'peak MiB':>9}")
    med = {}
    for label, ms in runs.items():
        if any(m.returncode for m in ms):
            raise SystemExit(f"{label}: --help failed")
        med[label] = statistics.median(m.wall_s for m in ms)
        best = min(m.wall_s for m in ms)
        peak = max(m.peak_mib for m in ms)
        print(f"{label:<20} {med[label]:>9.3f} {best:>7.3f} {peak:>9.0f}")
    base = med[f"baseline {a.baseline_ref}"]
    print(f"ratio (baseline / project, median): {base / med['project']:.1f}x")


if __name__ == "__main__":
    main()
