"""``ketenradar stockpile simulate``, ``portfolio`` and ``pool``: one simulation with its fan
chart and service-level curve, a portfolio of stocks under a budget, and what a joint stock of
several countries saves.

All three start from :func:`ketenradar.modules.stockpile.plan.prepare` (the items' data, their
exposures and the compiled scenario; default: each item's top supplier halts) and run the
method core (:mod:`.analysis`): :mod:`.analysis.simulate`, :mod:`.analysis.sizing`,
:mod:`.analysis.portfolio`, :mod:`.analysis.pooling`. Stocks are on top of the commercial stock
firms hold (input ``commercial_stock_days``), as in the plan; the pool's national and joint
stocks are gross (before commercial stocks). No item is dropped: an item without demand,
suppliers, price or shortage cost keeps its row and ``note`` says why.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.core.countries import is_iso3
from ketenradar.core.errors import KetenradarError, NotFoundError, UsageError
from ketenradar.core.groups import GroupRegistry, user_groups_file
from ketenradar.core.progress import Progress
from ketenradar.core.provenance import new_provenance
from ketenradar.core.results import Result
from ketenradar.datasets import open_store
from ketenradar.modules.stockpile import candidates as cand
from ketenradar.modules.stockpile import commands_facts as cf
from ketenradar.modules.stockpile import plan as pl
from ketenradar.modules.stockpile.analysis import pooling, sizing
from ketenradar.modules.stockpile.analysis import portfolio as pf
from ketenradar.modules.stockpile.analysis import scenario as scn
from ketenradar.modules.stockpile.analysis.simulate import simulate as run_simulation

#: The service levels of the service curve (the one asked is added).
SERVICE_LEVELS: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95, 0.975, 0.99)
#: The correlations of the pool's stylised curve.
CORRELATIONS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)

ScenarioArg = scn.Scenario | Mapping[str, Any] | str | Path | None
Inputs = Mapping[str, cand.ItemInputs | Mapping[str, Any]] | None

SIMULATE_METHODS = [
    "One run of the plan's simulation with the stocks (commercial + strategic: the plan's "
    "stock for the service level, or the days given) released by the scenario's rule (default: "
    "whenever short, at an unlimited rate); the same seed "
    "and paths size the stock (a first run without stock) and give the fan chart",
    "Fan chart: per month and item the percentiles of the shortfall without any stock and of "
    "the unserved demand with the stocks (histograms of 1/1,000 of monthly demand over the "
    "first 10,000 paths), and their means over all paths; tonnes = share of monthly demand "
    "× annual demand / 12",
    "Service curve: the plan's strategic stock at each service level, from the same paths",
]
PORTFOLIO_METHODS = [
    "Per item the expected unserved demand U(x) over the horizon for strategic stocks x on a "
    "grid from 0 to the largest servable shortfall (on top of the commercial stock), from one "
    "simulation (common random numbers); expected cost saved = shortage cost × (U(0) − U(x)) "
    "− holding cost × horizon × unused tonnes (newsvendor; Arrow, Harris & Marschak 1951)",
    "Greedy marginal analysis within the budget (best saving per euro first; Dantzig 1957, "
    "Sinha & Zoltners 1979) with its gap bound, checked against the exact optimum on the "
    "same grid (MILP, scipy.optimize.milp / HiGHS)",
]
POOL_METHODS = [
    "Per item one simulation whose 'items' are the members: each member's exposure to each "
    "supplier from its own imports (candidate data with the member as importer), so members "
    "that buy from the same supplier are hit by the same disruption (correlation implied by "
    "the data)",
    "National stock of a member = the service-level quantile of its cumulative shortfall "
    "over the horizon (tonnes, before commercial stocks); joint stock = the same quantile of "
    "the members' summed shortfall; gain = national total − joint (Eppen 1979)",
    "Correlation curve (stylised): each member loses its share in its own largest "
    "disruption, under the law (probability, duration, ramp-up) of the item's largest one; "
    "one shared disruption with probability ρ per path and independent ones otherwise "
    "(analysis.pooling.pooling_curve), same seed for every ρ",
]


# -- shared steps ------------------------------------------------------------------------------


def _prepare(
    items: Iterable[str] | None,
    importer: str,
    year: int | None,
    *,
    scenario: ScenarioArg,
    data_dir: Path | str | None,
    inputs: Inputs,
    bom: str | Path | None,
    units_per_year: float | None,
    progress: Progress | None,
    command: str | None,
) -> pl.PlanSetup:
    """:func:`plan.prepare`, with ``bom`` and ``units_per_year`` passed on when given."""
    extra: dict[str, Any] = {}
    if bom is not None:
        extra["bom"] = bom
    if units_per_year is not None:
        extra["units_per_year"] = units_per_year
    accepted = inspect.signature(pl.prepare).parameters
    for key in extra:
        if key not in accepted:
            raise UsageError(f"{key} is not supported by this version of the planner", field=key)
    return pl.prepare(
        list(items or []),
        importer,
        year,
        scenario=scenario,
        data_dir=data_dir,
        inputs=inputs,
        progress=progress,
        command=command,
        **extra,
    )


@dataclass(frozen=True)
class _Numbers:
    """Per item, in the table's order: demand, price, holding cost and commercial stock."""

    demand: np.ndarray  #: tonnes a year
    price: np.ndarray  #: EUR per tonne (NaN: none)
    priced: np.ndarray  #: price > 0
    holding: np.ndarray  #: EUR per tonne-year (NaN without price)
    commercial: np.ndarray  #: months of demand


