"""The ``ketenradar`` command end to end on small hand-made BACI files."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import ENGINES, write_country_dict, write_product_dict, write_trade
from typer.testing import CliRunner

from ketenradar.interfaces.cli.app import app

runner = CliRunner()

# Product 260111: NLD depends on CHN. Product 010121: CHN depends on NLD.
FLOWS = [
    (2022, 156, 528, "260111", 100.0, "NA"),
    (2022, 528, 842, "260111", 10.0, "NA"),
    (2022, 528, 156, "010121", 50.0, "NA"),
    (2022, 156, 842, "010121", 5.0, "NA"),
    (2022, 276, 528, "010121", 1.0, "NA"),
]


@pytest.fixture
def loaded(tmp_path: Path, data_dir: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    write_country_dict(src)
    write_product_dict(src, ["010121", "260111"])
    write_trade(src, 2022, FLOWS)
    res = runner.invoke(app, ["data", "add", "baci", str(src)])
    assert res.exit_code == 0, res.output
    assert "added baci_hs92_v202401b" in res.output
    return data_dir


def test_data_list_and_show(loaded: Path) -> None:
    res = runner.invoke(app, ["data", "list", "--format", "csv"])
    assert res.exit_code == 0
    assert "baci_hs92_v202401b" in res.output
    res = runner.invoke(app, ["data", "show", "baci_hs92_v202401b"])
    assert res.exit_code == 0
    assert "sha256" in res.output and "BACI terms" in res.output


def test_data_dir_precedence(loaded: Path, tmp_path: Path) -> None:
    """The command's --data-dir, then the global --data-dir, then $KETENRADAR_DATA_DIR."""
    empty = str(tmp_path / "empty")

    def listed(*args: str) -> bool:
        res = runner.invoke(app, [*args])
        assert res.exit_code == 0, res.output
        return "baci_hs92_v202401b" in res.output

    assert listed("data", "list", "--format", "csv")  # the environment: the loaded store
    assert not listed("--data-dir", empty, "data", "list", "--format", "csv")
    assert listed("--data-dir", empty, "data", "list", "--data-dir", str(loaded), "--format", "csv")
    assert not listed("data", "list", "--data-dir", empty, "--format", "csv")


def test_readding_is_unchanged(loaded: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["data", "add", "baci", str(tmp_path / "src")])
    assert res.exit_code == 0
    assert "unchanged" in res.output


