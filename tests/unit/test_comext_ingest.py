"""Eurostat Comext ingestion: layouts, the once-only rule, currency and units, bad input.

Every file here is written by the test in the published layout of the bulk files (see
``ketenradar.sources.comext``); the expected numbers are computed by hand in the comments. The
USD-per-EUR rates are FICTIONAL test values (1.5 and 2.0), not ECB rates.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ketenradar import api
from ketenradar.core.errors import DataError, UsageError
from ketenradar.datasets import DataStore
from ketenradar.interfaces.cli.app import app

REPO = Path(__file__).resolve().parents[2]

V2_HEADER = (
    "REPORTER,PARTNER,TRADE_TYPE,PRODUCT_NC,PRODUCT_SITC,PRODUCT_CPA21,PRODUCT_CPA22,"
    "PRODUCT_BEC,PRODUCT_BEC5,PRODUCT_SECTION,FLOW,STAT_PROCEDURE,SUPPL_UNIT,PERIOD,"
    "VALUE_EUR,VALUE_NAC,QUANTITY_KG,QUANTITY_SUPPL_UNIT"
)
FULL_HEADER = (
    "DECLARANT,DECLARANT_ISO,PARTNER,PARTNER_ISO,TRADE_TYPE,PRODUCT_NC,PRODUCT_SITC,"
    "PRODUCT_cpa2002,PRODUCT_cpa2008,PRODUCT_CPA2_1,PRODUCT_BEC,PRODUCT_SECTION,FLOW,"
    "STAT_REGIME,SUPP_UNIT,PERIOD,VALUE_IN_EUROS,QUANTITY_IN_KG,SUP_QUANTITY"
)

#: (reporter, partner, cn8, flow, stat, value EUR, kg) of January 2023
JAN = [
    ("NL", "CN", "26011100", 1, 1, 100000, 5000),  # CHN -> NLD
    ("NL", "CN", "26011100", 1, 2, 20000, 1000),  # the same flow, inward processing: summed
    ("NL", "DE", "26011100", 1, 1, 30000, 2000),  # DEU -> NLD (intra-EU: NL's import)
    ("DE", "NL", "26011100", 2, 1, 31000, 2100),  # the same flow as DE's export: not used
    ("NL", "US", "26011200", 2, 1, 40000, 4000),  # NLD -> USA (extra-EU export: used)
    ("EL", "CN", "26011100", 1, 1, 10000, 1000),  # CHN -> GRC (EL is Greece)
    ("DE", "EL", "26011100", 2, 1, 8000, 800),  # EL declares: not used
    ("DE", "QU", "27SSSSSS", 1, 1, 500, ""),  # not specified, confidential: XQU -> DEU 27XXXX
    ("NL", "CN", "TOTAL", 1, 1, 999999, 99999),  # an aggregate row: left out
]
#: February 2023 (EL does not declare this month)
FEB = [
    ("NL", "CN", "26011100", 1, 1, 60000, 3000),  # CHN -> NLD
    ("NL", "DE", "26011100", 1, 1, 10000, 500),  # DEU -> NLD
    ("DE", "NL", "26011200", 1, 1, 5000, 100),  # NLD -> DEU
    ("NL", "DE", "26011200", 2, 1, 5500, 110),  # the same flow as NL's export: not used
    ("NL", "EL", "26011100", 2, 1, 7000, 700),  # EL is no declarant in February: NLD -> GRC
]
#: FICTIONAL test rates, not ECB values
RATES = "# FICTIONAL test values, not ECB rates\nperiod,usd_per_eur\n202301,1.5\n202302,2.0\n"

#: The annual trade table, by hand: value_kusd = sum over months of EUR / 1000 * rate.
EXPECTED = {
    # (120 * 1.5) + (60 * 2.0); quantity (5000 + 1000 + 3000) kg
    ("CHN", "NLD", "260111"): (300.0, 9.0),
    ("DEU", "NLD", "260111"): (65.0, 2.5),  # 30 * 1.5 + 10 * 2.0
    ("NLD", "USA", "260112"): (60.0, 4.0),  # 40 * 1.5
    ("CHN", "GRC", "260111"): (15.0, 1.0),  # 10 * 1.5
    ("XQU", "DEU", "27XXXX"): (0.75, None),  # 0.5 * 1.5, no quantity
    ("NLD", "DEU", "260112"): (10.0, 0.1),  # 5 * 2.0
    ("NLD", "GRC", "260111"): (14.0, 0.7),  # 7 * 2.0
}


def v2_line(r: tuple, period: int) -> str:
    rep, par, cn8, flow, stat, value, kg = r
    tt = "I" if par in ("NL", "DE", "EL") else "E"
    return (
        f"{rep},{par},{tt},{cn8},.....,....,....,...,.....,..,{flow},{stat},NO_SU,{period},"
        f"{value},{value},{kg},0"
    )


def write_v2(
    folder: Path, period: int, rows: list[tuple], *, extra: list[str] = (), name: str = ""
) -> Path:
    """A full_v2 bulk file of ``rows`` (and raw ``extra`` lines after them)."""
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / (name or f"full_v2_{period}.dat")
    body = [v2_line(r, period) for r in rows] + list(extra)
    p.write_text(V2_HEADER + "\n" + "\n".join(body) + "\n", encoding="utf-8")
    return p


def write_rates(folder: Path, text: str = RATES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / "usd_per_eur.csv"
    p.write_text(text, encoding="utf-8")
    return p


def source(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "comext"
    write_v2(src, 202301, JAN)
    write_v2(src, 202302, FEB)
    return src, write_rates(tmp_path / "rates")


def table(data_dir: Path, name: str, dataset: str = "comext") -> list[tuple]:
    files = [str(p) for p in DataStore(data_dir).get(dataset).table_files(name)]
    return duckdb.sql(f"SELECT * FROM read_parquet({files}) ORDER BY ALL").fetchall()


def annual(data_dir: Path, dataset: str = "comext") -> dict[tuple, tuple]:
    return {
        (e, i, k): (round(v, 9), None if q is None else round(q, 9))
        for y, e, i, k, v, q in table(data_dir, "trade", dataset)
    }


def test_two_months_by_hand(tmp_path: Path, data_dir: Path) -> None:
    src, rates = source(tmp_path)
    (rep,) = api.add_dataset("comext", [src], data_dir=data_dir, usd_per_eur=rates)
    assert rep.changed and rep.dataset == "comext"
    assert annual(data_dir) == EXPECTED
    years = {r[0] for r in table(data_dir, "trade")}
    assert years == {2023}
    # the monthly CN8 detail in thousand EUR and tons, before conversion and aggregation
    monthly = {(p, e, i, k): (v, q) for p, e, i, k, v, q in table(data_dir, "trade_cn8_monthly")}
    assert monthly[(202301, "CHN", "NLD", "26011100")] == (120.0, 6.0)
    assert monthly[(202301, "XQU", "DEU", "27SSSSSS")] == (0.5, None)
    assert monthly[(202302, "NLD", "GRC", "26011100")] == (7.0, 0.7)
    assert len(monthly) == 9  # 5 in January (7 flows used, 2 summed), 4 in February
    m = rep.manifest
    assert m.source == "comext" and m.kind == "trade_flows" and m.release == "202301-202302"
    assert m.tables["trade"] == {"rows": 7, "years": {"2023": 7}}
    assert m.tables["trade_cn8_monthly"]["periods"] == {"202301": 5, "202302": 4}
    assert m.attributes["years"] == [2023] and m.attributes["months_per_year"] == {"2023": 2}
    # the rates file is recorded by name and sha256
    usd = m.attributes["usd_per_eur"]
    assert usd["file"] == "usd_per_eur.csv" and len(usd["sha256"]) == 64
    assert "EXR.M.USD.EUR.SP00.A" in usd["series"]
    assert [i.role for i in m.inputs] == ["trade", "trade", "rates"]
    assert next(i for i in m.inputs if i.role == "rates").sha256 == usd["sha256"]
    # the honest warnings, in the report and in the manifest
    text = "\n".join(rep.warnings)
    assert text == "\n".join(m.warnings)
    assert "world_export_hhi" in text and "GeoDep" in text
    assert any("coverage" in n for n in m.attributes["notes"])
    assert "3 export declaration row(s) (44,500 EUR)" in text  # 31000 + 8000 + 5500
    assert "1 TOTAL row(s) (999,999 EUR) left out" in text
    assert "27SSSSSS (500 EUR)" in text
    assert "QU (Countries and territories not specified): 1 row(s), 500 EUR" in text
    assert "year 2023 holds 2 of 12 months (01, 02)" in text


def test_countries_and_products_tables(tmp_path: Path, data_dir: Path) -> None:
    from ketenradar.datasets.kinds import canonical_tables, optional_tables

    src, rates = source(tmp_path)
    api.add_dataset("comext", [src], data_dir=data_dir, usd_per_eur=rates)
    ds = DataStore(data_dir).get("comext")
    declared = {**canonical_tables("trade_flows"), **optional_tables("trade_flows")}
    for name in ("trade", "countries", "products", "trade_cn8_monthly"):
        files = [str(p) for p in ds.table_files(name)]
        got = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet({files})").fetchall()
        assert {c: t for c, t, *_ in got} == declared[name], name
    countries = {r[4].split(":")[0].split(" ")[2]: r for r in table(data_dir, "countries")}
    assert countries["EL"][0] == "GRC" and countries["EL"][1] == "Greece"
    assert not countries["EL"][3]
    assert countries["QU"][:2] == ("XQU", "Countries and territories not specified")
    assert countries["QU"][3] is True  # is_special
    products = dict(table(data_dir, "products"))
    assert set(products) == {"260111", "260112", "27XXXX"}
    assert "chapter 27" in products["27XXXX"]
    world = {(y, k): (x, round(h, 12), n) for y, k, x, h, n in table(data_dir, "world_exports")}
    # 260111: CHN 300 + 15, DEU 65, NLD 14 -> 394; HHI (315² + 65² + 14²) / 394²
    x, h, n = world[(2023, "260111")]
    assert x == pytest.approx(394.0) and n == 3
    assert h == pytest.approx((315**2 + 65**2 + 14**2) / 394**2)


def test_screening_on_comext(tmp_path: Path, data_dir: Path) -> None:
    """The screening reads the canonical tables: NLD's imports of 260111 in 2023."""
    from ketenradar.modules.trade.api import screen

    src, rates = source(tmp_path)
    api.add_dataset("comext", [src], data_dir=data_dir, usd_per_eur=rates)
    df = screen("NLD", 2023, dataset="comext", data_dir=data_dir, ecosystems=False)
    row = df.set_index("product").loc["260111"]
    assert row["imports_kusd"] == pytest.approx(365.0)  # CHN 300 + DEU 65
    assert row["external_imports_kusd"] == pytest.approx(300.0)  # CHN (DEU is in the EU27)
    assert row["external_share"] == pytest.approx(300 / 365)
    assert row["supplier_hhi"] == pytest.approx(1.0)
    assert row["exports_kusd"] == pytest.approx(14.0)  # NLD -> GRC in February
    assert row["import_export_ratio"] == pytest.approx(300 / 14)
    assert row["world_exports_kusd"] == pytest.approx(394.0)
    assert bool(row["dependent_eu2021"])


