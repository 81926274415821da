"""The CBS StatLine connector on hand-made tables in CBS's OData CSV layout (BOM, semicolons,
quoted and space-padded values, CRLF, a metadata file in sections with quoted newlines): a
table with one dimension, one without (monthly, quarterly, yearly periods) and one with two
dimensions, under a folder whose path holds a space and quotes, loose or zipped; broken copies
each fail naming file, line and field with nothing written; a zip is fetched from a local
server through ``data fetch`` and ingested (issue 18, item 1)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
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
from ketenradar.sources.cbs_statline import OBSERVATION_COLUMNS, CbsStatlineConnector

runner = CliRunner()

PROPS_HEAD = ["ID", "Position", "ParentID", "Type", "Key", "Title", "Description",
              "ReleasePolicy", "Datatype", "Unit", "Decimals", "Default"]  # fmt: skip


def _q(fields: list[str]) -> str:
    return ";".join('"' + f.replace('"', '""') + '"' for f in fields)


def write_table(
    folder: Path,
    table: str,
    *,
    dims: dict[str, dict[str, str]],
    time_key: str,
    periods: dict[str, str],
    topics: list[tuple[str, str, str]],
    rows: list[list[str]],
    header: list[str] | None = None,
    identifier: str | None = None,
) -> tuple[Path, Path]:
    """A ``<table>_UntypedDataSet_<date>.csv`` and ``<table>_metadata.csv`` pair. ``rows``
    hold the dimension codes, the period and the values (padded here as CBS does)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ['"TableInfos"']
    lines.append(_q(["ID", "Title", "ShortTitle", "Identifier", "Summary", "Modified"]))
    lines.append(_q(["0", f"Test table {table} ", "Test", identifier or table,
                     "line one\nline two", "2024-05-06T02:00:00"]))  # fmt: skip
    lines.append('"DataProperties"')
    lines.append(_q(PROPS_HEAD))
    pid = 0
    for d in dims:
        lines.append(_q([str(pid), str(pid), "", "Dimension", d, d, "", "", "", "", "", ""]))
        pid += 1
    lines.append(_q([str(pid), str(pid), "", "TimeDimension", time_key, time_key, "", "true",
                     "", "", "", ""]))  # fmt: skip
    pid += 1
    lines.append(_q([str(pid), "", "", "TopicGroup", "", "A group", "", "", "", "", "", ""]))
    group = pid
    for key, title, unit in topics:
        pid += 1
        desc = "Described;\nover two lines"
        lines.append(_q([str(pid), str(pid), str(group), "Topic", key, title, desc, "",
                         "Double", unit, "1", "Impossible"]))  # fmt: skip
    for d, codes in dims.items():
        lines.append(_q([d]))
        lines.append(_q(["Key", "Title", "Description"]))
        for code, title in codes.items():
            lines.append(_q([code + " ", title, ""]))  # CBS pads some codes
    lines.append(_q([time_key]))
    lines.append(_q(["Key", "Title", "Description", "Status"]))
    for code, title in periods.items():
        lines.append(_q([code, title, "", "Definitief"]))
    meta = folder / f"{table}_metadata.csv"
    meta.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    head = header or ["ID", *dims, time_key, *(k for k, _, _ in topics)]
    out = [_q(head)]
    nd = len(dims) + 1
    for i, r in enumerate(rows):
        out.append(_q([str(i), *r[:nd], *(v.rjust(8) for v in r[nd:])]))
    data = folder / f"{table}_UntypedDataSet_06052024_101010.csv"
    data.write_bytes(("\ufeff" + "\r\n".join(out) + "\r\n").encode("utf-8"))
    return data, meta


def write_emissions(folder: Path, **kw) -> tuple[Path, Path]:
    """One dimension (like 83300ENG), yearly."""
    args = {
        "dims": {"DutchEconomy": {"B000579": "Total Dutch economy", "307500": "C Manufacturing"}},
        "time_key": "Periods",
        "periods": {"1990JJ00": "1990", "2021JJ00": "2021"},
        "topics": [
            ("TotalCO2_1", "Total CO2", "mln kgs"),
            ("GreenhouseGasEquivalents_6", "Greenhouse gas equivalents", "x mln"),
        ],
        "rows": [
            ["B000579", "1990JJ00", "179680", "238279"],
            ["B000579", "2021JJ00", "150000.5", "206812"],
            ["307500", "1990JJ00", "50000", "65702"],
            ["307500", "2021JJ00", "x", "46388"],
        ],
    }
    args.update(kw)
    return write_table(folder, "99990ENG", **args)


