"""Write a dataset made of small tables (the non-trade sources: USGS, EU CRM, WGI, WMD).

A connector for such a source parses its files into pandas DataFrames (strictly: a bad file
raises :class:`~ketenradar.core.errors.DataError` before anything is written) and hands them here.
This module does the rest the same way for every source: checksums, Parquet tables, the
manifest, idempotence (same inputs → ``changed=False``) and the atomic switch to the new
version through :meth:`DataStore.stage`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ketenradar.core.errors import DataError, UsageError
from ketenradar.datasets import DataStore, InputFile, Manifest
from ketenradar.datasets.datastore import validate_name
from ketenradar.datasets.kinds import canonical_tables, optional_tables
from ketenradar.sources.base import IngestReport, Progress
from ketenradar.sources.download import sha256_file


@dataclass
class ParsedSource:
    """What a parser returns: the tables, and what the manifest should say about them."""

    tables: dict[str, pd.DataFrame]
    inputs: list[tuple[Path, str]]  # (file, role)
    release: str
    attributes: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class LaterFileWins:
    """Keyed values merged from several files of one layout, the file given later winning;
    the keys whose values differ are counted per pair of files (:meth:`warnings`), never
    replaced silently. ``what`` names the values in the warnings (``price(s)``)."""

    def __init__(self, what: str) -> None:
        self.what = what
        #: key → (value, what else the row carries, the file's name)
        self.kept: dict[Hashable, tuple[Any, Any, str]] = {}
        self._differ: dict[tuple[str, str], list[tuple[Hashable, Any, Any]]] = {}

    def add(self, key: Hashable, value: Any, file: str, extra: Any = None) -> None:
        """Keep ``value`` for ``key`` (from ``file``), replacing an earlier file's."""
        old = self.kept.get(key)
        if old is not None and old[0] != value:
            self._differ.setdefault((old[2], file), []).append((key, old[0], value))
        self.kept[key] = (value, extra, file)

    def warnings(self, show_key: Callable[[Any], str]) -> list[str]:
        """One warning per pair of files whose values differ, with the count and examples
        (``show_key`` writes a key as the reader knows it)."""
        out = []
        for (a, b), items in self._differ.items():
            ex = "; ".join(f"{show_key(k)}: {o} → {n}" for k, o, n in items[:3])
            out.append(
                f"{len(items)} {self.what} differ between {a} and {b}; kept those of {b}, the "
                f"file given later (e.g. {ex})"
            )
        return out


def expand_paths(paths: Sequence[Path], suffixes: tuple[str, ...]) -> list[Path]:
    """Files given, plus the files with one of ``suffixes`` inside given folders (sorted)."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in suffixes)
        elif p.is_file():
            out.append(p)
        else:
            raise DataError("no such file or folder", file=p)
    if not out:
        raise DataError(f"no {'/'.join(suffixes)} files found", file=", ".join(map(str, paths)))
    return out


def check_columns(kind: str, tables: dict[str, pd.DataFrame]) -> None:
    """Every canonical table of ``kind`` is present with exactly its canonical columns."""
    expected = dict(canonical_tables(kind))
    for table, columns in optional_tables(kind).items():
        if table in tables:
            expected[table] = columns
    for table, columns in expected.items():
        if table not in tables:
            raise RuntimeError(f"parser produced no '{table}' table for kind {kind}")
        got = list(tables[table].columns)
        if got != list(columns):
            raise RuntimeError(f"table '{table}' has columns {got}, expected {list(columns)}")


def _arrow(df: pd.DataFrame, columns: dict[str, str]) -> pa.Table:
    types = {
        "VARCHAR": pa.string(),
        "DOUBLE": pa.float64(),
        "SMALLINT": pa.int16(),
        "INTEGER": pa.int32(),
        "BOOLEAN": pa.bool_(),
        "DATE": pa.date32(),
    }
    schema = pa.schema([(c, types[t]) for c, t in columns.items()])
    return pa.Table.from_pandas(df, schema=schema, preserve_index=False)


def write_tables_dataset(
    store: DataStore,
    *,
    name: str,
    source: str,
    kind: str,
    parsed: ParsedSource,
    licence: str,
    citation: str,
    parser_version: str,
) -> IngestReport:
    """Write ``parsed`` as dataset ``name`` (new version) unless its inputs are unchanged."""
    validate_name(name)
    check_columns(kind, parsed.tables)
    inputs = []
    for path, role in parsed.inputs:
        sha = sha256_file(path)
        inputs.append(InputFile(path.name, sha, path.stat().st_size, role, None, (), str(path)))
    previous = store.find(name)
    if previous is not None:
        old = {(i.name, i.sha256) for i in previous.manifest.inputs}
        new = {(i.name, i.sha256) for i in inputs}
        if old == new and previous.manifest.parser_version == parser_version:
            return IngestReport(name, False, previous.manifest, list(parsed.warnings))
    with store.stage(name) as staged:
        table_info: dict[str, Any] = {}
        optional = {t: c for t, c in optional_tables(kind).items() if t in parsed.tables}
        for table, columns in {**canonical_tables(kind), **optional}.items():
            df = parsed.tables[table]
            pq.write_table(
                _arrow(df, columns),
                staged.table_dir(table) / f"{table}.parquet",
                compression="zstd",
            )
            info: dict[str, Any] = {"rows": len(df)}
            if "year" in df.columns and len(df):
                info["years"] = sorted(int(y) for y in df["year"].dropna().unique())
            table_info[table] = info
        manifest = Manifest(
            name=name,
            source=source,
            kind=kind,
            release=parsed.release,
            licence=licence,
            citation=citation,
            parser_version=parser_version,
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
            version=staged.version,
            inputs=inputs,
            tables=table_info,
            attributes=parsed.attributes,
            warnings=list(parsed.warnings),
        )
        manifest.write(staged.path)
    return IngestReport(name, True, manifest, list(parsed.warnings))


def ingest_parsed(
    connector: Any,
    parse: Callable[..., ParsedSource],
    paths: Sequence[Path],
    store: DataStore,
    *,
    dataset_name: str | None,
    progress: Progress | None,
    options: dict[str, Any],
    reading: str,
    licence: str,
    citation: str,
    parser_version: str,
) -> IngestReport:
    """The ``ingest`` of a connector whose one option is ``release`` (the release label):
    any other option is refused, ``reading`` is reported, ``parse(paths, release=…)`` reads
    the files strictly, and the tables are written as dataset ``dataset_name`` (default the
    connector's name) of the connector's kind."""
    options = dict(options)
    release = options.pop("release", None)
    if options:
        raise UsageError(f"unknown option(s) for {connector.name}: {', '.join(options)}")
    if progress:
        progress(reading, 0, None)
    return write_tables_dataset(
        store,
        name=dataset_name or connector.name,
        source=connector.name,
        kind=connector.kind,
        parsed=parse(paths, release=release),
        licence=licence,
        citation=citation,
        parser_version=parser_version,
    )