def test_full_layout_gzip_and_100kg(tmp_path: Path, data_dir: Path) -> None:
    """The earlier ``fullYYYYMM.dat`` layout, gzipped, and a quantity in hundreds of kg."""
    src = tmp_path / "full"
    src.mkdir()
    lines = [
        "001,FR,0720,CN,E,81059000,.....,....,....,....,...,15,1,1,A,202301,2000,300,0",
        "001,FR,0720,CN,E,81059000,.....,....,....,....,...,15,1,3,A,202301,1000,100,0",
        "003,NL,0001,FR,I,81059000,.....,....,....,....,...,15,2,1,A,202301,700,10,0",
    ]
    with gzip.open(src / "full202301.dat.gz", "wt", encoding="utf-8") as fh:
        fh.write(FULL_HEADER + "\n" + "\n".join(lines) + "\n")
    rates = write_rates(tmp_path / "r", "period,usd_per_eur\n2023-01,1.5\n")
    rep = api.add_dataset("comext", [src], data_dir=data_dir, usd_per_eur=rates)[0]
    assert rep.manifest.attributes["layouts"] == ["full"]
    # FR declares: NL's export to FR is FR's import (not in the file): not used
    assert annual(data_dir) == {("CHN", "FRA", "810590"): (4.5, 0.4)}  # 3 kEUR * 1.5
    other = tmp_path / "hundreds"
    header = V2_HEADER.replace("QUANTITY_KG", "QUANTITY_IN_100KG")
    other.mkdir()
    (other / "full_v2_202301.dat").write_text(
        header + "\n" + v2_line(("NL", "CN", "26011100", 1, 1, 1000, 25), 202301) + "\n"
    )
    api.add_dataset("comext", [other], data_dir=data_dir, name="hundreds", usd_per_eur=rates)
    assert annual(data_dir, "hundreds") == {("CHN", "NLD", "260111"): (1.5, 2.5)}  # 25 * 100 kg


