"""Parsers for the inter-country input-output tables in the layouts their publishers serve.

Each parser returns :class:`~ketenradar.datasets.iotable.IOTable` (industries region-major,
``r * S + s``, regions in the publisher's order) and raises
:class:`~ketenradar.core.errors.DataError` naming the file, the row/line and the label or cell when
the input does not have the expected layout. The parsers do not judge whether the table
balances: :func:`ketenradar.datasets.iotable.check_balance` does that.

Layouts read, and what was assumed about them
---------------------------------------------

No publisher workbook or CSV was available when this was written: the layouts below come
from pymrio 0.7.0's parsers (``parse_oecd``, ``parse_wiod``), from published third-party
readers of the same files, and from the WIOD R data actually at hand. The tests write files
in these layouts and check them against pymrio where it reads the layout.

**OECD ICIO CSV** (:func:`parse_icio_csv`; 2023 release ``ICIO2023_2019.csv`` /
``2019_SML.csv``, 2025 release ``2022_SML.csv``). First column: row labels; header: column
labels. Industry rows and columns are ``{CTY}_{SECTOR}`` (split on the *first* underscore:
``AUS_C17_18`` is sector ``C17_18``); then the rows ``TLS`` (taxes less subsidies on
products), ``VA`` (value added) and ``OUT`` (output); after the industry columns the
final-demand columns ``{CTY}_{CAT}`` with CAT one of HFCE, NPISH, GGFC, GFCF, INVNT, DPABR,
then the total column ``OUT``. The industry block must be square: every industry row label
is an industry column label and vice versa. Releases that split China and Mexico (``CN1``,
``CN2``, ``MX1``, ``MX2`` rows and columns next to ``CHN``/``MEX``) are aggregated into
``CHN`` and ``MEX`` as :func:`pymrio.parse_oecd` does (rows, columns, final demand,
primary inputs). The OUT row gives ``x``; the OUT column, when present, must equal it within
rounding (a file without the OUT row is refused unless ``allow_missing_output``). TLS and VA
under the final-demand columns (taxes paid by final users) are not part of the table's
arrays; their TLS total is given in ``notes``. The 2016/2018 releases (``TAXSUB``/``VALU``
rows, ``DISC`` column, ``HFCE_AUS`` order) are not this layout and are refused with the
unknown labels named.
pymrio's parser is used as the reference in the tests, not at run time: it sorts the
regions alphabetically, fills empty cells with 0, drops the OUT row and column this module
needs, and would mean reading a 4,000 × 4,500 CSV twice.

**WIOD world input-output table workbooks** (:func:`parse_wiod_excel`). Both releases are
taken to share the geometry :func:`pymrio.parse_wiod` reads for 2013 (and third-party readers
assume for 2016: ``header=[2, 3, 4, 5], index_col=[0, 1, 2, 3]``): title rows, then four
header rows (industry code, description, country, number) above the numbers, and four label
columns (code, description, country, number) to their left. The first data row is found by
its content (a country, a number, a numeric cell) within the first 40 rows, so one title row
more or less does not matter; the first sheet in this layout is read.

* 2013 release (``wiot11_row_sep12.xlsx``): 35 industries numbered ``c1`` … ``c35`` (the
  sector codes kept are these c-codes; the first column holds ISIC rev. 3 codes such as
  ``AtB``), final demand ``c37`` (households), ``c38`` (NPISH), ``c39`` (government),
  ``c41`` (GFCF), ``c42`` (inventories) per country, then a total column; below the
  industries the primary-input rows (numbered ``r60`` … ``r69``). These rows are recognised
  by their code (``III``/``II_fob`` total intermediate inputs, ``TXSP``, ``EXP_adj``,
  ``PURR``, ``PURNR``, ``VA``, ``IntTTM``, ``GO``), else by their description (``Value added
  at basic prices``, ``Output at basic prices``, …), else by pymrio's numbers (``r60`` total
  intermediate inputs, ``r69`` output). Which code the 2013 files give the total of
  intermediate inputs (``III`` is assumed) was not verified; by its description it is
  recognised either way.
* 2016 release (``WIOT2014_Nov16_ROW.xlsx``): 56 industries numbered 1 … 56 per country
  (sector codes from the code column: ``A01`` … ``U``), final demand 57 … 61 (``CONS_h``,
  ``CONS_np``, ``CONS_g``, ``GFCF``, ``INVEN``, kept as ``fd_categories``), then ``TOT``;
  rows II_fob, TXSP, EXP_adj, PURR, PURNR, VA, IntTTM, GO (country ``TOT``) below the
  industries. Numbers may be written ``7``, ``7.0``, ``c7`` or ``r7`` (whether the real file
  writes ``c7`` or 7 is not known here).

For both: ``va`` = the VA row, ``other`` = the sum of TXSP, EXP_adj, PURR, PURNR and IntTTM
(II_fob is the total of the intermediate inputs above it and is *not* added), ``x`` = the GO
row, checked against the total column within rounding. An empty cell in the numeric blocks
is read as 0 (as Excel does) and counted in ``notes``; text in a numeric cell is an error
naming the cell. The release is recognised from the final-demand numbers (57–61 → 2016,
c37–c42 → 2013). The year comes from the argument, else the file name (``WIOT2014_…`` →
2014, ``wiot11_…`` → 2011), else a 4-digit sheet name, else a year ending cell A1.

**WIOD 2016 release, R form** (:func:`parse_wiod2016_r`; ``WIOT2014_October16_ROW.RData``):
one data frame ``wiot`` with columns IndustryCode, IndustryDescription, Country, RNr, Year,
one column per country-industry (``AUS1`` … ``AUS56``), per country final demand (``AUS57``
… ``AUS61``) and ``TOT``; rows the country-industries, then the primary-input rows with
Country ``TOT``. Read the same way as the 2016 workbook, one table per Year value.

**WIOD 2013 release, R-package form** (:func:`wiod2013_from_rdata`; the GPL-3 R package
``wiod``, ``wiot_YYYY.RData``): a list with ``year``, ``countries`` (41, WIOD's own codes
``ROM`` and ``RoW`` kept), ``industries`` (``c1`` … ``c35``), ``inter`` (1435 × 1435),
``final`` (1435 × 205, country-major, five categories each) and ``output``. It has no
primary-input rows: ``va`` = ``x`` − column sums of ``Z`` (so it also holds taxes less
subsidies, cif/fob adjustments, purchases abroad and transport margins), ``other`` = 0.
Cells are whole USD million. The package's ``wiot_regional_YYYY.RData`` (aggregated regions,
industries named in words) are not world tables and are refused.

Rounding (``rounding_unit``) is inferred from the numbers themselves: the largest number of
decimals (trailing zeros ignored) among the numeric cells of the first 200 lines/rows gives
``10**-d`` (no decimals → 1.0).
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.core.errors import DataError
from ketenradar.datasets.iotable import FLOAT_RTOL, IOTable

#: ICIO final-demand categories, in the order the OECD publishes them.
ICIO_FD_CATEGORIES = ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR")
#: ICIO rows below the industries.
ICIO_PRIMARY_ROWS = ("TLS", "VA", "OUT")
_ICIO_SUBREGION = re.compile(r"^(CN|MX)\d+$")
_ICIO_PARENT = {"CN": "CHN", "MX": "MEX"}

#: WIOD final-demand numbers and the category codes kept in ``fd_categories``.
WIOD2013_FD = {37: "c37", 38: "c38", 39: "c39", 41: "c41", 42: "c42"}
WIOD2016_FD = {57: "CONS_h", 58: "CONS_np", 59: "CONS_g", 60: "GFCF", 61: "INVEN"}
#: WIOD primary-input rows summed into ``other`` (II_fob, VA and GO are not among them).
WIOD_OTHER_PRIMARY = ("TXSP", "EXP_adj", "PURR", "PURNR", "IntTTM")
#: Region codes of WIOD that are not ISO3 (the packaged country table does not know them).
WIOD_REGION_NAMES = {"ROM": "Romania", "RoW": "Rest of the World", "ROW": "Rest of the World"}

_WIOD_PRIMARY_CODES = {
    c.casefold(): role
    for c, role in (
        ("II_fob", "total"),  # total intermediate inputs (2016 release)
        ("III", "total"),  # the same, as some 2013-release files code it
        *((c, c) for c in WIOD_OTHER_PRIMARY),
        ("VA", "VA"),
        ("GO", "GO"),
    )
}
_WIOD_PRIMARY_NAMES = (
    ("total intermediate", "total"),
    ("taxes less subsidies", "TXSP"),
    ("cif/ fob", "EXP_adj"),
    ("cif/fob", "EXP_adj"),
    ("direct purchases abroad", "PURR"),
    ("purchases on the domestic territory", "PURNR"),
    ("value added", "VA"),
    ("international transport margins", "IntTTM"),
    ("output at basic prices", "GO"),
    ("total output", "GO"),
)
_WIOD2013_PRIMARY_NUMBERS = {60: "total", 69: "GO"}  # pymrio's marks for the 2013 layout

_NUMBER = re.compile(r"^\s*[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$")
_SECTOR_NUMBER = re.compile(r"^[cCrR]?(\d+)$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_MAX_LISTED = 8
_ROUNDING_LINES = 200


# --------------------------------------------------------------------------- shipped lists


@cache
def _shipped(name: str) -> pd.DataFrame:
    text = files("ketenradar.data").joinpath(name).read_text(encoding="utf-8")
    from io import StringIO

    return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)


def sector_catalogue(classification: str) -> pd.DataFrame:
    """The shipped sector list of ``icio``, ``wiod2013`` or ``wiod2016``.

    Columns ``code``, ``name``, ``kind`` (``goods`` for ISIC/NACE sections A–F, else
    ``services``); ``wiod2013`` also has ``nace`` (the ISIC rev. 3 code WIOD gives).
    """
    names = {
        "icio": "io_sectors_icio.csv",
        "wiod2013": "io_sectors_wiod2013.csv",
        "wiod2016": "io_sectors_wiod2016.csv",
    }
    if classification not in names:
        raise ValueError(f"unknown classification {classification!r}: one of {sorted(names)}")
    return _shipped(names[classification]).copy()


def icio_region_catalogue() -> pd.DataFrame:
    """The OECD ICIO region codes and names shipped with the package (``code``, ``name``)."""
    return _shipped("io_regions_icio.csv").copy()


def _region_names(regions: Sequence[str], fallback: dict[str, str]) -> dict[str, str]:
    """The packaged short name for ISO3 codes, else ``fallback``, else the code."""
    from ketenradar.core.countries import country_names

    known = country_names()
    return {r: known.get(r) or fallback.get(r, r) for r in regions}


# --------------------------------------------------------------------------- small helpers


def _listed(items: Iterable[Any], limit: int = _MAX_LISTED) -> str:
    items = list(items)
    text = ", ".join(str(i) for i in items[:limit])
    return text + (f" (and {len(items) - limit} more)" if len(items) > limit else "")


def _decimals(token: str) -> int | None:
    """Decimals a number is written with (trailing zeros ignored); None if not a number."""
    m = _NUMBER.match(token)
    if not m or not (m.group(1) or m.group(2)):
        return None
    frac = (m.group(2) or "").rstrip("0")
    return max(0, len(frac) - int(m.group(3) or 0))


def _rounding_from_decimals(d: int | None) -> float:
    return 1.0 if not d else float(10.0**-d)


def _float_decimals(values: np.ndarray) -> int:
    """Largest number of decimals among floats (their shortest repr)."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v) & (v != np.round(v))]
    if not len(v):
        return 0
    # A few thousand distinct values are plenty to find the precision.
    return max(_decimals(repr(float(x))) or 0 for x in np.unique(v)[:5000])


