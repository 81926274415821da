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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar import __version__
from ketenradar.core.errors import NotFoundError

#: The table names and what each holds (also the manifest's description).
TABLES = {
    "screening": "EU 2021 and GeoDep screening of NLD and EU27 imports of the 74 GeoPolRisk "
    "raw-material products, every year 1995–2024 (BACI HS92 V202401b)",
    "suppliers": "top-5 suppliers (and the rest) of NLD and EU27 per raw-material product and "
    "year, shares of all imports (intra-EU trade included, as in the screening; flagged "
    "external outside the EU)",
    "balance": "mutual dependency NLD and EU27 ↔ each partner on the raw-material products, "
    "every year 1995–2024",
    "balance_products": "the products behind the balance: per year, the importer's dependent "
    "raw-material products and their top supplier, and each partner's dependent products whose "
    "top supplier is the importer (EU 2021)",
    "criticality": "EU criticality per material and stage, reconciled with the published 2023 "
    "assessment",
    "concentration": "supply concentration per material, stage, source and year (EU CRM, USGS)",
    "crma": "strategic raw materials against the CRMA 2030 benchmarks",
    "geopolrisk": "GeoPolRisk of NLD and EU27 per raw material and year",
    "io_exposure_country": "value added of each source country in the final output of Dutch "
    "industries, OECD ICIO 2022",
    "io_exposure_source": "the same per source country-industry (4,000 rows)",
    "io_exposure_industry": "direct and value-added foreign dependency per Dutch industry, OECD "
    "ICIO 2022",
    "io_balance": "value added NLD ↔ each partner, OECD ICIO 2022 (production basis)",
    "criticality_shares": "inputs of the EU criticality method: supply shares per material, "
    "scope, stage and country (EU CRM 2023), for the what-if",
    "criticality_end_use": "inputs of the EU criticality method: end-use shares and value added "
    "(EU CRM 2023), for the what-if",
    "criticality_scores": "the published SR and EI per material and assessment year (EU CRM)",
    "criticality_wgi": "WGI per country, rescaled 0–10, for the year the assessment uses",
}

Progress = Callable[[str, int, int], None]

#: The economies the trade tables are derived for.
IMPORTERS = ("NLD", "EU27")
#: The years of the shipped pack's trade tables and its input-output year.
STARTER_YEARS = range(1995, 2025)
STARTER_IO_YEAR = 2022
TRADE_TABLES = ("screening", "suppliers", "balance", "balance_products")
#: Steps per importer and year (the balance and its products come from one call).
_TRADE_STEPS = 3
CRITICALITY_TABLES = (
    "criticality",
    "criticality_shares",
    "criticality_end_use",
    "criticality_scores",
    "criticality_wgi",
)
IO_TABLES = ("io_exposure_country", "io_exposure_source", "io_exposure_industry", "io_balance")

#: Descriptions of tables derived from a user's store ({imps}, {span}, {dataset}, {io_year}).
DERIVED_DESCRIPTIONS = {
    "screening": "EU 2021 and GeoDep screening of {imps} imports of every product in "
    "{dataset}, {span}",
    "suppliers": "top-5 suppliers (and the rest) of {imps} per product and year, shares of "
    "all imports, flagged external outside the reference bloc ({dataset}, {span})",
    "balance": "mutual dependency {imps} ↔ each partner ({dataset}, {span})",
    "balance_products": "the products behind the balance of {imps} ({dataset}, {span})",
    "geopolrisk": "GeoPolRisk of {imps} per raw material and year",
    "io_exposure_country": "value added of each source country in the final output of Dutch "
    "industries, OECD ICIO {io_year}",
    "io_exposure_source": "the same per source country-industry",
    "io_exposure_industry": "direct and value-added foreign dependency per Dutch industry, OECD "
    "ICIO {io_year}",
    "io_balance": "value added NLD ↔ each partner, OECD ICIO {io_year} (production basis)",
}


def packaged_dir() -> Path:
    """Where the shipped starter pack lives inside the installed package."""
    return Path(str(resources.files("ketenradar") / "data" / "starter"))


#: The attribution columns every fact table gets; an analysis column of the same name would
#: be overwritten, so derivation renames it first.
ATTRIBUTION_COLUMNS = ("source", "licence")


