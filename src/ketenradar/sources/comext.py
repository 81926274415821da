"""Eurostat Comext connector: monthly CN8 trade of the EU declarants into a ``trade_flows`` dataset.

Input: Eurostat's Comext bulk files of detailed trade, one file per month, declarant ×
partner × CN8 product × flow × statistical procedure, value in euros and net mass in kg.

Layouts accepted (columns found by name in the header, in any order; other columns such as
``PRODUCT_SITC``, ``PRODUCT_CPA21``, ``PRODUCT_BEC5``, ``SUPPL_UNIT`` are ignored):

* ``full_v2`` (``full_v2_YYYYMM.dat``, the current files): ``REPORTER, PARTNER, TRADE_TYPE,
  PRODUCT_NC, PRODUCT_SITC, PRODUCT_CPA21, PRODUCT_CPA22, PRODUCT_BEC, PRODUCT_BEC5,
  PRODUCT_SECTION, FLOW, STAT_PROCEDURE, SUPPL_UNIT, PERIOD, VALUE_EUR, VALUE_NAC,
  QUANTITY_KG, QUANTITY_SUPPL_UNIT``; reporter and partner as two-letter codes.
* ``full`` (``fullYYYYMM.dat``, the earlier files): ``DECLARANT, DECLARANT_ISO, PARTNER,
  PARTNER_ISO, TRADE_TYPE, PRODUCT_NC, PRODUCT_SITC, PRODUCT_CPA2002, PRODUCT_CPA2008,
  PRODUCT_CPA2_1, PRODUCT_BEC, [PRODUCT_BEC5,] PRODUCT_SECTION, FLOW, STAT_REGIME, SUPP_UNIT,
  PERIOD, VALUE_IN_EUROS, QUANTITY_IN_KG, SUP_QUANTITY``; the two-letter codes are in
  ``DECLARANT_ISO`` / ``PARTNER_ISO`` (``DECLARANT`` / ``PARTNER`` are numeric and unused).

Either layout may carry ``QUANTITY_IN_100KG`` instead of the kg column (the unit of the
DS-045409 database's quantity indicator); it is read as hundreds of kilograms. Comma,
semicolon, pipe and tab delimiters are recognised from the header.

Where the layouts were found: no Eurostat page could be opened offline, so they were taken
from public code that reads the real files: the data dictionary of the ``full_v2`` files
(``data/metadata/FULL.txt``, merged from Eurostat's COMEXT_METADATA classifications) and the
``full_v2`` / ``full`` headers in the tests of ``Matthijs-Vossen/comext-fetcher``; the ``full``
header in ``floforsthuber/2022_01_comext.jl`` and in the ``LOAD DATA`` statement of another
public loader; the file-name patterns and the bulk folder ``comext/COMEXT_DATA/PRODUCTS`` in
``MedAmine-SUDO/comext-trade-pipeline`` (``docs/comext_data_format.md``). The statistical
procedures accepted are those of that dictionary: 1 normal, 2 inward processing, 3 outward
processing, 5/6/7 (until 2009), 9 not recorded from customs declarations; all are summed.

Files: ``.dat`` / ``.csv``, plain or gzip (``.gz``), read by DuckDB with explicit
column types, never row by row in Python: one file at a time into a temporary table (spilled
to the staging folder when memory runs short), the checks on each field's distinct values,
the monthly and annual tables written per CN chapter group (chapter modulo :data:`PARTS`, files
``period=YYYYMM-part=K.parquet`` and ``year=YYYY-part=K.parquet``), so memory stays bounded
whatever the number of months.

Eurostat distributes the files as 7-Zip archives (``full_v2_202401.7z``); these must be
unpacked first (``7z x full_v2_202401.7z``; Debian/Ubuntu ``p7zip-full``, Windows 7-Zip): a
``.7z`` given here is refused with that instruction. Reading 7-Zip in Python would need
py7zr (a pure-Python implementation with eight dependencies of its own) for files that unpack
to several GB each; the 7-Zip tool does it faster, and the connector stays with formats DuckDB
reads itself.

Mapping to ``trade_flows`` (docs/methods/dependencies.md, "Comext"):

* **Each flow once.** An import declaration gives exporter = partner, importer = declarant.
  An export declaration is used only when its partner is not itself a declarant in the same
  month (so extra-EU exports); intra-EU trade is taken from the importer's declaration and
  never counted twice. Codes are compared after ``EL`` → ``GR`` and ``UK`` → ``GB``;
  ``XI`` (Northern Ireland) and ``XU`` (United Kingdom without Northern Ireland) stay apart,
  so exports to ``XU`` are kept when only ``XI`` declares.
* **Coverage.** Flows between two non-declarants (China to the United States) are not in the
  files: the ``world_exports`` table, hence ``world_export_hhi`` and the GeoDep flag, cover
  only what EU declarants report. The ingest report and the manifest say so.
* **Products.** CN8 → HS6 by the first six digits; the months are summed to the year (the
  ``trade`` table is annual; a year with fewer than 12 months is a partial sum, reported).
  The monthly CN8 detail is kept as the optional table ``trade_cn8_monthly`` (period YYYYMM,
  exporter, importer, cn8, value_keur, quantity_t).
* **Confidential and aggregate product codes.** ``TOTAL`` rows are aggregates of the detailed
  rows: left out of every table (they would count twice), counted and reported with their
  value. Codes of eight characters that start with two digits and hold letters (Eurostat's
  confidential codes such as ``27SSSSSS``, ``99RRR100``) are kept: under their own code in
  ``trade_cn8_monthly`` and under a labelled HS6 code in ``trade`` (the first six characters
  when those are digits, else the leading digits padded with ``X``: ``27XXXX``), counted
  and reported. Any other code is an error.
* **Countries.** Two-letter codes → ISO3 through the packaged country table
  (:mod:`ketenradar.core.countries`; ``EL`` → GRC, ``UK`` → GBR); Eurostat's own codes:
  ``XI``/``XU`` → GBR, ``XS`` → SRB, ``XM`` → MNE, ``XP`` → PSE. Non-country codes (``QU``
  not specified, ``QZ`` secret, ``QQ``/``QS`` stores and provisions, ``XC`` Ceuta, ``XL``
  Melilla, …) and unknown codes are kept as ``X`` + code (``XQU``), labelled in the
  ``countries`` table and reported with the rows and value they carry; never dropped.
* **Currency.** ``value_kusd`` is thousand USD: each month's value is converted with the
  monthly USD-per-EUR rate the user supplies (option ``usd_per_eur``: a CSV ``period,
  usd_per_eur``, the ECB series EXR.M.USD.EUR.SP00.A), then summed over the year. No rate
  is built in; without the file the ingest is refused. The file's name and sha256 are
  recorded in the manifest. ``trade_cn8_monthly`` keeps thousand euros.
* **Quantity.** Net mass to metric tons (kg / 1000; hundreds of kg / 10).

Strictness: every row is checked (codes, product code, flow, procedure, period, value,
quantity); a bad row is an error naming file, line and field, and nothing is written (the
dataset version is staged and switched in only when complete). A period may come from one
file only. Adding files to an existing dataset keeps its other months; a month given again
replaces the previous one (reported).

Fetch: :meth:`ComextConnector.fetch_url` gives the bulk file of a month,
``https://ec.europa.eu/eurostat/api/dissemination/files/?file=comext/COMEXT_DATA/PRODUCTS/
full_v2_YYYYMM.7z`` (the pattern of the public downloaders above). That URL could not be
verified offline; ``--base-url`` replaces the part before the file name.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
import shutil
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import duckdb

from ketenradar.core.countries import country_names, iso2_to_iso3
from ketenradar.core.errors import DataError, UsageError
from ketenradar.datasets import DataStore, InputFile, Manifest
from ketenradar.datasets.datastore import validate_name
from ketenradar.datasets.engine import connect as duckdb_connect
from ketenradar.datasets.engine import parquet_list, sql_literal
from ketenradar.sources.baci import REJECTS_LIMIT, _first_line, _link, first_reject
from ketenradar.sources.baci_files import FIRST_YEAR, last_plausible_year
from ketenradar.sources.base import IngestReport, Progress
from ketenradar.sources.download import sha256_file

PARSER_VERSION = "comext-1.0"
LICENCE = (
    "Eurostat reuse policy (Commission Decision 2011/833/EU): free reuse with acknowledgement "
    "of the source, CC BY 4.0"
)
CITATION = (
    "Eurostat, Comext, EU trade since 1988 by CN8 (DS-045409), bulk files of detailed data "
    "(full_v2_YYYYMM / fullYYYYMM)"
)
#: The folder of the monthly bulk files on Eurostat's dissemination API (not verified offline).
FILES_URL = (
    "https://ec.europa.eu/eurostat/api/dissemination/files/?file=comext/COMEXT_DATA/PRODUCTS/"
)
#: The ECB series the rates file must hold (USD per EUR, monthly average).
RATES_SERIES = "EXR.M.USD.EUR.SP00.A"
#: Sanity bounds of a USD-per-EUR rate (a check against EUR-per-USD or percentages, not a rate).
RATE_BOUNDS = (0.2, 5.0)
#: Longest line DuckDB accepts in a bulk file (a Comext row is under 200 bytes).
MAX_LINE_BYTES = 8192
#: Statistical procedures of the full files (Eurostat's code list); all are summed.
STAT_CODES = ("1", "2", "3", "5", "6", "7", "9")
#: Eurostat's two-letter codes that the packaged ISO table does not know but that are
#: countries (ISO3, note).
EUROSTAT_COUNTRIES: dict[str, tuple[str, str]] = {
    "XI": ("GBR", "United Kingdom (Northern Ireland), Eurostat code XI, counted as GBR"),
    "XU": ("GBR", "United Kingdom (excluding Northern Ireland), Eurostat code XU, counted as GBR"),
    "XS": ("SRB", "Serbia, Eurostat code XS"),
    "XM": ("MNE", "Montenegro (2005-2006), Eurostat code XM"),
    "XP": ("PSE", "West Bank and Gaza Strip (1995-2000), Eurostat code XP"),
}
#: Eurostat partner codes that are no country: kept as ``X`` + code, labelled.
EUROSTAT_SPECIAL: dict[str, str] = {
    "QP": "High seas",
    "QQ": "Stores and provisions",
    "QR": "Stores and provisions within intra-EU trade",
    "QS": "Stores and provisions within trade with third countries",
    "QU": "Countries and territories not specified",
    "QV": "Countries and territories not specified within intra-EU trade",
    "QW": "Countries and territories not specified within trade with third countries",
    "QX": "Countries and territories not specified for commercial or military reasons",
    "QY": "Secret countries, intra-EU trade (not specified for commercial or military reasons)",
    "QZ": "Secret countries, trade with third countries (not specified for commercial or "
    "military reasons)",
    "XC": "Ceuta (outside the EU customs territory)",
    "XL": "Melilla (outside the EU customs territory)",
    "XA": "American Oceania (until 2000)",
    "XO": "Australian Oceania (until 2000)",
    "XZ": "New Zealand Oceania (until 2000)",
    "XR": "Polar regions (until 2000)",
    "XB": "Canary Islands (until 1996)",
    "ZZ": "No data, work code",
}
#: Notes shown in the ingest report and the manifest of every Comext dataset.
COVERAGE_NOTE = (
    "coverage: Comext holds what EU declarants report. Flows between two non-declarants "
    "(e.g. China to the United States) are absent, so world exports (the world_exports "
    "table, world_export_hhi and hence the GeoDep flag) cover only flows to and from EU "
    "declarants: world_export_hhi measures the concentration of supply to the EU plus the "
    "declarants' own exports, not world supply"
)
ONCE_ONLY_NOTE = (
    "each flow once: import declarations give exporter = partner, importer = declarant; "
    "export declarations are used only where the partner is not itself a declarant in that "
    "month (extra-EU exports), so intra-EU trade is the importer's declaration"
)

_PERIOD_IN_NAME = re.compile(r"full(?:_v2)?_?(\d{6})", re.IGNORECASE)
_DATA_SUFFIXES = (".dat", ".csv")
_PRODUCT_SPECIAL = "[0-9]{2}[0-9A-Z]{6}"


@dataclass(frozen=True)
class Layout:
    """Where a bulk file's fields are: the header names of each role."""

    name: str
    declarant: str
    partner: str
    value: str
    stat: str
    quantities: tuple[tuple[str, int], ...]  # (column, kg per unit), first found wins
    product: str = "PRODUCT_NC"
    flow: str = "FLOW"
    period: str = "PERIOD"


