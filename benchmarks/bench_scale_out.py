"""DuckDB against Spark (local mode, 1 and 2 cores) on synthetic monthly CN8 trade.

**The data are fictional**: made by the project's generator (``scripts/generate_comext.py
--format table``) in the layout of the Comext connector's ``trade_cn8_monthly`` table
(period, exporter, importer, CN8 product, thousand EUR, tons), with fictional USD-per-EUR rates.

What each leg does, in its own process (wall time, and peak resident memory of the whole
process tree sampled every 0.2 s: for Spark the Python driver and its JVM together):

1. reads every month's Parquet files and aggregates them to HS6 years in USD (the HS6 rule and
   the conversion of the connector, :func:`ketenradar.sources.comext.hs6_annual_sql`), kept as
   the relation ``trade`` (:meth:`~ketenradar.core.engines.Engine.materialize`);
2. screens every importer of the last year, NLD and EU27 (EU 2021 and GeoDep where three years
   are loaded, materiality as the defaults) — the same query on every engine.

The baseline of the ratio is the default engine, DuckDB. A pandas path cannot hold the data
set: the ``pandas`` legs read ONE and TWO months into pandas and aggregate them to HS6; the
report extrapolates their peak memory linearly to all months (on paper, labelled so).

Usage::

    python benchmarks/bench_scale_out.py --months 24 --rows 10000000 --work /tmp/scaleout
    python benchmarks/bench_scale_out.py leg duckdb --work /tmp/scaleout   # one leg (internal)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from measure import run_tree  # noqa: E402


def _generate(work: Path, months: int, rows: int, seed: int) -> Path:
    """The monthly table files (generated once per arguments; a stamp says which)."""
    out = work / "monthly"
    stamp = out / "STAMP.json"
    want = {"months": months, "rows": rows, "seed": seed}
    if stamp.is_file() and json.loads(stamp.read_text()) == want:
        return out
    cmd = [
        sys.executable, str(HERE.parent / "scripts" / "generate_comext.py"),
        "--format", "table", "--out", str(out), "--months", str(months),
        "--rows", str(rows), "--seed", str(seed), "--start", "202101",
        "--partners", "200", "--products", "9000",
    ]  # fmt: skip
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    print(f"generated {months} months x {rows:,} rows in {time.perf_counter() - t0:.0f} s")
    stamp.write_text(json.dumps(want))
    return out


def leg(engine_name: str, work: Path, master: str | None) -> None:
    """One engine's run (in this process): aggregate, then screen; prints step times."""
    import pyarrow.csv as pacsv

    from ketenradar.core.engines import scalar_column
    from ketenradar.core.groups import EU27
    from ketenradar.datasets.engine import open_engine
    from ketenradar.modules.trade.analysis.dependencies import ImporterSet, Thresholds, screen
    from ketenradar.sources.comext import hs6_annual_sql

    monthly = work / "monthly"
    files = sorted(str(f) for f in monthly.glob("*.parquet"))
    t0 = time.perf_counter()
    eng = open_engine(engine_name, **({"master": master} if master else {}))
    t_start = time.perf_counter() - t0
    rates = pacsv.read_csv(monthly / "usd_per_eur_fictional.csv",
                           parse_options=pacsv.ParseOptions(),
                           read_options=pacsv.ReadOptions(skip_rows=1))  # fmt: skip
    eng.register("rates", rates)
    eng.register_parquet("trade_cn8_monthly", files)
    t1 = time.perf_counter()
    eng.materialize("trade", hs6_annual_sql("trade_cn8_monthly", "rates"))
    eng.materialize("products", "SELECT DISTINCT product, NULL AS description FROM trade")
    years = sorted(scalar_column(eng.query("SELECT DISTINCT year FROM trade")))
    n_trade = scalar_column(eng.query("SELECT count(*) FROM trade"))[0]
    t_agg = time.perf_counter() - t1
    year = years[-1]
    importers = scalar_column(
        eng.query(f"SELECT DISTINCT importer FROM trade WHERE year = {year} ORDER BY 1")
    )
    sets = [
        ImporterSet(c, (c,), "EU27" if c in EU27 else c, EU27 if c in EU27 else (c,))
        for c in importers
    ]
    sets.append(ImporterSet("EU27", tuple(sorted(set(importers) & set(EU27))), "EU27", EU27))
    t2 = time.perf_counter()
    df = screen(
        eng,
        sets,
        year,
        available_years=years,
        thresholds=Thresholds(min_dependency_kusd=100.0, min_dependency_share=0.05),
    )
    t_screen = time.perf_counter() - t2
    eng.close()
    print(
        json.dumps(
            {
                "engine": engine_name,
                "master": master,
                "start_s": round(t_start, 2),
                "aggregate_s": round(t_agg, 2),
                "screen_s": round(t_screen, 2),
                "trade_rows": int(n_trade),
                "screened_rows": len(df),
                "dependent_eu2021": int(df["dependent_eu2021"].sum()),
                "years": years,
            }
        )
    )


