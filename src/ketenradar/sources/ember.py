"""Ember's monthly European wholesale (day-ahead) electricity prices into a
``wholesale_prices`` dataset (issue 18, item 1).

The kind ``wholesale_prices`` is declared here (:data:`KIND`) and registered by one
entry-point line (group ``ketenradar.dataset_kinds``).

Layout read: Ember's ``european_wholesale_electricity_price_data_monthly.csv`` (data page
https://ember-energy.org/data/european-wholesale-electricity-price-data/), columns
``Country, ISO3 Code, Date, Price (EUR/MWhe)``: one row per country and month, the monthly
average of the hourly day-ahead prices weighted by load, in euro per MWh of electricity.
These are the prices generators receive on the spot market, not what consumers pay.

Rules:

* ``month`` is the first day of the month; a ``Date`` that is not ``YYYY-MM-01`` is an error.
* ``eur_per_mwh`` is the price as published; negative prices are valid and kept; an empty
  price (Ember leaves a few months of small markets blank) is kept as NULL and counted in a
  warning; anything else that is not a number is an error.
* ``country`` is the ISO3 code as published (three capital letters), ``country_label`` the
  name; a code written with two different names is an error.
* Strict: a missing or renamed column, a bad date or price, a (country, month) given twice in
  one file → :class:`~ketenradar.core.errors.DataError` naming file, line and field; nothing
  is written. Several files: a (country, month) in two files keeps the file given last and
  the differing prices are counted per pair of files in a warning.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from ketenradar.core.errors import DataError, UsageError
from ketenradar.datasets import DataStore
from ketenradar.datasets.kinds import DatasetKind
from ketenradar.sources.base import IngestReport, Progress
from ketenradar.sources.tables import (
    LaterFileWins,
    ParsedSource,
    expand_paths,
    ingest_parsed,
)

PARSER_VERSION = "ember-1.0"
LICENCE = "CC BY 4.0 (Ember)"
CITATION = "Ember, European Wholesale Electricity Price Data (monthly), ember-energy.org."
FILE_NAME = "european_wholesale_electricity_price_data_monthly.csv"
#: Where Ember's data page links the monthly file (its public download bucket).
EMBER_DOWNLOADS = (
    "https://storage.googleapis.com/emb-prod-bkt-publicdata/public-downloads/price/outputs"
)
COLUMNS = ("Country", "ISO3 Code", "Date", "Price (EUR/MWhe)")

PRICE_COLUMNS: dict[str, str] = {
    "country": "VARCHAR",  # ISO3
    "country_label": "VARCHAR",  # Ember's country name
    "month": "DATE",  # first day of the month
    "eur_per_mwh": "DOUBLE",  # day-ahead average, EUR/MWh; may be negative; NULL when blank
}

KIND = DatasetKind(
    "wholesale_prices",
    tables={"prices": PRICE_COLUMNS},
    load_hint="ketenradar data add ember ../shared/data/ember",
)

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO3 = re.compile(r"^[A-Z]{3}$")

Key = tuple[str, dt.date]


def parse_month(text: str, *, file: str | Path, line: int, fld: str) -> dt.date:
    """The first day of a month written ``YYYY-MM-01``; anything else is an error."""
    s = (text or "").strip()
    m = _DATE.match(s)
    if m is None or m.group(3) != "01":
        raise DataError(
            f"not the first day of a month like 2024-05-01: {text!r}",
            file=file,
            line=line,
            field=fld,
        )
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise DataError(f"not a date: {text!r}", file=file, line=line, field=fld) from None


def parse_price(text: str, *, file: str | Path, line: int, fld: str) -> float | None:
    """A price (negative allowed); ``None`` for an empty cell; anything else an error."""
    s = (text or "").strip()
    if not s:
        return None
    try:
        x = float(s)
    except ValueError:
        raise DataError(f"not a number: {text!r}", file=file, line=line, field=fld) from None
    if not math.isfinite(x):
        raise DataError(f"not a finite number: {text!r}", file=file, line=line, field=fld)
    return x


def read_ember_csv(path: Path) -> dict[Key, tuple[str, float | None, int]]:
    """(ISO3, month) → (country name, price, line) of one Ember monthly CSV (strict)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text ({exc})", file=path) from exc
    out: dict[Key, tuple[str, float | None, int]] = {}
    names: dict[str, tuple[str, int]] = {}
    try:
        reader = csv.reader(text.splitlines())
        header = [h.strip() for h in next(reader, [])]
        for col in COLUMNS:
            if col not in header:
                raise DataError(
                    f"required column '{col}' missing (renamed?); expected {', '.join(COLUMNS)}",
                    file=path,
                    line=1,
                    field=col,
                )
        ix = {c: header.index(c) for c in COLUMNS}
        for n, rec in enumerate(reader, start=2):
            if not any(v.strip() for v in rec):
                continue
            if len(rec) != len(header):
                raise DataError(
                    f"{len(rec)} fields where the header has {len(header)}", file=path, line=n
                )
            label = " ".join(rec[ix["Country"]].split())
            code = rec[ix["ISO3 Code"]].strip()
            if not _ISO3.match(code):
                raise DataError(f"not an ISO3 code: {code!r}", file=path, line=n, field="ISO3 Code")
            if not label:
                raise DataError("empty country name", file=path, line=n, field="Country")
            seen = names.setdefault(code, (label, n))
            if seen[0] != label:
                raise DataError(
                    f"{code} is named {label!r} here and {seen[0]!r} on line {seen[1]}",
                    file=path,
                    line=n,
                    field="Country",
                )
            month = parse_month(rec[ix["Date"]], file=path, line=n, fld="Date")
            price = parse_price(
                rec[ix["Price (EUR/MWhe)"]], file=path, line=n, fld="Price (EUR/MWhe)"
            )
            key = (code, month)
            if key in out:
                raise DataError(
                    f"{code} {month:%Y-%m} given twice (first on line {out[key][2]})",
                    file=path,
                    line=n,
                    field="Date",
                )
            out[key] = (label, price, n)
    except csv.Error as exc:
        raise DataError(f"not a readable CSV: {exc}", file=path) from exc
    if not out:
        raise DataError("no data rows", file=path)
    return out