def _year_from_name(name: str) -> int | None:
    found = _YEAR.findall(name)
    return int(found[-1]) if found else None


def _text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()


def _sector_number(v: Any) -> int | None:
    """7, 7.0, '7', 'c7', 'r7' → 7; anything else → None."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        return int(v) if np.isfinite(v) and float(v).is_integer() else None
    m = _SECTOR_NUMBER.match(str(v).strip())
    return int(m.group(1)) if m else None


# --------------------------------------------------------------------------- assembly


@dataclass
class _Block:
    """A table as read, before the checks: labelled industry rows and value columns."""

    file: str
    row_keys: list[tuple[str, str]]  # (region, sector) per industry row, in file order
    col_keys: list[tuple[str, str]]  # (region, sector or category) per value column
    body: np.ndarray  # industry rows × value columns
    primary: dict[str, np.ndarray]  # 'va', 'other', 'x' → values over the value columns
    total: np.ndarray | None  # the total column, over the industry rows
    fd_codes: dict[str, str]  # column key part → category code
    fd_order: list[str]  # category codes in table order
    label: Callable[[tuple[str, str]], str]
    output_name: str  # what the output row is called in this layout, for messages
    total_name: str
    rounding_unit: float
    region_parent: dict[str, str] = field(default_factory=dict)
    note_missing_total: bool = True


def _assemble(
    b: _Block,
    *,
    source: str,
    year: int,
    sector_codes: dict[str, str] | None = None,
    region_names: dict[str, str],
    sector_names: dict[str, str],
    notes: list[str],
) -> IOTable:
    """Check the labels, put the industries in region-major order and build the table."""
    file = b.file
    dup = _duplicates(b.row_keys)
    if dup:
        raise DataError(
            f"industry rows appear more than once: {_listed(map(b.label, dup))}", file=file
        )
    row_set = set(b.row_keys)
    ind_cols: list[int] = []
    fd_cols: list[int] = []
    stray: list[int] = []
    for j, (r, s) in enumerate(b.col_keys):
        if s in b.fd_codes and r:
            fd_cols.append(j)
        elif (r, s) in row_set:
            ind_cols.append(j)
        else:
            stray.append(j)
    col_ind_keys = [b.col_keys[j] for j in ind_cols]
    dup = _duplicates(col_ind_keys)
    if dup:
        raise DataError(
            f"industry columns appear more than once: {_listed(map(b.label, dup))}", file=file
        )
    col_set = set(col_ind_keys)
    rows_only = [k for k in b.row_keys if k not in col_set]
    if stray or rows_only:
        parts = []
        if rows_only:
            parts.append(f"rows without a matching column: {_listed(map(b.label, rows_only))}")
        if stray:
            parts.append(
                "columns without a matching row: " + _listed(b.label(b.col_keys[j]) for j in stray)
            )
        raise DataError(
            "the industry block's row and column labels differ; " + "; ".join(parts), file=file
        )

    def parent(r: str) -> str:
        return b.region_parent.get(r, r)

    regions = list(dict.fromkeys(parent(r) for r, _ in b.row_keys))
    sectors = list(dict.fromkeys(s for _, s in b.row_keys))
    by_region: dict[str, list[str]] = {}
    for r, s in b.row_keys:
        by_region.setdefault(r, []).append(s)
    gaps = [(r, s) for r, ss in by_region.items() for s in sectors if s not in ss]
    if gaps:
        raise DataError(
            "not every region has every sector; missing industries: " + _listed(map(b.label, gaps)),
            file=file,
        )
    R, S = len(regions), len(sectors)
    n = R * S
    r_pos = {r: i for i, r in enumerate(regions)}
    s_pos = {s: i for i, s in enumerate(sectors)}

    def target(keys: Sequence[tuple[str, str]]) -> np.ndarray:
        return np.array([r_pos[parent(r)] * S + s_pos[s] for r, s in keys], dtype=np.int64)

    row_t = target(b.row_keys)
    col_t = target(col_ind_keys)
    merged = np.bincount(row_t, minlength=n)  # 1 per industry, more where sub-regions merge
    if merged.max() == 1:  # a permutation: one copy, in region-major order
        Z = b.body[np.ix_(np.argsort(row_t), np.asarray(ind_cols)[np.argsort(col_t)])]
    else:
        Z = _scatter_rows(b.body[:, ind_cols], row_t, n)
        Z = _scatter_rows(Z.T, col_t, n).T.copy()

    # Final demand by destination region and category.
    K = len(b.fd_order)
    k_pos = {c: i for i, c in enumerate(b.fd_order)}
    Y = np.zeros((n, R, K))
    fd_rows = _scatter_rows(b.body[:, fd_cols], row_t, n)
    have: set[tuple[str, str]] = set()
    unknown_dest: list[str] = []
    for jj, j in enumerate(fd_cols):
        r, s = b.col_keys[j]
        d = parent(r)
        if d not in r_pos:
            unknown_dest.append(b.label(b.col_keys[j]))
            continue
        cat = b.fd_codes[s]
        Y[:, r_pos[d], k_pos[cat]] += fd_rows[:, jj]
        have.add((d, cat))
    if unknown_dest:
        raise DataError(
            "final-demand columns for regions without industry rows: " + _listed(unknown_dest),
            file=file,
        )
    missing_fd = [(r, s) for r in regions for s, cat in b.fd_codes.items() if (r, cat) not in have]
    if missing_fd:
        raise DataError(
            "final-demand columns missing: " + _listed(map(b.label, missing_fd)), file=file
        )

    def over_columns(name: str) -> np.ndarray:
        return np.bincount(col_t, weights=b.primary[name][ind_cols], minlength=n)

    if "x" not in b.primary:
        raise DataError(f"no output row ({b.output_name})", file=file, field=b.output_name)
    x = over_columns("x")
    va = over_columns("va")
    other = over_columns("other") if "other" in b.primary else np.zeros(n)
    if b.total is not None:
        x_tot = np.bincount(row_t, weights=b.total, minlength=n)
        tol = b.rounding_unit * (merged + 1) + FLOAT_RTOL * np.maximum(np.abs(x), 1.0)
        off = np.flatnonzero(np.abs(x - x_tot) > tol)
        if len(off):
            idx = [(regions[i // S], sectors[i % S]) for i in off]
            worst = sorted(zip(off, idx, strict=True), key=lambda t: -abs(x[t[0]] - x_tot[t[0]]))
            raise DataError(
                f"the {b.output_name} row and the {b.total_name} column disagree for "
                f"{len(off)} industr{'y' if len(off) == 1 else 'ies'} beyond rounding: "
                + _listed(f"{b.label(k)}: {x[i]:,.6g} vs {x_tot[i]:,.6g}" for i, k in worst),
                file=file,
            )
    elif b.note_missing_total:
        notes.append(f"no {b.total_name} column: output taken from the {b.output_name} row alone")
    if b.region_parent:
        groups: dict[str, list[str]] = {}
        for sub, par in b.region_parent.items():
            groups.setdefault(par, []).append(sub)
        notes.append(
            "sub-regions aggregated: "
            + "; ".join(f"{', '.join(sorted(v))} into {k}" for k, v in sorted(groups.items()))
        )
    if sector_codes:
        sectors = [sector_codes.get(s, s) for s in sectors]
    table = IOTable(
        source=source,
        year=int(year),
        regions=regions,
        sectors=sectors,
        Z=Z,
        x=x,
        va=va,
        other=other,
        y_total=Y.sum(axis=(1, 2)),
        Y=Y,
        fd_categories=list(b.fd_order),
        unit="USD million",
        rounding_unit=b.rounding_unit,
        region_names=dict(region_names),
        sector_names={s: sector_names[s] for s in sectors if s in sector_names},
        notes=notes,
    )
    table.validate_shapes(file=file)
    return table


def _duplicates(keys: Sequence[Any]) -> list[Any]:
    seen: set[Any] = set()
    dup: list[Any] = []
    for k in keys:
        if k in seen and k not in dup:
            dup.append(k)
        seen.add(k)
    return dup


def _scatter_rows(block: np.ndarray, target: np.ndarray, n: int) -> np.ndarray:
    """Rows of ``block`` put (and added, where targets repeat) at ``target`` positions."""
    block = np.asarray(block, dtype=float)
    out = np.zeros((n, *block.shape[1:]))
    if len(np.unique(target)) == len(target):
        out[target] = block
    else:
        np.add.at(out, target, block)
    return out


# --------------------------------------------------------------------------- OECD ICIO


def parse_icio_csv(
    path: Path, *, year: int | None = None, allow_missing_output: bool = False
) -> IOTable:
    """Read one OECD ICIO table in the publisher's CSV layout (see the module docstring).

    ``year`` defaults to the year in the file name (``2022_SML.csv`` → 2022,
    ``ICIO2023_2019.csv`` → 2019). A file without the ``OUT`` row is refused unless
    ``allow_missing_output``: then output is the ``OUT`` column, or the row sums of the
    intermediate and final-demand blocks when that is missing too (said in ``notes``).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("no such file", file=path)
    year = year if year is not None else _year_from_name(path.stem)
    if year is None:
        raise DataError("no year in the file name; pass year=", file=path)
    notes: list[str] = [f"OECD ICIO CSV {path.name}"]
    header = _icio_header(path)
    rounding = _rounding_from_decimals(_csv_decimals(path))
    df = _icio_frame(path, header)
    labels = [_text(v) for v in df.index]
    cols = header[1:]

    special = {lab: i for i, lab in enumerate(labels) if lab in ICIO_PRIMARY_ROWS}
    dup = _duplicates(labels)
    if dup:
        raise DataError(f"row labels appear more than once: {_listed(dup)}", file=path)
    ind_rows = [i for i, lab in enumerate(labels) if lab not in special and "_" in lab]
    unknown = [
        f"{lab or '(empty)'} (line {i + 2})"
        for i, lab in enumerate(labels)
        if lab not in special and "_" not in lab
    ]
    if unknown:
        raise DataError(
            "row labels that are neither {CTY}_{SECTOR} nor TLS/VA/OUT: " + _listed(unknown),
            file=path,
        )
    required = ["TLS", "VA"] + ([] if allow_missing_output else ["OUT"])
    missing = [r for r in required if r not in special]
    if missing:
        raise DataError(
            f"row(s) {', '.join(missing)} missing (rows below the industries should be "
            "TLS, VA, OUT)",
            file=path,
            field=missing[0],
        )
    total_j = [j for j, c in enumerate(cols) if c == "OUT"]
    value_j = [j for j, c in enumerate(cols) if c != "OUT"]

    def key(label: str) -> tuple[str, str]:
        r, _, s = label.partition("_")
        return (r, s) if s else (label, "")

    def lab(k: tuple[str, str]) -> str:
        return f"{k[0]}_{k[1]}" if k[1] else k[0]

    values = _icio_numbers(df, path, labels, cols)
    del df
    col_keys = [key(cols[j]) for j in value_j]
    row_keys = [key(labels[i]) for i in ind_rows]
    ind_like = [
        jj for jj, (_, s) in enumerate(col_keys) if s not in ICIO_FD_CATEGORIES
    ]  # industry columns (and strays), checked against the rows in _assemble
    # Empty cells in the blocks that are used.
    used_cols = np.array(value_j + total_j, dtype=np.int64)
    _icio_no_empty(
        values[np.ix_(ind_rows, used_cols)],
        path,
        [labels[i] for i in ind_rows],
        [cols[j] for j in used_cols],
        [i + 2 for i in ind_rows],
    )
    prim_rows = [special[r] for r in ("TLS", "VA", "OUT") if r in special]
    ind_value_j = np.array([value_j[jj] for jj in ind_like], dtype=np.int64)
    _icio_no_empty(
        values[np.ix_(prim_rows, ind_value_j)],
        path,
        [labels[i] for i in prim_rows],
        [cols[j] for j in ind_value_j],
        [i + 2 for i in prim_rows],
    )

    body = values[np.ix_(ind_rows, np.array(value_j, dtype=np.int64))]
    primary = {
        "va": values[special["VA"], value_j],
        "other": values[special["TLS"], value_j],
    }
    total = values[ind_rows, total_j[0]] if total_j else None
    own_total = True
    if "OUT" in special:
        primary["x"] = values[special["OUT"], value_j]
    elif total is not None:
        primary["x"] = _columns_from_rows(row_keys, col_keys, total)
        notes.append("no OUT row: output taken from the OUT column")
        total, own_total = None, False
    else:
        primary["x"] = _columns_from_rows(row_keys, col_keys, body.sum(axis=1))
        notes.append("no OUT row or column: output is the row sums of Z and final demand")
        own_total = False
    fd_j = [value_j[jj] for jj, (_, s) in enumerate(col_keys) if s in ICIO_FD_CATEGORIES]
    fd_tls = float(np.nansum(values[special["TLS"], fd_j])) if fd_j else 0.0
    if fd_tls:
        notes.append(
            f"taxes less subsidies on final demand ({fd_tls:,.6g} USD million, the TLS row "
            "under the final-demand columns) are outside this table's arrays"
        )
    region_parent = {}
    for r, _ in row_keys:
        m = _ICIO_SUBREGION.match(r)
        if m:
            region_parent[r] = _ICIO_PARENT[m.group(1)]
    block = _Block(
        file=str(path),
        row_keys=row_keys,
        col_keys=col_keys,
        body=body,
        primary=primary,
        total=total,
        fd_codes={c: c for c in ICIO_FD_CATEGORIES},
        fd_order=list(ICIO_FD_CATEGORIES),
        label=lab,
        output_name="OUT",
        total_name="OUT",
        rounding_unit=rounding,
        region_parent=region_parent,
        note_missing_total=own_total,
    )
    regions = list(dict.fromkeys(region_parent.get(r, r) for r, _ in row_keys))
    catalogue = icio_region_catalogue()
    fallback = dict(zip(catalogue["code"], catalogue["name"], strict=True))
    sec = sector_catalogue("icio")
    return _assemble(
        block,
        source="icio",
        year=year,
        region_names=_region_names(regions, fallback),
        sector_names=dict(zip(sec["code"], sec["name"], strict=True)),
        notes=notes,
    )


