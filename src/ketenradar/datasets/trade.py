"""Open a trade_flows dataset for querying: an engine with the canonical relations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from ketenradar.core.engines import Engine, EngineCapabilityError
from ketenradar.core.errors import NotFoundError, UsageError
from ketenradar.datasets import Dataset, DataStore
from ketenradar.datasets.engine import DuckDBEngine, open_views


@dataclass
class TradeSession:
    """An engine (:mod:`ketenradar.core.engines`) holding ``trade``, ``products`` and
    ``countries`` (and ``world_exports`` when stored) of a dataset."""

    dataset: Dataset
    engine: Engine = field(repr=False)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection, for the look-ups written for DuckDB only (parameterised
        queries); on another engine an :class:`EngineCapabilityError`."""
        if isinstance(self.engine, DuckDBEngine):
            return self.engine.con
        raise EngineCapabilityError(
            f"this step runs on DuckDB only, not on the {self.engine.name} engine "
            "(use --engine duckdb)",
            field="engine",
        )

    def provenance(self) -> dict[str, Any]:
        """The engine that ran the analyses, for provenance."""
        return self.engine.describe()

    @property
    def years(self) -> list[int]:
        """Years the dataset holds."""
        return [int(y) for y in self.dataset.manifest.tables["trade"]["years"]]

    @property
    def world_table(self) -> str | None:
        """``world_exports`` when the dataset holds it precomputed, else ``None``."""
        return "world_exports" if self.dataset.has_table("world_exports") else None

    def close(self) -> None:
        """Release the engine."""
        self.engine.close()

    def __enter__(self) -> TradeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_trade(
    dataset: Dataset, threads: int | None = None, engine: str | Engine | None = None
) -> TradeSession:
    """Open ``dataset`` (kind trade_flows) on ``engine`` (a name of
    :func:`~ketenradar.datasets.engine.open_engine`, default a new in-memory DuckDB)."""
    if dataset.manifest.kind != "trade_flows":
        raise UsageError(
            f"dataset '{dataset.name}' is of kind {dataset.manifest.kind}, not trade_flows"
        )
    tables = ["trade", "products", "countries"]
    if dataset.has_table("world_exports"):
        tables.append("world_exports")
    options = {"threads": threads} if engine in (None, "duckdb") else {}
    return TradeSession(dataset, open_views({t: (dataset, t) for t in tables}, engine, **options))


def choose_trade_dataset(store: DataStore, name: str | None, year: int | None) -> Dataset:
    """The trade dataset to use: the named one, or the only one holding ``year``."""
    if name:
        ds = store.get(name)
        if ds.manifest.kind != "trade_flows":
            raise UsageError(f"dataset '{name}' is not a trade dataset")
        return ds
    trade = store.list(kind="trade_flows")
    if not trade:
        raise NotFoundError(
            f"no trade dataset in {store.root}: load one with `ketenradar data add baci PATH` "
            "or `ketenradar data fetch baci --release V202401b --hs HS92`"
        )
    if year is not None:
        trade = [d for d in trade if str(year) in d.manifest.tables["trade"]["years"]]
        if not trade:
            raise NotFoundError(f"no trade dataset holds year {year} (see `ketenradar data list`)")
    if len(trade) > 1:
        raise UsageError(
            "several trade datasets hold this year: "
            + ", ".join(d.name for d in trade)
            + "; choose one with --dataset"
        )
    return trade[0]
