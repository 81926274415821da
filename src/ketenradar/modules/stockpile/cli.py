"""``ketenradar stockpile …``: the strategic stockpile planner (issue 16)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ketenradar.core.errors import DataError, UsageError
from ketenradar.interfaces.cli.common import (
    DataDir,
    Fmt,
    Output,
    _command,
    _dir,
    emit,
    handle_errors,
    run_with_progress,
)
from ketenradar.modules.stockpile.facts import PLAN_COLUMNS

stockpile_app = typer.Typer(
    help="Strategic stockpile planner: which items to stock, how much, in which form, at "
    "what cost.",
    no_args_is_help=True,
)


def _items(items: str | None, crm: bool, bom: str | None = None) -> list[str]:
    from ketenradar.modules.stockpile.api import crm_2023_items

    if items and crm:
        raise UsageError("give --items or --crm, not both", field="items")
    if bom is not None and not items and not crm:
        return []  # the BOM's materials and components are the items
    if items:
        wanted = [i.strip() for i in items.split(",") if i.strip()]
        if not wanted:
            raise UsageError("--items lists no item (e.g. --items cobalt,gallium)", field="items")
        return wanted
    return crm_2023_items()


def _inputs(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    from ketenradar.core.safe_yaml import load_yaml

    doc = load_yaml(path.read_text(encoding="utf-8"), file=str(path), kind="YAML/JSON")
    if not isinstance(doc, dict):
        raise DataError(
            f"{path}: the inputs file maps items to their inputs "
            "(e.g. 'cobalt: {commercial_stock_days: 30}')",
            field="inputs",
            file=str(path),
        )
    return doc


Items = Annotated[
    str | None, typer.Option(help="Items, comma-separated: material names or HS6 codes.")
]
Crm = Annotated[
    bool,
    typer.Option(
        "--crm", help="The EU's 2023 critical raw materials (the default without --items)."
    ),
]
Bom = Annotated[
    str | None,
    typer.Option(
        help="A bill of materials: a packaged BOM's name (naval_aesa_radar) or a BOM file; "
        "its materials and components become the items."
    ),
]
UnitsPerYear = Annotated[
    float | None, typer.Option(help="Units of the BOM's product made a year (with --bom).")
]
Importer = Annotated[
    str, typer.Option(help="Importer: an ISO3 code (NLD), a group (EU27) or 'DEU,FRA'.")
]
ScenarioOpt = Annotated[
    Path | None,
    typer.Option(help="Disruption scenario (YAML/JSON); default: each top supplier halts."),
]
ServiceLevel = Annotated[
    float, typer.Option(help="Share of simulated paths the stock must serve fully.")
]
Paths = Annotated[int, typer.Option(help="Simulated paths.")]
Months = Annotated[int, typer.Option(help="Horizon in months.")]
Seed = Annotated[int, typer.Option(help="Random seed (recorded in the provenance).")]
Year = Annotated[int | None, typer.Option(help="Year of the data (default: the latest loaded).")]
InputsOpt = Annotated[
    Path | None,
    typer.Option(help="Item inputs (YAML/JSON): item → commercial_stock_days, prices, …"),
]


@stockpile_app.command("plan")
@handle_errors
def stockpile_plan(
    ctx: typer.Context,
    importer: Annotated[
        str, typer.Option(help="Importer: an ISO3 code (NLD), a group (EU27) or 'DEU,FRA'.")
    ] = "NLD",
    items: Annotated[
        str | None,
        typer.Option(help="Items, comma-separated: material names or HS6 codes."),
    ] = None,
    crm: Annotated[
        bool,
        typer.Option(
            "--crm", help="The EU's 2023 critical raw materials (the default without --items)."
        ),
    ] = False,
    scenario: Annotated[
        Path | None,
        typer.Option(help="Disruption scenario (YAML/JSON); default: each top supplier halts."),
    ] = None,
    service_level: Annotated[
        float, typer.Option(help="Share of simulated paths the stock must serve fully.")
    ] = 0.95,
    paths: Annotated[int, typer.Option(help="Simulated paths.")] = 20_000,
    months: Annotated[int, typer.Option(help="Horizon in months.")] = 120,
    seed: Annotated[int, typer.Option(help="Random seed (recorded in the provenance).")] = 2026,
    year: Annotated[
        int | None, typer.Option(help="Year of the data (default: the latest loaded).")
    ] = None,
    shortage_cost: Annotated[
        float | None,
        typer.Option(help="Shortage cost, EUR per tonne short: adds the cost-optimal stock."),
    ] = None,
    inputs: Annotated[
        Path | None,
        typer.Option(help="Item inputs (YAML/JSON): item → commercial_stock_days, prices, …"),
    ] = None,
    form_rules: Annotated[
        Path | None,
        typer.Option(help="Form rule table (YAML/JSON); default: the packaged one."),
    ] = None,
    bom: Bom = None,
    units_per_year: UnitsPerYear = None,
    system_value: Annotated[
        float | None,
        typer.Option(
            help="Value of one unit of the BOM's product, EUR (with --bom): the shortage cost "
            "of each item, for the cost-optimal stock."
        ),
    ] = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
    data_dir: DataDir = None,
) -> None:
    """The stock plan: per item the strategic stock for a service level under a disruption
    scenario, in tonnes, days of cover and euros, and its form."""
    from ketenradar.modules.stockpile.api import plan

    wanted = _items(items, crm, bom)
    user_inputs = _inputs(inputs)
    result = run_with_progress(
        "stockpile plan",
        plan,
        wanted,
        importer,
        year,
        scenario=scenario,
        service_level=service_level,
        paths=paths,
        months=months,
        seed=seed,
        shortage_cost_eur_per_t=shortage_cost,
        data_dir=_dir(data_dir),
        inputs=user_inputs,
        form_rules=form_rules,
        bom=bom,
        units_per_year=units_per_year,
        system_value_eur=system_value,
        command=_command(ctx),
    )
    df = result.frame("plan")
    if fmt == "table":
        prov = df.attrs["provenance"]
        df = df.sort_values(
            ["days_of_cover", "item"], ascending=[False, True], na_position="last"
        ).reset_index(drop=True)
        df.attrs["provenance"] = prov
    cols = [
        "item",
        "stock_t",
        "days_of_cover",
        "build_cost_eur",
        "holding_cost_eur_per_year",
        "top_supplier",
        "top_supplier_share",
        "import_reliance",
        "annual_demand_t",
        "expected_unserved_t_without",
        "expected_unserved_t_with",
        *(["newsvendor_stock_t"] if shortage_cost is not None or system_value else []),
        "anchor_komir_100d_t",
        "form",
    ]
    emit(
        df,
        fmt,
        output,
        sheet="plan",
        columns=cols,
        limit=limit,
        title=f"Stock plan for {importer} (service level {service_level:g})",
        schema=PLAN_COLUMNS,
    )


def _per_item(text: str | None, option: str, field: str) -> float | dict[str, float] | None:
    """One number (``60``) or per item (``cobalt=60,gallium=90``) from an option's text."""
    if text is None:
        return None
    text = text.strip()
    try:
        if "=" not in text:
            return float(text)
        out: dict[str, float] = {}
        for part in text.split(","):
            if not part.strip():
                continue
            key, _, value = part.partition("=")
            out[key.strip()] = float(value)
        return out
    except ValueError:
        raise UsageError(
            f"{option} {text!r}: give one number (60) or item=number pairs (cobalt=60,gallium=90)",
            field=field,
        ) from None


