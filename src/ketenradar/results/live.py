"""The user's own fact tables: derived from the datasets in their store (live data).

``ketenradar facts build`` (and the data page, through :func:`build`) runs the same analyses
as the starter pack (:func:`ketenradar.results.starter.derive`) on whatever the user's store holds —
a full BACI release, a single BACI year, the EU CRM assessment, an ICIO table — and writes the
tables it can derive under ``<data dir>/facts/``::

    <data dir>/facts/
      CURRENT                 # the id of the live build (replaced atomically)
      <build id>/             # manifest.json + one Parquet file per table
      .staging-<build id>/    # a build being written; never read
      .lock                   # one build at a time

A build is written to a staging folder and goes live only when ``CURRENT`` is replaced (an
atomic rename), so a failed build leaves the previous facts untouched and a running server
switches to the new tables on its next request (:class:`ketenradar.results.facts.Facts` watches
``CURRENT``). The build before the live one is kept, so that a server still reading it is not
cut short; older ones are removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ketenradar.core.errors import NotFoundError
from ketenradar.datasets.datastore import DataStore, new_version_id
from ketenradar.results import starter

FOLDER = "facts"
CURRENT = "CURRENT"


def facts_root(data_dir: Path) -> Path:
    """The folder holding the user's fact builds."""
    return Path(data_dir) / FOLDER


def current_key(data_dir: Path) -> tuple[int, int] | None:
    """A cheap key that changes whenever a build goes live (``None``: no build)."""
    try:
        st = os.stat(facts_root(data_dir) / CURRENT)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def current(data_dir: Path) -> Path | None:
    """The folder of the live build, or ``None`` when the user has built no facts."""
    root = facts_root(data_dir)
    try:
        build_id = (root / CURRENT).read_text().strip()
    except FileNotFoundError:
        return None
    folder = root / build_id
    return folder if (folder / "manifest.json").is_file() else None


def manifest(data_dir: Path) -> dict[str, Any] | None:
    """The live build's manifest, or ``None``."""
    folder = current(data_dir)
    return None if folder is None else json.loads((folder / "manifest.json").read_text())


@contextlib.contextmanager
def _lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build(
    data_dir: Path,
    *,
    importers: Sequence[str] = starter.IMPORTERS,
    years: Sequence[int] | None = None,
    trade_dataset: str | None = None,
    io_year: int | None = None,
    progress: starter.Progress | None = None,
    command: str = "ketenradar facts build",
) -> dict[str, Any]:
    """Derive the fact tables from the user's store and make them live; returns the manifest.

    Tables whose sources the store does not hold are not written (the web application keeps
    showing the starter pack's copy) and are listed under ``skipped``. ``progress(what,
    done, total)`` is called after each unit of work. Raises :class:`NotFoundError` when the
    store holds nothing to derive a table from; the previous build then stays live.
    """
    data_dir = Path(data_dir)
    root = facts_root(data_dir)
    with _lock(root):
        build_id = new_version_id()
        staging = root / f".staging-{build_id}"
        try:
            # the store's writer lock, held while deriving: an add waits, so every table
            # comes from the dataset versions the manifest names (derive reads them many
            # times), not from a mix of the old and the new version
            with DataStore(data_dir).lock():
                derived = starter.derive(
                    data_dir,
                    importers=importers,
                    years=years,
                    trade_dataset=trade_dataset,
                    io_year=io_year,
                    strict=False,
                    progress=progress,
                )
            if not derived.tables:
                raise NotFoundError(
                    f"the store at {data_dir} holds no dataset the fact tables are derived "
                    "from: load one first, e.g. `ketenradar data add baci PATH` (a BACI "
                    "release), `data add eu_crm …`, `io load icio …`"
                )
            m = starter.write_tables(
                derived,
                staging,
                command=command,
                extra={
                    "build_id": build_id,
                    "store": str(data_dir),
                    "parameters": derived.parameters,
                    "skipped": derived.skipped,
                    "notes": derived.notes,
                },
            )
            previous = current(data_dir)
            os.replace(staging, root / build_id)
            tmp = root / f".{CURRENT}.{build_id}"
            tmp.write_text(build_id + "\n")
            with open(tmp) as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, root / CURRENT)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        keep = {build_id, previous.name if previous else ""}
        for p in root.iterdir():
            if p.is_dir() and not p.name.startswith(".") and p.name not in keep:
                shutil.rmtree(p, ignore_errors=True)
        return m


def remove(data_dir: Path) -> bool:
    """Remove the user's fact tables (the application falls back to the starter pack)."""
    root = facts_root(data_dir)
    if not root.exists():
        return False
    with _lock(root):
        (root / CURRENT).unlink(missing_ok=True)
        for p in root.iterdir():
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
    return True


def status(data_dir: Path) -> dict[str, Any]:
    """The live build and whether the store changed since: ``built`` (bool), ``manifest``,
    ``changed`` (datasets behind the facts that were replaced or removed) and ``new``
    (datasets loaded after the build that it did not use)."""
    m = manifest(data_dir)
    if m is None:
        return {"built": False, "manifest": None, "changed": [], "new": []}
    loaded = {d.name: d.manifest for d in DataStore(data_dir).list()}
    used = {d["dataset"]: d["version"] for d in m["datasets"]}
    changed = sorted(n for n, v in used.items() if n not in loaded or loaded[n].version != v)
    new = sorted(n for n, dm in loaded.items() if n not in used and dm.ingested_at > m["built_at"])
    return {"built": True, "manifest": m, "changed": changed, "new": new}
