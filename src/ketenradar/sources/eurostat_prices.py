"""Eurostat electricity prices for non-household consumers (``nrg_pc_205``, half-yearly) into an
``electricity_prices`` dataset (issue 18, item 1).

The kind ``electricity_prices`` is declared here (:data:`KIND`) and registered by one
entry-point line (group ``ketenradar.dataset_kinds``); no central list is edited.

Three layouts of the same Eurostat dataset are read, each recognised by its suffix and
content (a folder is searched; files of another layout in a folder are skipped with a
warning, a file named explicitly must be one of them):

* **Eurostat's TSV** (the bulk download and the SDMX API's ``format=TSV``; ``.tsv``, also
  gzip-compressed ``.tsv.gz``): first column ``freq,siec,nrg_cons,unit,tax,currency,
  geo\\TIME_PERIOD`` (the dimension codes, in any order), then one tab-separated cell per
  half-year ``YYYY-S1``/``YYYY-S2``. A cell is a number, ``:`` (not available), or either
  followed by flag letters (``0.1234 p``, ``: c``).
* **Eurostat's "custom spreadsheet" export** (``.xlsx``): sheets ``Sheet N`` (one
  combination of energy consumption band, taxes and currency each, named in the rows above
  the table) with their ``Flags N`` sheets; the table's header row is the row starting with
  ``TIME`` (the half-years), followed by ``GEO (Labels)`` (or ``GEO (Codes)``) and one row
  per country or aggregate, until the first empty row. The release is read from the lines
  ``Data extracted on DD/MM/YYYY …`` and ``Last updated: DD/MM/YYYY …``.
* **A tidy CSV** (``.csv``) with columns ``geo_label, nrg_cons, tax, currency, unit, period,
  value`` written with Eurostat's *labels* (``Consumption from 500 MWh to 1 999 MWh - band
  IC``, ``Excluding taxes and levies``, ``Euro``, ``Kilowatt-hour``); an empty value is not
  available, like ``:``. The shared ``nrg_pc_205_bandIC_tidy_DERIVED.csv`` is this export
  (same 13,932 values) without its flags.

Rules:

* Labels are turned into Eurostat codes: geographic labels by :data:`GEO_LABELS` (countries,
  ``EU27_2020``, ``EA`` and the other aggregates of the dataset); a label not in that table
  is an error (no guessed code). The band label must end in ``band IA`` … ``band IG``.
* ``band`` is IA … IG from ``nrg_cons`` (:data:`BANDS`); ``eur_per_kwh`` is the value in
  the row's ``currency`` (EUR, NAC or PPS) per kWh, NULL when not available; ``flag`` holds
  the Eurostat flag letters in lower case (``e`` estimated, ``p`` provisional, ``d``
  definition differs, ``c`` confidential, ``b`` break in series, ``n`` not significant,
  ``u`` low reliability, …) or NULL.
* **Vintages.** Eurostat revises back years (NL from 2017-S1 in the newer TSV). Several
  files in one ingestion are merged into one dataset, the **newer release winning**: files
  are ranked by the last half-year holding a value (the data end), then by layout (tidy CSV
  < export < TSV: the publisher layouts over the derived one), then by the order given; a
  key (geo, band, tax, currency, half-year) present in two files keeps the higher-ranked
  file's row, and the keys whose value (or flag) differ are counted per pair of files in a
  warning with examples. The ``source`` column names the file of each row; the release label
  lists each file's vintage (option ``release`` overrides it). **Each vintage is kept as a
  release**: the table ``releases`` holds every value of every file with the file's
  ``vintage`` and whether ``prices`` kept it, so an analysis can run on an older vintage
  (``industry costs --vintage FILE``) and a revision can be shown beside the value it
  replaced.
* Strict: a missing or renamed column (or dimension), a cell that is neither a number, ``:``
  nor one of them with flag letters, a period not ``YYYY-S1``/``YYYY-S2``, an unknown code or
  label, a unit other than kWh, or a key given twice within a file →
  :class:`~ketenradar.core.errors.DataError` naming file (and sheet), line and field;
  nothing is written.
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings as pywarnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from ketenradar.core.errors import DataError, UsageError
from ketenradar.datasets import DataStore
from ketenradar.datasets.kinds import DatasetKind
from ketenradar.sources.base import IngestReport, Progress
from ketenradar.sources.tables import (
    ParsedSource,
    expand_paths,
    ingest_parsed,
)

PARSER_VERSION = "eurostat_prices-1.0"
LICENCE = "CC BY 4.0 (Eurostat reuse policy, Commission Decision 2011/833/EU)"
CITATION = (
    "Eurostat, Electricity prices for non-household consumers - bi-annual data (from 2007 "
    "onwards) [nrg_pc_205]."
)
#: The SDMX 2.1 dissemination API of Eurostat; ``fetch_url`` adds ``/nrg_pc_205?format=TSV``.
EUROSTAT_API = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data"

PRICE_COLUMNS: dict[str, str] = {
    "geo": "VARCHAR",  # Eurostat geo code: NL, DE, EL, UK, EU27_2020, EA, …
    "band": "VARCHAR",  # IA … IG
    "nrg_cons": "VARCHAR",  # Eurostat code of the band, e.g. MWH500-1999
    "tax": "VARCHAR",  # X_TAX | X_VAT | I_TAX
    "currency": "VARCHAR",  # EUR | NAC | PPS
    "period": "VARCHAR",  # 2024-S2
    "year": "SMALLINT",
    "semester": "SMALLINT",  # 1 | 2
    "eur_per_kwh": "DOUBLE",  # in the row's currency per kWh; NULL when not available
    "flag": "VARCHAR",  # Eurostat flag letters (lower case) or NULL
    "source": "VARCHAR",  # the file the row comes from
}

#: Every value of every file read (each vintage kept as a release): the columns of ``prices``
#: and the file's vintage, and whether the row is the one ``prices`` kept.
RELEASE_COLUMNS: dict[str, str] = {
    **PRICE_COLUMNS,
    "vintage": "VARCHAR",  # the file's release: 'TSV to 2025-S2', 'Last updated … to 2024-S2'
    "kept": "BOOLEAN",  # this row is the one in prices (the newer release)
}

KIND = DatasetKind(
    "electricity_prices",
    tables={"prices": PRICE_COLUMNS},
    optional_tables={"releases": RELEASE_COLUMNS},
    load_hint="ketenradar data add eurostat_prices ../shared/data/electricity_prices_eurostat",
)

#: Eurostat consumption bands of non-household consumers: nrg_cons code → band.
BANDS: dict[str, str] = {
    "MWH_LT20": "IA",
    "MWH20-499": "IB",
    "MWH500-1999": "IC",
    "MWH2000-19999": "ID",
    "MWH20000-69999": "IE",
    "MWH70000-149999": "IF",
    "MWH_GE150000": "IG",
}
_NRG_BY_BAND = {b: c for c, b in BANDS.items()}
TAXES: dict[str, str] = {
    "Excluding taxes and levies": "X_TAX",
    "Excluding VAT and other recoverable taxes and levies": "X_VAT",
    "All taxes and levies included": "I_TAX",
}
CURRENCIES: dict[str, str] = {
    "Euro": "EUR",
    "National currency": "NAC",
    "Purchasing Power Standard": "PPS",
}
#: Eurostat's English geo labels (as its exports write them) → geo codes.
GEO_LABELS: dict[str, str] = {
    "European Union - 27 countries (from 2020)": "EU27_2020",
    "European Union - 28 countries (2013-2020)": "EU28",
    "Euro area (EA11-1999, EA12-2001, EA13-2007, EA15-2008, EA16-2009, EA17-2011, "
    "EA18-2014, EA19-2015, EA20-2023)": "EA",
    "Euro area - 19 countries  (2015-2022)": "EA19",
    "Euro area - 19 countries (2015-2022)": "EA19",
    "Euro area – 20 countries (from 2023)": "EA20",
    "Euro area - 20 countries (from 2023)": "EA20",
    "Belgium": "BE",
    "Bulgaria": "BG",
    "Czechia": "CZ",
    "Denmark": "DK",
    "Germany": "DE",
    "Germany (until 1990 former territory of the FRG)": "DE",
    "Estonia": "EE",
    "Ireland": "IE",
    "Greece": "EL",
    "Spain": "ES",
    "France": "FR",
    "Croatia": "HR",
    "Italy": "IT",
    "Cyprus": "CY",
    "Latvia": "LV",
    "Lithuania": "LT",
    "Luxembourg": "LU",
    "Hungary": "HU",
    "Malta": "MT",
    "Netherlands": "NL",
    "Austria": "AT",
    "Poland": "PL",
    "Portugal": "PT",
    "Romania": "RO",
    "Slovenia": "SI",
    "Slovakia": "SK",
    "Finland": "FI",
    "Sweden": "SE",
    "Iceland": "IS",
    "Liechtenstein": "LI",
    "Norway": "NO",
    "Switzerland": "CH",
    "United Kingdom": "UK",
    "Bosnia and Herzegovina": "BA",
    "Montenegro": "ME",
    "Moldova": "MD",
    "North Macedonia": "MK",
    "Georgia": "GE",
    "Albania": "AL",
    "Serbia": "RS",
    "Türkiye": "TR",
    "Turkey": "TR",
    "Ukraine": "UA",
    "Kosovo*": "XK",
    "Kosovo (under United Nations Security Council Resolution 1244/99)": "XK",
}
#: Eurostat's observation and confidentiality flags (lower case).
FLAG_LETTERS = "bcdefnprsuz"
#: The dimensions of the TSV's first column (any order) and the time dimension's name.
TSV_DIMENSIONS = ("freq", "siec", "nrg_cons", "unit", "tax", "currency", "geo")
TIDY_COLUMNS = ("geo_label", "nrg_cons", "tax", "currency", "unit", "period", "value")
#: Layout rank when two files end in the same half-year (higher wins).
LAYOUT_RANK = {"tidy_csv": 0, "xlsx_export": 1, "tsv": 2}

_PERIOD = re.compile(r"^(\d{4})-S([12])$")
_CELL = re.compile(
    r"^(?:(?P<na>:)|(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))"
    r"(?:\s*(?P<flag>[A-Za-z]+))?$"
)
_BAND_LABEL = re.compile(r"band\s+(I[A-G])\s*$")
_GEO_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,14}$")
_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")

Key = tuple[str, str, str, str, str]  # geo, nrg_cons, tax, currency, period


@dataclass
class _Value:
    value: float | None
    flag: str | None
    line: int


@dataclass
class _FileData:
    path: Path
    layout: str  # tsv | xlsx_export | tidy_csv
    vintage: str
    values: dict[Key, _Value] = field(default_factory=dict)

    @property
    def data_end(self) -> str:
        """The last half-year holding a value ('' when none)."""
        return max((k[4] for k, v in self.values.items() if v.value is not None), default="")

    def add(self, key: Key, value: _Value, *, file: str, fld: str) -> None:
        """Add one value; a key given twice in one file is an error."""
        old = self.values.get(key)
        if old is not None:
            raise DataError(
                f"duplicate key {'/'.join(key)} (first on line {old.line})",
                file=file,
                line=value.line,
                field=fld,
            )
        self.values[key] = value


# -- cells, periods, codes --------------------------------------------------------------------
def parse_period(text: Any, *, file: str | Path, line: int, fld: str) -> str:
    """A half-year ``YYYY-S1``/``YYYY-S2`` (surrounding blanks removed); else an error."""
    s = str(text if text is not None else "").strip()
    if not _PERIOD.match(s):
        raise DataError(f"not a half-year like 2024-S2: {text!r}", file=file, line=line, field=fld)
    return s


def parse_cell(
    cell: Any, *, file: str | Path, line: int, fld: str, empty_ok: bool = False
) -> tuple[float | None, str | None]:
    """(value, flags) of one Eurostat cell: a number or ``:``, each optionally followed by
    flag letters (``0.1234 p``, ``: c``); an empty cell only where ``empty_ok``."""
    if isinstance(cell, bool):
        raise DataError(f"not a number: {cell!r}", file=file, line=line, field=fld)
    if isinstance(cell, int | float):
        x = float(cell)
        if not math.isfinite(x):
            raise DataError(f"not a finite number: {cell!r}", file=file, line=line, field=fld)
        return x, None
    text = str(cell if cell is not None else "").strip()
    if not text:
        if empty_ok:
            return None, None
        raise DataError("empty cell (expected a number or ':')", file=file, line=line, field=fld)
    m = _CELL.match(text)
    if m is None:
        raise DataError(
            f"neither a number nor ':' (optionally with flag letters): {text!r}",
            file=file,
            line=line,
            field=fld,
        )
    flag = parse_flag(m.group("flag"), file=file, line=line, fld=fld)
    if m.group("na"):
        return None, flag
    x = float(m.group("num"))
    if not math.isfinite(x):
        raise DataError(f"not a finite number: {text!r}", file=file, line=line, field=fld)
    return x, flag


def parse_flag(text: Any, *, file: str | Path, line: int, fld: str) -> str | None:
    """Eurostat flag letters in lower case (``None`` when empty); unknown letters: an error."""
    s = str(text if text is not None else "").strip().lower()
    if not s:
        return None
    bad = sorted(set(s) - set(FLAG_LETTERS))
    if bad:
        raise DataError(
            f"unknown Eurostat flag {text!r} (flags are letters among {FLAG_LETTERS})",
            file=file,
            line=line,
            field=fld,
        )
    return s


def _nrg(text: str, *, file: str | Path, line: int, fld: str) -> str:
    """A band's nrg_cons code from its code or its label (``… - band IC``)."""
    s = " ".join(text.split())
    if s in BANDS:
        return s
    m = _BAND_LABEL.search(s)
    if m:
        return _NRG_BY_BAND[m.group(1)]
    raise DataError(
        f"not a non-household consumption band (IA…IG): {text!r}", file=file, line=line, field=fld
    )


