"""Find the datasets the materials analyses read, and read their tables into pandas."""

from __future__ import annotations

import duckdb
import pandas as pd

from ketenradar.core.errors import NotFoundError, UsageError
from ketenradar.datasets import DataStore
from ketenradar.datasets.datastore import Dataset

#: How to load each kind, for the error message when none is loaded.
LOAD_HINT = {
    "crm_assessment": "ketenradar data add eu_crm ../shared/data/eu_crm",
    "governance": "ketenradar data add wgi ../shared/data/wgi",
    "mineral_production": "ketenradar data add usgs ../shared/data/usgs_mcs "
    "(or: data add wmd ../shared/data/geopolrisk/world_mining_data.db)",
    "trade_flows": "ketenradar data add baci ../shared/data/baci_raw_materials_hs92",
}


def choose_dataset(
    store: DataStore, kind: str, name: str | None = None, source: str | None = None
) -> Dataset:
    """The named dataset (checked to be of ``kind``), or the only one of that kind/source."""
    if name:
        ds = store.get(name)
        if ds.manifest.kind != kind:
            raise UsageError(f"dataset '{name}' is of kind {ds.manifest.kind}, not {kind}")
        return ds
    found = [d for d in store.list(kind=kind) if source is None or d.manifest.source == source]
    if not found:
        what = f"{kind} dataset" + (f" from {source}" if source else "")
        raise NotFoundError(f"no {what} in {store.root}: load one with `{LOAD_HINT[kind]}`")
    if len(found) > 1:
        raise UsageError(
            f"several {kind} datasets: {', '.join(d.name for d in found)}; choose one by name"
        )
    return found[0]


def read_table(ds: Dataset, table: str) -> pd.DataFrame:
    """A dataset's table as a pandas DataFrame."""
    files = [str(f) for f in ds.table_files(table)]
    con = duckdb.connect()
    try:
        return con.execute("SELECT * FROM read_parquet(?)", [files]).df()
    finally:
        con.close()
