"""What the data page shows: the datasets behind the monitor, their releases, licences and
input checksums — the shipped starter pack and the user's own store — and which connectors
can add more. Pure functions (no web framework)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ketenradar.core.provenance import year_ranges
from ketenradar.datasets import DataStore
from ketenradar.results.facts import Facts, source_record
from ketenradar.sources.base import list_connectors


def datasets(facts: Facts, data_dir: Path) -> dict[str, Any]:
    """The starter pack's datasets and tables and the datasets in the user's store."""
    m = facts.manifest()
    starter = [
        {
            "dataset": d.get("dataset"),
            "source": d.get("source"),
            "release": d.get("release"),
            "licence": d.get("licence"),
            "citation": d.get("citation"),
            "inputs": d.get("inputs", []),
        }
        for d in m.get("datasets", [])
    ]
    origin = getattr(facts, "origin", None)
    tables = [
        {
            "table": name,
            "rows": info.get("rows"),
            "description": info.get("description"),
            "origin": origin(name) if origin else "starter pack",
        }
        for name, info in m.get("tables", {}).items()
    ]
    store = []
    for ds in DataStore(data_dir).list() if data_dir.exists() else []:
        p = ds.manifest.provenance()
        years = ds.manifest.attributes.get("years") or []
        store.append(
            p
            | {
                "kind": ds.manifest.kind,
                "years": year_ranges(years),
                "tables": {k: v.get("rows") for k, v in ds.manifest.tables.items()},
            }
        )
    return {
        "starter": {
            "built_at": m.get("built_at"),
            "tool": m.get("tool"),
            "datasets": starter,
            "tables": tables,
        },
        "store": store,
        "connectors": sorted(list_connectors()),
        "footer": {
            "tables": {},
            "sources": sorted({d["dataset"] for d in starter if d["dataset"]}),
            "source_names": [source_record(d) for d in m.get("datasets", [])],
            "licences": sorted({d["licence"] for d in starter if d["licence"]}),
            "built_at": m.get("built_at"),
            "tool": m.get("tool"),
        },
    }