def _table(table: str, tables: tuple[str, ...]) -> str:
    if table not in tables:
        raise UsageError(f"--table {table!r}: allowed: {', '.join(tables)}", field="table")
    return table


def _write(
    result: Any,
    table: str,
    tables: tuple[str, ...],
    fmt: str,
    output: Path | None,
    shown: dict[str, list[str]] | None = None,
    **kwargs: Any,
) -> None:
    """Print or write ``table`` of ``result`` (XLSX: every table, one sheet each); ``shown``:
    the columns the terminal shows per table (default: all)."""
    _table(table, tables)
    if fmt == "xlsx":
        from ketenradar.interfaces.cli.common import out, plain
        from ketenradar.interfaces.reports.writers import write_frame

        write_frame(result, "xlsx", output)
        out.print(f"wrote {plain(output)} (tables {', '.join(tables)})", highlight=False)
        return
    df = result.frame(table)
    columns = (shown or {}).get(table, [str(c) for c in df.columns])
    emit(df, fmt, output, sheet=table, columns=columns, schema=result.columns[table], **kwargs)


_TABLE_HELP = "The table to print or write (xlsx: every table, one sheet each): "


@stockpile_app.command("simulate")
@handle_errors
def stockpile_simulate(
    ctx: typer.Context,
    importer: Importer = "NLD",
    items: Items = None,
    crm: Crm = False,
    bom: Bom = None,
    units_per_year: UnitsPerYear = None,
    scenario: ScenarioOpt = None,
    service_level: ServiceLevel = 0.95,
    stock_days: Annotated[
        str | None,
        typer.Option(
            help="Strategic stock to simulate, days of demand on top of the commercial stock: "
            "one number (60) or per item (cobalt=60,gallium=90); default: the plan's stock "
            "for --service-level."
        ),
    ] = None,
    paths: Paths = 20_000,
    months: Months = 120,
    seed: Seed = 2026,
    year: Year = None,
    inputs: InputsOpt = None,
    table: Annotated[
        str, typer.Option(help=_TABLE_HELP + "summary, fan or service_curve.")
    ] = "summary",
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
    data_dir: DataDir = None,
) -> None:
    """One simulation with and without the stocks: per item expected unserved demand and
    chances, the fan chart per month and the stock each service level asks for."""
    from ketenradar.modules.stockpile.api import simulate

    _table(table, ("summary", "fan", "service_curve"))
    wanted = _items(items, crm, bom)
    result = run_with_progress(
        "stockpile simulate",
        simulate,
        wanted,
        importer,
        year,
        scenario=scenario,
        service_level=service_level,
        paths=paths,
        months=months,
        seed=seed,
        stock_days=_per_item(stock_days, "--stock-days", "stock_days"),
        bom=bom,
        units_per_year=units_per_year,
        data_dir=_dir(data_dir),
        inputs=_inputs(inputs),
        command=_command(ctx),
    )
    shown = {
        "summary": [
            "item",
            "stock_t",
            "days_of_cover",
            "expected_unserved_t_without",
            "expected_unserved_t_with",
            "p_shortfall",
            "p_unserved_with",
            "p_stock_emptied",
            "median_days_to_empty",
            "note",
        ],
    }
    _write(
        result,
        table,
        ("summary", "fan", "service_curve"),
        fmt,
        output,
        shown,
        limit=limit,
        title=f"Simulation for {importer} ({paths:,} paths, {months} months, seed {seed})",
    )


