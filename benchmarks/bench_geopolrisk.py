"""Benchmark: GeoPolRisk for every importer, material and year, project vs reference.

Project path: one ``ketenradar materials geopolrisk --importer all`` run (all importers, all
53 raw materials with HS codes, every year covered by BACI and World Mining Data) in a child
process, start-up included; wall time and peak memory (max RSS) from ``wait4``.

Baseline: the reference implementation ``geopolrisk-py`` 2.0.1 (``geopolrisk_reference.py``)
in its own child process on a timed sample of combinations; its per-combination time is
extrapolated to the same number of combinations, and its fixed set-up (import, which loads
its databases, and ``mapped_baci``) is added once. The ratio is baseline / project.

Real data: ``$KETENRADAR_SHARED_DATA`` (default ``../shared/data``): BACI HS92 raw materials,
World Mining Data and WGI (SQLite forms of the GeoPolRisk package).

Usage::

    python benchmarks/bench_geopolrisk.py                 # sample of 200 combinations
    python benchmarks/bench_geopolrisk.py --sample 50     # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from geopolrisk_reference import run_reference  # noqa: E402
from measure import run  # noqa: E402

PY = sys.executable


def main() -> None:
    """Run the benchmark and print (and save) the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sample", type=int, default=200, help="reference combinations to time")
    ap.add_argument("--work", type=Path, default=HERE / "out")
    a = ap.parse_args()
    shared = Path(os.environ.get("KETENRADAR_SHARED_DATA", HERE.parent.parent / "shared" / "data"))
    ketenradar = str(Path(PY).with_name("ketenradar"))
    store = a.work / "store_geopolrisk"
    shutil.rmtree(store, ignore_errors=True)
    for source, path in (
        ("baci", shared / "baci_raw_materials_hs92"),
        ("wmd", shared / "geopolrisk" / "world_mining_data.db"),
        ("wgi", shared / "geopolrisk" / "wgi.db"),
    ):
        m = run(
            f"load {source}",
            [ketenradar, "--data-dir", str(store), "data", "add", source, str(path)],
        )
        if m.returncode:
            raise SystemExit(f"loading {source} failed")
    out_csv = a.work / "geopolrisk_all.csv"
    proj = run(
        "project",
        [
            ketenradar,
            "--data-dir",
            str(store),
            "materials",
            "geopolrisk",
            "--importer",
            "all",
            "--format",
            "csv",
            "--output",
            str(out_csv),
        ],
    )
    if proj.returncode:
        raise SystemExit("project run failed")
    res = pd.read_csv(out_csv)
    n = len(res)
    importers = res["importer"].nunique()
    materials = res["material"].nunique()
    years = sorted(res["year"].unique())

    # Reference: a sample of (importer, material, year) spread over the grid.
    imp_sample = res["importer"].value_counts().index[:10].tolist()
    mat_sample = sorted(res["material"].unique())
    per = max(1, a.sample // (len(imp_sample) * len(mat_sample)))
    yrs = [int(y) for y in years[-per:]]
    t0 = time.perf_counter()
    ref, timings = run_reference(yrs, imp_sample, mat_sample, shared)
    ref_wall = time.perf_counter() - t0
    k = len(ref)
    per_combo = timings["t_calc"] / k
    fixed = timings["t_import"] + timings["t_prepare"]
    extrapolated = fixed + per_combo * n
    lines = [
        f"GeoPolRisk, real data: {n:,} rows = {importers} importers × {materials} materials × "
        f"{len(years)} years ({years[0]}–{years[-1]}), with data",
        f"project (CLI, all combinations, start-up included): {proj.wall_s:.1f} s, "
        f"peak {proj.peak_mib:.0f} MiB",
        f"reference geopolrisk-py 2.0.1: {k} combinations timed in {timings['t_calc']:.1f} s "
        f"({per_combo * 1000:.0f} ms each) + set-up {fixed:.1f} s (import {timings['t_import']:.1f}"
        f" s, mapped_baci {timings['t_prepare']:.1f} s); whole sample run {ref_wall:.1f} s, "
        f"peak {timings['peak_mib']:.0f} MiB",
        f"reference extrapolated to {n:,} combinations: {extrapolated:,.0f} s "
        f"({extrapolated / 3600:.1f} h)",
        f"ratio reference / project: {extrapolated / proj.wall_s:,.0f}x",
    ]
    print("\n".join(lines))
    (a.work / "bench_geopolrisk.json").write_text(
        json.dumps(
            {
                "rows": n,
                "project": vars(proj),
                "reference": {**timings, "combinations": k, "extrapolated_s": extrapolated},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