def _numbers(table: pd.DataFrame) -> _Numbers:
    """The per-item numbers as the plan computes them (docs/methods/stockpile.md)."""
    demand = pd.to_numeric(table["annual_demand_t"], errors="coerce").to_numpy(float)
    price = pd.to_numeric(table["price_eur_per_t"], errors="coerce").to_numpy(float)
    storage = pd.to_numeric(table["storage_cost_eur_per_t_year"], errors="coerce").to_numpy(float)
    days = pd.to_numeric(table["commercial_stock_days"], errors="coerce").fillna(0.0)
    priced = price > 0
    holding = np.full(len(table), np.nan)
    holding[priced] = sizing.holding_cost_per_tonne_year(
        price[priced], storage_eur_t_year=np.nan_to_num(storage[priced])
    )
    commercial = days.to_numpy(float) * 12.0 / sizing.DAYS_PER_YEAR
    return _Numbers(demand, price, priced, holding, commercial)


def _why(setup: pl.PlanSetup, item: str) -> str | None:
    if item in setup.why:
        return setup.why[item]
    if setup.model is None:
        return "no scenario to simulate"
    return None


def _provenance(
    setup_data: Result,
    *,
    analysis: str,
    methods: list[str],
    parameters: dict[str, Any],
    command: str | None,
    notes: list[str],
) -> Any:
    base = setup_data.provenance
    return new_provenance(
        analysis=analysis,
        methods=[*base.methods, *pl.METHODS, *methods],
        datasets=[dict(d) for d in base.datasets],
        parameters={**dict(base.parameters), **parameters},
        command=command,
        notes=[*base.notes, *notes],
    )


def _run_parameters(
    setup: pl.PlanSetup, paths: int, months: int, seed: int, **more: Any
) -> dict[str, Any]:
    return {
        "scenario": setup.scenario.model_dump(mode="json") if setup.scenario else None,
        "scenario_default": setup.scenario_default,
        "paths": paths,
        "months": months,
        "seed": seed,
        **{k: (str(v) if isinstance(v, Path) else v) for k, v in more.items()},
    }


# -- simulate ----------------------------------------------------------------------------------