def _columns_from_rows(
    row_keys: list[tuple[str, str]], col_keys: list[tuple[str, str]], v: np.ndarray
) -> np.ndarray:
    """A vector over industry rows, laid out over the value columns (0 where no row)."""
    pos = {k: i for i, k in enumerate(row_keys)}
    return np.array([v[pos[k]] if k in pos else 0.0 for k in col_keys])


def _icio_header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), None)
    except (UnicodeDecodeError, OSError) as exc:
        raise DataError(f"cannot read as a UTF-8 CSV file ({exc})", file=path) from exc
    if not header or len(header) < 3:
        raise DataError("not an ICIO CSV: no header row of column labels", file=path, line=1)
    header = [h.strip() for h in header]
    dup = _duplicates(header[1:])
    if dup:
        raise DataError(f"column labels appear more than once: {_listed(dup)}", file=path, line=1)
    return header


def _csv_decimals(path: Path) -> int:
    best = 0
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for fields in islice(csv.reader(fh), 1, _ROUNDING_LINES):
            for tok in fields[1:]:
                d = _decimals(tok)
                if d is not None and d > best:
                    best = d
    return best


def _icio_frame(path: Path, header: list[str]) -> pd.DataFrame:
    try:
        df = pd.read_csv(
            path,
            header=None,
            skiprows=1,
            names=list(range(len(header))),
            index_col=0,
            encoding="utf-8-sig",
            low_memory=False,
            # Only an empty field is missing; 'NA', 'n/a', 'nan' are text, so refused.
            keep_default_na=False,
            na_values=[""],
        )
    except pd.errors.ParserError as exc:
        raise DataError(f"malformed CSV ({exc})", file=path) from exc
    except (UnicodeDecodeError, ValueError, OSError) as exc:
        raise DataError(f"cannot read the CSV ({exc})", file=path) from exc
    if df.empty:
        raise DataError("no data rows", file=path)
    return df


