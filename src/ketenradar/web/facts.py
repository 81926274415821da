"""Where the web application gets its tables: the shipped starter pack (real, derived facts).

The pages and the API read named fact tables through :class:`Facts`. Today every table comes
from the starter pack (``ketenradar/data/starter``), so a fresh install shows real content with
nothing loaded; the next step (issue 5, live data) lets a table come from the user's own store
when it holds the data (a full BACI year, another ICIO table).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar import starter


class Facts:
    """Read-only access to the fact tables, cached per process."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder

    def table(self, name: str) -> pd.DataFrame:
        """A fact table (do not modify the returned frame in place)."""
        return _read(name, self.folder)

    def manifest(self) -> dict[str, Any]:
        """The starter pack's manifest: datasets, releases, licences, checksums."""
        return starter.manifest(self.folder)

    def footer(self, tables: list[str]) -> dict[str, Any]:
        """What the page footer says: which data and method produced what it shows."""
        m = self.manifest()
        used = {t: m["tables"][t]["description"] for t in tables}
        sources = sorted({s for t in tables for s in self.table(t)["source"].unique()})
        licences = sorted({s for t in tables for s in self.table(t)["licence"].unique()})
        return {
            "tables": used,
            "sources": sources,
            "licences": licences,
            "built_at": m["built_at"],
            "tool": m["tool"],
        }


@cache
def _read(name: str, folder: Path | None) -> pd.DataFrame:
    return starter.read(name, folder)
