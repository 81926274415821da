"""The stock plan: for each item, how large a strategic stock a service level asks for under a
disruption scenario, in tonnes, days of cover and euros, and in which form.

The steps (``docs/methods/stockpile.md``, section *The plan*):

1. the items' data (:func:`~ketenradar.modules.stockpile.candidates.candidate_tables`):
   annual demand, import reliance, the suppliers' quantity and value shares, the price;
2. each item's **exposure**: supplier → quantity share of the importer's imports from it ×
   the item's import reliance (the share of its demand that supplier delivers);
3. the **scenario**: the user's document, or by default "each item's top supplier (by value)
   halts" (:func:`~ketenradar.modules.stockpile.analysis.scenario.top_suppliers_halted`);
4. **one** correlated simulation over all items
   (:func:`~ketenradar.modules.stockpile.analysis.simulate.simulate`);
5. the stock that serves the service level (and the newsvendor stock where a shortage cost is
   given), less the commercial stock firms already hold, in tonnes, days and euros;
6. the **form** advice (public, public-private, private) with its reasons, when the form
   rules are installed.

No item is dropped: an item without demand, suppliers or price keeps its row, the numbers it
lacks are empty and ``note`` says why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.core.errors import DataError, UsageError
from ketenradar.core.groups import GroupRegistry, user_groups_file
from ketenradar.core.progress import Progress
from ketenradar.core.provenance import new_provenance
from ketenradar.core.results import Result
from ketenradar.datasets import open_store
from ketenradar.modules.stockpile import candidates as cand
from ketenradar.modules.stockpile import form as fm
from ketenradar.modules.stockpile.analysis import scenario as scn
from ketenradar.modules.stockpile.analysis import sizing
from ketenradar.modules.stockpile.analysis.simulate import MAX_MONTHS, MAX_PATHS, simulate
from ketenradar.modules.stockpile.facts import PLAN_COLUMN_NAMES, PLAN_COLUMNS

#: Defaults of :func:`plan` (documented in docs/methods/stockpile.md, "The plan").
DEFAULT_SERVICE_LEVEL = 0.95
DEFAULT_PATHS = 20_000
DEFAULT_MONTHS = 120
DEFAULT_SEED = 2026

#: Between the reasons of ``form_reasons`` (a reason's own text may hold a semicolon).
REASON_SEPARATOR = " | "


METHODS = [
    "Exposure of item i to supplier c = quantity share of c in the importer's imports of i "
    "× import reliance of i (1 when demand is net imports); the share of annual demand c "
    "delivers",
    "Default scenario: each item's top supplier by value halts its exports to the importer "
    "(one independent disruption per supplier; yearly probability 0.1, geometric duration "
    "of mean 12 months, linear ramp-up of other supply over 12 months; docs/methods/"
    "stockpile.md, Default scenarios)",
    "One monthly Monte Carlo over all items (correlated: a supplier's halt hits every item "
    "it delivers); the stock released by the scenario's rule (default: whenever short, at "
    "an unlimited rate), no refill",
    "Stock at a service level α: the α-quantile (inverted CDF) of the cumulative shortfall "
    "over the horizon, less the commercial stock firms hold; newsvendor x* = "
    "F⁻¹(c_u / (c_u + c_o)) with c_o = holding cost per tonne-year × horizon (Arrow, Harris "
    "& Marschak 1951)",
    "Holding cost per tonne-year = price × (discount rate 2.25 % + insurance 0.2 %) + "
    "storage; days of cover = stock / annual demand × 365",
]


ANCHOR_METHOD = (
    "Anchors beside each row (rules of thumb, not the project's sizing): IEA 90 days of net "
    "imports (net imports = annual demand × import reliance), JOGMEC 60 and 180 days and KOMIR "
    "100 days of demand (docs/methods/stockpile.md, Anchors)"
)

BOM_METHOD = (
    "Bill of materials: its materials planned on the importer's data (with units per year, "
    "annual demand = units × kg per unit); each component exposed to a supplier by the largest "
    "exposure of its materials (fixed proportions); components default to specific, "
    "certified, one buyer (docs/methods/stockpile.md, Bills of materials)"
)

FORM_METHOD = (
    "Form advice (public, public-private, private): the factors of the cabinet's letter from "
    "the item's inputs scored by an editable rule table, every reason listed "
    "(docs/methods/stockpile.md, Form advice)"
)


def load_scenario(
    scenario: scn.Scenario | Mapping[str, Any] | str | Path | None,
    *,
    groups: Iterable[str] | None = None,
) -> scn.Scenario | None:
    """A scenario from a :class:`Scenario`, a mapping (a parsed document), or a YAML/JSON
    file's path; ``None`` stays ``None`` (the default scenario). Errors name the field."""
    if scenario is None or isinstance(scenario, scn.Scenario):
        return scenario
    if isinstance(scenario, Mapping):
        return scn.parse_scenario(scenario, groups=groups)
    path = Path(scenario)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"scenario file {path} does not exist", field="scenario") from None
    except UnicodeDecodeError:
        raise DataError(f"scenario file {path} is not UTF-8 text", field="scenario") from None
    return scn.scenario_from_text(text, file=str(path), groups=groups)


