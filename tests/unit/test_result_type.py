"""The one result type: Provenance round-trips, column schemas are built from one vocabulary
per module, and every writer puts the schema into its file (XLSX ``columns`` sheet, Parquet
field metadata, the CSV sidecar) next to the provenance; ad-hoc frames are written as before."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from ketenradar.core import modules as registry
from ketenradar.core.errors import DataError, UsageError
from ketenradar.core.modules import Column
from ketenradar.core.provenance import make_provenance, new_provenance, provenance_lines
from ketenradar.core.results import (
    ATTRIBUTION,
    COLUMNS,
    UNITS,
    Provenance,
    Result,
    frame_schema,
    schema,
)
from ketenradar.interfaces.reports.writers import (
    PROVENANCE_KEY,
    write_frame,
    write_parquet,
    write_xlsx,
)
from ketenradar.results import starter
from ketenradar.results.facts import Facts

TRADE = registry.get("trade")


def _prov(**extra) -> Provenance:
    """A provenance naming the starter pack's real BACI dataset record."""
    baci = starter.manifest()["datasets"][0]
    return new_provenance(
        analysis="strategic import dependency screening",
        methods=["EU 2021 (SWD(2021) 352)"],
        datasets=[baci],
        parameters={"importer": "NLD", "year": 2022},
        thresholds={"supplier_hhi": 0.4},
        command="ketenradar screen --importer NLD --year 2022",
        notes=["trade-based step only"],
        **extra,
    )


@pytest.fixture(scope="module")
def result() -> Result:
    """Real starter-pack rows of two trade tables with their declared schemas."""
    screening = starter.read("screening")
    screening = screening[(screening["importer"] == "NLD") & (screening["year"] == 2022)].head(5)
    balance = starter.read("balance").head(4)
    for df in (screening, balance):
        df.attrs = {}
    return Result(
        {"screening": screening.reset_index(drop=True), "balance": balance},
        _prov(),
        {t: TRADE.fact_table(t).columns for t in ("screening", "balance")},
    )


# -- Provenance ------------------------------------------------------------------------------


def test_provenance_round_trips_through_its_dict():
    prov = _prov()
    d = prov.to_dict()
    assert list(d) == [
        "tool",
        "analysis",
        "generated_at",
        "command",
        "methods",
        "thresholds",
        "parameters",
        "datasets",
        "notes",
    ]
    assert Provenance.from_dict(d) == prov
    assert Provenance.from_dict(d).to_dict() == d
    # through JSON too (a CSV sidecar, the Parquet key)
    assert Provenance.from_dict(json.loads(json.dumps(d))) == prov
    # the record make_provenance returns for df.attrs is the same shape
    made = make_provenance(
        analysis="a", methods=["m"], datasets=[], parameters={"x": 1}, command="ketenradar x"
    )
    assert list(made) == list(d)
    assert Provenance.from_dict(made).parameters == {"x": 1}
    assert made["tool"].startswith("ketenradar ")


def test_provenance_keeps_further_keys_and_is_not_changed_through_its_dict():
    d = {**_prov().to_dict(), "scenario": {"sha256": "ab"}}
    prov = Provenance.from_dict(d)
    assert prov.extra == {"scenario": {"sha256": "ab"}}
    assert prov.to_dict() == d
    out = prov.to_dict()
    out["parameters"]["importer"] = "DEU"
    out["datasets"][0]["inputs"].clear()
    assert prov.parameters["importer"] == "NLD" and prov.datasets[0]["inputs"]
    d["parameters"]["importer"] = "FRA"  # the record it was read from does not change it either
    assert prov.parameters["importer"] == "NLD"
    assert prov.lines() == provenance_lines(prov.to_dict())
    assert any(line.startswith("Data: baci_hs92_v202401b") for line in prov.lines())


def test_a_record_that_is_not_a_provenance_is_refused_naming_what_is_wrong():
    with pytest.raises(DataError, match="no tool, analysis, generated_at, command, methods"):
        Provenance.from_dict({"starter_pack": {}, "table": "screening"})
    d = _prov().to_dict()
    with pytest.raises(DataError, match="field 'methods'"):
        Provenance.from_dict({**d, "methods": "EU 2021"})
    with pytest.raises(DataError, match=r"field 'datasets\[0\]'"):
        Provenance.from_dict({**d, "datasets": ["baci"]})
    with pytest.raises(DataError, match="field 'parameters'"):
        Provenance.from_dict({**d, "parameters": [1]})


# -- the column schema -----------------------------------------------------------------------