def _attribute(df: pd.DataFrame, datasets: list[dict[str, Any]]) -> pd.DataFrame:
    clash = [c for c in ATTRIBUTION_COLUMNS if c in df.columns]
    if clash:
        raise ValueError(
            f"the table has its own {', '.join(clash)} column(s), which attribution would "
            "overwrite; rename them before adding the table"
        )
    df = df.copy()
    df["source"] = "; ".join(f"{d['dataset']} ({d['release']})" for d in datasets)
    df["licence"] = "; ".join(dict.fromkeys(d["licence"] for d in datasets))
    return df


@dataclass
class Derived:
    """The fact tables derived from one store, what they came from, and what was skipped."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: provenance of every dataset a table was derived from
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: table → the names of the datasets behind it
    used: dict[str, list[str]] = field(default_factory=dict)
    #: table → why it could not be derived (its source is not in the store)
    skipped: dict[str, str] = field(default_factory=dict)
    #: table → a description naming the data it was derived from
    descriptions: dict[str, str] = field(default_factory=dict)
    #: what the derivation parameters were (importers, years, datasets)
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, df: pd.DataFrame, datasets: list[dict[str, Any]]) -> None:
        """Keep ``df`` as table ``name``, attributed to ``datasets`` (provenance records)."""
        self.tables[name] = _attribute(df, datasets)
        self.used[name] = [d["dataset"] for d in datasets]
        for d in datasets:
            self.datasets.setdefault(d["dataset"], d)


class _Steps:
    """Counts units of work and reports them to a progress callback."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.done, self.progress = total, 0, progress

    def __call__(self, what: str) -> None:
        self.done += 1
        if self.progress:
            self.progress(what, self.done, self.total)


def _span(years: list[int]) -> str:
    if not years:
        return "no years"
    if years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}" if len(years) == 1 else f"every year {years[0]}–{years[-1]}"
    return "years " + ", ".join(map(str, years))


def load_sources(shared: Path, store: Path, progress: Progress | None = None) -> None:
    """Load the starter pack's real sources from ``shared`` into the store at ``store``."""
    from ketenradar import api

    sources = [
        ("baci", [shared / "baci_raw_materials_hs92"]),
        ("eu_crm", [shared / "eu_crm"]),
        ("wgi", [shared / "wgi" / "2020_Worldwide_Governance_Indicators_1996-2019.csv"]),
        ("usgs", [shared / "usgs_mcs"]),
        ("wmd", [shared / "geopolrisk" / "world_mining_data.db"]),
        ("icio", [shared / "icio_oecd_2022"]),
    ]
    step = _Steps(len(sources), progress)
    for name, paths in sources:
        missing = [p for p in paths if not p.exists()]
        if missing:
            raise NotFoundError(f"starter pack source missing: {missing[0]}")
        api.add_dataset(name, paths, data_dir=store)
        step(f"loaded {name}")


def balance_products(products: pd.DataFrame, importer: str) -> pd.DataFrame:
    """The products behind one balance, keyed like the ``balance`` table.

        ``products`` is :attr:`ketenradar.modules.trade.api.BalanceResult.products`, whose
    ``importer`` is whoever depends (the partner on the partner side). Here ``importer`` is the
    economy the
        balance is of, on both sides, and ``dependent_imports_kusd`` is the dependent side's
        external imports of the product.
    """
    out = products.rename(columns={"external_imports_kusd": "dependent_imports_kusd"})
    out = out.assign(importer=importer)
    cols = ["year", "importer", "partner", "side", "product", "product_description"]
    return out[cols + [c for c in out.columns if c not in cols]].reset_index(drop=True)


