"""``ketenradar stockpile plan`` end to end on the hand-made store of test_stockpile_candidates:
CSV and XLSX with the provenance and the column schema, the table, and a bad scenario refused
with its field named, a non-zero exit code and no output file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from test_stockpile_candidates import store  # noqa: F401  (the module-scoped store)
from typer.testing import CliRunner

from ketenradar.interfaces.cli.app import app
from ketenradar.modules.stockpile import api
from ketenradar.modules.stockpile.facts import PLAN_COLUMN_NAMES


def run(data_dir: Path, *args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, ["--data-dir", str(data_dir), *args])
    return r.exit_code, r.output


ARGS = ("stockpile", "plan", "--importer", "NLD", "--items", "cobalt,copper,gallium")
SMALL = ("--paths", "500", "--seed", "3", "--year", "2022")


def test_csv_with_provenance_equals_the_api(store: Path, tmp_path: Path):  # noqa: F811
    out = tmp_path / "plan.csv"
    code, text = run(store, *ARGS, *SMALL, "--format", "csv", "--output", str(out))
    assert code == 0, text
    assert "(3 rows)" in " ".join(text.split()) and out.is_file()
    df = pd.read_csv(out)
    assert list(df.columns) == PLAN_COLUMN_NAMES
    assert list(df["item"]) == ["cobalt", "copper", "gallium"]  # the item without data stays
    want = api.plan_frame(
        ["cobalt", "copper", "gallium"], "NLD", year=2022, data_dir=store, paths=500, seed=3
    )
    pd.testing.assert_series_equal(df["stock_t"], want["stock_t"], check_exact=False, rtol=1e-9)
    assert df.set_index("item").loc["gallium", "note"].startswith("no annual demand")
    prov = json.loads(Path(f"{out}.provenance.json").read_text())
    record = prov.get("provenance", prov)
    assert record["parameters"]["seed"] == 3 and record["parameters"]["paths"] == 500
    assert record["parameters"]["scenario"]["name"] == "top supplier halted"
    assert "--seed 3" in record["command"]
    assert any(d["release"] for d in record["datasets"])


def test_xlsx_has_the_plan_the_provenance_and_the_columns(store: Path, tmp_path: Path):  # noqa: F811
    out = tmp_path / "plan.xlsx"
    code, text = run(store, *ARGS, *SMALL, "--format", "xlsx", "--output", str(out))
    assert code == 0, text
    sheets = pd.read_excel(out, sheet_name=None)
    assert {"plan", "provenance", "columns"} <= set(sheets)
    assert list(sheets["plan"].columns) == PLAN_COLUMN_NAMES
    labels = sheets["columns"].set_index("column")["label"]
    assert labels["days_of_cover"] == "Days of cover"


def test_table_and_provenance_on_the_terminal(store: Path):  # noqa: F811
    code, text = run(store, *ARGS, *SMALL, "--provenance")
    assert code == 0, text
    assert "Stock plan for NLD" in text and "cobalt" in text and "gallium" in text


def test_bad_scenario_names_the_field_and_writes_nothing(store: Path, tmp_path: Path):  # noqa: F811
    bad = tmp_path / "bad scenario.yaml"
    bad.write_text(
        "name: bad\ndisruptions:\n  - name: CHN\n    probability: 0.1\n"
        "    suppliers: [{supplier: CHN, cut: -0.2}]\n",
        encoding="utf-8",
    )
    out = tmp_path / "plan.csv"
    code, text = run(
        store, *ARGS, *SMALL, "--scenario", str(bad), "--format", "csv", "--output", str(out)
    )
    assert code != 0
    assert "disruptions[0].suppliers[0].cut" in text.replace("\n", "")
    assert "Traceback" not in text
    assert not out.exists() and not Path(f"{out}.provenance.json").exists()


def test_items_and_crm_together_are_refused(store: Path):  # noqa: F811
    code, text = run(store, *ARGS, "--crm")
    assert code != 0 and "not both" in text


def test_parquet_carries_the_provenance(store: Path, tmp_path: Path):  # noqa: F811
    import pyarrow.parquet as pq

    out = tmp_path / "plan.parquet"
    code, text = run(store, *ARGS, *SMALL, "--format", "parquet", "--output", str(out))
    assert code == 0, text
    table = pq.read_table(out)
    assert table.column_names == PLAN_COLUMN_NAMES
    meta = {k.decode(): v.decode() for k, v in table.schema.metadata.items()}
    record = json.loads(meta["ketenradar.provenance"])
    assert record["analysis"] == "stockpile_plan" and record["parameters"]["seed"] == 3


def test_plan_from_a_bom_file_with_a_space_in_its_path(store: Path, tmp_path: Path):  # noqa: F811
    from test_stockpile_bom import BOM

    bom = tmp_path / "my drive's bom.yaml"
    bom.write_text(BOM, encoding="utf-8")
    out = tmp_path / "out dir" / "plan.csv"
    out.parent.mkdir()
    base = ("stockpile", "plan", "--bom", str(bom), "--units-per-year", "1000", *SMALL)
    code, text = run(store, *base, "--format", "csv", "--output", str(out))
    assert code == 0, text
    df = pd.read_csv(out).set_index("item")
    assert list(df.index) == ["copper", "cobalt", f"{bom.stem}/pack", f"{bom.stem}/wire"]
    assert df.at["cobalt", "annual_demand_t"] == 6.0 and df.at["copper", "annual_demand_t"] == 7.0
    assert (df.loc[[f"{bom.stem}/pack", f"{bom.stem}/wire"], "item_kind"] == "component").all()
    prov = json.loads(Path(f"{out}.provenance.json").read_text())
    assert prov.get("provenance", prov)["parameters"]["bom"] == str(bom)
    # --units-per-year without --bom: refused, naming the option, nothing written
    bad = tmp_path / "bad.csv"
    code, text = run(store, *ARGS, *SMALL, "--units-per-year", "3", "--format", "csv",
                     "--output", str(bad))  # fmt: skip
    assert code != 0 and "units per year needs a bill of materials" in text
    assert not bad.exists()