def parse_ember(paths: Sequence[Path], *, release: str | None = None) -> ParsedSource:
    """Parse Ember monthly price CSVs (or folders of them) strictly."""
    files = expand_paths(paths, (".csv",))
    merged = LaterFileWins("price(s)")
    for f in files:
        for key, (label, price, _) in read_ember_csv(f).items():
            merged.add(key, price, f.name, label)
    warnings = merged.warnings(lambda k: f"{k[0]} {k[1]:%Y-%m}")
    df = pd.DataFrame(
        [
            {"country": c, "country_label": lab, "month": m, "eur_per_mwh": p}
            for (c, m), (p, lab, _) in merged.kept.items()
        ],
        columns=list(PRICE_COLUMNS),
    )
    df = df.sort_values(["country", "month"], kind="stable").reset_index(drop=True)
    df["eur_per_mwh"] = df["eur_per_mwh"].astype("float64")
    blank = df[df["eur_per_mwh"].isna()]
    if len(blank):
        by = blank.groupby("country").size()
        warnings.append(
            f"{len(blank)} month(s) without a price kept as NULL: "
            + ", ".join(f"{c} ({n})" for c, n in by.items())
        )
    first, last = df["month"].min(), df["month"].max()
    return ParsedSource(
        tables={"prices": df},
        inputs=[(f, "ember_monthly") for f in files],
        release=release or f"Ember monthly wholesale prices to {last:%Y-%m}",
        attributes={
            "years": sorted({m.year for m in df["month"]}),
            "months": [f"{first:%Y-%m}", f"{last:%Y-%m}"],
            "countries": int(df["country"].nunique()),
            "unit": "EUR/MWh (day-ahead, monthly average weighted by load)",
        },
        warnings=warnings,
    )


class EmberConnector:
    """Ember: monthly European wholesale day-ahead electricity prices (kind
    ``wholesale_prices``)."""

    name: ClassVar[str] = "ember"
    kind: ClassVar[str] = "wholesale_prices"  # KIND.name
    description: ClassVar[str] = "Ember monthly wholesale (day-ahead) electricity prices, EUR/MWh"

    def ingest(
        self,
        paths: Sequence[Path],
        store: DataStore,
        *,
        dataset_name: str | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> IngestReport:
        """Parse the files strictly and write dataset ``ember`` (or ``dataset_name``).

        Option ``release`` overrides the release label (default: ``Ember monthly wholesale
        prices to <last month>``).
        """
        return ingest_parsed(
            self,
            parse_ember,
            paths,
            store,
            dataset_name=dataset_name,
            progress=progress,
            options=options,
            reading="reading Ember monthly prices",
            licence=LICENCE,
            citation=CITATION,
            parser_version=PARSER_VERSION,
        )

    def fetch_url(self, base_url: str | None = None, **options: Any) -> tuple[str, str]:
        """(URL, file name) of Ember's live monthly CSV.

        The default is the public download Ember's data page links
        (``storage.googleapis.com/emb-prod-bkt-publicdata/public-downloads/price/outputs/``
        ``european_wholesale_electricity_price_data_monthly.csv``, as used by several public
        projects; not verified from here, Ember may move it); ``base_url`` replaces the folder
        (a mirror, or a local server in tests). No options are known.
        """
        if options:
            raise UsageError(f"unknown option(s) for ember: {', '.join(options)}")
        root = (base_url or EMBER_DOWNLOADS).rstrip("/")
        return f"{root}/{FILE_NAME}", FILE_NAME