def _stock_days(value: float | Mapping[str, float] | None, items: list[str]) -> np.ndarray | None:
    """Per item the strategic stock in days (None: the plan's stock for the service level)."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(items))
        if unknown:
            raise UsageError(
                f"stock days for unknown item(s) {', '.join(unknown)} (the items are: "
                f"{', '.join(items)})",
                field="stock_days",
            )
        days = np.array([float(value.get(i, 0.0)) for i in items])
    else:
        days = np.full(len(items), float(value))
    bad = ~np.isfinite(days) | (days < 0)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise UsageError(
            f"stock days of {items[k]} is {days[k]:g}; allowed: 0 or more days of demand",
            field="stock_days",
        )
    return days


def simulate(
    items: Iterable[str] | None,
    importer: str = "NLD",
    year: int | None = None,
    *,
    scenario: ScenarioArg = None,
    service_level: float = pl.DEFAULT_SERVICE_LEVEL,
    paths: int = pl.DEFAULT_PATHS,
    months: int = pl.DEFAULT_MONTHS,
    seed: int = pl.DEFAULT_SEED,
    stock_days: float | Mapping[str, float] | None = None,
    bom: str | Path | None = None,
    units_per_year: float | None = None,
    data_dir: Path | str | None = None,
    inputs: Inputs = None,
    progress: Progress | None = None,
    command: str | None = None,
) -> Result:
    """One simulation of the items under ``scenario`` with and without the stocks: tables
    ``summary`` (one row per item), ``fan`` (per item, month and percentile, tonnes) and
    ``service_curve`` (the strategic stock per service level). The strategic stock is the
    plan's for ``service_level``, or ``stock_days`` (one number or per item, days of demand
    on top of the commercial stock)."""
    pl._check(service_level, paths, months)
    setup = _prepare(
        items,
        importer,
        year,
        scenario=scenario,
        data_dir=data_dir,
        inputs=inputs,
        bom=bom,
        units_per_year=units_per_year,
        progress=progress,
        command=command,
    )
    names, nums = setup.names, _numbers(setup.table)
    n = len(names)
    days_given = _stock_days(stock_days, names)
    ok = np.array([bool(setup.exposure[i]) for i in names], dtype=bool)
    cols = {
        c: np.full(n, np.nan)
        for c in cf.SUMMARY_COLUMN_NAMES
        if c not in ("item", "name", "annual_demand_t", "note")
    }
    fan = pd.DataFrame(columns=cf.FAN_COLUMN_NAMES)
    curve = pd.DataFrame(columns=cf.SERVICE_CURVE_COLUMN_NAMES)
    sim_params: dict[str, Any] | None = None
    sim_notes: list[str] = []
    if setup.model is not None:
        rule = pl.release_rule(setup.scenario)
        if days_given is None:
            first = run_simulation(
                setup.model,
                paths=paths,
                months=months,
                seed=seed,
                fan_paths=0,
                progress=progress,
                **rule,
            )
            capped = np.asarray(first.capped, dtype=float)
            needed = sizing.stock_for_service_level(capped, service_level)
            strategic = np.maximum(needed - nums.commercial, 0.0)
        else:
            strategic = days_given * 12.0 / sizing.DAYS_PER_YEAR
        total = nums.commercial + strategic
        sim = run_simulation(
            setup.model,
            paths=paths,
            months=months,
            seed=seed,
            stock=total,
            progress=progress,
            **rule,
        )
        capped = np.asarray(sim.capped, dtype=float)  # the same paths: the same shortfall
        excess = np.asarray(sim.excess, dtype=float)  # above the release rule: never served
        sim_params, sim_notes = sim.parameters(), list(sim.notes)
        summ = sim.summary(nums.demand)
        stock_t = sizing.tonnes(strategic, nums.demand)
        put = {
            "commercial_stock_t": sizing.tonnes(nums.commercial, nums.demand),
            "stock_t": stock_t,
            "days_of_cover": sizing.days_of_cover(stock_t, nums.demand),
            "service_level_achieved": sizing.service_level_of(total, capped),
            **{
                c: summ[c].to_numpy(float)
                for c in (
                    "expected_unserved_t_without",
                    "expected_unserved_t_with",
                    "p_shortfall",
                    "p_unserved_with",
                    "p_stock_emptied",
                    "median_days_to_empty",
                )
            },
        }
        for c, v in put.items():
            cols[c][ok] = np.asarray(v, dtype=float)[ok]
        fan = _fan_tonnes(sim.fan(), names, nums.demand, ok)
        curve = _service_curve(names, capped, excess, nums, ok, service_level)
    rows = []
    for k, item in enumerate(names):
        r = setup.table.iloc[k]
        why = _why(setup, item)
        rows.append(
            {
                "item": item,
                "name": r["name"],
                "annual_demand_t": r["annual_demand_t"],
                **{c: float(v[k]) for c, v in cols.items()},
                "note": why,
            }
        )
    summary = pd.DataFrame(rows, columns=cf.SUMMARY_COLUMN_NAMES)
    notes = list(sim_notes)
    if setup.model is None:
        notes.append("no item has a supplier to halt: nothing simulated")
    prov = _provenance(
        setup.data,
        analysis="stockpile_simulate",
        methods=SIMULATE_METHODS,
        parameters={
            **_run_parameters(setup, paths, months, seed, bom=bom, units_per_year=units_per_year),
            "service_level": float(service_level),
            "stock_days": dict(stock_days) if isinstance(stock_days, Mapping) else stock_days,
            "stock": "stock_days" if days_given is not None else "plan's stock for service_level",
            "service_levels": _levels(service_level),
            "simulation": sim_params,
        },
        command=command,
        notes=notes,
    )
    return Result(
        {"summary": summary, "fan": fan, "service_curve": curve},
        prov,
        {
            "summary": cf.SUMMARY_COLUMNS,
            "fan": cf.FAN_COLUMNS,
            "service_curve": cf.SERVICE_CURVE_COLUMNS,
        },
    )


def _levels(service_level: float) -> list[float]:
    return sorted({*SERVICE_LEVELS, float(service_level)})


def _fan_tonnes(
    fan: pd.DataFrame, names: list[str], demand: np.ndarray, ok: np.ndarray
) -> pd.DataFrame:
    """The fan chart of the exposed items in tonnes per month."""
    per_month = dict(zip(names, demand / 12.0, strict=True))
    keep = {i for i, o in zip(names, ok, strict=True) if o}
    df = fan[fan["item"].isin(keep)].copy()
    scale = df["item"].map(per_month).astype(float)
    out = pd.DataFrame(
        {
            "item": df["item"],
            "month": df["month"].astype(int),
            "percentile": df["percentile"].astype(float),
            "shortfall_t": df["shortfall"].astype(float) * scale,
            "unserved_with_stock_t": df["unserved_with_stock"].astype(float) * scale,
            "mean_shortfall_t": df["mean_shortfall"].astype(float) * scale,
            "mean_unserved_with_stock_t": df["mean_unserved_with_stock"].astype(float) * scale,
        }
    )
    order = {i: k for k, i in enumerate(names)}
    out = out.assign(_o=out["item"].map(order)).sort_values(["_o", "month", "percentile"])
    return out.drop(columns="_o").reset_index(drop=True)[cf.FAN_COLUMN_NAMES]


def _service_curve(
    names: list[str],
    capped: np.ndarray,
    excess: np.ndarray,
    nums: _Numbers,
    ok: np.ndarray,
    service_level: float,
) -> pd.DataFrame:
    """Per exposed item and service level the plan's strategic stock."""
    rows = []
    levels = _levels(service_level)
    per_level = {}
    for level in levels:
        needed = sizing.stock_for_service_level(capped, level)
        strategic = np.maximum(needed - nums.commercial, 0.0)
        unserved = sizing.expected_unserved(nums.commercial + strategic, capped, excess)
        per_level[level] = (strategic, unserved)
    for k, item in enumerate(names):
        if not ok[k]:
            continue
        for level in levels:
            strategic, unserved = per_level[level]
            stock_t = float(sizing.tonnes(strategic[k], nums.demand[k]))
            rows.append(
                {
                    "item": item,
                    "service_level": level,
                    "stock_t": stock_t,
                    "days_of_cover": float(sizing.days_of_cover(stock_t, nums.demand[k])),
                    "build_cost_eur": stock_t * nums.price[k] if nums.priced[k] else np.nan,
                    "expected_unserved_t_with": float(sizing.tonnes(unserved[k], nums.demand[k])),
                }
            )
    return pd.DataFrame(rows, columns=cf.SERVICE_CURVE_COLUMN_NAMES)


