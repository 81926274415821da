"""The WDI connector on hand-made copies of the World Bank's bulk CSV (BOM, 4 metadata lines,
a trailing empty column, mostly empty cells), loose, in the World Bank's zip (with its
``Metadata_*`` members) and under a folder whose path holds a space and quotes; broken copies
each fail naming file, line and field with nothing written; a later file wins; the zip is
fetched from a local server through ``data fetch wdi`` and ingested (issue 18, item 1)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ketenradar import api
from ketenradar.core.errors import DataError, UsageError
from ketenradar.datasets import open_store
from ketenradar.datasets.engine import read_table
from ketenradar.datasets.kinds import canonical_tables, load_hint
from ketenradar.interfaces.cli.app import app
from ketenradar.sources.wdi import DEFAULT_INDICATOR, VALUE_COLUMNS, WDI_API, WdiConnector

runner = CliRunner()

IND = ("Research and development expenditure (% of GDP)", "GB.XPD.RSDV.GD.ZS")
YEARS = ["2021", "2022", "2023"]
ROWS = [
    ["Netherlands", "NLD", *IND, "2.26", "2.21", "2.26719"],
    ["European Union", "EUU", *IND, "2.2", "", "2.262773"],
    ["Aruba", "ABW", *IND, "", "", ""],
]
HEAD = ["Country Name", "Country Code", "Indicator Name", "Indicator Code", *YEARS]


def _line(fields: list[str]) -> str:
    return ",".join('"' + f + '"' for f in fields) + ","  # WDI ends every line with a comma


def wdi_text(
    rows: list[list[str]] = ROWS, head: list[str] = HEAD, updated: str = "2026-07-13"
) -> str:
    lines = [
        _line(["Data Source", "World Development Indicators"]),
        "",
        _line(["Last Updated Date", updated]),
        "",
        _line(head),
        *(_line(r) for r in rows),
    ]
    return "\ufeff" + "\n".join(lines) + "\n"


def write_wdi(
    folder: Path, name: str = "API_GB.XPD.RSDV.GD.ZS_DS2_en_csv_v2_232.csv", **kw
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(wdi_text(**kw).encode("utf-8"))
    return p


def wdi_zip(path: Path, **kw) -> Path:
    """The World Bank's download: the data CSV and two metadata CSVs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("API_GB.XPD.RSDV.GD.ZS_DS2_en_csv_v2_232.csv", wdi_text(**kw))
        zf.writestr(
            "Metadata_Country_API_GB.XPD.RSDV.GD.ZS_DS2_en_csv_v2_232.csv",
            '"Country Code","Region","IncomeGroup"\n"NLD","Europe","High income"\n',
        )
        zf.writestr(
            "Metadata_Indicator_API_GB.XPD.RSDV.GD.ZS_DS2_en_csv_v2_232.csv",
            '"INDICATOR_CODE","INDICATOR_NAME"\n"GB.XPD.RSDV.GD.ZS","R&D"\n',
        )
    return path


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """A folder whose path holds a space, an apostrophe and double quotes."""
    return tmp_path / 'it\'s a "WDI" folder'


def _no_dataset(data: Path) -> None:
    assert [d.name for d in open_store(data).list()] == []


def _fails(path: Path, data: Path, *, line: int, fld: str) -> DataError:
    with pytest.raises(DataError) as exc:
        api.add_dataset("wdi", [path], data_dir=data)
    e = exc.value
    assert (e.file, e.line, e.field) == (str(path), line, fld)
    _no_dataset(data)
    r = runner.invoke(app, ["--data-dir", str(data), "data", "add", "wdi", str(path)])
    assert r.exit_code == 4, r.output
    said = " ".join(r.output.split())
    assert fld in said and f"line {line}" in said
    _no_dataset(data)
    return e


def _values(data: Path) -> dict[tuple[str, str, int], float]:
    df = read_table(open_store(data).get("wdi"), "values")
    assert list(df.columns) == list(VALUE_COLUMNS)
    return {
        (c, i, int(y)): v
        for c, i, y, v in zip(df["country"], df["indicator"], df["year"], df["value"], strict=True)
    }


