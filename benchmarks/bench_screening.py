"""Benchmark: ingest and screen a full-scale synthetic BACI year; project path vs pandas.

Runs every step in a child process (so each has its own peak memory) and prints wall time,
peak memory (max RSS) and the ratio baseline / project:

1. ``data add`` of one full-scale year (≈ 10 M rows) vs pandas read_csv → Parquet;
2. screening of **every importer** for one year (one year loaded) vs the pandas definitions;
3. the same with three years loaded (GeoDep over Y-2..Y) vs pandas;
4. one importer (NLD, one year) from the CLI, start-up included, vs the pandas path for NLD.

The data are synthetic (``benchmarks/synthetic_baci.py``) and serve performance only.

Usage::

    python benchmarks/bench_screening.py            # full scale, 10 M rows a year
    python benchmarks/bench_screening.py --rows 1000000 --skip-baseline   # quick look
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from measure import Measurement, report, run  # noqa: E402

PY = sys.executable
YEARS = [2020, 2021, 2022]


def _screen_cmd(store: Path, dataset: str, year: int, importer: str) -> list[str]:
    code = (
        "import time; from ketenradar import api; t=time.perf_counter(); "
        f"df = api.screen({importer!r}, {year}, dataset={dataset!r}, data_dir={str(store)!r}); "
        "print(f'project screen: {len(df):,} rows in {time.perf_counter()-t:.1f} s')"
    )
    return [PY, "-c", code]


def main() -> None:
    """Run the benchmark and print (and save) the table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--work", type=Path, default=HERE / "out")
    ap.add_argument("--skip-baseline", action="store_true")
    a = ap.parse_args()

    src = a.work / f"synthetic_{a.rows}"
    if not all((src / f"BACI_HS17_Y{y}_V209901_synthetic.csv").is_file() for y in YEARS):
        gen = run(
            "generate",
            [
                PY,
                str(HERE / "synthetic_baci.py"),
                "--out",
                str(src),
                "--rows",
                str(a.rows),
                "--years",
                *map(str, YEARS),
            ],
        )
        if gen.returncode:
            raise SystemExit("generation failed")
    one, three = a.work / "store_one_year", a.work / "store_three_years"
    for d in (one, three):
        shutil.rmtree(d, ignore_errors=True)
    dicts = [
        src / "country_codes_V209901_synthetic.csv",
        src / "product_codes_HS17_V209901_synthetic.csv",
    ]
    ketenradar = str(Path(PY).with_name("ketenradar"))
    y_csv = src / "BACI_HS17_Y2022_V209901_synthetic.csv"
    rows: list[tuple[str, Measurement, Measurement | None]] = []

    p = run(
        "ingest",
        [ketenradar, "--data-dir", str(one), "data", "add", "baci", str(y_csv), *map(str, dicts)],
    )
    b = None
    if not a.skip_baseline:
        b = run(
            "ingest pandas",
            [
                PY,
                str(HERE / "baseline_pandas.py"),
                "ingest",
                str(y_csv),
                str(dicts[0]),
                str(a.work / "pandas_ingest.parquet"),
            ],
        )
    rows.append(("ingest one year (data add)", p, b))

    run("ingest 3 years", [ketenradar, "--data-dir", str(three), "data", "add", "baci", str(src)])
    ds = "baci_hs17_v209901"

    for label, store in (
        ("screen all importers, 1 year", one),
        ("screen all importers, 3 years GeoDep", three),
    ):
        p = run(label, _screen_cmd(store, ds, 2022, "all"))
        b = None
        if not a.skip_baseline:
            b = run(
                label + " pandas",
                [PY, str(HERE / "baseline_pandas.py"), "screen", str(store), ds, "2022", "all"],
            )
        rows.append((label, p, b))

    out_csv = a.work / "nld.csv"
    p = run(
        "cli NLD",
        [
            ketenradar,
            "--data-dir",
            str(one),
            "screen",
            "--importer",
            "NLD",
            "--year",
            "2022",
            "--format",
            "csv",
            "--output",
            str(out_csv),
        ],
    )
    b = None
    if not a.skip_baseline:
        b = run(
            "NLD pandas",
            [PY, str(HERE / "baseline_pandas.py"), "screen", str(one), ds, "2022", "NLD"],
        )
    rows.append(("one importer NLD from the CLI", p, b))

    table = report(rows)
    print()
    print(f"synthetic BACI-shaped data, {a.rows:,} rows a year (synthetic, performance only)")
    print(table)
    (a.work / "bench_screening.json").write_text(
        json.dumps(
            [
                {"step": n, "project": vars(p), "baseline": vars(b) if b else None}
                for n, p, b in rows
            ],
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
