"""Dataset kinds: the canonical tables each kind holds, and how a user loads one.

A connector turns a publisher's files into a dataset of a canonical *kind* (``trade_flows``:
tables ``trade``, ``countries``, ``products`` with fixed column names); analyses rely on exactly
these columns, so a new source of a kind touches no analysis. Input-output tables are the kind
``io_table``, read as an :class:`~ketenradar.datasets.iotable.IOTable`.

The built-in kinds are listed below; a kind of one module's own (``ets_emissions``) is a
:class:`DatasetKind` declared where its connector lives and registered by one entry-point line
in the group ``ketenradar.dataset_kinds``, so a new kind touches no central list.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from ketenradar.core.errors import NotFoundError, UsageError

if TYPE_CHECKING:
    from ketenradar.datasets.datastore import Dataset, DataStore

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
    "trade_flows": {
        # Eurostat Comext's monthly CN8 detail (connector comext), before the HS6 / annual /
        # USD aggregation of ``trade``: one row per month, exporter, importer and CN8 code.
        "trade_cn8_monthly": {
            "period": "INTEGER",  # YYYYMM
            "exporter": "VARCHAR",  # ISO3 (or a labelled special code)
            "importer": "VARCHAR",
            "cn8": "VARCHAR",  # CN 8-digit code, or Eurostat's confidential code (27SSSSSS)
            "value_keur": "DOUBLE",  # thousand EUR
            "quantity_t": "DOUBLE",  # metric tons, NULL when unknown
        },
    },
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

#: How to load each kind, for the error message when none is loaded.
LOAD_HINT = {
    "io_table": "ketenradar data add icio ../shared/data/icio_oecd_2022",
    "crm_assessment": "ketenradar data add eu_crm ../shared/data/eu_crm",
    "governance": "ketenradar data add wgi ../shared/data/wgi",
    "mineral_production": "ketenradar data add usgs ../shared/data/usgs_mcs "
    "(or: data add wmd ../shared/data/geopolrisk/world_mining_data.db)",
    "trade_flows": "ketenradar data add baci ../shared/data/baci_raw_materials_hs92",
}


log = logging.getLogger(__name__)

#: The entry-point group of the dataset kinds declared outside this file.
KIND_GROUP = "ketenradar.dataset_kinds"


@dataclass(frozen=True)
class DatasetKind:
    """A dataset kind declared by the package that brings its connector: its canonical
    tables (table → column → DuckDB type), the tables it may add, and the ``data add``
    command shown when no dataset of the kind is loaded."""

    name: str
    tables: dict[str, dict[str, str]]
    optional_tables: dict[str, dict[str, str]] = field(default_factory=dict)
    load_hint: str | None = None


@functools.cache
def declared_kinds() -> dict[str, DatasetKind]:
    """The kinds registered in the entry-point group :data:`KIND_GROUP` (name → kind), read
    once per process. A kind that fails to load is logged and left out (it must not hide the
    others); one that redeclares a built-in kind, or whose name is not its entry point's, is
    an error."""
    found: dict[str, DatasetKind] = {}
    for ep in sorted(entry_points(group=KIND_GROUP), key=lambda e: e.name):
        try:
            kind = ep.load()
        except ImportError:
            log.exception("dataset kind %s (%s) could not be loaded", ep.name, ep.value)
            continue
        if not isinstance(kind, DatasetKind) or kind.name != ep.name:
            raise UsageError(f"entry point {ep.name} = {ep.value}: not a DatasetKind '{ep.name}'")
        if kind.name in CANONICAL_TABLES:
            raise UsageError(f"entry point {ep.value} redeclares the built-in kind '{ep.name}'")
        found[kind.name] = kind
    return found


def canonical_tables(kind: str) -> dict[str, dict[str, str]]:
    """The canonical tables of ``kind`` (table → column → DuckDB type): the built-in kinds of
    :data:`CANONICAL_TABLES`, then the kinds registered in :data:`KIND_GROUP`."""
    if kind in CANONICAL_TABLES:
        return CANONICAL_TABLES[kind]
    declared = declared_kinds()
    if kind not in declared:
        known = sorted({*CANONICAL_TABLES, *declared})
        raise NotFoundError(f"unknown dataset kind '{kind}' (known: {', '.join(known)})")
    return declared[kind].tables


def optional_tables(kind: str) -> dict[str, dict[str, str]]:
    """The tables ``kind`` may carry in addition to its canonical ones (may be empty)."""
    if kind in CANONICAL_TABLES:
        return OPTIONAL_TABLES.get(kind, {})
    declared = declared_kinds()
    return declared[kind].optional_tables if kind in declared else {}


def load_hint(kind: str) -> str:
    """How to load a dataset of ``kind`` (a command), for the error when none is loaded."""
    if kind in LOAD_HINT:
        return LOAD_HINT[kind]
    declared = declared_kinds()
    if kind in declared and declared[kind].load_hint:
        return str(declared[kind].load_hint)
    return "ketenradar data add SOURCE PATH"


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
        raise NotFoundError(f"no {what} in {store.root}: load one with `{load_hint(kind)}`")
    if len(found) > 1:
        raise UsageError(
            f"several {kind} datasets: {', '.join(d.name for d in found)}; choose one by name"
        )
    return found[0]


#: World exports of each product (computed once per dataset: a derived table of kind
#: trade_flows that the screening reads when present).
WORLD_EXPORTS_SQL = """
    SELECT year, product, sum(x) AS world_exports_kusd,
           CASE WHEN sum(x) > 0 THEN sum(x * x) / (sum(x) * sum(x)) END AS world_export_hhi,
           count(*) FILTER (WHERE x > 0) AS n_exporters
    FROM (
        SELECT year, product, exporter, sum(value_kusd) AS x
        FROM {trade} WHERE exporter <> importer {where}
        GROUP BY ALL
    )
    GROUP BY ALL
"""


def world_exports_sql(trade: str = "trade", years: Sequence[int] | None = None) -> str:
    """World exports of each product and their concentration (``world_export_hhi``).

    It does not depend on the importer, so a connector may store it next to the trade table
    (table ``world_exports``) and the screening reads it instead of recomputing it.
    """
    where = f"AND year IN ({', '.join(str(int(y)) for y in years)})" if years else ""
    return WORLD_EXPORTS_SQL.format(trade=trade, where=where)
