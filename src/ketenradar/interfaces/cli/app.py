"""The ``ketenradar`` command (Typer + Rich).

Heavy modules (pandas, DuckDB, country_converter) are imported inside the commands that need
them, so that ``ketenradar --help`` and a single screening start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ketenradar import __version__

# The helpers live in cli_common (which imports no cli module), so that the command modules
# below can be imported on their own; they stay importable from here for callers and tests.
from ketenradar.interfaces.cli.accounts import db_app, users_app
from ketenradar.interfaces.cli.common import (
    DEBUG_ENV,
    EXIT_OS_ERROR,
    FORMAT_HELP,
    DataDir,
    GlobalDataDir,
    _command,
    _dir,
    _ingest,
    _print_provenance,
    _progress_bar,
    _state,
    debug_enabled,
    err,
    handle_errors,
    os_error_message,
    out,
    plain,
    printable,
)
from ketenradar.modules.io.cli import io_app
from ketenradar.modules.materials.cli import bom_app, materials_app

__all__ = [
    "DEBUG_ENV",
    "EXIT_OS_ERROR",
    "FORMAT_HELP",
    "DataDir",
    "GlobalDataDir",
    "app",
    "debug_enabled",
    "err",
    "handle_errors",
    "main",
    "os_error_message",
    "out",
    "plain",
    "printable",
]

app = typer.Typer(
    name="ketenradar",
    help="Value-chain radar: strategic dependencies of Dutch and European industry.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(
    help="Manage datasets: add, fetch, list, show, remove.", no_args_is_help=True
)
groups_app = typer.Typer(
    help="Country groups (EU27 built in; others from YAML).", no_args_is_help=True
)
app.add_typer(data_app, name="data")
app.add_typer(groups_app, name="groups")


def _version(value: bool) -> None:
    if value:
        out.print(f"ketenradar {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    data_dir: GlobalDataDir = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Value-chain radar: strategic dependencies of Dutch and European industry."""
    _state["data_dir"] = data_dir


