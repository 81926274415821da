"""Generate a synthetic, BACI-shaped trade year at full scale — for performance work only.

**The numbers are synthetic.** They have BACI's shape (``t,i,j,k,v,q``; one row per year,
exporter, importer and product; BACI numeric country codes; 6-digit HS codes with leading
zeros; ``NA`` quantities) and roughly its size (about 230 countries × 5,400 products,
≈ 10 million rows a year), with heavy-tailed values, but they describe no real trade.

How the rows are drawn (seeded, reproducible):

* countries: the ISO numeric codes of ``--countries`` real countries (the packaged ISO list),
  NLD and the EU27 always among them; products: ``--products`` HS6 codes (``000001`` …).
* each product k gets a *concentration exponent* γ_k ~ 1 + Exp(1.5): exporters are drawn as
  ``floor(N · u^γ_k)`` from a product-specific rotation of the country list, so some products
  have a few dominant suppliers and others many;
* importers are drawn as ``floor(N · u²)`` from a fixed shuffled list (large importers
  appear more often); duplicates of (i, j, k) are dropped, as in BACI;
* values v ~ LogNormal(μ=2.5, σ=2.2) thousand USD (heavy tail), rounded to 3 decimals;
  quantities q = v / price with price ~ LogNormal(0, 1.5), 5 % written as ``NA``.

Usage::

    python benchmarks/synthetic_baci.py --out benchmarks/out/synthetic --years 2020 2021 2022
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

EU27_NUM = {40, 56, 100, 191, 196, 203, 208, 233, 246, 250, 276, 300, 348, 372, 380, 428, 440,
            442, 470, 528, 616, 620, 642, 703, 705, 724, 752}  # fmt: skip


def country_table(n: int, seed: int) -> list[tuple[int, str, str]]:
    """``n`` real countries (numeric code, name, ISO3), EU27 first, then a random sample."""
    import pandas as pd

    from ketenradar.core.countries import iso_countries

    d = pd.DataFrame([(int(c.numeric), c.name, c.iso3) for c in iso_countries() if c.numeric])
    d.columns = ["num", "name", "iso3"]
    eu = d[d["num"].isin(EU27_NUM)]
    rest = d[~d["num"].isin(EU27_NUM)].sample(n=n - len(eu), random_state=seed)
    out = [*eu.itertuples(), *rest.itertuples()]
    return [(int(r.num), str(r.name), str(r.iso3)) for r in out]


def generate_year(
    year: int,
    n_countries: int = 230,
    n_products: int = 5400,
    rows: int = 10_000_000,
    seed: int = 42,
) -> tuple[pa.Table, list[tuple[int, str, str]], list[str]]:
    """One synthetic year as an Arrow table with BACI's columns."""
    rng = np.random.default_rng(seed + year)
    countries = country_table(n_countries, seed)
    codes = np.array([c[0] for c in countries], dtype=np.int32)
    products = [f"{i:06d}" for i in range(1, n_products + 1)]
    n = len(codes)
    draws = int(rows * 1.16)  # some draws are duplicates and dropped
    k = rng.integers(0, n_products, draws, dtype=np.int32)
    gamma = 1.0 + rng.exponential(1.5, n_products)
    rot = rng.integers(0, n, n_products)
    ex_idx = (np.floor(n * rng.random(draws) ** gamma[k]).astype(np.int64) + rot[k]) % n
    imp_order = rng.permutation(n)
    im_idx = imp_order[np.floor(n * rng.random(draws) ** 2).astype(np.int64)]
    keep = ex_idx != im_idx
    k, ex_idx, im_idx = k[keep], ex_idx[keep], im_idx[keep]
    key = (k.astype(np.int64) * n + ex_idx) * n + im_idx
    _, first = np.unique(key, return_index=True)
    first = first[:rows] if len(first) > rows else first
    first.sort()
    k, ex_idx, im_idx = k[first], ex_idx[first], im_idx[first]
    m = len(k)
    v = np.round(rng.lognormal(2.5, 2.2, m), 3)
    v[v == 0] = 0.001
    q = v / rng.lognormal(0.0, 1.5, m)
    q_str = np.char.mod("%.3f", q).astype(object)
    q_str[rng.random(m) < 0.05] = "NA"
    table = pa.table(
        {
            "t": pa.array(np.full(m, year, dtype=np.int32)),
            "i": pa.array(codes[ex_idx]),
            "j": pa.array(codes[im_idx]),
            "k": pa.array(np.array(products, dtype=object)[k]),
            "v": pa.array(v),
            "q": pa.array(q_str, type=pa.string()),
        }
    )
    return table, countries, products


def write_release(out: Path, years: list[int], **kw: int) -> list[Path]:
    """Write BACI-named CSVs and dictionaries for ``years`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for y in years:
        t0 = time.perf_counter()
        table, countries, products = generate_year(y, **kw)
        p = out / f"BACI_HS17_Y{y}_V209901_synthetic.csv"
        with open(p, "wb") as fh:
            fh.write(b"t,i,j,k,v,q\n")
            pacsv.write_csv(
                table, fh, pacsv.WriteOptions(include_header=False, quoting_style="none")
            )
        paths.append(p)
        print(f"{p.name}: {table.num_rows:,} rows in {time.perf_counter() - t0:.1f} s")
    (out / "country_codes_V209901_synthetic.csv").write_text(
        "country_code,country_name,country_iso2,country_iso3\n"
        + "".join(f'{c},"{n}",,{i3}\n' for c, n, i3 in countries)
    )
    (out / "product_codes_HS17_V209901_synthetic.csv").write_text(
        "code,description\n" + "".join(f"{p},synthetic product {p}\n" for p in products)
    )
    return paths


def main() -> None:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/synthetic"))
    ap.add_argument("--years", type=int, nargs="+", default=[2022])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--countries", type=int, default=230)
    ap.add_argument("--products", type=int, default=5400)
    a = ap.parse_args()
    write_release(a.out, a.years, rows=a.rows, n_countries=a.countries, n_products=a.products)


if __name__ == "__main__":
    main()
