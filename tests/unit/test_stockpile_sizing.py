"""Sizing a stock: the newsvendor's closed form, service levels, costs, anchors, and the
property that the stock never falls when the service level, the disruption probability or the
duration rises (hypothesis; the simulation's common random numbers make it exact)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from ketenradar.core.errors import UsageError
from ketenradar.modules.stockpile.analysis.scenario import SupplyModel, monthly_probability
from ketenradar.modules.stockpile.analysis.simulate import simulate
from ketenradar.modules.stockpile.analysis.sizing import (
    ANCHORS,
    anchor_stocks,
    critical_ratio,
    days_of_cover,
    expected_unserved,
    holding_cost_per_tonne_year,
    newsvendor,
    newsvendor_normal,
    newsvendor_sample,
    overage_cost,
    service_level_of,
    sizing_table,
    stock_for_expected_unserved,
    stock_for_service_level,
    tonnes,
)

# -- the newsvendor -----------------------------------------------------------------------------


def test_newsvendor_with_normal_demand_is_mu_plus_sigma_z():
    # c_u = 9, c_o = 1: CR = 0.9, Φ⁻¹(0.9) = 1.2815515655446004
    expected = 100 + 20 * 1.2815515655446004
    assert newsvendor_normal(100, 20, 9, 1) == pytest.approx(expected, rel=1e-12)
    assert newsvendor(norm(100, 20), 9, 1) == pytest.approx(expected, rel=1e-12)
    assert critical_ratio(9, 1) == 0.9
    # a symmetric cost: the median
    assert newsvendor_normal(100, 20, 1, 1) == pytest.approx(100)


def test_newsvendor_from_samples_converges_and_minimises_expected_cost():
    rng = np.random.default_rng(0)
    d = rng.normal(100, 20, size=400_000)
    x = newsvendor_sample(d, 9.0, 1.0)[0]
    # the sample quantile's standard error is about 0.05 here
    assert x == pytest.approx(newsvendor_normal(100, 20, 9, 1), abs=0.25)
    # and it minimises c_u·E[(D − S)+] + c_o·E[(S − D)+] over a grid of stocks
    small = d[:20_000]
    grid = np.linspace(90, 160, 701)
    cost = [9 * np.maximum(small - s, 0).mean() + np.maximum(s - small, 0).mean() for s in grid]
    best = grid[int(np.argmin(cost))]
    assert newsvendor_sample(small, 9.0, 1.0)[0] == pytest.approx(best, abs=0.2)


@pytest.mark.parametrize(("c_u", "c_o", "field"), [(0, 1, "c_u"), (1, -1, "c_o")])
def test_costs_must_be_positive(c_u, c_o, field):
    with pytest.raises(UsageError) as err:
        critical_ratio(c_u, c_o)
    assert err.value.field == field


def test_holding_and_overage_costs():
    # 10,000 €/t: capital 2.25 % + insurance 0.2 % = 245 €/t-year, + storage 50
    h = holding_cost_per_tonne_year(10_000.0, storage_eur_t_year=50.0)
    assert h == pytest.approx(295.0)
    h = holding_cost_per_tonne_year(
        10_000.0, storage_eur_t_year=0.0, discount_rate=0.04, insurance_rate=0.0,
        price_risk_rate=0.01,
    )  # fmt: skip
    assert h == pytest.approx(500.0)
    assert overage_cost(295.0, 10) == pytest.approx(2950.0)
    with pytest.raises(UsageError) as err:
        holding_cost_per_tonne_year(1.0, storage_eur_t_year=-1.0)
    assert err.value.field == "storage_eur_t_year"


# -- service levels ----------------------------------------------------------------------------


def test_service_level_stock_is_the_inverted_cdf_quantile():
    c = np.array([0, 0, 0, 1, 2, 3, 4, 5, 6, 10], dtype=float)
    assert stock_for_service_level(c, 0.9)[0] == 6.0  # the 9th of 10
    assert stock_for_service_level(c, 0.91)[0] == 10.0
    assert stock_for_service_level(c, 0.3)[0] == 0.0
    assert service_level_of(6.0, c)[0] == 0.9
    # a path whose shortfall exceeds the release rate can never be served
    excess = np.zeros(10)
    excess[9] = 0.5
    assert stock_for_service_level(c, 0.9, excess)[0] == 6.0
    assert math.isinf(stock_for_service_level(c, 0.95, excess)[0])
    assert service_level_of(100.0, c, excess)[0] == 0.9
    with pytest.raises(UsageError) as err:
        stock_for_service_level(c, 1.0)
    assert err.value.field == "service_level"


def test_stock_for_expected_unserved_is_exact():
    c = np.array([0.0, 0.0, 2.0, 4.0])  # mean(max(0, C − S)): S=0 → 1.5, S=2 → 0.5
    assert stock_for_expected_unserved(c, 0.5)[0] == pytest.approx(2.0)
    assert stock_for_expected_unserved(c, 1.0)[0] == pytest.approx(1.0)  # (2−S + 4−S)/4 = 1
    assert stock_for_expected_unserved(c, 0.25)[0] == pytest.approx(3.0)  # (4 − S)/4
    assert stock_for_expected_unserved(c, 0.0)[0] == pytest.approx(4.0)
    assert stock_for_expected_unserved(c, 2.0)[0] == 0.0
    # the excess above the release rate counts in full
    assert math.isinf(stock_for_expected_unserved(c, 0.1, np.full(4, 0.2))[0])
    assert stock_for_expected_unserved(c, 0.45, np.full(4, 0.2))[0] == pytest.approx(3.0)
    rng = np.random.default_rng(1)
    sample = rng.exponential(2.0, (5000, 3)) * (rng.random((5000, 3)) < 0.3)
    for bound in (0.01, 0.1, 0.3):
        s = stock_for_expected_unserved(sample, bound)
        assert expected_unserved(s, sample) == pytest.approx(np.full(3, bound))


def test_a_certain_disruption_is_sized_at_its_integral():
    """0.6 of demand for 5 months (3 months of demand short) from month 3: every path needs
    3 months of demand; with 1,200 t a year that is 300 t, 91.3 days of cover."""
    model = SupplyModel.single([0.6], onset_month=3, fixed=True, duration=5)
    res = simulate(model, paths=20, months=24, seed=0, fan_paths=0)
    months = stock_for_service_level(res.capped, 0.95, res.excess)
    assert months[0] == pytest.approx(3.0)
    table = sizing_table(["x"], months, np.array([1200.0]), np.array([2000.0]), np.array([50.0]))
    row = table.iloc[0]
    assert row["stock_t"] == pytest.approx(300.0)
    assert row["days_of_cover"] == pytest.approx(3.0 / 12 * 365)
    assert row["build_cost_eur"] == pytest.approx(600_000.0)
    assert row["holding_cost_eur_per_year"] == pytest.approx(15_000.0)


def test_units_and_anchors():
    assert tonnes(2.0, 1200.0) == pytest.approx(200.0)
    assert days_of_cover(600.0, 3650.0) == pytest.approx(60.0)
    assert np.isnan(days_of_cover(1.0, 0.0))
    df = anchor_stocks(["copper"], np.array([3650.0]), np.array([1825.0]), np.array([8000.0]))
    by = df.set_index("anchor")["stock_t"]
    assert by["IEA 90 days"] == pytest.approx(450.0)  # 90 days of net imports
    assert by["JOGMEC 60 days"] == pytest.approx(600.0)
    assert by["JOGMEC 180 days (high risk)"] == pytest.approx(1800.0)
    assert by["KOMIR 100 days"] == pytest.approx(1000.0)
    assert df.set_index("anchor")["build_cost_eur"]["KOMIR 100 days"] == pytest.approx(8e6)
    assert {a.days for a in ANCHORS} == {60, 90, 100, 180}
    assert all(a.source for a in ANCHORS)


# -- the stock never falls when the risk rises (common random numbers) -------------------------

PATHS, MONTHS, SEED = 300, 48, 5


def _model(
    loss: list[list[float]],
    yearly: list[float],
    duration: list[float],
    fixed: bool,
    ramp: float,
    response: float,
) -> SupplyModel:
    """Three items, two correlated disruptions."""
    return SupplyModel(
        items=("a", "b", "c"),
        sources=("x", "y"),
        loss=np.array(loss),
        onset=np.array([monthly_probability(p) for p in yearly]),
        onset_month=np.zeros(2, int),
        fixed=np.array([fixed, fixed]),
        duration=np.array([float(round(d)) if fixed else d for d in duration]),
        ramp_up=np.array([ramp, ramp]),
        demand_response=np.full(3, response),
    )


def _stocks(model: SupplyModel, level: float, rate: float | None) -> tuple[np.ndarray, ...]:
    res = simulate(model, paths=PATHS, months=MONTHS, seed=SEED, release_rate=rate, fan_paths=0)
    return (
        stock_for_service_level(res.capped, level, res.excess),
        stock_for_expected_unserved(res.capped, 0.05, res.excess),
        newsvendor_sample(res.capped, 20.0, 1.0),
        res.shortfall,
    )


share = st.floats(0.0, 1.0)
settings_ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
common = {
    "loss": st.lists(st.lists(share, min_size=2, max_size=2), min_size=3, max_size=3),
    "fixed": st.booleans(),
    "ramp": st.sampled_from([0.0, 3.0, 12.5, math.inf]),
    "response": st.sampled_from([0.0, 0.1, 0.4]),
    "rate": st.sampled_from([None, 0.3, 1.0]),
}


def _no_less(high: tuple[np.ndarray, ...], low: tuple[np.ndarray, ...]) -> None:
    for h, lo in zip(high, low, strict=True):
        assert np.all((h >= lo) | (np.isinf(h) & np.isinf(lo))), (h, lo)


@settings_
@given(p1=st.floats(0.0, 0.9), dp=st.floats(0.0, 0.1), m=st.floats(1.0, 24.0), **common)
def test_stock_never_falls_when_the_probability_rises(p1, dp, m, loss, fixed, ramp, response, rate):
    low = _model(loss, [p1, p1 / 2], [m, m], fixed, ramp, response)
    high = _model(loss, [p1 + dp, p1 / 2 + dp], [m, m], fixed, ramp, response)
    _no_less(_stocks(high, 0.9, rate), _stocks(low, 0.9, rate))


@settings_
@given(p=st.floats(0.0, 0.9), m1=st.floats(1.0, 24.0), dm=st.floats(0.0, 12.0), **common)
def test_stock_never_falls_when_the_duration_rises(p, m1, dm, loss, fixed, ramp, response, rate):
    low = _model(loss, [p, p], [m1, m1 + 1], fixed, ramp, response)
    high = _model(loss, [p, p], [m1 + dm, m1 + 1 + dm], fixed, ramp, response)
    _no_less(_stocks(high, 0.9, rate), _stocks(low, 0.9, rate))


@settings_
@given(
    a1=st.floats(0.01, 0.98), da=st.floats(0.0, 0.5), p=st.floats(0.05, 0.9),
    loss=common["loss"], rate=common["rate"],
)  # fmt: skip
def test_stock_never_falls_when_the_service_level_rises(a1, da, p, loss, rate):
    res = simulate(
        _model(loss, [p, p], [6.0, 9.0], False, 6.0, 0.0),
        paths=PATHS, months=MONTHS, seed=SEED, release_rate=rate, fan_paths=0,
    )  # fmt: skip
    a2 = min(a1 + da, 0.99)
    low = stock_for_service_level(res.capped, a1, res.excess)
    high = stock_for_service_level(res.capped, a2, res.excess)
    assert np.all((high >= low) | np.isinf(high))
    # and a tighter bound on expected unserved demand needs at least as much
    assert np.all(
        stock_for_expected_unserved(res.capped, 0.01, res.excess)
        >= stock_for_expected_unserved(res.capped, 0.1, res.excess)
    )
