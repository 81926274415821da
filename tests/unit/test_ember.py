"""The Ember connector on a hand-made copy of its monthly CSV (negative prices and a blank
month kept), under a folder whose path holds a space and quotes; broken copies each fail
naming file, line and field with nothing written; the live CSV is fetched from a local server
and ingested (issue 18, item 1)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ketenradar import api
from ketenradar.core.errors import DataError
from ketenradar.datasets import open_store
from ketenradar.datasets.engine import read_table
from ketenradar.datasets.kinds import canonical_tables, load_hint
from ketenradar.interfaces.cli.app import app
from ketenradar.sources.download import download
from ketenradar.sources.ember import EMBER_DOWNLOADS, FILE_NAME, PRICE_COLUMNS, EmberConnector

runner = CliRunner()

HEAD = ["Country", "ISO3 Code", "Date", "Price (EUR/MWhe)"]
ROWS = [
    ["Netherlands", "NLD", "2024-04-01", "58.27"],
    ["Netherlands", "NLD", "2024-05-01", "-3.5"],
    ["Germany", "DEU", "2024-04-01", "62.4"],
    ["North Macedonia", "MKD", "2024-04-01", ""],
]


def write_ember(folder: Path, rows: list[list[str]] = ROWS, head: list[str] = HEAD) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerows(rows)
    return path


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """A folder whose path holds a space, an apostrophe and double quotes."""
    return tmp_path / 'it\'s an "Ember" folder'


def _no_dataset(data: Path) -> None:
    assert [d.name for d in open_store(data).list()] == []


def _fails(path: Path, data: Path, *, line: int, fld: str) -> DataError:
    with pytest.raises(DataError) as exc:
        api.add_dataset("ember", [path], data_dir=data)
    e = exc.value
    assert (e.file, e.line, e.field) == (str(path), line, fld)
    _no_dataset(data)
    r = runner.invoke(app, ["--data-dir", str(data), "data", "add", "ember", str(path)])
    assert r.exit_code == 4, r.output
    said = " ".join(r.output.split())
    assert fld in said and f"line {line}" in said
    _no_dataset(data)
    return e


def test_a_good_file(odd: Path, tmp_path: Path) -> None:
    write_ember(odd)
    data = tmp_path / "store dir"
    r = runner.invoke(app, ["--data-dir", str(data), "data", "add", "ember", str(odd)])
    assert r.exit_code == 0, r.output
    ds = open_store(data).get("ember")
    df = read_table(ds, "prices")
    assert list(df.columns) == list(PRICE_COLUMNS)
    got = {
        (c, pd_month.date() if hasattr(pd_month, "date") else pd_month): p
        for c, pd_month, p in zip(df["country"], df["month"], df["eur_per_mwh"], strict=True)
    }
    assert got[("NLD", dt.date(2024, 4, 1))] == 58.27
    assert got[("NLD", dt.date(2024, 5, 1))] == -3.5  # negative prices are kept
    assert got[("DEU", dt.date(2024, 4, 1))] == 62.4
    assert got[("MKD", dt.date(2024, 4, 1))] != got[("MKD", dt.date(2024, 4, 1))]  # NULL
    assert set(df["country_label"]) == {"Netherlands", "Germany", "North Macedonia"}
    m = ds.manifest
    assert m.kind == "wholesale_prices" and m.release == "Ember monthly wholesale prices to 2024-05"
    assert m.licence.startswith("CC BY 4.0")
    assert "1 month(s) without a price kept as NULL: MKD (1)" in m.warnings
    (again,) = api.add_dataset("ember", [odd], data_dir=data)
    assert again.changed is False


def test_a_later_file_wins_and_differences_are_counted(odd: Path, tmp_path: Path) -> None:
    a = write_ember(odd / "a")
    b = write_ember(odd / "b", rows=[["Netherlands", "NLD", "2024-04-01", "60"]])
    (rep,) = api.add_dataset("ember", [a, b], data_dir=tmp_path / "store")
    df = read_table(open_store(tmp_path / "store").get("ember"), "prices")
    assert df.loc[df["country"] == "NLD", "eur_per_mwh"].tolist() == [60.0, -3.5]
    assert any(
        w.startswith(f"1 price(s) differ between {FILE_NAME} and {FILE_NAME}") for w in rep.warnings
    )


def test_a_renamed_column(odd: Path, tmp_path: Path) -> None:
    f = write_ember(odd, head=["Country", "ISO3 Code", "Date", "Price (EUR/MWh)"])
    _fails(f, tmp_path / "store", line=1, fld="Price (EUR/MWhe)")


@pytest.mark.parametrize("bad", ["2024-04-15", "2024-13-01", "04/2024", ""])
def test_a_bad_date(odd: Path, tmp_path: Path, bad: str) -> None:
    rows = [list(r) for r in ROWS]
    rows[2][2] = bad
    f = write_ember(odd, rows=rows)
    _fails(f, tmp_path / "store", line=4, fld="Date")


@pytest.mark.parametrize("bad", ["58,27", "n/a", "inf"])
def test_a_non_numeric_price(odd: Path, tmp_path: Path, bad: str) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][3] = bad
    f = write_ember(odd, rows=rows)
    e = _fails(f, tmp_path / "store", line=3, fld="Price (EUR/MWhe)")
    assert repr(bad) in str(e)


def test_a_duplicate_country_month(odd: Path, tmp_path: Path) -> None:
    f = write_ember(odd, rows=[*ROWS, ["Netherlands", "NLD", "2024-04-01", "58.27"]])
    e = _fails(f, tmp_path / "store", line=6, fld="Date")
    assert "first on line 2" in str(e)


def test_a_bad_iso3_code(odd: Path, tmp_path: Path) -> None:
    f = write_ember(odd, rows=[*ROWS, ["Netherlands", "NL", "2024-06-01", "58"]])
    _fails(f, tmp_path / "store", line=6, fld="ISO3 Code")


def test_the_kind_is_declared_by_its_connector() -> None:
    assert canonical_tables("wholesale_prices") == {"prices": PRICE_COLUMNS}
    assert list(PRICE_COLUMNS) == ["country", "country_label", "month", "eur_per_mwh"]
    assert load_hint("wholesale_prices") == "ketenradar data add ember ../shared/data/ember"


def test_fetch_the_live_csv_from_a_server_then_ingest(http_server, tmp_path: Path) -> None:
    c = EmberConnector()
    assert c.fetch_url() == (f"{EMBER_DOWNLOADS}/{FILE_NAME}", FILE_NAME)
    body = write_ember(tmp_path / "src").read_bytes()
    http_server.add_file(f"price/{FILE_NAME}", body)
    url, name = c.fetch_url(http_server.url("price/"))
    res = download(url, tmp_path / "dl dir" / name)
    assert res.path.read_bytes() == body
    (rep,) = api.add_dataset("ember", [res.path], data_dir=tmp_path / "store")
    assert rep.manifest.tables["prices"]["rows"] == 4
