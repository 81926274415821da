"""Connectors for inter-country input-output tables: ``icio`` (OECD) and ``wiod`` (WIOD).

``ketenradar data add icio PATH`` takes the OECD ICIO CSV files as published (``2022_SML.csv``,
``ICIO2023_2019.csv``, …) or the ICIO benchmark arrays ``bench_cache.npz``;
``ketenradar data add wiod PATH`` takes the WIOD workbooks (2013 and 2016 releases), the 2016
release's R data frame, or the R-package form of the 2013 release (``wiot_YYYY.RData``).
PATH may be a file or a folder. Every year is parsed strictly and its accounting identities
checked (:func:`ketenradar.datasets.iotable.require_balanced`) before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from ketenradar.core.errors import DataError, UsageError
from ketenradar.datasets import DataStore
from ketenradar.datasets.iotable import BalanceReport, IOTable, require_balanced
from ketenradar.datasets.iotable_store import to_frames
from ketenradar.sources.base import IngestReport, Progress
from ketenradar.sources.tables import ParsedSource, expand_paths, write_tables_dataset

PARSER_VERSION = "1"

ICIO_LICENCE = "OECD terms and conditions; OECD ICIO data CC BY 4.0"
ICIO_CITATION = (
    "OECD (2025), Inter-Country Input-Output tables, 2025 release, "
    "http://oe.cd/icio; benchmark arrays from sanction-simulator 0.1.4 "
    "(Bhattathiripad & Veetil, MIT licence) where loaded from bench_cache.npz"
)
WIOD_LICENCE = "WIOD terms: free to use with citation"
WIOD_CITATION = (
    "Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. and de Vries, G. J. (2015), "
    "An Illustrated User Guide to the World Input-Output Database: the Case of Global "
    "Automotive Production, Review of International Economics 23: 575-605"
)


def _is_mapping_csv(p: Path) -> bool:
    return "mapping" in p.name.lower() or "readme" in p.name.lower()


def _parse_icio(path: Path) -> list[IOTable]:
    suffix = path.suffix.lower()
    if suffix == ".npz":
        from ketenradar.sources.icio_benchmark import parse_icio_benchmark

        return [parse_icio_benchmark(path)]
    if suffix == ".csv":
        from ketenradar.sources.io_layouts import parse_icio_csv

        return [parse_icio_csv(path)]
    raise DataError("not an OECD ICIO file (expected the published .csv or a .npz)", file=path)


def _parse_wiod(path: Path) -> list[IOTable]:
    suffix = path.suffix.lower()
    from ketenradar.sources import io_layouts

    if suffix in (".rdata", ".rda"):
        if re.match(r"(?i)wiot\d{4}", path.name):  # 2016 release: WIOT2014_October16_ROW
            return io_layouts.parse_wiod2016_r(path)
        return [io_layouts.wiod2013_from_rdata(path)]
    if suffix in (".xlsx", ".xlsb", ".xls"):
        return [io_layouts.parse_wiod_excel(path)]
    raise DataError("not a WIOD file (expected .xlsx, .RData or .rda)", file=path)


def _wiod_files(paths: Sequence[Path]) -> list[Path]:
    files = expand_paths(paths, (".rdata", ".rda", ".xlsx", ".xlsb"))
    keep = []
    for f in files:
        name = f.name.lower()
        # The R package's helper objects and regional tables are not world tables; skip them
        # only when they come from a folder (given by name, the parser rejects them loudly).
        from_folder = f not in [Path(p) for p in paths]
        if from_folder and (name.startswith("wiod_") or name.startswith("wiot_regional")):
            continue
        keep.append(f)
    return keep


class IoTableConnector:
    """What every input-output connector shares: strict parsing of each file, the balance
    check of each year, one dataset written atomically. Subclasses say which files to read,
    how to parse one, and the dataset's default name and release."""

    name: ClassVar[str]
    kind: ClassVar[str] = "io_table"
    description: ClassVar[str]
    licence: ClassVar[str]
    citation: ClassVar[str]

    def files(self, paths: Sequence[Path]) -> list[Path]:
        """The table files among ``paths`` (files or folders)."""
        raise NotImplementedError

    def parse(self, path: Path) -> list[IOTable]:
        """The tables (one per year) in one file."""
        raise NotImplementedError

    def default_name(self, files: list[Path]) -> str:
        """The dataset name when the user gives none."""
        return self.name

    def release(self, tables: list[IOTable]) -> str:
        """The release label of the parsed tables."""
        raise NotImplementedError

    def ingest(
        self,
        paths: Sequence[Path],
        store: DataStore,
        *,
        dataset_name: str | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> IngestReport:
        """Parse every file, check each year's balance, write one dataset (all or nothing)."""
        if options:
            raise UsageError(f"unknown option(s) for {self.name}: {', '.join(options)}")
        files = self.files(paths)
        if not files:
            raise DataError(f"no {self.name} table files found", file=", ".join(map(str, paths)))
        tables: list[IOTable] = []
        reports: list[BalanceReport] = []
        for k, f in enumerate(files):
            if progress:
                progress(f"reading {f.name}", k, len(files))
            for t in self.parse(f):
                t.validate_shapes(str(f))
                reports.append(require_balanced(t, str(f)))
                tables.append(t)
        if progress:
            progress("writing the dataset", len(files), len(files))
        frames, attributes = to_frames(tables, reports)
        parsed = ParsedSource(
            tables=frames,
            inputs=[(f, "table") for f in files],
            release=self.release(tables),
            attributes=attributes,
        )
        return write_tables_dataset(
            store,
            name=dataset_name or self.default_name(files),
            source=self.name,
            kind=self.kind,
            parsed=parsed,
            licence=self.licence,
            citation=self.citation,
            parser_version=PARSER_VERSION,
        )


class IcioConnector(IoTableConnector):
    """OECD Inter-Country Input-Output tables (published CSV, or the benchmark arrays)."""

    name: ClassVar[str] = "icio"
    description: ClassVar[str] = "OECD Inter-Country Input-Output tables (ICIO)"
    licence: ClassVar[str] = ICIO_LICENCE
    citation: ClassVar[str] = ICIO_CITATION

    def files(self, paths: Sequence[Path]) -> list[Path]:
        """The CSV and .npz files, without the code-mapping CSVs."""
        return [f for f in expand_paths(paths, (".csv", ".npz")) if not _is_mapping_csv(f)]

    def parse(self, path: Path) -> list[IOTable]:
        """One ICIO file."""
        return _parse_icio(path)

    def release(self, tables: list[IOTable]) -> str:
        """The OECD release."""
        return "OECD ICIO 2025 release"


class WiodConnector(IoTableConnector):
    """World Input-Output Database (2013 and 2016 releases; workbooks or R forms)."""

    name: ClassVar[str] = "wiod"
    description: ClassVar[str] = "World Input-Output Database (WIOD) world tables"
    licence: ClassVar[str] = WIOD_LICENCE
    citation: ClassVar[str] = WIOD_CITATION

    def files(self, paths: Sequence[Path]) -> list[Path]:
        """The world tables (helper objects and regional tables of a folder skipped)."""
        return _wiod_files(paths)

    def parse(self, path: Path) -> list[IOTable]:
        """One WIOD file (the 2016 R form holds several years)."""
        return _parse_wiod(path)

    def default_name(self, files: list[Path]) -> str:
        """``wiod2016`` for the 2016 release's files, else ``wiod2013``."""
        names = [f.name.upper() for f in files]
        return "wiod2016" if any(re.match(r"WIOT\d{4}", u) for u in names) else "wiod2013"

    def release(self, tables: list[IOTable]) -> str:
        """The WIOD release, told by its industry codes."""
        return "WIOD " + ("2013" if tables[0].sectors[0] == "c1" else "2016") + " release"
