"""Baselines in plain pandas, run as child processes by the benchmarks.

* ``ingest CSV COUNTRIES OUT``: read a BACI CSV with pandas, map codes to ISO3, write Parquet.
* ``screen STORE DATASET YEAR IMPORTER``: the straightforward pandas implementation of the
  screening definitions (:mod:`ketenradar.modules.trade.analysis.reference`),
  for one importer or ``all``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd


def ingest(csv: Path, countries: Path, out: Path) -> None:
    """pandas: read, validate minimal types, map codes, write Parquet."""
    df = pd.read_csv(csv, dtype={"k": str, "q": str}, na_values=["NA"], skipinitialspace=True)
    df["q"] = pd.to_numeric(df["q"].str.strip().replace("NA", None), errors="coerce")
    c = pd.read_csv(countries, keep_default_na=False)
    iso = dict(zip(c["country_code"], c["country_iso3"], strict=True))
    df = pd.DataFrame(
        {
            "year": df["t"].astype("int16"),
            "exporter": df["i"].map(iso),
            "importer": df["j"].map(iso),
            "product": df["k"].str.zfill(6),
            "value_kusd": df["v"],
            "quantity_t": df["q"],
        }
    )
    if df.duplicated(["year", "exporter", "importer", "product"]).any():
        raise SystemExit("duplicates")
    df.to_parquet(out, index=False)


def screen(store: Path, dataset: str, year: int, importer: str) -> None:
    """pandas: screen one importer or all, with GeoDep when Y-2..Y are loaded."""
    from ketenradar.core.groups import EU27
    from ketenradar.datasets import DataStore
    from ketenradar.modules.trade.analysis.dependencies import ImporterSet
    from ketenradar.modules.trade.analysis.reference import screen_pandas

    ds = DataStore(store).get(dataset)
    years = [int(y) for y in ds.manifest.tables["trade"]["years"]]
    want = [y for y in (year - 2, year - 1, year) if y in years]
    trade = pd.concat(
        [pd.read_parquet(ds.path / "trade" / f"year={y}.parquet") for y in want],
        ignore_index=True,
    )
    codes = sorted(trade.loc[trade["year"] == year, "importer"].unique())
    if importer != "all":
        codes = [importer]
    sets = [
        ImporterSet(c, (c,), "EU27" if c in EU27 else c, EU27 if c in EU27 else (c,)) for c in codes
    ]
    t0 = time.perf_counter()
    res = screen_pandas(trade, sets, year, available_years=years)
    print(f"pandas screen: {len(res):,} rows in {time.perf_counter() - t0:.1f} s", flush=True)


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    if cmd == "ingest":
        ingest(Path(args[0]), Path(args[1]), Path(args[2]))
    elif cmd == "screen":
        screen(Path(args[0]), args[1], int(args[2]), args[3])
    else:
        raise SystemExit(f"unknown command {cmd}")
