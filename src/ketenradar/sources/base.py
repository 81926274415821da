"""The connector interface every source implements, and the registry that finds them.

A connector turns a publisher's files into a dataset of a canonical *kind* (for example
``trade_flows``: tables ``trade``, ``countries``, ``products`` with fixed column names). The
analyses read only the canonical kind, so a new source of the same kind (UN Comtrade,
Eurostat Comext, CBS) is a new connector and touches no analysis.

Connectors are registered under the entry-point group ``ketenradar.connectors`` (the built-in
ones too, see ``pyproject.toml``), so a third-party package can add one without changes here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from ketenradar.errors import NotFoundError
from ketenradar.store import DataStore, Manifest

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
    }
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
    return {"baci": "ketenradar.sources.baci:BaciConnector"}


def _load(target: str) -> type:
    module, _, attr = target.partition(":")
    mod = __import__(module, fromlist=[attr])
    return getattr(mod, attr)


def list_connectors() -> dict[str, str]:
    """Connector names and their import targets (built-in and installed plug-ins)."""
    found = dict(_builtin())
    for ep in entry_points(group="ketenradar.connectors"):
        found[ep.name] = ep.value
    return found


def get_connector(name: str) -> Connector:
    """An instance of the connector called ``name``."""
    known = list_connectors()
    if name not in known:
        raise NotFoundError(f"unknown source '{name}' (known: {', '.join(sorted(known))})")
    return _load(known[name])()
