"""Data frames as the web answers them: JSON-safe rows and checked choices."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.core.errors import UsageError

__all__ = ["choice", "finite", "records"]


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows: NaN/NA → None, numpy scalars → Python."""
    out = []
    for row in df.to_dict(orient="records"):
        clean = {}
        for k, v in row.items():
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                clean[k] = None
            elif isinstance(v, np.generic):
                clean[k] = v.item()
            else:
                clean[k] = v
        out.append(clean)
    return out


def finite(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """±inf → NaN in ``cols`` (JSON has no infinity; a ``direction`` says which side is zero)."""
    df = df.copy()
    for c in cols:
        df[c] = df[c].replace([np.inf, -np.inf], np.nan)
    return df


def choice(name: str, value: Any, allowed: list[Any]) -> None:
    """Refuse ``value`` for parameter ``name`` unless it is one of ``allowed``."""
    if value not in allowed:
        shown = ", ".join(map(str, allowed))
        raise UsageError(f"{name} '{value}' is not available (choose one of: {shown})")
