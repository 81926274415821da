"""Downloads: every table and chart of the web app as CSV, XLSX and Parquet, all rows.

One mechanism for every module. A download route sits beside the JSON route it mirrors
(``/api/v1/dependencies`` → ``/api/v1/dependencies.csv``, ``.xlsx``, ``.parquet``), takes the
same query parameters, and answers the **full** result those parameters select (every row,
never only the page on screen) through :func:`respond`, which writes the files with the
CLI's writers (:mod:`ketenradar.interfaces.reports.writers`), so a download carries what a CLI
file carries:

* **CSV**: the table. CSV has no room for metadata, so the provenance is a sidecar as on the
  command line: ``<url>.csv.provenance.json`` (same path and query, ``.csv`` →
  ``.csv.provenance.json``), named in the response's ``Link`` header
  (``rel="describedby"``), holding the provenance record and every column's label, unit and
  description. ``pandas.read_csv(url)`` reads the CSV as it is.
* **XLSX**: one sheet per table of the view (the whole page), a ``provenance`` sheet and a
  ``columns`` sheet (labels, units, descriptions).
* **Parquet**: the table, the provenance in the file's key-value metadata
  (``ketenradar.provenance``) and each column's label, unit and description in its field
  metadata.

The provenance names the method (with its reference), thresholds and parameters, every
dataset behind the tables (release, version, licence, citation and the sha256 of each input
file, from the facts manifest) and the request that made the file (``command``).

Numbers are written without float noise: every float is rounded to
:data:`SIGNIFICANT_DIGITS` significant digits at write time (``0.1 + 0.2`` is written as
``0.3``); the provenance's ``parameters`` say so (``significant_digits``).

Templates render the three links with the macro ``downloads`` of ``_downloads.html``.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

import numpy as np
import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from starlette.convertors import Convertor, register_url_convertor

from ketenradar.core.errors import UsageError
from ketenradar.core.modules import Column
from ketenradar.core.modules import columns as fact_columns
from ketenradar.core.provenance import new_provenance
from ketenradar.core.results import Provenance, Result, frame_schema
from ketenradar.interfaces.reports import writers
from ketenradar.results.facts import Facts

#: Significant digits every float of a download is rounded to.
SIGNIFICANT_DIGITS = 12

#: The formats of a download and what each answers with.
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "csv.provenance.json": "application/json",
}
#: The formats links offer (the sidecar is reached from the CSV).
FORMATS = ("csv", "xlsx", "parquet")
SIDECAR = "csv.provenance.json"

Format = Literal["csv", "xlsx", "parquet", "csv.provenance.json"]
#: The OpenAPI description of the ``fmt`` path parameter.
FORMAT_DESCRIPTION = (
    "csv (provenance in the sidecar csv.provenance.json, linked from the Link header), "
    "xlsx (provenance and columns sheets) or parquet (provenance in the file metadata)"
)
#: The ``fmt`` path parameter of a download route (``/api/v1/<view>.{fmt:download}``).
FormatParam = Annotated[Format, PathParam(description=FORMAT_DESCRIPTION)]
#: The ``table`` query parameter of a view with several tables.
TABLE_DESCRIPTION = "the table CSV and Parquet hold (XLSX holds every table of the view)"
#: What a download route answers (for its OpenAPI ``responses``).
OPENAPI: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file: CSV, XLSX or Parquet, every row of the view, with its "
        "provenance (CSV: the sidecar named in the Link header)",
        "content": {t.split(";")[0]: {} for t in MEDIA_TYPES.values()},
    }
}


class _FormatConvertor(Convertor[str]):
    """``{fmt:download}`` in a route path: one of the download formats (so that
    ``/products/260300.csv.provenance.json`` splits as ``260300`` and the sidecar)."""

    regex = r"csv\.provenance\.json|csv|xlsx|parquet"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("download", _FormatConvertor())


def rounded(df: pd.DataFrame, digits: int = SIGNIFICANT_DIGITS) -> pd.DataFrame:
    """``df`` with every float rounded to ``digits`` significant digits (NaN and ±inf kept):
    the decimal a person would write, without binary float noise."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if not pd.api.types.is_float_dtype(s.dtype):
            continue
        x = s.to_numpy(dtype=float, na_value=np.nan)
        ok = np.isfinite(x) & (x != 0)
        mag = np.zeros_like(x)
        mag[ok] = np.floor(np.log10(np.abs(x[ok])))
        k = (digits - 1 - mag).astype(int)
        y = x.copy()
        # n / 10**k (or n * 10**-k) with exact integers is the double nearest the decimal
        pos = ok & (k >= 0) & (k <= 22)
        y[pos] = np.round(x[pos] * 10.0 ** k[pos]) / 10.0 ** k[pos]
        neg = ok & (k < 0) & (k >= -22)
        y[neg] = np.round(x[neg] / 10.0 ** (-k[neg])) * 10.0 ** (-k[neg])
        out[col] = pd.Series(y, index=s.index, dtype=s.dtype)
    return out


