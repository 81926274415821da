"""Python API of ``ketenradar stockpile …``: the stock plan, one simulation, a portfolio under
a budget, a joint stock, the items' data and the method core other modules and scripts may use.

``plan`` returns a :class:`~ketenradar.core.results.Result` (table ``plan`` with its column
schema and provenance); ``plan_frame`` the table alone with ``df.attrs["provenance"]``, as
the CLI writes it. ``simulate`` (tables ``summary``, ``fan``, ``service_curve``),
``portfolio`` (``portfolio``, ``totals``) and ``pool`` (``pool``, ``gain``,
``correlation_curve``) return Results too; the CLI mirrors them
(``ketenradar stockpile simulate|portfolio|pool``). They are the commands' own functions
(``plan.plan``, ``commands.simulate|portfolio|pool``), re-exported, not wrapped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

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
from ketenradar.modules.stockpile.commands import pool, portfolio, simulate
from ketenradar.modules.stockpile.facts import PLAN_COLUMNS
from ketenradar.modules.stockpile.plan import exposures, load_scenario, plan

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


def plan_frame(items: Iterable[str], importer: str = "NLD", **kwargs: Any) -> pd.DataFrame:
    """The plan as one table with ``df.attrs["provenance"]`` (arguments as :func:`plan`)."""
    return plan(items, importer, **kwargs).frame("plan")