def test_schema_takes_a_tables_own_definition_before_the_shared_one():
    vocab = {
        "year": Column("year", "year", "", "trade year"),
        "scores.year": Column("year", "assessment_year", "", "assessment year"),
    }
    assert schema("screening", "year importer", vocab, COLUMNS) == (
        vocab["year"],
        COLUMNS["importer"],
    )
    assert schema("scores", ["year"], vocab, COLUMNS) == (vocab["scores.year"],)
    assert schema("x", "partner", {}, COLUMNS) == (COLUMNS["partner"],)
    with pytest.raises(UsageError, match="column 'nope' of table 'x' is in no column vocabulary"):
        schema("x", "year nope", vocab)
    with pytest.raises(UsageError, match=r"lists column\(s\) year twice"):
        schema("x", "year year", vocab)
    with pytest.raises(UsageError, match="entry 'bad' is column 'year', not 'bad'"):
        schema("x", "bad", {"bad": Column("year", "year")})


BUILTIN = [m for m in registry.modules() if m.builtin]


@pytest.mark.parametrize("module", BUILTIN, ids=[m.name for m in BUILTIN])
def test_each_vocabulary_entry_names_its_column_and_a_real_table_that_uses_it(module):
    """A ``"<table>.<column>"`` entry overrides a table the module has, no entry is left
    unused, and every unit is one the docs explain. A module's tables: its fact tables and the
    tables it computes on request (``Module.results``, e.g. io's shock)."""
    facts = importlib.import_module(f"{module.package}.facts")
    tables = {t.name: set(t.columns) for t in module.facts}
    tables |= {t.name: set(t.columns) for t in module.results}
    used = set().union(*tables.values())
    for key, column in facts.COLUMNS.items():
        table, _, name = key.rpartition(".")
        assert name == column.name, key
        if table:
            assert column in tables.get(table, set()), f"{key}: not a column of table '{table}'"
        assert column in used, f"{module.name}: vocabulary entry '{key}' is used by no table"
        assert column.unit in UNITS or not column.unit, f"{key}: unit {column.unit!r}"


def test_frame_schema_follows_the_frame_and_knows_the_attribution_columns():
    df = pd.DataFrame(columns=["partner", "year", "source", "extra"])
    got = frame_schema(df, TRADE.fact_table("balance").columns)
    assert [c.name for c in got] == ["partner", "year", "source", "extra"]
    assert got[2] == ATTRIBUTION["source"] and got[3] == Column("extra", "")
    assert got[1].description == "The trade year screened (BACI)"


def test_a_result_names_its_tables_and_refuses_a_schema_for_a_missing_one(result: Result):
    assert result.name("balance") == "balance"
    with pytest.raises(UsageError, match="holds 2 tables"):
        result.name()
    with pytest.raises(UsageError, match="no table 'nope'"):
        result.frame("nope")
    frame = result.frame("balance")
    assert frame.attrs["provenance"] == result.provenance.to_dict()
    assert result.tables["balance"].attrs == {}  # the stored frame is left as it was
    with pytest.raises(UsageError, match=r"table\(s\) suppliers that the result does not hold"):
        Result(result.tables, result.provenance, {"suppliers": ()})
    again = Result.from_frame(frame, "balance", TRADE.fact_table("balance").columns)
    assert again.provenance == result.provenance
    assert [c.name for c in again.schema()] == list(frame.columns)
    with pytest.raises(UsageError, match="carries no provenance"):
        Result.from_frame(pd.DataFrame({"a": [1]}))


# -- writers ---------------------------------------------------------------------------------


def test_xlsx_has_a_columns_sheet_next_to_provenance(result: Result, tmp_path: Path):
    path = tmp_path / "r.xlsx"
    write_xlsx(result, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["screening", "balance", "provenance", "columns"]
    rows = list(wb["columns"].iter_rows(values_only=True))
    assert rows[0] == ("sheet", "column", "label", "unit", "description")
    by = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert len(rows) - 1 == sum(len(df.columns) for df in result.tables.values())
    assert by[("screening", "imports_kusd")][:2] == ("Imports (thousand USD)", "kUSD")
    assert by[("screening", "supplier_hhi")][0] == "Supplier HHI"
    assert by[("balance", "balance_ratio_kusd")][0] == "Balance (value)"
    assert by[("balance", "source")][0] == "Source"
    prov = "\n".join(str(c.value) for c in wb["provenance"]["A"])
    assert "baci_hs92_v202401b" in prov and "sha256" in prov
    data = pd.read_excel(path, sheet_name="screening", dtype={"product": str})
    assert list(data.columns) == list(result.tables["screening"].columns)


def test_parquet_stores_each_columns_label_unit_and_description(result: Result, tmp_path: Path):
    path = tmp_path / "s.parquet"
    tables = {"screening": result.tables["screening"]}
    one = Result(tables, result.provenance, {"screening": result.columns["screening"]})
    write_parquet(one, path)
    sch = pq.read_schema(path)
    meta = sch.field("external_imports_kusd").metadata
    assert meta[b"label"] == b"Imports from outside the bloc (thousand USD)"
    assert meta[b"label_key"] == b"trade_col_external_imports_kusd"
    assert meta[b"unit"] == b"kUSD"
    assert meta[b"description"].decode().startswith("Imports from suppliers outside")
    assert sch.field("licence").metadata[b"label"] == b"Licence"
    assert b"unit" not in sch.field("year").metadata  # no unit: no key
    assert Provenance.from_dict(json.loads(sch.metadata[PROVENANCE_KEY])) == result.provenance
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, result.tables["screening"].reset_index(drop=True))