def _icio_numbers(df: pd.DataFrame, path: Path, labels: list[str], cols: list[str]) -> np.ndarray:
    """All cells as floats (NaN where empty); text anywhere is an error naming the cell."""
    bad: list[str] = []
    for j, c in enumerate(df.columns):
        s = df[c]
        if s.dtype.kind in "fiu":
            continue
        num = pd.to_numeric(s, errors="coerce")
        wrong = np.flatnonzero(num.isna().to_numpy() & s.notna().to_numpy())
        for i in wrong:
            bad.append(f"row {labels[i]} (line {i + 2}), column {cols[j]}: {s.iat[i]!r}")
        df[c] = num
    if bad:
        raise DataError(f"{len(bad)} non-numeric cell(s): " + _listed(bad, 5), file=path)
    return df.to_numpy(dtype=float)


def _icio_no_empty(
    block: np.ndarray,
    path: Path,
    row_labels: list[str],
    col_labels: list[str],
    lines: list[int],
) -> None:
    empty = np.argwhere(np.isnan(block))
    if len(empty):
        where = [
            f"row {row_labels[i]} (line {lines[i]}), column {col_labels[j]}" for i, j in empty[:5]
        ]
        raise DataError(f"{len(empty)} empty cell(s): " + _listed(where, 5), file=path)


