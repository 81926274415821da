"""``ketenradar industry …``: energy-intensive industry (issue 18): ``emissions`` (EU ETS
verified emissions per year or per installation), ``clusters`` (installations → the
industrial clusters, emissions per cluster), ``targets`` (emissions against targets) and
``costs`` (the speelveldtoets electricity cost stack of a consumer profile) and
``instruments`` (the subsidy instruments' published figures), ``kpis`` (the KPIs of
letter 003) and ``companies`` (the maatwerk companies followed individually)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ketenradar.core.errors import DataError, UsageError
from ketenradar.interfaces.cli.common import (
    DataDir,
    Fmt,
    Output,
    _command,
    _dir,
    emit,
    err,
    handle_errors,
    run_with_progress,
)
from ketenradar.modules.industry.facts import (
    ASSIGNMENT_COLUMN_NAMES,
    ASSIGNMENT_COLUMNS,
    CLUSTER_COLUMN_NAMES,
    CLUSTER_COLUMNS,
    COMPANY_COLUMN_NAMES,
    COMPANY_COLUMNS,
    COMPANY_SUMMARY_COLUMN_NAMES,
    COMPANY_SUMMARY_COLUMNS,
    COST_COLUMN_NAMES,
    COST_COLUMNS,
    EFFECT_COLUMN_NAMES,
    EFFECT_COLUMNS,
    FIGURE_COLUMN_NAMES,
    FIGURE_COLUMNS,
    GAP_COLUMN_NAMES,
    GAP_COLUMNS,
    GROUP_COLUMN_NAMES,
    GROUP_COLUMNS,
    INSTALLATION_COLUMN_NAMES,
    INSTALLATION_COLUMNS,
    KPI_COLUMN_NAMES,
    KPI_COLUMNS,
    KPI_SERIES_COLUMN_NAMES,
    KPI_SERIES_COLUMNS,
    OVERSUBSCRIPTION_COLUMN_NAMES,
    OVERSUBSCRIPTION_COLUMNS,
    TARGET_ASSESSMENT_COLUMN_NAMES,
    TARGET_ASSESSMENT_COLUMNS,
    TOTAL_COLUMN_NAMES,
    TOTAL_COLUMNS,
    TRAJECTORY_COLUMN_NAMES,
    TRAJECTORY_COLUMNS,
)

industry_app = typer.Typer(
    help="Energy-intensive industry: EU ETS verified emissions per year, installation and "
    "industrial cluster, and against targets; the electricity cost stack against the "
    "neighbours (speelveldtoets).",
    no_args_is_help=True,
)

BY = ("year", "installation", "sector", "holder")
#: The ``--dataset`` option of the commands that read the EU ETS data.
EtsDataset = Annotated[
    str | None,
    typer.Option(help="The ets_emissions dataset (default: the only one in the store)."),
]


@industry_app.command("emissions")
@handle_errors
def industry_emissions(
    ctx: typer.Context,
    by: Annotated[
        str,
        typer.Option(
            help="year (totals and number of installations), installation, sector (from the "
            "ETS activity) or holder (the EUTL account holder: the company)."
        ),
    ] = "year",
    country: Annotated[str, typer.Option(help="EU ETS registry (ISO alpha-2).")] = "NL",
    year: Annotated[int | None, typer.Option(help="Keep one year.")] = None,
    company: Annotated[
        str | None,
        typer.Option(
            help="Keep one company's installations: its KvK number (8 digits, the EUTL's "
            "CompanyRegistrationNo), e.g. 34040331 for Tata Steel IJmuiden."
        ),
    ] = None,
    dataset: EtsDataset = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
    data_dir: DataDir = None,
) -> None:
    """EU ETS verified emissions and number of installations per year (stationary
    installations; aircraft operators apart), or per installation, sector or holder and
    year, of the registry or of one company (`--company`); load the data with
    `ketenradar data add ets_eutl ../shared/data/ets_eutl`."""
    from ketenradar.modules.industry.api import emissions

    if by not in BY:
        raise UsageError(f"--by {by!r}: allowed {', '.join(BY)}", field="by")
    result = run_with_progress(
        "industry emissions",
        emissions,
        by=by,
        country=country,
        year=year,
        company=company,
        dataset=dataset,
        data_dir=_dir(data_dir),
        command=_command(ctx),
    )
    df = result.frame()
    if by == "year":
        cols, schema = TOTAL_COLUMN_NAMES, TOTAL_COLUMNS
        title = f"EU ETS verified emissions per year, {country.upper()} (t CO2e)"
        if company:
            title = f"EU ETS verified emissions per year of company (KvK) {company} (t CO2e)"
    elif by == "installation":
        cols, schema = INSTALLATION_COLUMN_NAMES, INSTALLATION_COLUMNS
        title = f"EU ETS verified emissions per installation, {country.upper()} (t CO2e)"
    else:
        cols, schema = GROUP_COLUMN_NAMES, GROUP_COLUMNS
        title = f"EU ETS verified emissions per {by}, {country.upper()} (t CO2e)"
    emit(df, fmt, output, sheet="emissions", columns=cols, limit=limit, title=title, schema=schema)


TABLES = ("clusters", "installations", "unassigned")


@industry_app.command("clusters")
@handle_errors
def industry_clusters(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option(help="Keep one year (table clusters).")] = None,
    table: Annotated[
        str,
        typer.Option(
            help="clusters (emissions per cluster and year), installations (every "
            "installation with its cluster and the basis) or unassigned (those not located)."
        ),
    ] = "clusters",
    clusters: Annotated[
        Path | None,
        typer.Option(
            "--clusters",
            help="A cluster file of one's own (YAML; default: the module's data/clusters.yaml).",
        ),
    ] = None,
    dataset: EtsDataset = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
    data_dir: DataDir = None,
) -> None:
    """Dutch ETS installations assigned to the five industrial clusters (Rotterdam-Moerdijk,
    Noordzeekanaalgebied, Noord-Nederland, Zeeland/West-Brabant, Chemelot) or cluster 6,
    and the verified emissions, installations and free allocation per cluster and year;
    installations that cannot be located are listed as unassigned with the reason. Needs the
    map data in $KETENRADAR_SHARED_DATA/geo/nl."""
    from ketenradar.modules.industry.api import clusters as run

    if table not in TABLES:
        raise UsageError(f"--table {table!r}: allowed {', '.join(TABLES)}", field="table")
    result = run_with_progress(
        "industry clusters",
        run,
        year=year,
        clusters_file=clusters,
        dataset=dataset,
        data_dir=_dir(data_dir),
        command=_command(ctx),
    )
    df = result.frame(table)
    if table == "clusters":
        cols, schema = CLUSTER_COLUMN_NAMES, CLUSTER_COLUMNS
        title = "EU ETS verified emissions per industrial cluster (t CO2e)"
    else:
        cols, schema = ASSIGNMENT_COLUMN_NAMES, ASSIGNMENT_COLUMNS
        title = (
            "ETS installations and their industrial cluster"
            if table == "installations"
            else "ETS installations that could not be located"
        )
    emit(df, fmt, output, sheet=table, columns=cols, limit=limit, title=title, schema=schema)


TARGET_TABLES = ("targets", "trajectory")


@industry_app.command("targets")
@handle_errors
def industry_targets(
    ctx: typer.Context,
    table: Annotated[
        str,
        typer.Option(
            help="targets (one row per target: pace, projection, gap, status) or trajectory "
            "(per year: actual emissions beside the path to the target)."
        ),
    ] = "targets",
    targets: Annotated[
        Path | None,
        typer.Option(
            "--targets",
            help="A targets file of one's own (YAML or JSON; default: the module's "
            "data/targets.yaml).",
        ),
    ] = None,
    target: Annotated[str | None, typer.Option(help="Keep one target (its id).")] = None,
    clusters: Annotated[
        Path | None,
        typer.Option(
            "--clusters",
            help="The cluster file, for targets whose scope names clusters (default: the "
            "module's data/clusters.yaml).",
        ),
    ] = None,
    dataset: EtsDataset = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
    data_dir: DataDir = None,
) -> None:
    """Dutch EU ETS emissions against targets (default: letter 003's 20 Mt less by 2030 and
    the EU ETS's 62 % less than 2005 by 2030): the achieved pace since the base year, the pace
    still required, the level projected for the target year, the gap and the status; every
    target with its source and the project's own choices in the provenance."""
    from ketenradar.modules.industry.api import targets as run

    if table not in TARGET_TABLES:
        raise UsageError(f"--table {table!r}: allowed {', '.join(TARGET_TABLES)}", field="table")
    result = run_with_progress(
        "industry targets",
        run,
        targets_file=targets,
        target=target,
        clusters_file=clusters,
        dataset=dataset,
        data_dir=_dir(data_dir),
        command=_command(ctx),
    )
    df = result.frame(table)
    if table == "targets":
        cols, schema = TARGET_ASSESSMENT_COLUMN_NAMES, TARGET_ASSESSMENT_COLUMNS
        title = "Dutch ETS emissions against targets (t CO2e; pace in t CO2e a year)"
    else:
        cols, schema = TRAJECTORY_COLUMN_NAMES, TRAJECTORY_COLUMNS
        title = "Dutch ETS emissions and the path to each target (t CO2e)"
    emit(df, fmt, output, sheet=table, columns=cols, limit=limit, title=title, schema=schema)


COST_TABLES = ("costs", "gaps", "scenario", "effect")


@industry_app.command("costs")
@handle_errors
def industry_costs(
    ctx: typer.Context,
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile",
            help="A consumer profile document (YAML or JSON); the options below override its "
            "fields.",
        ),
    ] = None,
    consumption_mwh: Annotated[
        float | None, typer.Option(help="Annual consumption, MWh (sets the Eurostat band).")
    ] = None,
    load_factor: Annotated[
        float | None, typer.Option(help="Load factor, 0-1 (full-load hours / 8,760).")
    ] = None,
    connection: Annotated[
        str | None,
        typer.Option(
            help="Connection level: transmission or distribution (for adjustments that "
            "depend on it)."
        ),
    ] = None,
    ikc: Annotated[
        bool | None,
        typer.Option(
            "--ikc/--no-ikc", help="Eligible for the indirect cost compensation (default no)."
        ),
    ] = None,
    eligible_share: Annotated[
        float | None, typer.Option(help="Share of the consumption that is eligible (0-1).")
    ] = None,
    co2_price: Annotated[
        float | None,
        typer.Option(help="CO2 price of the year before for the compensation, EUR/t."),
    ] = None,
    countries: Annotated[
        str | None, typer.Option(help="Countries, Eurostat codes (default NL,DE,FR,BE).")
    ] = None,
    first_year: Annotated[int | None, typer.Option("--from", help="First year (2019).")] = None,
    last_year: Annotated[int | None, typer.Option("--to", help="Last year (2025).")] = None,
    reference: Annotated[
        str | None, typer.Option(help="The country the gaps are measured from (NL).")
    ] = None,
    hold_prices_after: Annotated[
        int | None,
        typer.Option(
            help="Years after this one at its prices (a constant-price projection, e.g. "
            "for a scenario from 2026 on prices to 2025)."
        ),
    ] = None,
    table: Annotated[
        str,
        typer.Option(
            help="costs (the stack per country and year), gaps (the reference minus each "
            "neighbour, per component); with --scenario also scenario (the stack under it) "
            "or effect (the total without and with it)."
        ),
    ] = "costs",
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="A what-if document: the compensation extended to more sectors, a changed "
            "aid intensity, a support budget a year (YAML or JSON).",
        ),
    ] = None,
    ikc_file: Annotated[
        Path | None,
        typer.Option(
            "--ikc-file",
            help="Compensation parameters of one's own (default: the module's data/ikc.yaml).",
        ),
    ] = None,
    adjustments: Annotated[
        Path | None,
        typer.Option(
            "--adjustments",
            help="Cost components not in the open data (default: the module's empty "
            "data/cost_adjustments.yaml).",
        ),
    ] = None,
    prices_dataset: Annotated[
        str | None, typer.Option(help="The electricity_prices dataset (default: the only one).")
    ] = None,
    wholesale_dataset: Annotated[
        str | None, typer.Option(help="The wholesale_prices dataset (default: the only one).")
    ] = None,
    vintage: Annotated[
        str | None,
        typer.Option(
            help="The Eurostat prices of one file the dataset was built from (its name, as "
            "`data show` lists the inputs), instead of the newest release of each value."
        ),
    ] = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
    data_dir: DataDir = None,
) -> None:
    """The speelveldtoets: what a MWh costs a consumer profile in the Netherlands, Germany,
    France and Belgium per year (commodity, supply/network/other, taxes and levies,
    adjustments, indirect cost compensation) and the Dutch gap to each neighbour by
    component. Needs `data add eurostat_prices` and `data add ember`."""
    from ketenradar.core.safe_yaml import load_yaml
    from ketenradar.modules.industry.api import costs as run

    if table not in COST_TABLES:
        raise UsageError(f"--table {table!r}: allowed {', '.join(COST_TABLES)}", field="table")
    given = {
        "consumption_mwh": consumption_mwh,
        "load_factor": load_factor,
        "connection": connection,
        "ikc_eligible": ikc,
        "eligible_share": eligible_share,
        "co2_price_eur_t": co2_price,
        "countries": [c.strip().upper() for c in countries.split(",")] if countries else None,
        "first_year": first_year,
        "last_year": last_year,
        "reference": reference.strip().upper() if reference else None,
        "hold_prices_after": hold_prices_after,
    }
    given = {k: v for k, v in given.items() if v is not None}
    spec: Path | dict = {}
    if profile is not None and not given:
        spec = profile  # errors name the file and the field
    else:
        if profile is not None:
            doc = load_yaml(profile.read_text(encoding="utf-8"), file=profile)
            if not isinstance(doc, dict):
                raise DataError("a profile is a mapping of fields", file=str(profile))
            spec = dict(doc)
        spec |= given
        if "consumption_mwh" not in spec or "load_factor" not in spec:
            raise UsageError(
                "give --consumption-mwh and --load-factor (or a --profile file with them)",
                field="consumption_mwh",
            )
    result = run_with_progress(
        "industry costs",
        run,
        spec,
        scenario=scenario,
        ikc_file=ikc_file,
        adjustments_file=adjustments,
        prices_dataset=prices_dataset,
        wholesale_dataset=wholesale_dataset,
        vintage=vintage,
        data_dir=_dir(data_dir),
        command=_command(ctx),
    )
    if table in ("scenario", "effect") and scenario is None:
        raise UsageError(f"--table {table} needs --scenario FILE", field="table")
    df = result.frame({"effect": "scenario_effect"}.get(table, table))
    if table in ("costs", "scenario"):
        cols, schema = COST_COLUMN_NAMES, COST_COLUMNS
        title = "Electricity cost per MWh by component, per country and year (EUR/MWh)"
        if table == "scenario":
            title += ", under the scenario"
    elif table == "gaps":
        cols, schema = GAP_COLUMN_NAMES, GAP_COLUMNS
        title = "Reference country minus neighbour, per component (EUR/MWh)"
    else:
        cols, schema = EFFECT_COLUMN_NAMES, EFFECT_COLUMNS
        title = "Cost per MWh without and with the scenario (EUR/MWh)"
    html = None
    if table in ("costs", "scenario"):
        from ketenradar.modules.industry.report import costs_report as html
    emit(
        df,
        fmt,
        output,
        sheet=table,
        columns=cols,
        limit=limit,
        title=title,
        schema=schema,
        html=html,
    )


