"""``ketenradar io …``: dependencies through inter-country input-output tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ketenradar.core.errors import UsageError
from ketenradar.core.modules import columns as columns_of
from ketenradar.interfaces.cli.common import (
    DataDir,
    Fmt,
    Output,
    _command,
    _dir,
    _ingest,
    add_and_report,
    emit,
    err,
    handle_errors,
    out,
    plain,
    run_with_progress,
)
from ketenradar.modules.io.facts import SHOCK_COLUMNS

io_app = typer.Typer(
    help="Goods and services dependencies through input-output tables (WIOD, OECD ICIO).",
    no_args_is_help=True,
)

Economy = Annotated[
    str, typer.Option(help="Economy: a region code (NLD), a group (EU27) or 'DEU,FRA'.")
]
Source = Annotated[str | None, typer.Option(help="Table: icio or wiod.")]
Year = Annotated[int | None, typer.Option(help="Table year (default: latest loaded).")]
DatasetOpt = Annotated[
    str | None, typer.Option("--dataset", help="Dataset name, when several fit.")
]
Basis = Annotated[
    str,
    typer.Option(
        help="final_demand (value added in the economy's final demand), final_output "
        "(in the final output of its industries) or auto (final_demand when the table has it)."
    ),
]


@io_app.command("load")
@handle_errors
def io_load(
    source: Annotated[str, typer.Argument(help="icio or wiod.")],
    paths: Annotated[list[Path], typer.Argument(help="Files or folders.")],
    name: Annotated[str | None, typer.Option(help="Dataset name.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Load input-output tables (same as `data add icio|wiod`) and show their balance checks."""
    if source not in ("icio", "wiod"):
        raise UsageError(f"unknown input-output source '{source}' (choose icio or wiod)")
    reports = _ingest(source, paths, data_dir, name)
    for r in reports:
        attrs = r.manifest.attributes
        state = "[green]added[/]" if r.changed else "[yellow]unchanged[/]"
        out.print(
            f"{state} {plain(r.dataset)}: {attrs['regions']} regions × {attrs['sectors']} "
            f"sectors, years {', '.join(map(str, attrs['years']))}, {plain(attrs['unit'])}",
            highlight=False,
        )
        for year, b in attrs.get("balance", {}).items():
            out.print(
                f"  {year}: balanced — largest row residual {b['row_residual_max']:.4g}, "
                f"column {b['column_residual_max']:.4g}; {plain(b['tolerance_rule'])}",
                highlight=False,
            )
        for w in r.warnings:
            err.print(f"[yellow]warning:[/] {plain(w)}", highlight=False)


@io_app.command("check")
@handle_errors
def io_check(
    ctx: typer.Context,
    source: Source = None,
    dataset: DatasetOpt = None,
    fmt: Fmt = "table",
    output: Output = None,
    data_dir: DataDir = None,
) -> None:
    """Accounting identities of every loaded table year, with the tolerance used."""
    from ketenradar.modules.io.api import check

    df = check(source=source, dataset=dataset, data_dir=_dir(data_dir), command=_command(ctx))
    cols = [
        "dataset",
        "year",
        "ok",
        "row_residual_max",
        "column_residual_max",
        "total_residual_share",
        "rows_or_columns_beyond_tolerance",
    ]
    emit(df, fmt, output, sheet="check", columns=cols, limit=100, title="Table balance")


EXPOSURE_COLUMNS = {
    "source": [
        "rank",
        "source_country",
        "source_industry",
        "source_kind",
        "direct_inputs_musd",
        "embodied_va_musd",
        "embodied_va_share",
    ],
    "country": [
        "source_country",
        "source_country_name",
        "direct_inputs_musd",
        "embodied_va_musd",
        "embodied_va_share",
        "services_va_musd",
    ],
    "industry": [
        "industry",
        "kind",
        "output_musd",
        "foreign_input_share",
        "top_foreign_input_country",
        "foreign_va_content",
        "top_foreign_va_country",
    ],
    "link": [
        "rank",
        "source_country",
        "source_industry",
        "services_link",
        "industry",
        "direct_inputs_musd",
        "direct_input_share",
        "total_requirement",
    ],
    "summary": [
        "economy",
        "year",
        "basis",
        "foreign_input_share",
        "foreign_va_share",
        "foreign_services_va_share",
        "foreign_va_share_exports",
    ],
}


@io_app.command("exposure")
@handle_errors
def io_exposure(
    ctx: typer.Context,
    economy: Economy = "NLD",
    source: Source = "icio",
    year: Year = None,
    by: Annotated[
        str, typer.Option(help="source (country-industry), country, industry, link or summary.")
    ] = "source",
    basis: Basis = "auto",
    top: Annotated[int, typer.Option(help="Links to list with --by link.")] = 50,
    dataset: DatasetOpt = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
    data_dir: DataDir = None,
) -> None:
    """Direct and value-added dependency of an economy on foreign country-industries."""
    from ketenradar.modules.io.api import exposure

    df = run_with_progress(
        "exposure",
        exposure,
        economy,
        source=source,
        year=year,
        by=by,
        basis=basis,
        top=top,
        dataset=dataset,
        data_dir=_dir(data_dir),
        command=_command(ctx),
    )
    emit(
        df,
        fmt,
        output,
        sheet="exposure",
        columns=EXPOSURE_COLUMNS[by],
        limit=limit,
        title=f"Exposure of {economy} ({by})",
        schema=columns_of(f"io_exposure_{by}") if by in ("country", "industry", "source") else None,
    )