LAYOUTS = (
    Layout(
        "full_v2",
        "REPORTER",
        "PARTNER",
        "VALUE_EUR",
        "STAT_PROCEDURE",
        (("QUANTITY_KG", 1), ("QUANTITY_IN_100KG", 100)),
    ),
    Layout(
        "full",
        "DECLARANT_ISO",
        "PARTNER_ISO",
        "VALUE_IN_EUROS",
        "STAT_REGIME",
        (("QUANTITY_IN_KG", 1), ("QUANTITY_IN_100KG", 100)),
    ),
)


@dataclass(frozen=True)
class ComextFile:
    """One bulk file to read, its header and layout."""

    path: Path
    origin: str
    header: tuple[str, ...]
    delim: str
    layout: Layout
    quantity: str
    kg_per_unit: int
    period_in_name: int | None

    def index(self, column: str) -> int:
        """The position of ``column`` in the header."""
        return self.header.index(column)


@dataclass
class FileResult:
    """What reading one file found."""

    periods: dict[int, int] = field(default_factory=dict)  # period -> rows read
    codes: dict[str, tuple[int, float, bool]] = field(default_factory=dict)
    product_classes: dict[str, tuple[int, float]] = field(default_factory=dict)
    special_products: list[tuple[str, int, float]] = field(default_factory=list)
    exports_not_used: tuple[int, float] = (0, 0.0)
    monthly_rows: dict[int, int] = field(default_factory=dict)


# -- files ---------------------------------------------------------------------------------


