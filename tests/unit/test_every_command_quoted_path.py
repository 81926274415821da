"""Every ``ketenradar`` command works with a data directory whose path holds spaces, an
apostrophe and double quotes (issue 14).

The commands are enumerated from the real command tree; each has a case below that runs the
installed ``ketenradar`` entry point as a subprocess against a small store of hand-made files
(themselves under such paths), with the data dir given as the global ``--data-dir``, the
command's own ``--data-dir`` or ``$KETENRADAR_DATA_DIR``. A command without a case fails
:func:`test_every_command_has_a_case`: add one when you add a command.

Each run must exit with the expected code, print no traceback, and touch no other data dir:
``$XDG_DATA_HOME`` (where the platform's default data dir would be) must stay empty.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import typer
from conftest import write_country_dict, write_product_dict, write_trade
from test_bom import TOY
from test_comext_ingest import JAN, RATES, write_v2
from test_ember import write_ember
from test_ets_eutl import ROWS as ETS_ROWS
from test_ets_eutl import write_eutl
from test_eu_crm_and_cli import write_crm
from test_eurostat_prices import write_tsv
from test_io_parsers import icio_frame, write_icio

from ketenradar.interfaces.cli.app import app

ODD_STORE = 'it\'s a "store" dir'
ODD_INPUTS = 'input\'s "files" dir'
ODD_SHARED = 'shared\'s "data" dir'
ODD_OUT = 'out\'s "put" dir'
PASSWORD = "quoted-paths-are-fine"
TRADE = "baci_hs92_v202401b"
SERVE_EXIT = 0  # after Ctrl+C (SIGINT): uvicorn shuts down and the command returns

#: Rows (t, i, j, k, v, q): 260111 and 010121 for the screenings, cobalt (282200, 810510)
#: for GeoPolRisk. BACI codes: 528 NLD, 276 DEU, 156 CHN, 842 USA, 76 BRA.
FLOWS = [
    (2022, 156, 528, "260111", 100.0, "NA"),
    (2022, 528, 842, "260111", 10.0, "NA"),
    (2022, 528, 156, "010121", 50.0, "NA"),
    (2022, 156, 842, "010121", 5.0, "NA"),
    (2022, 276, 528, "010121", 1.0, "NA"),
    (2022, 156, 528, "282200", 600, 60),
    (2022, 276, 528, "282200", 500, 40),
    (2022, 76, 528, "810510", 50, 10),
]


@dataclass(frozen=True)
class Case:
    """One command's run. In ``args``, ``out``, ``err`` and ``creates``, ``{data}`` is the
    data dir, ``{inputs}`` the folder of hand-made files, ``{shared}`` the shared data folder,
    ``{out}`` a fresh output folder (all under odd names) and ``{url}`` the local HTTP server.
    """

    args: str  # the command and its arguments, split like a shell does (before filling in)
    code: int = 0
    out: str = ""  # expected in stdout
    err: str = ""  # expected in stderr
    via: str = "global"  # global --data-dir, the command's own --data-dir ("local"), or "env"
    fresh: bool = False  # an empty data dir of its own instead of the shared small store
    setup: tuple[str, ...] = ()  # commands run first, in the same data dir
    stdin: str | None = None
    creates: str = ""  # a file that must exist afterwards
    provenance: str = ""  # a result (or its provenance file) whose recorded command must
    # split back into the command run


CASES: dict[str, Case] = {
    "screen": Case(
        "screen --year 2022 --format csv --output {out}/screen.csv",
        via="local",
        out="wrote {out}/screen.csv",
        provenance="{out}/screen.csv.provenance.json",
    ),
    "balance": Case("balance --year 2022", via="env", out="Mutual dependency of NLD"),
    "quickstart": Case(
        "quickstart --year 2022 --output {out}",
        fresh=True,
        out="Loading BACI raw-material trade from {shared}/baci_raw_materials_hs92",
        creates="{out}/screen_EU27_2022.html",
    ),
    # run by _serve: a store dataset must be listed at /api/v1/datasets
    "serve": Case("serve", out=TRADE),
    "data add": Case(
        "data add baci {inputs}/baci",
        fresh=True,
        via="local",
        out=f"added {TRADE}",
        creates=f"{{data}}/datasets/{TRADE}/CURRENT",
    ),
    # a second case of one command: "command#variant" (the connector's own path option)
    "data add#comext": Case(
        'data add comext "{inputs}/comext\'s files" --usd-per-eur "{inputs}/usd\'s rates.csv"',
        fresh=True,
        via="local",
        out="added comext",
        creates="{data}/datasets/comext/CURRENT",
    ),
    "data list": Case("data list --format csv", out=TRADE),
    "data show": Case(f"data show {TRADE}", via="env", out="BACI_HS92_Y2022_V202401b.csv"),
    "data remove": Case(
        f"data remove {TRADE}",
        fresh=True,
        setup=("data add baci {inputs}/baci",),
        out=f"removed {TRADE}",
    ),
    "data fetch": Case(
        "data fetch baci --base-url {url}",
        fresh=True,
        via="local",
        out=f"added {TRADE}",
        creates="{data}/downloads/BACI_HS92_V202401b.zip",
    ),
    "groups list": Case("groups list", out="EU27"),
    "groups path": Case("groups path", via="local", out="{data}/groups.yaml"),
    # the full build needs every real source: the shared folder here holds BACI only
    "starter build": Case(
        "starter build --output {out}/pack",
        code=3,
        err="starter pack source missing: {shared}/eu_crm",
    ),
    "starter show": Case("starter show", out="rows"),
    "facts build": Case("facts build --importer NLD", via="local", out="wrote {data}/facts/"),
    "facts show": Case("facts show", via="env", out="rows"),
    "materials list": Case("materials list --format csv", out="gallium"),
    "materials show": Case("materials show gallium", via="local", out='"sr": 3.9'),
    "materials criticality": Case(
        "materials criticality --wgi-year 2019 --format html --output {out}/crit.html",
        via="env",
        out="wrote {out}/crit.html",
        creates="{out}/crit.html",
    ),
    "materials crma": Case("materials crma --format csv", via="local", out="gallium"),
    "materials concentration": Case("materials concentration", out="gallium"),
    "materials geopolrisk": Case(
        "materials geopolrisk --year 2022 --format csv", via="local", out="Cobalt,NLD,2022,0.82,"
    ),
    "io load": Case(
        "io load icio {inputs}/icio/2022_SML.csv", fresh=True, via="local", out="balanced"
    ),
    # the last columns: no rows beyond tolerance, no negative final demand, ok
    "io check": Case("io check --format csv", out=",0,0,True\n"),
    "io exposure": Case(
        "io exposure --economy NLD --format xlsx --output {out}/e.xlsx",
        via="local",
        creates="{out}/e.xlsx",
    ),
    "io shock": Case("io shock --supplier AUS --fall 50%", via="env", out="TOTAL"),
    "io balance": Case(
        "io balance --source icio --format parquet --output {out}/b.parquet",
        provenance="{out}/b.parquet",
    ),
    "stockpile plan": Case(
        'stockpile plan --items cobalt --scenario "{inputs}/halt\'s scenario.yaml" '
        "--paths 200 --format csv --output {out}/plan.csv",
        via="local",
        out="wrote {out}/plan.csv",
        provenance="{out}/plan.csv.provenance.json",
    ),
    "stockpile simulate": Case(
        'stockpile simulate --items cobalt --scenario "{inputs}/halt\'s scenario.yaml" '
        "--paths 200 --table fan --format csv --output {out}/fan.csv",
        via="env",
        out="wrote {out}/fan.csv",
        provenance="{out}/fan.csv.provenance.json",
    ),
    "stockpile portfolio": Case(
        "stockpile portfolio --budget 1000000.0 --shortage-cost 100000 --items cobalt "
        '--scenario "{inputs}/halt\'s scenario.yaml" --paths 200 --format csv '
        "--output {out}/portfolio.csv",
        via="local",
        out="wrote {out}/portfolio.csv",
        provenance="{out}/portfolio.csv.provenance.json",
    ),
    "stockpile pool": Case(
        "stockpile pool --members NLD,DEU --items cobalt --paths 200 --format csv "
        "--output {out}/pool.csv",
        out="wrote {out}/pool.csv",
        provenance="{out}/pool.csv.provenance.json",
    ),
    # the shared folder here holds no cost accounts: the error names it, quotes intact
    "kansenkaart demand": Case(
        f"kansenkaart demand --scenario {Path(__file__).resolve().parents[2]}"
        "/examples/kansenkaart/timcat_pwr12_me.yaml",
        code=3,
        err="PWR12_ME_inflated_reduced.csv not found under {shared}",
    ),
    # no cost accounts in the shared folder: the tables come without the NQA-1 shares
    "kansenkaart requirements": Case(
        "kansenkaart requirements --work-package valves --origin FR --format csv "
        "--output {out}/req.csv",
        out="wrote {out}/req.csv",
        provenance="{out}/req.csv.provenance.json",
    ),
    "kansenkaart smr-fit": Case(
        f"kansenkaart smr-fit --demand {Path(__file__).resolve().parents[2]}"
        "/examples/kansenkaart/smr/heat_demand_illustrative.yaml --margin 25.0 --format csv "
        "--output {out}/fit.csv",
        out="wrote {out}/fit.csv",
        provenance="{out}/fit.csv.provenance.json",
    ),
    "kansenkaart match": Case(
        "kansenkaart match --work-package valves --origin FR --as-of 2030-06-01 --min-suppliers 3 "
        "--format csv --output {out}/match.csv",
        out="wrote {out}/match.csv",
        provenance="{out}/match.csv.provenance.json",
    ),
    # the shared folder here holds no cost accounts: the error names it, quotes intact
    "kansenkaart localisation": Case(
        f"kansenkaart localisation --scenario {Path(__file__).resolve().parents[2]}"
        "/examples/kansenkaart/timcat_pwr12_me.yaml --origin US --as-of 2030-06-01",
        code=3,
        err="PWR12_ME_inflated_reduced.csv not found under {shared}",
    ),
    "kansenkaart supplier-fit": Case(
        "kansenkaart supplier-fit 1 --origin DE --as-of 2030-06-01 --format csv "
        "--output {out}/fit.csv",
        fresh=True,
        setup=("kansenkaart suppliers demo --count 2",),
        out="wrote {out}/fit.csv",
        provenance="{out}/fit.csv.provenance.json",
    ),
    "kansenkaart suppliers import": Case(
        'kansenkaart suppliers import "{inputs}/agency\'s \\"list\\".csv" '
        '--mapping "{inputs}/mapping\'s.yaml" --region Zeeland',
        out="1 supplier(s) added",
    ),
    "kansenkaart suppliers export": Case(
        'kansenkaart suppliers export --output "{out}/match\'s.xlsx" --work-package valves '
        "--region Zeeland",
        via="env",
        out="wrote {out}/match's.xlsx",
        creates="{out}/match's.xlsx",
    ),
    "kansenkaart suppliers demo": Case(
        "kansenkaart suppliers demo --count 3", out="3 fictional ones added"
    ),
    "bom exposure": Case(
        'bom exposure "{inputs}/toy\'s bom.yaml" --table summary',
        via="local",
        out="single_points_of_failure: gallium (processing): CHN 94%",
    ),
    "users create-admin": Case(
        "users create-admin root --password-stdin",
        fresh=True,
        stdin=PASSWORD,
        out="admin 'root' created",
        creates="{data}/ketenradar.db",
    ),
    "users add": Case(
        "users add frank --role analyst --password-stdin",
        via="env",
        stdin=PASSWORD,
        out="analyst 'frank' created",
    ),
    "users set-role": Case("users set-role bob analyst", out="'bob' is now a analyst"),
    "users deactivate": Case("users deactivate dora", out="'dora' is deactivated"),
    "users activate": Case("users activate ada", via="env", out="'ada' is active"),
    "users reset-password": Case(
        "users reset-password bob --password-stdin",
        stdin=PASSWORD + "!",
        out="new password set for 'bob'",
    ),
    "users delete": Case("users delete gone --yes", out="'gone' deleted"),
    "users list": Case("users list", via="env", out="admin"),
    "db upgrade": Case(
        "db upgrade", fresh=True, out="database at revision", creates="{data}/ketenradar.db"
    ),
    "db downgrade": Case(
        "db downgrade base --yes",
        fresh=True,
        via="env",
        setup=("db upgrade",),
        out="database at revision None",
    ),
    "users token create": Case(
        "users token create tina --name cron --role viewer", err="shown this once", out="kr_"
    ),
    "users token list": Case(
        "users token list tina",
        via="env",
        setup=("users token create tina --name listed",),
        out="listed",
    ),
    "users token revoke": Case("users token revoke 999999", code=3, err="no API token 999999"),
    "db current": Case("db current", out="0005"),
    # industry: an EUTL export of 4 accounts (one of them an aircraft operator)
    "industry emissions": Case(
        "industry emissions --by year --country NL --format csv --output {out}/ets.csv",
        fresh=True,
        via="local",
        setup=('data add ets_eutl "{inputs}/ets\'s eutl"',),
        out="wrote {out}/ets.csv (2 rows)",
        provenance="{out}/ets.csv.provenance.json",
    ),
    # the shared folder here holds no map data (geo/nl): the error names it, quotes intact
    "industry clusters": Case(
        "industry clusters --year 2022 --table clusters --clusters "
        f"{Path(__file__).resolve().parents[2]}/src/ketenradar/modules/industry/data/"
        "clusters.yaml --format csv --output {out}/clusters.csv",
        code=3,
        fresh=True,
        via="local",
        setup=('data add ets_eutl "{inputs}/ets\'s eutl"',),
        err="the map data geo/nl is not found under {shared}",
    ),
    # a targets file of one's own at a quoted path: 10 Mt in 2021, 5.82 Mt in 2022
    "industry targets": Case(
        'industry targets --targets "{inputs}/it\'s targets.yaml" --format csv '
        "--output {out}/targets.csv",
        fresh=True,
        via="local",
        setup=('data add ets_eutl "{inputs}/ets\'s eutl"',),
        out="wrote {out}/targets.csv (1 rows)",
        provenance="{out}/targets.csv.provenance.json",
    ),
    # the speelveldtoets from a profile at a quoted path, prices from quoted folders
    "industry costs": Case(
        'industry costs --profile "{inputs}/it\'s profile.yaml" --countries NL,DE --from 2024 '
        "--to 2024 --format csv --output {out}/costs.csv",
        fresh=True,
        via="local",
        setup=(
            'data add eurostat_prices "{inputs}/eurostat\'s tsv"',
            'data add ember "{inputs}/ember\'s csv"',
        ),
        out="wrote {out}/costs.csv (2 rows)",
        provenance="{out}/costs.csv.provenance.json",
    ),
    # a companies file of one's own at a quoted path, over the small EUTL export
    "industry companies": Case(
        'industry companies --companies "{inputs}/it\'s companies.yaml" --format csv '
        "--output {out}/companies.csv",
        fresh=True,
        via="local",
        setup=('data add ets_eutl "{inputs}/ets\'s eutl"',),
        out="wrote {out}/companies.csv (2 rows)",
        provenance="{out}/companies.csv.provenance.json",
    ),
    # a KPI file of one's own at a quoted path; nothing loaded: "no data", and the note
    "industry kpis": Case(
        'industry kpis --kpis "{inputs}/it\'s kpis.yaml" --format csv --output {out}/kpis.csv',
        out="wrote {out}/kpis.csv (1 rows)",
        provenance="{out}/kpis.csv.provenance.json",
    ),
    # a user's instrument rows at a quoted path, added to the shipped ones
    "industry instruments": Case(
        "industry instruments --table oversubscription --instruments "
        '"{inputs}/it\'s instruments.yaml" --format csv --output {out}/instruments.csv',
        out="wrote {out}/instruments.csv (2 rows)",
        provenance="{out}/instruments.csv.provenance.json",
    ),
}


def leaf_commands() -> set[str]:
    """Every command of the real command tree that runs something (not a group)."""
    found: set[str] = set()

    def walk(cmd: typer.core.TyperGroup, prefix: str) -> None:
        ctx = typer.Context(cmd)
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if isinstance(sub, typer.core.TyperGroup):
                walk(sub, f"{prefix}{name} ")
            else:
                found.add(f"{prefix}{name}")

    walk(typer.main.get_command(app), "")
    return found


def test_every_command_has_a_case() -> None:
    commands = leaf_commands()
    assert {"screen", "data add", "io shock", "users list"} <= commands
    cased = {name.split("#")[0] for name in CASES}  # "data add#comext": a variant
    assert sorted(commands - cased) == [], "commands without a case: add them to CASES"
    assert sorted(cased - commands) == [], "cases of commands that no longer exist"


# -- the small world under odd paths -------------------------------------------------------


@dataclass
class World:
    """The shared small store and the folders the cases use."""

    base: Path
    store: Path
    inputs: Path
    shared: Path


def _write_inputs(inputs: Path, shared: Path) -> None:
    baci = inputs / "baci"
    baci.mkdir(parents=True)
    write_country_dict(baci)
    write_product_dict(baci, sorted({r[3] for r in FLOWS}))
    write_trade(baci, 2022, FLOWS)
    shutil.copytree(baci, shared / "baci_raw_materials_hs92")
    write_crm(inputs / "eu_crm")
    write_v2(inputs / "comext's files", 202301, JAN)  # data add comext --usd-per-eur
    (inputs / "usd's rates.csv").write_text(RATES, encoding="utf-8")
    (inputs / "icio").mkdir()
    write_icio(icio_frame()[0], inputs / "icio" / "2022_SML.csv")
    (inputs / "toy's bom.yaml").write_text(TOY, encoding="utf-8")
    write_eutl(inputs / "ets's eutl", ETS_ROWS)  # industry emissions
    (inputs / "it's companies.yaml").write_text(  # industry companies
        "companies:\n  - {name: Staal, stage: test, holders: [Staal B.V.]}\n", encoding="utf-8"
    )
    (inputs / "it's kpis.yaml").write_text(  # industry kpis
        "kpis:\n  - id: rd\n    name: R&D\n    unit: '%'\n"
        "    target: {kind: at_least, level: 3, source: letter}\n"
        "    series: {kind: wdi_indicators, indicator: GB.XPD.RSDV.GD.ZS, country: NLD,"
        " load: data add wdi}\n",
        encoding="utf-8",
    )
    (inputs / "it's instruments.yaml").write_text(  # industry instruments
        "instruments:\n  - instrument: X\n    name: Mine\n    source: test\n    rows:\n"
        "      - {round: '1', figure: budget, amount_eur: 10}\n",
        encoding="utf-8",
    )
    write_tsv(inputs / "eurostat's tsv")  # industry costs
    write_ember(inputs / "ember's csv")
    (inputs / "it's profile.yaml").write_text(
        "consumption_mwh: 200000\nload_factor: 0.9\n", encoding="utf-8"
    )
    (inputs / "it's targets.yaml").write_text(  # industry targets
        "targets:\n  - {id: half, name: Half, source: test, baseline_year: 2021,"
        " target_year: 2030, reduction_share: 0.5}\n",
        encoding="utf-8",
    )
    (inputs / "halt's scenario.yaml").write_text(  # stockpile plan: CHN halts for 6 months
        "name: CHN halt\ndisruptions:\n  - name: CHN\n    suppliers: [{supplier: CHN}]\n"
        "    onset_month: 1\n    duration: {distribution: fixed, months: 6}\n",
        encoding="utf-8",
    )
    # kansenkaart suppliers import: an agency's list and its column mapping (no map data in
    # the shared folder here: the province comes from its column)
    (inputs / 'agency\'s "list".csv').write_text(
        "Naam;KvK;Gemeente;Provincie;Werkpakketten\n"
        "Quoted Valves (test);12345678;Vlissingen;Zeeland;valves\n",
        encoding="utf-8",
    )
    (inputs / "mapping's.yaml").write_text(
        "columns:\n  name: Naam\n  kvk: KvK\n  municipality: Gemeente\n"
        "  province: Provincie\n  capabilities: Werkpakketten\n",
        encoding="utf-8",
    )


def _tables(store: Path, name: str, kind: str, tables: dict[str, pd.DataFrame]) -> None:
    from ketenradar.datasets import DataStore
    from ketenradar.sources.tables import ParsedSource, write_tables_dataset

    write_tables_dataset(
        DataStore(store),
        name=name,
        source=name,
        kind=kind,
        parsed=ParsedSource(tables, [], "test"),
        licence="test",
        citation="test",
        parser_version="t",
    )


def _build_store(store: Path, inputs: Path) -> None:
    """Trade, EU CRM, an ICIO table, WGI and WMD (cobalt), and some accounts."""
    from ketenradar import api
    from ketenradar.registry import db, service

    api.add_dataset("baci", [inputs / "baci"], data_dir=store)
    api.add_dataset("eu_crm", [inputs / "eu_crm"], data_dir=store)
    api.add_dataset("icio", [inputs / "icio" / "2022_SML.csv"], data_dir=store)
    countries = {"CHN": -0.5, "DEU": 1.5, "JPN": 1.2, "CHL": 1.0, "COD": -1.5, "MMR": -1.2}
    countries |= {"POL": 0.8, "NLD": 1.0, "USA": 1.3, "BRA": 0.1}
    countries |= {f"X{i:02d}": 0.0 for i in range(150)}  # the default year needs 150 countries
    wgi = [
        {"country": c, "country_label": c, "year": y, "indicator": i, "estimate": e}
        for y in (2019, 2022)
        for c, e in countries.items()
        for i in ("VA", "PV", "GE", "RQ", "RL", "CC")
    ]
    _tables(store, "wgi", "governance", {"wgi": pd.DataFrame(wgi)})
    production = [
        {
            "material": "cobalt",
            "source_name": "Cobalt",
            "stage": "processing",
            "description": "Non-Ferrous Metals",
            "country": c,
            "country_label": c or "Total",
            "row_type": "world" if c is None else "country",
            "year": 2022,
            "value": v,
            "unit": "metr. t",
            "estimated": False,
            "note": None,
            "release": "test",
        }
        for c, v in (("CHN", 90.7), ("BRA", 10.2), (None, 100.9))
    ]
    hs_map = {
        "reference_id": "Cobalt",
        "sheet": "Cobalt",
        "material": "cobalt",
        "category": "Non-Ferrous Metals",
        "stage": "processing",
        "eol_rir": 0.22,
        "hs_codes": "282200;810510",
        "description": "Cobalt",
        "reference": "test",
    }
    _tables(
        store,
        "wmd",
        "mineral_production",
        {"production": pd.DataFrame(production), "hs_map": pd.DataFrame([hs_map])},
    )
    url = f"sqlite:///{store / 'ketenradar.db'}"
    db.upgrade(url)
    sessions = db.sessions(url)
    # tina: the token cases' user (the users cases change bob and deactivate dora)
    for name, role in (
        ("root", "admin"),
        ("bob", "viewer"),
        ("dora", "viewer"),
        ("tina", "analyst"),
    ):
        service.create_user(sessions, name, PASSWORD, role)
    for name in ("ada", "gone"):
        service.create_user(sessions, name, PASSWORD, "viewer")
    service.set_active(sessions, "ada", False, by="test")
    db.engine(url).dispose()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    base = tmp_path_factory.mktemp("quoted")
    w = World(base, base / ODD_STORE, base / ODD_INPUTS, base / ODD_SHARED)
    _write_inputs(w.inputs, w.shared)
    _build_store(w.store, w.inputs)
    return w


def _entry_point() -> str:
    """The installed ``ketenradar`` command of this environment."""
    exe = Path(sys.executable).with_name("ketenradar")
    found = str(exe) if exe.is_file() else shutil.which("ketenradar")
    assert found, "the ketenradar entry point is not installed (pip install -e .)"
    return found


def _env(home: Path, shared: Path) -> dict[str, str]:
    """The environment of a run: no KETENRADAR_* from outside (a database URL or data dir
    would redirect the command), the default data dir under ``home``, wide plain output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETENRADAR_")}
    env |= {
        "XDG_DATA_HOME": str(home / "xdg-data"),
        "XDG_CONFIG_HOME": str(home / "xdg-config"),
        "KETENRADAR_SHARED_DATA": str(shared),
        "COLUMNS": "10000",
        "NO_COLOR": "1",
        "TERM": "dumb",
    }
    return env