def _coded(
    text: str, labels: dict[str, str], *, file: str | Path, line: int, fld: str, what: str
) -> str:
    s = " ".join(text.split())
    if s in labels.values():
        return s
    if s in labels:
        return labels[s]
    raise DataError(
        f"unknown {what} {text!r} (known: {', '.join(sorted(set(labels.values())))})",
        file=file,
        line=line,
        field=fld,
    )


def geo_code(label: str, *, file: str | Path, line: int, fld: str) -> str:
    """The Eurostat geo code of a label (:data:`GEO_LABELS`); an unknown label is an error."""
    s = " ".join(str(label).split())
    code = GEO_LABELS.get(s)
    if code is None:
        raise DataError(
            f"unknown Eurostat geo label {label!r} (add it to GEO_LABELS with its code)",
            file=file,
            line=line,
            field=fld,
        )
    return code


def _check_unit(text: str, *, file: str | Path, line: int, fld: str) -> None:
    if " ".join(text.split()) not in ("KWH", "Kilowatt-hour"):
        raise DataError(
            f"unit {text!r}: only prices per kWh (KWH) are read", file=file, line=line, field=fld
        )


# -- the TSV ----------------------------------------------------------------------------------
def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        from ketenradar.sources.archives import decompress_limited

        raw = decompress_limited(raw, path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text ({exc})", file=path) from exc


def _is_tsv(text: str) -> bool:
    first = text.split("\n", 1)[0].split("\t", 1)[0]
    return "\\" in first and "," in first


def read_tsv(path: Path, text: str | None = None) -> _FileData:
    """Values of Eurostat's TSV layout (strict)."""
    text = _read_text(path) if text is None else text
    lines = text.splitlines()
    if not lines or not _is_tsv(text):
        raise DataError(
            "not Eurostat's TSV layout: the first cell should be "
            "'freq,siec,nrg_cons,unit,tax,currency,geo\\TIME_PERIOD'",
            file=path,
            line=1,
        )
    head = lines[0].split("\t")
    dims_text, _, time_name = head[0].strip().partition("\\")
    dims = [d.strip() for d in dims_text.split(",")]
    if time_name.strip() != "TIME_PERIOD":
        raise DataError(
            f"the time dimension is {time_name.strip()!r}, expected 'TIME_PERIOD'",
            file=path,
            line=1,
            field=head[0].strip(),
        )
    for d in TSV_DIMENSIONS:
        if d not in dims:
            raise DataError(
                f"dimension '{d}' missing from the first column {head[0].strip()!r} (renamed?)",
                file=path,
                line=1,
                field=d,
            )
    extra = [d for d in dims if d not in TSV_DIMENSIONS]
    if extra or len(dims) != len(set(dims)):
        raise DataError(
            f"unexpected dimension(s) {', '.join(extra) or 'given twice'} in {head[0].strip()!r}"
            " (not nrg_pc_205?)",
            file=path,
            line=1,
            field=(extra or dims)[0],
        )
    periods: list[str] = []
    for j, cell in enumerate(head[1:], start=2):
        p = parse_period(cell, file=path, line=1, fld=f"column {j}")
        if p in periods:
            raise DataError(f"half-year {p} given twice", file=path, line=1, field=p)
        periods.append(p)
    if not periods:
        raise DataError("no half-year columns", file=path, line=1)
    fd = _FileData(path, "tsv", "")
    for n, raw_line in enumerate(lines[1:], start=2):
        if not raw_line.strip():
            continue
        cells = raw_line.split("\t")
        if len(cells) != len(head):
            raise DataError(
                f"{len(cells)} cells where the header has {len(head)}", file=path, line=n
            )
        codes = [c.strip() for c in cells[0].split(",")]
        if len(codes) != len(dims):
            raise DataError(
                f"{len(codes)} codes in {cells[0]!r} where the header names {len(dims)}",
                file=path,
                line=n,
                field=head[0].strip(),
            )
        dim = dict(zip(dims, codes, strict=True))
        if dim["freq"] != "S":
            raise DataError(
                f"frequency {dim['freq']!r}, expected 'S' (half-yearly)",
                file=path,
                line=n,
                field="freq",
            )
        if dim["siec"] != "E7000":
            raise DataError(
                f"product {dim['siec']!r}, expected 'E7000' (electricity)",
                file=path,
                line=n,
                field="siec",
            )
        _check_unit(dim["unit"], file=path, line=n, fld="unit")
        nrg = dim["nrg_cons"]
        if nrg not in BANDS:
            raise DataError(
                f"unknown consumption band {nrg!r} (known: {', '.join(BANDS)})",
                file=path,
                line=n,
                field="nrg_cons",
            )
        tax = _coded(dim["tax"], TAXES, file=path, line=n, fld="tax", what="tax level")
        cur = _coded(
            dim["currency"], CURRENCIES, file=path, line=n, fld="currency", what="currency"
        )
        geo = dim["geo"]
        if not _GEO_CODE.match(geo):
            raise DataError(f"not a Eurostat geo code: {geo!r}", file=path, line=n, field="geo")
        for p, cell in zip(periods, cells[1:], strict=True):
            value, flag = parse_cell(cell, file=path, line=n, fld=p)
            fd.add((geo, nrg, tax, cur, p), _Value(value, flag, n), file=str(path), fld="geo")
    if not fd.values:
        raise DataError("no data rows", file=path)
    fd.vintage = f"TSV to {fd.data_end or 'none'}"
    return fd


# -- the tidy CSV -----------------------------------------------------------------------------
def read_tidy_csv(path: Path, text: str | None = None) -> _FileData:
    """Values of the tidy CSV with Eurostat's labels (strict)."""
    text = _read_text(path) if text is None else text
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        for col in TIDY_COLUMNS:
            if col not in header:
                raise DataError(
                    f"required column '{col}' missing (renamed?); expected "
                    f"{', '.join(TIDY_COLUMNS)}",
                    file=path,
                    line=1,
                    field=col,
                )
        ix = {c: header.index(c) for c in TIDY_COLUMNS}
        fd = _FileData(path, "tidy_csv", "")
        start = reader.line_num + 1
        for rec in reader:
            n = start
            start = reader.line_num + 1
            if not any(v.strip() for v in rec):
                continue
            if len(rec) != len(header):
                raise DataError(
                    f"{len(rec)} fields where the header has {len(header)}", file=path, line=n
                )
            r = {c: rec[i] for c, i in ix.items()}
            geo = geo_code(r["geo_label"], file=path, line=n, fld="geo_label")
            nrg = _nrg(r["nrg_cons"], file=path, line=n, fld="nrg_cons")
            tax = _coded(r["tax"], TAXES, file=path, line=n, fld="tax", what="tax level")
            cur = _coded(
                r["currency"], CURRENCIES, file=path, line=n, fld="currency", what="currency"
            )
            _check_unit(r["unit"], file=path, line=n, fld="unit")
            p = parse_period(r["period"], file=path, line=n, fld="period")
            value, flag = parse_cell(r["value"], file=path, line=n, fld="value", empty_ok=True)
            fd.add((geo, nrg, tax, cur, p), _Value(value, flag, n), file=str(path), fld="period")
    except csv.Error as exc:
        raise DataError(f"not a readable CSV: {exc}", file=path) from exc
    if not fd.values:
        raise DataError("no data rows", file=path)
    fd.vintage = f"tidy CSV to {fd.data_end or 'none'}"
    return fd


def _is_tidy(text: str) -> bool:
    first = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
    return len({h.strip() for h in first} & set(TIDY_COLUMNS)) >= 3


# -- the xlsx export --------------------------------------------------------------------------
def _cell_text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _sheets(path: Path) -> list[tuple[str, list[list[Any]]]]:
    """The workbook's sheets with all their rows.

    Eurostat's exports declare each sheet's dimension as ``A1``;
    :class:`~ketenradar.sources.archives.Workbook` reads such sheets whole (cell limit kept).
    """
    from ketenradar.sources.archives import Workbook

    with pywarnings.catch_warnings():
        # Eurostat's exports carry no default style: openpyxl says so, harmlessly
        pywarnings.filterwarnings("ignore", message="Workbook contains no default style")
        with Workbook(path) as wb:
            return list(wb.sheets())


@dataclass
class _Sheet:
    title: str
    cells: list[list[Any]]
    meta: dict[str, str]
    head: int  # index of the TIME row
    by_codes: bool


def _find_table(title: str, cells: list[list[Any]]) -> _Sheet | None:
    head = next(
        (i for i, r in enumerate(cells[:80]) if r and _cell_text(r[0]).upper() == "TIME"), None
    )
    if head is None:
        return None
    meta: dict[str, str] = {}
    for r in cells[:head]:
        if not r or not _cell_text(r[0]):
            continue
        key = _cell_text(r[0]).rstrip(":").strip()
        val = next((_cell_text(c) for c in r[1:] if _cell_text(c)), "")
        meta.setdefault(key, val)
    geo_head = _cell_text(cells[head + 1][0]) if head + 1 < len(cells) and cells[head + 1] else ""
    return _Sheet(title, cells, meta, head, geo_head.upper().startswith("GEO (CODES)"))


def _vintage(sheets: list[_Sheet]) -> str:
    extracted = updated = ""
    for s in sheets:
        for r in s.cells[: s.head]:
            t = _cell_text(r[0]) if r else ""
            m = _DATE.search(t)
            if t.startswith("Data extracted on") and m and not extracted:
                extracted = m.group(0)
        upd = _DATE.search(s.meta.get("Last updated", ""))
        if upd and not updated:
            updated = upd.group(0)
    text = f"export updated {updated}" if updated else "export"
    return f"{text} (extracted {extracted})" if extracted else text


def read_xlsx(path: Path) -> _FileData | None:
    """Values of Eurostat's custom-spreadsheet export (strict); ``None`` when the workbook
    holds no Eurostat table (no sheet with a ``TIME`` header row)."""
    raw = _sheets(path)
    data: dict[str, _Sheet] = {}
    flags: dict[str, _Sheet] = {}
    for title, cells in raw:
        sheet = _find_table(title, cells)
        if sheet is None:
            continue  # Summary, Structure, notes
        m = re.fullmatch(r"\s*Flags\s+(\d+)\s*", title)
        if m:
            flags[m.group(1)] = sheet
        else:
            data[re.sub(r"^\s*Sheet\s+", "", title).strip()] = sheet
    if not data:
        return None
    fd = _FileData(path, "xlsx_export", "")
    for num, sheet in data.items():
        _read_sheet(path, sheet, flags.get(num), fd)
    if not fd.values:
        raise DataError("no data rows in any sheet", file=path)
    fd.vintage = _vintage(list(data.values())) + f" to {fd.data_end or 'none'}"
    return fd


_META_NEEDED = ("Energy consumption", "Taxes", "Currency", "Unit of measure")


def _read_sheet(path: Path, sheet: _Sheet, flag_sheet: _Sheet | None, fd: _FileData) -> None:
    where = f"{path} [{sheet.title}]"
    dataset = sheet.meta.get("Dataset", "")
    if dataset and "nrg_pc_205" not in dataset:
        raise DataError(
            f"not the Eurostat dataset nrg_pc_205: {dataset!r}", file=where, line=2, field="Dataset"
        )
    for key in _META_NEEDED:
        if not sheet.meta.get(key):
            raise DataError(
                f"the line '{key}' above the table is missing (renamed?); a sheet must name its "
                "energy consumption band, taxes, currency and unit",
                file=where,
                line=sheet.head + 1,
                field=key,
            )
    line = sheet.head + 1
    nrg = _nrg(sheet.meta["Energy consumption"], file=where, line=line, fld="Energy consumption")
    tax = _coded(sheet.meta["Taxes"], TAXES, file=where, line=line, fld="Taxes", what="tax level")
    cur = _coded(
        sheet.meta["Currency"], CURRENCIES, file=where, line=line, fld="Currency", what="currency"
    )
    _check_unit(sheet.meta["Unit of measure"], file=where, line=line, fld="Unit of measure")
    freq = sheet.meta.get("Time frequency", "Half-yearly, semesterly")
    if not freq.lower().startswith("half-yearly"):
        raise DataError(
            f"time frequency {freq!r}, expected half-yearly", file=where, field="Time frequency"
        )
    head = sheet.cells[sheet.head]
    cols: list[tuple[int, str]] = []
    for j in range(1, len(head)):
        if _cell_text(head[j]) == "":
            continue
        p = parse_period(head[j], file=where, line=line, fld=f"TIME column {j + 1}")
        if any(p == q for _, q in cols):
            raise DataError(f"half-year {p} given twice", file=where, line=line, field=p)
        cols.append((j, p))
    if not cols:
        raise DataError("no half-year columns in the TIME row", file=where, line=line)
    geo_row = sheet.cells[sheet.head + 1] if sheet.head + 1 < len(sheet.cells) else []
    if not geo_row or not _cell_text(geo_row[0]).upper().startswith("GEO"):
        raise DataError(
            "the row under TIME should start with 'GEO (Labels)' or 'GEO (Codes)' (only tables "
            "with the half-years across and the countries down are read)",
            file=where,
            line=line + 1,
            field="GEO",
        )
    flag_rows = _flag_rows(path, sheet, flag_sheet, cols)
    flag_where = f"{path} [{flag_sheet.title}]" if flag_sheet is not None else where
    for i in range(sheet.head + 2, len(sheet.cells)):
        r = sheet.cells[i]
        n = i + 1
        if not r or all(_cell_text(c) == "" for c in r):
            break  # the table ends at the first empty row (notes follow)
        label = _cell_text(r[0])
        if not label:
            raise DataError("missing geo label", file=where, line=n, field="GEO")
        if sheet.by_codes:
            if not _GEO_CODE.match(label):
                raise DataError(
                    f"not a Eurostat geo code: {label!r}", file=where, line=n, field="GEO"
                )
            geo = label
        else:
            geo = geo_code(label, file=where, line=n, fld="GEO")
        frow = flag_rows.get(n, [])
        for j, p in cols:
            value, flag = parse_cell(r[j] if j < len(r) else None, file=where, line=n, fld=p)
            if j < len(frow):
                flag = parse_flag(frow[j], file=flag_where, line=n, fld=p) or flag
            fd.add((geo, nrg, tax, cur, p), _Value(value, flag, n), file=where, fld="GEO")


def _flag_rows(
    path: Path, sheet: _Sheet, flag_sheet: _Sheet | None, cols: list[tuple[int, str]]
) -> dict[int, list[Any]]:
    """The flag sheet's rows by line number, checked to match the data sheet's layout."""
    if flag_sheet is None:
        return {}
    where = f"{path} [{flag_sheet.title}]"
    if flag_sheet.head != sheet.head or [
        _cell_text(c) for c in flag_sheet.cells[flag_sheet.head]
    ] != [_cell_text(c) for c in sheet.cells[sheet.head]]:
        raise DataError(
            f"its TIME row does not match that of sheet {sheet.title!r}",
            file=where,
            line=flag_sheet.head + 1,
            field="TIME",
        )
    for key in _META_NEEDED:
        if flag_sheet.meta.get(key) != sheet.meta.get(key):
            raise DataError(
                f"'{key}' differs from sheet {sheet.title!r}",
                file=where,
                line=flag_sheet.head + 1,
                field=key,
            )
    out: dict[int, list[Any]] = {}
    for i in range(flag_sheet.head + 2, len(flag_sheet.cells)):
        r = flag_sheet.cells[i]
        if not r or all(_cell_text(c) == "" for c in r):
            break
        d = sheet.cells[i] if i < len(sheet.cells) else []
        if not d or _cell_text(d[0]) != _cell_text(r[0]):
            raise DataError(
                f"row {_cell_text(r[0])!r} does not match row {i + 1} of sheet {sheet.title!r}",
                file=where,
                line=i + 1,
                field="GEO",
            )
        out[i + 1] = r
    return out


# -- files and merging ------------------------------------------------------------------------
_SUFFIXES = (".tsv", ".gz", ".csv", ".xlsx")


def _read_file(path: Path) -> _FileData | None:
    """The file's values, or ``None`` when it is none of the three layouts."""
    name = path.name.lower()
    if name.endswith(".xlsx"):
        with open(path, "rb") as fh:
            if fh.read(2) != b"PK":
                return None
        return read_xlsx(path)
    if name.endswith((".tsv", ".tsv.gz", ".csv", ".csv.gz")):
        text = _read_text(path)
        if _is_tsv(text):
            return read_tsv(path, text)
        if ".csv" in name and _is_tidy(text):
            return read_tidy_csv(path, text)
    return None


def _rank(fd: _FileData, position: int) -> tuple[str, int, int]:
    return (fd.data_end, LAYOUT_RANK[fd.layout], position)


def _row(key: Key, val: _Value, f: _FileData) -> dict[str, Any]:
    """One value as a row of ``prices``."""
    geo, nrg, tax, cur, p = key
    m = _PERIOD.match(p)
    assert m is not None
    return {
        "geo": geo,
        "band": BANDS[nrg],
        "nrg_cons": nrg,
        "tax": tax,
        "currency": cur,
        "period": p,
        "year": int(m.group(1)),
        "semester": int(m.group(2)),
        "eur_per_kwh": val.value,
        "flag": val.flag,
        "source": f.path.name,
    }


def _frame(rows: list[dict[str, Any]], columns: dict[str, str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(columns))
    df = df.sort_values(["geo", "band", "tax", "currency", "period"], kind="stable")
    df["year"] = df["year"].astype("int16")
    df["semester"] = df["semester"].astype("int16")
    df["eur_per_kwh"] = df["eur_per_kwh"].astype("float64")
    return df.reset_index(drop=True)


def release_rows(files: Sequence[_FileData], prices: pd.DataFrame) -> pd.DataFrame:
    """Every value of every file with its file's vintage (table ``releases``); ``kept``
    marks the row :func:`merge_files` kept in ``prices``."""
    kept = set(
        zip(
            prices["geo"],
            prices["nrg_cons"],
            prices["tax"],
            prices["currency"],
            prices["period"],
            prices["source"],
            strict=True,
        )
    )
    rows = []
    for f in files:
        for key, val in f.values.items():
            row = _row(key, val, f)
            row["vintage"] = f.vintage
            row["kept"] = (*key, f.path.name) in kept
            rows.append(row)
    return _frame(rows, RELEASE_COLUMNS)


def merge_files(files: Sequence[_FileData]) -> tuple[pd.DataFrame, list[str]]:
    """One row per key; the newer release wins (see the module docstring)."""
    order = sorted(range(len(files)), key=lambda i: _rank(files[i], i))
    best: dict[Key, tuple[_Value, _FileData]] = {}
    differ: dict[tuple[str, str], list[tuple[Key, _Value, _Value]]] = {}
    for i in order:
        f = files[i]
        for key, val in f.values.items():
            old = best.get(key)
            if old is not None and (old[0].value, old[0].flag) != (val.value, val.flag):
                differ.setdefault((old[1].path.name, f.path.name), []).append((key, old[0], val))
            best[key] = (val, f)
    warnings: list[str] = []

    def show(v: _Value) -> str:
        text = ":" if v.value is None else f"{v.value:g}"
        return f"{text} {v.flag}" if v.flag else text

    for (a, b), items in differ.items():
        values = [x for x in items if x[1].value != x[2].value]
        flags = len(items) - len(values)
        ex = "; ".join(
            f"{k[0]} {BANDS[k[1]]} {k[2]} {k[3]} {k[4]}: {show(o)} → {show(n)}"
            for k, o, n in (values or items)[:3]
        )
        geos = sorted({k[0] for k, _, _ in items})
        what = f"{len(values)} value(s)" if values else ""
        if flags:
            what += (" and " if values else "") + f"{flags} flag(s) (values equal)"
        warnings.append(
            f"{what} differ between {a} and {b} (geo {', '.join(geos)}); kept those of {b}, "
            f"the newer release (or, ending in the same half-year, the publisher's layout) "
            f"(e.g. {ex})"
        )
    rows = [_row(key, val, f) for key, (val, f) in best.items()]
    return _frame(rows, PRICE_COLUMNS), warnings


_NOT_PRICES = (
    "not a nrg_pc_205 table: expected Eurostat's TSV (.tsv, .tsv.gz), the custom-spreadsheet "
    "export (.xlsx) or the tidy CSV (geo_label, nrg_cons, tax, currency, unit, period, value)"
)


def parse_eurostat_prices(paths: Sequence[Path], *, release: str | None = None) -> ParsedSource:
    """Parse nrg_pc_205 files (TSV, xlsx export, tidy CSV, or folders of them) strictly."""
    files: list[_FileData] = []
    warnings: list[str] = []
    for p in paths:
        p = Path(p)
        explicit = not p.is_dir()
        for f in expand_paths([p], _SUFFIXES):
            fd = _read_file(f)
            if fd is None:
                if explicit:
                    raise DataError(_NOT_PRICES, file=f)
                warnings.append(f"skipped {f.name}: not a nrg_pc_205 table")
                continue
            files.append(fd)
    if not files:
        raise DataError(
            "no nrg_pc_205 table among the given files", file=", ".join(map(str, paths))
        )
    df, merge_warnings = merge_files(files)
    warnings += merge_warnings
    na = int(df["eur_per_kwh"].isna().sum())
    if na:
        warnings.append(f"{na} of {len(df)} value(s) not available (':'), kept as NULL")
    ranked = sorted(range(len(files)), key=lambda i: _rank(files[i], i))
    vintages = [f"{files[i].path.name}: {files[i].vintage}" for i in reversed(ranked)]
    label = "nrg_pc_205: " + "; ".join(files[i].vintage for i in reversed(ranked))
    years = sorted(int(y) for y in df.dropna(subset=["eur_per_kwh"])["year"].unique())
    return ParsedSource(
        tables={"prices": df, "releases": release_rows(files, df)},
        inputs=[(f.path, f.layout) for f in files],
        release=release or label,
        attributes={
            "years": years,
            "vintages": vintages,
            "geos": sorted(df["geo"].unique().tolist()),
            "bands": sorted(df["band"].unique().tolist()),
            "unit": "currency per kWh (EUR, NAC or PPS as in column currency)",
            "merge_rule": "newer release wins: rank by data end, then layout, then order given",
        },
        warnings=warnings,
    )


class EurostatPricesConnector:
    """Eurostat nrg_pc_205: electricity prices for non-household consumers, half-yearly
    (kind ``electricity_prices``)."""

    name: ClassVar[str] = "eurostat_prices"
    kind: ClassVar[str] = "electricity_prices"  # KIND.name
    description: ClassVar[str] = (
        "Eurostat nrg_pc_205: non-household electricity prices per band, tax level, half-year"
    )

    def ingest(
        self,
        paths: Sequence[Path],
        store: DataStore,
        *,
        dataset_name: str | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> IngestReport:
        """Parse the files strictly and write dataset ``eurostat_prices`` (or ``dataset_name``).

        Option ``release`` overrides the release label (default: each file's vintage, e.g.
        ``… export, last updated 27/04/2025, extracted 14/08/2025, data to 2024-S2``).
        """
        return ingest_parsed(
            self,
            parse_eurostat_prices,
            paths,
            store,
            dataset_name=dataset_name,
            progress=progress,
            options=options,
            reading="reading Eurostat nrg_pc_205 tables",
            licence=LICENCE,
            citation=CITATION,
            parser_version=PARSER_VERSION,
        )

    def fetch_url(self, base_url: str | None = None, **options: Any) -> tuple[str, str]:
        """(URL, file name) of the live nrg_pc_205 TSV from Eurostat's SDMX 2.1 API.

        ``https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/nrg_pc_205?format=TSV``
        answers the whole dataset (all countries, bands, tax levels and currencies) in the TSV
        layout read by :func:`read_tsv`. ``base_url`` replaces the API root (a mirror, or a
        local server in tests). No options are known.
        """
        if options:
            raise UsageError(f"unknown option(s) for eurostat_prices: {', '.join(options)}")
        root = (base_url or EUROSTAT_API).rstrip("/")
        return f"{root}/nrg_pc_205?format=TSV", "nrg_pc_205.tsv"