# -- portfolio ---------------------------------------------------------------------------------


def _budget(value: float | None) -> float:
    try:
        v = float(value) if value is not None else math.nan
    except (TypeError, ValueError):
        v = math.nan
    if not (math.isfinite(v) and v > 0):
        raise UsageError(
            f"the budget is {value}; give --budget EUR (budget_eur), a number of euros above 0",
            field="budget_eur",
        )
    return v


def portfolio(
    items: Iterable[str] | None,
    importer: str = "NLD",
    year: int | None = None,
    *,
    budget_eur: float,
    shortage_cost_eur_per_t: float | Mapping[str, float] | None,
    scenario: ScenarioArg = None,
    paths: int = pl.DEFAULT_PATHS,
    months: int = pl.DEFAULT_MONTHS,
    seed: int = pl.DEFAULT_SEED,
    n_levels: int = pf.DEFAULT_LEVELS,
    bom: str | Path | None = None,
    units_per_year: float | None = None,
    data_dir: Path | str | None = None,
    inputs: Inputs = None,
    progress: Progress | None = None,
    command: str | None = None,
) -> Result:
    """The stocks a budget (euros to build) buys across the items: tables ``portfolio`` (one
    row per item: the greedy choice, the exact optimum's stock, expected unserved demand and
    shortage cost before and after) and ``totals`` (one row, with the greedy's gap to the
    exact optimum). ``shortage_cost_eur_per_t``: one value or per item (required)."""
    budget = _budget(budget_eur)
    if shortage_cost_eur_per_t is None:
        raise UsageError(
            "a portfolio needs the shortage cost: give --shortage-cost EUR per tonne short "
            "(shortage_cost_eur_per_t, one value or per item)",
            field="shortage_cost_eur_per_t",
        )
    pl._check(pl.DEFAULT_SERVICE_LEVEL, paths, months)
    setup = _prepare(
        items,
        importer,
        year,
        scenario=scenario,
        data_dir=data_dir,
        inputs=inputs,
        bom=bom,
        units_per_year=units_per_year,
        progress=progress,
        command=command,
    )
    names, nums = setup.names, _numbers(setup.table)
    costs = pl._shortage_costs(shortage_cost_eur_per_t, names)
    index = {i: k for k, i in enumerate(names)}
    reasons: dict[str, str] = {}
    for k, item in enumerate(names):
        why = _why(setup, item)
        if why is None and not setup.exposure[item]:
            why = "no supplier to halt"
        if why is None and not nums.priced[k]:
            why = "no price: not in the portfolio (give price_usd_per_t)"
        if why is None and item not in costs:
            why = "no shortage cost given for it: not in the portfolio"
        if why is not None:
            reasons[item] = why
    chosen = [i for i in names if i not in reasons]
    greedy = best = None
    sim_params: dict[str, Any] | None = None
    notes: list[str] = []
    if setup.model is not None and chosen:
        sim = run_simulation(
            setup.model,
            paths=paths,
            months=months,
            seed=seed,
            fan_paths=0,
            progress=progress,
            **pl.release_rule(setup.scenario),
        )
        sim_params = sim.parameters()
        # the strategic stock x comes on top of the commercial stock c: it serves
        # min(x, max(C − c, 0)) of the servable shortfall C
        net = np.maximum(np.asarray(sim.capped, dtype=float) - nums.commercial[None, :], 0.0)
        shifted = dataclasses.replace(sim, capped=net)
        pick = [index[i] for i in chosen]
        curves = pf.curves_from_simulation(
            shifted,
            chosen,
            annual_demand_t=nums.demand[pick],
            price_eur_t=nums.price[pick],
            shortage_cost_eur_t=[costs[i] for i in chosen],
            holding_eur_t_year=nums.holding[pick],
            n_levels=n_levels,
        )
        if progress is not None:
            progress("stockpile: the portfolio", 0, None)
        greedy = pf.greedy_portfolio(curves, budget)
        best = pf.optimal_portfolio(curves, budget)
        notes += greedy.notes + best.notes
    g = greedy.table.set_index("item") if greedy is not None else None
    o = best.table.set_index("item") if best is not None else None
    rows = []
    for k, item in enumerate(names):
        r = setup.table.iloc[k]
        row: dict[str, Any] = {
            "item": item,
            "name": r["name"],
            "annual_demand_t": r["annual_demand_t"],
            "price_eur_per_t": nums.price[k] if nums.priced[k] else np.nan,
            "shortage_cost_eur_per_t": costs.get(item, np.nan),
            "holding_cost_eur_per_t_year": nums.holding[k],
            "note": reasons.get(item),
        }
        if g is not None and o is not None and item in g.index:
            a = g.loc[item]
            c_u = costs[item]
            row |= {
                "stock_t": float(a["stock_t"]),
                "days_of_cover": float(sizing.days_of_cover(a["stock_t"], nums.demand[k])),
                "build_cost_eur": float(a["build_cost_eur"]),
                "holding_cost_eur_per_year": float(a["holding_cost_eur_per_year"]),
                "optimal_stock_t": float(o.loc[item, "stock_t"]),
                "cost_optimal_stock_t": float(a["cost_optimal_stock_t"]),
                "expected_unserved_t_without": float(a["expected_unserved_t_without"]),
                "expected_unserved_t_with": float(a["expected_unserved_t"]),
                "shortage_cost_eur_without": c_u * float(a["expected_unserved_t_without"]),
                "shortage_cost_eur_with": float(a["expected_shortage_cost_eur"]),
                "expected_holding_cost_eur": float(a["expected_holding_cost_eur"]),
                "reduction_eur": float(a["reduction_eur"]),
            }
        rows.append(row)
    table = pd.DataFrame(rows, columns=cf.PORTFOLIO_COLUMN_NAMES)
    totals = _totals(table, budget, greedy, best)
    if setup.model is None:
        notes.append("no item has a supplier to halt: nothing simulated")
    elif not chosen:
        notes.append("no item has a supplier to halt, a price and a shortage cost: none chosen")
    prov = _provenance(
        setup.data,
        analysis="stockpile_portfolio",
        methods=PORTFOLIO_METHODS,
        parameters={
            **_run_parameters(setup, paths, months, seed, bom=bom, units_per_year=units_per_year),
            "budget_eur": budget,
            "shortage_cost_eur_per_t": costs,
            "n_levels": n_levels,
            "discount_rate": sizing.DEFAULT_DISCOUNT_RATE,
            "insurance_rate": sizing.DEFAULT_INSURANCE_RATE,
            "portfolio": greedy.parameters() if greedy is not None else None,
            "simulation": sim_params,
        },
        command=command,
        notes=notes,
    )
    return Result(
        {"portfolio": table, "totals": totals},
        prov,
        {"portfolio": cf.PORTFOLIO_COLUMNS, "totals": cf.TOTALS_COLUMNS},
    )


