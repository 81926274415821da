"""An inter-country input-output table in memory, and its accounting checks.

Every loader (WIOD, OECD ICIO, the ICIO benchmark arrays) produces an :class:`IOTable`; every
analysis (exposure, shocks, balance) reads one. Industries are ordered region-major: industry
``r * S + s`` is sector ``s`` of region ``r``, the order WIOD and the OECD publish in.

The identities checked (Miller & Blair 2009, ch. 2 and 3):

* row (use of output): ``x_i = Σ_j Z_ij + Σ_d y_id``
* column (inputs):     ``x_j = Σ_i Z_ij + va_j + other_j``

``other`` holds primary inputs that are not value added at basic prices (taxes less
subsidies on products, purchases from regions the table leaves out); it is zero where a table
has no such rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.core.errors import DataError

#: Final-demand categories that may be negative (changes in inventories and valuables, gross
#: fixed capital formation net of disposals, direct purchases abroad by residents). Others
#: (household, NPISH and government consumption) may not, beyond the table's rounding.
NEGATIVE_ALLOWED = {"INVNT", "INV", "INVEN", "c42", "GFCF", "c41", "DPABR", "P33"}

#: Relative tolerance for tables published without rounding (floating-point noise only).
FLOAT_RTOL = 1e-6


@dataclass
class IOTable:
    """One year of a multi-regional input-output table (monetary, one currency unit).

    Attributes
    ----------
    source : ``wiod`` or ``icio``
    year : reference year
    regions, sectors : the table's own codes (region codes are ISO3 where the publisher uses
        ISO3, else its own, e.g. ``RoW``, ``ROM``)
    Z : (n, n) intermediate flows, n = len(regions) * len(sectors)
    x : (n,) gross output as published
    va : (n,) value added (basic prices, or what the table holds in its place)
    other : (n,) other primary inputs (taxes less subsidies on products, ...)
    y_total : (n,) final demand of all destinations and categories together
    Y : (n, R, K) final demand by destination region and category, or None when the table
        does not split final demand by destination (the ICIO benchmark arrays)
    fd_categories : the K category codes of ``Y``
    unit : currency unit, e.g. ``USD million``
    rounding_unit : cells are published as multiples of this (1.0 = whole millions); 0 when
        the table carries unrounded values
    """

    source: str
    year: int
    regions: list[str]
    sectors: list[str]
    Z: np.ndarray
    x: np.ndarray
    va: np.ndarray
    other: np.ndarray
    y_total: np.ndarray
    Y: np.ndarray | None = None
    fd_categories: list[str] = field(default_factory=list)
    unit: str = "USD million"
    rounding_unit: float = 0.0
    region_names: dict[str, str] = field(default_factory=dict)
    sector_names: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Number of country-industries."""
        return len(self.regions) * len(self.sectors)

    def index(self) -> pd.DataFrame:
        """One row per country-industry, in table order: ``region``, ``sector``."""
        S = len(self.sectors)
        return pd.DataFrame(
            {
                "region": np.repeat(self.regions, S),
                "sector": np.tile(self.sectors, len(self.regions)),
            }
        )

    def region_slice(self, region: str) -> slice:
        """Positions of ``region``'s industries."""
        r = self.regions.index(region)
        S = len(self.sectors)
        return slice(r * S, (r + 1) * S)

    def validate_shapes(self, file: str | None = None) -> None:
        """Every array has the shape the labels imply; labels are unique."""
        n = self.n
        for name in ("regions", "sectors"):
            labels = getattr(self, name)
            dup = sorted({v for v in labels if labels.count(v) > 1})
            if dup:
                raise DataError(f"duplicate {name[:-1]} labels: {', '.join(dup)}", file=file)
        if self.Z.shape != (n, n):
            raise DataError(f"Z has shape {self.Z.shape}, expected ({n}, {n})", file=file)
        for name in ("x", "va", "other", "y_total"):
            if getattr(self, name).shape != (n,):
                raise DataError(f"{name} has shape {getattr(self, name).shape}", file=file)
        if self.Y is not None:
            want = (n, len(self.regions), len(self.fd_categories))
            if self.Y.shape != want:
                raise DataError(f"Y has shape {self.Y.shape}, expected {want}", file=file)
        for name in ("Z", "x", "va", "other", "y_total"):
            if not np.isfinite(getattr(self, name)).all():
                raise DataError(f"{name} holds missing or infinite values", file=file)


