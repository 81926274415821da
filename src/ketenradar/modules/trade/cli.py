"""The trade module's commands: ``ketenradar screen`` and ``ketenradar balance``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ketenradar.core.modules import columns as columns_of
from ketenradar.interfaces.cli.common import (
    FORMAT_HELP,
    DataDir,
    _command,
    _dir,
    _print_provenance,
    add_and_report,
    handle_errors,
    out,
    plain,
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
        _print_screen(df[df["dependent_eu2021"] | df["dependent_geodep"].fillna(False)], 15)
        path = output / f"screen_{imp}_{year}.html"
        api.screening_report(df, path, data_dir=_dir(data_dir), dataset=ds)
        from ketenradar.interfaces.reports.writers import write_frame

        write_frame(df, "csv", output / f"screen_{imp}_{year}.csv")
        out.print(f"wrote {plain(path)} and {plain(path.with_suffix('.csv'))}")


def register(app: typer.Typer) -> None:
    """Add ``screen`` and ``balance`` to the root command."""
    app.command()(screen)
    app.command()(balance)


def _thresholds(hhi: float, ext: float, ratio: float, world: float, years: int, transit: float):
    from ketenradar.modules.trade.analysis.dependencies import Thresholds

    return Thresholds(hhi, ext, ratio, world, years, transit)


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
    )
    if only_dependent:
        prov = df.attrs["provenance"]
        df = df[df["dependent_eu2021"] | df["dependent_geodep"].fillna(False)].reset_index(
            drop=True
        )
        df.attrs["provenance"] = prov
    if fmt == "table":
        _print_screen(df, limit)
    elif fmt == "html":
        if output is None:
            raise UsageError("--format html needs --output PATH")
        api.screening_report(df, output, data_dir=_dir(data_dir), dataset=dataset)
        out.print(f"wrote {plain(output)}", highlight=False)
    else:
        from ketenradar.interfaces.reports.writers import write_frame

        write_frame(df, fmt, output, sheet="screening", columns=columns_of("screening"))
        if output is not None:
            out.print(f"wrote {plain(output)} ({len(df):,} rows)", highlight=False)


def _fmt_num(v: Any, pattern: str) -> str:
    import math

    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and math.isinf(v):
        return "∞"
    return format(v, pattern)


def _print_screen(df, limit: int) -> None:
    from rich.table import Table

    prov = df.attrs.get("provenance", {})
    n_eu = int(df["dependent_eu2021"].sum())
    geo = df["dependent_geodep"]
    n_geo = "n/a (needs Y-2..Y)" if geo.isna().all() else str(int(geo.fillna(False).sum()))
    shown = df.head(limit)
    t = Table(
        "importer",
        "product",
        "description",
        "ext. imports kUSD",
        "ext. share",
        "HHI",
        "top supplier",
        "share",
        "imp/exp",
        "world HHI",
        "EU2021",
        "GeoDep",
        title=f"Import dependency screening, {prov.get('parameters', {}).get('year', '')}",
        caption=f"{len(df):,} products imported; {n_eu} dependent (EU 2021); {n_geo} (GeoDep). "
        f"Showing {len(shown)} by external imports.",
    )
    for r in shown.itertuples():
        geo_v = (
            ""
            if r.dependent_geodep is None or str(r.dependent_geodep) == "<NA>"
            else ("yes" if r.dependent_geodep else "no")
        )
        t.add_row(
            plain(r.importer),
            plain(r.product),
            plain(str(r.product_description or "")[:40]),
            _fmt_num(r.external_imports_kusd, ",.0f"),
            _fmt_num(r.external_share, ".2f"),
            _fmt_num(r.supplier_hhi, ".2f"),
            plain(r.top_supplier or ""),
            _fmt_num(r.top_supplier_share, ".2f"),
            _fmt_num(r.import_export_ratio, ".2f"),
            _fmt_num(r.world_export_hhi, ".2f"),
            "yes" if r.dependent_eu2021 else "no",
            geo_v,
        )
    out.print(t)
    _print_provenance(prov)


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
        command=_command(ctx),
    )
    if fmt == "table":
        from rich.table import Table

        label = res.summary.importer.iloc[0] if len(res.summary) else importer
        s = res.summary[
            (res.summary.importer_dependent_products > 0)
            | (res.summary.partner_dependent_products > 0)
        ].head(limit)
        t = Table(
            "partner",
            "we depend: products",
            "kUSD",
            "they depend: products",
            "kUSD",
            "ratio (products)",
            "ratio (kUSD)",
            title=plain(f"Mutual dependency of {label} ({method})"),
        )
        for r in s.itertuples():
            t.add_row(
                plain(r.partner),
                str(r.importer_dependent_products),
                _fmt_num(r.importer_dependent_kusd, ",.0f"),
                str(r.partner_dependent_products),
                _fmt_num(r.partner_dependent_kusd, ",.0f"),
                _fmt_num(r.balance_ratio_products, ".2f"),
                _fmt_num(r.balance_ratio_kusd, ".2f"),
            )
        out.print(t)
        if partner:
            out.print(plain(res.products.head(limit).to_string(index=False)), highlight=False)
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
        )
    if output is not None:
        out.print(f"wrote {plain(output)}", highlight=False)