def _totals(
    table: pd.DataFrame, budget: float, greedy: pf.Portfolio | None, best: pf.Portfolio | None
) -> pd.DataFrame:
    def total(col: str) -> float:
        return float(table[col].sum(min_count=1)) if table[col].notna().any() else 0.0

    spent = total("build_cost_eur")
    value = total("reduction_eur")
    optimum = float(best.table["reduction_eur"].sum()) if best is not None else 0.0
    row = {
        "budget_eur": budget,
        "build_cost_eur": spent,
        "budget_left_eur": budget - spent,
        "holding_cost_eur_per_year": total("holding_cost_eur_per_year"),
        "items_stocked": int((table["stock_t"].fillna(0) > 0).sum()),
        "expected_unserved_t_without": total("expected_unserved_t_without"),
        "expected_unserved_t_with": total("expected_unserved_t_with"),
        "shortage_cost_eur_without": total("shortage_cost_eur_without"),
        "shortage_cost_eur_with": total("shortage_cost_eur_with"),
        "reduction_eur": value,
        "optimal_reduction_eur": optimum,
        "gap_eur": optimum - value,
        "gap_bound_eur": greedy.gap_bound_eur if greedy is not None else 0.0,
    }
    return pd.DataFrame([row], columns=cf.TOTALS_COLUMN_NAMES)