@dataclass
class BalanceReport:
    """The accounting identities of one table, with the tolerance they were judged by."""

    source: str
    year: int
    tolerance_rule: str
    row_residual_max: float
    column_residual_max: float
    total_residual_share: float
    failures: pd.DataFrame  # rows/columns beyond tolerance: side, region, sector, residual, ...
    negative_final_demand: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when every row and column balances and no forbidden negative is present."""
        return self.failures.empty and self.negative_final_demand.empty

    def summary(self) -> dict[str, Any]:
        """The figures to put in a manifest or a test message."""
        return {
            "year": self.year,
            "tolerance_rule": self.tolerance_rule,
            "row_residual_max": round(float(self.row_residual_max), 6),
            "column_residual_max": round(float(self.column_residual_max), 6),
            "total_residual_share": float(self.total_residual_share),
            "rows_or_columns_beyond_tolerance": len(self.failures),
            "forbidden_negative_final_demand_cells": len(self.negative_final_demand),
        }


def tolerance(table: IOTable, n_cells: int) -> np.ndarray:
    """Largest residual each row/column may show, given how the table was rounded.

    A cell published as a whole multiple of ``rounding_unit`` may be off from the true value
    by less than one unit (the WIOD R-package form truncates rather than rounds), a zero cell
    included, since it may hide a value below one unit. A sum of ``n_cells`` cells compared
    with a published total may therefore miss it by up to ``unit * (n_cells + 1)``. Unrounded
    tables get a relative floating-point tolerance of ``FLOAT_RTOL``.
    """
    scale = np.maximum(np.abs(table.x), 1.0)
    return table.rounding_unit * (n_cells + 1) + FLOAT_RTOL * scale


def check_balance(table: IOTable) -> BalanceReport:
    """Check the row and column identities and the sign of final demand."""
    idx = table.index()
    row_res = table.x - table.Z.sum(axis=1) - table.y_total
    col_res = table.x - table.Z.sum(axis=0) - table.va - table.other
    n_row_cells = table.n + (table.Y.shape[1] * table.Y.shape[2] if table.Y is not None else 1)
    n_col_cells = table.n + 2
    row_tol = tolerance(table, n_row_cells)
    col_tol = tolerance(table, n_col_cells)
    parts = []
    for side, res, tol in (("row", row_res, row_tol), ("column", col_res, col_tol)):
        bad = np.flatnonzero(np.abs(res) > tol)
        if len(bad):
            parts.append(
                pd.DataFrame(
                    {
                        "side": side,
                        "region": idx["region"].to_numpy()[bad],
                        "sector": idx["sector"].to_numpy()[bad],
                        "output": table.x[bad],
                        "residual": res[bad],
                        "tolerance": tol[bad],
                    }
                )
            )
    failures = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["side", "region", "sector", "output", "residual", "tolerance"])
    )
    negatives = _forbidden_negatives(table, idx)
    if table.rounding_unit:
        rule = (
            f"|residual| <= {table.rounding_unit:g} {table.unit} x (cells + 1): "
            "cells are published as whole units"
        )
    else:
        rule = f"|residual| <= {FLOAT_RTOL:g} x max(|output|, 1): unrounded table"
    total = float(np.abs(table.x).sum()) or 1.0
    return BalanceReport(
        source=table.source,
        year=table.year,
        tolerance_rule=rule,
        row_residual_max=float(np.abs(row_res).max(initial=0.0)),
        column_residual_max=float(np.abs(col_res).max(initial=0.0)),
        total_residual_share=float(np.abs(row_res).sum() / total),
        failures=failures,
        negative_final_demand=negatives,
    )


def _forbidden_negatives(table: IOTable, idx: pd.DataFrame) -> pd.DataFrame:
    cols = ["region", "sector", "destination", "category", "value"]
    if table.Y is None:
        # Without a split by category a negative total may be inventories: nothing to judge.
        return pd.DataFrame(columns=cols)
    out = []
    for k, cat in enumerate(table.fd_categories):
        if cat in NEGATIVE_ALLOWED:
            continue
        rows, dests = np.nonzero(table.Y[:, :, k] < -table.rounding_unit - 1e-9)
        for i, d in zip(rows, dests, strict=True):
            out.append(
                (
                    idx["region"].iat[i],
                    idx["sector"].iat[i],
                    table.regions[d],
                    cat,
                    float(table.Y[i, d, k]),
                )
            )
    return pd.DataFrame(out, columns=cols)


def require_balanced(table: IOTable, file: str | None = None) -> BalanceReport:
    """:func:`check_balance`, raising a :class:`DataError` naming the offending rows/columns."""
    report = check_balance(table)
    if report.failures.empty and report.negative_final_demand.empty:
        return report
    lines = []
    if not report.failures.empty:
        worst = report.failures.reindex(
            report.failures["residual"].abs().sort_values(ascending=False).index
        ).head(10)
        lines.append(
            f"{len(report.failures)} row(s)/column(s) do not balance ({report.tolerance_rule}); "
            "worst: "
            + "; ".join(
                f"{r.side} {r.region}_{r.sector}: output {r.output:,.4g}, "
                f"residual {r.residual:,.4g} > {r.tolerance:,.4g}"
                for r in worst.itertuples()
            )
        )
    if not report.negative_final_demand.empty:
        neg = report.negative_final_demand.head(10)
        lines.append(
            f"{len(report.negative_final_demand)} negative final-demand cell(s) in categories "
            "that must not be negative: "
            + "; ".join(
                f"{r.region}_{r.sector} -> {r.destination} {r.category} = {r.value:,.4g}"
                for r in neg.itertuples()
            )
        )
    raise DataError(f"table {table.source} {table.year}: " + " | ".join(lines), file=file)