# --------------------------------------------------------------------------- WIOD workbooks


def parse_wiod_excel(path: Path, *, year: int | None = None) -> IOTable:
    """Read a WIOD world input-output table workbook, 2013 or 2016 release.

    See the module docstring for the layout and how value added, other primary inputs and
    output are taken. ``year`` defaults to the year in the file name (or sheet name/title).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("no such file", file=path)
    title, rows, first = _read_wiod_sheet(path)
    where = f"{path} [{title}]"
    width = max(len(r) for r in rows)
    rows = [list(r) + [None] * (width - len(r)) for r in rows]
    h_code, h_name, h_region, h_num = (rows[first - k] for k in (4, 3, 2, 1))

    # Columns: industries, final demand, the total.
    region_cols = [
        j for j in range(4, width) if _text(h_region[j]) and _text(h_region[j]).upper() != "TOT"
    ]
    numbers = {j: _sector_number(h_num[j]) for j in range(4, width)}
    codes = {j: _text(h_code[j]) for j in range(4, width)}
    # Final demand is numbered 57-61 in the 2016 release (where 37-42 are industries) and
    # c37-c42 in the 2013 release.
    if any(numbers[j] in WIOD2016_FD for j in region_cols):
        release, fd_map, n_ind = "2016", WIOD2016_FD, 56
    elif any(numbers[j] in WIOD2013_FD for j in region_cols):
        release, fd_map, n_ind = "2013", WIOD2013_FD, 35
    else:
        raise DataError(
            "not a WIOD world input-output table: no final-demand columns (numbers 57–61 "
            f"or c37–c42) in header row {first}",
            file=where,
            line=first,
        )
    value_cols: list[int] = []
    col_keys: list[tuple[str, str]] = []
    extra: list[int] = []
    for j in range(4, width):
        reg, num = _text(h_region[j]), numbers[j]
        if not (reg or codes[j] or _text(h_num[j]) or _text(h_name[j])):
            continue  # an empty column
        if (
            reg
            and reg.upper() != "TOT"
            and num is not None
            and (1 <= num <= n_ind or num in fd_map)
        ):
            value_cols.append(j)
            col_keys.append((reg, str(num)))
        else:
            extra.append(j)
    total_col: int | None = None
    if extra:
        last = extra[-1]
        stray = [j for j in extra if j != last or (value_cols and last < value_cols[-1])]
        if stray:
            from openpyxl.utils import get_column_letter

            raise DataError(
                "unrecognised columns (header: code / description / country / number): "
                + _listed(
                    f"{get_column_letter(j + 1)} ({codes[j]} / {_text(h_name[j])} / "
                    f"{_text(h_region[j])} / {_text(h_num[j])})"
                    for j in stray
                ),
                file=where,
            )
        total_col = last
    notes: list[str] = [f"WIOD {release} release workbook {path.name}, sheet {title}"]

    # Rows: industries, then primary inputs.
    ind_rows: list[int] = []
    k = first
    while k < len(rows):
        row = rows[k]
        reg, num = _text(row[2]), _sector_number(row[3])
        if (
            reg
            and reg.upper() != "TOT"
            and num is not None
            and 1 <= num <= n_ind
            and _text(row[0]).casefold() not in _WIOD_PRIMARY_CODES
        ):
            ind_rows.append(k)
            k += 1
        else:
            break
    row_keys = [(_text(rows[i][2]), str(_sector_number(rows[i][3]))) for i in ind_rows]
    primary_rows: dict[str, list[int]] = {}
    for i in range(k, len(rows)):
        row = rows[i]
        if not any(_text(v) for v in row):
            continue
        role = _wiod_primary_role(row[0], row[1], row[3], release)
        if role is None:
            raise DataError(
                "unrecognised row below the industries (code / description / country / "
                f"number: {_text(row[0])} / {_text(row[1])} / {_text(row[2])} / "
                f"{_text(row[3])}); expected II_fob, TXSP, EXP_adj, PURR, PURNR, VA, IntTTM, GO",
                file=where,
                line=i + 1,
            )
        primary_rows.setdefault(role, []).append(i)
    twice = [r for r, ii in primary_rows.items() if len(ii) > 1]
    if twice:
        raise DataError(f"primary-input row(s) appear more than once: {_listed(twice)}", file=where)
    for need in ("VA", "GO"):
        if need not in primary_rows:
            raise DataError(
                f"no {need} row ({'value added' if need == 'VA' else 'gross output'}) below "
                "the industries",
                file=where,
                field=need,
            )

    read_cols = value_cols + ([total_col] if total_col is not None else [])
    body, blanks = _excel_numbers(rows, ind_rows, read_cols, where)
    total = body[:, -1] if total_col is not None else None
    if total_col is not None:
        body = body[:, :-1]
    # Primary inputs: only under the industry columns (the cells under final demand may be
    # empty or hold taxes paid by final users, which the table does not keep).
    ind_pos = [jj for jj, (_, s) in enumerate(col_keys) if int(s) <= n_ind]
    roles = list(primary_rows)
    prim_vals, blanks2 = _excel_numbers(
        rows, [primary_rows[r][0] for r in roles], [value_cols[jj] for jj in ind_pos], where
    )
    by_role: dict[str, np.ndarray] = {}
    for i, r in enumerate(roles):
        by_role[r] = np.zeros(len(value_cols))
        by_role[r][ind_pos] = prim_vals[i]
    if blanks + blanks2:
        notes.append(f"{blanks + blanks2} empty cell(s) in the numeric blocks read as 0")
    others = [r for r in WIOD_OTHER_PRIMARY if r in by_role]
    primary = {
        "x": by_role["GO"],
        "va": by_role["VA"],
        "other": (
            np.sum([by_role[r] for r in others], axis=0) if others else np.zeros(len(value_cols))
        ),
    }
    notes.append(
        "va = VA row; other = "
        + (" + ".join(others) if others else "0 (no such rows)")
        + "; x = GO row"
    )
    rounding = _rounding_from_decimals(_float_decimals(body[:_ROUNDING_LINES]))

    # Sector codes and names.
    if release == "2013":
        sector_codes = {str(i): f"c{i}" for i in range(1, n_ind + 1)}
        cat = sector_catalogue("wiod2013")
        names = dict(zip(cat["code"], cat["name"], strict=True))
    else:
        sector_codes = _consistent_codes(
            [(key[1], _text(rows[i][0])) for key, i in zip(row_keys, ind_rows, strict=True)],
            where,
        )
        cat = sector_catalogue("wiod2016")
        names = dict(zip(cat["code"], cat["name"], strict=True))
        for key, i in zip(row_keys, ind_rows, strict=True):
            desc = _text(rows[i][1])
            if desc:
                names.setdefault(sector_codes[key[1]], desc)
    year = year if year is not None else _wiod_year(path, title, rows)
    if year is None:
        raise DataError("no year in the file name, sheet name or title; pass year=", file=where)
    block = _Block(
        file=where,
        row_keys=row_keys,
        col_keys=col_keys,
        body=body,
        primary=primary,
        total=total,
        fd_codes={str(k): v for k, v in fd_map.items()},
        fd_order=list(fd_map.values()),
        label=_wiod_label(release),
        output_name="GO",
        total_name="total (TOT)",
        rounding_unit=rounding,
    )
    regions = list(dict.fromkeys(r for r, _ in row_keys))
    return _assemble(
        block,
        source="wiod",
        year=year,
        sector_codes=sector_codes,
        region_names=_region_names(regions, WIOD_REGION_NAMES),
        sector_names=names,
        notes=notes,
    )


def _wiod_label(release: str) -> Callable[[tuple[str, str]], str]:
    if release == "2013":
        return lambda k: f"{k[0]} c{k[1]}" if k[1] else k[0]
    return lambda k: f"{k[0]}{k[1]}"


def _read_wiod_sheet(path: Path) -> tuple[str, list[list[Any]], int]:
    """The first sheet in the WIOD layout: its title, its rows, and its first data row."""
    from ketenradar.sources.archives import Workbook

    with Workbook(path) as wb:  # zip bombs and far-flung cells are refused here
        for title, rows in wb.sheets():
            first = _wiod_first_data_row(rows)
            if first is not None:
                return title, rows, first
    raise DataError(
        "no sheet in the WIOD layout (four header rows above, four label columns code / "
        "description / country / number left of the numbers)",
        file=path,
    )


def _wiod_first_data_row(rows: list[list[Any]]) -> int | None:
    for i in range(4, min(len(rows), 40)):
        row = rows[i]
        if len(row) < 5:
            continue
        reg = _text(row[2])
        if (
            reg
            and reg.upper() != "TOT"
            and _sector_number(row[3]) is not None
            and isinstance(row[4], int | float)
            and not isinstance(row[4], bool)
            and len(rows[i - 2]) > 4
            and _text(rows[i - 2][4])
            and _sector_number(rows[i - 1][4]) is not None
        ):
            return i
    return None


def _wiod_primary_role(code: Any, name: Any, number: Any, release: str) -> str | None:
    c = _text(code).casefold()
    if c in _WIOD_PRIMARY_CODES:
        return _WIOD_PRIMARY_CODES[c]
    n = " ".join(_text(name).casefold().split())
    for fragment, role in _WIOD_PRIMARY_NAMES:
        if fragment in n:
            return role
    if release == "2013":
        return _WIOD2013_PRIMARY_NUMBERS.get(_sector_number(number) or -1)
    return None


def _excel_numbers(
    rows: list[list[Any]], row_idx: Sequence[int], col_idx: Sequence[int], where: str
) -> tuple[np.ndarray, int]:
    """Cells as floats; empty cells → 0 (counted); text → DataError naming the cells."""
    block = [[rows[i][j] for j in col_idx] for i in row_idx]
    try:
        out = np.array(block, dtype=float).reshape(len(row_idx), len(col_idx))
    except (TypeError, ValueError):
        from openpyxl.utils import get_column_letter

        bad = []
        for ii, i in enumerate(row_idx):
            for jj, j in enumerate(col_idx):
                v = block[ii][jj]
                if v is None or (isinstance(v, int | float) and not isinstance(v, bool)):
                    continue
                try:
                    float(v)
                except (TypeError, ValueError):
                    bad.append(
                        f"cell {get_column_letter(j + 1)}{i + 1} (row {_text(rows[i][2])} "
                        f"{_text(rows[i][3]) or _text(rows[i][0])}): {v!r}"
                    )
        raise DataError(f"{len(bad)} non-numeric cell(s): " + _listed(bad, 5), file=where) from None
    blanks = int(np.isnan(out).sum())
    return np.nan_to_num(out, nan=0.0), blanks


def _consistent_codes(pairs: Iterable[tuple[str, str]], where: str) -> dict[str, str]:
    """Sector number → industry code, the same for every region."""
    out: dict[str, str] = {}
    clash: list[str] = []
    for num, code in pairs:
        if not code:
            raise DataError(f"industry number {num} has no industry code", file=where)
        if out.setdefault(num, code) != code:
            clash.append(f"{num}: {out[num]} / {code}")
    if clash:
        raise DataError(
            "industry numbers carry different codes in different regions: " + _listed(clash),
            file=where,
        )
    dup = _duplicates(list(out.values()))
    if dup:
        raise DataError(f"industry codes used for two numbers: {_listed(dup)}", file=where)
    return out


def _wiod_year(path: Path, title: str, rows: list[list[Any]]) -> int | None:
    m = re.search(r"(?i)wiot((?:19|20)\d\d)", path.stem)
    if m:
        return int(m.group(1))
    m = re.search(r"(?i)wiot(\d\d)(?!\d)", path.stem)
    if m:
        yy = int(m.group(1))
        return 1900 + yy if yy >= 50 else 2000 + yy
    if re.fullmatch(r"(?:19|20)\d\d", title.strip()):
        return int(title.strip())
    m = re.search(r"((?:19|20)\d\d)\s*$", _text(rows[0][0]) if rows and rows[0] else "")
    return int(m.group(1)) if m else None


# --------------------------------------------------------------------------- WIOD, R forms


def _read_rda(path: Path) -> dict[str, Any]:
    import rdata

    from ketenradar.sources.archives import decompress_limited

    path = Path(path)
    if not path.is_file():
        raise DataError("no such file", file=path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot be read ({exc.strerror or exc})", file=path) from exc
    # rdata would inflate a gzip/bzip2/xz file whole: a small bomb could fill the memory
    raw = decompress_limited(raw, path)
    try:
        with warnings.catch_warnings():
            # The R package's class "iot" has no Python constructor: rdata returns the list.
            warnings.simplefilter("ignore", UserWarning)
            data = rdata.read_rda(io.BytesIO(raw))
    except Exception as exc:  # rdata raises many kinds of errors on a bad file
        raise DataError(
            f"cannot read as an R data file ({type(exc).__name__}: {exc})", file=path
        ) from exc
    if not isinstance(data, dict) or not data:
        raise DataError("the R data file holds no objects", file=path)
    return data


def parse_wiod2016_r(path: Path) -> list[IOTable]:
    """Read the WIOD 2016 release's R form (``WIOT2014_October16_ROW.RData``), one table a year."""
    data = _read_rda(path)
    frame = data.get("wiot")
    if frame is None:
        frames = [v for v in data.values() if isinstance(v, pd.DataFrame)]
        if len(frames) != 1:
            raise DataError(
                f"no data frame 'wiot' (objects: {_listed(data)})", file=path, field="wiot"
            )
        frame = frames[0]
    if not isinstance(frame, pd.DataFrame):
        raise DataError("'wiot' is not a data frame", file=path, field="wiot")
    return _wiod2016_from_frame(frame, file=str(path))