def _check(service_level: float, paths: int, months: int) -> None:
    if not 0.0 < float(service_level) < 1.0:
        raise UsageError(
            f"service level is {service_level}; allowed: above 0 and below 1 (e.g. 0.95)",
            field="service_level",
        )
    if not 1 <= int(paths) <= MAX_PATHS:
        raise UsageError(f"paths is {paths}; allowed: 1 to {MAX_PATHS:,}", field="paths")
    if not 1 <= int(months) <= MAX_MONTHS:
        raise UsageError(f"months is {months}; allowed: 1 to {MAX_MONTHS}", field="months")


def _shortage_costs(
    value: float | Mapping[str, float] | None, items: list[str]
) -> dict[str, float]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(items))
        if unknown:
            raise UsageError(
                f"shortage cost for unknown item(s) {', '.join(unknown)} (the items are: "
                f"{', '.join(items)})",
                field="shortage_cost_eur_per_t",
            )
        costs = {k: float(v) for k, v in value.items()}
    else:
        costs = dict.fromkeys(items, float(value))
    for k, v in costs.items():
        if not v > 0 or not math.isfinite(v):
            raise UsageError(
                f"shortage cost of {k} is {v}; allowed: a number of euros per tonne above 0",
                field="shortage_cost_eur_per_t",
            )
    return costs


def release_rule(scenario: scn.Scenario | None) -> dict[str, float | None]:
    """The scenario's release rule as :func:`simulate`'s keywords (``release_rate``,
    ``trigger``); the default rule (whenever short, unlimited) without a scenario."""
    rule = scenario.release if scenario is not None else scn.ReleaseRule()
    return {"release_rate": rule.rate, "trigger": rule.trigger}


def effective_reliance(row: Any) -> float:
    """The import reliance the plan uses for one candidates row: the table's; where it is
    empty because the importer's production is unknown and it imports more than it exports,
    every tonne counts as imported (1: demand is net imports, or the user's demand of an item
    the data knows only through trade). NaN otherwise."""
    if pd.notna(row.import_reliance):
        return float(row.import_reliance)
    if row.demand_source == "net_imports":
        return 1.0
    production = getattr(row, "production_t", math.nan)
    imports, exports = getattr(row, "imports_t", math.nan), getattr(row, "exports_t", math.nan)
    if (
        pd.isna(production)
        and pd.notna(imports)
        and imports > (exports if pd.notna(exports) else 0)
    ):
        return 1.0
    return math.nan


