"""Write result tables with their provenance and column schema: CSV, XLSX, Parquet, HTML.

Every writer takes a DataFrame (provenance in ``df.attrs["provenance"]``, the schema as
``columns=``) or a :class:`~ketenradar.core.results.Result` (tables, provenance and schema
together):

* CSV: the table, plus a sidecar ``<file>.provenance.json`` (CSV has no place for metadata):
  the provenance record, and under ``columns`` every column's name, label, unit and
  description when the schema is known.
* XLSX: a sheet per table, a sheet ``provenance`` and, when the schema is known, a sheet
  ``columns`` (sheet, column, label, unit, description).
* Parquet: provenance as JSON in the file's key-value metadata (key ``ketenradar.provenance``);
  each column's label, label key, unit and description in its field metadata.
* HTML: a self-contained report (see :mod:`ketenradar.modules.trade.report`).

Labels are the English texts of the columns' message keys. Without a schema (an ad-hoc frame)
the files hold the table and its provenance only. Files are written to a temporary name and
renamed into place, so a failed write leaves no half-written output.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from ketenradar.core.errors import UsageError
from ketenradar.core.files import atomic_path
from ketenradar.core.modules import Column
from ketenradar.core.provenance import provenance_lines
from ketenradar.core.results import Provenance, Result, frame_schema

FORMATS = ("table", "csv", "xlsx", "parquet", "html")
PROVENANCE_KEY = b"ketenradar.provenance"
#: The language of the labels written into files.
LABEL_LANGUAGE = "en"
#: The sheets the XLSX writer adds next to the tables.
PROVENANCE_SHEET = "provenance"
COLUMNS_SHEET = "columns"


def _json_default(o: Any) -> Any:
    if isinstance(o, float) and (math.isnan(o) or math.isinf(o)):
        return str(o)
    return str(o)


def _record(prov: Any) -> dict[str, Any] | None:
    """A provenance as the plain record (``None`` when there is none)."""
    if isinstance(prov, Provenance):
        return prov.to_dict()
    return prov or None


def provenance_json(prov: dict[str, Any] | Provenance) -> str:
    """Provenance as pretty JSON."""
    return json.dumps(_record(prov), indent=2, default=_json_default)


def column_rows(columns: Sequence[Column], lang: str = LABEL_LANGUAGE) -> list[dict[str, str]]:
    """The schema as rows: ``name``, ``label`` (the text in ``lang``), ``label_key``, ``unit``,
    ``description`` (empty texts for a column the schema does not know)."""
    from ketenradar.interfaces.web.i18n import gettext

    return [
        {
            "name": c.name,
            "label": gettext(lang, c.label) if c.label else "",
            "label_key": c.label,
            "unit": c.unit,
            "description": c.description,
        }
        for c in columns
    ]


def _frame(
    data: pd.DataFrame | Result, columns: Sequence[Column] | None
) -> tuple[pd.DataFrame, dict[str, Any] | None, tuple[Column, ...]]:
    """The one table of ``data``, its provenance record and the schema of its columns (empty
    when none is known)."""
    if isinstance(data, Result):
        name = data.name()
        df = data.tables[name]
        schema = frame_schema(df, columns) if columns is not None else data.schema(name)
        return df, data.provenance.to_dict(), schema
    schema = frame_schema(data, columns) if columns else ()
    return data, _record(data.attrs.get("provenance")), schema


def write_csv(
    data: pd.DataFrame | Result,
    path: Path | None,
    *,
    columns: Sequence[Column] | None = None,
    provenance_to: TextIO | None = None,
) -> None:
    """CSV to ``path`` (with a provenance sidecar listing the columns) or to standard output.
    Standard output has no room for the provenance: it goes to ``provenance_to`` (the CLI
    passes standard error when the command was given ``--provenance``), else nowhere."""
    df, prov, schema = _frame(data, columns)
    if path is None:
        df.to_csv(sys.stdout, index=False)
        if prov and provenance_to is not None:
            for line in provenance_lines(prov):
                print(f"# {line}", file=provenance_to)
        return
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)
    if prov or schema:
        side = path.with_name(path.name + ".provenance.json")
        record = dict(prov or {})
        if schema:
            record["columns"] = column_rows(schema)
        with atomic_path(side) as tmp:
            tmp.write_text(provenance_json(record) + "\n")


def write_parquet(
    data: pd.DataFrame | Result, path: Path, *, columns: Sequence[Column] | None = None
) -> None:
    """Parquet with the provenance in the key-value metadata and each known column's label,
    unit and description in its field metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    df, prov, schema = _frame(data, columns)
    table = pa.Table.from_pandas(df, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    if prov:
        meta[PROVENANCE_KEY] = provenance_json(prov).encode()
    known = {r["name"]: r for r in column_rows([c for c in schema if c.label or c.description])}
    fields = []
    for f in table.schema:
        row = known.get(f.name)
        if row is not None:
            extra = {k: v for k, v in row.items() if k != "name" and v}
            f = f.with_metadata(
                {**(f.metadata or {}), **{k.encode(): v.encode() for k, v in extra.items()}}
            )
        fields.append(f)
    table = pa.Table.from_arrays(table.columns, schema=pa.schema(fields, metadata=meta))
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with infinities as text (Excel has none), so nothing is lost."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == float and out[c].isin([math.inf, -math.inf]).any():
            out[c] = (
                out[c].astype(object).where(~out[c].isin([math.inf, -math.inf]), out[c].astype(str))
            )
    return out


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame] | Result,
    path: Path,
    *,
    columns: Mapping[str, Sequence[Column]] | None = None,
) -> None:
    """One sheet per table, a ``provenance`` sheet (the result's, or the first frame's attrs)
    and, when a schema is known (``columns`` by sheet, or the result's), a ``columns`` sheet."""
    if isinstance(sheets, Result):
        result = sheets
        frames: Mapping[str, pd.DataFrame] = result.tables
        prov = result.provenance.to_dict()
        schemas = {n: result.schema(n) for n in frames}
        if columns is not None:
            schemas |= {n: frame_schema(frames[n], c) for n, c in columns.items() if n in frames}
    else:
        frames = sheets
        prov = _record(next((d.attrs.get("provenance") for d in frames.values() if d.attrs), None))
        unknown = sorted(set(columns or {}) - set(frames))
        if unknown:
            raise UsageError(
                f"column schema for sheet(s) {', '.join(unknown)} that are not written"
            )
        schemas = {n: frame_schema(frames[n], c) for n, c in (columns or {}).items() if c}
    schemas = {n: s for n, s in schemas.items() if s}
    reserved = ([PROVENANCE_SHEET] if prov else []) + ([COLUMNS_SHEET] if schemas else [])
    clash = [n for n in frames if n[:31] in reserved]
    if clash:
        raise UsageError(
            f"a table may not be named {' or '.join(clash)}: the workbook uses that sheet"
        )
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="xlsxwriter") as xw:
        for name, df in frames.items():
            out = _excel_safe(df)
            out.to_excel(xw, sheet_name=name[:31], index=False)
            ws = xw.sheets[name[:31]]
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(len(out), 1), max(len(out.columns) - 1, 0))
        if prov:
            lines = provenance_lines(prov)
            sheet = pd.DataFrame({PROVENANCE_SHEET: lines})
            sheet.to_excel(xw, sheet_name=PROVENANCE_SHEET, index=False)
            xw.sheets[PROVENANCE_SHEET].set_column(0, 0, 140)
        if schemas:
            rows = [
                {
                    "sheet": name[:31],
                    "column": r["name"],
                    "label": r["label"],
                    "unit": r["unit"],
                    "description": r["description"],
                }
                for name, schema in schemas.items()
                for r in column_rows(schema)
            ]
            pd.DataFrame(rows).to_excel(xw, sheet_name=COLUMNS_SHEET, index=False)
            ws = xw.sheets[COLUMNS_SHEET]
            ws.freeze_panes(1, 0)
            for i, width in enumerate((16, 28, 44, 12, 100)):
                ws.set_column(i, i, width)


def write_frame(
    data: pd.DataFrame | Result,
    fmt: str,
    output: Path | None,
    *,
    sheet: str = "result",
    columns: Sequence[Column] | None = None,
    provenance_to: TextIO | None = None,
) -> None:
    """Write ``data`` in ``fmt`` (csv, xlsx or parquet) to ``output``; ``columns`` is the
    schema of a DataFrame's columns (a :class:`Result` carries its own). CSV and Parquet hold
    one table; XLSX every table of a result. ``provenance_to``: see :func:`write_csv`."""
    if fmt == "csv":
        write_csv(data, output, columns=columns, provenance_to=provenance_to)
    elif fmt in ("xlsx", "parquet"):
        if output is None:
            raise UsageError(f"--format {fmt} needs --output PATH")
        if fmt == "parquet":
            write_parquet(data, output, columns=columns)
        elif isinstance(data, Result):
            write_xlsx(data, output)
        else:
            write_xlsx({sheet: data}, output, columns={sheet: columns} if columns else None)
    else:
        raise UsageError(f"unknown format '{fmt}' (use one of {', '.join(FORMATS)})")