def write_gas(folder: Path) -> tuple[Path, Path]:
    """No dimension but time (like 86103NED), months, a quarter and a year, '.' and ''."""
    return write_table(
        folder,
        "99991NED",
        dims={},
        time_key="Perioden",
        periods={
            "2015MM01": "2015 januari",
            "2015KW01": "2015 1e kwartaal",
            "2015JJ00": "2015",
        },
        topics=[
            ("TotaalAanbod_1", "Totaal aanbod", "mln m3"),
            ("InvoerUitRusland_13", "Invoer uit Rusland", "mln m3"),
        ],
        rows=[
            ["2015MM01", "4981", "."],
            ["2015KW01", "14000", ""],
            ["2015JJ00", "45000", "12"],
        ],
    )


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """A folder whose path holds a space, an apostrophe and double quotes."""
    return tmp_path / 'it\'s a "CBS" folder'


def _no_dataset(data: Path) -> None:
    assert [d.name for d in open_store(data).list()] == []


def _fails(
    paths: list[Path], data: Path, *, file: Path, line: int | None, fld: str | None
) -> DataError:
    with pytest.raises(DataError) as exc:
        api.add_dataset("cbs_statline", paths, data_dir=data)
    e = exc.value
    assert (e.file, e.line, e.field) == (str(file), line, fld)
    _no_dataset(data)
    r = runner.invoke(
        app, ["--data-dir", str(data), "data", "add", "cbs_statline", *map(str, paths)]
    )
    assert r.exit_code == 4, r.output
    said = " ".join(r.output.split())
    if fld:
        assert fld in said
    if line:
        assert f"line {line}" in said
    _no_dataset(data)
    return e


def _rows(data: Path) -> dict[tuple, tuple]:
    df = read_table(open_store(data).get("cbs_statline"), "observations")
    assert list(df.columns) == list(OBSERVATION_COLUMNS)
    out = {}
    for r in df.itertuples(index=False):
        start = r.period_start.date() if hasattr(r.period_start, "date") else r.period_start
        out[r.table_id, r.code, r.period, r.measure] = (
            start, r.frequency, r.dimension, r.code_label, r.measure_label, r.unit, r.value,
            r.source,
        )  # fmt: skip
    return out


def test_two_tables_from_a_folder(odd: Path, tmp_path: Path) -> None:
    write_emissions(odd)
    write_gas(odd)
    data = tmp_path / "store dir"
    r = runner.invoke(app, ["--data-dir", str(data), "data", "add", "cbs_statline", str(odd)])
    assert r.exit_code == 0, r.output
    got = _rows(data)
    assert len(got) == 4 * 2 + 3 * 2
    src = "99990ENG_UntypedDataSet_06052024_101010.csv"
    assert got["99990ENG", "B000579", "1990JJ00", "GreenhouseGasEquivalents_6"] == (
        dt.date(1990, 1, 1), "year", "DutchEconomy", "Total Dutch economy",
        "Greenhouse gas equivalents", "x mln", 238279.0, src,
    )  # fmt: skip
    assert got["99990ENG", "307500", "2021JJ00", "GreenhouseGasEquivalents_6"][6] == 46388.0
    assert got["99990ENG", "B000579", "2021JJ00", "TotalCO2_1"][6] == 150000.5
    assert math.isnan(got["99990ENG", "307500", "2021JJ00", "TotalCO2_1"][6])  # 'x'
    assert got["99990ENG", "307500", "1990JJ00", "TotalCO2_1"][3] == "C Manufacturing"
    # no dimension: dimension, code and label NULL; month, quarter, year
    m = got["99991NED", None, "2015MM01", "TotaalAanbod_1"]
    assert m[:3] == (dt.date(2015, 1, 1), "month", None) and m[3] is None and m[6] == 4981.0
    q = got["99991NED", None, "2015KW01", "TotaalAanbod_1"]
    assert q[:2] == (dt.date(2015, 1, 1), "quarter") and q[6] == 14000.0
    assert got["99991NED", None, "2015JJ00", "InvoerUitRusland_13"][1:2] == ("year",)
    assert math.isnan(got["99991NED", None, "2015MM01", "InvoerUitRusland_13"][6])  # '.'
    assert math.isnan(got["99991NED", None, "2015KW01", "InvoerUitRusland_13"][6])  # ''
    man = open_store(data).get("cbs_statline").manifest
    assert man.kind == "statline_table" and man.licence.startswith("CC BY 4.0")
    assert man.release == (
        "CBS StatLine 99990ENG (modified 2024-05-06), 99991NED (modified 2024-05-06)"
    )
    assert man.attributes["tables"]["99990ENG"]["title"] == "Test table 99990ENG"
    assert any(w.startswith("99990ENG: 1 empty value(s)") for w in man.warnings)
    assert any(
        w.startswith("99991NED: 2 empty value(s)") and "InvoerUitRusland_13 (2)" in w
        for w in man.warnings
    )
    (again,) = api.add_dataset("cbs_statline", [odd], data_dir=data)
    assert again.changed is False


