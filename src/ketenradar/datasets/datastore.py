"""The data directory: versioned datasets, atomic and idempotent ingestion.

Layout::

    <data dir>/
      datasets/<name>/CURRENT          # the id of the live version (replaced atomically)
      datasets/<name>/<version>/       # manifest.json + one folder of Parquet files per table
      staging/                         # versions being written; never read by queries
      uploads/upload-*/                # files uploaded through the web, until ingested
      .lock                            # one writer at a time

A new version is written under ``staging/`` and only becomes visible when ``CURRENT`` is
replaced with ``os.replace`` (atomic on POSIX). A failed ingestion removes its staging folder
and leaves the previous version live and usable. The version before the live one is kept
until the next commit, so that a reader (a query, a facts build) that opened it just before
a commit is not cut short.

Writers and the lock: every write holds the store's writer lock (:meth:`DataStore.lock`, an
``fcntl`` lock on ``.lock``, re-entrant within a thread) from the moment it reads the version
it builds on until its commit: :func:`ketenradar.sources.ingest.add_dataset` runs the whole
connector under it, so two concurrent ``data add`` runs of the same dataset serialise and the second
builds on the first's result. :meth:`DataStore.stage` checks that a version the caller read
*outside* the lock is still the live one (else :class:`~ketenradar.core.errors.ConflictError`:
nothing is written, run again), so a caller that skips the lock gets an error, never a
silent loss.

Leftovers of interrupted runs (a ``kill -9``, a power cut) are removed at the start of every
write (``data add``, ``data remove``), once the lock is taken: since every writer holds the
lock while it has anything under ``staging/`` (the connectors' scratch folders included, as
:func:`~ketenradar.sources.ingest.add_dataset` takes the lock before the connector starts),
everything found there then belongs to a run that is gone. Upload folders are written by the
web server outside the lock, so they go only when unchanged for longer than
``KETENRADAR_STALE_UPLOAD_HOURS`` (default 24; :mod:`ketenradar.core.settings`).
:func:`clean_leftovers` does the same at server start (without waiting when a writer holds
the lock). Each removal is logged (logger ``ketenradar.datasets``, INFO; a failed removal at
WARNING).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ketenradar.core.errors import ConflictError, NotFoundError, UsageError
from ketenradar.core.settings import settings
from ketenradar.datasets.manifest import MANIFEST_FILE, Manifest

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")

log = logging.getLogger("ketenradar.datasets")

#: The setting: hours after which an upload folder counts as abandoned.
STALE_UPLOAD_HOURS_ENV = "KETENRADAR_STALE_UPLOAD_HOURS"
#: Folder (under the data dir) the web server copies uploads into, one ``upload-*`` each.
UPLOADS = "uploads"
UPLOAD_PREFIX = "upload-"

#: The writer locks this thread holds: resolved store root -> depth (re-entrancy).
_held = threading.local()


def _held_locks() -> dict[str, int]:
    if not hasattr(_held, "roots"):
        _held.roots = {}
    return _held.roots


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


def stale_upload_hours() -> float:
    """Hours after which an upload folder counts as abandoned (see the module docstring)."""
    return settings().stale_upload_hours


def _remove(path: Path, why: str) -> None:
    """Remove a leftover file or folder, logging what and why (a failure is logged too)."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not remove leftover %s (%s): %s", path, why, exc)
    else:
        log.info("removed leftover %s (%s)", path, why)


