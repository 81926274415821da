"""Property tests: the screening (on each engine) equals the plain pandas definitions;
indicator bounds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import load_trade, open_test_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketenradar.core.groups import EU27
from ketenradar.modules.trade.analysis.concentration import hhi, shares
from ketenradar.modules.trade.analysis.dependencies import ImporterSet, Thresholds, screen
from ketenradar.modules.trade.analysis.reference import screen_pandas

COUNTRIES = ["NLD", "DEU", "FRA", "CHN", "USA", "BRA", "JPN"]
PRODUCTS = ["000001", "000002", "000003"]
YEARS = [2020, 2021, 2022]

flow = st.tuples(
    st.sampled_from(YEARS),
    st.sampled_from(COUNTRIES),
    st.sampled_from(COUNTRIES),
    st.sampled_from(PRODUCTS),
    st.one_of(st.floats(0.001, 1e6), st.sampled_from([1.0, 10.0, 100.0])),
)


def _frame(flows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(flows, columns=["year", "exporter", "importer", "product", "value_kusd"])
    df = df[df["exporter"] != df["importer"]]
    # one row per key, as in BACI
    return df.groupby(["year", "exporter", "importer", "product"], as_index=False)[
        "value_kusd"
    ].sum()


def _sets() -> list[ImporterSet]:
    out = []
    for c in COUNTRIES:
        ref = EU27 if c in EU27 else (c,)
        out.append(ImporterSet(c, (c,), "EU27" if c in EU27 else c, tuple(ref)))
    eu = tuple(c for c in COUNTRIES if c in EU27)
    out.append(ImporterSet("EU27", eu, "EU27", EU27))
    return out


@pytest.fixture(scope="module")
def spark():
    eng = open_test_engine("spark")
    yield eng
    eng.close()


_flows = st.lists(flow, min_size=1, max_size=60)
_min_kusd = st.sampled_from([0.0, 1.0, 100.0, 1e4])
_min_share = st.sampled_from([0.0, 0.1, 0.5])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_flows, _min_kusd, _min_share)
def test_sql_equals_pandas_definitions(flows: list[tuple], min_kusd: float, min_share: float):
    """Every indicator and flag, materiality (issue 15) and CEPII's country-level GeoDep
    included, equals the plain pandas definitions (on DuckDB)."""
    eng = open_test_engine("duckdb")
    try:
        _check_against_pandas(eng, flows, min_kusd, min_share)
    finally:
        eng.close()


# Spark takes about a second per example: fewer examples, the same checks
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(_flows, _min_kusd, _min_share)
def test_spark_sql_equals_pandas_definitions(spark, flows, min_kusd, min_share):
    """The same on Spark (local mode)."""
    _check_against_pandas(spark, flows, min_kusd, min_share)


def _check_against_pandas(engine, flows: list[tuple], min_kusd: float, min_share: float):
    th = Thresholds(min_dependency_kusd=min_kusd, min_dependency_share=min_share)
    trade = _frame(flows)
    if trade.empty:
        return
    load_trade(engine, trade, pd.DataFrame({"product": ["000001"], "description": ["x"]}))
    sets = _sets()
    got = screen(engine, sets, 2022, available_years=YEARS, thresholds=th)
    want = screen_pandas(trade, sets, 2022, available_years=YEARS, thresholds=th)
    assert len(got) == len(want)
    if got.empty:
        return
    key = ["importer", "product"]
    m = got.merge(want, on=key, suffixes=("", "_ref"), validate="one_to_one")
    for col in [
        "imports_kusd",
        "external_imports_kusd",
        "external_share",
        "supplier_hhi",
        "top_supplier_share",
        "top_supplier_kusd",
        "exports_kusd",
        "import_export_ratio",
        "world_export_hhi",
    ]:
        a = m[col].to_numpy(dtype=float)
        b = m[col + "_ref"].to_numpy(dtype=float)
        assert np.allclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True), col
    assert (m["dependent_eu2021"] == m["dependent_eu2021_ref"]).all()
    assert (m["dependent_geodep"].astype(bool) == m["dependent_geodep_ref"].astype(bool)).all()
    assert (m["materiality_met"] == m["materiality_met_ref"]).all()
    own, own_ref = m["dependent_geodep_country"], m["dependent_geodep_country_ref"]
    assert (own.astype(bool) == own_ref.astype(bool)).all()
    # CEPII's country-level reference is the bloc's own for a non-EU importer and for EU27
    same = m["reference_bloc"] == m["importer"]
    assert (own[same].astype(bool) == m.loc[same, "dependent_geodep"].astype(bool)).all()
    # a dependency needs materiality
    assert not (m["dependent_eu2021"] & ~m["materiality_met"]).any()
    # top supplier: same value share (ties may pick a different, equally large supplier)
    # indicator bounds
    h = m["supplier_hhi"].dropna()
    n = m.loc[h.index, "n_external_suppliers"]
    assert ((h >= 1 / n - 1e-12) & (h <= 1 + 1e-12)).all()
    assert ((m["external_share"] >= 0) & (m["external_share"] <= 1 + 1e-12)).all()
    assert (m["top_supplier_share"].dropna() <= 1 + 1e-12).all()
    assert (m["top_supplier_share"].dropna() ** 2 <= h + 1e-12).all()
    w = m["world_export_hhi"].dropna()
    assert ((w > 0) & (w <= 1 + 1e-12)).all()


@given(st.lists(st.floats(0.0, 1e9), min_size=1, max_size=50))
def test_hhi_bounds(values: list[float]) -> None:
    positive = [v for v in values if v > 0]
    h = hhi(values)
    if not positive or math.fsum(values) == 0:
        assert math.isnan(h)
        return
    n = len(positive)
    assert 1 / n - 1e-12 <= h <= 1 + 1e-12


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.floats(0.0, 1e9), min_size=1))
def test_shares_sum_to_one(values: dict[str, float]) -> None:
    s = shares(values)
    if sum(values.values()) <= 0:
        assert s == {}
    else:
        assert math.isclose(math.fsum(s.values()), 1.0, rel_tol=1e-9)
        assert all(0 <= x <= 1 for x in s.values())


def test_hhi_hand_cases() -> None:
    assert hhi([1, 1, 1, 1]) == 0.25
    assert hhi([5]) == 1.0
    assert hhi([80, 10]) == (80**2 + 10**2) / 90**2
