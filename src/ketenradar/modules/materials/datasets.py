"""Find the datasets the materials analyses read: the store's datasets by kind, and the
relations GeoPolRisk runs on (on the engine of the caller's choice)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ketenradar.core.engines import Engine
from ketenradar.core.errors import NotFoundError, UsageError
from ketenradar.datasets import DataStore
from ketenradar.datasets.datastore import Dataset
from ketenradar.datasets.engine import open_views, read_table
from ketenradar.datasets.kinds import LOAD_HINT, choose_dataset

__all__ = [
    "LOAD_HINT",
    "GeoPolRiskInputs",
    "choose_dataset",
    "choose_geopolrisk_inputs",
    "geopolrisk_views",
    "read_table",
]


@dataclass
class GeoPolRiskInputs:
    """The three datasets the method reads."""

    trade: Dataset
    wmd: Dataset
    wgi: Dataset
    provenance: list[dict[str, Any]] = field(default_factory=list)


def choose_geopolrisk_inputs(
    store: DataStore,
    *,
    trade_dataset: str | None = None,
    wmd_dataset: str | None = None,
    wgi_dataset: str | None = None,
) -> GeoPolRiskInputs:
    """Pick the trade (BACI), World Mining Data and WGI datasets from the store."""
    trade = choose_dataset(store, "trade_flows", trade_dataset)
    if wmd_dataset:
        wmd = choose_dataset(store, "mineral_production", wmd_dataset)
        if not wmd.has_table("hs_map"):
            raise UsageError(
                f"dataset '{wmd.name}' has no HS-code map: GeoPolRisk needs World Mining Data"
            )
    else:
        # USGS production may be loaded too: the method needs the dataset with the HS map.
        cands = [d for d in store.list(kind="mineral_production") if d.has_table("hs_map")]
        if len(cands) != 1:
            raise (NotFoundError if not cands else UsageError)(
                "GeoPolRisk needs one World Mining Data dataset with its HS-code map "
                + (
                    "(ketenradar data add wmd ../shared/data/geopolrisk/world_mining_data.db)"
                    if not cands
                    else f"; several found ({', '.join(d.name for d in cands)}): --wmd-dataset"
                )
            )
        wmd = cands[0]
    wgi = choose_dataset(store, "governance", wgi_dataset)
    return GeoPolRiskInputs(trade, wmd, wgi, [d.manifest.provenance() for d in (trade, wmd, wgi)])


def geopolrisk_views(inputs: GeoPolRiskInputs, engine: str | Engine | None = None) -> Engine:
    """An engine (default DuckDB, see :func:`~ketenradar.datasets.engine.open_engine`) with
    the relations the method reads: ``trade``, ``production``, ``hs_map`` and ``wgi``."""
    return open_views(
        {
            "trade": (inputs.trade, "trade"),
            "production": (inputs.wmd, "production"),
            "hs_map": (inputs.wmd, "hs_map"),
            "wgi": (inputs.wgi, "wgi"),
        },
        engine,
    )