@stockpile_app.command("portfolio")
@handle_errors
def stockpile_portfolio(
    ctx: typer.Context,
    budget: Annotated[float, typer.Option(help="Budget to build the stocks, EUR.")],
    shortage_cost: Annotated[
        str | None,
        typer.Option(
            help="Shortage cost, EUR per tonne short (required): one number (50000) or per "
            "item (cobalt=50000,gallium=200000)."
        ),
    ] = None,
    importer: Importer = "NLD",
    items: Items = None,
    crm: Crm = False,
    bom: Bom = None,
    units_per_year: UnitsPerYear = None,
    scenario: ScenarioOpt = None,
    paths: Paths = 20_000,
    months: Months = 120,
    seed: Seed = 2026,
    year: Year = None,
    inputs: InputsOpt = None,
    table: Annotated[str, typer.Option(help=_TABLE_HELP + "portfolio or totals.")] = "portfolio",
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
    data_dir: DataDir = None,
) -> None:
    """The stocks a budget buys across the items: the greedy choice (best expected saving
    per euro first) beside the exact optimum, with costs before and after."""
    from ketenradar.modules.stockpile.api import portfolio

    _table(table, ("portfolio", "totals"))
    wanted = _items(items, crm, bom)
    result = run_with_progress(
        "stockpile portfolio",
        portfolio,
        wanted,
        importer,
        year,
        budget_eur=budget,
        shortage_cost_eur_per_t=_per_item(
            shortage_cost, "--shortage-cost", "shortage_cost_eur_per_t"
        ),
        scenario=scenario,
        paths=paths,
        months=months,
        seed=seed,
        bom=bom,
        units_per_year=units_per_year,
        data_dir=_dir(data_dir),
        inputs=_inputs(inputs),
        command=_command(ctx),
    )
    shown = {
        "portfolio": [
            "item",
            "stock_t",
            "days_of_cover",
            "build_cost_eur",
            "optimal_stock_t",
            "expected_unserved_t_without",
            "expected_unserved_t_with",
            "shortage_cost_eur_without",
            "shortage_cost_eur_with",
            "note",
        ],
        "totals": [
            "budget_eur",
            "build_cost_eur",
            "budget_left_eur",
            "items_stocked",
            "reduction_eur",
            "optimal_reduction_eur",
            "gap_eur",
            "gap_bound_eur",
        ],
    }
    _write(
        result,
        table,
        ("portfolio", "totals"),
        fmt,
        output,
        shown,
        limit=limit,
        title=f"Portfolio for {importer} within {budget:,.0f} EUR",
    )


