"""Emissions against targets (issue 18, item 3): pure functions.

A target is an emission level in a target year for a scope of installations (sectors,
clusters), given as a reduction in tonnes or as a share against a base year, or as a level.
Against the actual series of that scope:

* **achieved pace**: the average change a year from the base year to the latest complete
  year, ``(E_latest − E_base) / (latest − base)`` (t/year; negative is a fall);
* **required pace**: the change a year still needed from the latest complete year to reach
  the target, ``(E_target − E_latest) / (target year − latest)``;
* **projected**: the latest emissions carried to the target year at the achieved pace,
  ``max(0, E_latest + achieved × (target year − latest))`` (a straight line would cross zero;
  verified emissions cannot); the **gap** is projected minus target (positive: short of the
  target);
* **status**: ``met`` (the latest emissions are already at or below the target level),
  ``on track`` (projected at or below it) or ``off track``.

Only years whose numbers cover every installation (coverage ``all``) count; a year that only
the large-installation table gives is a subset and is shown, never used in a pace. Method:
docs/methods/industry.md, "Emissions against targets".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "ASSESSMENT_COLUMNS",
    "TRAJECTORY_COLUMNS",
    "Assessment",
    "Target",
    "assess",
    "scope_series",
    "target_level",
    "trajectory",
]

#: The columns of :func:`assess` rows (the result table declares the same names).
ASSESSMENT_COLUMNS = (
    "target",
    "scope",
    "baseline_year",
    "baseline_t",
    "target_year",
    "target_t",
    "latest_year",
    "latest_t",
    "achieved_pace_t",
    "required_pace_t",
    "projected_t",
    "gap_t",
    "target_status",
    "source",
)
#: The columns of :func:`trajectory` rows.
TRAJECTORY_COLUMNS = ("target", "year", "verified_t", "path_t", "coverage")


@dataclass(frozen=True)
class Target:
    """A checked target: exactly one of ``reduction_t``, ``reduction_share`` or ``level_t``;
    the scope as sector and cluster names (empty: all) and sectors left out."""

    id: str
    name: str
    source: str
    baseline_year: int
    target_year: int
    reduction_t: float | None = None
    reduction_share: float | None = None
    level_t: float | None = None
    sectors: tuple[str, ...] = ()
    exclude_sectors: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    judgement: str | None = None

    @property
    def scope(self) -> str:
        """The scope in words (``all stationary installations``, ``sectors: chemicals``)."""
        parts = []
        if self.sectors:
            parts.append("sectors: " + ", ".join(self.sectors))
        if self.exclude_sectors:
            parts.append("without " + ", ".join(self.exclude_sectors))
        if self.clusters:
            parts.append("clusters: " + ", ".join(self.clusters))
        return "; ".join(parts) or "all stationary installations"


def target_level(target: Target, baseline_t: float) -> float:
    """The emission level (t) the target asks for in its target year."""
    if target.level_t is not None:
        return float(target.level_t)
    if target.reduction_t is not None:
        return baseline_t - float(target.reduction_t)
    assert target.reduction_share is not None
    return baseline_t * (1.0 - float(target.reduction_share))


def scope_series(rows: pd.DataFrame, target: Target) -> pd.DataFrame:
    """The verified emissions per year of the installations in ``target``'s scope.

    ``rows``: one row per installation and year with ``year``, ``verified_t``, ``status``,
    ``sector``, ``cluster`` and ``coverage`` (``all`` or ``large only`` for the year). Returns
    ``year``, ``verified_t`` (sum over rows with status ``verified``), ``installations``
    and ``coverage``, by year."""
    keep = pd.Series(True, index=rows.index)
    if target.sectors:
        keep &= rows["sector"].isin(target.sectors)
    if target.exclude_sectors:
        keep &= ~rows["sector"].isin(target.exclude_sectors)
    if target.clusters:
        keep &= rows["cluster"].isin(target.clusters)
    r = rows[keep & (rows["status"] == "verified")]
    out = (
        r.groupby("year", sort=True)
        .agg(
            verified_t=("verified_t", "sum"),
            installations=("verified_t", "size"),
            coverage=("coverage", "first"),
        )
        .reset_index()
    )
    return out.astype({"year": "int64", "installations": "int64"})


@dataclass(frozen=True)
class Assessment:
    """One target against its series (see the module docstring for each quantity)."""

    baseline_t: float
    target_t: float
    latest_year: int
    latest_t: float
    achieved_pace_t: float
    required_pace_t: float
    projected_t: float
    gap_t: float
    status: str


def assess(series: pd.DataFrame, target: Target) -> Assessment:
    """``target`` against ``series`` (:func:`scope_series`). Raises ``ValueError`` naming
    the year when the base year has no complete number, or when no complete year follows
    it."""
    full = series[series["coverage"] == "all"].set_index("year")["verified_t"]
    if target.baseline_year not in full.index:
        raise ValueError(
            f"no complete emissions for the base year {target.baseline_year} "
            f"(complete years: {_years(full.index)})"
        )
    later = full[full.index > target.baseline_year]
    if later.empty:
        raise ValueError(f"no complete year after the base year {target.baseline_year}")
    base = float(full[target.baseline_year])
    goal = target_level(target, base)
    latest_year = int(later.index.max())
    latest = float(later[latest_year])
    achieved = (latest - base) / (latest_year - target.baseline_year)
    left = target.target_year - latest_year
    required = (goal - latest) / left if left > 0 else math.nan
    projected = max(0.0, latest + achieved * max(left, 0))
    if latest <= goal:
        status = "met"
    elif left > 0 and projected <= goal:
        status = "on track"
    else:
        status = "off track"
    return Assessment(
        base, goal, latest_year, latest, achieved, required, projected, projected - goal, status
    )


def _years(years: Iterable[int]) -> str:
    ys = sorted(int(y) for y in years)
    return f"{ys[0]}–{ys[-1]}" if ys else "none"


def trajectory(series: pd.DataFrame, target: Target, baseline_t: float) -> pd.DataFrame:
    """The actual series beside the straight path from the base year's emissions to the
    target level (``path_t``: empty before the base year and after the target year)."""
    goal = target_level(target, baseline_t)
    span_years = range(target.baseline_year, target.target_year + 1)
    years = sorted({*series["year"].astype(int), *span_years})
    actual = series.set_index("year")
    span = target.target_year - target.baseline_year
    rows = []
    for y in years:
        path = (
            baseline_t + (goal - baseline_t) * (y - target.baseline_year) / span
            if target.baseline_year <= y <= target.target_year
            else math.nan
        )
        rows.append(
            {
                "target": target.id,
                "year": y,
                "verified_t": actual["verified_t"].get(y, math.nan),
                "path_t": path,
                "coverage": actual["coverage"].get(y),
            }
        )
    return pd.DataFrame(rows, columns=list(TRAJECTORY_COLUMNS)).astype({"year": "int64"})


def assessment_rows(pairs: Sequence[tuple[Target, Assessment]]) -> pd.DataFrame:
    """The table of :data:`ASSESSMENT_COLUMNS`, one row per target."""
    rows = [
        {
            "target": t.id,
            "scope": t.scope,
            "baseline_year": t.baseline_year,
            "baseline_t": a.baseline_t,
            "target_year": t.target_year,
            "target_t": a.target_t,
            "latest_year": a.latest_year,
            "latest_t": a.latest_t,
            "achieved_pace_t": a.achieved_pace_t,
            "required_pace_t": a.required_pace_t,
            "projected_t": a.projected_t,
            "gap_t": a.gap_t,
            "target_status": a.status,
            "source": t.source,
        }
        for t, a in pairs
    ]
    return pd.DataFrame(rows, columns=list(ASSESSMENT_COLUMNS))
