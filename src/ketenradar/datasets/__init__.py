"""The data store: datasets as Parquet files with a manifest, queried with DuckDB."""

from pathlib import Path

from ketenradar.core.config import default_data_dir
from ketenradar.core.groups import GroupRegistry, user_groups_file
from ketenradar.datasets.datastore import Dataset, DataStore
from ketenradar.datasets.manifest import InputFile, Manifest

__all__ = ["DataStore", "Dataset", "InputFile", "Manifest", "groups", "open_store"]


def open_store(data_dir: Path | str | None = None) -> DataStore:
    """The data store at ``data_dir`` (default: ``$KETENRADAR_DATA_DIR`` or the user data dir)."""
    return DataStore(Path(data_dir) if data_dir else default_data_dir())


def groups(data_dir: Path | str | None = None) -> GroupRegistry:
    """All country groups (built in, packaged and the user's own file)."""
    store = open_store(data_dir)
    return GroupRegistry(user_groups_file(store.root))
