"""``ketenradar kansenkaart …``: the nuclear opportunity map (issue 17): ``demand``,
``requirements``, ``smr-fit``, ``match``, ``supplier-fit``, ``localisation`` and ``suppliers
import|export|demo`` (the supplier registry)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ketenradar.core.errors import UsageError
from ketenradar.core.modules import Column
from ketenradar.interfaces.cli.common import (
    Fmt,
    Output,
    _command,
    emit,
    err,
    handle_errors,
    out,
    plain,
    run_with_progress,
)
from ketenradar.modules.kansenkaart.facts import (
    ACCOUNT_COLUMNS,
    CERTIFICATE_COLUMNS,
    DEMAND_COLUMNS,
    REQUIREMENT_COLUMNS,
    SMR_FIT_COLUMNS,
    WORK_PACKAGE_REQUIREMENT_COLUMNS,
)

if TYPE_CHECKING:  # --help must not import pandas (tests/unit/test_cli_imports.py)
    import pandas as pd

kansenkaart_app = typer.Typer(
    help="Nuclear opportunity map: demand of a reactor programme per work package and year, "
    "requirements per work package, SMR energy fit, matching suppliers and localisation.",
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
        cols = ["unit", "work_package", "work_package_name", "year", "factory_equipment"]
        cols += ["site_labour"]
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


REQUIREMENT_TABLES = ("requirements", "work_packages", "certificates")


#: The design origin whose certificates matching asks (US: ASME III, NQA-1; FR: RCC-M; DE: KTA).
Origin = Annotated[
    str,
    typer.Option(
        help="Design origin whose certificates are asked: US (ASME III, NQA-1), FR (RCC-M) or "
        "DE (KTA); certificates of no origin are always asked."
    ),
]


@kansenkaart_app.command("requirements")
@handle_errors
def kansenkaart_requirements(
    ctx: typer.Context,
    work_package: Annotated[
        str | None, typer.Option(help="Only this work package (an id of the taxonomy).")
    ] = None,
    origin: Annotated[
        str | None,
        typer.Option(
            help="Only what is asked for a design of this origin: US, FR or DE (default: all)."
        ),
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option(help="Requirements per work package (YAML/JSON); default: the packaged."),
    ] = None,
    certificates: Annotated[
        Path | None,
        typer.Option(help="Certificates table (YAML/JSON); default: the packaged one."),
    ] = None,
    table: Annotated[
        str,
        typer.Option(
            help="requirements (work package × certificate), work_packages (safety class next "
            "to the NQA-1 share) or certificates (time and cost to obtain)."
        ),
    ] = "requirements",
    taxonomy: Annotated[
        Path | None,
        typer.Option(help="Work-package taxonomy (YAML/JSON); default: the packaged one."),
    ] = None,
    shared_data: Annotated[
        Path | None,
        typer.Option(
            help="Folder holding nuclear_costs/ for the NQA-1 flags (default: the setting)."
        ),
    ] = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 60,
) -> None:
    """Requirements per work package: safety class (the table's judgement next to the share
    of the cost in EEDB NQA-1 accounts), the codes, standards, qualifications and screenings
    asked, each with its source; and the certificates with typical time and cost to obtain."""
    from ketenradar.modules.kansenkaart.api import requirements

    if table not in REQUIREMENT_TABLES:
        raise UsageError(
            f"--table {table!r}: allowed {', '.join(REQUIREMENT_TABLES)}", field="table"
        )
    result = run_with_progress(
        "kansenkaart requirements",
        requirements,
        work_package=work_package,
        origin=origin,
        rules=rules,
        certificates=certificates,
        taxonomy=taxonomy,
        shared=shared_data,
        command=_command(ctx),
    )
    df = result.frame(table)
    if table == "requirements":
        cols = ["work_package_name", "safety_class", "certificate", "applies_to", "origins"]
        cols += ["basis"]
        schema = REQUIREMENT_COLUMNS
        title = "Codes, standards and qualifications asked per work package"
    elif table == "work_packages":
        cols = ["work_package", "work_package_name", "safety_class", "nqa1_share"]
        cols += ["flag_coverage", "certificates"]
        schema = WORK_PACKAGE_REQUIREMENT_COLUMNS
        title = "Safety class (requirements table) next to the NQA-1 share of the cost (EEDB)"
    else:
        cols = ["certificate", "kind", "issuing_body", "months_low", "months_high"]
        cols += ["cost_eur_low", "cost_eur_high", "figures"]
        schema = CERTIFICATE_COLUMNS
        title = "Certificates: time and cost to obtain ('project estimate': rough estimates)"
    emit(df, fmt, output, sheet=table, columns=cols, limit=limit, title=title, schema=schema)


@kansenkaart_app.command("smr-fit")
@handle_errors
def kansenkaart_smr_fit(
    ctx: typer.Context,
    demand: Annotated[
        Path,
        typer.Option(
            help="Heat demand (YAML/JSON): cluster, temperature_c, heat_mw or heat_pj_per_year."
        ),
    ],
    margin: Annotated[
        float,
        typer.Option(help="Outlet temperature minus this many K must reach the demand's."),
    ] = 30.0,
    designs: Annotated[
        Path | None,
        typer.Option(help="SMR design table (YAML/JSON); default: the packaged one."),
    ] = None,
    fits_only: Annotated[
        bool, typer.Option("--fits-only", help="Only the designs that fit.")
    ] = False,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 60,
) -> None:
    """Which SMR designs could serve which cluster heat demand at which temperature (outlet
    temperature minus a margin), and how many units each would need."""
    from ketenradar.modules.kansenkaart.api import smr_fit

    result = run_with_progress(
        "kansenkaart smr-fit",
        smr_fit,
        demand,
        margin=margin,
        designs=designs,
        command=_command(ctx),
    )
    df = result.frame("fit")
    if fits_only:
        keep = df["fits"].eq(True).to_numpy()
        sub = df[keep].reset_index(drop=True)
        sub.attrs = df.attrs
        df = sub
    cols = ["cluster", "temperature_c", "heat_mw", "design", "usable_c", "fits"]
    cols += ["units_needed", "thermal_mwt", "unverified"]
    title = f"SMR designs against the heat demand (margin {margin:g} K)"
    emit(
        df, fmt, output, sheet="fit", columns=cols, limit=limit, title=title, schema=SMR_FIT_COLUMNS
    )


MATCH_TABLES = ("matches", "work_packages", "regions")


def _as_of(value: str | None) -> Any:
    """The reference date of ``--as-of`` (YYYY-MM-DD), default today."""
    from datetime import date

    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--as-of {value!r}: give a date as YYYY-MM-DD", field="as_of") from None


@kansenkaart_app.command("match")
@handle_errors
def kansenkaart_match(
    ctx: typer.Context,
    work_package: Annotated[
        str | None, typer.Option(help="Only this work package (an id of the taxonomy).")
    ] = None,
    origin: Origin = "US",
    as_of: Annotated[
        str | None,
        typer.Option(help="Reference date of the certificates' validity (YYYY-MM-DD; today)."),
    ] = None,
    min_suppliers: Annotated[
        int, typer.Option(help="Fewer qualified suppliers now than this: a bottleneck.")
    ] = 2,
    table: Annotated[
        str,
        typer.Option(
            help="matches (work package × supplier), work_packages (counts, bottlenecks) or "
            "regions (suppliers per province or COROP region)."
        ),
    ] = "matches",
    level: Annotated[
        str, typer.Option(help="Regions of --table regions: province or corop.")
    ] = "province",
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 60,
) -> None:
    """Match the registry's suppliers to the work packages: who qualifies now (capability
    and every certificate asked, valid at the reference date), who would after closing gaps
    (the missing certificates with time and cost), the readiness level 1–4 and the
    bottlenecks."""
    from ketenradar.modules.kansenkaart import suppliers as sp
    from ketenradar.modules.kansenkaart.api import match
    from ketenradar.modules.kansenkaart.facts import (
        MATCH_COLUMNS,
        MATCH_SUMMARY_COLUMNS,
        REGION_COLUMNS,
    )

    if table not in MATCH_TABLES:
        raise UsageError(f"--table {table!r}: allowed {', '.join(MATCH_TABLES)}", field="table")
    result = match(
        _registry(),
        sp.Access.cli(),
        work_package=work_package,
        origin=origin,
        as_of=_as_of(as_of),
        min_suppliers=min_suppliers,
        level=level,
        command=_command(ctx),
    )
    if result.frame("matches").empty:
        err.print(
            "the supplier registry holds no suppliers with a capability or ambition to match "
            "(load some: ketenradar kansenkaart suppliers import|demo)",
            highlight=False,
        )
    df = result.frame(table)
    if table == "matches":
        cols = ["work_package", "supplier", "province", "status", "readiness", "basis"]
        cols += ["from_year", "missing", "gap_months_high", "gap_cost_eur_high"]
        schema = MATCH_COLUMNS
        title = "Suppliers per work package: qualified now or after closing gaps"
    elif table == "work_packages":
        cols = ["work_package", "work_package_name", "qualified_now", "after_gaps", "bottleneck"]
        schema = MATCH_SUMMARY_COLUMNS
        title = f"Qualified suppliers per work package (bottleneck: fewer than {min_suppliers})"
    else:
        cols = ["region_name", "suppliers", "candidates", "qualified_now", "after_gaps"]
        cols += ["best_readiness"]
        schema = REGION_COLUMNS
        title = f"Suppliers per {'province' if level == 'province' else 'COROP region'}"
    emit(df, fmt, output, sheet=table, columns=cols, limit=limit, title=title, schema=schema)


@kansenkaart_app.command("supplier-fit")
@handle_errors
def kansenkaart_supplier_fit(
    ctx: typer.Context,
    org_id: Annotated[int, typer.Argument(help="The supplier's id in the registry.")],
    origin: Origin = "US",
    as_of: Annotated[
        str | None,
        typer.Option(help="Reference date of the certificates' validity (YYYY-MM-DD; today)."),
    ] = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 60,
) -> None:
    """What one supplier could supply, from when, and what it lacks (the missing
    certificates with typical time and cost to obtain them)."""
    from ketenradar.modules.kansenkaart import suppliers as sp
    from ketenradar.modules.kansenkaart.api import supplier_fit
    from ketenradar.modules.kansenkaart.facts import SUPPLIER_FIT_COLUMNS

    result = supplier_fit(
        _registry(),
        sp.Access.cli(),
        org_id,
        origin=origin,
        as_of=_as_of(as_of),
        command=_command(ctx),
    )
    df = result.frame("fit")
    cols = ["work_package", "work_package_name", "status", "readiness", "earliest_year"]
    cols += ["missing", "gap_months_high", "gap_cost_eur_high"]
    title = f"What supplier {org_id} could supply, from when, and what it lacks"
    emit(
        df,
        fmt,
        output,
        sheet="fit",
        columns=cols,
        limit=limit,
        title=title,
        schema=SUPPLIER_FIT_COLUMNS,
    )


LOCALISATION_TABLES = ("shares", "accert")


@kansenkaart_app.command("localisation")
@handle_errors
def kansenkaart_localisation(
    ctx: typer.Context,
    scenario: Annotated[
        Path, typer.Option(help="Programme scenario (YAML/JSON): reactor units by design and size.")
    ],
    origin: Origin = "US",
    as_of: Annotated[
        str | None,
        typer.Option(help="Reference date of the certificates' validity (YYYY-MM-DD; today)."),
    ] = None,
    min_qualified: Annotated[
        int, typer.Option(help="Qualified suppliers a work package needs to count as local.")
    ] = 1,
    table: Annotated[
        str,
        typer.Option(help="shares (computed, targets, ACCERT) or accert (per country, package)."),
    ] = "shares",
    shared_data: Annotated[
        Path | None,
        typer.Option(help="Folder holding eedb/ and nuclear_costs/ (default: the setting)."),
    ] = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 60,
) -> None:
    """Localisation share of a programme: the share of its demand the registry's suppliers
    could deliver now and after closing gaps, next to published targets (NRG-Pallas,
    Dukovany, Poland, Hinkley Point C) and the ACCERT/IAT localisation assumptions."""
    from ketenradar.modules.kansenkaart import suppliers as sp
    from ketenradar.modules.kansenkaart.api import localisation
    from ketenradar.modules.kansenkaart.facts import (
        ACCERT_LOCALISATION_COLUMNS,
        LOCALISATION_COLUMNS,
    )

    if table not in LOCALISATION_TABLES:
        raise UsageError(
            f"--table {table!r}: allowed {', '.join(LOCALISATION_TABLES)}", field="table"
        )
    result = localisation(
        _registry(),
        sp.Access.cli(),
        scenario,
        origin=origin,
        as_of=_as_of(as_of),
        min_qualified=min_qualified,
        shared=shared_data,
        command=_command(ctx),
    )
    df = result.frame(table)
    if table == "shares":
        cols = ["kind", "label", "share", "share_high", "localisable_eur"]
        schema = LOCALISATION_COLUMNS
        title = "Localisation share: computed, published targets, ACCERT/IAT assumptions"
    else:
        cols = ["country", "work_package", "cost_share", "domestic_share"]
        schema = ACCERT_LOCALISATION_COLUMNS
        title = "ACCERT/IAT localisation assumptions (large reactor) per work package"
    emit(df, fmt, output, sheet=table, columns=cols, limit=limit, title=title, schema=schema)


suppliers_app = typer.Typer(
    help="The supplier registry (in the accounts database): import a regional agency's "
    "CSV/XLSX, export for matchmaking, load the fictional demo set.",
    no_args_is_help=True,
)
kansenkaart_app.add_typer(suppliers_app, name="suppliers")


def _registry() -> Any:
    """The accounts database's session factory, migrated to the latest revision."""
    from ketenradar.interfaces.cli.accounts import _db_url
    from ketenradar.registry import db

    return db.sessions(_db_url())