def _command(case: Case, data: Path, fill) -> tuple[list[str], dict[str, str]]:
    """The argv (with the data dir as the case says) and the extra environment."""
    argv = [fill(a) for a in shlex.split(case.args)]
    if case.via == "global":
        return [_entry_point(), "--data-dir", str(data), *argv], {}
    if case.via == "local":
        return [_entry_point(), *argv, "--data-dir", str(data)], {}
    return [_entry_point(), *argv], {"KETENRADAR_DATA_DIR": str(data)}


def _recorded_command(path: Path) -> str:
    """The command in a result's provenance: a JSON file, or a Parquet file's metadata."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return json.loads(pq.read_schema(path).metadata[b"ketenradar.provenance"])["command"]
    return json.loads(path.read_text())["command"]


def _assert_clean(proc: subprocess.CompletedProcess[str], code: int) -> None:
    shown = f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    assert "Traceback" not in proc.stdout + proc.stderr, shown
    assert proc.returncode == code, shown


def _serve(command: list[str], env: dict[str, str], cwd: Path) -> str:
    """Start ``serve`` on a free port, wait for the health check, return /api/v1/datasets."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(150):
            if proc.poll() is not None:
                break
            try:
                urllib.request.urlopen(f"{url}/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        if proc.poll() is not None:
            _, stderr = proc.communicate()
            pytest.fail(f"serve stopped with exit {proc.returncode}:\n{stderr}")
        body = urllib.request.urlopen(f"{url}/datasets", timeout=10).read().decode()
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl+C, as the command says
        stdout, stderr = proc.communicate(timeout=20)
    _assert_clean(subprocess.CompletedProcess(command, proc.returncode, stdout, stderr), SERVE_EXIT)
    return json.dumps(json.loads(body))


@pytest.mark.parametrize("name", sorted(CASES))
def test_command_in_a_quoted_data_dir(
    name: str, world: World, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    case = CASES[name]
    data = tmp_path / ODD_STORE if case.fresh else world.store
    out = tmp_path / ODD_OUT
    out.mkdir()
    url = ""
    if name == "data fetch":  # the release as a zip on a local HTTP server
        server = request.getfixturevalue("http_server")
        with zipfile.ZipFile(server.root / "BACI_HS92_V202401b.zip", "w") as zf:
            for f in (world.inputs / "baci").iterdir():
                zf.write(f, f.name)
        url = server.url("")
    places = {
        "{data}": str(data),
        "{inputs}": str(world.inputs),
        "{shared}": str(world.shared),
        "{out}": str(out),
        "{url}": url,
    }

    def fill(text: str) -> str:
        for key, value in places.items():
            text = text.replace(key, value)
        return text

    env = _env(tmp_path, world.shared)
    for step in case.setup:
        command, extra = _command(Case(step, via=case.via), data, fill)
        proc = subprocess.run(
            command, env=env | extra, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        _assert_clean(proc, 0)
    command, extra = _command(case, data, fill)
    if name == "serve":
        stdout = _serve(command, env | extra, tmp_path)
    else:
        proc = subprocess.run(
            command,
            env=env | extra,
            cwd=tmp_path,
            input=case.stdin,
            capture_output=True,
            text=True,
            timeout=180,
        )
        _assert_clean(proc, case.code)
        stdout = proc.stdout
        assert fill(case.err) in proc.stderr, proc.stderr
    assert fill(case.out) in stdout, stdout
    if case.creates:
        assert Path(fill(case.creates)).is_file()
    if case.provenance:  # the recorded command, pasted into a shell, runs the same command
        recorded = _recorded_command(Path(fill(case.provenance)))
        given = [fill(a) for a in shlex.split(case.args)]
        given += ["--data-dir", str(data)] if case.via == "local" else []
        assert shlex.split(recorded) == ["ketenradar", *given]
    # the command used the data dir it was given, not the platform's default one
    assert not (tmp_path / "xdg-data" / "ketenradar").exists()
