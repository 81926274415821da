"""``ketenradar materials …`` and ``ketenradar bom …``: critical raw materials on the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ketenradar.core.errors import UsageError
from ketenradar.core.modules import columns as columns_of
from ketenradar.interfaces.cli.common import (
    DataDir,
    EngineName,
    Fmt,
    Output,
    _command,
    _dir,
    _print_provenance,
    add_and_report,
    emit,
    handle_errors,
    out,
    plain,
)

if TYPE_CHECKING:  # pandas only in annotations: `ketenradar --help` does not load it
    pass

materials_app = typer.Typer(
    help="Critical raw materials: EU criticality, CRMA benchmarks, GeoPolRisk.",
    no_args_is_help=True,
)
bom_app = typer.Typer(help="System exposure from a bill of materials.", no_args_is_help=True)


@materials_app.command("list")
@handle_errors
def materials_list(fmt: Fmt = "table", output: Output = None, limit: int = 200) -> None:
    """The harmonised material vocabulary and each publisher's names for it."""
    from ketenradar.modules.materials.api import list_materials

    df = list_materials()
    cols = [
        "material",
        "name",
        "crm_2023",
        "strategic_2023",
        "eu_crm_names",
        "usgs_codes",
        "wmd_sheets",
    ]
    emit(df, fmt, output, sheet="materials", columns=cols, limit=limit)


@materials_app.command("show")
@handle_errors
def materials_show(name: str, data_dir: DataDir = None) -> None:
    """One material: names, parameters with sources, published scores, supply shares."""
    from ketenradar.modules.materials.api import show_material

    out.print_json(json.dumps(show_material(name, data_dir=_dir(data_dir)), default=str))


@materials_app.command("criticality")
@handle_errors
def materials_criticality(
    ctx: typer.Context,
    scenario: Annotated[
        Path | None, typer.Option(help="What-if scenario (YAML/JSON) to compare with.")
    ] = None,
    parameters: Annotated[
        Path | None, typer.Option(help="Your parameter table (IR, EoL-RIR, SI) to add/override.")
    ] = None,
    assessment_year: Annotated[int, typer.Option(help="Published assessment to compare.")] = 2023,
    wgi_year: Annotated[int | None, typer.Option(help="WGI year (default: latest full).")] = None,
    material: Annotated[str | None, typer.Option(help="Only this material.")] = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 60,
    data_dir: DataDir = None,
) -> None:
    """EU criticality (SR, EI) per material and stage next to the published 2023 values."""
    from ketenradar.core.vocabularies.materials import resolve_material
    from ketenradar.modules.materials.api import criticality

    df = criticality(
        data_dir=_dir(data_dir),
        assessment_year=assessment_year,
        wgi_year=wgi_year,
        parameters_file=parameters,
        scenario_file=scenario,
        command=_command(ctx),
    )
    if material:
        prov = df.attrs["provenance"]
        df = df[df["material"] == resolve_material(material).material].reset_index(drop=True)
        df.attrs["provenance"] = prov
    cols = [
        "material",
        "stage",
        "hhi_wgi_t_gs",
        "hhi_wgi_t_eu",
        "sr",
        "sr_published",
        "ei",
        "ei_published",
        "critical",
    ]
    if scenario is not None:
        cols = [
            "material",
            "stage",
            "sr",
            "sr_scenario",
            "sr_delta",
            "ei",
            "ei_scenario",
            "critical",
            "critical_scenario",
            "critical_change",
        ]
    from ketenradar.modules.materials.report import criticality_report

    emit(
        df,
        fmt,
        output,
        sheet="criticality",
        columns=cols,
        limit=limit,
        title="EU criticality (SR, EI) per material and stage",
        html=criticality_report,
        schema=columns_of("criticality"),
    )


@materials_app.command("crma")
@handle_errors
def materials_crma(
    ctx: typer.Context, fmt: Fmt = "table", output: Output = None, data_dir: DataDir = None
) -> None:
    """Strategic raw materials against the CRMA 2030 benchmarks (65 %, 10 %, 40 %, 25 %)."""
    from ketenradar.modules.materials.api import crma

    df = crma(data_dir=_dir(data_dir), command=_command(ctx))
    cols = [
        "material",
        "stage",
        "max_third_country",
        "max_third_country_share_eu_sourcing",
        "meets_65",
        "eu27_share_of_eu_sourcing",
        "eu27_share_of_global_supply",
        "meets_capacity_proxy",
        "eol_rir",
        "meets_recycling_proxy",
    ]
    emit(
        df,
        fmt,
        output,
        sheet="crma",
        columns=cols,
        title="CRMA 2030 benchmarks",
        schema=columns_of("crma"),
    )


@materials_app.command("concentration")
@handle_errors
def materials_concentration(
    ctx: typer.Context,
    material: Annotated[str | None, typer.Option(help="Only this material.")] = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 60,
    data_dir: DataDir = None,
) -> None:
    """Top country, share, HHI and count per material and stage (EU CRM and USGS, all years)."""
    from ketenradar.modules.materials.api import concentration_table

    df = concentration_table(data_dir=_dir(data_dir), material=material, command=_command(ctx))
    cols = [
        "material",
        "stage",
        "source",
        "year",
        "top_country",
        "top_share",
        "hhi",
        "n_countries",
        "crma_65_flag",
        "trend",
    ]
    emit(
        df,
        fmt,
        output,
        sheet="concentration",
        columns=cols,
        limit=limit,
        title="Supply concentration per material and stage",
        schema=columns_of("concentration"),
    )


