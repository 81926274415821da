"""The public Python API: one import for every module's operations, returning data frames.

This facade is what users script against; the work happens in the connectors
(:mod:`ketenradar.sources.ingest`), the data store (:mod:`ketenradar.datasets`) and the
modules (:mod:`ketenradar.modules`). Trade-dependency functions sit at the top level as before;
the other modules hang below it::

    >>> from ketenradar import api
    >>> api.add_dataset("baci", ["../shared/data/baci_raw_materials_hs92"])   # doctest: +SKIP
    >>> df = api.screen("NLD", 2022)                                            # doctest: +SKIP
    >>> api.materials.concentration(...)                                        # doctest: +SKIP
    >>> api.io.exposure(...)                                                    # doctest: +SKIP

Every result frame carries its provenance in ``frame.attrs["provenance"]``.
"""

from __future__ import annotations

from ketenradar.datasets import groups, open_store
from ketenradar.modules.io import api as io
from ketenradar.modules.materials import api as materials
from ketenradar.modules.trade.api import (
    ECOSYSTEM_NOTE,
    BalanceResult,
    balance,
    build_thresholds,
    default_reference,
    screen,
    screening_history,
    screening_report,
    supplier_shares,
)
from ketenradar.sources.ingest import add_dataset, fetch_baci, list_datasets, remove_dataset

__all__ = [
    "ECOSYSTEM_NOTE",
    "BalanceResult",
    "add_dataset",
    "balance",
    "build_thresholds",
    "default_reference",
    "fetch_baci",
    "groups",
    "io",
    "list_datasets",
    "materials",
    "open_store",
    "remove_dataset",
    "screen",
    "screening_history",
    "screening_report",
    "supplier_shares",
]