def test_screen_csv_with_provenance(loaded: Path, tmp_path: Path) -> None:
    out = tmp_path / "nld.csv"
    res = runner.invoke(
        app, ["screen", "--importer", "NLD", "--year", "2022", "--format", "csv",
              "--output", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, dtype={"product": str})
    row = df.set_index("product").loc["260111"]
    assert row["top_supplier"] == "CHN"
    assert bool(row["dependent_eu2021"])
    assert "ecosystem" in df.columns
    prov = json.loads(out.with_name("nld.csv.provenance.json").read_text())
    assert prov["parameters"]["importer"] == "NLD"
    assert prov["thresholds"]["supplier_hhi"] == 0.4
    assert len(prov["datasets"][0]["inputs"][0]["sha256"]) == 64
    assert "screen" in prov["command"]


@pytest.mark.parametrize(
    "command",
    [["screen", "--importer", "NLD"], ["balance", "--importer", "NLD", "--partner", "CHN"]],
    ids=["screen", "balance"],
)
def test_csv_on_stdout_gives_its_provenance_only_on_request(loaded: Path, command) -> None:
    """Issue 15, point 20: ``--format csv`` without ``--output`` writes the table to stdout
    and its provenance to stderr only with ``--provenance`` (like the table output)."""
    args = [*command, "--year", "2022", "--format", "csv"]
    plain_run = runner.invoke(app, args)
    assert plain_run.exit_code == 0, plain_run.output
    assert plain_run.stderr == ""
    table = pd.read_csv(io.StringIO(plain_run.stdout))
    assert "importer" in table.columns and len(table) > 0
    asked = runner.invoke(app, [*args, "--provenance"])
    assert asked.exit_code == 0, asked.output
    assert asked.stdout == plain_run.stdout  # the table is the same, and alone on stdout
    lines = asked.stderr.splitlines()
    assert lines and all(line.startswith("# ") for line in lines), asked.stderr
    assert any("BACI" in line for line in lines) and any("Method" in line for line in lines)


def test_quickstart_says_where_the_rows_left_out_are(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15, point 20: quickstart has neither --format nor --limit, so the line under its
    tables points to the CSV file it writes; screen's points to its own options."""
    shared = tmp_path / "shared"
    baci = shared / "baci_raw_materials_hs92"
    baci.mkdir(parents=True)
    codes = [f"2601{k:02d}" for k in range(18)]  # 18 products NLD imports from CHN alone
    write_country_dict(baci)
    write_product_dict(baci, codes)
    flows = [(2022, 156, 528, c, 1000.0, "NA") for c in codes]
    write_trade(baci, 2022, flows + [(2022, 156, 842, c, 10.0, "NA") for c in codes])
    monkeypatch.setenv("KETENRADAR_SHARED_DATA", str(shared))
    out = tmp_path / "o"
    res = runner.invoke(app, ["quickstart", "--year", "2022", "--output", str(out)])
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert "18 products imported; 18 dependent (EU 2021)" in text
    packed = "".join(res.stdout.split())  # the terminal may wrap a long path anywhere
    assert f"3morerowsin{out / 'screen_NLD_2022.csv'}" in packed
    assert len(pd.read_csv(out / "screen_NLD_2022.csv")) == 18  # it holds them
    assert "--format" not in res.stdout and "--limit" not in res.stdout
    res = runner.invoke(app, ["screen", "--year", "2022", "--limit", "5"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert "13 more rows: --limit N shows more; --format csv writes every row" in text


def test_screen_xlsx_and_parquet(loaded: Path, tmp_path: Path) -> None:
    import openpyxl

    x = tmp_path / "nld.xlsx"
    res = runner.invoke(app, ["screen", "--format", "xlsx", "--output", str(x)])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(x)
    assert wb.sheetnames == ["screening", "provenance", "columns"]
    text = "\n".join(str(c.value) for c in wb["provenance"]["A"])
    assert "sha256" in text and "SWD(2021) 352" in text
    # the screening's column schema: a readable label, unit and meaning for each column
    rows = list(wb["columns"].iter_rows(values_only=True))
    header, by_name = rows[0], {r[1]: r for r in rows[1:]}
    assert header[:3] == ("sheet", "column", "label")
    assert by_name["external_imports_kusd"][4] and by_name["top_supplier_share"][3]
    p = tmp_path / "nld.parquet"
    res = runner.invoke(app, ["screen", "--format", "parquet", "--output", str(p)])
    assert res.exit_code == 0, res.output
    meta = pq.read_schema(p).metadata
    prov = json.loads(meta[b"ketenradar.provenance"])
    assert prov["analysis"].startswith("strategic import dependency")
    assert pq.read_table(p).num_rows == 2
    field = pq.read_schema(p).field("external_imports_kusd")
    assert field.metadata[b"unit"] and field.metadata[b"description"]


def test_screen_table_and_bloc(loaded: Path) -> None:
    res = runner.invoke(app, ["screen", "--importer", "EU27"], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    assert "260111" in res.output
    res = runner.invoke(app, ["screen", "--importer", "all", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert {"NLD", "CHN", "USA"} <= set(pd.read_csv(pd.io.common.StringIO(res.stdout))["importer"])


@pytest.mark.parametrize("engine", ENGINES)
def test_balance(loaded: Path, engine: str) -> None:
    """The same balance on each engine (``--engine``); provenance says where it ran."""
    # materiality (default 100 thousand USD from the top supplier): CHN's 50 is no dependency
    res = runner.invoke(
        app, ["balance", "--importer", "NLD", "--format", "csv", "--engine", engine]
    )
    assert res.exit_code == 0, res.output
    chn = pd.read_csv(pd.io.common.StringIO(res.stdout)).set_index("partner").loc["CHN"]
    assert (chn["importer_dependent_kusd"], chn["partner_dependent_products"]) == (100, 0)
    res = runner.invoke(
        app,
        [
            "balance",
            "--importer",
            "NLD",
            "--format",
            "csv",
            "--min-dependency-kusd",
            "0",
            "--engine",
            engine,
        ],
    )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(pd.io.common.StringIO(res.stdout)).set_index("partner")
    chn = df.loc["CHN"]
    assert chn["importer_dependent_products"] == 1
    assert chn["importer_dependent_kusd"] == 100
    assert chn["partner_dependent_products"] == 1
    assert chn["partner_dependent_kusd"] == 50
    assert chn["balance_ratio_kusd"] == pytest.approx(0.5)
    res = runner.invoke(
        app,
        ["balance", "--partner", "CHN", "--products", "--format", "csv",
         "--min-dependency-kusd", "0", "--engine", engine],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    prods = pd.read_csv(pd.io.common.StringIO(res.stdout), dtype={"product": str})
    assert set(prods["product"]) == {"260111", "010121"}


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["screen", "--importer", "XYZW"], 3, "neither an ISO3"),
        (["screen", "--importer", "JPN"], 3, "no imports"),
        (["screen", "--year", "1990"], 3, "no trade dataset holds year 1990"),
        (["screen", "--format", "pdf"], 2, "unknown format"),
        (["screen", "--format", "xlsx"], 2, "needs --output"),
        (["data", "remove", "nope"], 3, "no dataset named"),
        (["balance", "--method", "magic"], 2, "unknown method"),
    ],
)
def test_clear_errors(loaded: Path, args: list[str], code: int, text: str) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code == code, res.output
    assert text in res.output


def test_bad_file_exit_code_and_message(tmp_path: Path, data_dir: Path) -> None:
    src = tmp_path / "bad"
    src.mkdir()
    write_country_dict(src)
    write_product_dict(src, ["260111"])
    write_trade(src, 2022, [(2022, 156, 528, "260111", -5, "NA")])
    res = runner.invoke(app, ["data", "add", "baci", str(src)])
    assert res.exit_code == 4
    assert "BACI_HS92_Y2022_V202401b.csv" in res.output and "line 2" in res.output
    assert "negative" in res.output
    res = runner.invoke(app, ["data", "list", "--format", "csv"])
    assert res.output.strip().splitlines()[1:] == []  # nothing half-written


def test_remove(loaded: Path) -> None:
    res = runner.invoke(app, ["data", "remove", "baci_hs92_v202401b"])
    assert res.exit_code == 0
    res = runner.invoke(app, ["screen"])
    assert res.exit_code == 3
    assert "no trade dataset" in res.output


def test_groups_list(data_dir: Path) -> None:
    res = runner.invoke(app, ["groups", "list"])
    assert res.exit_code == 0
    assert "EU27" in res.output and "LIKE_MINDED" in res.output


def test_real_process_help_and_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ketenradar", "--version"], capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    assert out.stdout.startswith("ketenradar ")
    out = subprocess.run(
        [sys.executable, "-m", "ketenradar", "screen", "--help"], capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    assert "--reference-bloc" in out.stdout


def test_token_create_help_reads_well_at_80_columns() -> None:
    """``users token`` lists ``create`` with its one-line summary; ``users token create
    --help`` still says where the token goes and what is kept, and fits 80 columns."""
    import os

    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("LINES", None)

    def help_of(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "ketenradar", *args, "--help"], capture_output=True,
            text=True, check=True, env=env,
        )  # fmt: skip
        assert max(len(line) for line in done.stdout.splitlines()) <= 80, done.stdout
        return done.stdout

    rows = [" ".join(line.strip("│ ").split()) for line in help_of("users", "token").splitlines()]
    k = rows.index("create Make a personal API token for a user.")
    assert rows[k + 1].startswith("list ")  # the summary is the whole row
    page = help_of("users", "token", "create")
    about = [line.strip() for line in page.split("Usage:")[1].split("╭")[0].splitlines()[1:]]
    # each line of the description is whole: no sentence broken off at the terminal's edge
    assert [line for line in about if line] == [
        "Make a personal API token for a user.",
        "The token is printed once, on standard output; only its SHA-256 is kept.",
        "The rest goes to standard error.",
    ]
    text = " ".join(page.replace("│", " ").split())
    for said in ("Whose token (it acts as this user).", "What the token is for.",
                 "viewer, analyst or admin; at most the user's role.",
                 "Expires after this many days (default: never)."):  # fmt: skip
        assert said in text, said


def test_quickstart_table_counts_every_product_and_shows_the_dependent(loaded: Path) -> None:
    """Issue 15, point 5: the quickstart's table says how many products were imported (all of
    them, as ``screen`` and the report count) and that the rows shown are the dependent ones."""
    from ketenradar.interfaces.cli.common import out
    from ketenradar.modules.trade import api as trade_api
    from ketenradar.modules.trade.analysis.dependencies import Thresholds
    from ketenradar.modules.trade.cli import _print_screen

    df = trade_api.screen("NLD", 2022, data_dir=loaded, thresholds=Thresholds())
    assert len(df) == 2 and int(df["dependent_eu2021"].sum()) == 1
    with out.capture() as cap:
        _print_screen(df, 15, only_dependent=True)
    text = " ".join(cap.get().split())
    assert "2 products imported; 1 dependent (EU 2021)" in text
    assert "Showing 1 dependent (EU 2021) products" in text