_R_LABELS = ("IndustryCode", "IndustryDescription", "Country", "RNr", "Year")
_R_COLUMN = re.compile(r"^([A-Za-z]{3})(\d+)$")


def _wiod2016_from_frame(df: pd.DataFrame, *, file: str) -> list[IOTable]:
    """The 2016 release's ``wiot`` data frame → one :class:`IOTable` per Year."""
    missing = [c for c in (*_R_LABELS, "TOT") if c not in df.columns]
    if missing:
        raise DataError(f"columns missing: {_listed(missing)}", file=file, field=missing[0])
    year_col = pd.to_numeric(df["Year"], errors="coerce")
    if year_col.isna().any():
        raise DataError("rows without a Year", file=file, field="Year")
    tables = []
    for y in sorted(year_col.astype(int).unique()):
        sub = df[(year_col == y).to_numpy()]
        tables.append(_wiod2016_year(sub.reset_index(drop=True), file=file, year=int(y)))
    return tables


def _wiod2016_year(df: pd.DataFrame, *, file: str, year: int) -> IOTable:
    value_names = [c for c in df.columns if c not in _R_LABELS and c != "TOT"]
    col_keys: list[tuple[str, str]] = []
    bad_names = []
    for c in value_names:
        m = _R_COLUMN.match(str(c))
        if not m:
            bad_names.append(str(c))
        else:
            col_keys.append((m.group(1), str(int(m.group(2)))))
    if bad_names:
        raise DataError(
            "columns that are neither a label, TOT nor country+number (AUS1): "
            + _listed(bad_names),
            file=file,
        )
    country = df["Country"].astype(str).str.strip()
    code = df["IndustryCode"].astype(str).str.strip()
    is_ind = (country.str.upper() != "TOT").to_numpy()
    ind = np.flatnonzero(is_ind)
    rnr = [_sector_number(v) for v in df["RNr"].iloc[ind]]
    if any(v is None for v in rnr):
        raise DataError("industry rows without a numeric RNr", file=file, field="RNr")
    row_keys = [(country.iat[i], str(r)) for i, r in zip(ind, rnr, strict=True)]
    prim_rows: dict[str, int] = {}
    for i in np.flatnonzero(~is_ind):
        role = _wiod_primary_role(code.iat[i], df["IndustryDescription"].iat[i], None, "2016")
        if role is None:
            raise DataError(
                f"unrecognised primary-input row {code.iat[i]!r} (row {i + 1})",
                file=file,
                field="IndustryCode",
            )
        if role in prim_rows:
            raise DataError(f"primary-input row {code.iat[i]} appears twice", file=file)
        prim_rows[role] = int(i)
    for need in ("VA", "GO"):
        if need not in prim_rows:
            raise DataError(f"no {need} row (Country 'TOT')", file=file, field=need)
    numbers = df[[*value_names, "TOT"]]
    bad = [c for c in numbers.columns if numbers[c].dtype.kind not in "fiu"]
    if bad:
        raise DataError(f"non-numeric columns: {_listed(bad)}", file=file)
    values = numbers.to_numpy(dtype=float, na_value=np.nan)
    ind_cols = [j for j, (_, s) in enumerate(col_keys) if int(s) not in WIOD2016_FD]
    prim = list(prim_rows.items())
    na = [
        f"row {row_keys[i][0]}{row_keys[i][1]}, column {numbers.columns[j]}"
        for i, j in np.argwhere(np.isnan(values[ind]))[:5]
    ] + [
        f"row {role}, column {value_names[j]}"
        for role, i in prim
        for j in ind_cols
        if np.isnan(values[i, j])
    ][:5]
    if na:
        raise DataError("missing values (NA): " + _listed(na, 5), file=file)
    values[np.isnan(values)] = 0.0  # cells that are not used (primary rows × final demand)
    body = values[ind, :-1]
    total = values[ind, -1]
    others = [r for r in WIOD_OTHER_PRIMARY if r in prim_rows]
    primary = {
        "x": values[prim_rows["GO"], :-1],
        "va": values[prim_rows["VA"], :-1],
        "other": values[[prim_rows[r] for r in others], :-1].sum(axis=0),
    }
    sector_codes = _consistent_codes(
        [(k[1], code.iat[i]) for k, i in zip(row_keys, ind, strict=True)], file
    )
    cat = sector_catalogue("wiod2016")
    names = dict(zip(cat["code"], cat["name"], strict=True))
    desc = df["IndustryDescription"].astype(str).str.strip()
    for k, i in zip(row_keys, ind, strict=True):
        names.setdefault(sector_codes[k[1]], desc.iat[i])
    block = _Block(
        file=file,
        row_keys=row_keys,
        col_keys=col_keys,
        body=body,
        primary=primary,
        total=total,
        fd_codes={str(k): v for k, v in WIOD2016_FD.items()},
        fd_order=list(WIOD2016_FD.values()),
        label=_wiod_label("2016"),
        output_name="GO",
        total_name="TOT",
        rounding_unit=_rounding_from_decimals(_float_decimals(body[:_ROUNDING_LINES])),
    )
    regions = list(dict.fromkeys(r for r, _ in row_keys))
    return _assemble(
        block,
        source="wiod",
        year=year,
        sector_codes=sector_codes,
        region_names=_region_names(regions, WIOD_REGION_NAMES),
        sector_names=names,
        notes=[
            "WIOD 2016 release, R form (data frame wiot)",
            "va = VA row; other = " + " + ".join(others) + "; x = GO row",
        ],
    )


