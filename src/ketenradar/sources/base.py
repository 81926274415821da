"""The connector interface every source implements, and the registry that finds them.

A connector turns a publisher's files into a dataset of a canonical *kind* (for example
``trade_flows``: tables ``trade``, ``countries``, ``products`` with fixed column names). The
analyses read only the canonical kind, so a new source of the same kind (UN Comtrade,
Eurostat Comext, CBS) is a new connector and touches no analysis.

Connectors are registered under the entry-point group ``ketenradar.connectors`` (the built-in
ones too, see ``pyproject.toml``), so a third-party package can add one without changes here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from ketenradar.core.errors import NotFoundError
from ketenradar.datasets import DataStore, Manifest

#: progress(stage description, done, total or None)
Progress = Callable[[str, int, int | None], None]

#: Canonical table columns per dataset kind. Analyses rely on exactly these.
CANONICAL_TABLES: dict[str, dict[str, dict[str, str]]] = {
    "trade_flows": {
        "trade": {
            "year": "SMALLINT",
            "exporter": "VARCHAR",  # ISO3 (or a labelled special code)
            "importer": "VARCHAR",
            "product": "VARCHAR",  # HS6, 6 characters
            "value_kusd": "DOUBLE",  # thousand USD
            "quantity_t": "DOUBLE",  # metric tons, NULL when unknown
        },
        "countries": {
            "iso3": "VARCHAR",
            "name": "VARCHAR",
            "source_code": "INTEGER",
            "is_special": "BOOLEAN",
            "note": "VARCHAR",
        },
        "products": {"product": "VARCHAR", "description": "VARCHAR"},
    },
    # Production of mineral raw materials by country (USGS MCS, World Mining Data).
    "mineral_production": {
        "production": {
            "material": "VARCHAR",  # harmonised id (ketenradar/data/materials.csv)
            "source_name": "VARCHAR",  # the publisher's commodity / sheet name
            "stage": "VARCHAR",  # extraction | processing
            "description": "VARCHAR",  # the publisher's description of what is counted
            "country": "VARCHAR",  # ISO3; NULL for 'Other countries' and world totals
            "country_label": "VARCHAR",  # the publisher's country name (footnotes removed)
            "row_type": "VARCHAR",  # country | other | world
            "year": "SMALLINT",
            "value": "DOUBLE",  # in `unit`; NULL when the publisher gives no number
            "unit": "VARCHAR",  # t, kt, kg, ... as stated by the publisher
            "estimated": "BOOLEAN",
            "note": "VARCHAR",
            "release": "VARCHAR",  # the publisher's edition, e.g. MCS2024; later wins
        },
    },
    # EU criticality assessments (EC CRM studies 2011-2023).
    "crm_assessment": {
        "scores": {
            "material": "VARCHAR",
            "eu_name": "VARCHAR",
            "year": "SMALLINT",  # assessment year
            "sr": "DOUBLE",  # supply risk as published; NULL when not assessed ('-')
            "ei": "DOUBLE",  # economic importance as published
        },
        "supply_shares": {
            "material": "VARCHAR",
            "eu_name": "VARCHAR",
            "scope": "VARCHAR",  # global (global supply) | eu (EU sourcing)
            "stage": "VARCHAR",  # extraction | processing
            "country": "VARCHAR",  # ISO3
            "country_label": "VARCHAR",
            "share": "DOUBLE",  # fraction; '<0.1%' is read as its bound 0.001
            "share_bound": "VARCHAR",  # '<' when the publisher printed '<x%', else NULL
            "t": "DOUBLE",  # trade-related variable of the EU method
        },
        "end_use": {
            "material": "VARCHAR",
            "eu_name": "VARCHAR",
            "application": "VARCHAR",
            "share": "DOUBLE",  # fraction of EU end use
            "share_bound": "VARCHAR",
            "nace": "VARCHAR",  # NACE Rev. 2 two-digit code, e.g. C28; NULL for 'Other'
            "nace_label": "VARCHAR",
            "va_meur": "DOUBLE",  # EU value added of that sector, million EUR
        },
    },
    # Worldwide Governance Indicators (World Bank).
    "governance": {
        "wgi": {
            "country": "VARCHAR",  # ISO3
            "country_label": "VARCHAR",
            "year": "SMALLINT",
            "indicator": "VARCHAR",  # VA, PV, GE, RQ, RL, CC
            "estimate": "DOUBLE",  # -2.5 (worst) .. 2.5 (best); NULL when missing
        },
    },
    "io_table": {
        # One row per country-industry and year, in table order (region-major).
        "industries": {
            "year": "SMALLINT",
            "position": "INTEGER",  # 0-based index: region_position * n_sectors + sector
            "region": "VARCHAR",  # the publisher's code (ISO3, or e.g. RoW, ROM)
            "sector": "VARCHAR",  # the publisher's industry code
            "output": "DOUBLE",  # gross output, in the dataset's unit (manifest attribute)
            "value_added": "DOUBLE",
            "other_inputs": "DOUBLE",  # taxes less subsidies on products and other primary
            "final_demand": "DOUBLE",  # total over destinations and categories
        },
        # Non-zero intermediate flows Z[row, col] (positions as above).
        "flows": {
            "year": "SMALLINT",
            "row": "INTEGER",
            "col": "INTEGER",
            "value": "DOUBLE",
        },
        # Non-zero final demand by destination region and category; empty when the table
        # does not split final demand by destination.
        "final_demand": {
            "year": "SMALLINT",
            "row": "INTEGER",
            "destination": "VARCHAR",
            "category": "VARCHAR",
            "value": "DOUBLE",
        },
        # Code lists: kind region | sector | category, in table order.
        "labels": {
            "kind": "VARCHAR",
            "position": "INTEGER",
            "code": "VARCHAR",
            "name": "VARCHAR",
        },
    },
}

#: Tables a kind may carry in addition to its canonical ones.
OPTIONAL_TABLES: dict[str, dict[str, dict[str, str]]] = {
    "mineral_production": {
        # World Mining Data's HS-code map (GeoPolRisk): raw material, stage, EoL-RIR, HS codes.
        "hs_map": {
            "reference_id": "VARCHAR",  # the GeoPolRisk raw-material name, e.g. 'Rare earth'
            "sheet": "VARCHAR",  # the WMD sheet / table it is produced in
            "material": "VARCHAR",  # harmonised id
            "category": "VARCHAR",
            "stage": "VARCHAR",  # extraction | processing | NULL
            "eol_rir": "DOUBLE",  # end-of-life recycling input rate (2023), fraction
            "hs_codes": "VARCHAR",  # HS92 6-digit codes, ';'-separated; NULL if none
            "description": "VARCHAR",
            "reference": "VARCHAR",  # source the row cites (SCRREEN factsheet, USGS)
        },
    },
}


@dataclass
class IngestReport:
    """What an ingestion did: the dataset, whether it changed, warnings to show."""

    dataset: str
    changed: bool
    manifest: Manifest
    warnings: list[str] = field(default_factory=list)


@runtime_checkable
class Connector(Protocol):
    """A source of data: parses the publisher's files into a canonical dataset kind."""

    name: ClassVar[str]
    kind: ClassVar[str]
    description: ClassVar[str]

    def ingest(
        self,
        paths: Sequence[Path],
        store: DataStore,
        *,
        dataset_name: str | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> IngestReport:
        """Parse ``paths`` strictly and write (or update) a dataset in ``store``."""
        ...


def _builtin() -> dict[str, str]:
    return {
        "baci": "ketenradar.sources.baci:BaciConnector",
        "usgs": "ketenradar.sources.usgs:UsgsConnector",
        "eu_crm": "ketenradar.sources.eu_crm:EuCrmConnector",
        "wgi": "ketenradar.sources.wgi:WgiConnector",
        "wmd": "ketenradar.sources.wmd:WmdConnector",
        "icio": "ketenradar.sources.io_tables:IcioConnector",
        "wiod": "ketenradar.sources.io_tables:WiodConnector",
    }


def _load(target: str) -> type:
    module, _, attr = target.partition(":")
    mod = __import__(module, fromlist=[attr])
    return getattr(mod, attr)


def list_connectors() -> dict[str, str]:
    """Connector names and their import targets (built-in and installed plug-ins)."""
    return {**_builtin(), **_installed()}


@functools.cache
def _installed() -> dict[str, str]:
    # scanning the installed distributions' entry points takes milliseconds: once per process
    # (a plug-in installed later is seen after a restart, as its code would be)
    return {ep.name: ep.value for ep in entry_points(group="ketenradar.connectors")}


def get_connector(name: str) -> Connector:
    """An instance of the connector called ``name``."""
    known = list_connectors()
    if name not in known:
        raise NotFoundError(f"unknown source '{name}' (known: {', '.join(sorted(known))})")
    return _load(known[name])()