def test_a_good_file(odd: Path, tmp_path: Path) -> None:
    write_wdi(odd)
    data = tmp_path / "store dir"
    r = runner.invoke(app, ["--data-dir", str(data), "data", "add", "wdi", str(odd)])
    assert r.exit_code == 0, r.output
    got = _values(data)
    code = IND[1]
    # empty cells give no row: 3 NLD + 2 EUU, nothing for Aruba
    assert got == {
        ("NLD", code, 2021): 2.26,
        ("NLD", code, 2022): 2.21,
        ("NLD", code, 2023): 2.26719,
        ("EUU", code, 2021): 2.2,
        ("EUU", code, 2023): 2.262773,
    }
    df = read_table(open_store(data).get("wdi"), "values")
    assert set(df["country_label"]) == {"Netherlands", "European Union"}
    assert set(df["indicator_label"]) == {IND[0]}
    m = open_store(data).get("wdi").manifest
    assert m.kind == "wdi_indicators" and m.release == "WDI, last updated 2026-07-13"
    assert m.licence.startswith("CC BY 4.0")
    assert m.attributes["empty_cells"] == 4 and m.warnings == []
    (again,) = api.add_dataset("wdi", [odd], data_dir=data)
    assert again.changed is False


def test_the_world_banks_zip_is_read_as_it_is(odd: Path, tmp_path: Path) -> None:
    z = wdi_zip(odd / "API_GB.XPD.RSDV.GD.ZS_DS2_en_csv_v2.zip")
    (rep,) = api.add_dataset("wdi", [z], data_dir=tmp_path / "store")
    assert rep.manifest.tables["values"]["rows"] == 5
    assert rep.manifest.attributes["metadata_files_skipped"] == 2


def test_metadata_csvs_in_a_folder_are_skipped(odd: Path, tmp_path: Path) -> None:
    write_wdi(odd)
    (odd / "Metadata_Country_API_GB.XPD.RSDV.GD.ZS_DS2_en_csv_v2_232.csv").write_text(
        '"Country Code","Region"\n"NLD","Europe"\n'
    )
    (rep,) = api.add_dataset("wdi", [odd], data_dir=tmp_path / "store")
    assert rep.manifest.tables["values"]["rows"] == 5
    assert [i.name for i in rep.manifest.inputs] == ["API_GB.XPD.RSDV.GD.ZS_DS2_en_csv_v2_232.csv"]


def test_a_later_file_wins_and_differences_are_counted(odd: Path, tmp_path: Path) -> None:
    a = write_wdi(odd / "a")
    rows = [["Netherlands", "NLD", *IND, "2.26", "2.3", "2.26719"]]
    b = write_wdi(odd / "b", rows=rows, updated="2026-09-01")
    (rep,) = api.add_dataset("wdi", [a, b], data_dir=tmp_path / "store")
    got = _values(tmp_path / "store")
    assert got["NLD", IND[1], 2022] == 2.3 and got["EUU", IND[1], 2023] == 2.262773
    name = a.name
    assert any(
        w.startswith(f"1 value(s) differ between {name} and {name}; kept those of {name}")
        for w in rep.warnings
    )
    assert rep.manifest.release == "WDI, last updated 2026-07-13, 2026-09-01"


def test_two_indicators_in_one_dataset(odd: Path, tmp_path: Path) -> None:
    write_wdi(odd)
    other = ("Researchers in R&D (per million people)", "SP.POP.SCIE.RD.P6")
    write_wdi(
        odd,
        name="API_SP.POP.SCIE.RD.P6_DS2_en_csv_v2_37695.csv",
        rows=[["Netherlands", "NLD", *other, "5900.1", "", ""]],
    )
    (rep,) = api.add_dataset("wdi", [odd], data_dir=tmp_path / "store")
    got = _values(tmp_path / "store")
    assert got["NLD", "SP.POP.SCIE.RD.P6", 2021] == 5900.1 and len(got) == 6
    assert rep.manifest.attributes["indicators"] == {IND[1]: IND[0], other[1]: other[0]}


