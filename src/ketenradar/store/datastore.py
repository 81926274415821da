"""The data directory: versioned datasets, atomic and idempotent ingestion.

Layout::

    <data dir>/
      datasets/<name>/CURRENT          # the id of the live version (replaced atomically)
      datasets/<name>/<version>/       # manifest.json + one folder of Parquet files per table
      staging/                         # versions being written; never read by queries
      .lock                            # one writer at a time

A new version is written under ``staging/`` and only becomes visible when ``CURRENT`` is
replaced with ``os.replace`` (atomic on POSIX). A failed ingestion removes its staging folder
and leaves the previous version live and usable.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ketenradar.errors import NotFoundError, UsageError
from ketenradar.store.manifest import MANIFEST_FILE, Manifest

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Dataset:
    """One live dataset version: its manifest and where its tables are."""

    manifest: Manifest
    path: Path

    @property
    def name(self) -> str:
        """The dataset's name."""
        return self.manifest.name

    def table_files(self, table: str) -> list[Path]:
        """The Parquet files of ``table`` (sorted); raises when the table is absent."""
        files = sorted((self.path / table).glob("*.parquet"))
        if not files:
            raise NotFoundError(f"dataset '{self.name}' has no table '{table}'")
        return files

    def has_table(self, table: str) -> bool:
        """Whether the dataset holds ``table``."""
        return any((self.path / table).glob("*.parquet"))


class StagedVersion:
    """A dataset version being written; becomes live on :meth:`DataStore.stage` exit."""

    def __init__(self, path: Path, name: str, version: str) -> None:
        self.path = path
        self.name = name
        self.version = version

    def table_dir(self, table: str) -> Path:
        """The folder to write ``table``'s Parquet files into (created)."""
        d = self.path / table
        d.mkdir(parents=True, exist_ok=True)
        return d


def validate_name(name: str) -> str:
    """Check a dataset name: lowercase letters, digits, ``_ . -``; at most 64 characters."""
    if not _NAME_RE.match(name):
        raise UsageError(
            f"invalid dataset name '{name}': use lowercase letters, digits, '_', '.', '-' "
            "(at most 64 characters, starting with a letter or digit)"
        )
    return name


def new_version_id() -> str:
    """A sortable, unique version id (UTC timestamp + random suffix)."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:6]


class DataStore:
    """The data directory holding all datasets."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    @property
    def datasets_dir(self) -> Path:
        """Folder of live datasets."""
        return self.root / "datasets"

    def _ensure(self) -> None:
        (self.root / "datasets").mkdir(parents=True, exist_ok=True)
        (self.root / "staging").mkdir(parents=True, exist_ok=True)

    # -- reading -----------------------------------------------------------------------
    def names(self) -> list[str]:
        """Names of the live datasets, sorted."""
        if not self.datasets_dir.is_dir():
            return []
        return sorted(p.name for p in self.datasets_dir.iterdir() if (p / "CURRENT").is_file())

    def get(self, name: str) -> Dataset:
        """The live version of dataset ``name``."""
        base = self.datasets_dir / name
        current = base / "CURRENT"
        if not current.is_file():
            known = ", ".join(self.names()) or "none"
            raise NotFoundError(f"no dataset named '{name}' in {self.root} (datasets: {known})")
        version = current.read_text().strip()
        path = base / version
        return Dataset(Manifest.read(path), path)

    def find(self, name: str) -> Dataset | None:
        """Like :meth:`get`, but ``None`` when absent."""
        try:
            return self.get(name)
        except NotFoundError:
            return None

    def list(self, kind: str | None = None) -> list[Dataset]:
        """All live datasets, optionally only those of one ``kind``."""
        out = [self.get(n) for n in self.names()]
        return [d for d in out if kind is None or d.manifest.kind == kind]

    # -- writing -----------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's writer lock (one writer at a time, across processes)."""
        self._ensure()
        with open(self.root / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[StagedVersion]:
        """Write a new version of ``name``; it goes live only if the block succeeds.

        The block must write ``manifest.json`` into ``staged.path``. On any exception the
        staging folder is removed and the previous version stays live.
        """
        validate_name(name)
        with self.lock():
            version = new_version_id()
            staging = self.root / "staging" / f"{name}-{version}"
            staging.mkdir(parents=True)
            try:
                staged = StagedVersion(staging, name, version)
                yield staged
                if not (staging / MANIFEST_FILE).is_file():
                    raise RuntimeError("staged dataset version has no manifest")
                self._commit(staged)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise

    def _commit(self, staged: StagedVersion) -> None:
        base = self.datasets_dir / staged.name
        base.mkdir(parents=True, exist_ok=True)
        final = base / staged.version
        os.replace(staged.path, final)
        tmp = base / f".CURRENT.{staged.version}"
        tmp.write_text(staged.version + "\n")
        with open(tmp) as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, base / "CURRENT")
        # Old versions are no longer referenced: remove them.
        for p in base.iterdir():
            if p.is_dir() and p.name != staged.version:
                shutil.rmtree(p, ignore_errors=True)

    def remove(self, name: str) -> Manifest:
        """Remove dataset ``name`` (all versions); returns its last manifest."""
        with self.lock():
            ds = self.get(name)
            base = self.datasets_dir / name
            trash = self.root / "staging" / f".removed-{name}-{uuid.uuid4().hex[:6]}"
            os.replace(base, trash)  # atomic: the dataset disappears at once
            shutil.rmtree(trash, ignore_errors=True)
            return ds.manifest