# -- data --------------------------------------------------------------------------------
@data_app.command("add")
@handle_errors
def data_add(
    source: Annotated[str, typer.Argument(help="Source connector, e.g. 'baci'.")],
    paths: Annotated[list[Path], typer.Argument(help="Files, zips or folders to ingest.")],
    name: Annotated[str | None, typer.Option(help="Dataset name (default from the files).")] = None,
    countries: Annotated[
        Path | None, typer.Option(help="BACI country dictionary to use (overrides discovery).")
    ] = None,
    products: Annotated[
        Path | None, typer.Option(help="BACI product dictionary to use (overrides discovery).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Ingest a publisher's files into the data store (atomic and idempotent)."""
    from ketenradar.core.provenance import year_ranges

    options = {}
    if countries:
        options["countries"] = countries
    if products:
        options["products"] = products
    reports = _ingest(source, paths, data_dir, name, **options)
    for r in reports:
        years = r.manifest.attributes.get("years") or []
        span = year_ranges(years)
        if r.changed:
            tables = r.manifest.tables
            rows = ", ".join(
                f"{int(info.get('rows', 0)):,} {name} rows"
                for name, info in tables.items()
                if isinstance(info, dict) and "rows" in info
            )
            out.print(
                f"[green]added[/] {plain(r.dataset)}: {rows}"
                + (f", years {span}" if span else "")
                + f", release {plain(r.manifest.release)}",
                highlight=False,
            )
        else:
            out.print(
                f"[yellow]unchanged[/] {plain(r.dataset)}: the same files are already ingested"
            )
        for w in r.warnings:
            if not w.startswith("unchanged"):
                err.print(f"[yellow]warning:[/] {plain(w)}", highlight=False)


@data_app.command("list")
@handle_errors
def data_list(
    fmt: Annotated[str, typer.Option("--format", help="table or csv.")] = "table",
    data_dir: DataDir = None,
) -> None:
    """List the datasets in the store."""
    from ketenradar import api

    df = api.list_datasets(_dir(data_dir))
    if fmt == "csv":
        df.to_csv(sys.stdout, index=False)
        return
    if df.empty:
        out.print(
            f"No datasets in {plain(api.open_store(_dir(data_dir)).root)}. Add one with "
            "`ketenradar data add baci PATH`.",
            highlight=False,
        )
        return
    from rich.table import Table

    def cell(v: object) -> str:  # names and releases come from files and users: not markup
        return "" if v is None else plain(v)

    t = Table("name", "source", "release", "years", "rows", "files", "ingested_at")
    for r in df.itertuples():
        t.add_row(
            *map(cell, (r.name, r.source, r.release, r.years)),
            f"{r.rows:,}",
            str(r.files),
            cell(r.ingested_at),
        )
    out.print(t)


@data_app.command("show")
@handle_errors
def data_show(name: str, data_dir: DataDir = None) -> None:
    """Show a dataset's manifest (source, licence, checksums, row counts)."""
    from ketenradar import api
    from ketenradar.interfaces.reports.writers import provenance_json

    ds = api.open_store(_dir(data_dir)).get(name)
    out.print_json(provenance_json(ds.manifest.to_dict()))


@data_app.command("remove")
@handle_errors
def data_remove(name: str, data_dir: DataDir = None) -> None:
    """Remove a dataset from the store."""
    from ketenradar import api

    api.remove_dataset(name, _dir(data_dir))
    out.print(f"removed {plain(name)}", highlight=False)


@data_app.command("fetch")
@handle_errors
def data_fetch(
    source: Annotated[str, typer.Argument(help="Source to download from; 'baci'.")],
    release: Annotated[str, typer.Option(help="Release, e.g. V202401b.")] = "V202401b",
    hs: Annotated[
        str, typer.Option(help="HS edition: HS92, HS96, HS02, HS07, HS12, HS17, HS22.")
    ] = "HS92",
    base_url: Annotated[
        str | None,
        typer.Option(envvar="KETENRADAR_BACI_BASE_URL", help="Server to download from."),
    ] = None,
    sha256: Annotated[str | None, typer.Option(help="Expected sha256 of the zip.")] = None,
    size: Annotated[int | None, typer.Option(help="Expected size of the zip in bytes.")] = None,
    dest: Annotated[
        Path | None, typer.Option(help="Download folder (default: <data dir>/downloads).")
    ] = None,
    add: Annotated[bool, typer.Option(help="Ingest the download after it verifies.")] = True,
    data_dir: DataDir = None,
) -> None:
    """Download a release (with progress, resume and verification) and ingest it."""
    from ketenradar import api
    from ketenradar.core.errors import UsageError

    if source != "baci":
        raise UsageError(f"fetch supports 'baci' only for now, not '{source}'")
    with _progress_bar() as bar:
        task = bar.add_task(f"download {hs.upper()} {release}", total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        res = api.fetch_baci(
            release,
            hs,
            data_dir=_dir(data_dir),
            base_url=base_url,
            dest=dest,
            expected_sha256=sha256,
            expected_size=size,
            progress=progress,
        )
    how = "already present" if res.reused else ("resumed" if res.resumed else "downloaded")
    out.print(f"{how}: {plain(res.path)} ({res.size:,} bytes, sha256 {res.sha256})")
    if add:
        data_add("baci", [res.path], data_dir=data_dir)


# -- groups ------------------------------------------------------------------------------
@groups_app.command("list")
@handle_errors
def groups_list(data_dir: DataDir = None) -> None:
    """List country groups and their members."""
    from rich.table import Table

    from ketenradar import api

    reg = api.groups(_dir(data_dir))
    t = Table("group", "members", "n", "description")
    for n in reg.names():
        g = reg.get(n)
        t.add_row(
            plain(n), plain(" ".join(sorted(g.members))), str(len(g.members)), plain(g.description)
        )
    out.print(t)


@groups_app.command("path")
@handle_errors
def groups_path(data_dir: DataDir = None) -> None:
    """Where to put your own groups file (copy the packaged one there to start)."""
    from ketenradar import api
    from ketenradar.core.groups import _packaged_file

    store = api.open_store(_dir(data_dir))
    out.print(f"packaged groups: {plain(_packaged_file())}")
    out.print(f"your groups file: {plain(store.root / 'groups.yaml')} (or $KETENRADAR_GROUPS_FILE)")


# -- analyses ----------------------------------------------------------------------------
def _thresholds(hhi: float, ext: float, ratio: float, world: float, years: int, transit: float):
    from ketenradar.modules.trade.analysis.dependencies import Thresholds

    return Thresholds(hhi, ext, ratio, world, years, transit)


@app.command()
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
    from ketenradar import api
    from ketenradar.core.errors import UsageError
    from ketenradar.interfaces.reports.writers import FORMATS

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

        write_frame(df, fmt, output, sheet="screening")
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


@app.command()
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
    from ketenradar import api
    from ketenradar.core.errors import UsageError

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
        write_xlsx({"balance": res.summary, "products": res.products}, output)
    else:
        write_frame(res.products if products else res.summary, fmt, output, sheet="balance")
    if output is not None:
        out.print(f"wrote {plain(output)}", highlight=False)


@app.command()
@handle_errors
def quickstart(
    year: Annotated[int, typer.Option(help="Year to screen.")] = 2022,
    output: Annotated[Path, typer.Option(help="Folder for the reports.")] = Path("out"),
    data_dir: DataDir = None,
) -> None:
    """Load the real trade, EU CRM and WGI data (if present); screen NLD and the EU27 and
    write the EU criticality report."""
    from ketenradar import api
    from ketenradar.core.config import shared_data_dir
    from ketenradar.core.errors import NotFoundError

    store = api.open_store(_dir(data_dir))
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
        data_add("baci", [src], data_dir=data_dir)
        have = [
            d
            for d in store.list(kind="trade_flows")
            if str(year) in d.manifest.tables["trade"]["years"]
        ]
    ds = have[0].name
    output.mkdir(parents=True, exist_ok=True)
    for imp in ("NLD", "EU27"):
        df = api.screen(imp, year, dataset=ds, data_dir=_dir(data_dir))
        _print_screen(df[df["dependent_eu2021"] | df["dependent_geodep"].fillna(False)], 15)
        path = output / f"screen_{imp}_{year}.html"
        api.screening_report(df, path, data_dir=_dir(data_dir), dataset=ds)
        from ketenradar.interfaces.reports.writers import write_frame

        write_frame(df, "csv", output / f"screen_{imp}_{year}.csv")
        out.print(f"wrote {plain(path)} and {plain(path.with_suffix('.csv'))}")
    _quickstart_materials(store, output, data_dir)
    _quickstart_io(store, output, data_dir)


def _quickstart_io(store: Any, output: Path, data_dir: Path | None) -> None:
    """Load the OECD ICIO 2022 arrays (when present) and write NLD's exposure by country."""
    from ketenradar.core.config import shared_data_dir
    from ketenradar.interfaces.reports.writers import write_frame
    from ketenradar.modules.io.api import exposure

    src = shared_data_dir() / "icio_oecd_2022"
    if not store.list(kind="io_table"):
        if not src.is_dir():
            out.print(f"[dim]no ICIO tables at {plain(src)}: skipping the input-output exposure[/]")
            return
        out.print(f"Loading the OECD ICIO 2022 table from {plain(src)} …")
        data_add("icio", [src], data_dir=data_dir)
    tables = sorted(store.list(kind="io_table"), key=lambda d: d.manifest.source != "icio")
    for by in ("country", "source"):
        df = exposure("NLD", source=None, dataset=tables[0].name, by=by, data_dir=_dir(data_dir))
        path = output / f"io_exposure_NLD_{by}.csv"
        write_frame(df, "csv", path)
        out.print(f"wrote {plain(path)}")


def _quickstart_materials(store: Any, output: Path, data_dir: Path | None) -> None:
    """Load the EU CRM tables and the WGI (when present) and write the criticality report."""
    from ketenradar.core.config import shared_data_dir
    from ketenradar.interfaces.reports.writers import write_frame
    from ketenradar.modules.materials.api import criticality
    from ketenradar.modules.materials.report import criticality_report

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
        data_add(source, paths, data_dir=data_dir)
    df = criticality(data_dir=_dir(data_dir))
    criticality_report(df, output / "criticality.html")
    write_frame(df, "csv", output / "criticality.csv")
    out.print(f"wrote {plain(output / 'criticality.html')} and {plain(output / 'criticality.csv')}")


@app.command()
@handle_errors
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", envvar="KETENRADAR_PORT")] = 8000,
) -> None:
    """Start the web application (pages in Dutch and English, JSON API at /api/v1, /docs)."""
    import uvicorn

    from ketenradar.interfaces.web.app import create_app

    out.print(f"ketenradar serving on http://{host}:{port}/ (API docs: /docs) — Ctrl+C stops")
    # proxy_headers off: uvicorn would otherwise take X-Forwarded-For from 127.0.0.1 as the
    # client; the application decides (KETENRADAR_TRUSTED_PROXIES, ketenradar.interfaces.web.auth)
    uvicorn.run(create_app(), host=host, port=port, log_level="warning", proxy_headers=False)


starter_app = typer.Typer(
    help="The starter pack: compact fact tables derived from the real public sources.",
    no_args_is_help=True,
)
app.add_typer(starter_app, name="starter")


@starter_app.command("build")
@handle_errors
def starter_build(
    output: Annotated[
        Path | None, typer.Option(help="Folder to write (default: the package's own pack).")
    ] = None,
) -> None:
    """Rebuild the starter pack from $KETENRADAR_SHARED_DATA with the project's analyses."""
    from ketenradar.core.config import shared_data_dir
    from ketenradar.results import starter

    target = output or starter.packaged_dir()
    with _progress_bar() as bar:
        task = bar.add_task("building", total=None)
        m = starter.build(
            shared_data_dir(),
            target,
            progress=lambda what, done, total: bar.update(
                task, description=what, completed=done, total=total
            ),
        )
    for name, info in m["tables"].items():
        out.print(f"{name}: {info['rows']:,} rows", highlight=False)
    out.print(f"wrote {plain(target)}")


@starter_app.command("show")
@handle_errors
def starter_show() -> None:
    """The shipped starter pack: tables, rows, the datasets they were derived from."""
    from ketenradar.results import starter

    m = starter.manifest()
    out.print(f"built {m['built_at']} by {m['tool']}", highlight=False)
    for name, info in m["tables"].items():
        out.print(f"  {name}: {info['rows']:,} rows — {info['description']}", highlight=False)
    for d in m["datasets"]:
        out.print(f"  from {d['dataset']}: {d['release']} ({d['licence']})", highlight=False)


facts_app = typer.Typer(
    help="The fact tables the web application shows, derived from your own data store.",
    no_args_is_help=True,
)
app.add_typer(facts_app, name="facts")


@facts_app.command("build")
@handle_errors
def facts_build(
    ctx: typer.Context,
    importer: Annotated[
        list[str] | None, typer.Option(help="Economy to screen (repeat; default NLD, EU27).")
    ] = None,
    year: Annotated[
        list[int] | None, typer.Option(help="Trade year (repeat; default: every year loaded).")
    ] = None,
    dataset: Annotated[
        str | None, typer.Option(help="Trade dataset (when several are loaded).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Derive the web application's fact tables from the datasets in your store.

    Tables whose sources are not loaded keep coming from the starter pack; a running
    `ketenradar serve` switches to the new tables at once.
    """
    from ketenradar import api
    from ketenradar.results import live, starter

    root = api.open_store(_dir(data_dir)).root
    with _progress_bar() as bar:
        task = bar.add_task("deriving", total=None)
        m = live.build(
            root,
            importers=importer or starter.IMPORTERS,
            years=year,
            trade_dataset=dataset,
            progress=lambda what, done, total: bar.update(
                task, description=what, completed=done, total=total
            ),
            command=_command(ctx),
        )
    for name, info in m["tables"].items():
        out.print(f"{name}: {info['rows']:,} rows", highlight=False)
    for name, why in m["skipped"].items():
        out.print(f"[dim]{plain(name)}: from the starter pack ({plain(why)})[/]", highlight=False)
    for note in m["notes"]:
        err.print(f"[yellow]note:[/] {plain(note)}", highlight=False)
    out.print(f"wrote {plain(live.current(root))}", highlight=False)


@facts_app.command("show")
@handle_errors
def facts_show(data_dir: DataDir = None) -> None:
    """Which fact tables are served from your store and which from the starter pack.

    Also warns when the store changed after the last `facts build`.
    """
    from ketenradar import api
    from ketenradar.results import live
    from ketenradar.results.facts import Facts

    root = api.open_store(_dir(data_dir)).root
    st = live.status(root)
    if st["built"]:
        b = st["manifest"]
        out.print(f"your facts: built {b['built_at']} by {b['tool']}", highlight=False)
        for name in st["changed"]:
            err.print(f"[yellow]stale:[/] dataset {plain(name)} changed or was removed since")
        for name in st["new"]:
            err.print(f"[yellow]stale:[/] dataset {plain(name)} was loaded after the build")
        if st["changed"] or st["new"]:
            err.print("run `ketenradar facts build` to bring the facts up to date")
    else:
        out.print("no facts built from your store: the starter pack is served", highlight=False)
    m = Facts(data_dir=root).manifest()
    for name, info in m["tables"].items():
        out.print(
            f"  {name} ({info['origin']}): {info['rows']:,} rows — {info['description']}",
            highlight=False,
        )


# the command modules' groups, after the ones above (the order of ``ketenradar --help``)
app.add_typer(materials_app, name="materials")
app.add_typer(io_app, name="io")
app.add_typer(bom_app, name="bom")
app.add_typer(users_app, name="users")
app.add_typer(db_app, name="db")


def main() -> None:
    """Entry point of the ``ketenradar`` command."""
    app()


if __name__ == "__main__":
    main()