def frame(rows: pd.DataFrame | Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A table of a view as a DataFrame (views return record lists as often as frames)."""
    if isinstance(rows, pd.DataFrame):
        return rows.reset_index(drop=True)
    return pd.DataFrame(list(rows))


def schema_of(*tables: str) -> tuple[Column, ...]:
    """The column schema of fact tables ``tables`` merged (the first definition of a name
    wins), for a view whose columns come from those tables."""
    seen: dict[str, Column] = {}
    for t in tables:
        for c in fact_columns(t):
            seen.setdefault(c.name, c)
    return tuple(seen.values())


def command_of(request: Request) -> str:
    """The request that made a download, as the provenance's ``command``."""
    path = request.url.path
    if path.endswith(f".{SIDECAR}"):  # the sidecar describes the CSV
        path = path[: -len(SIDECAR)] + "csv"
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{request.method} {path}{query}"  # POST: the what-if or shock of the JSON body


def facts_datasets(facts: Facts, tables: Sequence[str]) -> list[dict[str, Any]]:
    """The dataset records (release, version, licence, citation, input checksums) behind
    fact tables ``tables``, as the facts manifest lists them."""
    m = facts.manifest()
    wanted: list[str] = []
    for t in tables:
        for d in m["tables"].get(t, {}).get("datasets", []):
            if d not in wanted:
                wanted.append(d)
    by_name: dict[str, dict[str, Any]] = {}
    for d in m["datasets"]:
        by_name.setdefault(d["dataset"], d)
    return [dict(by_name[d]) for d in wanted if d in by_name]


def facts_provenance(
    request: Request,
    facts: Facts,
    tables: Sequence[str],
    *,
    analysis: str,
    methods: Sequence[str],
    parameters: Mapping[str, Any],
    thresholds: Mapping[str, Any] | None = None,
    notes: Sequence[str] = (),
) -> Provenance:
    """The provenance of a view read from fact tables ``tables``: the method, thresholds and
    parameters, the datasets behind the tables (with checksums) and, as notes, which build
    served each table (the user's store or the starter pack) and what it holds."""
    foot = facts.footer(list(tables))
    built = [
        f"table {t} ({foot['origin'][t]}, built {foot['built_at']} by {foot['tool']}): {d}"
        for t, d in foot["tables"].items()
    ]
    return new_provenance(
        analysis=analysis,
        methods=list(methods),
        datasets=facts_datasets(facts, tables),
        parameters={k: v for k, v in parameters.items() if v is not None}
        | {"significant_digits": SIGNIFICANT_DIGITS},
        thresholds=dict(thresholds or {}),
        command=command_of(request),
        notes=[*notes, *built],
    )


def computed_provenance(
    request: Request,
    *,
    analysis: str,
    methods: Sequence[str],
    datasets: Sequence[Mapping[str, Any]],
    parameters: Mapping[str, Any],
    thresholds: Mapping[str, Any] | None = None,
    notes: Sequence[str] = (),
) -> Provenance:
    """The provenance of a result computed for this request (what-if, BOM, shock) from
    ``datasets`` (provenance records: release, licence, citation, input checksums)."""
    return new_provenance(
        analysis=analysis,
        methods=list(methods),
        datasets=[dict(d) for d in datasets],
        parameters={k: v for k, v in parameters.items() if v is not None}
        | {"significant_digits": SIGNIFICANT_DIGITS},
        thresholds=dict(thresholds or {}),
        command=command_of(request),
        notes=list(notes),
    )


def record_provenance(request: Request, record: Mapping[str, Any]) -> Provenance:
    """A computed result's own provenance record (``df.attrs["provenance"]``), with this
    request as its ``command`` and the rounding among its parameters."""
    prov = Provenance.from_dict(record)
    params = {**prov.parameters, "significant_digits": SIGNIFICANT_DIGITS}
    return replace(prov, command=command_of(request), parameters=params)


_SAFE = re.compile(r"[^A-Za-z0-9_.+-]+")


def filename(*parts: Any) -> str:
    """A file stem from ``parts`` (``None`` and empty parts left out, unsafe characters →
    ``-``)."""
    return "_".join(_SAFE.sub("-", str(p)) for p in parts if p not in (None, "")) or "download"


def _sidecar_url(request: Request) -> str:
    path = request.url.path
    if path.endswith(".csv"):
        path = path[: -len("csv")] + SIDECAR
    return path + (f"?{request.url.query}" if request.url.query else "")


def respond(
    request: Request,
    result: Result,
    fmt: str,
    stem: str,
    *,
    table: str | None = None,
) -> Response:
    """``result`` as a download in ``fmt`` (csv, xlsx, parquet, or the CSV's provenance
    sidecar ``csv.provenance.json``), saved as ``<stem>.<fmt>``.

    CSV and Parquet hold one table (``table``, default the result's first); XLSX every table.
    Floats are rounded to :data:`SIGNIFICANT_DIGITS` significant digits."""
    if fmt not in MEDIA_TYPES:
        raise UsageError(
            f"unknown download format '{fmt}' (use one of {', '.join(MEDIA_TYPES)})", field="fmt"
        )
    name = table or next(iter(result.tables))
    if name not in result.tables:
        raise UsageError(f"no table '{name}' (tables: {', '.join(result.tables)})", field="table")
    if len(result.tables) > 1 and fmt != "xlsx":
        stem = f"{stem}_{name}"
    tables = {n: rounded(df) for n, df in result.tables.items()}
    # every column listed (a bare entry where no schema knows it), as in the CLI's files
    schemas = {
        n: tuple(result.columns.get(n, ())) or frame_schema(df, ()) for n, df in tables.items()
    }
    full = Result(tables, result.provenance, schemas)
    one = Result({name: tables[name]}, result.provenance, {name: schemas[name]})
    with tempfile.TemporaryDirectory(prefix="ketenradar-download-") as tmp:
        path = Path(tmp) / f"{stem}.{'csv' if fmt == SIDECAR else fmt}"
        if fmt in ("csv", SIDECAR):
            writers.write_csv(one, path)
            if fmt == SIDECAR:
                path = path.with_name(path.name + ".provenance.json")
        elif fmt == "parquet":
            writers.write_parquet(one, path)
        else:
            writers.write_xlsx(full, path)
        body = path.read_bytes()
    headers = {"Content-Disposition": f'attachment; filename="{path.name}"'}
    if fmt == "csv":
        headers["Link"] = (
            f'<{quote(_sidecar_url(request), safe="/?&=%+.,:;_-")}>; rel="describedby"; '
            'type="application/json"'
        )
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)


