"""Python API of the materials commands (``ketenradar materials …``, ``ketenradar bom …``).

Every function returns a pandas DataFrame with ``df.attrs["provenance"]`` (the same record
the CLI writes next to its outputs).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar.core.config import default_data_dir
from ketenradar.core.engines import Engine
from ketenradar.core.errors import NotFoundError, UsageError
from ketenradar.core.groups import GroupRegistry, user_groups_file
from ketenradar.core.provenance import make_provenance
from ketenradar.core.vocabularies.materials import materials as vocabulary
from ketenradar.core.vocabularies.materials import resolve_material
from ketenradar.datasets import DataStore
from ketenradar.modules.materials import assessment
from ketenradar.modules.materials import bom as _bom
from ketenradar.modules.materials.analysis import concentration, geopolrisk
from ketenradar.modules.materials.analysis.import_reliance import (  # public for other modules
    import_reliance as import_reliance,
)
from ketenradar.modules.materials.bom import Bom as Bom
from ketenradar.modules.materials.bom import load_bom as load_bom
from ketenradar.modules.materials.bom import packaged_boms as packaged_boms
from ketenradar.modules.materials.datasets import (
    choose_dataset,
    choose_geopolrisk_inputs,
    geopolrisk_views,
    read_table,
)
from ketenradar.modules.materials.parameters import load_parameters
from ketenradar.modules.materials.scenario import load_scenario, run_scenario

#: Public for other modules (the stockpile planner reads BOMs through them).
BOM_PATH_SEPARATOR = _bom.SEP
bom_lines = _bom.lines

EU_METHOD = (
    "EU criticality method: European Commission (2017), Methodology for establishing the EU "
    "list of critical raw materials; Blengini et al. (2017), EUR 28654 EN"
)
GPR_METHOD = (
    "GeoPolRisk: Koyamparambath et al. (2024); Helbig et al. (2016); reference implementation "
    "geopolrisk-py 2.0.1"
)
CRMA = "Critical Raw Materials Act, Regulation (EU) 2024/1252, Art. 5(1) benchmarks"


def _store(data_dir: Path | str | None) -> DataStore:
    return DataStore(Path(data_dir) if data_dir else default_data_dir())


def list_materials() -> pd.DataFrame:
    """The harmonised material vocabulary with each publisher's names."""
    rows = [
        {
            "material": m.material,
            "name": m.name,
            "crm_2023": m.crm_2023,
            "strategic_2023": m.strategic_2023,
            "parent": m.parent,
            "eu_crm_names": "; ".join(m.eu_crm_names),
            "usgs_codes": "; ".join(m.usgs_codes),
            "wmd_sheets": "; ".join(m.wmd_sheets),
            "note": m.note,
        }
        for m in vocabulary()
    ]
    return pd.DataFrame(rows)


def criticality(
    *,
    data_dir: Path | str | None = None,
    assessment_year: int = 2023,
    wgi_year: int | None = None,
    parameters_file: Path | None = None,
    scenario_file: Path | None = None,
    crm_dataset: str | None = None,
    wgi_dataset: str | None = None,
    command: str | None = None,
) -> pd.DataFrame:
    """EU criticality per material and stage, reconciled with the published values.

    With ``scenario_file`` the baseline and the scenario sit side by side with deltas.
    """
    inputs = assessment.load_inputs(
        _store(data_dir),
        crm_dataset=crm_dataset,
        wgi_dataset=wgi_dataset,
        wgi_year=wgi_year,
        parameters_file=parameters_file,
        assessment_year=assessment_year,
    )
    notes = [
        "sr, ei, critical: the project's own computation; SI_SR and SI_EI assumed "
        f"{assessment.SI_ASSUMED:g} (no substitution) where the parameter table has none",
        "IR computed from BACI trade and World Mining Data (ir_source = trade) where the "
        f"parameter table has none; {assessment.IR_ASSUMED:g} assumed without those data",
        "sr_calibrated, ei_calibrated, critical_calibrated: calibrated on the published values "
        "(the substitution indices the published SR/EI imply); not independent estimates",
        inputs.wgi_vintage,
    ]
    params: dict[str, Any] = {
        "assessment_year": assessment_year,
        "wgi_year": inputs.wgi_year,
        "wgi_vintage": inputs.wgi_vintage,
        "ei_scale_va_meur": inputs.max_va_meur,
        "parameters_file": str(parameters_file) if parameters_file else "packaged",
    }
    years = (
        inputs.import_reliance["ir_years"].dropna()
        if inputs.import_reliance is not None
        else pd.Series(dtype=object)
    )
    if len(years):  # none when the store's trade covers no material's HS codes
        params["ir_years"] = years.iloc[0]
    if scenario_file is not None:
        sc = load_scenario(scenario_file)
        df = run_scenario(inputs, sc, assessment_year)
        params["scenario"] = sc.provenance()
    else:
        df = assessment.criticality_table(inputs, assessment_year)
    df.attrs["provenance"] = make_provenance(
        analysis="criticality",
        methods=[EU_METHOD],
        datasets=inputs.provenance,
        parameters=params,
        thresholds={"ei": 2.8, "sr": 1.0},
        command=command,
        notes=notes,
    )
    return df


