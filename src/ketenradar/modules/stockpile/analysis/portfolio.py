"""A portfolio of stocks under a budget: which items to stock, and how much.

Per item the input is a **curve**: a grid of candidate stock levels ``x_0 = 0 < x_1 < …``
(tonnes) with the expected unserved demand ``U(x_k)`` (tonnes) at each, the shortage cost
``c_u`` (EUR per tonne short), the price (EUR per tonne: what a tonne costs to build) and the
holding cost (EUR per tonne-year). :func:`curves_from_simulation` reads the curves of every
item off one simulation (:mod:`.simulate`; common random numbers): with ``C`` the servable
cumulative shortfall and ``E`` the excess above the release rate per path,
``U(x) = mean(E) + mean(max(0, C − x))`` (:func:`.sizing.expected_unserved`), whatever the stock
the simulation itself ran with.

**Objective.** The expected cost an item's stock saves against no stock, in euros over the
horizon: the newsvendor's cost (Arrow, Harris & Marschak 1951; as in :mod:`.sizing`)

    reduction(x) = c_u · (U(0) − U(x))  −  c_o · unused(x),
    unused(x)    = x − (U(0) − U(x))       (expected tonnes never released),
    c_o          = holding cost per tonne-year × horizon years  (a tonne not used waits the
                   whole horizon; at the end it is worth its price again).

Its maximum over x on the grid is the item's **cost-optimal** stock: the grid's newsvendor
stock ``F⁻¹(c_u / (c_u + c_o))``; no budget makes the portfolio stock past it (a tonne past it
saves less than it costs to hold).

**Convexity.** ``max(0, C − x)`` is convex in x for every path, and a mean of convex functions
is convex: ``U(x) = E[(C − x)⁺] + E[E]`` is convex and non-increasing (slope ``−P(C > x)``), so
``reduction`` is concave. Spending a budget (``Σ price_i · x_i ≤ B``; optionally a yearly
holding budget ``Σ holding_i · x_i ≤ H``) to maximise ``Σ reduction_i`` is then a concave
resource allocation, a multiple-choice knapsack on the grid:

* :func:`greedy_portfolio` — marginal analysis: every item's grid increments (on the upper
  concave hull of its curve, so also for curves that are not convex), best reduction per euro
  first, an increment bought when it fits, an item frozen at its first increment that does not
  fit. With one budget this is exact for the continuous relaxation up to the first increment
  that did not fit, so its gap to the integer optimum is at most that increment's value
  (``gap_bound_eur``; the classic bound for the greedy of the knapsack, Dantzig 1957; for the
  multiple-choice knapsack Sinha & Zoltners 1979). With two budgets the increments are ranked
  per euro of the LP relaxation's shadow prices and the bound is the LP relaxation's value
  minus the greedy's.
* :func:`optimal_portfolio` — the exact optimum on the grid with ``scipy.optimize.milp`` (one
  binary per item and level, one level per item), for moderate sizes: to check the greedy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from ketenradar.core.errors import DataError, UsageError
from ketenradar.modules.stockpile.analysis.simulate import SimulationResult
from ketenradar.modules.stockpile.analysis.sizing import expected_unserved

#: Relative tolerance of the budget check (float sums of build costs).
BUDGET_RTOL = 1e-9
#: Tolerance (tonnes, relative to the curve's scale) of the checks on a curve: non-increasing,
#: and a stock never saving more than itself.
CURVE_RTOL = 1e-6
#: The most binaries :func:`optimal_portfolio` accepts (items × levels).
MAX_MILP_VARIABLES = 20_000
#: The most levels per item.
MAX_LEVELS = 10_000
#: Default number of grid levels per item in :func:`curves_from_simulation`.
DEFAULT_LEVELS = 21

COLUMNS = (
    "item",
    "stock_t",
    "cost_optimal_stock_t",
    "build_cost_eur",
    "holding_cost_eur_per_year",
    "expected_unserved_t_without",
    "expected_unserved_t",
    "expected_shortage_cost_eur",
    "expected_holding_cost_eur",
    "reduction_eur",
)


@dataclass(frozen=True)
class ItemCurve:
    """One item's candidate stocks and their expected unserved demand, with its costs.

    ``stock_t``: the grid of stock levels (tonnes, increasing, starting at 0: no stock);
    ``expected_unserved_t``: expected unserved demand over the horizon at each level (tonnes,
    non-increasing); ``shortage_cost_eur_t``: ``c_u``, EUR per tonne short; ``price_eur_t``:
    EUR per tonne to build; ``holding_eur_t_year``: EUR per tonne-year to hold;
    ``horizon_years``: the horizon the unserved demand is counted over.
    """

    item: str
    stock_t: np.ndarray
    expected_unserved_t: np.ndarray
    shortage_cost_eur_t: float
    price_eur_t: float
    holding_eur_t_year: float
    horizon_years: float

    def __post_init__(self) -> None:
        where = f"curves[{self.item}]"
        x = np.asarray(self.stock_t, dtype=float)
        u = np.asarray(self.expected_unserved_t, dtype=float)
        object.__setattr__(self, "stock_t", x)
        object.__setattr__(self, "expected_unserved_t", u)
        if x.ndim != 1 or not 1 <= x.size <= MAX_LEVELS:
            raise DataError(
                f"{x.size} stock levels; allowed: 1 to {MAX_LEVELS:,} in one list",
                field=f"{where}.stock_t",
            )
        if u.shape != x.shape:
            raise DataError(
                f"{u.size} values for {x.size} stock levels; give one per level",
                field=f"{where}.expected_unserved_t",
            )
        if not np.all(np.isfinite(x)) or x[0] != 0.0 or np.any(np.diff(x) <= 0):
            raise DataError(
                "stock levels must be finite, start at 0 (no stock) and increase",
                field=f"{where}.stock_t",
            )
        if not np.all(np.isfinite(u)) or np.any(u < 0):
            raise DataError(
                "expected unserved demand must be finite and 0 or more",
                field=f"{where}.expected_unserved_t",
            )
        tol = CURVE_RTOL * max(1.0, float(u[0]), float(x[-1]))
        rise = np.flatnonzero(np.diff(u) > tol)
        if rise.size:
            k = int(rise[0])
            raise DataError(
                f"expected unserved demand rises from {u[k]:g} t at {x[k]:g} t to "
                f"{u[k + 1]:g} t at {x[k + 1]:g} t; it must not increase with the stock "
                "(the shortage cost curve must be non-increasing)",
                field=f"{where}.expected_unserved_t",
            )
        over = np.flatnonzero(u[0] - u > x + tol)
        if over.size:
            k = int(over[0])
            raise DataError(
                f"a stock of {x[k]:g} t would save {u[0] - u[k]:g} t of unserved demand, more "
                "than itself; the saving is at most the stock",
                field=f"{where}.expected_unserved_t",
            )
        for name, lo_open in (
            ("shortage_cost_eur_t", False),
            ("price_eur_t", True),
            ("holding_eur_t_year", False),
            ("horizon_years", True),
        ):
            v = float(getattr(self, name))
            ok = math.isfinite(v) and (v > 0 if lo_open else v >= 0)
            if not ok:
                allowed = "above 0" if lo_open else "0 or more"
                raise DataError(f"{name} is {v}; allowed: {allowed}", field=f"{where}.{name}")

    @property
    def overage_cost_eur_t(self) -> float:
        """``c_o``: the holding cost of a tonne that waits the whole horizon unused."""
        return self.holding_eur_t_year * self.horizon_years

    @property
    def unused_t(self) -> np.ndarray:
        """Expected tonnes never released at each level: ``x − (U(0) − U(x))`` (≥ 0)."""
        return np.maximum(
            self.stock_t - (self.expected_unserved_t[0] - self.expected_unserved_t), 0.0
        )

    @property
    def reduction_eur(self) -> np.ndarray:
        """The expected cost saved against no stock at each level (EUR over the horizon):
        ``c_u·(U(0) − U(x)) − c_o·unused(x)``."""
        saved = self.expected_unserved_t[0] - self.expected_unserved_t
        return self.shortage_cost_eur_t * saved - self.overage_cost_eur_t * self.unused_t

    @property
    def cost_optimal_level(self) -> int:
        """The grid level with the largest reduction (the smallest such stock; reductions
        within rounding of the largest, 1e-9 of the curve's scale, count as equal, so a
        reduction of 1e-14 EUR does not make a stock worth building)."""
        v = self.reduction_eur
        tol = 1e-9 * max(1.0, float(np.abs(v).max()))
        return int(np.flatnonzero(v >= v.max() - tol)[0])

    @property
    def convex(self) -> bool:
        """Whether the expected unserved demand is convex on the grid (its slopes do not fall;
        up to rounding)."""
        if self.stock_t.size < 3:
            return True
        slopes = np.diff(self.expected_unserved_t) / np.diff(self.stock_t)
        tol = CURVE_RTOL * max(1.0, float(np.abs(slopes).max()))
        return bool(np.all(np.diff(slopes) >= -tol))


@dataclass
class Portfolio:
    """A chosen stock per item and what it costs and saves.

    ``table``: one row per item (:data:`COLUMNS`); ``gap_bound_eur``: how much more the best
    choice on the grid can save at most (0 for the exact optimum): the continuous
    relaxation's reduction ``upper_bound_eur`` (no choice on the grid saves more) minus this
    choice's; ``blocked_increment_eur``: the greedy's classic bound, the value of the first
    increment that did not fit (0 when all fit; never below ``gap_bound_eur`` with one
    budget)."""

    method: str
    budget_eur: float
    holding_budget_eur_per_year: float | None
    table: pd.DataFrame
    gap_bound_eur: float
    upper_bound_eur: float
    blocked_increment_eur: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, float]:
        """The portfolio's sums, the budget and what is left of it."""
        t = self.table
        out = {
            c: float(t[c].sum())
            for c in (
                "stock_t",
                "build_cost_eur",
                "holding_cost_eur_per_year",
                "expected_unserved_t_without",
                "expected_unserved_t",
                "expected_shortage_cost_eur",
                "expected_holding_cost_eur",
                "reduction_eur",
            )
        }
        out["budget_eur"] = self.budget_eur
        out["budget_left_eur"] = self.budget_eur - out["build_cost_eur"]
        if self.holding_budget_eur_per_year is not None:
            out["holding_budget_eur_per_year"] = self.holding_budget_eur_per_year
        out["gap_bound_eur"] = self.gap_bound_eur
        out["upper_bound_eur"] = self.upper_bound_eur
        out["blocked_increment_eur"] = self.blocked_increment_eur
        return out

    def parameters(self) -> dict[str, Any]:
        """What a result's provenance records about the choice."""
        return {
            "method": f"portfolio under a budget, {self.method} (docs/methods/stockpile.md)",
            "budget_eur": self.budget_eur,
            "holding_budget_eur_per_year": self.holding_budget_eur_per_year,
            "gap_bound_eur": self.gap_bound_eur,
        }


