"""The contract between the fact builds (:mod:`ketenradar.results`) and the modules.

A module that contributes fact tables declares them (:class:`~ketenradar.core.modules.FactTable`)
and names a ``derive(ctx, out)`` function. The build makes one :class:`DeriveContext` for a
store, calls every module's ``derive`` in registry order, and writes what ends up in
:class:`Derived`. A module adds its tables with :meth:`Derived.add` (which attributes every row
to its datasets), says why a table cannot be derived with :meth:`DeriveContext.skip` and
reports its steps with :meth:`DeriveContext.step`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar.core.errors import NotFoundError
from ketenradar.core.progress import Progress

#: The attribution columns every fact table gets; an analysis column of the same name would
#: be overwritten, so analyses name theirs differently.
ATTRIBUTION_COLUMNS = ("source", "licence")


def attribute(df: pd.DataFrame, datasets: list[dict[str, Any]]) -> pd.DataFrame:
    """``df`` with ``source`` and ``licence`` columns naming the datasets it was derived from."""
    clash = [c for c in ATTRIBUTION_COLUMNS if c in df.columns]
    if clash:
        raise ValueError(
            f"the table has its own {', '.join(clash)} column(s), which attribution would "
            "overwrite; rename them before adding the table"
        )
    df = df.copy()
    df["source"] = "; ".join(f"{d['dataset']} ({d['release']})" for d in datasets)
    df["licence"] = "; ".join(dict.fromkeys(d["licence"] for d in datasets))
    return df


@dataclass
class Derived:
    """The fact tables derived from one store, what they came from, and what was skipped."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: provenance of every dataset a table was derived from
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: table → the names of the datasets behind it
    used: dict[str, list[str]] = field(default_factory=dict)
    #: table → why it could not be derived (its source is not in the store)
    skipped: dict[str, str] = field(default_factory=dict)
    #: table → a description naming the data it was derived from
    descriptions: dict[str, str] = field(default_factory=dict)
    #: what the derivation parameters were (importers, years, datasets)
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, df: pd.DataFrame, datasets: list[dict[str, Any]]) -> None:
        """Keep ``df`` as table ``name``, attributed to ``datasets`` (provenance records)."""
        self.tables[name] = attribute(df, datasets)
        self.used[name] = [d["dataset"] for d in datasets]
        for d in datasets:
            self.datasets.setdefault(d["dataset"], d)


def span(years: Sequence[int]) -> str:
    """Years as words: ``2022``, ``every year 1995–2024`` or ``years 2019, 2022``."""
    years = list(years)
    if not years:
        return "no years"
    if years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}" if len(years) == 1 else f"every year {years[0]}–{years[-1]}"
    return "years " + ", ".join(map(str, years))


@dataclass
class DeriveContext:
    """What a fact build runs on: the store, its datasets by kind and the build's parameters.

    ``store`` is a :class:`ketenradar.datasets.DataStore`. ``years`` is the request (``None``:
    every year of the trade dataset); ``strict`` makes a table that cannot be derived an error
    instead of a skip.
    """

    store_dir: Path
    store: Any
    kinds: dict[str, list[Any]]
    importers: list[str]
    out: Derived
    years: Sequence[int] | None = None
    trade_dataset: str | None = None
    #: the trade dataset the build uses (a ``Dataset``; ``None`` when the store has none)
    trade: Any = None
    #: the years the trade tables are derived for
    wanted_years: list[int] = field(default_factory=list)
    io_year: int | None = None
    strict: bool = True
    progress: Progress | None = None
    total: int = 0
    done: int = 0
    #: values for the descriptions of derived tables ({imps}, {span}, {dataset}, {io_year})
    describe: dict[str, Any] = field(default_factory=dict)

    def skip(self, tables: Sequence[str], reason: str) -> None:
        """Tables that cannot be derived: an error when strict, else noted in ``out.skipped``."""
        if self.strict:
            raise NotFoundError(f"cannot derive {', '.join(tables)}: {reason}")
        for t in tables:
            self.out.skipped[t] = reason

    def plan(self, units: int) -> None:
        """Announce ``units`` more steps of work (the progress total grows)."""
        self.total += units

    def pass_over(self, steps: int, what: str) -> None:
        """``steps`` planned steps that will not run (their tables were skipped)."""
        self.done += steps
        if self.progress:
            self.progress(what, self.done, max(self.total, self.done))

    def step(self, what: str) -> None:
        """One step done."""
        self.done += 1
        if self.progress:
            self.progress(what, self.done, max(self.total, self.done))