@stockpile_app.command("pool")
@handle_errors
def stockpile_pool(
    ctx: typer.Context,
    members: Annotated[
        str,
        typer.Option(
            help="Members of the joint stock: ISO3 codes (NLD,DEU,FRA) or a group (EU27)."
        ),
    ],
    items: Annotated[
        str, typer.Option(help="Items, comma-separated: material names or HS6 codes.")
    ],
    scenario: Annotated[
        Path | None,
        typer.Option(
            help="Disruption scenario (YAML/JSON); default: per item each member's top "
            "supplier halts."
        ),
    ] = None,
    service_level: ServiceLevel = 0.95,
    paths: Paths = 20_000,
    months: Months = 120,
    seed: Seed = 2026,
    year: Year = None,
    inputs: InputsOpt = None,
    table: Annotated[
        str, typer.Option(help=_TABLE_HELP + "gain, pool or correlation_curve.")
    ] = "gain",
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
    data_dir: DataDir = None,
) -> None:
    """What a joint stock saves: per item the members' national stocks for the service
    level, the joint stock and the gain, and how the gain depends on correlation."""
    from ketenradar.modules.stockpile.api import pool

    _table(table, ("gain", "pool", "correlation_curve"))
    wanted = _items(items, False)
    result = run_with_progress(
        "stockpile pool",
        pool,
        wanted,
        members,
        year,
        scenario=scenario,
        service_level=service_level,
        paths=paths,
        months=months,
        seed=seed,
        data_dir=_dir(data_dir),
        inputs=_inputs(inputs),
        command=_command(ctx),
    )
    _write(
        result,
        table,
        ("gain", "pool", "correlation_curve"),
        fmt,
        output,
        limit=limit,
        title=f"Joint stock of {members} (service level {service_level:g})",
    )


def register(app: typer.Typer) -> None:
    """Add ``stockpile`` to the root command."""
    app.add_typer(stockpile_app, name="stockpile")
