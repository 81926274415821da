"""Put publishers' files into the data store: the ``data`` commands of the CLI and the Python API.

Each connector parses its publisher's files strictly and writes one versioned dataset; this
module picks the connector, holds the store's writer lock and lists or removes datasets.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar.core.errors import UsageError
from ketenradar.core.provenance import year_ranges
from ketenradar.datasets import open_store
from ketenradar.sources.base import IngestReport, Progress, get_connector


def add_dataset(
    source: str,
    paths: Sequence[Path | str],
    *,
    data_dir: Path | str | None = None,
    name: str | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> list[IngestReport]:
    """Ingest a publisher's files (``data add``); one report per dataset written.

    The whole ingestion runs under the store's writer lock, so the version a connector
    builds on (the years it keeps, the idempotence check) is the one it commits over: two
    concurrent runs on one dataset serialise instead of one silently dropping the other's
    data. Leftovers of interrupted runs are removed when the lock is taken.
    """
    connector = get_connector(source)
    store = open_store(data_dir)

    def waiting() -> None:
        if progress is not None:
            progress("waiting for another run writing to the data store", 0, None)

    with store.lock(on_wait=waiting):
        res = connector.ingest(
            [Path(p) for p in paths],
            store,
            dataset_name=name,
            progress=progress,
            **options,
        )
    return res if isinstance(res, list) else [res]


def list_datasets(data_dir: Path | str | None = None) -> pd.DataFrame:
    """One row per dataset: name, source, release, years, rows, ingested_at (``data list``)."""
    rows = []
    for ds in open_store(data_dir).list():
        m = ds.manifest
        years = m.attributes.get("years") or []
        rows.append(
            {
                "name": m.name,
                "source": m.source,
                "kind": m.kind,
                "release": m.release,
                "years": year_ranges(years),
                "n_years": len(years),
                "rows": int(m.tables["trade"]["rows"])
                if "trade" in m.tables
                else sum(int(t.get("rows", 0)) for t in m.tables.values()),
                "files": len(m.inputs),
                "ingested_at": m.ingested_at,
                "licence": m.licence,
                "path": str(ds.path),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "name",
            "source",
            "kind",
            "release",
            "years",
            "n_years",
            "rows",
            "files",
            "ingested_at",
            "licence",
            "path",
        ],
    )


def remove_dataset(name: str, data_dir: Path | str | None = None) -> None:
    """Remove a dataset from the store (``data remove``)."""
    open_store(data_dir).remove(name)


def fetch_source(
    source: str,
    *,
    data_dir: Path | str | None = None,
    base_url: str | None = None,
    dest: Path | str | None = None,
    expected_sha256: str | None = None,
    expected_size: int | None = None,
    progress: Any = None,
    options: dict[str, str] | None = None,
) -> Any:
    """Download the live file of connector ``source`` (one that has ``fetch_url``; BACI has
    :func:`fetch_baci`), resumable and verified; returns the download result. ``options``
    go to the connector's ``fetch_url`` (``indicator`` for ``wdi``, ``table`` for
    ``cbs_statline``); one it does not know is refused by it."""
    from ketenradar.sources.download import download

    connector = get_connector(source)
    fetch_url = getattr(connector, "fetch_url", None)
    if fetch_url is None:
        raise UsageError(f"connector '{source}' has no live file to fetch; use `data add`")
    url, file_name = fetch_url(base_url=base_url, **(options or {}))
    folder = Path(dest) if dest else open_store(data_dir).root / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    return download(
        url,
        folder / file_name,
        expected_sha256=expected_sha256,
        expected_size=expected_size,
        progress=progress,
    )


def fetch_baci(
    release: str,
    hs: str,
    *,
    data_dir: Path | str | None = None,
    base_url: str | None = None,
    dest: Path | str | None = None,
    expected_sha256: str | None = None,
    expected_size: int | None = None,
    progress: Any = None,
) -> Any:
    """Download a BACI release zip (resumable, verified); returns the download result."""
    from ketenradar.sources.baci import BaciConnector, release_zip_name
    from ketenradar.sources.download import download

    hs = hs.upper()
    if not (hs.startswith("HS") and len(hs) == 4 and hs[2:].isdigit()):
        raise UsageError(f"--hs must look like HS92, HS17 or HS22, not '{hs}'")
    url = BaciConnector().fetch_url(release, hs, base_url)
    folder = Path(dest) if dest else open_store(data_dir).root / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    return download(
        url,
        folder / release_zip_name(release, hs),
        expected_sha256=expected_sha256,
        expected_size=expected_size,
        progress=progress,
    )
