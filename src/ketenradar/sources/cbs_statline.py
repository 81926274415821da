"""CBS StatLine tables (Statistics Netherlands) in CBS's OData CSV layout into a
``statline_table`` dataset (issue 18, item 1: the Dutch industrial-policy KPIs).

The kind ``statline_table`` is declared here (:data:`KIND`) and registered by one
entry-point line (group ``ketenradar.dataset_kinds``).

Layout read (the CSV download of opendata.cbs.nl; any StatLine table, Dutch or English):

* ``<table>_UntypedDataSet_<date>.csv`` (or ``_TypedDataSet_``): semicolon-separated, every
  field quoted, UTF-8 with BOM, values padded with spaces. Columns: ``ID``, one column per
  dimension holding codes (``DutchEconomy`` = ``B000579``), the time dimension
  (``Periods``/``Perioden`` = ``1990JJ00``, ``2020KW01``, ``2015MM01``) and one column per
  measure (``TotalCO2_1``, …).
* ``<table>_metadata.csv``: sections, each a line with its name and a header line:
  ``TableInfos`` (``Identifier``, ``Title``, ``Modified``), ``DataProperties`` (``Type``,
  ``Key``, ``Title``, ``Unit``: one row per ``Dimension``/``GeoDimension``,
  ``TimeDimension``, ``Topic`` (a measure) or ``TopicGroup`` (a heading, ignored)), then one
  section per dimension (``Key``, ``Title``) with its codes and their labels.

Both files of a table are needed; they are paired by the table id in their names. They may be
given as files, in folders, or inside a zip archive (the CBS download holds both).

Rules:

* One row of ``observations`` per table × dimension codes × period × measure, empty values
  included. ``period`` is CBS's code, ``period_start`` its first day, ``frequency`` ``year``
  (``JJ00``), ``quarter`` (``KW01``–``KW04``) or ``month`` (``MM01``–``MM12``); other
  period codes (half-years ``HJ``, …) are an error.
* **Dimensions.** With one non-time dimension, ``dimension`` is its key (``DutchEconomy``),
  ``code`` the code (spaces stripped: ``307500``) and ``code_label`` its title from the
  metadata. With several, the three columns hold the parts joined in the file's column order:
  ``dimension`` = ``Geslacht;Leeftijd``, ``code`` = ``3000;10000``, ``code_label`` =
  ``Mannen | Totaal``. With none (86103NED) the three are NULL.
* ``measure`` is the topic key, ``measure_label`` and ``unit`` its title and unit from the
  metadata (as published, e.g. ``mln kgs``, ``x mln``, ``mln m3``).
* ``value`` is the number; an empty cell, ``.`` (not available) or ``x`` (secret) is kept as
  NULL and counted per table and measure in a warning; anything else is an error.
* Strict (:class:`~ketenradar.core.errors.DataError` naming file, line and field; nothing is
  written): a data file without its metadata or the reverse, a table given twice, a missing
  metadata section or column, a data column the metadata does not declare (or a declared one
  missing), a code or period not in the metadata, a bad period code, a non-numeric value, a
  key given twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from ketenradar.core.errors import DataError, UsageError
from ketenradar.datasets import DataStore
from ketenradar.datasets.kinds import DatasetKind
from ketenradar.sources.archives import check_zip_members
from ketenradar.sources.base import IngestReport, Progress
from ketenradar.sources.tables import (
    ParsedSource,
    expand_paths,
    ingest_parsed,
)

PARSER_VERSION = "cbs_statline-1.0"
LICENCE = "CC BY 4.0 (CBS, Statistics Netherlands)"
CITATION = "CBS StatLine (Statistics Netherlands), opendata.cbs.nl; table(s) named in the release."

OBSERVATION_COLUMNS: dict[str, str] = {
    "table_id": "VARCHAR",  # 83300ENG
    "period": "VARCHAR",  # CBS period code: 1990JJ00, 2020KW01, 2015MM01
    "period_start": "DATE",  # first day of the period
    "frequency": "VARCHAR",  # year | quarter | month
    "dimension": "VARCHAR",  # DutchEconomy; several joined by ';'; NULL without dimension
    "code": "VARCHAR",  # 307500; several joined by ';'
    "code_label": "VARCHAR",  # C Manufacturing; several joined by ' | '
    "measure": "VARCHAR",  # topic key: GreenhouseGasEquivalents_6
    "measure_label": "VARCHAR",  # Greenhouse gas equivalents
    "unit": "VARCHAR",  # as in the metadata: mln kgs, mln m3, …
    "value": "DOUBLE",  # NULL for an empty cell, '.' or 'x'
    "source": "VARCHAR",  # the data file (archive!member inside a zip)
}

KIND = DatasetKind(
    "statline_table",
    tables={"observations": OBSERVATION_COLUMNS},
    load_hint="ketenradar data add cbs_statline ../shared/data/nl_kpis/cbs",
)

#: Cell contents CBS uses for a value that is not there: empty, ``.`` not available,
#: ``x`` secret. They become NULL (counted in a warning).
MISSING_MARKERS = frozenset({"", ".", "x"})
DIMENSION_TYPES = frozenset({"Dimension", "GeoDimension"})
IGNORED_TYPES = frozenset({"TopicGroup"})

_DATA_NAME = re.compile(r"^(?P<table>[A-Za-z0-9]+)_(?:Untyped|Typed)DataSet(?:_[^/]*)?\.csv$")
_META_NAME = re.compile(r"^(?P<table>[A-Za-z0-9]+)_metadata\.csv$")
_PERIOD = re.compile(r"^(\d{4})(JJ00|KW0[1-4]|MM(?:0[1-9]|1[0-2]))$")


@dataclass
class _Text:
    """One CSV of a table: where it comes from (file or archive!member) and its text."""

    origin: str
    table: str
    text: str


@dataclass
class Metadata:
    """What a ``<table>_metadata.csv`` says: the table, its properties and code labels."""

    table_id: str
    title: str
    modified: str
    dimensions: list[str] = field(default_factory=list)
    time_key: str = ""
    measures: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (title, unit)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # dimension → code → title


def parse_period(text: str, *, file: str, line: int, fld: str) -> tuple[dt.date, str]:
    """(first day, frequency) of a CBS period code; anything else is an error."""
    m = _PERIOD.match(text)
    if m is None:
        raise DataError(
            f"not a CBS period code like 1990JJ00, 2020KW01 or 2015MM01: {text!r}",
            file=file,
            line=line,
            field=fld,
        )
    year, part = int(m.group(1)), m.group(2)
    if part == "JJ00":
        return dt.date(year, 1, 1), "year"
    if part.startswith("KW"):
        return dt.date(year, 3 * int(part[2:]) - 2, 1), "quarter"
    return dt.date(year, int(part[2:]), 1), "month"


def parse_value(text: str, *, file: str, line: int, fld: str) -> float | None:
    """A number, or ``None`` for a CBS missing marker (:data:`MISSING_MARKERS`)."""
    s = text.strip()
    if s in MISSING_MARKERS:
        return None
    try:
        x = float(s)
    except ValueError:
        raise DataError(
            f"not a number nor a CBS marker (empty, '.', 'x'): {text!r}",
            file=file,
            line=line,
            field=fld,
        ) from None
    if not math.isfinite(x):
        raise DataError(f"not a finite number: {text!r}", file=file, line=line, field=fld)
    return x


def _label(text: str) -> str:
    return " ".join(text.split())


def _records(t: _Text) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of each record of a semicolon CSV (quoted newlines allowed)."""
    reader = csv.reader(io.StringIO(t.text, newline=""), delimiter=";")
    start = 1
    try:
        for rec in reader:
            yield start, rec
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(f"not a readable CSV: {exc}", file=t.origin, line=start) from exc