def test_united_kingdom_codes(tmp_path: Path, data_dir: Path) -> None:
    """XI (Northern Ireland) declares; exports to XU (the rest of the UK) are still used,
    exports to XI are XI's imports; both count as GBR."""
    src = tmp_path / "uk"
    write_v2(
        src,
        202301,
        [
            ("XI", "IE", "26011100", 1, 1, 1000, 10),  # IRL -> GBR
            ("IE", "XI", "26011100", 2, 1, 1100, 11),  # the same flow: not used
            ("IE", "XU", "26011100", 2, 1, 2000, 20),  # IRL -> GBR (XU declares nothing)
            ("IE", "GB", "26011100", 1, 1, 3000, 30),  # GBR -> IRL
        ],
    )
    rates = write_rates(tmp_path / "r", "period,usd_per_eur\n202301,2\n")
    rep = api.add_dataset("comext", [src], data_dir=data_dir, usd_per_eur=rates)[0]
    assert annual(data_dir) == {
        ("IRL", "GBR", "260111"): (6.0, 0.03),  # (1 + 2) kEUR * 2
        ("GBR", "IRL", "260111"): (6.0, 0.03),
    }
    assert rep.manifest.attributes["eurostat_codes"] == {
        "GB": "GBR",
        "IE": "IRL",
        "XI": "GBR",
        "XU": "GBR",
    }


