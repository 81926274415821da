"""The stockpile Monte Carlo: closed forms, the Markov chain's analytic values, reproducibility.

Closed forms (issue 16, "Must show"):
- a single certain disruption of known size and duration gives exactly the integral of the
  shortfall (with and without a ramp-up, a demand response, a stock and a release rate);
- for the two-state (normal/disrupted) Markov supply the simulated share of time disrupted and
  the expected shortfall converge to the analytic stationary values: they must lie within
  4 standard errors of the Monte Carlo mean (under 1.5 % of the value here), and the share
  disrupted per month follows the transient ``π (1 − λ^t)`` from a normal start.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from ketenradar.core.errors import UsageError
from ketenradar.modules.stockpile.analysis.scenario import DAYS_PER_MONTH, SupplyModel
from ketenradar.modules.stockpile.analysis.simulate import (
    CHUNK_PATHS,
    ramp_gap,
    simulate,
    stationary,
    stationary_shortfall,
)


def certain(loss: float, months: int, onset_month: int = 3, **kw: float) -> SupplyModel:
    """One disruption that starts for certain in ``onset_month`` and lasts ``months``."""
    return SupplyModel.single([loss], onset_month=onset_month, fixed=True, duration=months, **kw)


# -- the ramp-up ------------------------------------------------------------------------------


def test_ramp_gap_is_the_monthly_integral_of_the_linear_ramp():
    ages = np.arange(1, 8)
    # R = 4: months 1–4 average 1 − (a − ½)/4; nothing after
    assert ramp_gap(4.0, ages) == pytest.approx([7 / 8, 5 / 8, 3 / 8, 1 / 8, 0, 0, 0])
    # R = 2.5: the gap closes half-way through month 3: ∫_2^2.5 (1 − τ/2.5) dτ = 0.05
    assert ramp_gap(2.5, ages)[:4] == pytest.approx([0.8, 0.4, 0.05, 0.0])
    assert ramp_gap(math.inf, ages) == pytest.approx(np.ones(7))
    assert ramp_gap(0.0, ages) == pytest.approx(np.zeros(7))
    # the sum over all months is the area under the ramp, R/2
    assert ramp_gap(7.3, np.arange(1, 20)).sum() == pytest.approx(7.3 / 2)


# -- a single certain disruption: exactly the integral -----------------------------------------


@pytest.mark.parametrize(
    ("loss", "months", "ramp", "response", "integral"),
    [
        (0.6, 5, math.inf, 0.0, 0.6 * 5),  # no ramp-up: L·T
        (0.6, 5, 10.0, 0.0, 0.6 * (5 - 5**2 / (2 * 10))),  # ∫_0^5 L(1 − τ/10) dτ
        (0.6, 5, 4.0, 0.0, 0.6 * 4 / 2),  # the gap closes at 4: L·R/2
        (0.6, 5, math.inf, 0.1, (0.6 - 0.1) * 5),  # demand response: (L − d)·T
        (1.0, 12, 6.0, 0.0, 3.0),  # a full halt closed in 6 months: 6/2
    ],
)
def test_certain_disruption_gives_the_integral(loss, months, ramp, response, integral):
    model = certain(loss, months, ramp_up=ramp, demand_response=response)
    res = simulate(model, paths=50, months=24, seed=1)
    assert res.shortfall[:, 0] == pytest.approx(np.full(50, integral), rel=1e-6)
    # month by month: nothing before the onset (month 3) or after its end
    per_month = res.mean_shortfall[:, 0]
    assert per_month[:2] == pytest.approx([0, 0])
    assert per_month[2 + months :] == pytest.approx(np.zeros(24 - 2 - months))
    if ramp == math.inf:
        assert per_month[2 : 2 + months] == pytest.approx(np.full(months, loss - response))
    assert res.disrupted[:, 0].sum() == months  # every path, exactly `months` months


def test_certain_disruption_with_a_stock_and_a_release_rate():
    """L = 0.6 for 5 months from month 3 (3 months of demand short). A stock of 1.5 months
    released without limit leaves 1.5 unserved and lasts 1.5/0.6 = 2.5 months; at most 0.4
    a month it serves 0.4 + 0.4 + 0.4 + 0.3 and lasts 3.75 months, and 0.2 a month is always
    above the rate (1.0 over the 5 months): 1.5 unserved as well."""
    model = certain(0.6, 5)
    free = simulate(model, paths=10, months=24, seed=0, stock=1.5)
    assert free.unserved[:, 0] == pytest.approx(np.full(10, 1.5))
    assert free.months_to_empty[:, 0] == pytest.approx(np.full(10, 2.5))
    assert free.summary()["median_days_to_empty"][0] == pytest.approx(2.5 * DAYS_PER_MONTH)
    capped = simulate(model, paths=10, months=24, seed=0, stock=1.5, release_rate=0.4)
    assert capped.capped[:, 0] == pytest.approx(np.full(10, 2.0))
    assert capped.excess[:, 0] == pytest.approx(np.full(10, 1.0))
    assert capped.unserved[:, 0] == pytest.approx(np.full(10, 1.5))
    assert capped.months_to_empty[:, 0] == pytest.approx(np.full(10, 3.75))
    # month by month, with the stock: 0.2 a month above the rate, then all once it is empty
    expected = np.zeros(24)
    expected[2:7] = [0.2, 0.2, 0.2, 0.3, 0.6]
    assert capped.mean_unserved[:, 0] == pytest.approx(expected, abs=1e-6)
    # a stock larger than the shortfall never empties
    big = simulate(model, paths=10, months=24, seed=0, stock=5.0)
    assert np.isnan(big.months_to_empty).all()
    assert big.unserved.max() == 0.0


def test_a_release_trigger_leaves_the_small_months_to_firms():
    """A full halt from month 3 closed linearly over 6 months: the monthly shortfall is 11/12,
    9/12, 7/12, 5/12, 3/12, 1/12 (3 months in all). With the trigger at half a month's demand
    the stock serves only the first three months (27/12 = 2.25) and never the last three
    (9/12 = 0.75); a stock of 1 month leaves 0.75 + (2.25 − 1) = 2 unserved."""
    model = certain(1.0, 12, ramp_up=6.0)
    res = simulate(model, paths=10, months=24, seed=0, stock=1.0, trigger=0.5)
    assert res.shortfall[:, 0] == pytest.approx(np.full(10, 3.0))
    assert res.capped[:, 0] == pytest.approx(np.full(10, 2.25))
    assert res.excess[:, 0] == pytest.approx(np.full(10, 0.75))
    assert res.unserved[:, 0] == pytest.approx(np.full(10, 2.0))
    assert res.parameters()["trigger"] == [0.5]
    # with a rate as well: min(x, 0.8) in the triggered months: 0.8 + 0.75 + 7/12
    both = simulate(model, paths=10, months=24, seed=0, trigger=0.5, release_rate=0.8)
    assert both.capped[:, 0] == pytest.approx(np.full(10, 0.8 + 0.75 + 7 / 12))
    # a trigger above the largest month: nothing is ever released
    none = simulate(model, paths=10, months=24, seed=0, stock=1.0, trigger=0.95)
    assert none.capped.max() == 0.0 and none.unserved[:, 0] == pytest.approx(np.full(10, 3.0))
    with pytest.raises(UsageError) as e:
        simulate(model, paths=10, months=24, trigger=1.0)
    assert e.value.field == "trigger"


def test_fan_chart_of_a_certain_disruption():
    model = certain(0.6, 5)
    res = simulate(model, paths=100, months=12, seed=0, stock=1.5)
    fan = res.fan()
    assert len(fan) == 5 * 12  # percentiles × months × 1 item
    short = fan.pivot(index="month", columns="percentile", values="shortfall")
    assert short.loc[3].tolist() == pytest.approx([0.6] * 5)  # exactly, not 0.601
    assert short.loc[1].tolist() == [0.0] * 5
    with_stock = fan.pivot(index="month", columns="percentile", values="unserved_with_stock")
    # released 0.6, 0.6, then 0.3 of 0.6: unserved 0, 0, 0.3, 0.6, 0.6
    assert with_stock[50.0].loc[3:7].tolist() == pytest.approx([0, 0, 0.3, 0.6, 0.6])


def test_concurrent_disruptions_add_up_and_are_capped_at_demand():
    model = SupplyModel(
        items=("a", "b"),
        sources=("x", "y"),
        loss=np.array([[0.7, 0.6], [0.2, 0.0]]),
        onset=np.zeros(2),
        onset_month=np.array([1, 1]),
        fixed=np.array([True, True]),
        duration=np.array([2.0, 4.0]),
        ramp_up=np.full(2, math.inf),
        demand_response=np.array([0.1, 0.25]),
    )
    res = simulate(model, paths=5, months=6, seed=0)
    # a: months 1–2 min(1, 0.7 + 0.6) − 0.1 = 0.9, months 3–4 0.6 − 0.1;
    # b: 0.2 lost for the 2 months of x, all absorbed by its demand response of 0.25
    assert res.mean_shortfall[:, 0] == pytest.approx([0.9, 0.9, 0.5, 0.5, 0, 0])
    assert res.mean_shortfall[:, 1] == pytest.approx([0, 0, 0, 0, 0, 0])


# -- the two-state Markov chain -----------------------------------------------------------------


def markov_model(fixed: bool = False) -> SupplyModel:
    """Two independent disruptions: x (30 %/year, geometric mean 6 months, no ramp-up) hits
    item 'indicator' fully, so its shortfall is the disrupted state itself; y (20 %/year, 9
    months, ramp-up 9 months) cuts 80 % of item 'ramped', whose demand response is 0.1."""
    q = 1 - (1 - np.array([0.3, 0.2])) ** (1 / 12)
    return SupplyModel(
        items=("indicator", "ramped"),
        sources=("x", "y"),
        loss=np.array([[1.0, 0.0], [0.0, 0.8]]),
        onset=q,
        onset_month=np.zeros(2, int),
        fixed=np.array([fixed, fixed]),
        duration=np.array([6.0, 9.0]),
        ramp_up=np.array([math.inf, 9.0]),
        demand_response=np.array([0.0, 0.1]),  # per item
    )


@pytest.mark.parametrize("fixed", [False, True], ids=["geometric", "fixed"])
def test_markov_supply_converges_to_the_stationary_values(fixed):
    model = markov_model(fixed)
    months, paths = 240, 20_000
    res = simulate(model, paths=paths, months=months, seed=7, initial="stationary", fan_paths=0)
    per_path = res.shortfall / months  # mean shortfall per month of each path
    mean = per_path.mean(axis=0)
    se = per_path.std(axis=0, ddof=1) / math.sqrt(paths)
    pi = stationary(model)
    expected = stationary_shortfall(model)
    assert expected[0] == pytest.approx(pi[0])  # the indicator item is the state
    if not fixed:
        q, p = model.onset[0], 1 / 6
        assert pi[0] == pytest.approx(q / (q + (1 - q) * p))
    # within 4 standard errors, which are under 1.5 % of the value
    assert np.all(np.abs(mean - expected) < 4 * se), (mean, expected, se)
    assert np.all(4 * se < 0.015 * expected)
    # the share of paths disrupted, averaged over months, is the stationary share too
    assert res.disrupted.mean(axis=0) == pytest.approx(pi, rel=0.02)


def test_markov_supply_from_a_normal_start_follows_the_transient():
    """From a normal start P(disrupted in month t) = π (1 − λ^t), λ = 1 − q − (1 − q)·p."""
    model = markov_model()
    paths = 20_000
    res = simulate(model, paths=paths, months=60, seed=3, fan_paths=0)
    q, p = model.onset[0], 1 / 6
    pi, lam = q / (q + (1 - q) * p), 1 - q - (1 - q) * p
    t = np.arange(1, 61)
    exact = pi * (1 - lam**t)
    se = np.sqrt(exact * (1 - exact) / paths)
    assert np.all(np.abs(res.disrupted[:, 0] - exact) < 4.5 * se)


def test_stationary_shortfall_needs_one_disruption_per_item():
    model = SupplyModel(
        items=("a",),
        sources=("x", "y"),
        loss=np.array([[0.5, 0.5]]),
        onset=np.full(2, 0.01),
        onset_month=np.zeros(2, int),
        fixed=np.zeros(2, bool),
        duration=np.full(2, 6.0),
        ramp_up=np.full(2, math.inf),
        demand_response=np.zeros(1),
    )
    with pytest.raises(UsageError, match="at most one disruption"):
        stationary_shortfall(model)


# -- reproducibility ----------------------------------------------------------------------------


def test_same_seed_same_result_and_more_paths_only_add_paths():
    model = markov_model()
    a = simulate(model, paths=CHUNK_PATHS + 500, months=36, seed=11, stock=0.5, fan_paths=300)
    b = simulate(model, paths=CHUNK_PATHS + 500, months=36, seed=11, stock=0.5, fan_paths=300)
    for name in ("shortfall", "unserved", "months_to_empty", "mean_shortfall", "fan_shortfall"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    c = simulate(model, paths=CHUNK_PATHS + 500, months=36, seed=12, stock=0.5, fan_paths=300)
    assert not np.array_equal(a.shortfall, c.shortfall)
    fewer = simulate(model, paths=1000, months=36, seed=11, stock=0.5, fan_paths=0)
    np.testing.assert_array_equal(fewer.shortfall, a.shortfall[:1000])
    assert a.parameters()["seed"] == 11
    total = CHUNK_PATHS + 500
    assert a.notes == [f"the fan chart's percentiles use the first 300 of {total:,} paths"]


def test_progress_is_reported_per_chunk():
    heard = []
    simulate(
        markov_model(),
        paths=2 * CHUNK_PATHS + 1,
        months=3,
        fan_paths=0,
        progress=lambda stage, done, total: heard.append((stage, done, total)),
    )
    total = 2 * CHUNK_PATHS + 1
    assert heard == [
        ("simulate", CHUNK_PATHS, total),
        ("simulate", 2 * CHUNK_PATHS, total),
        ("simulate", total, total),
    ]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"paths": 0}, "paths"),
        ({"months": 0}, "months"),
        ({"stock": -1.0}, "stock"),
        ({"release_rate": np.nan}, "release_rate"),
        ({"initial": "hot"}, "initial"),
        ({"percentiles": (50, 101)}, "percentiles"),
    ],
)
def test_bad_parameters_name_the_field(kwargs, field):
    with pytest.raises(UsageError) as err:
        simulate(markov_model(), **{"paths": 10, "months": 3, **kwargs})
    assert err.value.field == field


def test_summary_in_tonnes():
    res = simulate(certain(0.5, 4), paths=20, months=12, seed=0, stock=1.0)
    df = res.summary(annual_demand_t=np.array([1200.0]))
    row = df.iloc[0]
    assert row["expected_unserved_t_without"] == pytest.approx(2.0 * 100)  # 2 months × 100 t
    assert row["expected_unserved_t_with"] == pytest.approx(1.0 * 100)
    assert row["p_stock_emptied"] == 1.0
