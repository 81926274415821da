"""Connectors: one module per publisher (fetch, parse strictly, ingest into the store)."""

from ketenradar.sources.base import (
    Connector,
    IngestReport,
    get_connector,
    list_connectors,
)

__all__ = ["Connector", "IngestReport", "get_connector", "list_connectors"]