def derive(
    store_dir: Path,
    *,
    importers: Sequence[str] = IMPORTERS,
    years: Sequence[int] | None = None,
    trade_dataset: str | None = None,
    io_year: int | None = None,
    strict: bool = True,
    progress: Progress | None = None,
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
    """
    from ketenradar import api
    from ketenradar.datasets.iotable_store import available_years
    from ketenradar.datasets.trade import choose_trade_dataset
    from ketenradar.modules.io import api as ioapi
    from ketenradar.modules.materials import api as mapi
    from ketenradar.modules.materials.assessment import load_inputs
    from ketenradar.modules.materials.geopolrisk import choose_inputs

    store = api.open_store(store_dir)
    kinds: dict[str, list[Any]] = {}
    for d in store.list():
        kinds.setdefault(d.manifest.kind, []).append(d)
    out = Derived()
    imps = list(importers)

    def skip(tables: Sequence[str], reason: str) -> None:
        if strict:
            raise NotFoundError(f"cannot derive {', '.join(tables)}: {reason}")
        for t in tables:
            out.skipped[t] = reason

    trade = None
    if kinds.get("trade_flows"):
        trade = choose_trade_dataset(store, trade_dataset, None)
        held = sorted(int(y) for y in trade.manifest.tables["trade"]["years"])
        wanted = sorted(set(years)) if years is not None else held
        absent = [y for y in wanted if y not in held]
        if absent:
            raise NotFoundError(
                f"year {absent[0]} is not in trade dataset {trade.name} (years: {_span(held)})"
            )
    else:
        wanted = []
    mining = kinds.get("mineral_production", [])
    has = {
        "crm": bool(kinds.get("crm_assessment")),
        "wgi": bool(kinds.get("governance")),
        "usgs": any(d.manifest.source == "usgs" for d in mining),
        "wmd": any(d.has_table("hs_map") for d in mining),
        "icio": any(
            d.manifest.attributes.get("table_source", d.manifest.source) == "icio"
            for d in kinds.get("io_table", [])
        ),
    }
    n_trade = len(imps) * len(wanted) * _TRADE_STEPS if trade else 0
    others = len(CRITICALITY_TABLES) + 3 + len(IO_TABLES)
    step = _Steps(n_trade + others, progress)

    # -- trade: screening, suppliers, balance -------------------------------------------
    if trade is None:
        skip(TRADE_TABLES, "no trade dataset (BACI) in the store")
    else:
        prov = [trade.manifest.provenance()]
        out.parameters |= {"importers": imps, "years": wanted, "trade_dataset": trade.name}
        frames, done = [], []
        for imp in imps:
            for y in wanted:
                try:
                    frames.append(api.screen(imp, y, dataset=trade.name, data_dir=store_dir))
                    done.append((imp, y))
                except NotFoundError as exc:
                    if strict:
                        raise
                    out.notes.append(f"screening {imp} {y}: {exc}")
                step(f"screening {imp} {y}")
        if frames:
            screening = pd.concat(frames, ignore_index=True)
            out.add("screening", screening, prov)
            sup = []
            for imp, y in done:
                sel = screening[(screening["importer"] == imp) & (screening["year"] == y)]
                prods = sorted(sel["product"].unique())
                s = api.supplier_shares(
                    imp, y, prods, dataset=trade.name, data_dir=store_dir, top=5
                )
                s.insert(0, "year", y)
                s.insert(0, "importer", imp)
                sup.append(s)
                step(f"suppliers {imp} {y}")
            out.add("suppliers", pd.concat(sup, ignore_index=True), prov)
            bal, bal_products = [], []
            for imp, y in done:
                result = api.balance(imp, y, dataset=trade.name, data_dir=store_dir)
                bal.append(result.summary)
                bal_products.append(balance_products(result.products, imp))
                step(f"balance {imp} {y}")
            out.add("balance", pd.concat(bal, ignore_index=True), prov)
            out.add("balance_products", pd.concat(bal_products, ignore_index=True), prov)
        else:
            skip(TRADE_TABLES, f"none of {', '.join(imps)} imports in {trade.name}")
        step.done = n_trade

    # -- critical raw materials ---------------------------------------------------------
    if has["crm"] and has["wgi"]:
        inputs = load_inputs(store)
        out.add("criticality", mapi.criticality(data_dir=store_dir), inputs.provenance)
        step("criticality")
        crm_prov, wgi_prov = inputs.provenance
        out.add("criticality_shares", inputs.shares, [crm_prov])
        step("criticality inputs: shares")
        out.add("criticality_end_use", inputs.end_use, [crm_prov])
        step("criticality inputs: end use")
        out.add("criticality_scores", inputs.scores, [crm_prov])
        step("criticality inputs: scores")
        wgi = inputs.wgi.assign(year=inputs.wgi_year)
        out.add("criticality_wgi", wgi, [wgi_prov])
        step("criticality inputs: WGI")
    else:
        skip(CRITICALITY_TABLES, "needs the EU CRM assessment and the WGI in the store")
        step.done += len(CRITICALITY_TABLES)
    if has["crm"] or has["usgs"]:
        # the analysis' ``source`` (eu_crm, eu_crm_eu, usgs) says the basis of each row;
        # attribution names the datasets in ``source``, so the basis keeps its own column
        conc = mapi.concentration_table(data_dir=store_dir).rename(columns={"source": "basis"})
        crm = kinds.get("crm_assessment", [])[:1]
        usgs = [d for d in mining if d.manifest.source == "usgs"][:1]
        out.add("concentration", conc, [d.manifest.provenance() for d in crm + usgs])
    else:
        skip(["concentration"], "needs the EU CRM assessment or USGS in the store")
    step("concentration")
    if has["crm"]:
        crm_ds = kinds["crm_assessment"]
        out.add("crma", mapi.crma(data_dir=store_dir), [crm_ds[0].manifest.provenance()])
    else:
        skip(["crma"], "needs the EU CRM assessment in the store")
    step("crma")
    if trade is not None and has["wmd"] and has["wgi"]:
        gpr_in = choose_inputs(store, trade_dataset=trade.name)
        gpr = mapi.geopolrisk_scores(
            importer=";".join(imps), trade_dataset=trade.name, data_dir=store_dir
        )
        out.add("geopolrisk", gpr, gpr_in.provenance)
    else:
        skip(["geopolrisk"], "needs trade (BACI), World Mining Data and the WGI in the store")
    step("geopolrisk")

    # -- input-output ---------------------------------------------------------------------
    if has["icio"]:
        io_ds = ioapi.choose_table_dataset(store, "icio", io_year)
        yr = io_year if io_year is not None else max(available_years(io_ds))
        out.parameters |= {"io_dataset": io_ds.name, "io_year": yr}
        icio = [io_ds.manifest.provenance()]
        kw = {"source": "icio", "year": yr, "dataset": io_ds.name, "data_dir": store_dir}
        for by in ("country", "source", "industry"):
            out.add(f"io_exposure_{by}", ioapi.exposure("NLD", by=by, **kw), icio)
            step(f"io exposure by {by}")
        out.add("io_balance", ioapi.balance("NLD", **kw), icio)
        step("io balance")
    else:
        skip(IO_TABLES, "needs an OECD ICIO table in the store")
        step.done += len(IO_TABLES)

    ctx = {
        "imps": " and ".join(imps),
        "span": _span(wanted),
        "dataset": trade.name if trade else "",
        "io_year": out.parameters.get("io_year", ""),
    }
    out.descriptions = {t: DERIVED_DESCRIPTIONS.get(t, TABLES[t]).format(**ctx) for t in out.tables}
    return out


def write_tables(
    derived: Derived,
    folder: Path,
    *,
    command: str,
    descriptions: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write the tables and ``manifest.json`` into ``folder`` (the caller stages it)."""
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
                derived, staged, command="ketenradar starter build", descriptions=TABLES
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
    if table not in TABLES:
        raise NotFoundError(f"no starter table '{table}' (tables: {', '.join(TABLES)})")
    folder = folder or packaged_dir()
    df = pd.read_parquet(folder / f"{table}.parquet")
    df.attrs["provenance"] = {"starter_pack": manifest(folder), "table": table}
    return df


def criticality_inputs(folder: Path | None = None) -> Any:
    """The EU criticality method's inputs as shipped in the pack (for the what-if)."""
    from ketenradar.modules.materials.assessment import CriticalityInputs
    from ketenradar.modules.materials.parameters import load_parameters

    m = manifest(folder)
    end_use = read("criticality_end_use", folder).drop(columns=["source", "licence"])
    wgi = read("criticality_wgi", folder).drop(columns=["source", "licence"])
    by_source = {d["source"]: d for d in m["datasets"]}
    return CriticalityInputs(
        shares=read("criticality_shares", folder).drop(columns=["source", "licence"]),
        end_use=end_use,
        scores=read("criticality_scores", folder).drop(columns=["source", "licence"]),
        wgi=wgi.drop(columns=["year"]),
        wgi_year=int(wgi["year"].iloc[0]),
        parameters=load_parameters(),
        max_va_meur=float(end_use["va_meur"].max()),
        provenance=[by_source["eu_crm"], by_source["wgi"]],
    )