INSTRUMENT_TABLES = ("figures", "oversubscription")


@industry_app.command("instruments")
@handle_errors
def industry_instruments(
    ctx: typer.Context,
    table: Annotated[
        str,
        typer.Option(
            help="figures (budgets, requests, awards, reservations with their sources) or "
            "oversubscription (requested over budget per round)."
        ),
    ] = "figures",
    instruments: Annotated[
        Path | None,
        typer.Option(
            "--instruments",
            help="Rows of one's own (YAML, the layout of the module's data/instruments.yaml), "
            "added to the shipped ones.",
        ),
    ] = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
) -> None:
    """The subsidy instruments the letters name (NIKI, Flex-e, IKC-ETS, SDE++, VEKI, DEI+):
    every published budget, request, award and reservation with its source, and the
    oversubscription of a round."""
    from ketenradar.modules.industry.api import instruments as run

    if table not in INSTRUMENT_TABLES:
        raise UsageError(
            f"--table {table!r}: allowed {', '.join(INSTRUMENT_TABLES)}", field="table"
        )
    result = run(instruments_file=instruments, command=_command(ctx))
    df = result.frame(table)
    if table == "figures":
        cols, schema = FIGURE_COLUMN_NAMES, FIGURE_COLUMNS
        title = "Subsidy instruments: published figures (EUR, nominal)"
    else:
        cols, schema = OVERSUBSCRIPTION_COLUMN_NAMES, OVERSUBSCRIPTION_COLUMNS
        title = "Subsidy rounds: requested over budget"
    emit(df, fmt, output, sheet=table, columns=cols, limit=limit, title=title, schema=schema)


