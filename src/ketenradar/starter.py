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
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar import __version__
from ketenradar.errors import NotFoundError

#: The table names and what each holds (also the manifest's description).
TABLES = {
    "screening": "EU 2021 and GeoDep screening of NLD and EU27 imports of the 74 GeoPolRisk "
    "raw-material products, every year 1995–2024 (BACI HS92 V202401b)",
    "suppliers": "top-5 suppliers (and the rest) of NLD and EU27 per raw-material product and "
    "year, shares of external imports",
    "balance": "mutual dependency NLD and EU27 ↔ each partner on the raw-material products, "
    "every year 1995–2024",
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


def packaged_dir() -> Path:
    """Where the shipped starter pack lives inside the installed package."""
    return Path(str(resources.files("ketenradar") / "data" / "starter"))


def _attribute(df: pd.DataFrame, datasets: list[dict[str, Any]]) -> pd.DataFrame:
    df = df.copy()
    df["source"] = "; ".join(f"{d['dataset']} ({d['release']})" for d in datasets)
    df["licence"] = "; ".join(dict.fromkeys(d["licence"] for d in datasets))
    return df


def build(
    shared: Path, output: Path, *, work: Path | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Load the real sources into a scratch store, run the analyses, write the pack.

    The pack is written to a temporary folder and moved into place at the end, so a failed
    build leaves ``output`` as it was.
    """
    from ketenradar import api
    from ketenradar.inputoutput import api as ioapi
    from ketenradar.materials import api as mapi
    from ketenradar.materials.assessment import load_inputs

    scratch = Path(tempfile.mkdtemp(prefix="ketenradar-starter-", dir=work))
    store = scratch / "store"
    sources = [
        ("baci", [shared / "baci_raw_materials_hs92"]),
        ("eu_crm", [shared / "eu_crm"]),
        ("wgi", [shared / "wgi" / "2020_Worldwide_Governance_Indicators_1996-2019.csv"]),
        ("usgs", [shared / "usgs_mcs"]),
        ("wmd", [shared / "geopolrisk" / "world_mining_data.db"]),
        ("icio", [shared / "icio_oecd_2022"]),
    ]
    steps = len(sources) + len(TABLES)
    done = 0

    def step(what: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(what, done, steps)

    try:
        for name, paths in sources:
            missing = [p for p in paths if not p.exists()]
            if missing:
                raise NotFoundError(f"starter pack source missing: {missing[0]}")
            api.add_dataset(name, paths, data_dir=store)
            step(f"loaded {name}")
        ds = {d.manifest.source: d.manifest.provenance() for d in api.open_store(store).list()}
        tables: dict[str, pd.DataFrame] = {}
        trade = [ds["baci"]]
        frames = []
        years = range(1995, 2025)
        for imp in ("NLD", "EU27"):
            for y in years:
                frames.append(api.screen(imp, y, data_dir=store))
        tables["screening"] = _attribute(pd.concat(frames, ignore_index=True), trade)
        step("screening")
        sup = []
        for imp in ("NLD", "EU27"):
            for y in years:
                prods = sorted(
                    tables["screening"].query("importer == @imp and year == @y")["product"].unique()
                )
                s = api.supplier_shares(imp, y, prods, data_dir=store, top=5)
                s.insert(0, "year", y)
                s.insert(0, "importer", imp)
                sup.append(s)
        tables["suppliers"] = _attribute(pd.concat(sup, ignore_index=True), trade)
        step("suppliers")
        bal = [
            api.balance(imp, y, data_dir=store).summary for imp in ("NLD", "EU27") for y in years
        ]
        tables["balance"] = _attribute(pd.concat(bal, ignore_index=True), trade)
        step("balance")
        crm = [ds["eu_crm"], ds["wgi"]]
        tables["criticality"] = _attribute(mapi.criticality(data_dir=store), crm)
        step("criticality")
        inputs = load_inputs(api.open_store(store))
        tables["criticality_shares"] = _attribute(inputs.shares, [ds["eu_crm"]])
        step("criticality inputs: shares")
        tables["criticality_end_use"] = _attribute(inputs.end_use, [ds["eu_crm"]])
        step("criticality inputs: end use")
        tables["criticality_scores"] = _attribute(inputs.scores, [ds["eu_crm"]])
        step("criticality inputs: scores")
        wgi = inputs.wgi.assign(year=inputs.wgi_year)
        tables["criticality_wgi"] = _attribute(wgi, [ds["wgi"]])
        step("criticality inputs: WGI")
        conc = mapi.concentration_table(data_dir=store)
        tables["concentration"] = _attribute(conc, [ds["eu_crm"], ds["usgs"]])
        step("concentration")
        tables["crma"] = _attribute(mapi.crma(data_dir=store), [ds["eu_crm"]])
        step("crma")
        gpr = mapi.geopolrisk_scores(importer="NLD;EU27", data_dir=store)
        tables["geopolrisk"] = _attribute(gpr, [ds["baci"], ds["wmd"], ds["wgi"]])
        step("geopolrisk")
        icio = [ds["icio"]]
        for by in ("country", "source", "industry"):
            df = ioapi.exposure("NLD", source="icio", year=2022, by=by, data_dir=store)
            tables[f"io_exposure_{by}"] = _attribute(df, icio)
            step(f"io exposure by {by}")
        tables["io_balance"] = _attribute(
            ioapi.balance("NLD", source="icio", year=2022, data_dir=store), icio
        )
        step("io balance")
        staged = Path(tempfile.mkdtemp(prefix="starter-", dir=output.parent))
        info = {}
        for name, df in tables.items():
            df.attrs = {}
            df.to_parquet(staged / f"{name}.parquet", index=False, compression="zstd")
            info[name] = {"rows": len(df), "description": TABLES[name]}
        manifest = {
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "tool": f"ketenradar {__version__}",
            "command": "ketenradar starter build",
            "datasets": list(ds.values()),
            "tables": info,
        }
        (staged / "manifest.json").write_text(json.dumps(manifest, indent=1, default=str))
        if output.exists():
            shutil.rmtree(output)
        staged.rename(output)
        return manifest
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
    from ketenradar.materials.assessment import CriticalityInputs
    from ketenradar.materials.parameters import load_parameters

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