def _not_regular(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file or folder (``None`` when it can); never opens it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            return "broken symbolic link"
        return "no such file or folder"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return "not a regular file (a pipe, socket or device)"


def _data_name(path: Path) -> bool:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return name.endswith(_DATA_SUFFIXES)


def _seven_zip_error(path: Path | str) -> DataError:
    return DataError(
        "a 7-Zip archive: Eurostat's bulk files must be unpacked first (7z x FILE.7z; "
        "Debian/Ubuntu package p7zip-full, on Windows 7-Zip), then add the .dat file",
        file=path,
    )


def expand_inputs(paths: Sequence[Path], skip: Path | None = None) -> tuple[list[Path], list[str]]:
    """The data files among ``paths`` (files, or folders read one level deep) and a warning
    per entry skipped. A file given explicitly must be a bulk file; in folders, other files
    (7-Zip archives, READMEs, CSV files without a Comext header) are skipped with a warning,
    the rates file ``skip`` without one."""
    found: list[Path] = []
    ignored: list[str] = []
    for p in map(Path, paths):
        why = _not_regular(p)
        if why is not None:
            raise DataError(why, file=p)
        if p.is_dir():
            for c in sorted(p.iterdir()):
                if skip is not None and c.resolve() == skip.resolve():
                    continue
                why = _not_regular(c)
                if why is not None:
                    ignored.append(f"skipped {c}: {why}")
                elif c.is_dir():
                    ignored.append(f"skipped sub-folder {c} (pass it explicitly to read it)")
                elif c.name.lower().endswith(".7z"):
                    ignored.append(f"skipped 7-Zip archive {c}: unpack it first (7z x)")
                elif _data_name(c) and _is_comext(c):
                    found.append(c)
                else:
                    ignored.append(f"ignored file not recognised as a Comext bulk file: {c}")
        elif p.name.lower().endswith(".7z"):
            raise _seven_zip_error(p)
        else:
            found.append(p)
    return found, ignored


def _is_comext(path: Path) -> bool:
    """Whether a file in a folder has a Comext header (else it is skipped, with a warning)."""
    try:
        read_header(path)
    except DataError as exc:
        if exc.reason.startswith("not a Comext bulk file"):
            return False
        raise
    return True


def _first_line_of(path: Path) -> bytes:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            return fh.readline(MAX_LINE_BYTES + 1)
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise DataError(f"cannot read the file ({exc})", file=path) from exc


def read_header(path: Path, origin: str | None = None) -> ComextFile:
    """Recognise a bulk file's layout from its header (raises :class:`DataError`)."""
    where = origin or str(path)
    raw = _first_line_of(path)
    if raw.startswith(b"7z\xbc\xaf\x27\x1c"):
        raise _seven_zip_error(where)
    if len(raw) > MAX_LINE_BYTES:
        raise DataError(
            f"first line longer than {MAX_LINE_BYTES} bytes: not a Comext bulk file", file=where
        )
    if b"\0" in raw:
        raise DataError("binary content (NUL byte): not a text file", file=where, line=1)
    try:
        first = raw.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text: not a Comext bulk file", file=where, line=1) from None
    if not first:
        raise DataError("file is empty", file=where, line=1)
    delim = max(",;|\t", key=first.count)
    header = tuple(c.strip().strip('"').strip().upper() for c in first.split(delim))
    if len(set(header)) != len(header):
        raise DataError("duplicate column names in the header", file=where, line=1)
    layout = next((lay for lay in LAYOUTS if lay.declarant in header), None)
    if layout is None:
        raise DataError(
            "not a Comext bulk file: the header has neither REPORTER (full_v2 layout) nor "
            f"DECLARANT_ISO (full layout); found {', '.join(header)}",
            file=where,
            line=1,
        )
    quantity = next(((q, k) for q, k in layout.quantities if q in header), None)
    need = [layout.partner, layout.product, layout.flow, layout.stat, layout.period, layout.value]
    missing = [c for c in need if c not in header]
    if quantity is None:
        missing.append(" or ".join(q for q, _ in layout.quantities))
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(missing)} for the {layout.name} layout "
            f"(found {', '.join(header)})",
            file=where,
            line=1,
            field=missing[0],
        )
    m = _PERIOD_IN_NAME.search(path.name)
    period = int(m.group(1)) if m else None
    if period is not None and period % 100 == 52:
        raise DataError(
            "an annual file (period YYYY52): give the monthly files (the months are summed "
            "to the year here)",
            file=where,
            field="file name",
        )
    return ComextFile(path, where, header, delim, layout, quantity[0], quantity[1], period)


# -- rates ---------------------------------------------------------------------------------


def _period(text: str) -> int | None:
    """``202401`` or ``2024-01`` as 202401 (``None`` when it is neither)."""
    t = text.strip()
    m = re.fullmatch(r"(\d{4})-?(\d{2})", t)
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        return None
    return year * 100 + month