@io_app.command("shock")
@handle_errors
def io_shock(
    ctx: typer.Context,
    economy: Economy = "NLD",
    scenario: Annotated[
        Path | None, typer.Option(help="Scenario file (YAML/JSON): one scenario or a batch.")
    ] = None,
    supplier: Annotated[
        str | None, typer.Option(help="Supplying region or group whose deliveries fall.")
    ] = None,
    industry: Annotated[
        list[str] | None, typer.Option(help="Only these industries of the supplier.")
    ] = None,
    fall: Annotated[str | None, typer.Option(help="How much supply falls: 0.5 or 50%.")] = None,
    to: Annotated[str, typer.Option(help="world (all buyers) or economy (its buyers only).")] = (
        "world"
    ),
    model: Annotated[str, typer.Option(help="extraction (exact) or ghosh (first order).")] = (
        "extraction"
    ),
    source: Source = "icio",
    year: Year = None,
    dataset: DatasetOpt = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
    data_dir: DataDir = None,
) -> None:
    """Output and value-added loss of the economy's industries when supply falls."""
    from ketenradar.modules.io.api import shock

    df = run_with_progress(
        "scenarios",
        shock,
        economy,
        scenario_file=scenario,
        supplier=supplier,
        fall=fall,
        to=to,
        industries=tuple(industry or ()),
        model_name=model,
        source=source,
        year=year,
        dataset=dataset,
        data_dir=_dir(data_dir),
        command=_command(ctx),
    )
    if fmt == "table":
        prov = df.attrs.get("provenance")
        df = df.sort_values(
            ["scenario", "output_loss_musd"], ascending=[True, False], kind="stable"
        ).reset_index(drop=True)
        df.attrs["provenance"] = prov
        for note in df.attrs["provenance"]["notes"]:
            if "capped at 100 %" in note:  # said whatever --provenance: it changes the figures
                err.print(f"[yellow]note:[/] {plain(note)}", highlight=False)
    # the most important first: the narrowest terminal keeps the first columns that fit
    cols = [
        *(["scenario"] if df["scenario"].nunique() > 1 else []),
        "industry",
        "output_loss_musd",
        "output_loss_share",
        *(["output_loss_capped"] if df["output_loss_capped"].any() else []),
        "va_loss_musd",
        "va_loss_share",
        "output_musd",
        "industry_name",
    ]
    title = "Supply shock" + (f": {df['scenario'].iat[0]}" if df["scenario"].nunique() == 1 else "")
    emit(
        df,
        fmt,
        output,
        sheet="shock",
        columns=cols,
        limit=limit,
        title=title,
        schema=SHOCK_COLUMNS,
    )


@io_app.command("balance")
@handle_errors
def io_balance(
    ctx: typer.Context,
    economy: Economy = "NLD",
    partner: Annotated[list[str] | None, typer.Option(help="Only these partners.")] = None,
    source: Source = "wiod",
    year: Year = None,
    basis: Basis = "auto",
    dataset: DatasetOpt = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
    data_dir: DataDir = None,
) -> None:
    """Mutual dependency in value added: the economy and each partner, both ways."""
    from ketenradar.modules.io.api import balance

    df = balance(
        economy,
        source=source,
        year=year,
        basis=basis,
        partners=partner,
        dataset=dataset,
        data_dir=_dir(data_dir),
        command=_command(ctx),
    )
    cols = [
        "partner",
        "importer_dependent_va_musd",
        "importer_dependent_share",
        "partner_dependent_va_musd",
        "partner_dependent_share",
        "balance_ratio_va",
        "balance_ratio_share",
    ]
    emit(
        df,
        fmt,
        output,
        sheet="balance",
        columns=cols,
        limit=limit,
        title=f"Value-added balance of {economy}",
        schema=columns_of("io_balance"),
    )


def quickstart(year: int, output: Path, data_dir: Path | None) -> None:
    """Load the OECD ICIO 2022 arrays (when present) and write NLD's exposure by country."""
    from ketenradar.core.config import shared_data_dir
    from ketenradar.datasets import open_store
    from ketenradar.interfaces.reports.writers import write_frame
    from ketenradar.modules.io.api import exposure

    store = open_store(_dir(data_dir))
    src = shared_data_dir() / "icio_oecd_2022"
    if not store.list(kind="io_table"):
        if not src.is_dir():
            out.print(f"[dim]no ICIO tables at {plain(src)}: skipping the input-output exposure[/]")
            return
        out.print(f"Loading the OECD ICIO 2022 table from {plain(src)} …")
        add_and_report("icio", [src], data_dir, None)
    tables = sorted(store.list(kind="io_table"), key=lambda d: d.manifest.source != "icio")
    for by in ("country", "source"):
        df = exposure("NLD", source=None, dataset=tables[0].name, by=by, data_dir=_dir(data_dir))
        path = output / f"io_exposure_NLD_{by}.csv"
        write_frame(df, "csv", path)
        out.print(f"wrote {plain(path)}")


def register(app: typer.Typer) -> None:
    """Add ``io`` to the root command."""
    app.add_typer(io_app, name="io")
