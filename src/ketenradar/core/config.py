"""Where things live: the data directory and the shared reference data (the settings
``KETENRADAR_DATA_DIR`` and ``KETENRADAR_SHARED_DATA`` of :mod:`ketenradar.core.settings`)."""

from __future__ import annotations

from pathlib import Path


def default_data_dir() -> Path:
    """The data directory: ``$KETENRADAR_DATA_DIR`` or the platform's user data dir."""
    from ketenradar.core.settings import settings

    configured = settings().data_dir
    if configured is not None:
        return configured
    from platformdirs import user_data_dir

    return Path(user_data_dir("ketenradar", appauthor=False))


def shared_data_dir() -> Path:
    """The shared public reference data: ``$KETENRADAR_SHARED_DATA`` or ``../shared/data``."""
    from ketenradar.core.settings import settings

    return settings().shared_data
