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
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from ketenradar.core.errors import NotFoundError
from ketenradar.core.progress import Progress
from ketenradar.datasets import DataStore, Manifest
from ketenradar.datasets.kinds import CANONICAL_TABLES, OPTIONAL_TABLES  # noqa: F401 (re-exported)


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


def _load(target: str) -> type:
    module, _, attr = target.partition(":")
    mod = __import__(module, fromlist=[attr])
    return getattr(mod, attr)


def list_connectors() -> dict[str, str]:
    """Connector names and their import targets (the built-in ones register through the same
    entry-point group as installed plug-ins)."""
    return dict(_installed())


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
