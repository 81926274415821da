"""Python API of ``ketenradar stockpile …``: the stock plan, the items' data and the method
core other modules and scripts may use.

``plan`` returns a :class:`~ketenradar.core.results.Result` (table ``plan`` with its column
schema and provenance); ``plan_frame`` the table alone with ``df.attrs["provenance"]``, as
the CLI writes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar.core.progress import Progress
from ketenradar.core.results import Result
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
    "scenario_from_text",
    "scenario_json_schema",
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
        progress=progress,
        command=command,
    )


def plan_frame(items: Iterable[str], importer: str = "NLD", **kwargs: Any) -> pd.DataFrame:
    """The plan as one table with ``df.attrs["provenance"]`` (arguments as :func:`plan`)."""
    return plan(items, importer, **kwargs).frame("plan")