def show_material(name: str, *, data_dir: Path | str | None = None) -> dict[str, Any]:
    """Everything known about one material: vocabulary, parameters, published scores."""
    m = resolve_material(name)
    store = _store(data_dir)
    out: dict[str, Any] = {
        "material": m.material,
        "name": m.name,
        "crm_2023": m.crm_2023,
        "strategic_2023": m.strategic_2023,
        "parent": m.parent,
        "eu_crm_names": list(m.eu_crm_names),
        "usgs_codes": list(m.usgs_codes),
        "wmd_sheets": list(m.wmd_sheets),
        "note": m.note,
    }
    params = load_parameters()
    out["parameters"] = params[params["material"] == m.material].to_dict("records")
    crm = list(store.list(kind="crm_assessment"))
    if crm:
        scores = read_table(crm[0], "scores")
        s = scores[scores["material"] == m.material].sort_values("year")
        out["published_scores"] = s[["year", "eu_name", "sr", "ei"]].to_dict("records")
        shares = read_table(crm[0], "supply_shares")
        sh = shares[shares["material"] == m.material].sort_values("share", ascending=False)
        out["supply_shares"] = sh[["scope", "stage", "country", "share", "t"]].to_dict("records")
    return out


def concentration_table(
    *,
    data_dir: Path | str | None = None,
    material: str | None = None,
    command: str | None = None,
) -> pd.DataFrame:
    """Concentration per material, stage, source and year (EU CRM and USGS)."""
    store = _store(data_dir)
    crm = store.list(kind="crm_assessment")
    usgs = [d for d in store.list(kind="mineral_production") if d.manifest.source == "usgs"]
    if not crm and not usgs:
        raise NotFoundError(
            "no EU CRM or USGS dataset loaded: `ketenradar data add eu_crm ../shared/data/eu_crm`"
            " and/or `ketenradar data add usgs ../shared/data/usgs_mcs`"
        )
    eu_shares = read_table(crm[0], "supply_shares") if crm else None
    prod = read_table(usgs[0], "production") if usgs else None
    df = concentration.concentration_table(eu_shares, prod)
    if material:
        mat = resolve_material(material).material
        df = df[df["material"] == mat].reset_index(drop=True)
    df.attrs["provenance"] = make_provenance(
        analysis="concentration",
        methods=["HHI = Σ share² (fractions)", CRMA],
        datasets=[d.manifest.provenance() for d in (crm[:1] + usgs[:1])],
        parameters={"material": material},
        thresholds={"crma_single_country_max": concentration.CRMA_SINGLE_COUNTRY_MAX},
        command=command,
    )
    return df


def strategic_materials() -> dict[str, str]:
    """Strategic raw materials (CRMA Annex I) at the finest level the vocabulary has."""
    vs = vocabulary()
    parents = {m.parent for m in vs if m.parent and m.strategic_2023}
    return {m.material: m.name for m in vs if m.strategic_2023 and m.material not in parents}


def crma(*, data_dir: Path | str | None = None, command: str | None = None) -> pd.DataFrame:
    """The CRMA 2030 benchmarks per strategic material and stage, as far as data allows."""
    store = _store(data_dir)
    crm = choose_dataset(store, "crm_assessment")
    shares = read_table(crm, "supply_shares")
    params = load_parameters()
    eol = dict(params[params["parameter"] == "eol_rir"][["material", "value"]].values)
    df = concentration.crma_table(shares, strategic_materials(), eol)
    df.attrs["provenance"] = make_provenance(
        analysis="crma",
        methods=[CRMA],
        datasets=[crm.manifest.provenance()],
        parameters={},
        thresholds={
            "single_third_country_max": concentration.CRMA_SINGLE_COUNTRY_MAX,
            "extraction_min": concentration.CRMA_EXTRACTION_MIN,
            "processing_min": concentration.CRMA_PROCESSING_MIN,
            "recycling_min": concentration.CRMA_RECYCLING_MIN,
        },
        command=command,
        notes=[
            "EU consumption is not in the open data: the EU27 share of EU sourcing stands in "
            "for 'EU capacity as a share of EU consumption'; EoL-RIR for recycling"
        ],
    )
    return df