def _fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class DataStore:
    """The data directory holding all datasets."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        # versions read outside the writer lock: name -> version (None: absent), checked
        # again in :meth:`stage` (see the module docstring)
        self._seen: dict[str, str | None] = {}

    @property
    def datasets_dir(self) -> Path:
        """Folder of live datasets."""
        return self.root / "datasets"

    def _ensure(self) -> None:
        (self.root / "datasets").mkdir(parents=True, exist_ok=True)
        (self.root / "staging").mkdir(parents=True, exist_ok=True)

    def _key(self) -> str:
        return os.path.realpath(self.root)

    def holds_lock(self) -> bool:
        """Whether this thread holds the store's writer lock."""
        return self._key() in _held_locks()

    # -- reading -----------------------------------------------------------------------
    def names(self) -> list[str]:
        """Names of the live datasets, sorted."""
        if not self.datasets_dir.is_dir():
            return []
        return sorted(p.name for p in self.datasets_dir.iterdir() if (p / "CURRENT").is_file())

    def versions(self) -> dict[str, str]:
        """The live version of each dataset, from the ``CURRENT`` pointers alone (no manifest
        read): a cheap stamp of what the store holds (a new ingest is a new version)."""
        out = {}
        for name in self.names():
            version = self._current(name)
            if version is not None:
                out[name] = version
        return out

    def _current(self, name: str) -> str | None:
        try:
            return (self.datasets_dir / name / "CURRENT").read_text().strip()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def get(self, name: str) -> Dataset:
        """The live version of dataset ``name`` (a name that is not valid is a UsageError)."""
        validate_name(name)
        version = self._current(name)
        if self.holds_lock():
            self._seen.pop(name, None)  # read under the lock: nothing to check later
        else:
            self._seen[name] = version
        if version is None:
            known = ", ".join(self.names()) or "none"
            raise NotFoundError(f"no dataset named '{name}' in {self.root} (datasets: {known})")
        path = self.datasets_dir / name / version
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
    def lock(
        self, on_wait: Callable[[], None] | None = None, *, clean: bool = True
    ) -> Iterator[None]:
        """Hold the store's writer lock (one writer at a time, across processes and threads).

        Re-entrant within a thread. Taking it (not re-entering) first removes the leftovers
        of interrupted runs (:meth:`clean`) unless ``clean`` is false. ``on_wait()`` is
        called when another writer holds the lock, before waiting for it.
        """
        key = self._key()
        held = _held_locks()
        if key in held:
            held[key] += 1
            try:
                yield
            finally:
                held[key] -= 1
            return
        self._ensure()
        with open(self.root / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None:
                    on_wait()
                fcntl.flock(fh, fcntl.LOCK_EX)
            held[key] = 1
            try:
                if clean:
                    self.clean()
                yield
            finally:
                del held[key]
                fcntl.flock(fh, fcntl.LOCK_UN)

    def clean(self) -> None:
        """Remove what interrupted runs left: everything under ``staging/``, uncommitted or
        superseded versions, upload folders older than the age rule. Call with the lock held
        (:meth:`lock` does), since a live writer's staging folder looks the same."""
        if not self.holds_lock():
            raise RuntimeError("DataStore.clean needs the writer lock")
        staging = self.root / "staging"
        if staging.is_dir():
            for p in staging.iterdir():
                _remove(p, "staging entry of an interrupted run")
        if self.datasets_dir.is_dir():
            for base in self.datasets_dir.iterdir():
                if base.is_dir():
                    self._prune(base)
        _clean_uploads(self.root)

    def _prune(self, base: Path) -> None:
        """Keep the live version and the one before it; remove the rest (superseded
        versions, a version whose commit was interrupted, temporary ``CURRENT`` files)."""
        current = self._current(base.name)
        if current is None:
            _remove(base, "dataset folder without a live version")
            return
        versions = sorted(p.name for p in base.iterdir() if p.is_dir())
        older = [v for v in versions if v < current]
        keep = {current, *older[-1:]}
        for p in base.iterdir():
            if p.name == "CURRENT" or p.name in keep:
                continue
            _remove(p, f"not the live version of {base.name} nor the one before")

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[StagedVersion]:
        """Write a new version of ``name``; it goes live only if the block succeeds.

        The block must write ``manifest.json`` into ``staged.path``. On any exception the
        staging folder is removed and the previous version stays live. Raises
        :class:`ConflictError` when this store object read ``name`` outside the lock and
        another writer has replaced (or removed, or created) it since.
        """
        validate_name(name)
        # no cleaning here: a caller that did not take the lock itself may have scratch
        # folders under staging/ already (the BACI connector's zip extraction)
        with self.lock(clean=False):
            if name in self._seen:
                seen, now = self._seen.pop(name), self._current(name)
                if seen != now:
                    raise ConflictError(
                        f"dataset '{name}' changed while this run was reading it (another "
                        f"run wrote version {now or '(removed)'}): nothing was written; "
                        "run the command again"
                    )
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
        tmp = base / f".CURRENT.{staged.version}"
        os.replace(staged.path, final)
        try:
            with open(tmp, "w") as fh:
                fh.write(staged.version + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, base / "CURRENT")
        except BaseException as exc:
            # not live: take the new version away again, the previous one stays
            shutil.rmtree(final, ignore_errors=True)
            tmp.unlink(missing_ok=True)
            if isinstance(exc, OSError) and exc.filename is None:  # fsync: name the file
                raise OSError(exc.errno, exc.strerror, str(tmp)) from exc
            raise
        _fsync_dir(base)
        self._prune(base)

    def remove(self, name: str) -> Manifest:
        """Remove dataset ``name`` (all versions); returns its last manifest."""
        with self.lock():
            ds = self.get(name)
            base = self.datasets_dir / name
            trash = self.root / "staging" / f".removed-{name}-{uuid.uuid4().hex[:6]}"
            os.replace(base, trash)  # atomic: the dataset disappears at once
            shutil.rmtree(trash, ignore_errors=True)
            return ds.manifest


def _clean_uploads(root: Path) -> None:
    """Remove upload folders (``uploads/upload-*``) unchanged for longer than the age rule.

    The web server writes them outside the writer lock (a request copies the files, a
    background job ingests them), so only their age tells an abandoned one from a live one.
    """
    folder = root / UPLOADS
    if not folder.is_dir():
        return
    limit = time.time() - stale_upload_hours() * 3600
    for p in folder.iterdir():
        if not p.name.startswith(UPLOAD_PREFIX):
            continue
        try:
            newest = max(
                [p.lstat().st_mtime, *(c.lstat().st_mtime for c in p.iterdir())]
                if p.is_dir() and not p.is_symlink()
                else [p.lstat().st_mtime]
            )
        except OSError:
            continue  # removed meanwhile
        if newest < limit:
            _remove(p, f"upload folder unchanged for more than {stale_upload_hours():g} hours")


def clean_leftovers(data_dir: Path | str) -> None:
    """Remove what interrupted runs left in the data dir (at server start).

    Takes the writer lock without waiting: when another process is writing, only the old
    upload folders go (the staging entries are that writer's, and it cleans at its next
    start anyway). A data dir that does not exist yet is left alone.
    """
    store = DataStore(data_dir)
    hours = stale_upload_hours()  # a bad setting is an error at start, not a warning
    if not store.root.is_dir():
        return
    try:
        _clean_uploads(store.root)
        if not (store.root / "staging").is_dir() and not store.datasets_dir.is_dir():
            return
        key = store._key()
        if key in _held_locks():
            store.clean()
            return
        with open(store.root / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("writer lock of %s is held: staging left to that writer", store.root)
                return
            _held_locks()[key] = 1
            try:
                store.clean()
            finally:
                del _held_locks()[key]
                fcntl.flock(fh, fcntl.LOCK_UN)
    except OSError as exc:  # a read-only data dir still serves
        log.warning(
            "leftovers in %s not cleaned (upload age rule %g h): %s", store.root, hours, exc
        )
