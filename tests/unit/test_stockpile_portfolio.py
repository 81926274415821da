"""Portfolio under a budget: hand-computed cases, the greedy against the exact optimum (MILP)
with its gap bound (hypothesis over random convex curves and budgets), the cost-optimal stop,
curves from a simulation, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketenradar.core.errors import DataError, UsageError
from ketenradar.modules.stockpile.analysis.portfolio import (
    COLUMNS,
    ItemCurve,
    curves_from_simulation,
    greedy_portfolio,
    optimal_portfolio,
)
from ketenradar.modules.stockpile.analysis.scenario import SupplyModel, monthly_probability
from ketenradar.modules.stockpile.analysis.simulate import simulate
from ketenradar.modules.stockpile.analysis.sizing import expected_unserved, newsvendor_sample


def curve(item, stock, unserved, c_u, price=100.0, holding=0.0, years=1.0):
    x, u = np.array(stock, float), np.array(unserved, float)
    return ItemCurve(item, x, u, c_u, price, holding, years)


# A: 10 t saves 10 t (10,000 EUR), the next 10 t save 5 t (5,000 EUR); B: 8,000 then 4,000.
# Every 10 t costs 1,000 EUR: ratios 10, 8, 5, 4 EUR saved per EUR.
A = curve("A", [0, 10, 20], [20, 10, 5], 1000.0)
B = curve("B", [0, 10, 20], [12, 4, 0], 1000.0)


@pytest.mark.parametrize(
    ("budget", "stocks", "value"),
    [
        (0.0, {"A": 0, "B": 0}, 0.0),
        (1000.0, {"A": 10, "B": 0}, 10_000.0),
        (2000.0, {"A": 10, "B": 10}, 18_000.0),
        (3000.0, {"A": 20, "B": 10}, 23_000.0),
        (4000.0, {"A": 20, "B": 20}, 27_000.0),
        (1e9, {"A": 20, "B": 20}, 27_000.0),
    ],
)
def test_two_items_by_hand(budget, stocks, value):
    for method in (greedy_portfolio, optimal_portfolio):
        p = method([A, B], budget)
        assert list(p.table.columns) == list(COLUMNS)
        assert dict(zip(p.table["item"], p.table["stock_t"], strict=True)) == stocks
        assert p.totals["reduction_eur"] == pytest.approx(value)
        assert p.totals["build_cost_eur"] <= budget
    g = greedy_portfolio([A, B], budget)
    assert g.gap_bound_eur == 0.0  # the budget ends on an increment: the greedy is optimal


def test_the_gap_bound_is_the_increment_that_did_not_fit():
    # 2,500 EUR: A's and B's first 10 t fit, A's second (5,000 EUR) does not
    g = greedy_portfolio([A, B], 2500.0)
    assert g.totals["reduction_eur"] == pytest.approx(18_000.0)
    assert g.blocked_increment_eur == pytest.approx(5_000.0)  # the classic bound
    assert g.upper_bound_eur == pytest.approx(18_000.0 + 0.5 * 5_000.0)  # the LP relaxation
    assert g.gap_bound_eur == pytest.approx(2_500.0)  # LP − greedy, within the classic bound
    assert optimal_portfolio([A, B], 2500.0).totals["reduction_eur"] == pytest.approx(18_000.0)
    row = g.table.set_index("item").loc["A"]
    assert row["expected_unserved_t"] == 10
    assert row["expected_shortage_cost_eur"] == pytest.approx(10_000.0)
    assert row["build_cost_eur"] == pytest.approx(1_000.0)
    assert g.totals["budget_left_eur"] == pytest.approx(500.0)


def test_the_greedy_can_miss_the_optimum_but_stays_within_its_bound():
    # small C: 1,100 EUR saved for 1,000 EUR (1.1 per EUR); big D: 4,000 for 4,000 (1.0);
    # with 4,000 EUR the greedy buys C first, then D no longer fits: the optimum is D alone
    c = curve("C", [0, 10], [20, 10], 110.0)
    d = curve("D", [0, 40], [50, 10], 100.0)
    g = greedy_portfolio([c, d], 4000.0)
    o = optimal_portfolio([c, d], 4000.0)
    assert g.totals["reduction_eur"] == pytest.approx(1_100.0)
    assert o.totals["reduction_eur"] == pytest.approx(4_000.0)
    assert list(o.table["stock_t"]) == [0, 40]
    assert g.blocked_increment_eur == pytest.approx(4_000.0)
    assert g.upper_bound_eur == pytest.approx(1_100.0 + 0.75 * 4_000.0)
    assert g.gap_bound_eur == pytest.approx(3_000.0)
    assert o.totals["reduction_eur"] <= g.totals["reduction_eur"] + g.gap_bound_eur


def test_three_items_exact_optimum_by_enumeration():
    e = curve("E", [0, 5, 10, 15], [30, 25, 21, 19], 200.0, price=40.0)
    f = curve("F", [0, 8, 16], [16, 9, 5], 150.0, price=60.0)
    h = curve("H", [0, 3, 6, 9], [9, 6, 4, 3], 300.0, price=90.0)
    best = 0.0
    for i in range(4):
        for j in range(3):
            for k in range(4):
                cost = e.stock_t[i] * 40 + f.stock_t[j] * 60 + h.stock_t[k] * 90
                if cost <= 1000:
                    best = max(best, e.reduction_eur[i] + f.reduction_eur[j] + h.reduction_eur[k])
    o = optimal_portfolio([e, f, h], 1000.0)
    assert o.totals["reduction_eur"] == pytest.approx(best)
    g = greedy_portfolio([e, f, h], 1000.0)
    assert best - g.gap_bound_eur - 1e-9 <= g.totals["reduction_eur"] <= best + 1e-9


# -- holding cost: the cost-optimal stop ---------------------------------------------------------


def test_no_budget_stops_at_the_cost_optimal_level_the_newsvendor():
    # cumulative shortfall 0, 10, 20 or 30 t, equally likely: U(x) = E[(C − x)+]
    paths = np.array([0.0, 10.0, 20.0, 30.0])
    grid = np.array([0.0, 10.0, 20.0, 30.0, 40.0])
    u = expected_unserved(grid, paths)
    assert list(u) == [15.0, 7.5, 2.5, 0.0, 0.0]
    # c_u = 300, holding 50 EUR/t-year over 2 years: c_o = 100, CR = 0.75
    c = ItemCurve("X", grid, u, 300.0, 1000.0, 50.0, 2.0)
    # saved 0, 7.5, 12.5, 15, 15; unused 0, 2.5, 7.5, 15, 25
    assert list(c.reduction_eur) == [0.0, 2000.0, 3000.0, 3000.0, 2000.0]
    assert c.cost_optimal_level == 2
    assert newsvendor_sample(paths, 300.0, 100.0)[0] == 20.0
    for method in (greedy_portfolio, optimal_portfolio):
        p = method([c], math.inf)
        assert p.table["stock_t"].iloc[0] == 20.0  # not 30: a tonne there saves what it costs
        assert p.table["cost_optimal_stock_t"].iloc[0] == 20.0
        row = p.table.iloc[0]
        assert row["expected_holding_cost_eur"] == pytest.approx(750.0)  # 7.5 t unused × 100
        assert row["holding_cost_eur_per_year"] == pytest.approx(1000.0)  # 20 t × 50
        assert row["expected_shortage_cost_eur"] == pytest.approx(750.0)  # 2.5 t × 300
    # a budget larger than everything gives the same
    assert greedy_portfolio([c], 1e12).table["stock_t"].iloc[0] == 20.0


def test_an_item_that_costs_more_to_hold_than_it_saves_is_not_stocked():
    c = curve("Y", [0, 10], [5, 0], 10.0, holding=100.0, years=10.0)  # saves 50, costs 5,000
    for method in (greedy_portfolio, optimal_portfolio):
        assert method([c, A], math.inf).table["stock_t"].tolist() == [0.0, 20.0]


def test_a_yearly_holding_budget():
    # holding 10 EUR/t-year for A, 50 for B; 200 EUR a year allows 20 t of A or 4 t of B
    a = curve("A", [0, 10, 20], [20, 10, 5], 1000.0, holding=10.0)
    b = curve("B", [0, 10, 20], [12, 4, 0], 1000.0, holding=50.0)
    for method in (greedy_portfolio, optimal_portfolio):
        p = method([a, b], math.inf, holding_budget=200.0)
        assert p.table["stock_t"].tolist() == [20.0, 0.0]
        assert p.totals["holding_cost_eur_per_year"] <= 200.0
    g = greedy_portfolio([a, b], 3000.0, holding_budget=700.0)
    o = optimal_portfolio([a, b], 3000.0, holding_budget=700.0)
    assert o.totals["build_cost_eur"] <= 3000.0 and o.totals["holding_cost_eur_per_year"] <= 700
    assert g.totals["build_cost_eur"] <= 3000.0 and g.totals["holding_cost_eur_per_year"] <= 700
    assert g.totals["reduction_eur"] <= o.totals["reduction_eur"] + 1e-6
    assert o.totals["reduction_eur"] <= g.totals["reduction_eur"] + g.gap_bound_eur + 1e-6


def test_a_curve_that_is_not_convex_uses_its_hull():
    # 10 t save 2 t, 20 t save 20 t: the middle level lies under the hull
    c = curve("Z", [0, 10, 20], [20, 18, 0], 100.0)
    assert not c.convex
    g = greedy_portfolio([c], 2000.0)
    assert g.table["stock_t"].iloc[0] == 20.0
    assert any("not convex" in n for n in g.notes)
    assert greedy_portfolio([c], 1500.0).table["stock_t"].iloc[0] == 0.0  # 20 t do not fit
    assert optimal_portfolio([c], 1500.0).table["stock_t"].iloc[0] == 10.0


def test_rounding_on_a_straight_stretch_changes_nothing():
    # hypothesis's counterexamples: reductions 0, 0.12, 0.24 (the middle one 1e-16 under the
    # line) keep the middle level; a reduction of 1e-14 EUR is no reason to build a stock
    c = ItemCurve("R", np.array([0.0, 1.0, 2.0]), np.array([1.24, 1.12, 1.0]), 1.0, 1.0, 0.0, 1.0)
    assert greedy_portfolio([c], 1.0).table["stock_t"].iloc[0] == 1.0
    assert optimal_portfolio([c], 1.0).table["stock_t"].iloc[0] == 1.0
    flat = ItemCurve(
        "F", np.array([0.0, 9.0, 10.0]), np.array([2.16, 0.0, 0.0]), 38.0, 1.0, 2.0, 6.0
    )
    assert abs(flat.reduction_eur[1]) < 1e-12 and flat.cost_optimal_level == 0
    for method in (greedy_portfolio, optimal_portfolio):
        assert method([flat], 1e6).table["stock_t"].iloc[0] == 0.0


def test_a_level_on_a_straight_stretch_is_a_stopping_point():
    # 10 t and 20 t each save 10 t (a straight stretch): a budget for 10 t buys 10 t; the hull
    # once dropped the middle level, so 10 t did not fit and the greedy bought nothing
    c = curve("S", [0, 10, 20], [20, 10, 0], 300.0)
    g = greedy_portfolio([c], 1000.0)
    o = optimal_portfolio([c], 1000.0)
    assert g.table["stock_t"].iloc[0] == 10.0 == o.table["stock_t"].iloc[0]
    assert g.totals["reduction_eur"] == pytest.approx(o.totals["reduction_eur"])
    assert g.totals["reduction_eur"] > 0


# -- hypothesis: the greedy against the MILP on random convex curves --------------------------


@st.composite
def convex_curves(draw):
    n = draw(st.integers(1, 4))
    out = []
    for i in range(n):
        k = draw(st.integers(1, 5))
        steps = draw(st.lists(st.integers(1, 20), min_size=k, max_size=k))
        # saving per tonne falls with the stock (convex U), at most 1
        per_t = sorted(draw(st.lists(st.integers(0, 100), min_size=k, max_size=k)), reverse=True)
        x = np.concatenate(([0.0], np.cumsum(steps)))
        saved = np.concatenate(([0.0], np.cumsum(np.array(steps) * np.array(per_t) / 100.0)))
        u0 = float(saved[-1]) + draw(st.integers(0, 50))
        out.append(
            ItemCurve(
                item=f"i{i}",
                stock_t=x,
                expected_unserved_t=u0 - saved,
                shortage_cost_eur_t=float(draw(st.integers(0, 1000))),
                price_eur_t=float(draw(st.integers(1, 100))),
                holding_eur_t_year=float(draw(st.integers(0, 20))),
                horizon_years=float(draw(st.integers(1, 10))),
            )
        )
    return out


def _everything(curves):
    return sum(float(c.stock_t[-1] * c.price_eur_t) for c in curves)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(convex_curves(), st.floats(0.0, 1.1))
def test_greedy_within_its_bound_of_the_optimum(curves, share):
    budget = round(share * _everything(curves), 2)
    g = greedy_portfolio(curves, budget)
    o = optimal_portfolio(curves, budget)
    gv, ov = g.totals["reduction_eur"], o.totals["reduction_eur"]
    tol = 1e-6 * max(1.0, abs(ov))
    assert (
        g.totals["build_cost_eur"] <= budget + 1e-6 and o.totals["build_cost_eur"] <= budget + 1e-6
    )
    assert gv <= ov + tol
    assert gv >= ov - g.gap_bound_eur - tol
    assert ov <= g.upper_bound_eur + tol
    assert 0 <= g.gap_bound_eur <= g.blocked_increment_eur + tol  # the classic bound holds
    assert ov >= gv  # and so does it on the optimum: ov − gv ≤ the blocked increment
    assert ov - gv <= g.blocked_increment_eur + tol
    # no stock past an item's cost-optimal level
    assert np.all(g.table["stock_t"] <= g.table["cost_optimal_stock_t"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(convex_curves(), st.integers(0, 30))
def test_greedy_equals_the_optimum_when_the_budget_ends_on_an_increment(curves, m):
    # the budget is exactly the cost of the first m increments in the greedy's order: then the
    # continuous relaxation's optimum is on the grid and the greedy finds it
    incs = []
    for c in curves:
        v = c.reduction_eur
        for k in range(1, c.cost_optimal_level + 1):
            cost = float((c.stock_t[k] - c.stock_t[k - 1]) * c.price_eur_t)
            incs.append(((v[k] - v[k - 1]) / cost, cost))
    incs.sort(key=lambda t: -t[0])
    budget = float(sum(cost for _, cost in incs[:m]))
    g = greedy_portfolio(curves, budget)
    o = optimal_portfolio(curves, budget)
    assert g.totals["reduction_eur"] == pytest.approx(o.totals["reduction_eur"], rel=1e-9, abs=1e-6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(convex_curves(), st.floats(0.0, 1.1), st.floats(0.0, 1.1))
def test_two_budgets_greedy_within_its_bound(curves, share, hshare):
    budget = round(share * _everything(curves), 2)
    yearly = sum(float(c.stock_t[-1] * c.holding_eur_t_year) for c in curves)
    holding = round(hshare * yearly, 2)
    g = greedy_portfolio(curves, budget, holding_budget=holding)
    o = optimal_portfolio(curves, budget, holding_budget=holding)
    gv, ov = g.totals["reduction_eur"], o.totals["reduction_eur"]
    tol = 1e-6 * max(1.0, abs(ov))
    assert g.totals["holding_cost_eur_per_year"] <= holding + 1e-6
    assert o.totals["holding_cost_eur_per_year"] <= holding + 1e-6
    assert ov - g.gap_bound_eur - tol <= gv <= ov + tol


@given(convex_curves())
@settings(max_examples=40, deadline=None)
def test_budget_zero_and_everything(curves):
    for method in (greedy_portfolio, optimal_portfolio):
        none = method(curves, 0.0)
        assert (none.table["stock_t"] == 0).all()
        assert none.totals["reduction_eur"] == 0.0
        full = method(curves, _everything(curves))
        assert full.table["stock_t"].tolist() == full.table["cost_optimal_stock_t"].tolist()


# -- curves from a simulation ---------------------------------------------------------------


def _run():
    model = SupplyModel(
        items=("cobalt", "gallium"),
        sources=("CHN", "COD"),
        loss=np.array([[0.2, 0.7], [0.9, 0.0]]),
        onset=np.array([monthly_probability(0.15), monthly_probability(0.1)]),
        onset_month=np.array([0, 0]),
        fixed=np.array([False, True]),
        duration=np.array([12.0, 6.0]),
        ramp_up=np.array([12.0, math.inf]),
        demand_response=np.array([0.0, 0.1]),
    )
    return simulate(model, paths=2000, months=60, seed=3, release_rate=0.5, fan_paths=0)


RUN = _run()
COSTS = {
    "annual_demand_t": {"cobalt": 1200.0, "gallium": 24.0},
    "price_eur_t": {"cobalt": 30_000.0, "gallium": 300_000.0},
    "shortage_cost_eur_t": {"cobalt": 9.5 * 3000.0, "gallium": 2_000_000.0},
    "holding_eur_t_year": {"cobalt": 1000.0, "gallium": 20_000.0},
}


def test_curves_from_one_simulation_are_convex_and_match_the_sizing():
    curves = curves_from_simulation(RUN, **COSTS)
    assert [c.item for c in curves] == ["cobalt", "gallium"]
    for i, c in enumerate(curves):
        assert c.convex
        assert c.horizon_years == 5.0
        assert c.stock_t[0] == 0 and c.stock_t.size == 21
        per_month = COSTS["annual_demand_t"][c.item] / 12
        # without a stock: the mean shortfall (in tonnes); at the top: only the excess
        without = RUN.shortfall[:, i].mean(dtype=float) * per_month
        assert c.expected_unserved_t[0] == pytest.approx(without, rel=1e-5)
        floor = RUN.excess[:, i].mean(dtype=float) * per_month
        assert c.expected_unserved_t[-1] == pytest.approx(floor, rel=1e-5)


def test_the_cost_optimal_level_is_the_newsvendor_stock():
    # on the grid of every simulated value the curve's best level is the sample newsvendor
    i, item = 0, "cobalt"
    per_month = 100.0
    capped = RUN.capped[:, i].astype(float)
    levels = {item: np.unique(capped) * per_month}
    costs = {k: {item: v[item]} for k, v in COSTS.items()}  # annual demand 1,200 t
    (c,) = curves_from_simulation(RUN, [item], levels, **costs)
    c_o = 1000.0 * 5.0
    expected = newsvendor_sample(capped, 9.5 * 3000.0, c_o)[0] * per_month
    assert c.stock_t[c.cost_optimal_level] == pytest.approx(expected, rel=1e-6)
    p = greedy_portfolio([c], math.inf)
    assert p.table["stock_t"].iloc[0] == pytest.approx(expected, rel=1e-6)


def test_a_portfolio_from_the_simulation_greedy_against_milp():
    curves = curves_from_simulation(RUN, **COSTS)
    for share in (0.0, 0.05, 0.2, 0.5, 1.0):
        budget = share * sum(c.stock_t[-1] * c.price_eur_t for c in curves)
        g = greedy_portfolio(curves, budget)
        o = optimal_portfolio(curves, budget)
        gv, ov = g.totals["reduction_eur"], o.totals["reduction_eur"]
        assert ov - g.gap_bound_eur - 1e-6 * ov <= gv <= ov + 1e-6 * max(1.0, ov)


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", [greedy_portfolio, optimal_portfolio])
def test_negative_budgets_are_refused(method):
    with pytest.raises(UsageError) as err:
        method([A], -1.0)
    assert err.value.field == "budget"
    with pytest.raises(UsageError) as err:
        method([A], 10.0, holding_budget=-5.0)
    assert err.value.field == "holding_budget"
    with pytest.raises(UsageError) as err:
        method([A, A], 10.0)
    assert err.value.field == "curves"


@pytest.mark.parametrize(
    ("stock", "unserved", "field", "words"),
    [
        ([0, 10, 20], [5, 6, 4], "curves[W].expected_unserved_t", "must not increase"),
        ([0, 10, 20], [30, 10, 5], "curves[W].expected_unserved_t", "more than itself"),
        ([5, 10, 20], [5, 4, 3], "curves[W].stock_t", "start at 0"),
        ([0, 10, 10], [5, 4, 3], "curves[W].stock_t", "increase"),
        ([0, 10], [5, 4, 3], "curves[W].expected_unserved_t", "one per level"),
        ([0, 10], [5, -1], "curves[W].expected_unserved_t", "0 or more"),
    ],
)
def test_bad_curves_name_the_field(stock, unserved, field, words):
    with pytest.raises(DataError) as err:
        curve("W", stock, unserved, 100.0)
    assert err.value.field == field
    assert words in str(err.value)


def test_bad_costs_name_the_field():
    with pytest.raises(DataError) as err:
        curve("W", [0, 10], [5, 4], 100.0, price=0.0)
    assert err.value.field == "curves[W].price_eur_t"
    with pytest.raises(DataError) as err:
        curve("W", [0, 10], [5, 4], -1.0)
    assert err.value.field == "curves[W].shortage_cost_eur_t"


def test_curves_from_simulation_refuses_unknown_items_and_missing_values():
    with pytest.raises(UsageError) as err:
        curves_from_simulation(RUN, ["cobalt", "tin"], **COSTS)
    assert err.value.field == "items" and "'tin'" in str(err.value)
    with pytest.raises(UsageError) as err:
        curves_from_simulation(RUN, **{**COSTS, "price_eur_t": {"cobalt": 1.0}})
    assert err.value.field == "price_eur_t" and "gallium" in str(err.value)
    with pytest.raises(UsageError) as err:
        curves_from_simulation(RUN, ["cobalt"], {"gallium": [1.0]}, **COSTS)
    assert err.value.field == "levels"
    with pytest.raises(UsageError) as err:
        curves_from_simulation(RUN, ["cobalt"], {"cobalt": [-1.0]}, **COSTS)
    assert err.value.field == "levels[cobalt]"
