"""Python API of ``ketenradar stockpile …``: the stock plan, one simulation, a portfolio under
a budget, a joint stock, the items' data and the method core other modules and scripts may use.

``plan`` returns a :class:`~ketenradar.core.results.Result` (table ``plan`` with its column
schema and provenance); ``plan_frame`` the table alone with ``df.attrs["provenance"]``, as
the CLI writes it. ``simulate`` (tables ``summary``, ``fan``, ``service_curve``),
``portfolio`` (``portfolio``, ``totals``) and ``pool`` (``pool``, ``gain``,
``correlation_curve``) return Results too; the CLI mirrors them
(``ketenradar stockpile simulate|portfolio|pool``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar.core.progress import Progress
from ketenradar.core.results import Result
from ketenradar.modules.stockpile import commands as _commands
from ketenradar.modules.stockpile.analysis.scenario import (
    Scenario,
    group_halted,
    parse_scenario,
    scenario_from_text,
    scenario_json_schema,
    top_suppliers_halted,
)
from ketenradar.modules.stockpile.analysis.sizing import ANCHORS, anchor_stocks
from ketenradar.modules.stockpile.candidates import (
    ItemInputs,
    candidate_tables,
    candidates,
    crm_2023_items,
)
from ketenradar.modules.stockpile.facts import PLAN_COLUMNS
from ketenradar.modules.stockpile.plan import (
    DEFAULT_MONTHS,
    DEFAULT_PATHS,
    DEFAULT_SEED,
    DEFAULT_SERVICE_LEVEL,
    exposures,
    load_scenario,
)
from ketenradar.modules.stockpile.plan import plan as _plan

__all__ = [
    "ANCHORS",
    "PLAN_COLUMNS",
    "ItemInputs",
    "Scenario",
    "anchor_stocks",
    "candidate_tables",
    "candidates",
    "crm_2023_items",
    "exposures",
    "group_halted",
    "load_scenario",
    "parse_scenario",
    "plan",
    "plan_frame",
    "pool",
    "portfolio",
    "scenario_from_text",
    "scenario_json_schema",
    "simulate",
    "top_suppliers_halted",
]


def plan(
    items: Iterable[str],
    importer: str = "NLD",
    year: int | None = None,
    *,
    scenario: Scenario | Mapping[str, Any] | str | Path | None = None,
    service_level: float = DEFAULT_SERVICE_LEVEL,
    paths: int = DEFAULT_PATHS,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    shortage_cost_eur_per_t: float | Mapping[str, float] | None = None,
    data_dir: Path | str | None = None,
    inputs: Mapping[str, ItemInputs | Mapping[str, Any]] | None = None,
    usd_per_eur: float | None = None,
    form_rules: Path | str | None = None,
    bom: str | Path | None = None,
    units_per_year: float | None = None,
    system_value_eur: float | None = None,
    progress: Progress | None = None,
    command: str | None = None,
) -> Result:
    """The stock plan (``ketenradar stockpile plan``): one row per item with the strategic
    stock for ``service_level`` under ``scenario`` (default: each item's top supplier halts),
    in tonnes, days of cover and euros, and the advised form. See
    :func:`ketenradar.modules.stockpile.plan.plan`."""
    return _plan(
        items,
        importer,
        year,
        scenario=scenario,
        service_level=service_level,
        paths=paths,
        months=months,
        seed=seed,
        shortage_cost_eur_per_t=shortage_cost_eur_per_t,
        data_dir=data_dir,
        inputs=inputs,
        usd_per_eur=usd_per_eur,
        form_rules=form_rules,
        bom=bom,
        units_per_year=units_per_year,
        system_value_eur=system_value_eur,
        progress=progress,
        command=command,
    )


def plan_frame(items: Iterable[str], importer: str = "NLD", **kwargs: Any) -> pd.DataFrame:
    """The plan as one table with ``df.attrs["provenance"]`` (arguments as :func:`plan`)."""
    return plan(items, importer, **kwargs).frame("plan")


def simulate(
    items: Iterable[str] | None,
    importer: str = "NLD",
    year: int | None = None,
    *,
    scenario: Scenario | Mapping[str, Any] | str | Path | None = None,
    service_level: float = DEFAULT_SERVICE_LEVEL,
    paths: int = DEFAULT_PATHS,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    stock_days: float | Mapping[str, float] | None = None,
    bom: str | Path | None = None,
    units_per_year: float | None = None,
    data_dir: Path | str | None = None,
    inputs: Mapping[str, ItemInputs | Mapping[str, Any]] | None = None,
    progress: Progress | None = None,
    command: str | None = None,
) -> Result:
    """One simulation with and without the stocks (``ketenradar stockpile simulate``): tables
    ``summary`` (per item), ``fan`` (per item, month and percentile, tonnes) and
    ``service_curve`` (the strategic stock per service level). The strategic stock is the
    plan's for ``service_level`` unless ``stock_days`` (one number or per item) is given. See
    :func:`ketenradar.modules.stockpile.commands.simulate`."""
    return _commands.simulate(
        items,
        importer,
        year,
        scenario=scenario,
        service_level=service_level,
        paths=paths,
        months=months,
        seed=seed,
        stock_days=stock_days,
        bom=bom,
        units_per_year=units_per_year,
        data_dir=data_dir,
        inputs=inputs,
        progress=progress,
        command=command,
    )


def portfolio(
    items: Iterable[str] | None,
    importer: str = "NLD",
    year: int | None = None,
    *,
    budget_eur: float,
    shortage_cost_eur_per_t: float | Mapping[str, float] | None,
    scenario: Scenario | Mapping[str, Any] | str | Path | None = None,
    paths: int = DEFAULT_PATHS,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    bom: str | Path | None = None,
    units_per_year: float | None = None,
    data_dir: Path | str | None = None,
    inputs: Mapping[str, ItemInputs | Mapping[str, Any]] | None = None,
    progress: Progress | None = None,
    command: str | None = None,
) -> Result:
    """The stocks ``budget_eur`` buys across the items (``ketenradar stockpile portfolio``):
    tables ``portfolio`` (per item, the greedy choice beside the exact optimum) and ``totals``
    (with the greedy's gap). ``shortage_cost_eur_per_t`` (one value or per item) is required.
    See :func:`ketenradar.modules.stockpile.commands.portfolio`."""
    return _commands.portfolio(
        items,
        importer,
        year,
        budget_eur=budget_eur,
        shortage_cost_eur_per_t=shortage_cost_eur_per_t,
        scenario=scenario,
        paths=paths,
        months=months,
        seed=seed,
        bom=bom,
        units_per_year=units_per_year,
        data_dir=data_dir,
        inputs=inputs,
        progress=progress,
        command=command,
    )


def pool(
    items: Iterable[str],
    members: str | Iterable[str],
    year: int | None = None,
    *,
    scenario: Scenario | Mapping[str, Any] | str | Path | None = None,
    service_level: float = DEFAULT_SERVICE_LEVEL,
    paths: int = DEFAULT_PATHS,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    correlations: Sequence[float] = _commands.CORRELATIONS,
    data_dir: Path | str | None = None,
    inputs: Mapping[str, ItemInputs | Mapping[str, Any]] | None = None,
    progress: Progress | None = None,
    command: str | None = None,
) -> Result:
    """What a joint stock of ``members`` (``"NLD,DEU,FRA"`` or a group such as ``EU27``)
    saves against national stocks (``ketenradar stockpile pool``): tables ``pool`` (per item
    and member), ``gain`` (per item) and ``correlation_curve`` (stylised, at
    ``correlations``). See
    :func:`ketenradar.modules.stockpile.commands.pool`."""
    return _commands.pool(
        items,
        members,
        year,
        scenario=scenario,
        service_level=service_level,
        paths=paths,
        months=months,
        seed=seed,
        correlations=correlations,
        data_dir=data_dir,
        inputs=inputs,
        progress=progress,
        command=command,
    )
