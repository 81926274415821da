"""Run a command in a child process and measure its wall time and peak memory (max RSS)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass


@dataclass
class Measurement:
    """Wall time (s) and peak resident memory (MiB) of one child process."""

    label: str
    wall_s: float
    peak_mib: float
    returncode: int


def run(label: str, cmd: list[str], env: dict[str, str] | None = None) -> Measurement:
    """Run ``cmd``; its own peak RSS comes from ``wait4`` (not shared with other children)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    m = Measurement(label, wall, usage.ru_maxrss / 1024, proc.returncode)
    if proc.returncode != 0:
        print(f"FAILED ({proc.returncode}): {' '.join(cmd)}", file=sys.stderr)
    return m


def _tree_rss_kib(pid: int) -> int:
    """Resident memory (KiB) of ``pid`` and all its descendants now (Linux ``/proc``)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next((int(x.split()[1]) for x in f if x.startswith("VmRSS:")), 0)
            with open(f"/proc/{p}/task/{p}/children") as f:
                stack += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def run_tree(label: str, cmd: list[str], env: dict[str, str] | None = None) -> Measurement:
    """As :func:`run`, but the peak is of the whole process tree's resident memory, sampled
    every 0.2 s (a child's own children count: Spark's JVM under its Python driver)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})})
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kib(proc.pid))
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    m = Measurement(label, wall, peak / 1024, proc.returncode)
    if proc.returncode != 0:
        print(f"FAILED ({proc.returncode}): {' '.join(cmd)}", file=sys.stderr)
    return m


def report(rows: list[tuple[str, Measurement, Measurement | None]]) -> str:
    """A plain-text table: project vs baseline, and the ratio (baseline / project)."""
    lines = [
        f"{'step':<38} {'project s':>10} {'MiB':>8} {'baseline s':>11} {'MiB':>8} {'ratio':>7}",
    ]
    for name, p, b in rows:
        if b is None:
            lines.append(
                f"{name:<38} {p.wall_s:>10.2f} {p.peak_mib:>8.0f} {'-':>11} {'-':>8} {'-':>7}"
            )
        else:
            lines.append(
                f"{name:<38} {p.wall_s:>10.2f} {p.peak_mib:>8.0f} {b.wall_s:>11.2f} "
                f"{b.peak_mib:>8.0f} {b.wall_s / p.wall_s:>6.1f}x"
            )
    return "\n".join(lines)