def exposures(
    table: pd.DataFrame, suppliers: pd.DataFrame
) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """Each item's exposure (item → supplier → quantity share × import reliance; an empty
    mapping when it cannot be computed) and, per item left without one, the reason.

    ``table``: the candidates table; ``suppliers``: its suppliers table. The import reliance
    is :func:`effective_reliance`'s.
    """
    out: dict[str, dict[str, float]] = {}
    why: dict[str, str] = {}
    by_item = dict(list(suppliers.groupby("item", sort=False))) if len(suppliers) else {}
    for row in table.itertuples(index=False):
        item = str(row.item)
        out[item] = {}
        demand = float(row.annual_demand_t) if pd.notna(row.annual_demand_t) else math.nan
        if not demand > 0:
            why[item] = "no annual demand: no stock computed"
            continue
        reliance = effective_reliance(row)
        if math.isnan(reliance):
            why[item] = "no import reliance"
            continue
        sup = by_item.get(item)
        if sup is None or sup.empty or not (sup["quantity_share"].fillna(0) > 0).any():
            why[item] = "no imports from outside the importer: no supplier to halt"
            continue
        shares = sup.set_index("supplier")["quantity_share"].fillna(0.0)
        out[item] = {
            str(c): min(1.0, float(s) * reliance) for c, s in shares.items() if float(s) > 0
        }
        if reliance == 0:
            why[item] = "import reliance 0 (a net exporter): no stock needed"
    return out, why


