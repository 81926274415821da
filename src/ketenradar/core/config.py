"""Where things live: the data directory and the shared reference data."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "KETENRADAR_DATA_DIR"
SHARED_DATA_ENV = "KETENRADAR_SHARED_DATA"
GROUPS_FILE_ENV = "KETENRADAR_GROUPS_FILE"


def default_data_dir() -> Path:
    """The data directory: ``$KETENRADAR_DATA_DIR`` or the platform's user data dir."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("ketenradar", appauthor=False))


def shared_data_dir() -> Path:
    """The shared public reference data: ``$KETENRADAR_SHARED_DATA`` or ``../shared/data``."""
    env = os.environ.get(SHARED_DATA_ENV)
    if env:
        return Path(env).expanduser()
    return Path("../shared/data")