def geopolrisk_scores(
    *,
    importer: str | None = "NLD",
    years: Sequence[int] | None = None,
    materials: Sequence[str] | None = None,
    data_dir: Path | str | None = None,
    trade_dataset: str | None = None,
    wmd_dataset: str | None = None,
    wgi_dataset: str | None = None,
    exact_production: bool = False,
    command: str | None = None,
    engine: str | Engine | None = None,
) -> pd.DataFrame:
    """GeoPolRisk per material, importer and year; ``importer`` ISO3, group, list or 'all';
    run on ``engine`` (``duckdb``, the default, or ``spark``; docs/scale-out.md)."""
    store = _store(data_dir)
    inputs = choose_geopolrisk_inputs(
        store, trade_dataset=trade_dataset, wmd_dataset=wmd_dataset, wgi_dataset=wgi_dataset
    )
    importers: dict[str, list[str]] | None = None
    if importer and importer.lower() != "all":
        reg = GroupRegistry(user_groups_file(store.root))
        importers = {}
        known = set(read_table(inputs.trade, "countries")["iso3"])
        for part in importer.split(";"):
            g = reg.resolve(part)
            unknown = sorted(set(g.members) - known)
            if unknown and len(unknown) == len(g.members):
                from ketenradar.core.vocabularies.materials import closest_hint

                raise NotFoundError(
                    f"unknown importer '{part}': not a country in {inputs.trade.name}"
                    + closest_hint(unknown[0], sorted(known) + reg.names())
                )
            importers[g.name] = sorted(g.members)
    eng = geopolrisk_views(inputs, engine)
    try:
        ran_on = eng.describe()
        df = geopolrisk.geopolrisk(
            eng,
            importers=importers,
            years=years,
            materials=materials,
            exact_production=exact_production,
        )
    finally:
        eng.close()
    df.attrs["provenance"] = make_provenance(
        analysis="geopolrisk",
        methods=[GPR_METHOD],
        datasets=inputs.provenance,
        parameters={
            "importer": importer,
            "years": list(years) if years else "all",
            "materials": list(materials) if materials else "all",
            "production": "exact" if exact_production else "truncated as the reference",
        },
        command=command,
        engine=ran_on,
    )
    return df


def bom_exposure(
    file: Path | str,
    *,
    supply: str = "eu_crm",
    stage_year: int | None = None,
    data_dir: Path | str | None = None,
    command: str | None = None,
) -> dict[str, pd.DataFrame]:
    """Exposure of a system's bill of materials: ``materials``, ``countries``, ``summary``.

    ``file`` is a BOM YAML path or the name of a packaged BOM (``naval_aesa_radar``, …).
    ``supply`` chooses the supply shares: ``eu_crm`` (global supply per stage, EU 2023 data)
    or ``usgs`` (world production, latest year loaded).
    """
    from ketenradar.modules.materials.bom import exposure, load_bom, packaged_boms

    path = Path(file)
    if not path.exists():
        boms = packaged_boms()
        if str(file) not in boms:
            raise NotFoundError(f"no BOM file '{file}' (packaged BOMs: {', '.join(sorted(boms))})")
        path = Path(boms[str(file)])
    bom = load_bom(path)
    store = _store(data_dir)
    datasets = []
    if supply == "eu_crm":
        crm = choose_dataset(store, "crm_assessment")
        s = read_table(crm, "supply_shares")
        s = s[(s["scope"] == "global")].dropna(subset=["country", "share"])
        shares = s[["material", "stage", "country", "share"]]
        datasets.append(crm.manifest.provenance())
    elif supply == "usgs":
        ds = choose_dataset(store, "mineral_production", source="usgs")
        us = concentration.usgs_shares(read_table(ds, "production")).dropna(subset=["country"])
        year = stage_year or int(us["year"].max())
        us = us[us["year"] == year]
        shares = us.groupby(["material", "stage", "country"], as_index=False)["share"].sum()
        datasets.append(ds.manifest.provenance())
    else:
        raise UsageError("--supply is eu_crm or usgs")
    wgi_scaled = None
    gov = store.list(kind="governance")
    if gov:
        from ketenradar.modules.materials.analysis.criticality import country_wgi_scaled
        from ketenradar.modules.materials.assessment import default_wgi_year

        raw = read_table(gov[0], "wgi")
        w = country_wgi_scaled(raw, default_wgi_year(raw))
        wgi_scaled = dict(zip(w["country"], w["wgi_scaled"], strict=True))
        datasets.append(gov[0].manifest.provenance())
    critical = {m.material for m in vocabulary() if m.crm_2023}
    res = exposure(bom, shares, wgi_scaled=wgi_scaled, critical=critical)
    prov = make_provenance(
        analysis="bom_exposure",
        methods=["Bill-of-materials exposure (docs/methods/bom.md)", CRMA],
        datasets=datasets,
        parameters={"bom": str(path), "supply": supply},
        command=command,
    )
    out = {"materials": res.materials, "countries": res.countries, "summary": res.summary}
    for df in out.values():
        df.attrs["provenance"] = prov
    return out