@suppliers_app.command("import")
@handle_errors
def suppliers_import(
    file: Annotated[Path, typer.Argument(help="The suppliers: a CSV or XLSX file.")],
    mapping: Annotated[
        Path,
        typer.Option(help="Column mapping (YAML/JSON): profile field → the file's column."),
    ],
    region: Annotated[
        str | None,
        typer.Option(help="The importing agency's province: every row must lie in it."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row, write nothing.")
    ] = False,
) -> None:
    """Import suppliers from a CSV or XLSX file with a column mapping. Every row is checked
    first; a bad row (its number, field and why) stops the import and nothing is written. A
    row whose KvK number is registered updates that supplier."""
    from ketenradar.modules.kansenkaart import suppliers as sp

    m = sp.load_mapping(mapping)
    report = sp.import_file(_registry(), sp.Access.cli(), file, m, region=region, dry_run=dry_run)
    verb = "would import" if dry_run else "imported"
    out.print(
        f"{verb} {report.rows} row(s) of {plain(file)}: {len(report.created)} supplier(s) "
        f"added, {len(report.updated)} updated",
        highlight=False,
    )


@suppliers_app.command("export")
@handle_errors
def suppliers_export(
    output: Annotated[Path, typer.Option(help="The file to write: .csv or .xlsx.")],
    work_package: Annotated[
        str | None,
        typer.Option(help="Only suppliers with this work package as capability or ambition."),
    ] = None,
    region: Annotated[str | None, typer.Option(help="Only suppliers in this province.")] = None,
    conditions: Annotated[
        bool,
        typer.Option("--conditions", help="Add the confidential conditions column."),
    ] = False,
) -> None:
    """Export the supplier registry for a matchmaking event (CSV or XLSX): profiles with the
    certificates held now (expired ones apart), without the confidential conditions unless
    asked."""
    from ketenradar.modules.kansenkaart import suppliers as sp
    from ketenradar.places.regions import province_name

    province = None
    if region is not None:
        province = province_name(region)
        if province is None:
            raise UsageError(f"'{region}' is no Dutch province", field="region")
    df = sp.export_frame(
        _registry(),
        sp.Access.cli(),
        work_package=work_package,
        province=province,
        conditions=conditions,
    )
    sp.write_export(df, output)
    out.print(f"wrote {plain(output)} ({len(df):,} suppliers)", highlight=False)


@suppliers_app.command("demo")
@handle_errors
def suppliers_demo(
    count: Annotated[int, typer.Option(help="How many fictional suppliers.")] = 40,
    remove: Annotated[bool, typer.Option("--remove", help="Only remove the demo set.")] = False,
) -> None:
    """Load a clearly labelled fictional demo set ("Demo Supplier 001 (fictitious)", …;
    generated, never real companies), replacing an earlier demo set."""
    from ketenradar.modules.kansenkaart import suppliers as sp

    gone, added = sp.load_demo(_registry(), sp.Access.cli(), count, remove=remove)
    out.print(f"demo suppliers: {gone} removed, {added} fictional ones added", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``kansenkaart`` to the root command."""
    app.add_typer(kansenkaart_app, name="kansenkaart")