@materials_app.command("geopolrisk")
@handle_errors
def materials_geopolrisk(
    ctx: typer.Context,
    importer: Annotated[
        str, typer.Option(help="ISO3, group (EU27, …), 'DEU,FRA' as one group, or 'all'.")
    ] = "NLD",
    year: Annotated[list[int] | None, typer.Option(help="Year(s); default all with data.")] = None,
    material: Annotated[
        list[str] | None, typer.Option(help="Raw material(s) by WMD Reference ID, e.g. Cobalt.")
    ] = None,
    exact_production: Annotated[
        bool, typer.Option(help="Don't truncate production to whole units (reference does).")
    ] = False,
    trade_dataset: Annotated[str | None, typer.Option(help="BACI dataset to use.")] = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 60,
    engine: EngineName = "duckdb",
    data_dir: DataDir = None,
) -> None:
    """Country-specific supply risk (GeoPolRisk): HHI × import risk, score and CF."""
    from ketenradar.modules.materials.api import geopolrisk_scores

    df = geopolrisk_scores(
        importer=importer,
        years=year or None,
        materials=material or None,
        data_dir=_dir(data_dir),
        trade_dataset=trade_dataset,
        exact_production=exact_production,
        command=_command(ctx),
        engine=engine,
    )
    cols = [
        "material",
        "importer",
        "year",
        "hhi",
        "import_risk",
        "score",
        "cf",
        "import_qty_t",
        "n_partners",
    ]
    emit(
        df.sort_values("score", ascending=False) if fmt == "table" else df,
        fmt,
        output,
        sheet="geopolrisk",
        columns=cols,
        limit=limit,
        title="GeoPolRisk",
        schema=columns_of("geopolrisk"),
    )


@bom_app.command("exposure")
@handle_errors
def bom_exposure(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="BOM YAML file, or the name of a packaged one.")],
    supply: Annotated[str, typer.Option(help="Supply shares: eu_crm or usgs.")] = "eu_crm",
    table: Annotated[str, typer.Option(help="materials, countries or summary.")] = "materials",
    fmt: Fmt = "table",
    output: Output = None,
    data_dir: DataDir = None,
) -> None:
    """Explode a system's bill of materials to materials and supplying countries."""
    from ketenradar.modules.materials.api import bom_exposure as run

    res = run(file, supply=supply, data_dir=_dir(data_dir), command=_command(ctx))
    if table not in res:
        raise UsageError(f"--table is one of {', '.join(res)}")
    df = res[table]
    shown = {
        "materials": [
            "material",
            "stage",
            "quantity",
            "share",
            "is_critical",
            "top_country",
            "top_share",
            "hhi",
            "single_point_of_failure",
        ],
        "countries": ["country", "exposure_critical", "exposure_all", "n_critical_materials"],
    }.get(table, list(df.columns))
    if fmt == "table" and table == "summary":
        for k, v in df.iloc[0].items():
            out.print(f"[bold]{plain(k)}[/]: {plain(v)}", highlight=False)
        _print_provenance(df.attrs["provenance"])
        return
    emit(
        df,
        fmt,
        output,
        sheet=table,
        columns=[c for c in shown if c in df.columns],
        title=f"Bill-of-materials exposure: {table}",
    )


def quickstart(year: int, output: Path, data_dir: Path | None) -> None:
    """Load the EU CRM tables and the WGI (when present) and write the criticality report."""
    from ketenradar.core.config import shared_data_dir
    from ketenradar.datasets import open_store
    from ketenradar.interfaces.reports.writers import write_frame
    from ketenradar.modules.materials.api import criticality
    from ketenradar.modules.materials.report import criticality_report

    store = open_store(_dir(data_dir))
    root = shared_data_dir()
    sources = {
        "crm_assessment": ("eu_crm", [root / "eu_crm"]),
        "governance": (
            "wgi",
            [root / "wgi" / "2020_Worldwide_Governance_Indicators_1996-2019.csv"],
        ),
    }
    for kind, (source, paths) in sources.items():
        if store.list(kind=kind):
            continue
        if not all(p.exists() for p in paths):
            out.print(
                f"[dim]no {source} files at {plain(paths[0])}: skipping the criticality report[/]"
            )
            return
        out.print(f"Loading {source} from {plain(paths[0])} …")
        add_and_report(source, paths, data_dir, None)
    df = criticality(data_dir=_dir(data_dir))
    criticality_report(df, output / "criticality.html")
    write_frame(df, "csv", output / "criticality.csv")
    out.print(f"wrote {plain(output / 'criticality.html')} and {plain(output / 'criticality.csv')}")


def register(app: typer.Typer) -> None:
    """Add ``materials`` and ``bom`` to the root command."""
    app.add_typer(materials_app, name="materials")
    app.add_typer(bom_app, name="bom")
