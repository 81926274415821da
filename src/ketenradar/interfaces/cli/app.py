"""The ``ketenradar`` command (Typer + Rich).

Heavy modules (pandas, DuckDB) are imported inside the commands that need
them, so that ``ketenradar --help`` and a single screening start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ketenradar import __version__
from ketenradar.core import modules as registry

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
    _state,
    add_and_report,
    debug_enabled,
    err,
    handle_errors,
    os_error_message,
    out,
    plain,
    printable,
    run_with_progress,
)

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
    usd_per_eur: Annotated[
        Path | None,
        typer.Option(
            "--usd-per-eur",
            help="comext: monthly USD-per-EUR rates, a CSV period,usd_per_eur (ECB series "
            "EXR.M.USD.EUR.SP00.A); required by comext.",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Ingest a publisher's files into the data store (atomic and idempotent)."""
    options = {}
    if countries:
        options["countries"] = countries
    if products:
        options["products"] = products
    if usd_per_eur:
        options["usd_per_eur"] = usd_per_eur
    add_and_report(source, paths, data_dir, name, **options)


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
    source: Annotated[
        str,
        typer.Argument(
            help="Connector to download for: baci, or one with a live file (eurostat_prices, "
            "ember, wdi, cbs_statline, comext)."
        ),
    ],
    release: Annotated[str, typer.Option(help="BACI release, e.g. V202401b.")] = "V202401b",
    hs: Annotated[
        str, typer.Option(help="BACI HS edition: HS92, HS96, HS02, HS07, HS12, HS17, HS22.")
    ] = "HS92",
    base_url: Annotated[
        str | None,
        typer.Option(
            help="Server to download from instead of the publisher's (for baci also "
            "$KETENRADAR_BACI_BASE_URL)."
        ),
    ] = None,
    sha256: Annotated[str | None, typer.Option(help="Expected sha256 of the file.")] = None,
    size: Annotated[int | None, typer.Option(help="Expected size of the file in bytes.")] = None,
    dest: Annotated[
        Path | None, typer.Option(help="Download folder (default: <data dir>/downloads).")
    ] = None,
    add: Annotated[bool, typer.Option(help="Ingest the download after it verifies.")] = True,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            help="KEY=VALUE for the connector's live file, repeatable (wdi: indicator=CODE; "
            "cbs_statline: table=ID; comext: period=YYYYMM, layout=full_v2|full).",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Download a source's live file (with progress, resume and verification) and ingest it:
    a BACI release, Eurostat's nrg_pc_205 TSV, Ember's monthly wholesale prices, a World Bank
    WDI indicator, a CBS StatLine table, a month of Eurostat Comext (a 7-Zip archive: unpack
    it, then `data add comext`)."""
    from ketenradar import api
    from ketenradar.core.errors import UsageError

    options: dict[str, str] = {}
    for item in option or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--option {item!r}: give KEY=VALUE", field="option")
        options[key.strip()] = value.strip()
    if options and source == "baci":
        raise UsageError("baci takes --release and --hs, not --option", field="option")

    if source == "baci":
        res = run_with_progress(
            f"download {hs.upper()} {release}",
            api.fetch_baci,
            release,
            hs,
            data_dir=_dir(data_dir),
            base_url=base_url,  # else the setting KETENRADAR_BACI_BASE_URL (BaciConnector)
            dest=dest,
            expected_sha256=sha256,
            expected_size=size,
        )
    else:
        from ketenradar.sources.ingest import fetch_source

        res = run_with_progress(
            f"download {source}",
            fetch_source,
            source,
            data_dir=_dir(data_dir),
            base_url=base_url,
            dest=dest,
            expected_sha256=sha256,
            expected_size=size,
            options=options,
        )
    how = "already present" if res.reused else ("resumed" if res.resumed else "downloaded")
    out.print(f"{how}: {plain(res.path)} ({res.size:,} bytes, sha256 {res.sha256})")
    if add and res.path.name.lower().endswith(".7z"):
        # no 7-Zip reader is built in (sources/comext.py says why): say what to do next
        out.print(
            f"not added: {plain(res.path.name)} is a 7-Zip archive. Unpack it (7z x "
            f"{plain(res.path.name)}) and add the .dat file: ketenradar data add {plain(source)} "
            "FILE.dat --usd-per-eur RATES.csv",
            highlight=False,
        )
    elif add:
        data_add(source, [res.path], data_dir=data_dir)


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


@app.command()
@handle_errors
def quickstart(
    year: Annotated[int, typer.Option(help="Year to screen.")] = 2022,
    output: Annotated[Path, typer.Option(help="Folder for the reports.")] = Path("out"),
    data_dir: DataDir = None,
) -> None:
    """Load the real public data found in the shared data folder into the store and write
    each module's first results (trade screening of NLD and the EU27, the EU criticality
    report, the input-output exposure) to OUTPUT."""
    from ketenradar.core import modules as registry

    output.mkdir(parents=True, exist_ok=True)
    for module in registry.modules():
        if module.quickstart:
            module.load(module.quickstart)(year=year, output=output, data_dir=data_dir)


@app.command()
@handle_errors
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", envvar="KETENRADAR_PORT")] = 8000,
    data_dir: DataDir = None,
) -> None:
    """Start the web application (pages in Dutch and English, JSON API at /api/v1, /docs)."""
    import uvicorn

    from ketenradar.interfaces.web.app import create_app
    from ketenradar.interfaces.web.settings import WebSettings

    settings = WebSettings.from_env(_dir(data_dir))  # the --data-dir given, else the env's

    out.print(f"ketenradar serving on http://{host}:{port}/ (API docs: /docs) — Ctrl+C stops")
    # proxy_headers off: uvicorn would otherwise take X-Forwarded-For from 127.0.0.1 as the
    # client; the application decides (KETENRADAR_TRUSTED_PROXIES, ketenradar.interfaces.web.auth)
    uvicorn.run(
        create_app(settings=settings),
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=False,
    )


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
    m = run_with_progress("building", starter.build, shared_data_dir(), target)
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
    m = run_with_progress(
        "deriving",
        live.build,
        root,
        importers=importer or starter.IMPORTERS,
        years=year,
        trade_dataset=dataset,
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


# every registered module adds its commands (trade: screen, balance; materials; bom; io), then
# the accounts' groups (the order of ``ketenradar --help``)
for _module in registry.modules():
    if _module.cli:
        _module.load(_module.cli)(app)
app.add_typer(users_app, name="users")
app.add_typer(db_app, name="db")


def main() -> None:
    """Entry point of the ``ketenradar`` command."""
    app()


if __name__ == "__main__":
    main()
