"""The data store: datasets as Parquet files with a manifest, queried with DuckDB."""

from ketenradar.store.datastore import Dataset, DataStore
from ketenradar.store.manifest import InputFile, Manifest

__all__ = ["DataStore", "Dataset", "InputFile", "Manifest"]