KPI_TABLES = ("kpis", "series")


@industry_app.command("kpis")
@handle_errors
def industry_kpis(
    ctx: typer.Context,
    table: Annotated[
        str, typer.Option(help="kpis (target beside the latest value) or series (per year).")
    ] = "kpis",
    kpis: Annotated[
        Path | None,
        typer.Option(
            "--kpis", help="A KPI file of one's own (default: the module's data/kpis.yaml)."
        ),
    ] = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
    data_dir: DataDir = None,
) -> None:
    """The industrial-policy KPIs of letter 003 (manufacturing's greenhouse-gas emissions
    against 20 Mt less, R&D at 3 % of GDP, industry at 10–15 % of GDP, half the primary abiotic
    raw materials): each target with its source beside the latest value of its series; "no
    data" with the command that loads it where the series is not in the store."""
    from ketenradar.modules.industry.api import kpis as run

    if table not in KPI_TABLES:
        raise UsageError(f"--table {table!r}: allowed {', '.join(KPI_TABLES)}", field="table")
    result = run(kpis_file=kpis, data_dir=_dir(data_dir), command=_command(ctx))
    df = result.frame(table)
    if table == "kpis":
        cols, schema = KPI_COLUMN_NAMES, KPI_COLUMNS
        title = "Industrial-policy KPIs of letter 003"
    else:
        cols, schema = KPI_SERIES_COLUMN_NAMES, KPI_SERIES_COLUMNS
        title = "The KPIs' series"
    emit(df, fmt, output, sheet=table, columns=cols, limit=limit, title=title, schema=schema)
    for note in result.provenance.notes:  # what is missing and how to load it
        err.print(f"note: {note}", highlight=False)