def test_idempotent_incremental_and_atomic(tmp_path: Path, data_dir: Path) -> None:
    src, rates = source(tmp_path)
    jan = src / "full_v2_202301.dat"
    first = api.add_dataset("comext", [jan], data_dir=data_dir, usd_per_eur=rates)[0]
    again = api.add_dataset("comext", [jan], data_dir=data_dir, usd_per_eur=rates)[0]
    assert first.changed and not again.changed
    assert again.manifest.version == first.manifest.version
    # adding February keeps January; the annual table is the same as both at once
    feb = src / "full_v2_202302.dat"
    both = api.add_dataset("comext", [feb], data_dir=data_dir, usd_per_eur=rates)[0]
    assert both.manifest.attributes["periods"] == [202301, 202302]
    assert annual(data_dir) == EXPECTED
    assert [i.name for i in both.manifest.inputs] == [jan.name, feb.name, "usd_per_eur.csv"]
    # a month given again replaces the previous one (reported)
    fix = write_v2(tmp_path / "fix", 202302, [("NL", "CN", "26011100", 1, 1, 1000, 50)])
    rep = api.add_dataset("comext", [fix], data_dir=data_dir, usd_per_eur=rates)[0]
    assert any("1 month(s) replaced by the new files: 202302" in w for w in rep.warnings)
    assert annual(data_dir)[("CHN", "NLD", "260111")] == (182.0, 6.05)  # 180 + 1 * 2.0
    live = DataStore(data_dir).get("comext").manifest.version
    # a broken file leaves that version live and nothing in staging
    bad = write_v2(tmp_path / "bad", 202303, [("NL", "CN", "26011100", 1, 1, -5, 1)])
    with pytest.raises(DataError):
        api.add_dataset("comext", [bad], data_dir=data_dir, usd_per_eur=rates)
    assert DataStore(data_dir).get("comext").manifest.version == live
    assert not any((data_dir / "staging").iterdir())


