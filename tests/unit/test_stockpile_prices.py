"""Prices and volatility from unit values: the outlier rule, missing quantities, the item mix
and the volatility, each computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenradar.core.errors import UsageError
from ketenradar.modules.stockpile import prices as px


def flows(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["product", "year", "value_kusd", "quantity_t"])


def test_outlier_rule_and_missing_quantities_by_hand():
    # unit values (USD/t): 5000, 6000, 10 (outlier: below 5000/10), 60000 (above 5000·10);
    # one flow without quantity and one with q = 0: counted, left out
    df = flows(
        [
            ("810510", 2022, 50.0, 10.0),
            ("810510", 2022, 60.0, 10.0),
            ("810510", 2022, 1.0, 100.0),
            ("810510", 2022, 600.0, 10.0),
            ("810510", 2022, 40.0, None),
            ("810510", 2022, 40.0, 0.0),
        ]
    )
    r = px.unit_values(df).iloc[0]
    # median of (5000, 6000, 10, 60000) = 5500; band [550, 55000]: 10 and 60000 are out
    assert r["median_unit_value_usd_per_t"] == pytest.approx(5500)
    assert (r["n_flows"], r["n_no_quantity"], r["n_outliers"], r["n_used"]) == (6, 2, 2, 2)
    assert r["price_usd_per_t"] == pytest.approx((50 + 60) / (10 + 10) * 1000)
    assert r["quantity_t_used"] == pytest.approx(20)


def test_band_edges_are_kept_and_factor_is_a_parameter():
    # median 1000; 100 and 10000 lie exactly on the band's edges and are kept
    df = flows([("p", 2020, 1.0, 1.0), ("p", 2020, 0.1, 1.0), ("p", 2020, 10.0, 1.0)])
    r = px.unit_values(df).iloc[0]
    assert r["n_outliers"] == 0
    assert r["price_usd_per_t"] == pytest.approx(11.1 / 3 * 1000)
    tight = px.unit_values(df, factor=5).iloc[0]
    assert tight["n_outliers"] == 2 and tight["price_usd_per_t"] == pytest.approx(1000)
    with pytest.raises(UsageError, match="factor"):
        px.unit_values(df, factor=1)


def test_a_year_without_any_quantity_has_no_price_but_a_row():
    r = px.unit_values(flows([("p", 2020, 5.0, None)])).iloc[0]
    assert math.isnan(r["price_usd_per_t"]) and r["n_no_quantity"] == 1 and r["n_used"] == 0


def test_item_price_is_the_fixed_quantity_mix_with_coverage():
    pp = pd.DataFrame(
        {
            "product": ["a", "a", "a", "b", "b"],
            "year": [2019, 2020, 2021, 2019, 2021],
            "price_usd_per_t": [100.0, 200.0, 300.0, 1000.0, 2000.0],
        }
    )
    out = px.item_prices(pp, {"a": 95.0, "b": 5.0}).set_index("year")
    assert out.loc[2019, "price_usd_per_t"] == pytest.approx(0.95 * 100 + 0.05 * 1000)
    # 2020: only 'a' priced, 95 % of the weight ≥ 90 %: renormalised over 'a'
    assert out.loc[2020, "coverage"] == pytest.approx(0.95)
    assert out.loc[2020, "price_usd_per_t"] == pytest.approx(200)
    assert out.loc[2021, "price_usd_per_t"] == pytest.approx(0.95 * 300 + 0.05 * 2000)
    # with 'b' weighing 20 %, 2020 is covered 80 % < 90 %: no price
    low = px.item_prices(pp, {"a": 80.0, "b": 20.0}).set_index("year")
    assert math.isnan(low.loc[2020, "price_usd_per_t"])
    assert px.item_prices(pp, {})["price_usd_per_t"].isna().all()


def test_volatility_by_hand():
    prices = {2018: 100.0, 2019: 110.0, 2020: 99.0, 2021: 150.0, 2023: 160.0}
    # changes over consecutive years only (2021→2023 skips a year)
    d = [math.log(110 / 100), math.log(99 / 110), math.log(150 / 99)]
    mean = sum(d) / 3
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / 2)
    med = sorted(d)[1]
    mad = sorted(abs(x - med) for x in d)[1]
    v = px.volatility(prices)
    assert v["n_changes"] == 3 and v["years_of_prices"] == 5
    assert v["sd_log_change"] == pytest.approx(sd)
    assert v["mad_log_change"] == pytest.approx(1.4826 * mad, rel=1e-4)
    one = px.volatility({2020: 1.0, 2021: 2.0})
    assert one["n_changes"] == 1 and math.isnan(one["sd_log_change"])


def test_robust_volatility_ignores_one_extreme_year():
    # changes of ±2–5 % a year; one year ten times the price adds two changes of ±ln 10
    level = np.exp(np.cumsum([0.02 + 0.03 * math.sin(k) for k in range(20)]))
    calm = {2000 + k: 100.0 * x for k, x in enumerate(level)}
    spiked = {**calm, 2010: 10 * calm[2010]}
    c, s = px.volatility(calm), px.volatility(spiked)
    assert s["sd_log_change"] > 10 * c["sd_log_change"]
    assert s["mad_log_change"] < 1.5 * c["mad_log_change"]


def test_exchange_rates():
    assert px.usd_per_eur(2022) == pytest.approx(1.0530)
    assert px.usd_per_eur(1995) is None
    assert px.usd_per_eur(1995, 1.3) == 1.3
    with pytest.raises(UsageError, match="usd_per_eur"):
        px.usd_per_eur(2022, -1.0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.01, 1e6), st.floats(0.01, 1e6)), min_size=1, max_size=12),
    st.sampled_from([0.25, 0.5, 2.0, 1024.0]),  # powers of 2 scale floats exactly
)
def test_price_scales_with_values_and_lies_among_the_kept_unit_values(pairs, c):
    df = flows([("p", 2020, v, q) for v, q in pairs])
    base = px.unit_values(df).iloc[0]
    scaled = px.unit_values(df.assign(value_kusd=df["value_kusd"] * c)).iloc[0]
    assert scaled["price_usd_per_t"] == pytest.approx(c * base["price_usd_per_t"], rel=1e-9)
    uv = np.array([v * 1000.0 / q for v, q in pairs])
    med = np.median(uv)
    kept = uv[(uv >= med / 10) & (uv <= med * 10)]
    assert kept.min() * (1 - 1e-9) <= base["price_usd_per_t"] <= kept.max() * (1 + 1e-9)