def pandas_months(work: Path, n: int) -> None:
    """The baseline that does not scale: ``n`` months read into pandas, aggregated to HS6."""
    import pandas as pd

    files = sorted((work / "monthly").glob("*.parquet"))[:n]
    t0 = time.perf_counter()
    df = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    df["product"] = df["cn8"].str[:6]
    agg = df.groupby(["exporter", "importer", "product"], as_index=False)["value_keur"].sum()
    print(json.dumps({"engine": "pandas", "months": n, "rows": len(df), "hs6_rows": len(agg),
                      "wall_s": round(time.perf_counter() - t0, 2)}))  # fmt: skip


def main() -> None:
    """Generate the data once, run each leg in its own process, print the comparison."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", nargs="*", help="leg ENGINE (internal)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/ketenradar-scale-out"))
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--master", default=None)
    ap.add_argument("--legs", default="duckdb,spark1,spark2,pandas1,pandas2")
    a = ap.parse_args()
    if a.what[:1] == ["leg"]:
        if a.what[1] == "pandas":
            pandas_months(a.work, int(a.what[2]))
        else:
            leg(a.what[1], a.work, a.master)
        return
    _generate(a.work, a.months, a.rows, a.seed)
    me = [sys.executable, str(Path(__file__).resolve())]
    legs = {
        "duckdb": ("DuckDB (2 threads)", ["leg", "duckdb"]),
        "spark1": ("Spark local[1]", ["leg", "spark", "--master", "local[1]"]),
        "spark2": ("Spark local[2]", ["leg", "spark", "--master", "local[2]"]),
        "pandas1": ("pandas, 1 month", ["leg", "pandas", "1"]),
        "pandas2": ("pandas, 2 months", ["leg", "pandas", "2"]),
    }
    results = {}
    for key in a.legs.split(","):
        label, args = legs[key]
        print(f"-- {label}", flush=True)
        results[key] = run_tree(label, [*me, *args, "--work", str(a.work)])
    base = results.get("duckdb")
    print(f"\n{a.months} months x {a.rows:,} rows (fictional), {a.work}")
    print(f"{'leg':<22} {'wall s':>9} {'peak MiB':>9} {'vs DuckDB':>10}")
    for key, m in results.items():
        ratio = (
            f"{m.wall_s / base.wall_s:>9.1f}x" if base and key[:5] in ("spark", "duckd") else "-"
        )
        print(f"{m.label:<22} {m.wall_s:>9.1f} {m.peak_mib:>9.0f} {ratio:>10}")
    if "pandas1" in results and "pandas2" in results:
        one, two = results["pandas1"].peak_mib, results["pandas2"].peak_mib
        est = one + (two - one) * (a.months - 1)
        print(
            f"pandas for all {a.months} months: about {est / 1024:.1f} GiB "
            f"(EXTRAPOLATED on paper: {one:.0f} MiB + {two - one:.0f} MiB a month; not measured)"
        )


if __name__ == "__main__":
    main()