def _error(tmp_path: Path, data_dir: Path, rows=(), extra=(), sub="bad", **kw) -> DataError:
    src = tmp_path / sub
    write_v2(src, 202301, [JAN[0], *rows], extra=list(extra), **kw)
    with pytest.raises(DataError) as e:
        api.add_dataset("comext", [src], data_dir=data_dir, usd_per_eur=write_rates(tmp_path))
    assert DataStore(data_dir).names() == []  # nothing half-written
    assert not any((data_dir / "staging").iterdir())
    return e.value


@pytest.mark.parametrize(
    ("bad_row", "field", "reason"),
    [
        (("NL", "CN", "26011100", 1, 1, -3, 1), "VALUE_EUR", "negative trade value"),
        (("NL", "CN", "26011100", 1, 1, "", 1), "VALUE_EUR", "missing value"),
        (("NL", "CN", "26011100", 1, 1, "12a", 1), "VALUE_EUR", "could not convert"),
        (("NL", "CN", "26011100", 1, 1, 5, -1), "QUANTITY_KG", "negative quantity"),
        (("NL", "CN", "26011100", 3, 1, 5, 1), "FLOW", "must be 1 (import) or 2 (export)"),
        (("NL", "CN", "26011100", 1, 4, 5, 1), "STAT_PROCEDURE", "would count twice"),
        (("NL", "CN", "26011100", 1, 8, 5, 1), "STAT_PROCEDURE", "not a statistical procedure"),
        (("NL", "CN", "2601110", 1, 1, 5, 1), "PRODUCT_NC", "leading zero lost"),
        (("NL", "CN", "ABCDEFGH", 1, 1, 5, 1), "PRODUCT_NC", "not a cn8 code"),
        (("NL", "", "26011100", 1, 1, 5, 1), "PARTNER", "missing value"),
        (("N-L", "CN", "26011100", 1, 1, 5, 1), "REPORTER", "not a eurostat country code"),
    ],
)
def test_bad_values_name_file_line_field(
    tmp_path: Path, data_dir: Path, bad_row: tuple, field: str, reason: str
) -> None:
    e = _error(tmp_path, data_dir, [JAN[2], bad_row])
    assert e.line == 4, e
    assert e.field == field, e
    assert reason in str(e).lower(), e
    assert "full_v2_202301.dat" in str(e)


def test_bad_periods(tmp_path: Path, data_dir: Path) -> None:
    e = _error(tmp_path, data_dir, extra=[v2_line(JAN[2], 202302)])
    assert (e.line, e.field) == (3, "PERIOD") and "differs from the file name" in str(e)
    e = _error(tmp_path, data_dir, extra=[v2_line(JAN[2], 202352)], sub="b2", name="cx.dat")
    assert (e.line, e.field) == (3, "PERIOD") and "annual total" in str(e)
    e = _error(tmp_path, data_dir, extra=[v2_line(JAN[2], 202313)], sub="b3", name="cx.dat")
    assert "month outside 01-12" in str(e)


def test_malformed_lines_and_headers(tmp_path: Path, data_dir: Path) -> None:
    e = _error(tmp_path, data_dir, extra=[v2_line(JAN[2], 202301) + ",7"])
    assert e.line == 3 and "too many columns" in str(e).lower()
    src = tmp_path / "hdr"
    src.mkdir()
    (src / "full_v2_202301.dat").write_text(V2_HEADER.replace(",VALUE_EUR", ",VALUE") + "\n")
    with pytest.raises(DataError, match="missing column") as ei:
        api.add_dataset("comext", [src], data_dir=data_dir, usd_per_eur=write_rates(tmp_path))
    assert ei.value.line == 1 and ei.value.field == "VALUE_EUR"
    notes = tmp_path / "notes.csv"
    notes.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="not a Comext bulk file"):
        api.add_dataset("comext", [notes], data_dir=data_dir, usd_per_eur=write_rates(tmp_path))
    empty = write_v2(tmp_path / "empty", 202301, [])
    with pytest.raises(DataError, match="no rows"):
        api.add_dataset("comext", [empty], data_dir=data_dir, usd_per_eur=write_rates(tmp_path))
    seven = tmp_path / "full_v2_202301.7z"
    seven.write_bytes(b"7z\xbc\xaf\x27\x1c\x00\x04")
    with pytest.raises(DataError, match="7z x"):
        api.add_dataset("comext", [seven], data_dir=data_dir, usd_per_eur=write_rates(tmp_path))
    assert DataStore(data_dir).names() == []


