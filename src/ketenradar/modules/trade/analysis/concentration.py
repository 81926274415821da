"""Concentration indicators, written out plainly (the SQL versions must agree with these)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping


def shares(values: Mapping[str, float]) -> dict[str, float]:
    """Shares s_i = v_i / Σ v of non-negative values; empty when the total is zero."""
    total = sum(values.values())
    if total <= 0:
        return {}
    return {k: v / total for k, v in values.items()}


def hhi(values: Iterable[float]) -> float:
    """Herfindahl-Hirschman index Σ s_i² of non-negative values (on the 0-1 scale).

    With n suppliers of positive value, 1/n ≤ HHI ≤ 1. Returns NaN when the total is zero.
    """
    vals = [float(v) for v in values]
    if any(v < 0 for v in vals):
        raise ValueError("HHI needs non-negative values")
    total = math.fsum(vals)
    if total == 0:
        return math.nan
    return math.fsum((v / total) ** 2 for v in vals)