_WIOD2013_KEYS = ("year", "countries", "industries", "inter", "final", "output")


def wiod2013_from_rdata(path: Path) -> IOTable:
    """Read one world table of the WIOD 2013 release in the R package's form (wiot_YYYY.RData).

    ``va`` is output minus the column sums of ``Z`` (the R form has no primary-input rows);
    the regional tables (``wiot_regional_YYYY.RData``) are refused.
    """
    path = Path(path)
    data = _read_rda(path)
    name, obj = next(iter(data.items()))
    if str(name).startswith("wiot_reg"):
        raise DataError(
            f"object {name!r} is a regional WIOD table (countries aggregated into regions, "
            "industries named in words), not a world input-output table: use wiot_YYYY.RData",
            file=path,
        )
    if len(data) != 1 or not isinstance(obj, dict):
        raise DataError(f"expected one list object wiot_YYYY, found {_listed(data)}", file=path)
    missing = [k for k in _WIOD2013_KEYS if k not in obj]
    if missing:
        raise DataError(f"list {name!r} lacks {_listed(missing)}", file=path, field=missing[0])
    countries = [str(c).strip() for c in np.asarray(obj["countries"]).ravel()]
    industries = [str(c).strip() for c in np.asarray(obj["industries"]).ravel()]
    if not all(re.fullmatch(r"c\d+", s) for s in industries):
        raise DataError(
            f"industries are not WIOD c-codes ({_listed(industries, 3)}): not a world table "
            "(the regional tables name industries in words)",
            file=path,
            field="industries",
        )
    R, S = len(countries), len(industries)
    n = R * S
    K = len(WIOD2013_FD)
    inter = np.asarray(getattr(obj["inter"], "values", obj["inter"]), dtype=float)
    final = np.asarray(getattr(obj["final"], "values", obj["final"]), dtype=float)
    output = np.asarray(getattr(obj["output"], "values", obj["output"]), dtype=float).ravel()
    for what, arr, want in (
        ("inter", inter, (n, n)),
        ("final", final, (n, R * K)),
        ("output", output, (n,)),
    ):
        if arr.shape != want:
            raise DataError(
                f"{what} has shape {arr.shape}, expected {want} for {R} countries × {S} "
                "industries: not a world table of the 2013 release",
                file=path,
                field=what,
            )
    for what, arr in (("inter", inter), ("final", final), ("output", output)):
        if not np.isfinite(arr).all():
            raise DataError(f"{what} holds missing values", file=path, field=what)
    dup = _duplicates(countries) + _duplicates(industries)
    if dup:
        raise DataError(f"duplicate labels: {_listed(dup)}", file=path)
    year = int(np.asarray(obj["year"]).ravel()[0])
    Y = final.reshape(n, R, K)
    d = _float_decimals(np.concatenate([inter[:_ROUNDING_LINES].ravel(), output]))
    cat = sector_catalogue("wiod2013")
    table = IOTable(
        source="wiod",
        year=year,
        regions=countries,
        sectors=industries,
        Z=inter,
        x=output,
        va=output - inter.sum(axis=0),
        other=np.zeros(n),
        y_total=Y.sum(axis=(1, 2)),
        Y=Y,
        fd_categories=list(WIOD2013_FD.values()),
        unit="USD million",
        rounding_unit=_rounding_from_decimals(d),
        region_names=_region_names(countries, WIOD_REGION_NAMES),
        sector_names=dict(zip(cat["code"], cat["name"], strict=True)),
        notes=[
            f"WIOD 2013 release, R package form ({path.name}, object {name})",
            "no value-added or other primary-input rows in this form: va = x − column sums "
            "of Z (so it also holds taxes less subsidies on products, cif/fob adjustments, "
            "purchases abroad and international transport margins); other = 0",
        ],
    )
    table.validate_shapes(file=str(path))
    return table