def read_rates(path: Path) -> dict[int, float]:
    """The monthly USD-per-EUR rates of a CSV ``period,usd_per_eur`` (period ``YYYYMM`` or
    ``YYYY-MM``; lines starting with ``#`` are comments). Strict: a bad period, a rate that
    is not a positive number within :data:`RATE_BOUNDS`, or a period given twice is an
    error naming the line."""
    why = _not_regular(path)
    if why is not None or path.is_dir():
        raise DataError(why or "a folder, not a rates file", file=path, field="usd_per_eur")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text", file=path, field="usd_per_eur") from None
    lines = [(n, ln) for n, ln in enumerate(text.splitlines(), start=1)]
    body = [(n, ln) for n, ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not body:
        raise DataError("the rates file is empty", file=path)
    head_no, head = body[0]
    delim = ";" if head.count(";") > head.count(",") else ","
    cols = [c.strip().strip('"').lower() for c in head.split(delim)]
    for need in ("period", "usd_per_eur"):
        if need not in cols:
            raise DataError(
                f"missing column '{need}' (a rates file has the header period,usd_per_eur; "
                f"found {','.join(cols)})",
                file=path,
                line=head_no,
                field=need,
            )
    ip, ir = cols.index("period"), cols.index("usd_per_eur")
    rates: dict[int, float] = {}
    seen: dict[int, int] = {}
    for n, ln in body[1:]:
        row = next(csv.reader(io.StringIO(ln), delimiter=delim))
        if len(row) != len(cols):
            raise DataError(f"expected {len(cols)} fields, found {len(row)}", file=path, line=n)
        p = _period(row[ip])
        if p is None:
            raise DataError(
                f"'{row[ip].strip()}' is not a period YYYYMM", file=path, line=n, field="period"
            )
        try:
            r = float(row[ir])
        except ValueError:
            raise DataError(
                f"'{row[ir].strip()}' is not a number", file=path, line=n, field="usd_per_eur"
            ) from None
        lo, hi = RATE_BOUNDS
        if not math.isfinite(r) or not lo <= r <= hi:
            raise DataError(
                f"{row[ir].strip()} is not a USD-per-EUR rate (expected between {lo} and {hi}; "
                "EUR per USD or a percentage given?)",
                file=path,
                line=n,
                field="usd_per_eur",
            )
        if p in seen:
            raise DataError(
                f"period {p} appears twice (first on line {seen[p]})",
                file=path,
                line=n,
                field="period",
            )
        seen[p] = n
        rates[p] = r
    if not rates:
        raise DataError("the rates file has no rates", file=path)
    return rates


def _check_rates_cover(rates: dict[int, float], periods: Sequence[int], path: Path) -> None:
    missing = sorted(set(periods) - set(rates))
    if missing:
        shown = ", ".join(map(str, missing[:12])) + ("…" if len(missing) > 12 else "")
        raise DataError(
            f"no USD-per-EUR rate for {len(missing)} month(s) of the data: {shown}; the "
            f"rates file must cover every month ({RATES_SERIES})",
            file=path,
            field="usd_per_eur",
        )


# -- codes ---------------------------------------------------------------------------------


def map_code(code: str) -> tuple[str, str, bool, str]:
    """A Eurostat two-letter code → (ISO3 or labelled special code, name, is_special, note)."""
    if code in EUROSTAT_COUNTRIES:
        iso3, note = EUROSTAT_COUNTRIES[code]
        return iso3, country_names().get(iso3, iso3), False, note
    iso3 = iso2_to_iso3(code) if len(code) == 2 else None
    if iso3 is not None:
        note = f"Eurostat code {code}" + (f" (ISO {iso3})" if code in ("EL", "UK") else "")
        return iso3, country_names().get(iso3, iso3), False, note
    if code in EUROSTAT_SPECIAL:
        label = EUROSTAT_SPECIAL[code]
        return f"X{code}", label, True, f"Eurostat code {code}: {label} (no country)"
    return f"X{code}", f"unknown Eurostat code {code}", True, "code not in the country table"


def _norm(code: str) -> str:
    """The code as compared between declarants and partners (Greece and the UK have two)."""
    return {"EL": "GR", "UK": "GB"}.get(code, code)


# -- SQL -----------------------------------------------------------------------------------


def _read_sql(f: ComextFile, rejects: bool = True) -> str:
    types = {f.layout.value: "DOUBLE", f.quantity: "DOUBLE"}
    columns = (
        "{"
        + ", ".join(f"'c{i}': '{types.get(c, 'VARCHAR')}'" for i, c in enumerate(f.header))
        + "}"
    )
    rej = (
        f", store_rejects=true, rejects_table='rej', rejects_scan='rej_scan', "
        f"rejects_limit={REJECTS_LIMIT}"
        if rejects
        else ""
    )
    return (
        f"read_csv({sql_literal(f.path)}, header=true, auto_detect=false, "
        f"delim={sql_literal(f.delim)}, quote='\"', escape='\"', columns={columns}, "
        f"max_line_size={MAX_LINE_BYTES}{rej})"
    )


#: The columns of the raw table a file is loaded into (as the file has them, not normalised).
RAW_COLUMNS = ("decl", "partner", "product", "flow", "stat", "period", "value", "qty")
#: Monthly and annual files are split by CN chapter modulo this number, so that the annual
#: aggregation of a year holds one part in memory at a time.
PARTS = 8


def _raw_sql(f: ComextFile, rejects: bool = True) -> str:
    """The needed fields of a file, as written there, plus its chapter part."""
    lay = f.layout
    cols = (lay.declarant, lay.partner, lay.product, lay.flow, lay.stat, lay.period, lay.value)
    sel = ", ".join(f"c{f.index(c)} AS {r}" for c, r in zip(cols, RAW_COLUMNS, strict=False))
    product = f"c{f.index(lay.product)}"
    return (
        f"SELECT {sel}, c{f.index(f.quantity)} AS qty, "
        f"TRY_CAST(substr(trim({product}), 1, 2) AS UTINYINT) % {PARTS} AS part "
        f"FROM {_read_sql(f, rejects)}"
    )


def _field_checks(f: ComextFile) -> dict[str, list[tuple[str, str]]]:
    """Per field (of the normalised values ``x``): (condition, reason) in the order tested."""
    last = last_plausible_year()
    stats = ", ".join(f"'{s}'" for s in STAT_CODES)
    code = "[A-Z0-9_]{2,15}"
    period = [
        ("x IS NULL OR x = ''", "missing value"),
        ("NOT regexp_full_match(x, '[0-9]{6}')", "not a period YYYYMM"),
        ("substr(x, 5, 2) = '52'", "an annual total (period YYYY52): give the monthly files"),
        ("substr(x, 5, 2) NOT BETWEEN '01' AND '12'", "month outside 01-12"),
        (
            f"CAST(substr(x, 1, 4) AS INTEGER) NOT BETWEEN {FIRST_YEAR} AND {last}",
            f"year outside the plausible range {FIRST_YEAR}-{last}",
        ),
    ]
    if f.period_in_name is not None:
        period.append(
            (
                f"x <> '{f.period_in_name}'",
                f"period differs from the file name ({f.period_in_name})",
            )
        )
    number = [
        ("isnan(x) OR isinf(x)", "not a finite number"),
    ]
    return {
        "decl": [
            ("x IS NULL OR x = ''", "missing value"),
            (f"NOT regexp_full_match(x, '{code}')", "not a Eurostat country code (such as NL, EL)"),
        ],
        "partner": [
            ("x IS NULL OR x = ''", "missing value"),
            (f"NOT regexp_full_match(x, '{code}')", "not a Eurostat country code (such as CN, QU)"),
        ],
        "product": [
            ("x IS NULL OR x = ''", "missing value"),
            (
                "regexp_full_match(x, '[0-9]{7}')",
                "a CN8 code has 8 digits (a leading zero lost in a spreadsheet?)",
            ),
            (
                f"NOT (regexp_full_match(x, '{_PRODUCT_SPECIAL}') OR x = 'TOTAL')",
                "not a CN8 code (8 digits), a confidential code (8 characters starting with 2 "
                "digits, e.g. 27SSSSSS) or TOTAL",
            ),
        ],
        "flow": [("x IS NULL OR x NOT IN ('1', '2')", "must be 1 (import) or 2 (export)")],
        "stat": [
            (
                "x = '4'",
                "statistical procedure 4 is not in the code list of the full files (1, 2, 3, "
                "5, 6, 7, 9); older Comext data used 4 for the total of all procedures, which "
                "would count twice",
            ),
            (
                f"x IS NULL OR x NOT IN ({stats})",
                "not a statistical procedure of the full files (1, 2, 3, 5, 6, 7, 9)",
            ),
        ],
        "period": period,
        "value": [("x IS NULL", "missing value"), *number, ("x < 0", "negative trade value")],
        "qty": [*number, ("x < 0", "negative quantity")],
    }


def _normal(column: str) -> str:
    """The normalised form of a raw field (codes upper case, spaces trimmed)."""
    if column in ("value", "qty"):
        return column
    if column in ("flow", "stat", "period"):
        return f"trim({column})"
    return f"upper(trim({column}))"


def _field_case(checks: list[tuple[str, str]], x: str) -> str:
    """One field's CASE: the reason of its first failed check, else NULL."""
    whens = " ".join(f"WHEN {_sub(cond, x)} THEN {sql_literal(reason)}" for cond, reason in checks)
    return f"CASE {whens} ELSE NULL END"


def _sub(cond: str, x: str) -> str:
    """``cond`` with its placeholder ``x`` (a whole word) replaced by the expression ``x``."""
    return re.sub(r"\bx\b", f"({x})", cond)


def _problem_sql(f: ComextFile) -> str:
    """The first problem of a raw row as ``field:reason`` (NULL when fine), fields in order."""
    parts = [
        f"'{name}:' || {_field_case(checks, _normal(name))}"
        for name, checks in _field_checks(f).items()
    ]
    return "coalesce(" + ", ".join(parts) + ")"


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple:
    """The one row a query answers (fully fetched: the connection is free afterwards)."""
    return con.execute(sql, params or []).fetchall()[0]


def hs6_sql(cn8: str = "cn8") -> str:
    """The HS6 code of a CN8 code: its first six digits; for a confidential code whose first
    six characters are not all digits, its leading digits padded with ``X`` (``27XXXX``).
    Written so that sqlglot carries it to Spark unchanged in meaning (``regexp_matches`` is
    Spark's ``RLIKE``)."""
    return (
        f"CASE WHEN regexp_matches(substr({cn8}, 1, 6), '^[0-9]{{6}}$') THEN substr({cn8}, 1, 6) "
        f"ELSE rpad(regexp_extract({cn8}, '^[0-9]+', 0), 6, 'X') END"
    )


def hs6_annual_sql(monthly: str, rates: str, year: int | None = None) -> str:
    """The canonical ``trade`` rows (HS6 years, thousand USD) from the monthly CN8 relation
    ``monthly`` (the ``trade_cn8_monthly`` columns) and the relation ``rates`` (``period,
    usd_per_eur``): each month converted at its own rate, then summed to the year. One
    definition, run by the ingest (DuckDB) and by any engine (``--engine spark``, the
    scale-out benchmark)."""
    where = (
        f"WHERE m.period BETWEEN {int(year) * 100 + 1} AND {int(year) * 100 + 12}" if year else ""
    )
    return f"""
        SELECT CAST(m.period // 100 AS SMALLINT) AS year, m.exporter, m.importer,
               {hs6_sql("m.cn8")} AS product,
               sum(m.value_keur * r.usd_per_eur) AS value_kusd,
               sum(m.quantity_t) AS quantity_t
        FROM {monthly} m
        JOIN {rates} r ON r.period = m.period
        {where}
        GROUP BY ALL
    """


# -- the connector -------------------------------------------------------------------------


class ComextConnector:
    """Eurostat Comext monthly bulk files (CN8) into ``trade_flows`` (thousand USD, HS6)."""

    name: ClassVar[str] = "comext"
    kind: ClassVar[str] = "trade_flows"
    description: ClassVar[str] = (
        "Eurostat Comext monthly trade of the EU declarants, CN8 (to HS6, thousand USD)"
    )

    # -- fetch -------------------------------------------------------------------------
    def fetch_url(self, base_url: str | None = None, **options: Any) -> tuple[str, str]:
        """(URL, file name) of the bulk file of one month: option ``period`` (YYYYMM,
        required) and ``layout`` (``full_v2``, the default, or ``full`` for the earlier
        ``fullYYYYMM.7z`` files). Eurostat serves 7-Zip archives: unpack the download before
        ``data add comext``. The default address (:data:`FILES_URL`) was not verified
        offline; ``base_url`` replaces it (the file name is appended)."""
        options = dict(options)
        text = str(options.pop("period", "") or "")
        layout = str(options.pop("layout", "") or "full_v2")
        if options:
            raise UsageError(f"unknown option(s) for comext: {', '.join(options)}")
        if not text:
            raise UsageError(
                "comext needs the month: --option period=YYYYMM (e.g. period=202401)",
                field="option",
            )
        period = _period(text)
        if period is None:
            raise UsageError(f"period {text!r} is not a month YYYYMM", field="option")
        if layout not in ("full_v2", "full"):
            raise UsageError(f"layout {layout!r}: use full_v2 or full", field="option")
        name = f"full_v2_{period}.7z" if layout == "full_v2" else f"full{period}.7z"
        base = base_url or FILES_URL
        sep = "" if base.endswith(("/", "=")) else "/"
        return f"{base}{sep}{name}", name

    # -- ingest ------------------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[Path],
        store: DataStore,
        *,
        dataset_name: str | None = None,
        progress: Progress | None = None,
        usd_per_eur: Path | str | None = None,
        **options: Any,
    ) -> IngestReport:
        """Ingest Comext bulk files into ``store`` (dataset ``comext`` unless named).

        ``usd_per_eur`` is required: a CSV ``period,usd_per_eur`` with a rate for every
        month of the data (ECB series EXR.M.USD.EUR.SP00.A). Raises :class:`DataError` on
        malformed input; then nothing is written and the previous version stays live.
        """
        if options:
            raise UsageError(f"unknown option(s) for comext: {', '.join(options)}")
        if usd_per_eur is None:
            raise UsageError(
                "comext needs monthly USD-per-EUR rates (--usd-per-eur FILE, a CSV "
                f"period,usd_per_eur): Comext values are in euros, trade_flows holds thousand "
                f"USD, and no rate is built in. Use the ECB series {RATES_SERIES} (monthly "
                "average, USD per EUR), one row per month of the data.",
                field="usd_per_eur",
            )
        rates_path = Path(usd_per_eur)
        name = dataset_name or self.name
        validate_name(name)
        files, ignored = expand_inputs(list(paths), skip=rates_path)
        if not files:
            raise DataError(
                "no Comext bulk file found (expected .dat/.csv files such as "
                "full_v2_202401.dat, plain or .gz)",
                file=", ".join(str(p) for p in paths),
            )
        rates = read_rates(rates_path)
        heads = [read_header(p) for p in files]
        named = [h.period_in_name for h in heads if h.period_in_name is not None]
        _check_rates_cover(rates, named, rates_path)  # fail fast where names tell the month
        return _Ingest(self, store, name, heads, ignored, rates, rates_path, progress).run()


