"""The trade module's commands: ``ketenradar screen`` and ``ketenradar balance``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from ketenradar.core.modules import columns as columns_of
from ketenradar.interfaces.cli.common import (
    FORMAT_HELP,
    DataDir,
    EngineName,
    _command,
    _dir,
    _print_provenance,
    add_and_report,
    emit,
    handle_errors,
    out,
    plain,
    provenance_stream,
)


def quickstart(year: int, output: Path, data_dir: Path | None) -> None:
    """Load BACI raw-material trade (if not loaded), screen NLD and the EU27 in ``year`` and
    write the HTML reports and CSV files to ``output``."""
    from ketenradar.core.config import shared_data_dir
    from ketenradar.core.errors import NotFoundError
    from ketenradar.datasets import open_store
    from ketenradar.modules.trade import api

    store = open_store(_dir(data_dir))
    have = [
        d
        for d in store.list(kind="trade_flows")
        if str(year) in d.manifest.tables["trade"]["years"]
    ]
    if not have:
        src = shared_data_dir() / "baci_raw_materials_hs92"
        if not src.is_dir():
            raise NotFoundError(
                f"no trade data loaded and no BACI files at {src}. Download a release with "
                "`ketenradar data fetch baci --release V202401b --hs HS92`, or set "
                "KETENRADAR_SHARED_DATA to a folder holding baci_raw_materials_hs92/."
            )
        out.print(f"Loading BACI raw-material trade from {plain(src)} …")
        add_and_report("baci", [src], data_dir, None)
        have = [
            d
            for d in store.list(kind="trade_flows")
            if str(year) in d.manifest.tables["trade"]["years"]
        ]
    ds = have[0].name
    for imp in ("NLD", "EU27"):
        df = api.screen(imp, year, dataset=ds, data_dir=_dir(data_dir))
        # the counts are of every product imported; the rows shown, the dependent ones (EU 2021)
        path = output / f"screen_{imp}_{year}.html"
        # quickstart has no --format or --limit: every row is in the CSV file it writes
        _print_screen(df, 15, only_dependent=True, more=str(path.with_suffix(".csv")))
        api.screening_report(df, path, data_dir=_dir(data_dir), dataset=ds)
        from ketenradar.interfaces.reports.writers import write_frame

        write_frame(df, "csv", output / f"screen_{imp}_{year}.csv")
        out.print(f"wrote {plain(path)} and {plain(path.with_suffix('.csv'))}")


def register(app: typer.Typer) -> None:
    """Add ``screen`` and ``balance`` to the root command."""
    app.command()(screen)
    app.command()(balance)


def _thresholds(
    hhi: float,
    ext: float,
    ratio: float,
    world: float,
    years: int,
    transit: float,
    min_kusd: float | None = None,
    min_share: float | None = None,
):
    from ketenradar.modules.trade.api import default_thresholds

    base = default_thresholds()
    return replace(
        base,
        supplier_hhi=hhi,
        external_share=ext,
        import_export_ratio=ratio,
        world_export_hhi=world,
        geodep_min_years=years,
        transit_ratio=transit,
        min_dependency_kusd=base.min_dependency_kusd if min_kusd is None else min_kusd,
        min_dependency_share=base.min_dependency_share if min_share is None else min_share,
    )


def _materiality(min_kusd: float | None, min_share: float | None):
    """The default thresholds with the materiality minimums given on the command line."""
    from ketenradar.modules.trade.analysis.dependencies import DEFAULT_THRESHOLDS as D

    th = [D.supplier_hhi, D.external_share, D.import_export_ratio, D.world_export_hhi]
    return _thresholds(*th, D.geodep_min_years, D.transit_ratio, min_kusd, min_share)


MinKusd = Annotated[
    float | None,
    typer.Option(
        min=0,
        help="Materiality: imports from the top external supplier at least this value "
        "(thousand USD) before a product counts as dependent (default "
        "KETENRADAR_MIN_DEPENDENCY_KUSD, 100; 0: as published).",
    ),
]
MinShare = Annotated[
    float | None,
    typer.Option(
        min=0,
        max=1,
        help="Materiality: ... and at least this share of all imports of the product (default "
        "KETENRADAR_MIN_DEPENDENCY_SHARE, 0.05; 0: as published).",
    ),
]


@handle_errors
def screen(
    ctx: typer.Context,
    importer: Annotated[
        str, typer.Option(help="ISO3 code, group (EU27, G7, …), 'DEU,FRA' or 'all'.")
    ] = "NLD",
    year: Annotated[int | None, typer.Option(help="Year (default: latest loaded).")] = None,
    reference_bloc: Annotated[
        str | None,
        typer.Option(help="Reference bloc R (default: EU27 for EU members, else the importer)."),
    ] = None,
    share_from: Annotated[
        str | None, typer.Option(help="Add the import share from this country or group.")
    ] = None,
    dataset: Annotated[str | None, typer.Option(help="Trade dataset to use.")] = None,
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "table",
    output: Annotated[Path | None, typer.Option(help="Output file.")] = None,
    only_dependent: Annotated[
        bool, typer.Option(help="Keep only products flagged by either method.")
    ] = False,
    limit: Annotated[int, typer.Option(help="Rows shown in the terminal table.")] = 25,
    supplier_hhi: Annotated[float, typer.Option(help="Threshold on supplier HHI.")] = 0.4,
    external_share: Annotated[float, typer.Option(help="Threshold on external share.")] = 0.5,
    import_export_ratio: Annotated[float, typer.Option(help="Threshold on the ratio.")] = 1.0,
    world_export_hhi: Annotated[float, typer.Option(help="GeoDep world HHI threshold.")] = 0.4,
    geodep_min_years: Annotated[int, typer.Option(help="GeoDep: years out of 3.")] = 2,
    transit_ratio: Annotated[
        float, typer.Option(help="Transit flag when exports ≥ this share of imports.")
    ] = 0.9,
    min_dependency_kusd: MinKusd = None,
    min_dependency_share: MinShare = None,
    engine: EngineName = "duckdb",
    data_dir: DataDir = None,
) -> None:
    """Screen strategic import dependencies per HS6 product (EU 2021 and CEPII GeoDep)."""
    from ketenradar.core.errors import UsageError
    from ketenradar.interfaces.reports.writers import FORMATS
    from ketenradar.modules.trade import api

    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}' (use one of {', '.join(FORMATS)})")
    th = _thresholds(
        supplier_hhi,
        external_share,
        import_export_ratio,
        world_export_hhi,
        geodep_min_years,
        transit_ratio,
        min_dependency_kusd,
        min_dependency_share,
    )
    df = api.screen(
        importer,
        year,
        reference_bloc=reference_bloc,
        dataset=dataset,
        data_dir=_dir(data_dir),
        thresholds=th,
        share_from=share_from,
        command=_command(ctx),
        engine=engine,
    )
    if only_dependent:
        prov = df.attrs["provenance"]
        df = df[df["dependent_eu2021"] | df["dependent_geodep"].fillna(False)].reset_index(
            drop=True
        )
        df.attrs["provenance"] = prov
    if fmt == "table":
        _print_screen(df, limit)
        return

    def report(frame: Any, path: Path) -> None:
        api.screening_report(frame, path, data_dir=_dir(data_dir), dataset=dataset)

    emit(
        df,
        fmt,
        output,
        sheet="screening",
        columns=[],
        html=report,
        schema=columns_of("screening"),
    )


#: The screening's columns in the terminal, the most important first: what is left out at
#: the terminal's width is named under the table (``emit``).
SCREEN_COLUMNS = [
    "product",
    "product_description",
    "external_imports_kusd",
    "dependent_eu2021",
    "dependent_geodep",
    "top_supplier",
    "top_supplier_share",
    "external_share",
    "supplier_hhi",
    "import_export_ratio",
    "world_export_hhi",
    "dependent_geodep_country",
]
#: A product description longer than this is shortened in the terminal (every file has it all).
DESCRIPTION_CHARS = 36


def _short(text: Any, chars: int = DESCRIPTION_CHARS) -> str:
    """``text`` cut at a word to at most ``chars`` characters, with "…" when it was cut."""
    text = "" if text is None else str(text)
    if len(text) <= chars:
        return text
    cut = text[: chars - 1].rsplit(" ", 1)[0].rstrip(" ,;(")
    return (cut or text[: chars - 1]) + "…"


def _print_screen(df, limit: int, *, only_dependent: bool = False, more: str | None = None) -> None:
    """Print the screening table fitted to the terminal; the line under it counts every row
    of ``df`` (the products imported), ``only_dependent`` shows the EU 2021 dependent rows
    only; ``more``: where the rows and columns left out are (see ``emit``)."""
    prov = df.attrs.get("provenance", {})
    params = prov.get("parameters", {})
    n_eu = int(df["dependent_eu2021"].sum())
    geo = df["dependent_geodep"]
    na = "n/a (needs Y-2..Y)"
    n_geo = na if geo.isna().all() else str(int(geo.fillna(False).sum()))
    own = df.get("dependent_geodep_country", geo)
    n_own = na if own.isna().all() else str(int(own.fillna(False).sum()))
    rows = df[df["dependent_eu2021"]] if only_dependent else df
    rows = rows.assign(product_description=rows["product_description"].map(_short))
    rows.attrs = {"provenance": prov} if prov else {}
    several = rows["importer"].nunique() > 1
    cols = (["importer"] if several else []) + SCREEN_COLUMNS
    name = params.get("importer") or ("" if several or rows.empty else rows["importer"].iloc[0])
    who = f" of {name}" if name else ""
    emit(
        rows,
        "table",
        None,
        sheet="screening",
        columns=[c for c in cols if c in rows],
        limit=limit,
        title=f"Import dependency screening{who}, {params.get('year', '')}",
        schema=columns_of("screening"),
        more=more,
    )
    which = "dependent (EU 2021) products" if only_dependent else "products"
    out.print(
        f"{len(df):,} products imported; {n_eu} dependent (EU 2021); {n_geo} (GeoDep, "
        f"reference bloc); {n_own} (GeoDep, CEPII country level). Showing "
        f"{min(limit, len(rows))} {which} by external imports.",
        highlight=False,
    )


#: The balance's columns in the terminal, the most important first.
BALANCE_COLUMNS = [
    "partner",
    "importer_dependent_products",
    "importer_dependent_kusd",
    "partner_dependent_products",
    "partner_dependent_kusd",
    "balance_ratio_kusd",
    "balance_ratio_products",
]
#: The products behind one partner's balance (``balance --partner``), the most important first.
BALANCE_PRODUCT_COLUMNS = [
    "side",
    "product",
    "product_description",
    "dependent_imports_kusd",
    "top_supplier",
    "top_supplier_share",
    "supplier_hhi",
]


@handle_errors
def balance(
    ctx: typer.Context,
    importer: Annotated[str, typer.Option(help="ISO3 code or group.")] = "NLD",
    year: Annotated[int | None, typer.Option(help="Year (default: latest loaded).")] = None,
    partner: Annotated[
        str | None, typer.Option(help="One partner (ISO3 or group); default: all.")
    ] = None,
    method: Annotated[str, typer.Option(help="eu2021 or geodep.")] = "eu2021",
    dataset: Annotated[str | None, typer.Option(help="Trade dataset to use.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, xlsx or parquet.")] = "table",
    output: Annotated[Path | None, typer.Option(help="Output file.")] = None,
    products: Annotated[
        bool, typer.Option(help="csv/parquet: write the products behind each side instead.")
    ] = False,
    limit: Annotated[int, typer.Option(help="Rows shown in the terminal table.")] = 25,
    min_dependency_kusd: MinKusd = None,
    min_dependency_share: MinShare = None,
    engine: EngineName = "duckdb",
    data_dir: DataDir = None,
) -> None:
    """Mutual dependency: the importer's dependencies on each partner against the reverse."""
    from ketenradar.core.errors import UsageError
    from ketenradar.modules.trade import api

    res = api.balance(
        importer,
        year,
        partner=partner,
        method=method,
        dataset=dataset,
        data_dir=_dir(data_dir),
        thresholds=_materiality(min_dependency_kusd, min_dependency_share),
        command=_command(ctx),
        engine=engine,
    )
    if fmt == "table":
        label = res.summary.importer.iloc[0] if len(res.summary) else importer
        s = res.summary[
            (res.summary.importer_dependent_products > 0)
            | (res.summary.partner_dependent_products > 0)
        ]
        s.attrs = {}  # the provenance once, after the tables
        emit(
            s,
            "table",
            None,
            sheet="balance",
            columns=BALANCE_COLUMNS,
            limit=limit,
            title=f"Mutual dependency of {label} ({method})",
            schema=columns_of("balance"),
        )
        if partner:
            from ketenradar.modules.trade.facts import balance_products

            p = balance_products(res.products, label)
            p["product_description"] = p["product_description"].map(_short)
            p.attrs = {}
            emit(
                p,
                "table",
                None,
                sheet="products",
                columns=[c for c in BALANCE_PRODUCT_COLUMNS if c in p],
                limit=limit,
                title=f"The products behind it: {label} and {partner}",
                schema=columns_of("balance_products"),
            )
        _print_provenance(res.summary.attrs["provenance"])
        return
    from ketenradar.interfaces.reports.writers import write_frame, write_xlsx

    if fmt == "xlsx":
        if output is None:
            raise UsageError("--format xlsx needs --output PATH")
        write_xlsx(
            {"balance": res.summary, "products": res.products},
            output,
            columns={"balance": columns_of("balance"), "products": columns_of("balance_products")},
        )
    else:
        write_frame(
            res.products if products else res.summary,
            fmt,
            output,
            sheet="balance",
            columns=columns_of("balance_products" if products else "balance"),
            provenance_to=provenance_stream(),
        )
    if output is not None:
        out.print(f"wrote {plain(output)}", highlight=False)