# -- pool --------------------------------------------------------------------------------------


def resolve_members(
    members: str | Iterable[str], registry: GroupRegistry | None = None
) -> list[str]:
    """The pool's members as ISO3 codes, in the order given: ``"NLD,DEU,FRA"``, a list, or
    group names (``EU27`` expands to its members). At least two; unknown names are refused
    with ``field="members"``."""
    registry = registry or GroupRegistry()
    parts = members.split(",") if isinstance(members, str) else list(members)
    groups = {g.upper() for g in registry.names()}
    out: list[str] = []
    for part in parts:
        token = str(part).strip().upper()
        if not token:
            continue
        if token in groups:
            found = sorted(registry.get(token).members)
        elif is_iso3(token):
            found = [token]
        else:
            raise UsageError(
                f"unknown member {str(part).strip()!r} in --members: give ISO3 codes "
                f"(NLD,DEU,FRA) or a group ({', '.join(sorted(groups))})",
                field="members",
            )
        out += [m for m in found if m not in out]
    if len(out) < 2:
        raise UsageError(
            f"a pool needs at least two members; --members gives {', '.join(out) or 'none'}",
            field="members",
        )
    return out


def item_scenario(doc: scn.Scenario, item: str) -> scn.Scenario | None:
    """``doc`` for one item's pool, whose 'items' are the members: the disruptions that hit
    ``item`` (without their item lists) and its demand response; None when none hits it."""
    hits = [
        d.model_copy(update={"items": None})
        for d in doc.disruptions
        if d.items is None or item in d.items
    ]
    if not hits:
        return None
    response = doc.demand_response_by_item.get(item, doc.demand_response)
    return doc.model_copy(
        update={"disruptions": hits, "demand_response": response, "demand_response_by_item": {}}
    )


@dataclass
class PoolItem:
    """One item's pool: per member its national stock (tonnes), chance of a shortfall and
    expected shortfall; the joint stock; the stylised correlation curve."""

    members: tuple[str, ...]
    national_t: np.ndarray
    joint_t: float
    p_shortfall: np.ndarray
    expected_unserved_t: np.ndarray
    curve: pd.DataFrame
    notes: list[str]

    @property
    def national_total_t(self) -> float:
        """The sum of the national stocks."""
        return float(self.national_t.sum())

    @property
    def gain_t(self) -> float:
        """What pooling saves: national total − joint."""
        return self.national_total_t - self.joint_t


