"""The one entry to DuckDB: every connection ketenradar opens comes from :func:`connect`.

Paths go into SQL only through :func:`sql_literal` (quotes doubled), so a data directory named
``it's a "store"`` works wherever DuckDB takes no parameter (``COPY … TO``, views).

It also holds the engine seam's DuckDB side (:class:`DuckDBEngine`, the default engine of
:mod:`ketenradar.core.engines`) and :func:`open_engine`, which finds an engine by name among
those registered in the entry-point group ``ketenradar.engines``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Mapping, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from ketenradar.core.engines import ANALYSES, DEFAULT_ENGINE, ENGINE_GROUP, Engine
from ketenradar.core.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from ketenradar.datasets.datastore import Dataset


def connect(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection (no progress bar; ``threads`` when given)."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads={int(threads)}")
    return con


def sql_literal(value: object) -> str:
    """``value`` (a path, usually) as a SQL string literal, quotes doubled: for the places
    DuckDB takes no parameter (``COPY … TO``, views)."""
    return "'" + str(value).replace("'", "''") + "'"


def parquet_list(files: Iterable[Path | str]) -> str:
    """A SQL list literal of Parquet files for ``read_parquet``."""
    return "[" + ", ".join(sql_literal(f) for f in files) + "]"


def create_views(
    con: duckdb.DuckDBPyConnection, views: Mapping[str, tuple[Dataset, str]]
) -> duckdb.DuckDBPyConnection:
    """Views named like the keys of ``views`` over each (dataset, table)'s Parquet files."""
    for view, (ds, table) in views.items():
        if not view.isidentifier():
            raise ValueError(f"view name {view!r} is not an identifier")
        files = parquet_list(ds.table_files(table))
        con.execute(f"CREATE VIEW {view} AS SELECT * FROM read_parquet({files})")
    return con


def read_table(ds: Dataset, table: str) -> pd.DataFrame:
    """A dataset's table as a pandas DataFrame."""
    files = [str(f) for f in ds.table_files(table)]
    con = connect()
    try:
        return con.execute("SELECT * FROM read_parquet(?)", [files]).df()
    finally:
        con.close()


class DuckDBEngine:
    """The default engine: DuckDB in this process, over a connection of :func:`connect` (or
    one the caller passes and keeps closing itself). It runs every analysis."""

    name = "duckdb"
    capabilities = frozenset(ANALYSES)

    def __init__(
        self, con: duckdb.DuckDBPyConnection | None = None, *, threads: int | None = None
    ) -> None:
        self._owned = con is None
        self.con = con if con is not None else connect(threads)
        self._views: set[str] = set()
        self._tables: set[str] = set()

    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable as ``name``."""
        self.con.register(name, table)

    def register_parquet(self, name: str, files: Sequence[str]) -> None:
        """A view ``name`` over Parquet files."""
        if not name.isidentifier():
            raise ValueError(f"relation name {name!r} is not an identifier")
        self.con.execute(
            f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet({parquet_list(files)})"
        )
        self._views.add(name)

    def materialize(self, name: str, sql: str) -> None:
        """A temporary table ``name`` holding the result of ``sql``."""
        if not name.isidentifier():
            raise ValueError(f"relation name {name!r} is not an identifier")
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        self._tables.add(name)

    def unregister(self, name: str) -> None:
        """Forget ``name`` (a registered table, a view of :meth:`register_parquet` or a table
        of :meth:`materialize`)."""
        if name in self._tables:
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
            self._tables.discard(name)
            return
        if name in self._views:
            self.con.execute(f"DROP VIEW IF EXISTS {name}")
            self._views.discard(name)
            return
        with contextlib.suppress(duckdb.Error):
            self.con.unregister(name)

    def query(self, sql: str) -> pa.Table:
        """Run ``sql`` and return the result as Arrow."""
        return self.con.sql(sql).to_arrow_table()

    def describe(self) -> dict[str, Any]:
        """``{"engine": "duckdb", "version": ...}``."""
        return {"engine": self.name, "version": duckdb.__version__}

    def close(self) -> None:
        """Close the connection when this engine opened it."""
        if self._owned:
            self.con.close()


@functools.cache
def _engine_classes() -> dict[str, str]:
    return {ep.name: ep.value for ep in entry_points(group=ENGINE_GROUP)}


def engine_names() -> list[str]:
    """The engines registered in ``ketenradar.engines``, sorted (the default first)."""
    names = sorted(_engine_classes())
    return sorted(names, key=lambda n: n != DEFAULT_ENGINE)


def open_engine(name: str | Engine | None = None, **options: Any) -> Engine:
    """A new engine by name (default DuckDB); an :class:`Engine` passed in is returned as it
    is. ``options`` go to the engine's constructor (``threads`` for DuckDB, ``master`` for
    Spark). An unknown name, or an engine whose optional packages are missing, is a
    :class:`~ketenradar.core.errors.UsageError` that says what to do."""
    if name is not None and not isinstance(name, str):
        return name
    name = (name or DEFAULT_ENGINE).lower()
    target = _engine_classes().get(name)
    if target is None:
        raise UsageError(
            f"unknown engine '{name}' (engines: {', '.join(engine_names())})", field="engine"
        )
    module, _, attr = target.partition(":")
    try:
        cls = getattr(__import__(module, fromlist=[attr]), attr)
    except ImportError as e:
        raise UsageError(
            f"the {name} engine needs packages that are not installed ({e.name}): "
            f"pip install 'ketenradar[{name}]'",
            field="engine",
        ) from e
    return cls(**{k: v for k, v in options.items() if v is not None})


def table_locations(ds: Dataset, table: str, data_uri: str | None = None) -> list[str]:
    """Where an engine reads ``table`` of ``ds``: its Parquet files' paths, or, when the data
    directory is mirrored at ``data_uri`` (``hdfs://…``, ``s3a://…``, ``file:///…``), the
    same files under that URI (``<data_uri>/datasets/<name>/<version>/<table>/<file>``)."""
    files = ds.table_files(table)
    if not data_uri:
        return [str(f) for f in files]
    datasets_dir = ds.path.parents[1]
    base = data_uri.rstrip("/")
    return [f"{base}/datasets/{f.relative_to(datasets_dir).as_posix()}" for f in files]


def open_views(
    views: Mapping[str, tuple[Dataset, str]],
    engine: str | Engine | None = None,
    **options: Any,
) -> Engine:
    """An engine (see :func:`open_engine`) holding a relation per key of ``views`` over that
    (dataset, table)'s Parquet files."""
    eng = open_engine(engine, **options)
    try:
        for view, (ds, table) in views.items():
            eng.register_parquet(view, table_locations(ds, table, getattr(eng, "data_uri", None)))
    except BaseException:
        eng.close()
        raise
    return eng
