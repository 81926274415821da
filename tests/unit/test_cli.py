"""The ``ketenradar`` command end to end on small hand-made BACI files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import write_country_dict, write_product_dict, write_trade
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


def test_balance(loaded: Path) -> None:
    res = runner.invoke(app, ["balance", "--importer", "NLD", "--format", "csv"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(pd.io.common.StringIO(res.stdout)).set_index("partner")
    chn = df.loc["CHN"]
    assert chn["importer_dependent_products"] == 1
    assert chn["importer_dependent_kusd"] == 100
    assert chn["partner_dependent_products"] == 1
    assert chn["partner_dependent_kusd"] == 50
    assert chn["balance_ratio_kusd"] == pytest.approx(0.5)
    res = runner.invoke(app, ["balance", "--partner", "CHN", "--products", "--format", "csv"])
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
