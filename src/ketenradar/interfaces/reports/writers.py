"""Write result tables with their provenance: CSV, XLSX, Parquet, HTML (and the terminal).

* CSV: the table, plus a sidecar ``<file>.provenance.json`` (CSV has no place for metadata).
* XLSX: a sheet with the table and a sheet ``provenance``.
* Parquet: provenance as JSON in the file's key-value metadata (key ``ketenradar.core.provenance``).
* HTML: a self-contained report (see :mod:`ketenradar.modules.trade.report`).

Files are written to a temporary name and renamed into place, so a failed write leaves no
half-written output.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar.core.errors import UsageError
from ketenradar.core.provenance import provenance_lines

FORMATS = ("table", "csv", "xlsx", "parquet", "html")
PROVENANCE_KEY = b"ketenradar.core.provenance"


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _json_default(o: Any) -> Any:
    if isinstance(o, float) and (math.isnan(o) or math.isinf(o)):
        return str(o)
    return str(o)


def provenance_json(prov: dict[str, Any]) -> str:
    """Provenance as pretty JSON."""
    return json.dumps(prov, indent=2, default=_json_default)


def write_csv(df: pd.DataFrame, path: Path | None) -> None:
    """CSV to ``path`` (with a provenance sidecar) or to standard output."""
    if path is None:
        df.to_csv(sys.stdout, index=False)
        prov = df.attrs.get("provenance")
        if prov:  # standard output has no room for it: the provenance goes to stderr
            for line in provenance_lines(prov):
                print(f"# {line}", file=sys.stderr)
        return
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)
    prov = df.attrs.get("provenance")
    if prov:
        side = path.with_name(path.name + ".provenance.json")
        with atomic_path(side) as tmp:
            tmp.write_text(provenance_json(prov) + "\n")


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Parquet with provenance in the key-value metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    prov = df.attrs.get("provenance")
    if prov:
        meta = dict(table.schema.metadata or {})
        meta[PROVENANCE_KEY] = provenance_json(prov).encode()
        table = table.replace_schema_metadata(meta)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    """One sheet per frame plus a ``provenance`` sheet (from the first frame's attrs)."""
    prov = next((d.attrs.get("provenance") for d in sheets.values() if d.attrs), None)
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="xlsxwriter") as xw:
        for name, df in sheets.items():
            out = df.copy()
            for c in out.columns:
                # Excel has no infinity: write it as text so nothing is lost.
                if out[c].dtype == float and out[c].isin([math.inf, -math.inf]).any():
                    out[c] = (
                        out[c]
                        .astype(object)
                        .where(~out[c].isin([math.inf, -math.inf]), out[c].astype(str))
                    )
            out.to_excel(xw, sheet_name=name[:31], index=False)
            ws = xw.sheets[name[:31]]
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(len(out), 1), max(len(out.columns) - 1, 0))
        if prov:
            lines = provenance_lines(prov)
            pd.DataFrame({"provenance": lines}).to_excel(xw, sheet_name="provenance", index=False)
            xw.sheets["provenance"].set_column(0, 0, 140)


def write_frame(
    df: pd.DataFrame,
    fmt: str,
    output: Path | None,
    *,
    sheet: str = "result",
) -> None:
    """Write ``df`` in ``fmt`` (csv, xlsx or parquet) to ``output``."""
    if fmt == "csv":
        write_csv(df, output)
    elif fmt in ("xlsx", "parquet"):
        if output is None:
            raise UsageError(f"--format {fmt} needs --output PATH")
        if fmt == "xlsx":
            write_xlsx({sheet: df}, output)
        else:
            write_parquet(df, output)
    else:
        raise UsageError(f"unknown format '{fmt}' (use one of {', '.join(FORMATS)})")