def result_of(
    tables: Mapping[str, pd.DataFrame | Sequence[Mapping[str, Any]]],
    provenance: Provenance,
    columns: Sequence[Column] | Mapping[str, Sequence[Column]] = (),
) -> Result:
    """A :class:`Result` of a view's tables (frames or record lists); ``columns`` is one
    schema for every table or a schema per table."""
    frames = {n: frame(rows) for n, rows in tables.items()}
    if isinstance(columns, Mapping):
        schema = {n: tuple(c) for n, c in columns.items() if n in frames}
    else:
        schema = {n: tuple(columns) for n in frames} if columns else {}
    return Result(frames, provenance, schema)


# --------------------------------------------------------------------------------------------
# The data page's tables (the shell's own page)

router = APIRouter(prefix="/api/v1", tags=["downloads"])
DataTable = Annotated[
    Literal["datasets", "fact_tables"],
    Query(description="datasets (one row per input file) or fact_tables"),
]
DATA_COLUMNS = (
    Column("origin", "origin", "", "starter pack (shipped) or store (loaded by you)"),
    Column("dataset", "dataset", "", "The dataset's name in the store or starter pack"),
    Column("release", "release", "", "The publisher's release"),
    Column("licence", "licence", "", "The dataset's licence"),
    Column("file", "input_files", "", "An input file the dataset was parsed from"),
    Column("sha256", "download_col_sha256", "", "The SHA-256 checksum of that input file"),
)


def data_tables(facts: Facts, data_dir: Path) -> dict[str, pd.DataFrame]:
    """The data page's tables in full: every dataset of the starter pack and the store, one
    row per input file with its checksum, and the fact tables served."""
    from ketenradar.interfaces.web.data_page import datasets

    d = datasets(facts, data_dir)
    rows = []
    for origin, sets in (("starter pack", d["starter"]["datasets"]), ("store", d["store"])):
        for ds in sets:
            base = {
                "origin": origin,
                "dataset": ds.get("dataset"),
                "kind": ds.get("kind"),
                "source": ds.get("source"),
                "release": ds.get("release"),
                "version": ds.get("version"),
                "licence": ds.get("licence"),
                "citation": ds.get("citation"),
            }
            for i in ds.get("inputs") or [{}]:
                rows.append(base | {"file": i.get("file"), "sha256": i.get("sha256")})
    return {"datasets": pd.DataFrame(rows), "fact_tables": pd.DataFrame(d["starter"]["tables"])}


@router.get("/datasets.{fmt:download}", response_class=Response, responses=OPENAPI)
def datasets_download(
    request: Request, fmt: FormatParam, table: DataTable = "datasets"
) -> Response:
    """The data page: every dataset behind the monitor (starter pack and your store), one row
    per input file with its SHA-256, and the fact tables served (``fact_tables``)."""
    facts = request.app.state.facts
    tables = data_tables(facts, request.app.state.settings.data_dir)
    prov = computed_provenance(
        request,
        analysis="datasets and fact tables served",
        methods=["inventory of the data store and the starter pack (no computation)"],
        datasets=facts.manifest()["datasets"],
        parameters={},
    )
    result = result_of(tables, prov, {"datasets": DATA_COLUMNS})
    return respond(request, result, fmt, "datasets", table=table)
