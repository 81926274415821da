"""The one entry to DuckDB: every connection ketenradar opens comes from :func:`connect`.

Paths go into SQL only through :func:`sql_literal` (quotes doubled), so a data directory named
``it's a "store"`` works wherever DuckDB takes no parameter (``COPY … TO``, views).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import pandas as pd

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
