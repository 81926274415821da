"""World Bank World Development Indicators (WDI) bulk CSVs into a ``wdi_indicators`` dataset
(issue 18, item 1: R&D expenditure, researchers and other indicators for the industrial-policy
KPIs). Not to be confused with :mod:`ketenradar.sources.wgi` (governance indicators).

The kind ``wdi_indicators`` is declared here (:data:`KIND`) and registered by one
entry-point line (group ``ketenradar.dataset_kinds``).

Layout read: the World Bank's per-indicator bulk download
``API_<indicator>_DS2_en_csv_v2_<n>.csv`` (from
``https://api.worldbank.org/v2/en/indicator/<indicator>?downloadformat=csv``, a zip that also
holds ``Metadata_Country_…`` and ``Metadata_Indicator_…`` CSVs): comma-separated, UTF-8 with
BOM; line 1 ``"Data Source","World Development Indicators",``, line 3 ``"Last Updated
Date","YYYY-MM-DD",``, lines 2 and 4 blank; line 5 the header ``Country Name, Country Code,
Indicator Name, Indicator Code, 1960, …, 2025`` with a trailing empty column; then one row
per country (or World Bank aggregate) and indicator. The zip can be given as it is (its
``API_*.csv`` members are read, the ``Metadata_*`` members skipped), as can the extracted
CSVs or folders of them (``Metadata_*.csv`` files in a folder are skipped too).

Rules:

* ``country`` is the code as given (ISO3 for countries; World Bank codes for aggregates, e.g.
  ``EUU`` European Union, ``WLD`` World, ``OED`` OECD members), ``country_label`` the name;
  ``indicator`` the code (``GB.XPD.RSDV.GD.ZS``), ``indicator_label`` its name.
* **An empty cell gives no row** (most cells of a WDI file are empty: the table holds the
  values published, nothing else); the number of empty cells is recorded in the manifest's
  attributes, not as a warning.
* The release label is ``WDI, last updated <date>`` from ``Last Updated Date`` (several
  dates are listed).
* Strict (:class:`~ketenradar.core.errors.DataError` naming file, line and field; nothing is
  written): a missing metadata line, a missing or renamed column, a header year that is not
  a year, a bad country code, a value that is not a number, a (country, indicator) given
  twice in one file. Several files: a (country, indicator, year) in two files keeps the file
  given last and the differing values are counted per pair of files in a warning.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from ketenradar.core.errors import DataError, UsageError
from ketenradar.datasets import DataStore
from ketenradar.datasets.kinds import DatasetKind
from ketenradar.sources.archives import check_zip_members
from ketenradar.sources.base import IngestReport, Progress
from ketenradar.sources.tables import (
    LaterFileWins,
    ParsedSource,
    expand_paths,
    ingest_parsed,
)

PARSER_VERSION = "wdi-1.0"
LICENCE = "CC BY 4.0 (World Bank)"
CITATION = "World Bank, World Development Indicators, data.worldbank.org; indicator(s) named."
#: The World Bank API; ``fetch_url`` adds ``/<indicator>?downloadformat=csv`` (a zip).
WDI_API = "https://api.worldbank.org/v2/en/indicator"
#: The indicator ``data fetch wdi`` downloads unless option ``indicator`` says otherwise:
#: R&D expenditure (% of GDP).
DEFAULT_INDICATOR = "GB.XPD.RSDV.GD.ZS"
COLUMNS = ("Country Name", "Country Code", "Indicator Name", "Indicator Code")

VALUE_COLUMNS: dict[str, str] = {
    "country": "VARCHAR",  # ISO3, or a World Bank aggregate code (EUU, WLD, …)
    "country_label": "VARCHAR",
    "indicator": "VARCHAR",  # GB.XPD.RSDV.GD.ZS
    "indicator_label": "VARCHAR",  # Research and development expenditure (% of GDP)
    "year": "SMALLINT",
    "value": "DOUBLE",  # as published; empty cells give no row
}

KIND = DatasetKind(
    "wdi_indicators",
    tables={"values": VALUE_COLUMNS},
    load_hint="ketenradar data add wdi ../shared/data/nl_kpis/worldbank_wdi",
)

_CODE = re.compile(r"^[A-Z0-9]{3}$")
_YEAR = re.compile(r"^\d{4}$")
_INDICATOR = re.compile(r"^[A-Za-z0-9_.]+$")

Key = tuple[str, str, int]


def _field(rec: list[str], i: int) -> str:
    return rec[i].strip() if i < len(rec) else ""


def read_wdi_text(text: str, origin: str) -> tuple[str, dict[Key, tuple[str, str, float]], int]:
    """(last updated date, (country, indicator, year) → (country name, indicator name, value),
    empty cells) of one WDI bulk CSV, strictly."""
    reader = csv.reader(io.StringIO(text, newline=""))
    lines: list[tuple[int, list[str]]] = []
    try:
        for rec in reader:
            lines.append((reader.line_num, rec))
            if len(lines) == 5:
                break
        if len(lines) < 5:
            raise DataError(
                "too short for a WDI bulk CSV (4 metadata lines, then the header)", file=origin
            )
        if _field(lines[0][1], 0) != "Data Source":
            raise DataError(
                'not a WDI bulk CSV: line 1 should be "Data Source","World Development Indicators"',
                file=origin,
                line=lines[0][0],
                field="Data Source",
            )
        n3, rec3 = lines[2]
        if _field(rec3, 0) != "Last Updated Date":
            raise DataError(
                'line 3 should be "Last Updated Date","YYYY-MM-DD"',
                file=origin,
                line=n3,
                field="Last Updated Date",
            )
        updated = _field(rec3, 1)
        try:
            dt.date.fromisoformat(updated)
        except ValueError:
            raise DataError(
                f"not a date like 2026-07-13: {updated!r}",
                file=origin,
                line=n3,
                field="Last Updated Date",
            ) from None
        hline, header = lines[4]
        header = [h.strip() for h in header]
        if header and header[-1] == "":
            header = header[:-1]  # the trailing comma of every line
        for i, col in enumerate(COLUMNS):
            if i >= len(header) or header[i] != col:
                raise DataError(
                    f"column {i + 1} should be {col!r} (renamed?); expected "
                    f"{', '.join(COLUMNS)}, then the years",
                    file=origin,
                    line=hline,
                    field=col,
                )
        years: list[int] = []
        for col in header[len(COLUMNS) :]:
            if not _YEAR.match(col):
                raise DataError(
                    f"column {col!r} is not a year", file=origin, line=hline, field=col or "(empty)"
                )
            years.append(int(col))
        if not years or len(set(years)) != len(years):
            raise DataError("no year columns, or a year twice", file=origin, line=hline)
        out: dict[Key, tuple[str, str, float]] = {}
        seen: dict[tuple[str, str], int] = {}
        empty = 0
        width = len(header)
        for rec in reader:
            n = reader.line_num
            if not any(v.strip() for v in rec):
                continue
            if len(rec) == width + 1 and rec[-1].strip() == "":
                rec = rec[:-1]
            if len(rec) != width:
                raise DataError(
                    f"{len(rec)} fields where the header has {width}", file=origin, line=n
                )
            label = " ".join(rec[0].split())
            code = rec[1].strip()
            ilabel = " ".join(rec[2].split())
            icode = rec[3].strip()
            if not _CODE.match(code):
                raise DataError(
                    f"not a country code (3 capitals): {code!r}",
                    file=origin,
                    line=n,
                    field="Country Code",
                )
            if not _INDICATOR.match(icode):
                raise DataError(
                    f"not an indicator code: {icode!r}", file=origin, line=n, field="Indicator Code"
                )
            if (code, icode) in seen:
                raise DataError(
                    f"{code} {icode} given twice (first on line {seen[code, icode]})",
                    file=origin,
                    line=n,
                    field="Country Code",
                )
            seen[code, icode] = n
            for year, cell in zip(years, rec[len(COLUMNS) :], strict=True):
                s = cell.strip()
                if not s:
                    empty += 1
                    continue
                try:
                    x = float(s)
                except ValueError:
                    raise DataError(
                        f"not a number: {cell!r}", file=origin, line=n, field=str(year)
                    ) from None
                if not math.isfinite(x):
                    raise DataError(
                        f"not a finite number: {cell!r}", file=origin, line=n, field=str(year)
                    )
                out[code, icode, year] = (label, ilabel, x)
    except csv.Error as exc:
        raise DataError(f"not a readable CSV: {exc}", file=origin, line=reader.line_num) from exc
    if not seen:
        raise DataError("no data rows", file=origin)
    return updated, out, empty


def _wdi_texts(files: Sequence[Path], named: set[Path]) -> tuple[list[tuple[str, str]], int]:
    """(origin, text) of each WDI data CSV among the files (zips opened) and the number of
    ``Metadata_*`` files skipped."""
    texts: list[tuple[str, str]] = []
    skipped = 0

    def decode(data: bytes, origin: str) -> str:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DataError(f"not UTF-8 text ({exc})", file=origin) from exc

    for f in files:
        if f.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(f) as zf:
                    members = [
                        i
                        for i in zf.infolist()
                        if not i.is_dir() and i.filename.lower().endswith(".csv")
                    ]
                    wanted = [i for i in members if not _is_metadata(i.filename)]
                    skipped += len(members) - len(wanted)
                    if not wanted:
                        raise DataError("no WDI data CSV (API_*.csv) in the zip", file=f)
                    check_zip_members(zf, f, wanted)
                    for info in wanted:
                        origin = f"{f}!{info.filename}"
                        texts.append((origin, decode(zf.read(info), origin)))
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
                raise DataError(f"not a readable zip archive ({exc})", file=f) from exc
        elif _is_metadata(f.name) and f not in named:
            skipped += 1
        else:
            texts.append((str(f), decode(f.read_bytes(), str(f))))
    return texts, skipped


def _is_metadata(name: str) -> bool:
    return name.rsplit("/", 1)[-1].startswith("Metadata_")


def parse_wdi(paths: Sequence[Path], *, release: str | None = None) -> ParsedSource:
    """Parse WDI bulk CSVs (files, folders, or the World Bank's zips) strictly."""
    files = expand_paths(paths, (".csv", ".zip"))
    named = {Path(p) for p in paths if Path(p).is_file()}
    texts, skipped = _wdi_texts(files, named)
    if not texts:
        raise DataError("no WDI data CSV found", file=", ".join(map(str, paths)))
    merged = LaterFileWins("value(s)")
    updated: list[str] = []
    empty = 0
    for origin, text in texts:
        date, values, n_empty = read_wdi_text(text, origin)
        empty += n_empty
        if date not in updated:
            updated.append(date)
        name = origin.rsplit("/", 1)[-1]
        for key, (label, ilabel, x) in values.items():
            merged.add(key, x, name, (label, ilabel))
    warnings = merged.warnings(lambda k: f"{k[0]} {k[1]} {k[2]}")
    df = pd.DataFrame(
        [
            {
                "country": c,
                "country_label": lab,
                "indicator": i,
                "indicator_label": ilab,
                "year": y,
                "value": x,
            }
            for (c, i, y), (x, (lab, ilab), _) in merged.kept.items()
        ],
        columns=list(VALUE_COLUMNS),
    )
    df = df.sort_values(["indicator", "country", "year"], kind="stable").reset_index(drop=True)
    df["value"] = df["value"].astype("float64")
    df["year"] = df["year"].astype("int16")
    indicators = dict(zip(df["indicator"], df["indicator_label"], strict=True))
    return ParsedSource(
        tables={"values": df},
        inputs=[(f, "wdi_csv") for f in files if not (_is_metadata(f.name) and f not in named)],
        release=release or f"WDI, last updated {', '.join(sorted(updated))}",
        attributes={
            "years": sorted(int(y) for y in df["year"].unique()),
            "indicators": indicators,
            "countries": int(df["country"].nunique()),
            "last_updated": sorted(updated),
            "empty_cells": empty,
            "metadata_files_skipped": skipped,
        },
        warnings=warnings,
    )


class WdiConnector:
    """World Bank World Development Indicators, bulk CSV per indicator (kind
    ``wdi_indicators``)."""

    name: ClassVar[str] = "wdi"
    kind: ClassVar[str] = "wdi_indicators"  # KIND.name
    description: ClassVar[str] = "World Bank WDI indicators (bulk CSV per indicator), long format"

    def ingest(
        self,
        paths: Sequence[Path],
        store: DataStore,
        *,
        dataset_name: str | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> IngestReport:
        """Parse the files strictly and write dataset ``wdi`` (or ``dataset_name``).

        Option ``release`` overrides the release label (default: ``WDI, last updated
        <date>``).
        """
        return ingest_parsed(
            self,
            parse_wdi,
            paths,
            store,
            dataset_name=dataset_name,
            progress=progress,
            options=options,
            reading="reading WDI indicators",
            licence=LICENCE,
            citation=CITATION,
            parser_version=PARSER_VERSION,
        )

    def fetch_url(self, base_url: str | None = None, **options: Any) -> tuple[str, str]:
        """(URL, file name) of the World Bank's bulk download of one indicator.

        ``<base_url>/<indicator>?downloadformat=csv`` (default base :data:`WDI_API`; the
        World Bank answers with a zip holding ``API_<indicator>_DS2_en_csv_v2_<n>.csv`` and
        two ``Metadata_*`` CSVs, which :meth:`ingest` reads as it is). Option ``indicator``
        (default :data:`DEFAULT_INDICATOR`, R&D expenditure % of GDP) picks the indicator;
        the file is saved as ``API_<indicator>_DS2_en_csv_v2.zip``.
        """
        indicator = options.pop("indicator", None) or DEFAULT_INDICATOR
        if options:
            raise UsageError(f"unknown option(s) for wdi: {', '.join(options)}")
        if not _INDICATOR.match(indicator):
            raise UsageError(f"not a WDI indicator code: {indicator!r}")
        root = (base_url or WDI_API).rstrip("/")
        return (
            f"{root}/{indicator}?downloadformat=csv",
            f"API_{indicator}_DS2_en_csv_v2.zip",
        )
