"""Prices and their volatility from BACI unit values (value over quantity), robust to outliers
and missing quantities.

Pure functions: frames in, frames out (reading the trade data is
:mod:`ketenradar.modules.stockpile.candidates`). The rules, also in
``docs/methods/stockpile.md`` (section *Data*):

* **unit value** of a flow: ``v / q`` with ``v`` in thousand USD and ``q`` in metric tonnes,
  times 1,000: USD per tonne. BACI values are FOB (CEPII removes the estimated freight and
  insurance from import values; Gaulier & Zignago 2010, section 2.3).
* **missing quantities**: a flow without a quantity (``NA`` in BACI) or with ``q <= 0`` has no
  unit value; it is counted (``n_no_quantity``) and left out of the price.
* **outliers**: per HS6 product and year, the median unit value of the flows that have one;
  a flow whose unit value lies outside ``[median / 10, median × 10]`` is an outlier, counted
  (``n_outliers``) and left out. Ratio-to-median bands are how CEPII itself screens unit
  values (BACI regresses CIF/FOB ratios on a product's world median unit value, Gaulier &
  Zignago 2010; the Trade Unit Values database screens each product's unit values against
  their distribution, Berthou & Emlinger 2011, section 2.3); the factor 10 (one order of
  magnitude either way: a misplaced unit, kg read as t, is a factor 1,000) is the project's
  choice, a parameter of :func:`unit_values`.
* **price** of a product and year: the quantity-weighted unit value of the flows kept, i.e.
  ``Σ v / Σ q`` over them.
* **price of an item** (a raw material may have several HS6 codes, e.g. cobalt oxides and
  unwrought cobalt): ``Σ_c w_c · p_c``, the products' prices weighted by fixed quantity shares
  ``w_c`` (the importer's import mix), i.e. the price of one tonne of that mix; the weights are
  fixed over the years so that the series shows price changes, not changes of the mix. A year
  whose priced products carry less than ``min_coverage`` (90 %) of the weight has no price;
  otherwise the weights are renormalised over the products priced that year.
* **volatility**: the sample standard deviation (``ddof=1``) of the yearly log changes
  ``ln p_t − ln p_{t−1}`` over consecutive years with a price, and a robust variant, the
  median absolute deviation of those changes times 1.4826 (``scipy.stats.median_abs_deviation``
  with ``scale="normal"``), which a few extreme years do not dominate; both need at least two
  changes.
* **euros**: :data:`USD_PER_EUR`, the ECB's euro reference rate, annual averages (US dollars
  per euro; ECB Data Portal series ``EXR.A.USD.EUR.SP00.A``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import median_abs_deviation

from ketenradar.core.errors import UsageError

#: A flow whose unit value is more than this factor above or below the median of its product
#: and year is an outlier (see the module's docstring).
OUTLIER_FACTOR = 10.0

#: The share of an item's weight that must be priced in a year for the year to have a price.
MIN_COVERAGE = 0.9

#: US dollars per euro, annual averages of the ECB euro foreign exchange reference rate (ECB
#: Data Portal, series EXR.A.USD.EUR.SP00.A). Years before 1999 have none (the euro started in
#: 1999): pass a rate of your own.
USD_PER_EUR: dict[int, float] = {
    1999: 1.0658, 2000: 0.9236, 2001: 0.8956, 2002: 0.9456, 2003: 1.1312, 2004: 1.2439,
    2005: 1.2441, 2006: 1.2556, 2007: 1.3705, 2008: 1.4708, 2009: 1.3948, 2010: 1.3257,
    2011: 1.3920, 2012: 1.2848, 2013: 1.3281, 2014: 1.3285, 2015: 1.1095, 2016: 1.1069,
    2017: 1.1297, 2018: 1.1810, 2019: 1.1195, 2020: 1.1422, 2021: 1.1827, 2022: 1.0530,
    2023: 1.0813, 2024: 1.0824,
}  # fmt: skip

UNIT_VALUE_COLUMNS = [
    "product",
    "year",
    "price_usd_per_t",
    "median_unit_value_usd_per_t",
    "n_flows",
    "n_no_quantity",
    "n_outliers",
    "n_used",
    "value_kusd_used",
    "quantity_t_used",
]


def unit_values(flows: pd.DataFrame, *, factor: float = OUTLIER_FACTOR) -> pd.DataFrame:
    """Price (USD per tonne) per HS6 product and year from trade flows.

    ``flows``: one row per flow with ``product, year, value_kusd, quantity_t`` (quantity may
    be missing). Returns :data:`UNIT_VALUE_COLUMNS`, one row per product and year of
    ``flows``; ``price_usd_per_t`` is empty when no flow has a usable unit value.
    """
    if factor <= 1:
        raise UsageError(f"the outlier factor must exceed 1, not {factor:g}", field="factor")
    if flows.empty:
        return pd.DataFrame(columns=UNIT_VALUE_COLUMNS)
    df = flows[["product", "year", "value_kusd", "quantity_t"]].copy()
    v = pd.to_numeric(df["value_kusd"], errors="coerce")
    q = pd.to_numeric(df["quantity_t"], errors="coerce")
    has_q = q.notna() & (q > 0)
    valid = has_q & v.notna() & (v > 0)
    df["uv"] = (v * 1000.0 / q).where(valid)
    keys = [df["product"], df["year"]]
    median = df.groupby(keys)["uv"].transform("median")
    keep = valid & (df["uv"] >= median / factor) & (df["uv"] <= median * factor)
    df["no_q"] = ~has_q
    df["outlier"] = valid & ~keep
    df["keep"] = keep
    df["v_used"] = v.where(keep, 0.0)
    df["q_used"] = q.where(keep, 0.0)
    out = (
        df.groupby(["product", "year"], as_index=False)
        .agg(
            median_unit_value_usd_per_t=("uv", "median"),
            n_flows=("uv", "size"),
            n_no_quantity=("no_q", "sum"),
            n_outliers=("outlier", "sum"),
            n_used=("keep", "sum"),
            value_kusd_used=("v_used", "sum"),
            quantity_t_used=("q_used", "sum"),
        )
        .sort_values(["product", "year"], kind="stable")
    )
    q_used = out["quantity_t_used"].where(out["quantity_t_used"] > 0)
    out["price_usd_per_t"] = out["value_kusd_used"] * 1000.0 / q_used
    for c in ("n_flows", "n_no_quantity", "n_outliers", "n_used"):
        out[c] = out[c].astype(int)
    return out[UNIT_VALUE_COLUMNS].reset_index(drop=True)


def item_prices(
    product_prices: pd.DataFrame,
    weights: Mapping[str, float],
    *,
    min_coverage: float = MIN_COVERAGE,
) -> pd.DataFrame:
    """An item's price per year: its products' prices weighted by fixed quantity shares.

    ``product_prices``: :func:`unit_values` output (``product, year, price_usd_per_t``);
    ``weights``: quantity (or share) per HS6 product of the item, normalised here. Returns
    ``year, price_usd_per_t, coverage`` for every year of ``product_prices``; ``coverage`` is the
    share of the weight priced that year, the price empty below ``min_coverage``.
    """
    w = pd.Series({str(k): float(v) for k, v in weights.items()}, dtype=float)
    w = w[w > 0]
    years = sorted(product_prices["year"].unique()) if len(product_prices) else []
    if w.empty or not years:
        return pd.DataFrame(
            {"year": years, "price_usd_per_t": np.nan, "coverage": 0.0},
            columns=["year", "price_usd_per_t", "coverage"],
        )
    w = w / w.sum()
    wide = (
        product_prices.pivot_table(
            index="year", columns="product", values="price_usd_per_t", aggfunc="first"
        )
        .reindex(index=years)
        .reindex(columns=w.index)
    )
    priced = wide.notna()
    coverage = priced.mul(w, axis=1).sum(axis=1)
    price = wide.fillna(0.0).mul(w, axis=1).sum(axis=1) / coverage.where(coverage > 0)
    price = price.where(coverage >= min_coverage - 1e-12)
    return pd.DataFrame(
        {"year": years, "price_usd_per_t": price.to_numpy(), "coverage": coverage.to_numpy()}
    )


def volatility(prices: pd.Series | Mapping[int, float]) -> dict[str, float | int]:
    """Volatility of a yearly price series (index or keys: years).

    Returns ``sd_log_change`` (sample standard deviation of the yearly log changes over
    consecutive years), ``mad_log_change`` (their median absolute deviation × 1.4826),
    ``n_changes`` and ``years_of_prices`` (years with a positive price). The two volatilities
    are NaN with fewer than two changes.
    """
    s = pd.Series(prices, dtype=float).dropna()
    s = s[s > 0].sort_index()
    years = np.asarray(s.index, dtype=int)
    changes = np.diff(np.log(s.to_numpy()))[np.diff(years) == 1]
    n = int(changes.size)
    sd = float(np.std(changes, ddof=1)) if n >= 2 else float("nan")
    mad = float(median_abs_deviation(changes, scale="normal")) if n >= 2 else float("nan")
    return {
        "sd_log_change": sd,
        "mad_log_change": mad,
        "n_changes": n,
        "years_of_prices": len(s),
    }


def usd_per_eur(year: int, rate: float | None = None) -> float | None:
    """The exchange rate (US dollars per euro) for ``year``: ``rate`` when given, else the
    ECB annual average of :data:`USD_PER_EUR` (``None`` for a year it does not hold)."""
    if rate is not None:
        if not rate > 0:
            raise UsageError(f"usd_per_eur must be positive, not {rate:g}", field="usd_per_eur")
        return float(rate)
    return USD_PER_EUR.get(int(year))