def test_a_renamed_column(odd: Path, tmp_path: Path) -> None:
    head = ["Country Name", "Country ISO3", "Indicator Name", "Indicator Code", *YEARS]
    f = write_wdi(odd, head=head)
    _fails(f, tmp_path / "store", line=5, fld="Country Code")


def test_a_header_year_that_is_not_a_year(odd: Path, tmp_path: Path) -> None:
    f = write_wdi(odd, head=[*HEAD[:-1], "2023 [YR2023]"])
    _fails(f, tmp_path / "store", line=5, fld="2023 [YR2023]")


@pytest.mark.parametrize("bad", ["2,27", "..", "n/a", "inf"])
def test_a_bad_number(odd: Path, tmp_path: Path, bad: str) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][5] = bad
    f = write_wdi(odd, rows=rows)
    e = _fails(f, tmp_path / "store", line=7, fld="2022")
    assert repr(bad) in str(e)


def test_a_country_given_twice_in_one_file(odd: Path, tmp_path: Path) -> None:
    f = write_wdi(odd, rows=[*ROWS, ["Netherlands", "NLD", *IND, "", "", "1"]])
    e = _fails(f, tmp_path / "store", line=9, fld="Country Code")
    assert "first on line 6" in str(e)


def test_a_bad_country_code(odd: Path, tmp_path: Path) -> None:
    f = write_wdi(odd, rows=[*ROWS, ["Netherlands", "NL", *IND, "", "", "1"]])
    _fails(f, tmp_path / "store", line=9, fld="Country Code")


def test_a_bad_last_updated_date(odd: Path, tmp_path: Path) -> None:
    f = write_wdi(odd, updated="13/07/2026")
    _fails(f, tmp_path / "store", line=3, fld="Last Updated Date")


def test_the_kind_is_declared_by_its_connector() -> None:
    assert canonical_tables("wdi_indicators") == {"values": VALUE_COLUMNS}
    assert list(VALUE_COLUMNS) == [
        "country", "country_label", "indicator", "indicator_label", "year", "value",
    ]  # fmt: skip
    assert load_hint("wdi_indicators") == (
        "ketenradar data add wdi ../shared/data/nl_kpis/worldbank_wdi"
    )


def test_fetch_url() -> None:
    c = WdiConnector()
    assert c.fetch_url() == (
        f"{WDI_API}/{DEFAULT_INDICATOR}?downloadformat=csv",
        f"API_{DEFAULT_INDICATOR}_DS2_en_csv_v2.zip",
    )
    assert c.fetch_url("http://h/x/", indicator="SP.POP.SCIE.RD.P6")[0] == (
        "http://h/x/SP.POP.SCIE.RD.P6?downloadformat=csv"
    )
    with pytest.raises(UsageError):
        c.fetch_url(indicator="GB/../x")


def test_cli_fetch_the_zip_from_a_local_server_and_ingest(http_server, tmp_path: Path) -> None:
    body = wdi_zip(tmp_path / "src" / "w.zip").read_bytes()
    http_server.add_file(f"wb/{DEFAULT_INDICATOR}", body)
    data = tmp_path / "store dir"
    sha = hashlib.sha256(body).hexdigest()
    res = runner.invoke(
        app,
        ["data", "fetch", "wdi", "--base-url", http_server.url("wb"), "--sha256", sha,
         "--data-dir", str(data)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "downloaded" in res.output and "added wdi" in res.output
    saved = data / "downloads" / f"API_{DEFAULT_INDICATOR}_DS2_en_csv_v2.zip"
    assert saved.read_bytes() == body
    assert _values(data)["NLD", IND[1], 2023] == 2.26719
    assert any("downloadformat=csv" in r.path for r in http_server.requests)
