"""Connectors for inter-country input-output tables: ``icio`` (OECD) and ``wiod`` (WIOD).

``ketenradar data add icio PATH`` takes the OECD ICIO CSV files as published (``2022_SML.csv``,
``ICIO2023_2019.csv``, …) or the ICIO benchmark arrays ``bench_cache.npz``;
``ketenradar data add wiod PATH`` takes the WIOD workbooks (2013 and 2016 releases), the 2016
release's R data frame, or the R-package form of the 2013 release (``wiot_YYYY.RData``).
PATH may be a file or a folder. Every year is parsed strictly and its accounting identities
checked (:func:`ketenradar.inputoutput.table.require_balanced`) before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from ketenradar.errors import DataError, UsageError
from ketenradar.inputoutput.storage import to_frames
from ketenradar.inputoutput.table import IOTable, require_balanced
from ketenradar.sources.base import IngestReport, Progress
from ketenradar.sources.tables import ParsedSource, expand_paths, write_tables_dataset
from ketenradar.store import DataStore

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


def ingest_io(
    paths: Sequence[Path],
    store: DataStore,
    *,
    source: str,
    default_name: str,
    files: list[Path],
    parse: Any,
    licence: str,
    citation: str,
    dataset_name: str | None,
    progress: Progress | None,
) -> IngestReport:
    """Parse every file, check each year's balance, write one dataset (all or nothing)."""
    tables: list[IOTable] = []
    warnings: list[str] = []
    for k, f in enumerate(files):
        if progress:
            progress(f"reading {f.name}", k, len(files))
        for t in parse(f):
            t.validate_shapes(str(f))
            require_balanced(t, str(f))  # the figures go to the manifest (to_frames)
            tables.append(t)
    if progress:
        progress("writing the dataset", len(files), len(files))
    frames, attributes = to_frames(tables)
    release = {
        "wiod": "WIOD " + ("2016" if tables[0].sectors[0] != "c1" else "2013") + " release",
        "icio": "OECD ICIO 2025 release",
    }[source]
    parsed = ParsedSource(
        tables=frames,
        inputs=[(f, "table") for f in files],
        release=release,
        attributes=attributes,
        warnings=warnings,
    )
    return write_tables_dataset(
        store,
        name=dataset_name or default_name,
        source=source,
        kind="io_table",
        parsed=parsed,
        licence=licence,
        citation=citation,
        parser_version=PARSER_VERSION,
    )


class IcioConnector:
    """OECD Inter-Country Input-Output tables (published CSV, or the benchmark arrays)."""

    name: ClassVar[str] = "icio"
    kind: ClassVar[str] = "io_table"
    description: ClassVar[str] = "OECD Inter-Country Input-Output tables (ICIO)"

    def ingest(
        self,
        paths: Sequence[Path],
        store: DataStore,
        *,
        dataset_name: str | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> IngestReport:
        """Parse the ICIO files strictly and write dataset ``icio`` (or ``dataset_name``)."""
        if options:
            raise UsageError(f"unknown option(s) for icio: {', '.join(options)}")
        files = [f for f in expand_paths(paths, (".csv", ".npz")) if not _is_mapping_csv(f)]
        if not files:
            raise DataError("no ICIO table files found", file=", ".join(map(str, paths)))
        return ingest_io(
            paths,
            store,
            source="icio",
            default_name="icio",
            files=files,
            parse=_parse_icio,
            licence=ICIO_LICENCE,
            citation=ICIO_CITATION,
            dataset_name=dataset_name,
            progress=progress,
        )


class WiodConnector:
    """World Input-Output Database (2013 and 2016 releases; workbooks or R forms)."""

    name: ClassVar[str] = "wiod"
    kind: ClassVar[str] = "io_table"
    description: ClassVar[str] = "World Input-Output Database (WIOD) world tables"

    def ingest(
        self,
        paths: Sequence[Path],
        store: DataStore,
        *,
        dataset_name: str | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> IngestReport:
        """Parse the WIOD files strictly and write dataset ``wiod2013``/``wiod2016``."""
        if options:
            raise UsageError(f"unknown option(s) for wiod: {', '.join(options)}")
        files = _wiod_files(paths)
        if not files:
            raise DataError("no WIOD table files found", file=", ".join(map(str, paths)))
        upper = [f.name.upper() for f in files]
        default = "wiod2016" if any(re.match(r"WIOT\d{4}", u) for u in upper) else "wiod2013"
        return ingest_io(
            paths,
            store,
            source="wiod",
            default_name=default,
            files=files,
            parse=_parse_wiod,
            licence=WIOD_LICENCE,
            citation=WIOD_CITATION,
            dataset_name=dataset_name,
            progress=progress,
        )
