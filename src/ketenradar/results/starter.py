"""The starter pack: compact, attributed fact tables the project derives from real sources.

A fresh install has no data loaded, yet the web application (and anyone exploring the API)
should show real content at once. The starter pack is a handful of small Parquet tables that
``ketenradar starter build`` computes **with the project's own analyses** from the public
sources in ``../shared/data`` (BACI raw-material trade, EU CRM assessment, WGI, World Mining
Data, OECD ICIO) and that ship inside the package (``ketenradar/data/starter``). Every row
carries ``source`` and ``licence``; ``manifest.json`` records the datasets (release, input
checksums), the command and the methods that produced each table.

The pack is rebuilt by maintainers when a source or a method changes; the copy in the
package is what ``ketenradar serve`` reads when the user's store holds nothing better.

Building has two halves that the user's own facts (:mod:`ketenradar.results.live`,
``ketenradar facts build``) share: :func:`derive` runs the analyses on whatever a store holds
and :func:`write_tables` writes the tables with their manifest. :func:`build` loads the real
sources into a scratch store first and insists that every table can be derived.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar import __version__
from ketenradar.core import modules as registry
from ketenradar.core.errors import NotFoundError
from ketenradar.core.facts import DeriveContext, Derived, span
from ketenradar.core.progress import Progress, Steps

__all__ = ["Derived", "build", "derive", "manifest", "read", "table_descriptions"]


def table_descriptions() -> dict[str, str]:
    """Every fact table of every registered module and what it holds (the starter pack's words)."""
    return {name: t.description for name, (_, t) in registry.fact_tables().items()}


def __getattr__(name: str) -> Any:
    # ``starter.TABLES``: the registry's fact tables (computed, so that a module registered
    # later is included)
    if name == "TABLES":
        return table_descriptions()
    raise AttributeError(name)


#: The economies the trade tables are derived for.
IMPORTERS = ("NLD", "EU27")
#: The years of the shipped pack's trade tables and its input-output year.
STARTER_YEARS = range(1995, 2025)
STARTER_IO_YEAR = 2022


def packaged_dir() -> Path:
    """Where the shipped starter pack lives inside the installed package."""
    return Path(str(resources.files("ketenradar") / "data" / "starter"))


def load_sources(shared: Path, store: Path, progress: Progress | None = None) -> None:
    """Load the starter pack's real sources from ``shared`` into the store at ``store``."""
    from ketenradar.sources.ingest import add_dataset

    sources = [
        ("baci", [shared / "baci_raw_materials_hs92"]),
        ("eu_crm", [shared / "eu_crm"]),
        ("wgi", [shared / "wgi" / "2020_Worldwide_Governance_Indicators_1996-2019.csv"]),
        ("usgs", [shared / "usgs_mcs"]),
        ("wmd", [shared / "geopolrisk" / "world_mining_data.db"]),
        ("icio", [shared / "icio_oecd_2022"]),
    ]
    step = Steps(len(sources), progress)
    for name, paths in sources:
        missing = [p for p in paths if not p.exists()]
        if missing:
            raise NotFoundError(f"starter pack source missing: {missing[0]}")
        add_dataset(name, paths, data_dir=store)
        step(f"loaded {name}")


def derive(
    store_dir: Path,
    *,
    importers: Sequence[str] = IMPORTERS,
    years: Sequence[int] | None = None,
    trade_dataset: str | None = None,
    io_year: int | None = None,
    strict: bool = True,
    progress: Progress | None = None,
    modules: Sequence[str] | None = None,
) -> Derived:
    """Derive the fact tables from the datasets in the store at ``store_dir``.

    The same analyses make the starter pack and a user's own facts: the screening, supplier
    shares and mutual-dependency balance of ``importers`` for ``years`` (default: every year
    of the trade dataset), EU criticality with its inputs, supply concentration, the CRMA
    benchmarks, GeoPolRisk and the input-output exposure of the Netherlands (``io_year``,
    default the latest of the OECD ICIO table).

    With ``strict`` every table must be derivable (a missing source raises
    :class:`NotFoundError`); otherwise tables whose sources the store does not hold are left
    out and listed in :attr:`Derived.skipped`, and an importer without imports in a year is
    noted and passed over.

    Every registered module with a ``derive`` contributes its tables, in registry order;
    ``modules`` limits the build to the modules named.
    """
    from ketenradar.datasets import open_store
    from ketenradar.datasets.trade import choose_trade_dataset

    chosen = [registry.get(n) for n in modules] if modules is not None else registry.modules()
    store = open_store(store_dir)
    kinds: dict[str, list[Any]] = {}
    for d in store.list():
        kinds.setdefault(d.manifest.kind, []).append(d)
    out = Derived()
    imps = list(importers)
    trade = None
    wanted: list[int] = []
    if kinds.get("trade_flows"):
        trade = choose_trade_dataset(store, trade_dataset, None)
        held = sorted(int(y) for y in trade.manifest.tables["trade"]["years"])
        wanted = sorted(set(years)) if years is not None else held
        absent = [y for y in wanted if y not in held]
        if absent:
            raise NotFoundError(
                f"year {absent[0]} is not in trade dataset {trade.name} (years: {span(held)})"
            )
    ctx = DeriveContext(
        store_dir=Path(store_dir),
        store=store,
        kinds=kinds,
        importers=imps,
        out=out,
        years=years,
        trade_dataset=trade_dataset,
        trade=trade,
        wanted_years=wanted,
        io_year=io_year,
        strict=strict,
        progress=progress,
        total=sum(len(m.facts) for m in chosen),
    )
    ctx.describe |= {
        "imps": ", ".join(imps),  # a list any language reads (placed as is in Dutch too)
        "span": span(wanted),
        "dataset": trade.name if trade else "",
        "io_year": "",
    }
    for module in chosen:
        if module.derive:
            module.load(module.derive)(ctx)
    declared = registry.fact_tables()
    out.descriptions = {t: declared[t][1].describe(ctx.describe) for t in out.tables}
    return out


def write_tables(
    derived: Derived,
    folder: Path,
    *,
    command: str,
    descriptions: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write the tables and ``manifest.json`` into ``folder`` (the caller stages it).

    The manifest records the ``thresholds`` the tables were derived with (the screening's
    method thresholds and materiality minimums, the balance's mutual value ratio: what the
    modules put in ``derived.parameters["thresholds"]``), so that what serves the tables
    reports the thresholds they were built with, not the settings of the day.
    """
    folder.mkdir(parents=True, exist_ok=True)
    info = {}
    for name, df in derived.tables.items():
        df.attrs = {}
        df.to_parquet(folder / f"{name}.parquet", index=False, compression="zstd")
        info[name] = {
            "rows": len(df),
            "description": (descriptions or derived.descriptions)[name],
            "datasets": derived.used[name],
        }
    manifest = {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tool": f"ketenradar {__version__}",
        "command": command,
        "thresholds": dict(derived.parameters.get("thresholds") or {}),
        **(extra or {}),
        "datasets": list(derived.datasets.values()),
        "tables": info,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, default=str))
    return manifest


def build(
    shared: Path, output: Path, *, work: Path | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Load the real sources into a scratch store, derive the tables, write the pack.

    The pack is written to a temporary folder and moved into place at the end, so a failed
    build leaves ``output`` as it was.
    """
    scratch = Path(tempfile.mkdtemp(prefix="ketenradar-starter-", dir=work))
    try:
        store = scratch / "store"
        load_sources(shared, store, progress)
        derived = derive(
            store, years=STARTER_YEARS, io_year=STARTER_IO_YEAR, strict=True, progress=progress
        )
        staged = Path(tempfile.mkdtemp(prefix="starter-", dir=output.parent))
        try:
            m = write_tables(
                derived,
                staged,
                command="ketenradar starter build",
                descriptions=table_descriptions(),
            )
            if output.exists():
                shutil.rmtree(output)
            staged.rename(output)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        return m
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def manifest(folder: Path | None = None) -> dict[str, Any]:
    """The starter pack's manifest (the packaged one by default)."""
    path = (folder or packaged_dir()) / "manifest.json"
    if not path.exists():
        raise NotFoundError(f"no starter pack at {path.parent}: run `ketenradar starter build`")
    return json.loads(path.read_text())


def read(table: str, folder: Path | None = None) -> pd.DataFrame:
    """One starter table as a DataFrame (with the manifest as provenance)."""
    tables = table_descriptions()
    if table not in tables:
        raise NotFoundError(f"no starter table '{table}' (tables: {', '.join(tables)})")
    folder = folder or packaged_dir()
    df = pd.read_parquet(folder / f"{table}.parquet")
    df.attrs["provenance"] = {"starter_pack": manifest(folder), "table": table}
    return df