def test_quarter_period_start() -> None:
    from ketenradar.sources.cbs_statline import parse_period

    assert parse_period("2020KW03", file="f", line=2, fld="Periods") == (
        dt.date(2020, 7, 1),
        "quarter",
    )
    assert parse_period("2015MM12", file="f", line=2, fld="Periods") == (
        dt.date(2015, 12, 1),
        "month",
    )


def test_two_dimensions_are_joined(odd: Path, tmp_path: Path) -> None:
    write_table(
        odd,
        "99992NED",
        dims={
            "Geslacht": {"3000": "Mannen", "4000": "Vrouwen"},
            "Leeftijd": {"10000": "Totaal", "52020": "15 tot 75 jaar"},
        },
        time_key="Perioden",
        periods={"2020JJ00": "2020"},
        topics=[("Werkzamen_1", "Werkzame beroepsbevolking", "x 1 000")],
        rows=[["3000", "10000", "2020JJ00", "5"], ["4000", "52020", "2020JJ00", "4.5"]],
    )
    api.add_dataset("cbs_statline", [odd], data_dir=tmp_path / "store")
    got = _rows(tmp_path / "store")
    v = got["99992NED", "4000;52020", "2020JJ00", "Werkzamen_1"]
    assert v[2] == "Geslacht;Leeftijd" and v[3] == "Vrouwen | 15 tot 75 jaar" and v[6] == 4.5


def test_a_zip_holding_both_files(odd: Path, tmp_path: Path) -> None:
    d, m = write_emissions(tmp_path / "src")
    odd.mkdir()
    z = odd / "99990ENG.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(d, d.name)
        zf.write(m, m.name)
    (rep,) = api.add_dataset("cbs_statline", [z], data_dir=tmp_path / "store")
    assert rep.manifest.tables["observations"]["rows"] == 8
    assert [i.name for i in rep.manifest.inputs] == ["99990ENG.zip"]


def test_data_without_metadata_and_the_reverse(odd: Path, tmp_path: Path) -> None:
    d, m = write_emissions(odd)
    e = _fails([d], tmp_path / "store", file=d, line=None, fld=None)
    assert "without its metadata" in str(e)
    e = _fails([m], tmp_path / "store", file=m, line=None, fld=None)
    assert "without its data file" in str(e)


def test_an_unknown_column(odd: Path, tmp_path: Path) -> None:
    d, _ = write_emissions(
        odd, header=["ID", "DutchEconomy", "Periods", "TotalCO2_1", "GreenhouseGasEquivalents_7"]
    )
    e = _fails([odd], tmp_path / "store", file=d, line=1, fld="GreenhouseGasEquivalents_7")
    assert "not declared" in str(e)


@pytest.mark.parametrize("bad", ["1990", "1990JJ01", "2020KW05", "2015MM13", "2020HJ01"])
def test_a_bad_period_code(odd: Path, tmp_path: Path, bad: str) -> None:
    d, _ = write_emissions(
        odd,
        rows=[["B000579", "1990JJ00", "1", "2"], ["307500", bad, "1", "2"]],
    )
    e = _fails([odd], tmp_path / "store", file=d, line=3, fld="Periods")
    assert repr(bad) in str(e)


