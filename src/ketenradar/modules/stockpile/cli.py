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


def _items(items: str | None, crm: bool) -> list[str]:
    from ketenradar.modules.stockpile.api import crm_2023_items

    if items and crm:
        raise UsageError("give --items or --crm, not both", field="items")
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
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
    data_dir: DataDir = None,
) -> None:
    """The stock plan: per item the strategic stock for a service level under a disruption
    scenario, in tonnes, days of cover and euros, and its form."""
    from ketenradar.modules.stockpile.api import plan

    wanted = _items(items, crm)
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
        *(["newsvendor_stock_t"] if shortage_cost is not None else []),
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


def register(app: typer.Typer) -> None:
    """Add ``stockpile`` to the root command."""
    app.add_typer(stockpile_app, name="stockpile")