def test_one_file_per_month(tmp_path: Path, data_dir: Path) -> None:
    a = write_v2(tmp_path / "a", 202301, JAN[:2])
    b = write_v2(tmp_path / "b", 202301, JAN[2:4], name="part2.dat")
    with pytest.raises(DataError, match="month 202301 is supplied by two files"):
        api.add_dataset("comext", [a, b], data_dir=data_dir, usd_per_eur=write_rates(tmp_path))
    assert DataStore(data_dir).names() == []


def test_rates_are_required_and_checked(tmp_path: Path, data_dir: Path) -> None:
    src, rates = source(tmp_path)
    with pytest.raises(UsageError, match=r"EXR\.M\.USD\.EUR\.SP00\.A"):
        api.add_dataset("comext", [src], data_dir=data_dir)
    only_jan = write_rates(tmp_path / "jan", "period,usd_per_eur\n202301,1.5\n")
    with pytest.raises(DataError, match="no USD-per-EUR rate for 1 month") as e:
        api.add_dataset("comext", [src], data_dir=data_dir, usd_per_eur=only_jan)
    assert "202302" in str(e.value)
    for text, line, field, reason in [
        ("period,usd_per_eur\n202301,1.5\n202301,1.6\n", 3, "period", "appears twice"),
        ("period,usd_per_eur\n2023-13,1.5\n", 2, "period", "not a period"),
        ("period,usd_per_eur\n202301,abc\n", 2, "usd_per_eur", "not a number"),
        ("period,usd_per_eur\n202301,92.5\n", 2, "usd_per_eur", "not a USD-per-EUR rate"),
        ("period,rate\n202301,1.5\n", 1, "usd_per_eur", "missing column"),
    ]:
        with pytest.raises(DataError) as e:
            api.add_dataset(
                "comext", [src], data_dir=data_dir, usd_per_eur=write_rates(tmp_path / "x", text)
            )
        assert (e.value.line, e.value.field) == (line, field), e.value
        assert reason in str(e.value)
    with pytest.raises(UsageError, match="unknown option"):
        api.add_dataset("comext", [src], data_dir=data_dir, usd_per_eur=rates, colour="red")
    assert DataStore(data_dir).names() == []


def test_cli_add_and_fetch(tmp_path: Path, data_dir: Path, http_server) -> None:
    src, rates = source(tmp_path)
    runner = CliRunner()
    res = runner.invoke(app, ["data", "add", "comext", str(src), "--usd-per-eur", str(rates)])
    assert res.exit_code == 0, res.output
    assert "added comext" in res.output and "years 2023" in res.output
    res = runner.invoke(app, ["data", "add", "comext", str(src)])
    assert res.exit_code == 2 and "--usd-per-eur" in res.output
    # fetch: the month's 7-Zip archive from a local server, verified, not ingested
    body = b"7z\xbc\xaf\x27\x1c" + bytes(range(200))
    http_server.add_file("products/full_v2_202401.7z", body)
    import hashlib

    sha = hashlib.sha256(body).hexdigest()
    base = ["data", "fetch", "comext", "--base-url", http_server.url("products/")]
    res = runner.invoke(app, [*base, "--option", "period=202401", "--sha256", sha])
    assert res.exit_code == 0, res.output
    assert "downloaded" in res.output and "not added" in res.output and "7z x" in res.output
    assert (data_dir / "downloads" / "full_v2_202401.7z").read_bytes() == body
    res = runner.invoke(app, base)
    assert res.exit_code == 2 and "period=YYYYMM" in res.output
    res = runner.invoke(app, [*base, "--option", "period=2024-13"])
    assert res.exit_code == 2 and "not a month" in res.output