def pool_item(
    exposure: Mapping[str, Mapping[str, float]],
    annual_demand_t: Mapping[str, float],
    scenario: scn.Scenario,
    *,
    groups: Mapping[str, Iterable[str]] | None = None,
    service_level: float = pl.DEFAULT_SERVICE_LEVEL,
    paths: int = pl.DEFAULT_PATHS,
    months: int = pl.DEFAULT_MONTHS,
    seed: int = pl.DEFAULT_SEED,
    correlations: Sequence[float] = CORRELATIONS,
) -> PoolItem:
    """The pool of one item: ``exposure`` member → supplier → share of the member's demand,
    ``annual_demand_t`` per member, ``scenario`` compiled with the members as its items (one
    simulation: members that buy from the same supplier are hit together). National stock =
    the ``service_level`` quantile of a member's cumulative shortfall (tonnes), joint = the
    quantile of their sum; the correlation curve is :func:`.pooling.pooling_curve` for each
    member's loss in its largest disruption, with the law of the item's largest disruption."""
    names = tuple(exposure)
    model = scn.compile_scenario(scenario, exposure, groups=groups)
    sim = run_simulation(model, paths=paths, months=months, seed=seed, fan_paths=0)
    demand = np.array([float(annual_demand_t[m]) for m in names])
    # the whole shortfall (the pool's stocks serve every month short, whatever release rule
    # the scenario gives the national plans)
    tonnes = np.asarray(sim.shortfall, dtype=float) * demand / 12.0
    national = np.quantile(tonnes, service_level, axis=0, method="inverted_cdf")
    joint = float(np.quantile(tonnes.sum(axis=1), service_level, method="inverted_cdf"))
    notes: list[str] = []
    curve = pd.DataFrame(columns=cf.CORRELATION_COLUMN_NAMES[1:])
    s = int(np.argmax(model.loss.sum(axis=0)))
    d = scenario.disruptions[s]
    if len(names) < 2:
        notes.append("fewer than two members exposed: nothing to pool")
    elif d.probability is None:
        notes.append("the largest disruption is a stress test (onset_month): no correlation curve")
    else:
        # each member loses its share in its own largest disruption; the law (probability,
        # duration, ramp-up) is that of the disruption with the largest total loss
        members = [
            pooling.Member(m, float(demand[i]), float(model.loss[i].max()))
            for i, m in enumerate(names)
        ]
        curve = pooling.pooling_curve(
            members,
            tuple(float(c) for c in correlations),
            probability=float(d.probability),
            duration_months=float(d.duration.months),
            fixed_duration=d.duration.distribution == "fixed",
            ramp_up_months=d.ramp_up_months,
            demand_response=float(scenario.demand_response),
            service_level=float(service_level),
            paths=paths,
            months=months,
            seed=seed,
        )
    return PoolItem(
        members=names,
        national_t=np.asarray(national, dtype=float),
        joint_t=joint,
        p_shortfall=(np.asarray(sim.shortfall) > 0).mean(axis=0),
        expected_unserved_t=np.asarray(sim.shortfall, dtype=float).mean(axis=0) * demand / 12.0,
        curve=curve,
        notes=notes,
    )