def _value_shares(suppliers: pd.DataFrame, items: Iterable[str]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {i: {} for i in items}  # in the items' order
    wanted = set(out)
    for r in suppliers.itertuples(index=False):
        if r.item in wanted and pd.notna(r.value_share) and r.value_share > 0:
            out[str(r.item)][str(r.supplier)] = float(r.value_share)
    return out


def _form(rules: fm.RuleTable, row: pd.Series, lang: str = "en") -> tuple[str, str]:
    """(form, reasons) for one candidate row: every reason of the advice, in order."""
    advice = fm.advise(fm.form_factors_from_inputs(row), rules)
    reasons = REASON_SEPARATOR.join(getattr(r, f"text_{lang}") for r in advice.reasons)
    return str(advice.form), reasons


@dataclass
class PlanSetup:
    """What every stockpile command starts from (:func:`prepare`): the items' data, their
    exposure to each supplier, the scenario and its compiled supply model."""

    data: Result  #: the candidates result (tables ``candidates`` and ``suppliers``)
    table: pd.DataFrame  #: one row per item (the candidates table)
    suppliers: pd.DataFrame  #: item × supplier shares
    names: list[str]  #: the items, in the table's order
    exposure: dict[str, dict[str, float]]  #: item → supplier → share of annual demand
    why: dict[str, str]  #: item → why it has no exposure (or none needed)
    scenario: scn.Scenario | None  #: the user's scenario or the default one (None: nothing to halt)
    scenario_default: bool  #: True when the scenario is the default library's
    model: scn.SupplyModel | None  #: the compiled scenario over ``names`` (None: nothing to halt)
    groups: dict[str, list[str]]  #: the country groups known (packaged and the user's)
    bom: Any = None  #: the BOM's items (:class:`~.bom_items.BomItems`) when planned from one
    units_per_year: float | None = None  #: the BOM's units a year, when given


def prepare(
    items: Iterable[str],
    importer: str = "NLD",
    year: int | None = None,
    *,
    scenario: scn.Scenario | Mapping[str, Any] | str | Path | None = None,
    data_dir: Path | str | None = None,
    inputs: Mapping[str, cand.ItemInputs | Mapping[str, Any]] | None = None,
    usd_per_eur: float | None = None,
    bom: str | Path | None = None,
    units_per_year: float | None = None,
    progress: Progress | None = None,
    command: str | None = None,
) -> PlanSetup:
    """Steps 1–3 of the plan, shared by ``plan``, ``simulate``, ``portfolio`` and ``pool``:
    the items' data, their exposures and the scenario compiled over them (default: each
    item's top supplier by value halts). Arguments as :func:`plan`."""
    from ketenradar.modules.stockpile import bom_items as bi

    store = open_store(data_dir)
    registry = GroupRegistry(user_groups_file(store.root))
    scenario_doc = load_scenario(scenario, groups=registry.names())
    wanted = [items] if isinstance(items, str) else list(items or [])
    bom_doc, component_inputs = None, {}
    if bom is not None:
        bom_doc = bi.read_bom_items(bom)
        inputs, component_inputs = bi.split_inputs(bom_doc, inputs, units_per_year)
        wanted = [*wanted, *bom_doc.materials]
    elif units_per_year is not None:
        raise UsageError("units per year needs a bill of materials (--bom)", field="units_per_year")
    if progress is not None:
        progress("stockpile: the items' data", 0, None)
    data = cand.candidate_tables(
        wanted,
        importer,
        year,
        data_dir=data_dir,
        inputs=inputs,
        usd_per_eur=usd_per_eur,
        command=command,
    )
    table = data.frame("candidates")
    suppliers = data.frame("suppliers")
    exposure, why = exposures(table, suppliers)
    if bom_doc is not None:
        rows, comp_exposure, comp_why = bi.component_rows(
            bom_doc, table, exposure, component_inputs, units_per_year, usd_per_eur
        )
        table = pd.concat([table, rows], ignore_index=True)
        exposure.update(comp_exposure)
        why.update(comp_why)
    names = [str(i) for i in table["item"]]
    at_risk = [i for i in names if exposure[i]]
    if scenario_doc is None and at_risk:
        shares = _value_shares(suppliers, at_risk)
        for i in at_risk:  # a component: its suppliers ranked by exposure
            if not shares[i]:
                shares[i] = dict(exposure[i])
        scenario_doc = scn.top_suppliers_halted(shares)
    groups = {g: sorted(registry.get(g).members) for g in registry.names()}
    model = None
    if scenario_doc is not None:
        model = scn.compile_scenario(scenario_doc, exposure, groups=groups)
    return PlanSetup(
        data=data,
        table=table,
        suppliers=suppliers,
        names=names,
        exposure=exposure,
        why=why,
        scenario=scenario_doc,
        scenario_default=scenario is None,
        model=model,
        groups=groups,
        bom=bom_doc,
        units_per_year=units_per_year,
    )


def plan(
    items: Iterable[str],
    importer: str = "NLD",
    year: int | None = None,
    *,
    scenario: scn.Scenario | Mapping[str, Any] | str | Path | None = None,
    service_level: float = DEFAULT_SERVICE_LEVEL,
    paths: int = DEFAULT_PATHS,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    shortage_cost_eur_per_t: float | Mapping[str, float] | None = None,
    data_dir: Path | str | None = None,
    inputs: Mapping[str, cand.ItemInputs | Mapping[str, Any]] | None = None,
    usd_per_eur: float | None = None,
    form_rules: Path | str | None = None,
    bom: str | Path | None = None,
    units_per_year: float | None = None,
    system_value_eur: float | None = None,
    progress: Progress | None = None,
    command: str | None = None,
) -> Result:
    """The stock plan: one row per item (table ``plan``, columns :data:`PLAN_COLUMNS`) with
    the strategic stock that serves ``service_level`` of the simulated paths under
    ``scenario`` (default: each item's top supplier halts), in tonnes, days of cover and
    euros, the expected unserved demand without and with it, and the advised form.

    ``items``, ``importer``, ``year``, ``inputs``, ``usd_per_eur``: as
    :func:`~ketenradar.modules.stockpile.candidates.candidates`; ``scenario``: a
    :class:`~ketenradar.modules.stockpile.analysis.scenario.Scenario`, a parsed document or a
    YAML/JSON file; ``paths`` × ``months`` monthly steps with ``seed``;
    ``shortage_cost_eur_per_t``: one value or per item, for the newsvendor stock;
    ``form_rules``: a form rule file (YAML/JSON; default the packaged table); ``bom``: a
    packaged BOM's name or a BOM file whose materials and components become items
    (:mod:`~ketenradar.modules.stockpile.bom_items`), ``units_per_year`` its programme (the
    materials' demand), ``system_value_eur`` one system's value (the shortage cost per tonne
    of each BOM item, instead of ``shortage_cost_eur_per_t``).
    """
    _check(service_level, paths, months)
    rules = fm.load_rules(form_rules)
    setup = prepare(
        items,
        importer,
        year,
        scenario=scenario,
        data_dir=data_dir,
        inputs=inputs,
        usd_per_eur=usd_per_eur,
        bom=bom,
        units_per_year=units_per_year,
        progress=progress,
        command=command,
    )
    data, table, names = setup.data, setup.table, setup.names
    exposure, why, scenario_doc = setup.exposure, setup.why, setup.scenario
    if system_value_eur is not None:
        if setup.bom is None:
            raise UsageError(
                "a system value needs a bill of materials (--bom)", field="system_value_eur"
            )
        if shortage_cost_eur_per_t is not None:
            raise UsageError(
                "give a shortage cost or a system value, not both", field="system_value_eur"
            )
        from ketenradar.modules.stockpile.bom_items import shortage_costs_from_system_value

        shortage_cost_eur_per_t = shortage_costs_from_system_value(setup.bom, system_value_eur)
    costs = _shortage_costs(shortage_cost_eur_per_t, names)
    n = len(names)
    capped = None
    sim_params: dict[str, Any] = {}
    if setup.model is not None:
        sim = simulate(
            setup.model,
            paths=paths,
            months=months,
            seed=seed,
            fan_paths=0,
            progress=progress,
            **release_rule(setup.scenario),
        )
        capped = np.asarray(sim.capped, dtype=float)
        excess = np.asarray(sim.excess, dtype=float)  # above the release rule: no stock serves
        p_short = (sim.shortfall > 0).mean(axis=0)
        sim_params = sim.parameters()

    demand = pd.to_numeric(table["annual_demand_t"], errors="coerce").to_numpy(float)
    price = pd.to_numeric(table["price_eur_per_t"], errors="coerce").to_numpy(float)
    storage = pd.to_numeric(table["storage_cost_eur_per_t_year"], errors="coerce").to_numpy(float)
    commercial_days = pd.to_numeric(table["commercial_stock_days"], errors="coerce").fillna(0.0)
    commercial = commercial_days.to_numpy(float) * 12.0 / sizing.DAYS_PER_YEAR  # months
    holding = np.full(n, np.nan)
    priced = price > 0
    holding[priced] = sizing.holding_cost_per_tonne_year(
        price[priced], storage_eur_t_year=storage[priced]
    )

    cols: dict[str, np.ndarray] = {
        c: np.full(n, np.nan)
        for c in (
            "exposure",
            "p_shortfall",
            "commercial_stock_t",
            "stock_t",
            "days_of_cover",
            "build_cost_eur",
            "holding_cost_eur_per_year",
            "service_level_achieved",
            "expected_unserved_t_without",
            "expected_unserved_t_with",
            "newsvendor_stock_t",
        )
    }
    if capped is not None:
        needed = sizing.stock_for_service_level(capped, service_level)
        strategic = np.maximum(needed - commercial, 0.0)
        total = commercial + strategic
        ok = np.array([bool(exposure[i]) for i in names])
        stock_t = sizing.tonnes(strategic, demand)
        put = {
            "p_shortfall": p_short,
            "commercial_stock_t": sizing.tonnes(commercial, demand),
            "stock_t": stock_t,
            "days_of_cover": sizing.days_of_cover(stock_t, demand),
            "service_level_achieved": sizing.service_level_of(total, capped),
            "expected_unserved_t_without": sizing.tonnes(
                sizing.expected_unserved(commercial, capped, excess), demand
            ),
            "expected_unserved_t_with": sizing.tonnes(
                sizing.expected_unserved(total, capped, excess), demand
            ),
        }
        for c, v in put.items():
            cols[c][ok] = np.asarray(v, dtype=float)[ok]
        pay = ok & priced
        cols["build_cost_eur"][pay] = stock_t[pay] * price[pay]
        cols["holding_cost_eur_per_year"][pay] = stock_t[pay] * holding[pay]
        for k, item in enumerate(names):
            if item in costs and pay[k]:
                c_o = float(sizing.overage_cost(holding[k], months / 12.0))
                x = sizing.newsvendor_sample(capped[:, k], costs[item], c_o)[0]
                cols["newsvendor_stock_t"][k] = sizing.tonnes(
                    max(0.0, x - commercial[k]), demand[k]
                )
    for k, item in enumerate(names):
        if exposure[item]:
            cols["exposure"][k] = min(1.0, sum(exposure[item].values()))
    reliance = np.array([effective_reliance(r) for r in table.itertuples(index=False)])
    cols.update(sizing.anchor_tonnes(demand, demand * reliance))

    rows = []
    for k, item in enumerate(names):
        r = table.iloc[k]
        notes = []
        if item in why:
            notes.append(why[item])
        elif capped is None:
            notes.append("no scenario to simulate")
        elif not priced[k]:
            notes.append("no price: costs not computed (give price_usd_per_t)")
        if item in costs and not priced[k]:
            notes.append("no price: newsvendor stock not computed")
        if isinstance(r["note"], str) and r["note"]:
            notes.append(r["note"])
        form, reasons = _form(rules, r)
        rows.append(
            {
                "item": item,
                "name": r["name"],
                "item_kind": r["item_kind"],
                "importer": r["importer"],
                "year": r["year"],
                "annual_demand_t": r["annual_demand_t"],
                "demand_source": r["demand_source"],
                "import_reliance": r["import_reliance"],
                "top_supplier": r["top_supplier"],
                "top_supplier_share": r["top_supplier_share"],
                **{c: float(v[k]) for c, v in cols.items()},
                "service_level": float(service_level),
                "price_eur_per_t": price[k] if priced[k] else np.nan,
                "form": form,
                "form_reasons": reasons,
                "note": "; ".join(notes) if notes else None,
            }
        )
    df = pd.DataFrame(rows, columns=PLAN_COLUMN_NAMES)

    base = data.provenance
    notes = list(base.notes)
    if scenario_doc is None:
        notes.append("no item has a supplier to halt: nothing simulated")
    prov = new_provenance(
        analysis="stockpile_plan",
        methods=[
            *base.methods,
            *METHODS,
            ANCHOR_METHOD,
            *([BOM_METHOD] if setup.bom is not None else []),
            FORM_METHOD,
        ],
        datasets=[dict(d) for d in base.datasets],
        parameters={
            **dict(base.parameters),
            "service_level": float(service_level),
            "shortage_cost_eur_per_t": costs,
            "scenario": scenario_doc.model_dump(mode="json") if scenario_doc else None,
            "scenario_default": setup.scenario_default,
            "simulation": sim_params or None,
            "paths": paths,
            "months": months,
            "seed": seed,
            "form_rules": str(form_rules or fm.packaged_rules_path()),
            "bom": setup.bom.path if setup.bom is not None else None,
            "units_per_year": units_per_year,
            "system_value_eur": system_value_eur,
            "discount_rate": sizing.DEFAULT_DISCOUNT_RATE,
            "insurance_rate": sizing.DEFAULT_INSURANCE_RATE,
        },
        command=command,
        notes=notes,
    )
    return Result({"plan": df}, prov, {"plan": PLAN_COLUMNS})