def test_csv_sidecar_lists_the_columns(result: Result, tmp_path: Path):
    path = tmp_path / "b.csv"
    write_frame(result.frame("balance"), "csv", path, columns=TRADE.fact_table("balance").columns)
    side = json.loads((tmp_path / "b.csv.provenance.json").read_text())
    cols = side.pop("columns")
    assert Provenance.from_dict(side) == result.provenance
    assert [c["name"] for c in cols] == list(result.tables["balance"].columns)
    first = cols[3]
    assert first == {
        "name": "importer_dependent_products",
        "label": "Importer dependent: products",
        "label_key": "country_col_importer_dependent_products",
        "unit": "count",
        "description": "The importer's dependent products (EU 2021, materiality minimum "
        "included) whose top external supplier is the partner",
    }
    assert pd.read_csv(path).shape == result.tables["balance"].shape


def test_a_result_of_several_tables_goes_to_xlsx_only(result: Result, tmp_path: Path):
    with pytest.raises(UsageError, match=r"holds 2 tables \(screening, balance\): name one"):
        write_frame(result, "csv", tmp_path / "x.csv")
    with pytest.raises(UsageError, match="holds 2 tables"):
        write_frame(result, "parquet", tmp_path / "x.parquet")
    write_frame(result, "xlsx", tmp_path / "x.xlsx")
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.parquet").exists()
    assert openpyxl.load_workbook(tmp_path / "x.xlsx").sheetnames[-1] == "columns"


def test_a_table_may_not_take_the_name_of_a_sheet_the_writer_adds(result: Result, tmp_path: Path):
    frames = {"columns": result.tables["balance"]}
    with pytest.raises(UsageError, match="may not be named columns"):
        write_xlsx(
            frames, tmp_path / "x.xlsx", columns={"columns": TRADE.fact_table("balance").columns}
        )
    assert not (tmp_path / "x.xlsx").exists()


def test_ad_hoc_frames_are_written_as_before(tmp_path: Path):
    """No schema known: the table and its provenance only, as the writers always did."""
    df = pd.DataFrame({"product": ["260111"], "value": [1.5]})
    df.attrs["provenance"] = _prov().to_dict()
    write_frame(df, "xlsx", tmp_path / "a.xlsx", sheet="screening")
    assert openpyxl.load_workbook(tmp_path / "a.xlsx").sheetnames == ["screening", "provenance"]
    write_frame(df, "parquet", tmp_path / "a.parquet")
    sch = pq.read_schema(tmp_path / "a.parquet")
    assert all(not sch.field(n).metadata for n in sch.names)
    assert json.loads(sch.metadata[PROVENANCE_KEY]) == df.attrs["provenance"]
    write_frame(df, "csv", tmp_path / "a.csv")
    assert json.loads((tmp_path / "a.csv.provenance.json").read_text()) == df.attrs["provenance"]
    bare = pd.DataFrame({"a": [1]})
    write_frame(bare, "csv", tmp_path / "b.csv")
    assert not (tmp_path / "b.csv.provenance.json").exists()


# -- the web's fact manifest -----------------------------------------------------------------


def test_the_fact_manifest_lists_each_tables_columns_as_the_shipped_tables_have_them():
    manifest = Facts().manifest()
    tables = registry.fact_tables()
    assert set(manifest["tables"]) == set(tables)
    for name, entry in manifest["tables"].items():
        declared = [c.name for c in tables[name][1].columns]
        assert [c["name"] for c in entry["columns"]] == [*declared, "source", "licence"]
        assert all(c["label"] and c["description"] for c in entry["columns"]), name
        shipped = pq.read_schema(starter.packaged_dir() / f"{name}.parquet").names
        assert sorted(shipped) == sorted(c["name"] for c in entry["columns"]), name
    screening = {c["name"]: c for c in manifest["tables"]["screening"]["columns"]}
    assert screening["imports_kusd"] == {
        "name": "imports_kusd",
        "label": "trade_col_imports_kusd",
        "unit": "kUSD",
        "description": TRADE.fact_table("screening").columns[5].description,
    }
