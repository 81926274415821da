"""The Eurostat nrg_pc_205 connector on hand-made copies of its three layouts (Eurostat's TSV,
the custom-spreadsheet export with its ``A1`` sheet dimensions and flag sheets, the tidy CSV
with labels), under a folder whose path holds a space and quotes; broken copies each fail
naming file, line and field with nothing written; two vintages merge with the newer winning;
the live TSV is fetched from a local server and ingested (issue 18, item 1)."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from ketenradar import api
from ketenradar.core.errors import DataError
from ketenradar.datasets import open_store
from ketenradar.datasets.engine import read_table
from ketenradar.datasets.kinds import canonical_tables, load_hint
from ketenradar.interfaces.cli.app import app
from ketenradar.sources.download import download
from ketenradar.sources.eurostat_prices import (
    EUROSTAT_API,
    PRICE_COLUMNS,
    EurostatPricesConnector,
    parse_cell,
)

runner = CliRunner()

DIMS = "freq,siec,nrg_cons,unit,tax,currency,geo\\TIME_PERIOD"
PERIODS = ["2024-S1", "2024-S2", "2025-S1"]
TSV_ROWS = [
    # Eurostat pads every cell with a blank: "0.1234 " or "0.1234 p" or ": " or ": c"
    ("S,E7000,MWH_GE150000,KWH,X_TAX,EUR,NL", ["0.0800 ", "0.0790 p", ": "]),
    ("S,E7000,MWH_GE150000,KWH,X_VAT,EUR,NL", ["0.0950 ", "0.0951 ", ": c"]),
    ("S,E7000,MWH500-1999,KWH,X_VAT,NAC,DE", ["0.2328 ", "0.2359 e", "0.2281 "]),
    ("S,E7000,MWH_GE150000,KWH,X_VAT,EUR,EU27_2020", ["0.12 ", "0.11 ", "-0.01 "]),
]


def write_tsv(folder: Path, rows=TSV_ROWS, head: str = DIMS, periods=PERIODS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "nrg_pc_205.tsv"
    lines = ["\t".join([head, *(f"{p} " for p in periods)])]
    lines += ["\t".join([key, *cells]) for key, cells in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


TIDY_HEAD = ["geo_label", "nrg_cons", "tax", "currency", "unit", "period", "value"]
IC = "Consumption from 500 MWh to 1 999 MWh - band IC"
XVAT = "Excluding VAT and other recoverable taxes and levies"


def tidy_rows() -> list[list[str]]:
    return [
        ["Netherlands", IC, XVAT, "Euro", "Kilowatt-hour", "2024-S1", "0.1983"],
        ["Netherlands", IC, XVAT, "Euro", "Kilowatt-hour", "2024-S2", ""],
        [
            "European Union - 27 countries (from 2020)",
            IC,
            "Excluding taxes and levies",
            "National currency",
            "Kilowatt-hour",
            "2024-S1",
            "0.1500",
        ],
        ["Kosovo*", IC, XVAT, "Purchasing Power Standard", "Kilowatt-hour", "2024-S1", ": c"],
    ]


def write_tidy(folder: Path, rows: list[list[str]] | None = None, head=TIDY_HEAD) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "nrg_pc_205_tidy.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerows(tidy_rows() if rows is None else rows)
    return path


def _meta(ws, tax: str, currency: str, band: str = IC) -> None:
    ws.append(["Data extracted on 14/08/2025 16:44:29 from [ESTAT]"])
    ws.append(
        ["Dataset: ", "Electricity prices for non-household consumers [nrg_pc_205__custom_1]"]
    )
    ws.append(["Last updated: ", "27/04/2025 11:00"])
    ws.append([])
    ws.append(["Time frequency", None, "Half-yearly, semesterly"])
    ws.append(["Products", None, "Electrical energy"])
    ws.append(["Energy consumption", None, band])
    ws.append(["Unit of measure", None, "Kilowatt-hour"])
    ws.append(["Taxes", None, tax])
    ws.append(["Currency", None, currency])
    ws.append([])
    ws.append(["TIME", "2024-S1", "2024-S2"])
    ws.append(["GEO (Labels)", "", ""])


def write_xlsx(folder: Path, nl: tuple = (0.1983, 0.1900), flag_nl: str = "p", **kw) -> Path:
    """The export's layout: Summary, Structure, then Sheet 1 / Flags 1 (band IC, X_VAT, EUR)
    and Sheet 2 (X_TAX, EUR, no flags sheet); every sheet's dimension rewritten to ``A1`` as
    Eurostat writes it."""
    folder.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.active.title = "Summary"
    wb.active.append(["Electricity prices for non-household consumers"])
    wb.create_sheet("Structure").append(["Structure"])
    s1 = wb.create_sheet("Sheet 1")
    _meta(s1, XVAT, "Euro", **kw)
    s1.append(["Netherlands", *nl])
    s1.append(["Germany", 0.2328, ":"])
    s1.append([])
    s1.append(["Special value"])
    s1.append([":", "not available"])
    f1 = wb.create_sheet("Flags 1")
    _meta(f1, XVAT, "Euro", **kw)
    f1.append(["Netherlands", "", flag_nl])
    f1.append(["Germany", "e", ""])
    f1.append([])
    f1.append(["Observation flags:"])
    s2 = wb.create_sheet("Sheet 2")
    _meta(s2, "Excluding taxes and levies", "Euro", **kw)
    s2.append(["Netherlands", 0.1500, 0.1400])
    path = folder / "EUROSTAT_nrg_pc_205__custom_1_spreadsheet.xlsx"
    tmp = folder / "tmp.xlsx"
    wb.save(tmp)
    with zipfile.ZipFile(tmp) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            zout.writestr(item, data)
    tmp.unlink()
    return path


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """A folder whose path holds a space, an apostrophe and double quotes."""
    return tmp_path / 'it\'s an "Eurostat" folder'


def _no_dataset(data: Path) -> None:
    assert [d.name for d in open_store(data).list()] == []


def _rows(data: Path, name: str = "eurostat_prices") -> dict[tuple, tuple]:
    df = read_table(open_store(data).get(name), "prices")
    assert list(df.columns) == list(PRICE_COLUMNS)
    return {
        (r.geo, r.band, r.tax, r.currency, r.period): (
            None if r.eur_per_kwh != r.eur_per_kwh else r.eur_per_kwh,
            r.flag,
            r.source,
            r.nrg_cons,
            r.year,
            r.semester,
        )
        for r in df.itertuples()
    }


def _fails(paths: list[Path], data: Path, *, line: int, fld: str, file: str) -> DataError:
    with pytest.raises(DataError) as exc:
        api.add_dataset("eurostat_prices", paths, data_dir=data)
    e = exc.value
    assert (e.file, e.line, e.field) == (file, line, fld)
    assert file in str(e) and fld in str(e)
    _no_dataset(data)
    r = runner.invoke(
        app, ["--data-dir", str(data), "data", "add", "eurostat_prices", *map(str, paths)]
    )
    assert r.exit_code == 4, r.output
    said = " ".join(r.output.split())
    assert fld in said and f"line {line}" in said
    _no_dataset(data)
    return e


# -- the three layouts ------------------------------------------------------------------------
def test_the_tsv_layout(odd: Path, tmp_path: Path) -> None:
    tsv = write_tsv(odd)
    data = tmp_path / "store dir"
    r = runner.invoke(app, ["--data-dir", str(data), "data", "add", "eurostat_prices", str(tsv)])
    assert r.exit_code == 0, r.output
    rows = _rows(data)
    assert len(rows) == 12
    name = tsv.name
    assert rows[("NL", "IG", "X_TAX", "EUR", "2024-S2")] == (
        0.079,
        "p",
        name,
        "MWH_GE150000",
        2024,
        2,
    )
    assert rows[("NL", "IG", "X_TAX", "EUR", "2025-S1")][:2] == (None, None)  # ':'
    assert rows[("NL", "IG", "X_VAT", "EUR", "2025-S1")][:2] == (None, "c")  # ': c'
    assert rows[("DE", "IC", "X_VAT", "NAC", "2024-S2")][:2] == (0.2359, "e")
    assert rows[("EU27_2020", "IG", "X_VAT", "EUR", "2025-S1")][0] == -0.01
    m = open_store(data).get("eurostat_prices").manifest
    assert m.kind == "electricity_prices" and m.release == "nrg_pc_205: TSV to 2025-S1"
    assert "CC BY 4.0" in m.licence
    assert any("2 of 12 value(s) not available" in w for w in m.warnings)
    # unchanged inputs: no new version
    (again,) = api.add_dataset("eurostat_prices", [odd], data_dir=data)
    assert again.changed is False


def test_the_xlsx_export_with_flags_and_a1_dimensions(odd: Path, tmp_path: Path) -> None:
    x = write_xlsx(odd)
    data = tmp_path / "store"
    (rep,) = api.add_dataset("eurostat_prices", [x], data_dir=data)
    rows = _rows(data)
    assert len(rows) == 6
    assert rows[("NL", "IC", "X_VAT", "EUR", "2024-S1")][:2] == (0.1983, None)
    assert rows[("NL", "IC", "X_VAT", "EUR", "2024-S2")][:2] == (0.19, "p")
    assert rows[("DE", "IC", "X_VAT", "EUR", "2024-S1")][:2] == (0.2328, "e")
    assert rows[("DE", "IC", "X_VAT", "EUR", "2024-S2")][:2] == (None, None)
    assert rows[("NL", "IC", "X_TAX", "EUR", "2024-S2")][:3] == (0.14, None, x.name)
    assert rep.manifest.release == (
        "nrg_pc_205: export updated 27/04/2025 (extracted 14/08/2025) to 2024-S2"
    )


def test_the_tidy_csv_with_labels(odd: Path, tmp_path: Path) -> None:
    write_tidy(odd)
    data = tmp_path / "store"
    api.add_dataset("eurostat_prices", [odd], data_dir=data)
    rows = _rows(data)
    assert rows[("NL", "IC", "X_VAT", "EUR", "2024-S1")][:2] == (0.1983, None)
    assert rows[("NL", "IC", "X_VAT", "EUR", "2024-S2")][:2] == (None, None)  # empty cell
    assert rows[("EU27_2020", "IC", "X_TAX", "NAC", "2024-S1")][:2] == (0.15, None)
    assert rows[("XK", "IC", "X_VAT", "PPS", "2024-S1")][:2] == (None, "c")


def test_two_vintages_the_newer_wins_and_differences_are_counted(odd: Path, tmp_path: Path) -> None:
    """The export ends in 2024-S2, the TSV in 2025-S1: the TSV wins whatever the order."""
    x = write_xlsx(odd, nl=(0.1983, 0.1983))
    tsv = write_tsv(
        odd,
        rows=[("S,E7000,MWH500-1999,KWH,X_VAT,EUR,NL", ["0.1983 ", "0.2110 ", "0.2000 "])],
    )
    for order in ([tsv, x], [x, tsv]):
        data = tmp_path / f"store{len(str(order[0]))}"
        (rep,) = api.add_dataset("eurostat_prices", order, data_dir=data)
        rows = _rows(data)
        assert rows[("NL", "IC", "X_VAT", "EUR", "2024-S2")][:3] == (0.211, None, tsv.name)
        assert rows[("NL", "IC", "X_VAT", "EUR", "2024-S1")][2] == tsv.name  # same value
        assert rows[("DE", "IC", "X_VAT", "EUR", "2024-S1")][2] == x.name  # only in the export
        (w,) = [w for w in rep.warnings if "differ" in w]
        assert w.startswith(f"1 value(s) differ between {x.name} and {tsv.name}")
        assert "NL IC X_VAT EUR 2024-S2: 0.1983 p → 0.211" in w
        assert rep.manifest.release.startswith("nrg_pc_205: TSV to 2025-S1; export updated")
        # every vintage kept whole in `releases`, the kept row marked
        rel = read_table(open_store(data).get("eurostat_prices"), "releases")
        assert list(rel.columns) == [*PRICE_COLUMNS, "vintage", "kept"]
        key = (rel["geo"] == "NL") & (rel["tax"] == "X_VAT") & (rel["period"] == "2024-S2")
        both = rel[key & (rel["band"] == "IC")].set_index("source")
        assert both.loc[x.name, "eur_per_kwh"] == 0.1983 and not both.loc[x.name, "kept"]
        assert both.loc[tsv.name, "eur_per_kwh"] == 0.211 and both.loc[tsv.name, "kept"]
        assert both.loc[tsv.name, "vintage"] == "TSV to 2025-S1"
        assert both.loc[x.name, "vintage"].startswith("export updated")
        assert int(rel["kept"].sum()) == len(
            read_table(open_store(data).get("eurostat_prices"), "prices")
        )


def test_a_folder_skips_other_files(odd: Path, tmp_path: Path) -> None:
    write_tsv(odd)
    (odd / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (rep,) = api.add_dataset("eurostat_prices", [odd], data_dir=tmp_path / "store")
    assert "skipped notes.csv: not a nrg_pc_205 table" in rep.warnings
    with pytest.raises(DataError, match="not a nrg_pc_205 table"):
        api.add_dataset("eurostat_prices", [odd / "notes.csv"], data_dir=tmp_path / "s2")
    _no_dataset(tmp_path / "s2")


# -- broken copies ----------------------------------------------------------------------------
def test_a_renamed_dimension_in_the_tsv(odd: Path, tmp_path: Path) -> None:
    f = write_tsv(odd, head=DIMS.replace("tax", "taxes"))
    _fails([f], tmp_path / "store", line=1, fld="tax", file=str(f))


def test_a_bad_cell_in_the_tsv(odd: Path, tmp_path: Path) -> None:
    rows = list(TSV_ROWS)
    rows[2] = (rows[2][0], ["0.2328 ", "0,2359 ", "0.2281 "])
    f = write_tsv(odd, rows=rows)
    e = _fails([f], tmp_path / "store", line=4, fld="2024-S2", file=str(f))
    assert "'0,2359'" in str(e)


def test_an_unknown_flag_in_the_tsv(odd: Path, tmp_path: Path) -> None:
    rows = list(TSV_ROWS)
    rows[0] = (rows[0][0], ["0.08 x", "0.079 ", ": "])
    f = write_tsv(odd, rows=rows)
    _fails([f], tmp_path / "store", line=2, fld="2024-S1", file=str(f))


def test_a_duplicate_key_in_the_tsv(odd: Path, tmp_path: Path) -> None:
    f = write_tsv(odd, rows=[*TSV_ROWS, TSV_ROWS[1]])
    e = _fails([f], tmp_path / "store", line=6, fld="geo", file=str(f))
    assert "first on line 3" in str(e)


def test_a_bad_period_in_the_tsv(odd: Path, tmp_path: Path) -> None:
    f = write_tsv(odd, periods=["2024-S1", "2024S2", "2025-S1"])
    _fails([f], tmp_path / "store", line=1, fld="column 3", file=str(f))


def test_a_renamed_column_in_the_tidy_csv(odd: Path, tmp_path: Path) -> None:
    f = write_tidy(odd, head=[*TIDY_HEAD[:5], "time", "value"])
    _fails([f], tmp_path / "store", line=1, fld="period", file=str(f))


def test_a_bad_period_in_the_tidy_csv(odd: Path, tmp_path: Path) -> None:
    rows = tidy_rows()
    rows[2][5] = "2024-S3"
    f = write_tidy(odd, rows=rows)
    _fails([f], tmp_path / "store", line=4, fld="period", file=str(f))


def test_an_unknown_geo_label_is_refused(odd: Path, tmp_path: Path) -> None:
    rows = tidy_rows()
    rows[0][0] = "Atlantis"
    f = write_tidy(odd, rows=rows)
    e = _fails([f], tmp_path / "store", line=2, fld="geo_label", file=str(f))
    assert "'Atlantis'" in str(e)


def test_a_duplicate_key_in_the_tidy_csv(odd: Path, tmp_path: Path) -> None:
    rows = tidy_rows()
    f = write_tidy(odd, rows=[*rows, rows[0]])
    _fails([f], tmp_path / "store", line=6, fld="period", file=str(f))


def test_a_bad_cell_in_the_export(odd: Path, tmp_path: Path) -> None:
    f = write_xlsx(odd, nl=(0.1983, "n/a"))
    _fails([f], tmp_path / "store", line=14, fld="2024-S2", file=f"{f} [Sheet 1]")


def test_a_bad_flag_in_the_export(odd: Path, tmp_path: Path) -> None:
    f = write_xlsx(odd, flag_nl="provisional?")
    _fails([f], tmp_path / "store", line=14, fld="2024-S2", file=f"{f} [Flags 1]")


def test_a_missing_band_line_in_the_export(odd: Path, tmp_path: Path) -> None:
    f = write_xlsx(odd, band="All bands")
    _fails([f], tmp_path / "store", line=12, fld="Energy consumption", file=f"{f} [Sheet 1]")


def test_parse_cell() -> None:
    assert parse_cell("0.1 p", file="f", line=1, fld="x") == (0.1, "p")
    assert parse_cell(": c", file="f", line=1, fld="x") == (None, "c")
    assert parse_cell(":", file="f", line=1, fld="x") == (None, None)
    assert parse_cell("0.1234 ep", file="f", line=1, fld="x") == (0.1234, "ep")
    assert parse_cell(0.5, file="f", line=1, fld="x") == (0.5, None)
    for bad in ("", "p", "0.1 p q", "abc", "nan", "0.1-"):
        with pytest.raises(DataError):
            parse_cell(bad, file="f", line=1, fld="x")


# -- the kind and fetching --------------------------------------------------------------------
def test_the_kind_is_declared_by_its_connector() -> None:
    assert canonical_tables("electricity_prices") == {"prices": PRICE_COLUMNS}
    assert load_hint("electricity_prices").startswith("ketenradar data add eurostat_prices")
    assert list(PRICE_COLUMNS) == [
        "geo",
        "band",
        "nrg_cons",
        "tax",
        "currency",
        "period",
        "year",
        "semester",
        "eur_per_kwh",
        "flag",
        "source",
    ]


def test_fetch_the_live_tsv_from_a_server_then_ingest(http_server, tmp_path: Path) -> None:
    c = EurostatPricesConnector()
    url, name = c.fetch_url()
    assert url == f"{EUROSTAT_API}/nrg_pc_205?format=TSV" and name == "nrg_pc_205.tsv"
    body = write_tsv(tmp_path / "src").read_bytes()
    http_server.add_file("data/nrg_pc_205", body)  # the query string is not part of the path
    url, name = c.fetch_url(http_server.url("data"))
    res = download(url, tmp_path / "dl dir" / name)
    assert res.path.read_bytes() == body
    (rep,) = api.add_dataset("eurostat_prices", [res.path], data_dir=tmp_path / "store")
    assert rep.manifest.tables["prices"]["rows"] == 12
    with pytest.raises(Exception, match="unknown option"):
        c.fetch_url(nope=1)


def test_the_workbook_cell_limit_still_applies(
    odd: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export's ``A1`` dimensions are reset to read every row; the cells read are still
    counted against ``KETENRADAR_XLSX_MAX_CELLS``."""
    x = write_xlsx(odd)
    monkeypatch.setenv("KETENRADAR_XLSX_MAX_CELLS", "50")
    with pytest.raises(DataError, match="more than 50 cells") as e:
        api.add_dataset("eurostat_prices", [x], data_dir=tmp_path / "store")
    assert e.value.file.startswith(f"{x} [")
    _no_dataset(tmp_path / "store")


def test_the_gzipped_bulk_tsv(odd: Path, tmp_path: Path) -> None:
    import gzip

    tsv = write_tsv(odd / "plain")
    gz = odd / "nrg_pc_205.tsv.gz"
    gz.write_bytes(gzip.compress(tsv.read_bytes()))
    (rep,) = api.add_dataset("eurostat_prices", [gz], data_dir=tmp_path / "store")
    assert rep.manifest.tables["prices"]["rows"] == 12
    assert _rows(tmp_path / "store")[("NL", "IG", "X_TAX", "EUR", "2024-S2")][:3] == (
        0.079,
        "p",
        gz.name,
    )