COMPANY_TABLES = ("emissions", "companies")


@industry_app.command("companies")
@handle_errors
def industry_companies(
    ctx: typer.Context,
    table: Annotated[
        str,
        typer.Option(
            help="emissions (per company and year) or companies (agreement, EUTL holders, "
            "installations found)."
        ),
    ] = "emissions",
    companies: Annotated[
        Path | None,
        typer.Option(
            "--companies",
            help="A companies file of one's own (default: the module's data/maatwerk.yaml).",
        ),
    ] = None,
    dataset: EtsDataset = None,
    fmt: Fmt = "table",
    output: Output = None,
    limit: int = 40,
    data_dir: DataDir = None,
) -> None:
    """The maatwerk companies of letter 002 (Tata Steel, Alco Energy Rotterdam, AnQore,
    Cosun, Nobian, Yara) followed individually: verified emissions, free allocation and
    installations per year of the EUTL holders counted as theirs; a company with no
    installation found is reported with the reason."""
    from ketenradar.modules.industry.api import companies as run

    if table not in COMPANY_TABLES:
        raise UsageError(f"--table {table!r}: allowed {', '.join(COMPANY_TABLES)}", field="table")
    result = run(
        companies_file=companies, dataset=dataset, data_dir=_dir(data_dir), command=_command(ctx)
    )
    df = result.frame(table)
    if table == "emissions":
        cols, schema = COMPANY_COLUMN_NAMES, COMPANY_COLUMNS
        title = "Maatwerk companies: verified emissions per year (t CO2e)"
    else:
        cols, schema = COMPANY_SUMMARY_COLUMN_NAMES, COMPANY_SUMMARY_COLUMNS
        title = "Maatwerk companies and their EUTL holders"
    emit(df, fmt, output, sheet=table, columns=cols, limit=limit, title=title, schema=schema)
    for note in result.provenance.notes:
        err.print(f"note: {note}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``industry`` to the root command."""
    app.add_typer(industry_app, name="industry")