# -- inputs ------------------------------------------------------------------------------------


def _budget(value: float | None, name: str) -> float:
    if value is None:
        return math.inf
    v = float(value)
    if math.isnan(v) or v < 0:
        raise UsageError(f"{name} is {value}; allowed: 0 or more (EUR)", field=name)
    return v


def _curves(curves: Sequence[ItemCurve]) -> list[ItemCurve]:
    out = list(curves)
    if not out:
        raise UsageError("no items: give at least one curve", field="curves")
    names = [c.item for c in out]
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise UsageError(f"item {n!r} is given twice; one curve per item", field="curves")
        seen.add(n)
    return out


def _fits(cost: float, left: float, budget: float) -> bool:
    return cost <= left + BUDGET_RTOL * max(1.0, budget) if math.isfinite(budget) else True


def _table(curves: Sequence[ItemCurve], levels: Sequence[int]) -> pd.DataFrame:
    rows = []
    for c, k in zip(curves, levels, strict=True):
        x = float(c.stock_t[k])
        rows.append(
            {
                "item": c.item,
                "stock_t": x,
                "cost_optimal_stock_t": float(c.stock_t[c.cost_optimal_level]),
                "build_cost_eur": x * c.price_eur_t,
                "holding_cost_eur_per_year": x * c.holding_eur_t_year,
                "expected_unserved_t_without": float(c.expected_unserved_t[0]),
                "expected_unserved_t": float(c.expected_unserved_t[k]),
                "expected_shortage_cost_eur": c.shortage_cost_eur_t
                * float(c.expected_unserved_t[k]),
                "expected_holding_cost_eur": c.overage_cost_eur_t * float(c.unused_t[k]),
                "reduction_eur": float(c.reduction_eur[k]),
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _hull(c: ItemCurve) -> list[int]:
    """The levels on the upper concave hull of (stock, reduction), from 0 up to the
    cost-optimal level (the increments past it would lose money)."""
    x, v = c.stock_t, c.reduction_eur
    hull: list[int] = []
    for k in range(x.size):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            # b lies below the segment a → k: drop it; a level on it (up to rounding) is kept,
            # a place to stop when the budget ends there
            on, line = (v[b] - v[a]) * (x[k] - x[a]), (v[k] - v[a]) * (x[b] - x[a])
            if on < line - 1e-9 * max(abs(on), abs(line), 1e-12):
                hull.pop()
            else:
                break
        hull.append(k)
    return [k for k in hull if k <= c.cost_optimal_level]


# -- the greedy --------------------------------------------------------------------------------


def greedy_portfolio(
    curves: Sequence[ItemCurve],
    budget: float,
    *,
    holding_budget: float | None = None,
) -> Portfolio:
    """The marginal-analysis greedy: buy the grid increments (on each item's upper concave
    hull) with the largest expected cost reduction per euro first, while they fit in
    ``budget`` (EUR to build; ``math.inf``: no limit) and ``holding_budget`` (EUR a year to
    hold; None: no limit); an item stops at its first increment that does not fit.
    ``gap_bound_eur`` bounds how much more the best choice on the grid saves: the continuous
    (LP) relaxation's value minus the greedy's; with one budget it is at most the value of the
    first increment that did not fit (``blocked_increment_eur``, the classic bound)."""
    items = _curves(curves)
    build = _budget(budget, "budget")
    hold = _budget(holding_budget, "holding_budget")
    # the increments: item, level reached, value, build cost, holding cost
    inc_item, inc_to, inc_v, inc_cost = [], [], [], []
    notes = []
    for i, c in enumerate(items):
        if not c.convex:
            notes.append(
                f"{c.item}: expected unserved demand is not convex on the grid; the greedy uses "
                "the levels on the curve's concave hull"
            )
        h = _hull(c)
        for a, b in pairwise(h):
            dx = float(c.stock_t[b] - c.stock_t[a])
            inc_item.append(i)
            inc_to.append(b)
            inc_v.append(float(c.reduction_eur[b] - c.reduction_eur[a]))
            inc_cost.append((dx * c.price_eur_t, dx * c.holding_eur_t_year))
    value = np.asarray(inc_v, dtype=float)
    cost = np.asarray(inc_cost, dtype=float).reshape(-1, 2)
    limits = np.array([build, hold])
    finite = np.isfinite(limits)
    n_finite = int(finite.sum())
    lp_value: float | None = None
    if n_finite == 0 or value.size == 0:
        weight = np.zeros(value.size)
    elif n_finite == 1:
        weight = cost[:, int(np.flatnonzero(finite)[0])]
    else:
        lp_value, prices = _lp_relaxation(value, cost, limits)
        weight = cost @ prices
        if not np.any(prices > 0):
            weight = cost[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(weight > 0, value / np.where(weight > 0, weight, 1.0), np.inf)
    # per item the hull's order must be kept: on a concave hull the ratios do not rise, but a
    # straight stretch can rise by a rounding error, so each is capped by the one before it
    # (the stable sort then keeps equal ratios in the hull's order)
    previous: dict[int, int] = {}
    for j, i in enumerate(inc_item):
        if i in previous and ratio[j] > ratio[previous[i]]:
            ratio[j] = ratio[previous[i]]
        previous[i] = j
    order = np.argsort(-ratio, kind="stable")
    level = [0] * len(items)
    frozen = [False] * len(items)
    left = limits.copy()
    taken = 0.0
    blocked_value: float | None = None
    relaxed = math.nan
    for j in order:
        i = inc_item[j]
        if frozen[i]:
            continue
        if all(_fits(cost[j, r], left[r], limits[r]) for r in range(2)):
            level[i] = inc_to[j]
            left -= np.where(finite, cost[j], 0.0)
            taken += value[j]
            continue
        frozen[i] = True
        if blocked_value is None:
            blocked_value = float(value[j])
            if n_finite == 1:  # the continuous relaxation takes the fitting share of it
                r = int(np.flatnonzero(finite)[0])
                share = max(0.0, left[r]) / cost[j, r] if cost[j, r] > 0 else 1.0
                relaxed = taken + min(1.0, share) * value[j]
    table = _table(items, level)
    greedy_value = float(table["reduction_eur"].sum())
    if blocked_value is None:  # everything fit: every item at its cost-optimal level
        upper = greedy_value
    elif n_finite == 1:  # ≤ greedy + the blocked increment's value (the classic bound)
        upper = max(relaxed, greedy_value)
    else:
        assert lp_value is not None
        upper = max(lp_value, greedy_value)
    return Portfolio(
        method="greedy",
        budget_eur=build,
        holding_budget_eur_per_year=None if holding_budget is None else hold,
        table=table,
        gap_bound_eur=float(upper - greedy_value),
        upper_bound_eur=float(upper),
        blocked_increment_eur=float(blocked_value or 0.0),
        notes=notes,
    )


def _lp_relaxation(
    value: np.ndarray, cost: np.ndarray, limits: np.ndarray
) -> tuple[float, np.ndarray]:
    """The continuous relaxation over the hull increments (each taken for a share 0–1) with
    both budgets: its value and the budgets' shadow prices (EUR saved per EUR of budget)."""
    scale = np.where(limits > 0, limits, 1.0)
    res = linprog(
        -value,
        A_ub=(cost / scale).T,
        b_ub=np.where(limits > 0, 1.0, 0.0),
        bounds=(0.0, 1.0),
        method="highs",
    )
    if res.status != 0:  # pragma: no cover - a feasible, bounded LP (y = 0 fits)
        raise UsageError(f"the portfolio's relaxation did not solve: {res.message}")
    prices = np.maximum(-np.asarray(res.ineqlin.marginals, dtype=float), 0.0) / scale
    return float(-res.fun), prices


# -- the exact optimum -------------------------------------------------------------------------


def optimal_portfolio(
    curves: Sequence[ItemCurve],
    budget: float,
    *,
    holding_budget: float | None = None,
    time_limit: float = 60.0,
) -> Portfolio:
    """The exact optimum on the grid (``scipy.optimize.milp``, HiGHS): one binary per item and
    level, exactly one level per item, the build cost within ``budget`` and the yearly holding
    cost within ``holding_budget`` (None: no limit), the largest total expected cost
    reduction. At most :data:`MAX_MILP_VARIABLES` binaries."""
    items = _curves(curves)
    build = _budget(budget, "budget")
    hold = _budget(holding_budget, "holding_budget")
    sizes = [c.stock_t.size for c in items]
    n = int(sum(sizes))
    if n > MAX_MILP_VARIABLES:
        raise UsageError(
            f"{n:,} item levels; the exact optimum takes at most {MAX_MILP_VARIABLES:,} "
            "(use greedy_portfolio, or a coarser grid)",
            field="curves",
        )
    v = np.concatenate([c.reduction_eur for c in items])
    x = np.concatenate([c.stock_t for c in items])
    price = np.concatenate([np.full(s, c.price_eur_t) for c, s in zip(items, sizes, strict=True)])
    holding = np.concatenate(
        [np.full(s, c.holding_eur_t_year) for c, s in zip(items, sizes, strict=True)]
    )
    start = np.concatenate(([0], np.cumsum(sizes)))
    one = np.zeros((len(items), n))
    for i in range(len(items)):
        one[i, start[i] : start[i + 1]] = 1.0
    rows = [LinearConstraint(one, 1.0, 1.0)]
    limits = [(build, x * price), (hold, x * holding)]
    scale_v = max(1.0, float(np.abs(v).max()))
    shrink = 0.0
    for _ in range(4):
        cons = list(rows)
        for lim, use in limits:
            if math.isfinite(lim):
                # in units of the budget; a budget of 0 allows only levels that cost nothing
                s = lim if lim > 0 else 1.0
                cons.append(LinearConstraint(use / s, -np.inf, (lim / s) * (1.0 - shrink)))
        res = milp(
            -v / scale_v,
            constraints=cons,
            integrality=np.ones(n),
            bounds=Bounds(0.0, 1.0),
            options={"time_limit": float(time_limit), "mip_rel_gap": 0.0},
        )
        if res.x is None:  # pragma: no cover - no stock at all always fits
            raise UsageError(f"the exact portfolio did not solve: {res.message}")
        level = [int(np.argmax(res.x[start[i] : start[i + 1]])) for i in range(len(items))]
        # of levels saving the same, the smallest stock (it costs less): ties are the solver's
        level = [_smallest_as_good(c, k) for c, k in zip(items, level, strict=True)]
        table = _table(items, level)
        ok = all(
            not math.isfinite(lim)
            or float(use[start[:-1] + np.asarray(level)].sum()) <= lim + BUDGET_RTOL * max(1.0, lim)
            for lim, use in limits
        )
        if ok:
            break
        shrink = 1e-7 if shrink == 0 else shrink * 10  # the solver's tolerance let it over
    notes = []
    gap = 0.0
    if res.status != 0:
        notes.append(f"the solver stopped early ({res.message}); the choice may not be optimal")
        gap = float(abs(res.mip_gap or 0.0)) * float(abs(table["reduction_eur"].sum()))
    value = float(table["reduction_eur"].sum())
    return Portfolio(
        method="milp",
        budget_eur=build,
        holding_budget_eur_per_year=None if holding_budget is None else hold,
        table=table,
        gap_bound_eur=gap,
        upper_bound_eur=value + gap,
        notes=notes,
    )


def _smallest_as_good(c: ItemCurve, k: int) -> int:
    v = c.reduction_eur
    tol = 1e-12 * max(1.0, float(np.abs(v).max()))
    return int(np.flatnonzero(v[: k + 1] >= v[k] - tol)[0])


# -- curves from a simulation ------------------------------------------------------------------


def _per_item(value: Any, items: Sequence[str], name: str) -> np.ndarray:
    """One value per item, from one number, a sequence aligned with ``items`` or a mapping."""
    if isinstance(value, Mapping):
        missing = [i for i in items if i not in value]
        if missing:
            raise UsageError(f"no {name} for {', '.join(missing)}", field=name)
        out = np.array([float(value[i]) for i in items])
    else:
        arr = np.asarray(value, dtype=float)
        if arr.ndim == 0:
            out = np.full(len(items), float(arr))
        elif arr.shape == (len(items),):
            out = arr.astype(float)
        else:
            raise UsageError(
                f"{name} has {arr.size} values for {len(items)} items; give one number, one "
                "per item or a mapping item → value",
                field=name,
            )
    if np.any(~np.isfinite(out)) or np.any(out < 0):
        raise UsageError(f"{name} must be finite and 0 or more", field=name)
    return out


def curves_from_simulation(
    result: SimulationResult,
    items: Iterable[str] | None = None,
    levels: Mapping[str, Sequence[float]] | None = None,
    *,
    annual_demand_t: Mapping[str, float] | Sequence[float] | float,
    price_eur_t: Mapping[str, float] | Sequence[float] | float,
    shortage_cost_eur_t: Mapping[str, float] | Sequence[float] | float,
    holding_eur_t_year: Mapping[str, float] | Sequence[float] | float,
    n_levels: int = DEFAULT_LEVELS,
) -> list[ItemCurve]:
    """Every item's curve from one simulation (the same paths for every level: common random
    numbers): ``U(x) = mean(E) + mean(max(0, C − x))`` in tonnes (months × annual demand / 12)
    at the stock levels ``levels[item]`` (tonnes; 0 is added when missing), by default
    ``n_levels`` levels from 0 to the largest servable shortfall of any path (a larger stock is
    never used). ``items``: a subset of the simulation's (default all); the per-item values
    are one number, one per item of ``items`` or a mapping item → value. The horizon is the
    simulation's."""
    known = list(result.model.items)
    names = list(known if items is None else items)
    if not names:
        raise UsageError("no items chosen", field="items")
    unknown = [i for i in names if i not in known]
    if unknown:
        raise UsageError(
            f"unknown item(s) {', '.join(map(repr, unknown))}; the simulation has "
            f"{', '.join(known)}",
            field="items",
        )
    if levels is not None:
        extra = [i for i in levels if i not in names]
        if extra:
            raise UsageError(
                f"levels for item(s) not chosen: {', '.join(map(repr, extra))}", field="levels"
            )
    if not 2 <= n_levels <= MAX_LEVELS:
        raise UsageError(f"n_levels is {n_levels}; allowed: 2 to {MAX_LEVELS:,}", field="n_levels")
    demand = _per_item(annual_demand_t, names, "annual_demand_t")
    price = _per_item(price_eur_t, names, "price_eur_t")
    c_u = _per_item(shortage_cost_eur_t, names, "shortage_cost_eur_t")
    holding = _per_item(holding_eur_t_year, names, "holding_eur_t_year")
    horizon = result.months / 12.0
    out = []
    for j, name in enumerate(names):
        i = known.index(name)
        per_month = demand[j] / 12.0
        capped = np.asarray(result.capped[:, i], dtype=np.float64)
        excess = np.asarray(result.excess[:, i], dtype=np.float64)
        if levels is not None and name in levels:
            grid = np.asarray(levels[name], dtype=float)
            if grid.ndim != 1 or np.any(~np.isfinite(grid)) or np.any(grid < 0):
                raise UsageError(
                    f"levels of {name} must be stocks in tonnes, 0 or more", field=f"levels[{name}]"
                )
            grid = np.unique(np.concatenate(([0.0], grid)))
        else:
            top = float(capped.max()) * per_month
            grid = np.linspace(0.0, top, n_levels) if top > 0 else np.zeros(1)
        months = grid / per_month if per_month > 0 else np.zeros_like(grid)
        # paths × levels at a time, in blocks of at most ~32 MB
        block = max(1, 4_000_000 // max(1, capped.size))
        unserved = (
            np.concatenate(
                [
                    expected_unserved(months[k : k + block], capped, excess)
                    for k in range(0, months.size, block)
                ]
            )
            * per_month
        )
        # U is convex and non-increasing in exact arithmetic; float rounding of the means can
        # break that by a few ulps, which the curve's checks must not take for data errors
        unserved = np.minimum.accumulate(unserved)
        out.append(
            ItemCurve(
                item=name,
                stock_t=grid,
                expected_unserved_t=unserved,
                shortage_cost_eur_t=float(c_u[j]),
                price_eur_t=float(price[j]),
                holding_eur_t_year=float(holding[j]),
                horizon_years=horizon,
            )
        )
    return out
