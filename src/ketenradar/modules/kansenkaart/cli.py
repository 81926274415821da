"""``ketenradar kansenkaart …``: the nuclear opportunity map (issue 17): ``demand``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from ketenradar.core.errors import UsageError
from ketenradar.core.modules import Column
from ketenradar.interfaces.cli.common import (
    Fmt,
    Output,
    _command,
    emit,
    handle_errors,
    run_with_progress,
)
from ketenradar.modules.kansenkaart.facts import ACCOUNT_COLUMNS, DEMAND_COLUMNS

kansenkaart_app = typer.Typer(
    help="Nuclear opportunity map: demand of a reactor programme per work package and year.",
    no_args_is_help=True,
)

TABLES = ("demand", "accounts")


@kansenkaart_app.command("demand")
@handle_errors
def kansenkaart_demand(
    ctx: typer.Context,
    scenario: Annotated[
        Path, typer.Option(help="Programme scenario (YAML/JSON): reactor units by design and size.")
    ],
    currency: Annotated[
        str,
        typer.Option(help="source: the source table's USD and price year; EUR: euros."),
    ] = "EUR",
    price_year: Annotated[
        int | None,
        typer.Option(help="Price year (EUR default: the latest of the factor table)."),
    ] = None,
    table: Annotated[
        str, typer.Option(help="demand (work package × year) or accounts (source accounts).")
    ] = "demand",
    taxonomy: Annotated[
        Path | None,
        typer.Option(help="Work-package taxonomy (YAML/JSON); default: the packaged one."),
    ] = None,
    shared_data: Annotated[
        Path | None,
        typer.Option(help="Folder holding eedb/ and nuclear_costs/ (default: the setting)."),
    ] = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
) -> None:
    """Demand of a reactor programme per unit, work package and year (cost elements and site
    labour hours), from the reference designs' cost accounts."""
    from ketenradar.modules.kansenkaart.api import demand

    if currency not in ("source", "EUR"):
        raise UsageError(f"--currency {currency!r}: allowed source, EUR", field="currency")
    if table not in TABLES:
        raise UsageError(f"--table {table!r}: allowed {', '.join(TABLES)}", field="table")
    result = run_with_progress(
        "kansenkaart demand",
        demand,
        scenario,
        currency=currency,
        price_year=price_year,
        taxonomy=taxonomy,
        shared=shared_data,
        command=_command(ctx),
    )
    df = result.frame(table)
    if table == "demand":
        cols = ["unit", "work_package", "year", "factory_equipment", "site_labour"]
        cols += ["site_material", "unallocated", "total", "site_labour_hours", "currency"]
        schema = DEMAND_COLUMNS
        title = f"Demand per work package and year ({df['currency'].iat[0]})"
    else:
        cols = ["unit", "account", "level", "description", "work_package", "source_total"]
        cols += ["total", "site_labour_hours", "currency"]
        schema = ACCOUNT_COLUMNS
        title = "Cost accounts per unit, next to the source table"
    if fmt == "table":  # the terminal: millions, with digit grouping
        df, schema, title = _in_millions(df, schema, title)
    emit(df, fmt, output, sheet=table, columns=cols, limit=limit, title=title, schema=schema)


_MONEY = ("factory_equipment", "site_labour", "site_material", "unallocated", "total")


def _in_millions(
    df: pd.DataFrame, schema: tuple[Column, ...], title: str
) -> tuple[pd.DataFrame, tuple[Column, ...], str]:
    """Money columns in millions of the result's currency (MEUR, MUSD) for the terminal."""
    currency = str(df["currency"].iat[0]) if len(df) else ""
    unit = "MEUR" if currency.startswith("EUR") else "MUSD"
    out = df.copy()
    out.attrs = df.attrs
    money = [c for c in (*_MONEY, "source_total") if c in out]
    out[money] = out[money] / 1e6
    cols = tuple(
        replace(c, unit=unit, description=c.description + " (millions)") if c.name in money else c
        for c in schema
    )
    return out, cols, title + ", millions"


def register(app: typer.Typer) -> None:
    """Add ``kansenkaart`` to the root command."""
    app.add_typer(kansenkaart_app, name="kansenkaart")
