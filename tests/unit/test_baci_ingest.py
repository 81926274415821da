"""BACI ingestion: layouts, atomicity, idempotence and every kind of bad input."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import pytest
from conftest import write_country_dict, write_product_dict, write_trade

from ketenradar import api
from ketenradar.core.errors import DataError, NotFoundError
from ketenradar.datasets import DataStore

ROWS = [
    (2022, 156, 528, "260111", 80.0, "1.5"),
    (2022, 842, 528, "260111", 10.0, "NA"),
    (2022, 276, 528, "260111", 10.0, "2"),
    (2022, 528, 842, 260111, 30.0, "1"),  # product code with lost leading zero? no: 6 digits
    (2022, 528, 276, "10121", 20.0, "   NA"),  # lost leading zero, padded NA
    (2022, 490, 528, "010121", "   5.5", "   0.5"),  # padded numbers, BACI special code
]


def _folder(tmp_path: Path, rows: list[tuple] = ROWS, year: int = 2022, **kw) -> Path:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    write_country_dict(src)
    write_product_dict(src, ["010121", "260111"])
    write_trade(src, year, rows, **kw)
    return src


def _trade(store_dir: Path, name: str = "baci_hs92_v202401b"):
    ds = DataStore(store_dir).get(name)
    return duckdb.sql(
        f"SELECT * FROM read_parquet({[str(p) for p in ds.table_files('trade')]}) "
        "ORDER BY exporter, importer, product"
    ).df()


def test_ingest_folder_and_canonical_columns(tmp_path: Path, data_dir: Path) -> None:
    reports = api.add_dataset("baci", [_folder(tmp_path)], data_dir=data_dir)
    assert [r.dataset for r in reports] == ["baci_hs92_v202401b"]
    df = _trade(data_dir)
    assert list(df.columns) == [
        "year", "exporter", "importer", "product", "value_kusd", "quantity_t",
    ]  # fmt: skip
    assert len(df) == 6
    assert set(df["product"]) == {"010121", "260111"}
    assert (df["product"].str.len() == 6).all()
    assert set(df["exporter"]) == {"CHN", "USA", "DEU", "NLD", "S19"}
    assert df.loc[df.exporter == "S19", "value_kusd"].item() == 5.5
    assert df["quantity_t"].isna().sum() == 2
    m = reports[0].manifest
    assert m.source == "baci" and m.release == "V202401b"
    assert m.tables["trade"]["years"] == {"2022": 6}
    assert {i.role for i in m.inputs} == {"trade", "countries", "products"}
    assert all(len(i.sha256) == 64 for i in m.inputs)
    assert m.licence and m.citation and m.parser_version and m.ingested_at


def test_special_codes_are_kept_and_labelled(tmp_path: Path, data_dir: Path) -> None:
    api.add_dataset("baci", [_folder(tmp_path)], data_dir=data_dir)
    ds = DataStore(data_dir).get("baci_hs92_v202401b")
    c = duckdb.sql(f"SELECT * FROM read_parquet('{ds.table_files('countries')[0]}')").df()
    s19 = c[c.source_code == 490].iloc[0]
    assert s19.iso3 == "S19" and bool(s19.is_special) and "Other Asia" in s19.note
    nam = c[c.source_code == 516].iloc[0]
    assert nam.iso3 == "NAM" and not nam.is_special  # 'NA' is Namibia, not missing


def test_idempotent_and_atomic_update(tmp_path: Path, data_dir: Path) -> None:
    src = _folder(tmp_path)
    first = api.add_dataset("baci", [src], data_dir=data_dir)[0]
    again = api.add_dataset("baci", [src], data_dir=data_dir)[0]
    assert first.changed and not again.changed
    assert again.manifest.version == first.manifest.version
    # a broken new file leaves the previous version live and usable
    bad = tmp_path / "bad"
    bad.mkdir()
    write_trade(bad, 2021, [(2021, 156, 528, "260111", -1.0, "NA")])
    with pytest.raises(DataError):
        api.add_dataset("baci", [bad, src / "country_codes_V202401b.csv"], data_dir=data_dir)
    live = DataStore(data_dir).get("baci_hs92_v202401b")
    assert live.manifest.version == first.manifest.version
    assert len(_trade(data_dir)) == 6
    assert not any((data_dir / "staging").iterdir())


def test_adding_a_year_keeps_the_others(tmp_path: Path, data_dir: Path) -> None:
    src = _folder(tmp_path)
    api.add_dataset("baci", [src], data_dir=data_dir)
    more = tmp_path / "more"
    more.mkdir()
    write_trade(more, 2021, [(2021, 156, 528, "260111", 7.0, "NA")])
    rep = api.add_dataset("baci", [more], data_dir=data_dir)[0]  # dictionaries: previous ones
    assert rep.manifest.tables["trade"]["years"] == {"2021": 1, "2022": 6}
    assert sorted(_trade(data_dir)["year"].unique()) == [2021, 2022]


def test_release_zip(tmp_path: Path, data_dir: Path) -> None:
    src = _folder(tmp_path)
    z = tmp_path / "BACI_HS92_V202401b.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in src.iterdir():
            zf.write(f, f.name)
        zf.writestr("Readme.txt", "BACI")
    rep = api.add_dataset("baci", [z], data_dir=data_dir)[0]
    assert rep.manifest.tables["trade"]["rows"] == 6
    assert any("!" in (i.origin or "") for i in rep.manifest.inputs)


def test_truncated_zip(tmp_path: Path, data_dir: Path) -> None:
    src = _folder(tmp_path)
    z = tmp_path / "BACI_HS92_V202401b.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for f in src.iterdir():
            zf.write(f, f.name)
    data = z.read_bytes()
    z.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="truncated") as e:
        api.add_dataset("baci", [z], data_dir=data_dir)
    assert str(z) in str(e.value)
    assert DataStore(data_dir).names() == []


def _error(tmp_path: Path, data_dir: Path, rows: list[tuple], **kw) -> DataError:
    with pytest.raises(DataError) as e:
        api.add_dataset("baci", [_folder(tmp_path, rows, **kw)], data_dir=data_dir)
    assert DataStore(data_dir).names() == []  # nothing half-written
    return e.value


GOOD = (2022, 156, 528, "260111", 1.0, "NA")


@pytest.mark.parametrize(
    ("bad_row", "field", "reason"),
    [
        ((2022, 156, 528, "260111", -3.0, "NA"), "v", "negative"),
        ((2022, "abc", 528, "260111", 1.0, "NA"), "i", "convert"),
        ((2022, 156, 528, "2601111", 1.0, "NA"), "k", "HS code"),
        ((2022, 156, 528, "26AB", 1.0, "NA"), "k", "HS code"),
        ((2021, 156, 528, "260111", 1.0, "NA"), "t", "year differs"),
        ((2022, 156, 528, "260111", 1.0, "lots"), "q", "not a number"),
        ((2022, 156, 528, "260111", "", "NA"), "v", "missing"),
    ],
)
def test_bad_values_name_file_line_field(
    tmp_path: Path, data_dir: Path, bad_row: tuple, field: str, reason: str
) -> None:
    rows = [GOOD, (2022, 842, 528, "260111", 2.0, "NA"), bad_row]
    e = _error(tmp_path, data_dir, rows)
    assert e.line == 4, e
    assert e.field == field, e
    assert reason in str(e), e
    assert "BACI_HS92_Y2022_V202401b.csv" in str(e)


def test_malformed_row(tmp_path: Path, data_dir: Path) -> None:
    rows = [GOOD, (2022, 842, 528, "260111", 2.0, "NA", "extra")]
    e = _error(tmp_path, data_dir, rows)
    assert e.line == 3
    assert "too many columns" in str(e)


def test_missing_and_renamed_columns(tmp_path: Path, data_dir: Path) -> None:
    e = _error(tmp_path, data_dir, [GOOD[:5]], header="t,i,j,k,v")
    assert e.field == "q" and e.line == 1
    e = _error(tmp_path, data_dir, [GOOD], header="t,i,j,k,value_usd,q")
    assert e.field == "v" and "missing column" in str(e)


def test_duplicate_keys(tmp_path: Path, data_dir: Path) -> None:
    e = _error(tmp_path, data_dir, [GOOD, (2022, 842, 528, "1", 2.0, "NA"), GOOD])
    assert "duplicate key" in str(e) and "k=260111" in str(e)


def test_unknown_country_codes_are_counted_and_kept(tmp_path: Path, data_dir: Path) -> None:
    rows = [GOOD, (2022, 999, 528, "260111", 2.0, "NA"), (2022, 528, 999, "260111", 1.0, "NA")]
    rep = api.add_dataset("baci", [_folder(tmp_path, rows)], data_dir=data_dir)[0]
    assert any("999" in w and "2 exporter/importer" in w for w in rep.warnings)
    df = _trade(data_dir)
    assert len(df) == 3
    assert "X999" in set(df["exporter"])


def test_missing_dictionary(tmp_path: Path, data_dir: Path) -> None:
    src = tmp_path / "only"
    src.mkdir()
    f = write_trade(src, 2022, [GOOD])
    with pytest.raises(DataError, match="country dictionary"):
        api.add_dataset("baci", [f], data_dir=data_dir)


def test_not_a_baci_file(tmp_path: Path, data_dir: Path) -> None:
    p = tmp_path / "notes.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="no BACI trade file"):
        api.add_dataset("baci", [p], data_dir=data_dir)
    with pytest.raises(DataError, match="no such file"):
        api.add_dataset("baci", [tmp_path / "nope.csv"], data_dir=data_dir)


def test_remove(tmp_path: Path, data_dir: Path) -> None:
    api.add_dataset("baci", [_folder(tmp_path)], data_dir=data_dir)
    api.remove_dataset("baci_hs92_v202401b", data_dir=data_dir)
    assert api.list_datasets(data_dir).empty
    with pytest.raises(NotFoundError):
        api.remove_dataset("baci_hs92_v202401b", data_dir=data_dir)


def test_year_ranges_show_gaps() -> None:
    from ketenradar.core.provenance import year_ranges

    assert year_ranges([]) == ""
    assert year_ranges([2022]) == "2022"
    assert year_ranges([2024, 1995, 1996, 2009, 2017, *range(1997, 2009)]) == (
        "1995–2009, 2017, 2024"
    )
    assert year_ranges(["2021", "2022", "2020"]) == "2020–2022"


def test_data_list_shows_missing_years(tmp_path: Path, data_dir: Path) -> None:
    from typer.testing import CliRunner

    from ketenradar.interfaces.cli.app import app

    src = _folder(tmp_path)  # 2022
    for y in (2005, 2006, 2007, 2010):
        write_trade(src, y, [(y, 156, 528, "260111", 1.0, "NA")])
    res = CliRunner().invoke(app, ["data", "add", "baci", str(src)])
    assert res.exit_code == 0, res.output
    assert "years 2005–2007, 2010, 2022" in " ".join(res.output.split())
    assert api.list_datasets(data_dir)["years"].tolist() == ["2005–2007, 2010, 2022"]
    res = CliRunner().invoke(app, ["data", "list", "--format", "csv"])
    assert "2005–2007, 2010, 2022" in res.output, res.output