def _decode(data: bytes, origin: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text ({exc})", file=origin) from exc


def parse_metadata(t: _Text) -> Metadata:
    """Read a ``<table>_metadata.csv`` strictly (see the module docstring)."""
    sections: dict[str, tuple[int, list[str], list[tuple[int, list[str]]]]] = {}
    current: list[tuple[int, list[str]]] | None = None
    pending: tuple[int, str] | None = None
    for n, rec in _records(t):
        if not any(v.strip() for v in rec):
            continue
        if len(rec) == 1:
            pending = (n, rec[0].strip())
            current = None
            continue
        if pending is not None:
            name = pending[1]
            if name in sections:
                raise DataError(f"section '{name}' given twice", file=t.origin, line=pending[0])
            current = []
            sections[name] = (n, [h.strip() for h in rec], current)
            pending = None
            continue
        if current is None:
            raise DataError("a row outside any section", file=t.origin, line=n)
        current.append((n, rec))

    def section(name: str, need: tuple[str, ...]) -> tuple[dict[str, int], list]:
        if name not in sections:
            raise DataError(f"metadata section '{name}' missing", file=t.origin, field=name)
        hline, header, rows = sections[name]
        for col in need:
            if col not in header:
                raise DataError(
                    f"column '{col}' missing in metadata section '{name}'",
                    file=t.origin,
                    line=hline,
                    field=col,
                )
        for n, rec in rows:
            if len(rec) != len(header):
                raise DataError(
                    f"{len(rec)} fields where section '{name}' has {len(header)}",
                    file=t.origin,
                    line=n,
                )
        return {c: header.index(c) for c in header}, rows

    ix, rows = section("TableInfos", ("Identifier", "Title", "Modified"))
    if len(rows) != 1:
        raise DataError(
            f"section 'TableInfos' has {len(rows)} rows, expected 1", file=t.origin, field="Title"
        )
    n, rec = rows[0]
    ident = rec[ix["Identifier"]].strip()
    if ident != t.table:
        raise DataError(
            f"the metadata describes table {ident!r}, the file name says {t.table!r}",
            file=t.origin,
            line=n,
            field="Identifier",
        )
    meta = Metadata(ident, _label(rec[ix["Title"]]), rec[ix["Modified"]].strip()[:10])
    ix, rows = section("DataProperties", ("Type", "Key", "Title", "Unit"))
    for n, rec in rows:
        typ, key = rec[ix["Type"]].strip(), rec[ix["Key"]].strip()
        if typ in IGNORED_TYPES:
            continue
        if not key:
            raise DataError(f"a {typ} without a key", file=t.origin, line=n, field="Key")
        if typ in DIMENSION_TYPES:
            meta.dimensions.append(key)
        elif typ == "TimeDimension":
            if meta.time_key:
                raise DataError("a second time dimension", file=t.origin, line=n, field="Type")
            meta.time_key = key
        elif typ == "Topic":
            if key in meta.measures:
                raise DataError(f"topic {key!r} given twice", file=t.origin, line=n, field="Key")
            meta.measures[key] = (_label(rec[ix["Title"]]), _label(rec[ix["Unit"]]))
        else:
            raise DataError(
                f"property type {typ!r} is not read (Dimension, GeoDimension, TimeDimension, "
                "Topic, TopicGroup)",
                file=t.origin,
                line=n,
                field="Type",
            )
    if not meta.time_key:
        raise DataError("no TimeDimension in DataProperties", file=t.origin, field="Type")
    if not meta.measures:
        raise DataError("no Topic (measure) in DataProperties", file=t.origin, field="Type")
    for dim in [*meta.dimensions, meta.time_key]:
        ix, rows = section(dim, ("Key", "Title"))
        codes: dict[str, str] = {}
        for n, rec in rows:
            code = rec[ix["Key"]].strip()
            if not code or code in codes:
                raise DataError(
                    f"code {code!r} empty or given twice in section '{dim}'",
                    file=t.origin,
                    line=n,
                    field="Key",
                )
            codes[code] = _label(rec[ix["Title"]])
        meta.labels[dim] = codes
    return meta


def parse_data(t: _Text, meta: Metadata) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
    """Rows of ``observations`` from one data file, and the NULL count per measure."""
    records = _records(t)
    first = next(records, None)
    if first is None:
        raise DataError("empty file", file=t.origin)
    header = [h.strip() for h in first[1]]
    expected = ["ID", *meta.dimensions, meta.time_key, *meta.measures]
    for col in header:
        if col not in expected:
            raise DataError(
                f"column {col!r} is not declared in the table's metadata",
                file=t.origin,
                line=1,
                field=col,
            )
    for col in expected:
        if col not in header:
            raise DataError(
                f"column {col!r} declared in the metadata is missing (renamed?)",
                file=t.origin,
                line=1,
                field=col,
            )
    if len(set(header)) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise DataError(f"column {dup!r} given twice", file=t.origin, line=1, field=dup)
    ix = {c: header.index(c) for c in header}
    dims, tk = meta.dimensions, meta.time_key
    dimension = ";".join(dims) if dims else None
    name = t.origin.rsplit("/", 1)[-1]
    out: list[tuple[Any, ...]] = []
    missing: dict[str, int] = {}
    seen: dict[tuple[str, ...], int] = {}
    for n, rec in records:
        if not any(v.strip() for v in rec):
            continue
        if len(rec) != len(header):
            raise DataError(
                f"{len(rec)} fields where the header has {len(header)}", file=t.origin, line=n
            )
        codes, labels = [], []
        for d in dims:
            code = rec[ix[d]].strip()
            if code not in meta.labels[d]:
                raise DataError(
                    f"code {code!r} is not in the metadata's section '{d}'",
                    file=t.origin,
                    line=n,
                    field=d,
                )
            codes.append(code)
            labels.append(meta.labels[d][code])
        period = rec[ix[tk]].strip()
        start, freq = parse_period(period, file=t.origin, line=n, fld=tk)
        if period not in meta.labels[tk]:
            raise DataError(
                f"period {period!r} is not in the metadata's section '{tk}'",
                file=t.origin,
                line=n,
                field=tk,
            )
        key = (*codes, period)
        if key in seen:
            raise DataError(
                f"{' '.join(key)} given twice (first on line {seen[key]})",
                file=t.origin,
                line=n,
                field=tk,
            )
        seen[key] = n
        code = ";".join(codes) if dims else None
        code_label = " | ".join(labels) if dims else None
        head = (meta.table_id, period, start, freq, dimension, code, code_label)
        for m, (mlabel, unit) in meta.measures.items():
            v = parse_value(rec[ix[m]], file=t.origin, line=n, fld=m)
            if v is None:
                missing[m] = missing.get(m, 0) + 1
            out.append((*head, m, mlabel, unit, v, name))
    if not out:
        raise DataError("no data rows", file=t.origin)
    return out, missing


def _texts(files: Sequence[Path], named: set[Path]) -> tuple[list[_Text], list[_Text], list[str]]:
    """Data and metadata CSVs of the files (zip archives opened), and the skipped names."""
    data: list[_Text] = []
    meta: list[_Text] = []
    skipped: list[str] = []

    def take(name: str, origin: str, read: Any, explicit: bool) -> None:
        for pattern, bucket in ((_DATA_NAME, data), (_META_NAME, meta)):
            m = pattern.match(name)
            if m:
                bucket.append(_Text(origin, m.group("table"), _decode(read(), origin)))
                return
        if explicit:
            raise DataError(
                "not a CBS StatLine file name (expected <table>_UntypedDataSet_<date>.csv or "
                "<table>_metadata.csv, or a zip holding them)",
                file=origin,
            )
        skipped.append(origin)

    for f in files:
        if f.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(f) as zf:
                    members = [i for i in zf.infolist() if not i.is_dir()]
                    check_zip_members(zf, f, members)
                    for info in members:
                        base = info.filename.rsplit("/", 1)[-1]
                        take(base, f"{f}!{info.filename}", lambda i=info: zf.read(i), False)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
                raise DataError(f"not a readable zip archive ({exc})", file=f) from exc
        else:
            take(f.name, str(f), f.read_bytes, f in named)
    return data, meta, skipped


def parse_statline(paths: Sequence[Path], *, release: str | None = None) -> ParsedSource:
    """Parse CBS StatLine data + metadata CSVs (files, folders or zips) strictly."""
    files = expand_paths(paths, (".csv", ".zip"))
    named = {Path(p) for p in paths if Path(p).is_file()}
    data, metas, skipped = _texts(files, named)
    by_table: dict[str, _Text] = {}
    for t in metas:
        if t.table in by_table:
            raise DataError(
                f"metadata of table {t.table} given twice (also {by_table[t.table].origin})",
                file=t.origin,
            )
        by_table[t.table] = t
    data_by_table: dict[str, _Text] = {}
    for t in data:
        if t.table in data_by_table:
            raise DataError(
                f"table {t.table} given twice (also {data_by_table[t.table].origin}); "
                "ingest one download per table",
                file=t.origin,
            )
        if t.table not in by_table:
            raise DataError(
                f"data of table {t.table} without its metadata file {t.table}_metadata.csv",
                file=t.origin,
            )
        data_by_table[t.table] = t
    for table, t in by_table.items():
        if table not in data_by_table:
            raise DataError(
                f"metadata of table {table} without its data file "
                f"{table}_UntypedDataSet_<date>.csv",
                file=t.origin,
            )
    if not data_by_table:
        raise DataError("no CBS StatLine tables found", file=", ".join(map(str, paths)))
    rows: list[tuple[Any, ...]] = []
    warnings: list[str] = []
    tables: dict[str, dict[str, Any]] = {}
    for table in sorted(data_by_table):
        meta = parse_metadata(by_table[table])
        got, missing = parse_data(data_by_table[table], meta)
        rows += got
        if missing:
            top = sorted(missing.items(), key=lambda mk: -mk[1])
            warnings.append(
                f"{table}: {sum(missing.values())} empty value(s) ('', '.', 'x') kept as NULL "
                f"in {len(missing)} measure(s): "
                + ", ".join(f"{m} ({k})" for m, k in top[:5])
                + (", …" if len(top) > 5 else "")
            )
        tables[table] = {
            "title": meta.title,
            "modified": meta.modified,
            "dimensions": meta.dimensions,
            "measures": len(meta.measures),
        }
    if skipped:
        warnings.append(
            f"{len(skipped)} file(s) skipped, not CBS StatLine names: "
            + ", ".join(s.rsplit("/", 1)[-1] for s in skipped[:5])
        )
    df = pd.DataFrame(rows, columns=list(OBSERVATION_COLUMNS))
    df["value"] = df["value"].astype("float64")
    return ParsedSource(
        tables={"observations": df},
        inputs=[(f, "cbs_statline") for f in files if str(f) not in skipped],
        release=release
        or "CBS StatLine "
        + ", ".join(f"{k} (modified {v['modified']})" for k, v in tables.items()),
        attributes={"years": sorted({d.year for d in df["period_start"]}), "tables": tables},
        warnings=warnings,
    )


class CbsStatlineConnector:
    """CBS StatLine tables in the OData CSV layout (kind ``statline_table``)."""

    name: ClassVar[str] = "cbs_statline"
    kind: ClassVar[str] = "statline_table"  # KIND.name
    description: ClassVar[str] = "CBS StatLine tables (OData CSV: data + metadata), long format"

    def ingest(
        self,
        paths: Sequence[Path],
        store: DataStore,
        *,
        dataset_name: str | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> IngestReport:
        """Parse the files strictly and write dataset ``cbs_statline`` (or ``dataset_name``).

        Option ``release`` overrides the release label (default: ``CBS StatLine <table>
        (modified <date>), …`` from each table's metadata).
        """
        return ingest_parsed(
            self,
            parse_statline,
            paths,
            store,
            dataset_name=dataset_name,
            progress=progress,
            options=options,
            reading="reading CBS StatLine tables",
            licence=LICENCE,
            citation=CITATION,
            parser_version=PARSER_VERSION,
        )

    def fetch_url(self, base_url: str | None = None, **options: Any) -> tuple[str, str]:
        """(URL, file name) of a zip holding a table's data and metadata CSVs.

        CBS's live download address for this CSV layout is not verified from here, so
        ``base_url`` is required: either the full URL of such a zip (the file name is its last
        path segment), or, with option ``table`` (e.g. ``83300ENG``), a folder holding
        ``<table>.zip``.
        """
        table = options.pop("table", None)
        if options:
            raise UsageError(f"unknown option(s) for cbs_statline: {', '.join(options)}")
        if not base_url:
            raise UsageError(
                "cbs_statline needs --base-url: the URL of a zip holding "
                "<table>_UntypedDataSet_<date>.csv and <table>_metadata.csv (CBS's live "
                "download address is not built in)"
            )
        if table:
            if not re.fullmatch(r"[A-Za-z0-9]+", table):
                raise UsageError(f"not a CBS table id: {table!r}")
            return f"{base_url.rstrip('/')}/{table}.zip", f"{table}.zip"
        name = base_url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        if not name.lower().endswith(".zip") or not re.fullmatch(r"[\w.-]+", name):
            raise UsageError(
                f"--base-url must end in a zip's file name (or give option table): {base_url}"
            )
        return base_url, name