def test_fetch_url() -> None:
    from ketenradar.sources.comext import ComextConnector

    c = ComextConnector()
    url, name = c.fetch_url(period="202401")
    assert name == "full_v2_202401.7z"
    assert url.endswith("comext/COMEXT_DATA/PRODUCTS/full_v2_202401.7z")
    assert c.fetch_url("http://mirror/x", period="2023-05", layout="full") == (
        "http://mirror/x/full202305.7z",
        "full202305.7z",
    )
    with pytest.raises(UsageError, match="unknown option"):
        c.fetch_url(period="202401", colour="red")


def test_generator_small_run_ingests(tmp_path: Path, data_dir: Path) -> None:
    """scripts/generate_comext.py: 2 months x 5,000 rows of FICTIONAL data ingest cleanly,
    in both layouts, and the same seed gives the same files."""
    out = tmp_path / "gen"
    cmd = [sys.executable, str(REPO / "scripts" / "generate_comext.py"), "--out", str(out)]
    args = ["--months", "2", "--rows", "5000", "--seed", "3", "--partners", "60"]
    subprocess.run([*cmd, *args], check=True, capture_output=True, text=True)
    assert "FICTIONAL" in (out / "README.txt").read_text()
    rates = out / "usd_per_eur_fictional.csv"
    assert rates.read_text().startswith("# FICTIONAL")
    rep = api.add_dataset("comext", [out], data_dir=data_dir, usd_per_eur=rates)[0]
    assert rep.manifest.attributes["periods"] == [202301, 202302]
    assert sum(i.rows for i in rep.manifest.inputs if i.role == "trade") == 10_000
    assert any("README.txt" in w for w in rep.warnings)  # skipped, said so
    assert rep.manifest.tables["trade"]["rows"] > 0
    again = tmp_path / "again"
    subprocess.run(
        [*cmd[:-1], str(again), *args, "--layout", "full", "--gzip"],
        check=True,
        capture_output=True,
        text=True,
    )
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    subprocess.run([*cmd, *args], check=True, capture_output=True, text=True)  # same seed
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    rep2 = api.add_dataset(
        "comext", [again], data_dir=data_dir, name="legacy", usd_per_eur=again / rates.name
    )[0]
    assert rep2.manifest.attributes["layouts"] == ["full"]
    # the same fictional flows in the other layout: the same annual table
    assert annual(data_dir, "legacy") == annual(data_dir)


def test_generator_table_format_is_what_the_connector_stores(tmp_path: Path, data_dir: Path):
    """``--format table`` (the scale-out benchmark's input) writes the same rows the connector
    stores in ``trade_cn8_monthly`` when it ingests the bulk files of the same arguments."""
    import duckdb

    from ketenradar.datasets import DataStore

    cmd = [sys.executable, str(REPO / "scripts" / "generate_comext.py")]
    args = ["--months", "2", "--rows", "5000", "--seed", "5", "--partners", "60"]
    bulk, table = tmp_path / "bulk", tmp_path / "table"
    subprocess.run([*cmd, "--out", str(bulk), *args], check=True, capture_output=True)
    subprocess.run(
        [*cmd, "--out", str(table), "--format", "table", *args], check=True, capture_output=True
    )
    api.add_dataset(
        "comext", [bulk], data_dir=data_dir, usd_per_eur=bulk / "usd_per_eur_fictional.csv"
    )
    stored = DataStore(data_dir).get("comext").table_files("trade_cn8_monthly")
    cols = "period, exporter, importer, cn8, round(value_keur, 6), round(quantity_t, 6)"
    con = duckdb.connect()
    want = con.execute(
        f"SELECT {cols} FROM read_parquet(?) ORDER BY ALL", [[str(f) for f in stored]]
    ).fetchall()
    got = con.execute(
        f"SELECT {cols} FROM read_parquet(?) ORDER BY ALL",
        [[str(f) for f in sorted(table.glob("*.parquet"))]],
    ).fetchall()
    assert len(got) > 7_000  # of 10,000: exports to declarants are left out (counted once)
    assert got == want