def pool(
    items: Iterable[str],
    members: str | Iterable[str],
    year: int | None = None,
    *,
    scenario: ScenarioArg = None,
    service_level: float = pl.DEFAULT_SERVICE_LEVEL,
    paths: int = pl.DEFAULT_PATHS,
    months: int = pl.DEFAULT_MONTHS,
    seed: int = pl.DEFAULT_SEED,
    correlations: Sequence[float] = CORRELATIONS,
    data_dir: Path | str | None = None,
    inputs: Inputs = None,
    progress: Progress | None = None,
    command: str | None = None,
) -> Result:
    """What a joint stock of ``members`` (ISO3 codes or groups: ``"NLD,DEU,FRA"``, ``EU27``)
    saves against national stocks, per item: tables ``pool`` (per item and member: its own
    demand and exposure, from candidate data with the member as importer, and its national
    stock), ``gain`` (per item: national total, joint stock, gain) and ``correlation_curve``
    (stylised: the gain against the correlation of the members' disruptions). Default
    scenario: per item, each member's top supplier of it halts."""
    pl._check(service_level, paths, months)
    for c in correlations:
        if not 0.0 <= float(c) <= 1.0:
            raise UsageError(f"correlation {c}; allowed: 0 to 1", field="correlations")
    wanted = [str(i) for i in items]
    if not wanted:
        raise UsageError("give at least one item (--items cobalt)", field="items")
    registry = GroupRegistry(user_groups_file(open_store(data_dir).root))
    names = resolve_members(members, registry)
    setups: dict[str, pl.PlanSetup] = {}
    for k, m in enumerate(names):
        if progress is not None:
            progress(f"stockpile pool: the data of {m}", k, len(names))
        try:
            setups[m] = _prepare(
                wanted,
                m,
                year,
                scenario=scenario,
                data_dir=data_dir,
                inputs=inputs,
                bom=None,
                units_per_year=None,
                progress=None,
                command=command,
            )
        except KetenradarError as exc:
            if getattr(exc, "field", None) != "importer":
                raise
            raise NotFoundError(f"member {m} (--members): {exc}", field="members") from None
    first = setups[names[0]]
    user_doc = first.scenario if scenario is not None else None
    items_resolved = first.names
    pool_rows, gain_rows, curve_rows, notes = [], [], [], []
    scenarios: dict[str, Any] = {}
    for k, item in enumerate(items_resolved):
        if progress is not None:
            progress(f"stockpile pool: {item}", k, len(items_resolved))
        per = {m: setups[m].table.set_index("item").loc[item] for m in names}
        demand = {
            m: float(pd.to_numeric(per[m]["annual_demand_t"], errors="coerce")) for m in names
        }
        why = {m: _member_why(setups[m], item, demand[m]) for m in names}
        hit = [m for m in names if why[m] is None]
        exposure = {m: setups[m].exposure[item] for m in hit}
        if user_doc is not None:
            doc = item_scenario(user_doc, item)
        else:
            shares = {m: pl._value_shares(setups[m].suppliers, [item])[item] for m in hit}
            doc = (
                scn.top_suppliers_halted(shares)
                if any(v > 0 for s in shares.values() for v in s.values())
                else None
            )
        result = None
        item_note = None
        if not hit:
            item_note = "no member has demand and a supplier to halt"
        elif doc is None:
            item_note = "no disruption of the scenario hits this item"
        else:
            scenarios[item] = doc.model_dump(mode="json")
            result = pool_item(
                exposure,
                {m: demand[m] for m in hit},
                doc,
                groups=first.groups,
                service_level=service_level,
                paths=paths,
                months=months,
                seed=seed,
                correlations=correlations,
            )
            item_note = "; ".join(result.notes) or None
        for m in names:
            r = per[m]
            row = {
                "item": item,
                "member": m,
                "annual_demand_t": r["annual_demand_t"],
                "exposure": sum(setups[m].exposure[item].values()) if why[m] is None else np.nan,
                "top_supplier": r["top_supplier"],
                "p_shortfall": np.nan,
                "expected_unserved_t_without": np.nan,
                "national_stock_t": np.nan,
                "days_of_cover": np.nan,
                "note": why[m] or (item_note if result is None else None),
            }
            if result is not None and m in result.members:
                j = result.members.index(m)
                stock = float(result.national_t[j])
                row |= {
                    "p_shortfall": float(result.p_shortfall[j]),
                    "expected_unserved_t_without": float(result.expected_unserved_t[j]),
                    "national_stock_t": stock,
                    "days_of_cover": float(sizing.days_of_cover(stock, demand[m])),
                }
            pool_rows.append(row)
        gain = {
            "item": item,
            "members": ",".join(hit),
            "service_level": float(service_level),
            "national_total_t": np.nan,
            "joint_t": np.nan,
            "gain_t": np.nan,
            "gain_share": np.nan,
            "note": item_note,
        }
        if result is not None:
            total = result.national_total_t
            gain |= {
                "national_total_t": total,
                "joint_t": result.joint_t,
                "gain_t": result.gain_t,
                "gain_share": result.gain_t / total if total > 0 else 0.0,
            }
            for c in result.curve.itertuples(index=False):
                curve_rows.append({"item": item, **c._asdict()})
        gain_rows.append(gain)
    prov = _provenance(
        first.data,
        analysis="stockpile_pool",
        methods=POOL_METHODS,
        parameters={
            "importer": "+".join(names),
            "members": names,
            "members_given": members if isinstance(members, str) else list(members),
            "service_level": float(service_level),
            "scenario": user_doc.model_dump(mode="json") if user_doc is not None else None,
            "scenario_default": scenario is None,
            "scenarios_by_item": scenarios,
            "correlations": [float(c) for c in correlations],
            "paths": paths,
            "months": months,
            "seed": seed,
        },
        command=command,
        notes=notes,
    )
    return Result(
        {
            "pool": pd.DataFrame(pool_rows, columns=cf.POOL_COLUMN_NAMES),
            "gain": pd.DataFrame(gain_rows, columns=cf.GAIN_COLUMN_NAMES),
            "correlation_curve": pd.DataFrame(curve_rows, columns=cf.CORRELATION_COLUMN_NAMES),
        },
        prov,
        {
            "pool": cf.POOL_COLUMNS,
            "gain": cf.GAIN_COLUMNS,
            "correlation_curve": cf.CORRELATION_COLUMNS,
        },
    )


def _member_why(setup: pl.PlanSetup, item: str, demand: float) -> str | None:
    """Why a member does not take part in an item's pool (None: it does)."""
    if not demand > 0:
        return setup.why.get(item, "no annual demand")
    if not setup.exposure[item]:
        return setup.why.get(item, "no supplier to halt")
    return None


__all__ = [
    "CORRELATIONS",
    "SERVICE_LEVELS",
    "PoolItem",
    "item_scenario",
    "pool",
    "pool_item",
    "portfolio",
    "resolve_members",
    "simulate",
]
