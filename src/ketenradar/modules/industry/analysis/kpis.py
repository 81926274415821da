"""The industrial-policy KPIs of letter 003 (issue 18, item 6): a target against the latest
value of its series. Pure functions.

Kinds of target: ``at_least`` (reached when the latest value is at or above the level),
``at_most`` (at or below), ``band`` (between ``low`` and ``high``) and ``reduction`` (the level
is the series' value in ``base_year`` minus ``amount``; reached at or below it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["KPI_COLUMNS", "SERIES_COLUMNS", "assess_kpi"]

#: The columns of the KPI table.
KPI_COLUMNS = (
    "kpi",
    "kpi_name",
    "kpi_unit",
    "latest_year",
    "latest_value",
    "target_low",
    "target_high",
    "target_year",
    "kpi_status",
    "target_source",
    "series_source",
)
#: The columns of the series table.
SERIES_COLUMNS = ("kpi", "year", "value")


def _bounds(target: Mapping[str, Any], base: float | None) -> tuple[float | None, float | None]:
    """The target as the range it asks for: (low, high); ``None`` where unbounded."""
    kind = target["kind"]
    if kind == "at_least":
        return float(target["level"]), None
    if kind == "at_most":
        return None, float(target["level"])
    if kind == "band":
        return float(target["low"]), float(target["high"])
    if kind == "reduction":
        return None, (None if base is None else base - float(target["amount"]))
    raise ValueError(f"unknown kind of target '{kind}'")


def assess_kpi(series: pd.DataFrame | None, target: Mapping[str, Any]) -> dict[str, Any]:
    """The latest value of ``series`` (``year``, ``value``; ``None``: no data loaded) against
    ``target``: ``latest_year``, ``latest_value``, the range the target asks for
    (``target_low``, ``target_high``; a reduction: at most the base year's value minus the
    amount) and the status: ``reached``, ``not reached``, ``no data`` or, for a reduction
    whose base year is not in the series, ``no base year``."""
    s = None if series is None else series.dropna(subset=["value"]).sort_values("year")
    if s is None or s.empty:
        low, high = _bounds(target, None)
        return {"latest_year": None, "latest_value": None, "target_low": low,
                "target_high": high, "kpi_status": "no data"}  # fmt: skip
    year, value = int(s["year"].iat[-1]), float(s["value"].iat[-1])
    base = None
    if target["kind"] == "reduction":
        b = s[s["year"] == int(target["base_year"])]["value"]
        if b.empty:
            return {"latest_year": year, "latest_value": value, "target_low": None,
                    "target_high": None, "kpi_status": "no base year"}  # fmt: skip
        base = float(b.iat[0])
    low, high = _bounds(target, base)
    ok = (low is None or value >= low) and (high is None or value <= high)
    return {
        "latest_year": year,
        "latest_value": value,
        "target_low": low,
        "target_high": high,
        "kpi_status": "reached" if ok else "not reached",
    }