@pytest.mark.parametrize("bad", ["1,5", "n/a", "-", "inf"])
def test_a_non_numeric_value(odd: Path, tmp_path: Path, bad: str) -> None:
    d, _ = write_emissions(
        odd, rows=[["B000579", "1990JJ00", "1", "2"], ["307500", "1990JJ00", "3", bad]]
    )
    _fails([odd], tmp_path / "store", file=d, line=3, fld="GreenhouseGasEquivalents_6")


def test_a_duplicate_key(odd: Path, tmp_path: Path) -> None:
    d, _ = write_emissions(
        odd,
        rows=[
            ["307500", "1990JJ00", "1", "2"],
            ["B000579", "1990JJ00", "1", "2"],
            ["307500", "1990JJ00", "3", "4"],
        ],
    )
    e = _fails([odd], tmp_path / "store", file=d, line=4, fld="Periods")
    assert "first on line 2" in str(e)


def test_a_code_not_in_the_metadata(odd: Path, tmp_path: Path) -> None:
    d, _ = write_emissions(odd, rows=[["307501", "1990JJ00", "1", "2"]])
    _fails([odd], tmp_path / "store", file=d, line=2, fld="DutchEconomy")


def test_metadata_of_another_table(odd: Path, tmp_path: Path) -> None:
    _, m = write_emissions(odd, identifier="83300ENG")
    _fails([odd], tmp_path / "store", file=m, line=3, fld="Identifier")


def test_the_kind_is_declared_by_its_connector() -> None:
    assert canonical_tables("statline_table") == {"observations": OBSERVATION_COLUMNS}
    assert load_hint("statline_table") == (
        "ketenradar data add cbs_statline ../shared/data/nl_kpis/cbs"
    )


def test_fetch_url_needs_a_base_url() -> None:
    c = CbsStatlineConnector()
    with pytest.raises(UsageError):
        c.fetch_url()
    assert c.fetch_url("http://h/cbs/", table="83300ENG") == (
        "http://h/cbs/83300ENG.zip",
        "83300ENG.zip",
    )
    assert c.fetch_url("http://h/x/83300ENG.zip") == ("http://h/x/83300ENG.zip", "83300ENG.zip")
    with pytest.raises(UsageError):
        c.fetch_url("http://h/x/")


def test_cli_fetch_a_zip_from_a_local_server_and_ingest(http_server, tmp_path: Path) -> None:
    d, m = write_gas(tmp_path / "src")
    z = tmp_path / "z.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(d, d.name)
        zf.write(m, m.name)
    body = z.read_bytes()
    http_server.add_file("cbs/99991NED.zip", body)
    data = tmp_path / "store dir"
    sha = hashlib.sha256(body).hexdigest()
    res = runner.invoke(
        app,
        ["data", "fetch", "cbs_statline", "--base-url", http_server.url("cbs/99991NED.zip"),
         "--sha256", sha, "--data-dir", str(data)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "downloaded" in res.output and "added cbs_statline" in res.output
    assert (data / "downloads" / "99991NED.zip").read_bytes() == body
    df = read_table(open_store(data).get("cbs_statline"), "observations")
    assert len(df) == 6 and set(df["table_id"]) == {"99991NED"}
    res = runner.invoke(app, ["data", "fetch", "cbs_statline", "--data-dir", str(data)])
    assert res.exit_code == 2 and "--base-url" in res.output


def test_a_table_given_twice(odd: Path, tmp_path: Path) -> None:
    d, m = write_emissions(tmp_path / "src")
    z = tmp_path / "copy.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(d, d.name)
    e = _fails([d, m, z], tmp_path / "store", file=Path(f"{z}!{d.name}"), line=None, fld=None)
    assert "given twice" in str(e)


def test_a_zip_member_compressed_with_bzip2_is_refused(tmp_path: Path) -> None:
    d, m = write_emissions(tmp_path / "src")
    z = tmp_path / "bz.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_BZIP2) as zf:
        zf.write(d, d.name)
        zf.write(m, m.name)
    with pytest.raises(DataError, match="bzip2"):
        api.add_dataset("cbs_statline", [z], data_dir=tmp_path / "store")
    _no_dataset(tmp_path / "store")