class _Ingest:
    """One ingestion run (kept together so that its steps share the DuckDB connection)."""

    def __init__(
        self,
        connector: ComextConnector,
        store: DataStore,
        name: str,
        files: list[ComextFile],
        ignored: list[str],
        rates: dict[int, float],
        rates_path: Path,
        progress: Progress | None,
    ) -> None:
        self.connector = connector
        self.store = store
        self.name = name
        self.files = files
        self.warnings = list(ignored)
        self.rates = rates
        self.rates_path = rates_path
        self.progress = progress

    def note(self, stage: str, done: int, total: int | None) -> None:
        """Report progress (when a callback was given)."""
        if self.progress:
            self.progress(stage, done, total)

    def run(self) -> IngestReport:
        """Checksums, the idempotence check, then the dataset written in one staged version."""
        previous = self.store.find(self.name)
        hashed: list[tuple[ComextFile, str, int]] = []
        for n, f in enumerate(self.files):
            self.note(f"checksum {f.path.name}", n, len(self.files))
            hashed.append((f, sha256_file(f.path), f.path.stat().st_size))
        rates_sha = sha256_file(self.rates_path)
        shas = [h for _, h, _ in hashed]
        if len(set(shas)) != len(shas):
            dup = next(f for f, h, _ in hashed if shas.count(h) > 1)
            raise DataError("the same file is given twice (same sha256)", file=dup.origin)
        if previous is not None and previous.manifest.parser_version == PARSER_VERSION:
            have = {i.sha256 for i in previous.manifest.inputs}
            if all(h in have for h in [*shas, rates_sha]):
                return IngestReport(
                    self.name, False, previous.manifest, ["unchanged: same input files"]
                )
        (self.store.root / "staging").mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".comext-", dir=self.store.root / "staging"))
        con = duckdb_connect()
        try:
            con.execute(f"SET temp_directory = {sql_literal(scratch / 'spill')}")
            con.execute("SET preserve_insertion_order = false")
            with self.store.stage(self.name) as staged:
                manifest = self._build(con, staged, previous, hashed, rates_sha)
                manifest.write(staged.path)
        finally:
            con.close()
            shutil.rmtree(scratch, ignore_errors=True)
        return IngestReport(self.name, True, manifest, list(manifest.warnings))

    # -- the steps ---------------------------------------------------------------------
    def _build(
        self,
        con: duckdb.DuckDBPyConnection,
        staged: Any,
        previous: Any,
        hashed: list[tuple[ComextFile, str, int]],
        rates_sha: str,
    ) -> Manifest:
        mdir = staged.table_dir("trade_cn8_monthly")
        old_attrs = previous.manifest.attributes if previous is not None else {}
        codes: dict[str, str] = dict(old_attrs.get("eurostat_codes", {}))
        period_file: dict[int, str] = {}  # period -> origin of the file that gave it
        period_sha: dict[int, str] = {}
        period_rows: dict[int, int] = {}
        monthly_rows: dict[int, int] = {}
        inputs: list[InputFile] = []
        code_stats: dict[str, list] = {}
        classes: dict[str, list[float]] = {"total": [0, 0.0], "special": [0, 0.0]}
        special_codes: dict[str, list[float]] = {}
        not_used = [0, 0.0]
        for n, (f, sha, size) in enumerate(hashed):
            self.note(f"read {f.path.name}", n, len(hashed))
            res = self._read_file(con, f, mdir, codes, period_file)
            for p, rows in res.periods.items():
                period_file[p] = f.origin
                period_sha[p] = sha
                period_rows[p] = rows
            monthly_rows.update(res.monthly_rows)
            for code, (rows, value, as_partner) in res.codes.items():
                s = code_stats.setdefault(code, [0, 0.0, False])
                s[0] += rows
                s[1] += value
                s[2] = s[2] or as_partner
            for cls in ("total", "special"):
                r, v = res.product_classes.get(cls, (0, 0.0))
                classes[cls][0] += r
                classes[cls][1] += v
            for code, r, v in res.special_products:
                s2 = special_codes.setdefault(code, [0, 0.0])
                s2[0] += r
                s2[1] += v
            not_used[0] += res.exports_not_used[0]
            not_used[1] += res.exports_not_used[1]
            years = tuple(sorted({p // 100 for p in res.periods}))
            inputs.append(
                InputFile(
                    f.path.name, sha, size, "trade", sum(res.periods.values()), years, f.origin
                )
            )
        # the months of the previous version that no file replaces
        kept_inputs: list[InputFile] = []
        if previous is not None:
            old_periods = {int(p): s for p, s in old_attrs.get("period_sha256", {}).items()}
            replaced = sorted(p for p in old_periods if p in period_file)
            if replaced:
                self.warnings.append(
                    f"{len(replaced)} month(s) replaced by the new files: "
                    + ", ".join(map(str, replaced))
                )
            old_rows = previous.manifest.tables.get("trade_cn8_monthly", {}).get("periods", {})
            keep_shas = set()
            for p, s in old_periods.items():
                if p in period_file:
                    continue
                for src in sorted((previous.path / "trade_cn8_monthly").glob(f"period={p}-*")):
                    _link(src, mdir / src.name)
                monthly_rows[p] = int(old_rows.get(str(p), 0))
                period_sha[p] = s
                keep_shas.add(s)
            kept_inputs = [
                i for i in previous.manifest.inputs if i.role == "trade" and i.sha256 in keep_shas
            ]
        periods = sorted(monthly_rows)
        _check_rates_cover(self.rates, periods, self.rates_path)
        self._warn_codes(code_stats)
        self._warn_products(classes, special_codes)
        if not_used[0]:
            self.warnings.append(
                f"{not_used[0]:,} export declaration row(s) ({not_used[1]:,.0f} EUR) to partners "
                "that declare themselves were not used: those flows are the partner's import "
                "declarations (each flow once)"
            )
        self.warnings.append(COVERAGE_NOTE)
        months: dict[int, list[int]] = {}
        for p in periods:
            months.setdefault(p // 100, []).append(p % 100)
        for y, ms in sorted(months.items()):
            if len(ms) < 12:
                self.warnings.append(
                    f"year {y} holds {len(ms)} of 12 months ({', '.join(f'{m:02d}' for m in ms)}): "
                    "its annual values are partial sums, not comparable with full years"
                )
        self.note("annual HS6 tables", 0, None)
        year_rows = self._write_annual(con, staged, mdir, months)
        country_rows = self._write_countries(con, staged, codes)
        product_rows = self._write_products(con, staged)
        rates_input = InputFile(
            self.rates_path.name,
            rates_sha,
            self.rates_path.stat().st_size,
            "rates",
            len(self.rates),
            (),
            str(self.rates_path),
        )
        first, last = periods[0], periods[-1]
        return Manifest(
            name=self.name,
            source=self.connector.name,
            kind=self.connector.kind,
            release=f"{first}-{last}",
            licence=LICENCE,
            citation=CITATION,
            parser_version=PARSER_VERSION,
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
            version=staged.version,
            inputs=kept_inputs + inputs + [rates_input],
            tables={
                "trade": {
                    "rows": sum(year_rows.values()),
                    "years": {str(y): year_rows[y] for y in sorted(year_rows)},
                },
                "countries": {"rows": country_rows},
                "products": {"rows": product_rows},
                "world_exports": {"derived": True},
                "trade_cn8_monthly": {
                    "rows": sum(monthly_rows.values()),
                    "periods": {str(p): monthly_rows[p] for p in periods},
                },
            },
            attributes={
                "years": sorted(months),
                "periods": periods,
                "months_per_year": {str(y): len(ms) for y, ms in sorted(months.items())},
                "layouts": sorted({f.layout.name for f, _, _ in hashed}),
                "value_unit": "thousand USD (monthly EUR values converted with the monthly "
                "USD-per-EUR rate, then summed over the year)",
                "quantity_unit": "metric tons",
                "usd_per_eur": {
                    "file": self.rates_path.name,
                    "sha256": rates_sha,
                    "series": f"ECB {RATES_SERIES} (as supplied by the user)",
                    "months": len(self.rates),
                },
                "period_sha256": {str(p): period_sha[p] for p in periods},
                "eurostat_codes": dict(sorted(codes.items())),
                "notes": [ONCE_ONLY_NOTE, COVERAGE_NOTE],
            },
            warnings=self.warnings,
        )

    def _read_file(
        self,
        con: duckdb.DuckDBPyConnection,
        f: ComextFile,
        mdir: Path,
        codes: dict[str, str],
        period_file: dict[int, str],
    ) -> FileResult:
        """Check one file strictly and write its months into ``mdir``.

        The file is read once into a temporary table of its raw fields (DuckDB spills it to
        the staging folder when memory runs short). The checks run on the distinct values
        of each field (a few thousand, not millions of rows); only when one fails is the
        file read again, on one thread, to name the first bad line.
        """
        con.execute("DROP TABLE IF EXISTS rej; DROP TABLE IF EXISTS rej_scan")
        con.execute("DROP TABLE IF EXISTS raw; DROP TABLE IF EXISTS stats")
        try:
            con.execute(f"CREATE TEMP TABLE raw AS {_raw_sql(f)}")
        except duckdb.Error as exc:
            raise DataError(f"cannot read as CSV: {_first_line(exc)}", file=f.origin) from exc
        rej = first_reject(con, _read_sql(f))
        if rej is not None:
            line, column, etype, msg, count = rej
            col = f.header[int(column[1:])] if column and column[1:].isdigit() else column
            raise DataError(
                f"{etype.lower()}: {_first_line(msg)} ({count} bad row(s) in all)",
                file=f.origin,
                line=int(line),
                field=col,
            )
        number_bad = " OR ".join(
            f"coalesce(({_field_case(checks, name)}) IS NOT NULL, false)"
            for name, checks in _field_checks(f).items()
            if name in ("value", "qty")
        )
        con.execute(
            f"""
            CREATE TEMP TABLE stats AS
            SELECT GROUPING(product) = 0 AS by_product, period, decl, partner, flow, stat,
                   product, count(*) AS n, sum(value) AS v,
                   count(*) FILTER (WHERE {number_bad}) AS bad_numbers
            FROM raw
            GROUP BY GROUPING SETS ((period, decl, partner, flow, stat), (product))
            """
        )
        n_rows, bad = _one(con, "SELECT sum(n), sum(bad_numbers) FROM stats WHERE NOT by_product")
        if not n_rows:
            raise DataError("the file has no rows", file=f.origin)
        bad = int(bad or 0)
        for name, checks in _field_checks(f).items():
            if name in ("value", "qty"):
                continue
            where = "by_product" if name == "product" else "NOT by_product"
            bad += _one(
                con,
                f"SELECT count(*) FROM (SELECT DISTINCT {_normal(name)} AS x FROM stats "
                f"WHERE {where}) WHERE ({_field_case(checks, 'x')}) IS NOT NULL",
            )[0]
        if bad:
            self._first_problem(con, f)
        # raw value -> normalised value, for the few distinct values of each field
        norm: dict[str, dict[str | None, str]] = {}
        for name in ("decl", "partner", "flow", "period", "product"):
            where = "by_product" if name == "product" else "NOT by_product"
            norm[name] = dict(
                con.execute(
                    f"SELECT DISTINCT {name}, {_normal(name)} FROM stats WHERE {where}"
                ).fetchall()
            )
        res = FileResult()
        by_period: dict[int, list[str]] = {}
        for raw_p, p in norm["period"].items():
            by_period.setdefault(int(p), []).append(raw_p)
        rows_per_period = dict(
            con.execute(
                f"SELECT {_normal('period')}, sum(n) FROM stats WHERE NOT by_product GROUP BY 1"
            ).fetchall()
        )
        res.periods = {int(p): int(n) for p, n in rows_per_period.items()}
        for p in res.periods:
            if p in period_file:
                raise DataError(
                    f"month {p} is supplied by two files: {period_file[p]} and {f.origin}",
                    file=f.origin,
                    field=f.layout.period,
                )
        code_of = {**norm["decl"], **norm["partner"]}
        found = con.execute(
            """
            SELECT code, sum(n), sum(v), bool_or(as_partner) FROM (
              SELECT decl AS code, n, v, false AS as_partner FROM stats WHERE NOT by_product
              UNION ALL
              SELECT partner, n, v, true FROM stats WHERE NOT by_product
            ) GROUP BY 1
            """
        ).fetchall()
        for raw_code, n, v, as_partner in found:
            c = code_of[raw_code]
            old = res.codes.get(c, (0, 0.0, False))
            res.codes[c] = (old[0] + int(n), old[1] + float(v or 0), old[2] or bool(as_partner))
            if c not in codes:
                codes[c] = map_code(c)[0]
        # products: TOTAL rows (aggregates), confidential / special codes
        for _raw, k, n, v in con.execute(
            f"SELECT product, {_normal('product')}, n, v FROM stats WHERE by_product"
        ).fetchall():
            cls = "total" if k == "TOTAL" else "cn8" if k.isdigit() else "special"
            r0, v0 = res.product_classes.get(cls, (0, 0.0))
            res.product_classes[cls] = (r0 + int(n), v0 + float(v or 0))
            if cls == "special":
                res.special_products.append((k, int(n), float(v or 0)))
        totals = [r for r, k in norm["product"].items() if k == "TOTAL"]
        import pyarrow as pa

        raw_codes = sorted(code_of)
        con.register(
            "_codes",
            pa.table(
                {
                    "code": raw_codes,
                    "norm": [_norm(code_of[c]) for c in raw_codes],
                    "iso3": [codes[code_of[c]] for c in raw_codes],
                }
            ),
        )
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE codes AS SELECT * FROM _codes")
        finally:
            con.unregister("_codes")
        clean = {k: all(r == n for r, n in norm[k].items()) for k in ("flow", "product")}
        flow = "flow" if clean["flow"] else "trim(flow)"
        product = "product" if clean["product"] else "upper(trim(product))"
        no_total = f"AND product NOT IN ({', '.join(map(sql_literal, totals))})" if totals else ""
        t_rows, t_value = 0, 0.0
        for p in sorted(res.periods):
            raw_ps = by_period[p]
            declarants = sorted(
                {
                    _norm(code_of[r[0]])
                    for r in con.execute(
                        "SELECT DISTINCT decl FROM stats WHERE NOT by_product AND period IN "
                        f"({', '.join(map(sql_literal, raw_ps))})"
                    ).fetchall()
                }
            )
            in_decl = ", ".join(map(sql_literal, declarants))
            one_period = len(res.periods) == 1
            when = "" if one_period else f"AND period IN ({', '.join(map(sql_literal, raw_ps))})"
            body = f"""
                FROM raw JOIN codes cd ON cd.code = raw.decl JOIN codes cp ON cp.code = raw.partner
                WHERE true {when} {no_total}
            """
            kg = f.kg_per_unit
            rows = 0
            for part in range(PARTS):
                out = mdir / f"period={p}-part={part}.parquet"
                con.execute(
                    f"""
                    COPY (
                      SELECT CAST({p} AS INTEGER) AS period,
                             CASE WHEN {flow} = '1' THEN cp.iso3 ELSE cd.iso3 END AS exporter,
                             CASE WHEN {flow} = '1' THEN cd.iso3 ELSE cp.iso3 END AS importer,
                             {product} AS cn8,
                             sum(value) / 1000 AS value_keur,
                             sum(qty) * {kg} / 1000 AS quantity_t
                      {body} AND part = {part} AND ({flow} = '1' OR cp.norm NOT IN ({in_decl}))
                      GROUP BY ALL
                    ) TO {sql_literal(out)} (FORMAT parquet, COMPRESSION zstd,
                                             ROW_GROUP_SIZE 1000000)
                    """
                )
                n = _one(con, "SELECT count(*) FROM read_parquet(?)", [str(out)])[0]
                if n:
                    rows += n
                else:
                    out.unlink()
            res.monthly_rows[p] = rows
            r, v = _one(
                con,
                f"SELECT count(*), coalesce(sum(value), 0) {body} AND {flow} = '2' "
                f"AND cp.norm IN ({in_decl})",
            )
            t_rows += int(r)
            t_value += float(v)
        res.exports_not_used = (t_rows, t_value)
        con.execute("DROP TABLE raw; DROP TABLE stats")
        return res

    def _first_problem(self, con: duckdb.DuckDBPyConnection, f: ComextFile) -> None:
        """Raise for the first bad row in file order (slow path, only on error)."""
        con.execute("DROP TABLE IF EXISTS raw; DROP TABLE IF EXISTS stats; SET threads=1")
        try:
            found = con.execute(
                f"SELECT rn, problem FROM (SELECT row_number() OVER () AS rn, "
                f"{_problem_sql(f)} AS problem FROM ({_raw_sql(f, rejects=False)})) "
                "WHERE problem IS NOT NULL ORDER BY rn LIMIT 1"
            ).fetchall()
            bad = _one(
                con,
                f"SELECT count(*) FROM ({_raw_sql(f, rejects=False)}) "
                f"WHERE {_problem_sql(f)} IS NOT NULL",
            )[0]
        finally:
            con.execute("RESET threads")
        if not found:
            raise RuntimeError(f"{f.origin}: a check failed on the distinct values, not on a row")
        rn, problem = found[0]
        name, _, reason = problem.partition(":")
        lay = f.layout
        fields = {
            "decl": lay.declarant,
            "partner": lay.partner,
            "product": lay.product,
            "flow": lay.flow,
            "stat": lay.stat,
            "period": lay.period,
            "value": lay.value,
            "qty": f.quantity,
        }
        raise DataError(
            f"{reason} ({bad} bad row(s) in all)",
            file=f.origin,
            line=int(rn) + 1,
            field=fields.get(name, name),
        )

    def _warn_codes(self, stats: dict[str, list]) -> None:
        special = []
        unknown = []
        for code, (rows, value, _) in sorted(stats.items()):
            _iso3, label, is_special, _note = map_code(code)
            if not is_special:
                continue
            item = f"{code} ({label}): {rows:,} row(s), {value:,.0f} EUR"
            (special if code in EUROSTAT_SPECIAL else unknown).append(item)
        if special:
            self.warnings.append(
                "non-country partner codes kept as X<code> (labelled in the countries table): "
                + "; ".join(special)
            )
        if unknown:
            self.warnings.append(
                f"{len(unknown)} code(s) not in the country table, kept as X<code>: "
                + "; ".join(unknown)
            )

    def _warn_products(
        self, classes: dict[str, list[float]], special: dict[str, list[float]]
    ) -> None:
        rows, value = classes["total"]
        if rows:
            self.warnings.append(
                f"{int(rows):,} TOTAL row(s) ({value:,.0f} EUR) left out: aggregates of the "
                "detailed rows, they would count twice"
            )
        rows, value = classes["special"]
        if rows:
            top = sorted(special.items(), key=lambda kv: -kv[1][1])[:10]
            shown = ", ".join(f"{c} ({v:,.0f} EUR)" for c, (_, v) in top)
            self.warnings.append(
                f"{int(rows):,} row(s) ({value:,.0f} EUR) with {len(special)} confidential or "
                f"special product code(s) kept under their own code in trade_cn8_monthly and "
                f"a labelled HS6 code (e.g. 27XXXX) in trade: {shown}"
                + ("…" if len(special) > 10 else "")
            )

    def _write_annual(
        self,
        con: duckdb.DuckDBPyConnection,
        staged: Any,
        mdir: Path,
        months: dict[int, list[int]],
    ) -> dict[int, int]:
        """``trade`` (HS6, thousand USD) and ``world_exports`` of each year, from the months.

        One year is aggregated one chapter part at a time (``year=Y-part=K.parquet``), so
        memory holds a part of a year, not a year."""
        import pyarrow as pa

        from ketenradar.datasets.kinds import world_exports_sql

        ps = sorted(self.rates)
        con.register(
            "_rates",
            pa.table(
                {
                    "period": pa.array(ps, pa.int32()),
                    "usd_per_eur": pa.array([self.rates[p] for p in ps], pa.float64()),
                }
            ),
        )
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE rates AS SELECT * FROM _rates")
        finally:
            con.unregister("_rates")
        tdir = staged.table_dir("trade")
        wdir = staged.table_dir("world_exports")
        out: dict[int, int] = {}
        for n, (y, ms) in enumerate(sorted(months.items())):
            self.note(f"year {y}", n, len(months))
            out[y] = 0
            for part in range(PARTS):
                src = [
                    mdir / f"period={y * 100 + m}-part={part}.parquet"
                    for m in ms
                    if (mdir / f"period={y * 100 + m}-part={part}.parquet").is_file()
                ]
                if not src:
                    continue
                path = tdir / f"year={y}-part={part}.parquet"
                con.execute(
                    f"""
                    COPY (
                      {hs6_annual_sql(f"read_parquet({parquet_list(src)})", "rates")}
                    ) TO {sql_literal(path)} (FORMAT parquet, COMPRESSION zstd,
                                              ROW_GROUP_SIZE 1000000)
                    """
                )
                out[y] += _one(con, "SELECT count(*) FROM read_parquet(?)", [str(path)])[0]
            files = sorted(tdir.glob(f"year={y}-part=*.parquet"))
            trade = f"read_parquet({parquet_list(files)})"
            con.execute(
                f"COPY ({world_exports_sql(trade)}) TO "
                f"{sql_literal(wdir / f'year={y}.parquet')} (FORMAT parquet, COMPRESSION zstd)"
            )
        return out

    def _write_countries(
        self, con: duckdb.DuckDBPyConnection, staged: Any, codes: dict[str, str]
    ) -> int:
        import pyarrow as pa

        rows = [map_code(c) for c in sorted(codes)]
        tbl = pa.table(
            {
                "iso3": pa.array([r[0] for r in rows], pa.string()),
                "name": pa.array([r[1] for r in rows], pa.string()),
                "source_code": pa.array([None] * len(rows), pa.int32()),
                "is_special": pa.array([r[2] for r in rows], pa.bool_()),
                "note": pa.array([r[3] for r in rows], pa.string()),
            }
        )
        path = staged.table_dir("countries") / "countries.parquet"
        con.register("_countries", tbl)
        try:
            con.execute(
                f"COPY _countries TO {sql_literal(path)} (FORMAT parquet, COMPRESSION zstd)"
            )
        finally:
            con.unregister("_countries")
        return len(rows)

    def _write_products(self, con: duckdb.DuckDBPyConnection, staged: Any) -> int:
        trade = parquet_list(sorted((staged.path / "trade").glob("*.parquet")))
        path = staged.table_dir("products") / "products.parquet"
        con.execute(
            f"""
            COPY (
              SELECT product,
                     CASE WHEN regexp_full_match(product, '[0-9]{{6}}') THEN ''
                          ELSE 'confidential or special Comext code(s) of chapter '
                               || substr(product, 1, 2) || ' (HS6 not published)' END
                       AS description
              FROM (SELECT DISTINCT product FROM read_parquet({trade})) ORDER BY product
            ) TO {sql_literal(path)} (FORMAT parquet, COMPRESSION zstd)
            """
        )
        return con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchall()[0][0]
