"""WGI and World Mining Data connectors on small hand-written files of every input form."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import Workbook

from ketenradar import api
from ketenradar.core.errors import DataError, UsageError
from ketenradar.datasets import DataStore
from ketenradar.sources.base import get_connector
from ketenradar.sources.wgi import WgiConnector, indicator_code, map_codes
from ketenradar.sources.wmd import WMD_CATEGORIES, WmdConnector, hs_codes

WGI_HEADER = (
    '"","Country/Territory","Code","Year","Estimate","Lower","NumSrc","Rank","StdErr",'
    '"Upper","Indicator"'
)
#: (name, code, year, indicator name, estimate as written)
WGI_ROWS = [
    ("Côte d'Ivoire", "CIV", 2018, "PoliticalStability", "-0.9"),
    ("Côte d'Ivoire", "CIV", 2019, "PoliticalStability", "-0.8"),
    ("Romania", "ROM", 2018, "PoliticalStability", "0.05"),
    ("Romania", "ROM", 2019, "PoliticalStability", "0.5"),
    ("Netherlands Antilles (former)", "ANT", 2019, "PoliticalStability", "NA"),
    ("Kosovo", "KSV", 2019, "PoliticalStability", "-0.39"),
    ("Côte d'Ivoire", "CIV", 2019, "VoiceandAccountability", "-0.3"),
    ("Romania", "ROM", 2019, "VoiceandAccountability", "0.6"),
    ("Kosovo", "KSV", 2019, "VoiceandAccountability", "NA"),
]


def write_wgi_csv(folder: Path, rows=WGI_ROWS, name: str = "wgi_long.csv") -> Path:
    """The long CSV layout, Windows-1252 like the real file."""
    lines = [WGI_HEADER]
    for n, (label, code, year, ind, est) in enumerate(rows, start=1):
        lines.append(f'"{n}","{label}","{code}",{year},{est},0,4,1,0.2,9.5,"{ind}"')
    p = folder / name
    p.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    return p


def write_wgi_xlsx(folder: Path, rows=WGI_ROWS, name: str = "wgi_wb.xlsx") -> Path:
    """The World Bank workbook layout: title/legend rows, years row, header row, '#N/A'."""
    sheets = {
        "VoiceandAccountability": "Voice and Accountability",
        "Political StabilityNoViolence": "Political Stability and Absence of Violence/Terrorism",
    }
    names = {"VoiceandAccountability": "VoiceandAccountability"}
    names["Political StabilityNoViolence"] = "PoliticalStability"
    years = sorted({r[2] for r in rows})
    wb = Workbook()
    intro = wb.active
    intro.title = "Introduction"
    intro["F2"] = "The Worldwide Governance Indicators, 2020 Update"
    for sheet, title in sheets.items():
        ws = wb.create_sheet(sheet)
        ws.append([title])
        ws.append(["Reflects perceptions of ..."])
        ws.append([])
        ws.append(["Legend"])
        for leg in ("Estimate", "StdErr", "NumSrc", "Rank", "Lower", "Upper"):
            ws.append([leg, f"{leg} explained"])
        ws.append([])
        ws.append(["The Worldwide Governance Indicators (WGI) are a research dataset ..."])
        ws.append([])
        ws.append([None, None] + [y for y in years for _ in range(6)])
        ws.append(
            ["Country/Territory", "Code"]
            + ["Estimate", "StdErr", "NumSrc", "Rank", "Lower", "Upper"] * len(years)
        )
        countries = list(dict.fromkeys((r[0], r[1]) for r in rows))
        for label, code in countries:
            line: list = [label, code]
            for y in years:
                est = next(
                    (r[4] for r in rows if r[1] == code and r[2] == y and r[3] == names[sheet]),
                    None,
                )
                v = "#N/A" if est in (None, "NA") else float(est)
                line += [v, 0.2 if v != "#N/A" else "#N/A", 4, 50, 40, 60]
            ws.append(line)
    p = folder / name
    wb.save(p)
    return p


def write_wgi_db(folder: Path, rows: list[tuple], years=(2018, 2019, 2020)) -> Path:
    """GeoPolRisk's wgi.db layout: table Estimate, values as text ('nan' for missing)."""
    p = folder / "wgi.db"
    con = sqlite3.connect(p)
    cols = ", ".join(f'"{y}" TEXT' for y in years)
    con.execute(
        f'CREATE TABLE "Estimate" ("Country/Territory" TEXT, "Code" TEXT, {cols}, '
        '"country_code" TEXT)'
    )
    con.execute(
        f'CREATE TABLE "Normalized" ("Country/Territory" TEXT, "Code" TEXT, {cols}, '
        '"country_code" TEXT)'
    )
    marks = ", ".join("?" for _ in range(len(years) + 3))
    con.executemany(f'INSERT INTO "Estimate" VALUES ({marks})', rows)
    con.commit()
    con.close()
    return p


def read_table(store: DataStore, dataset: str, table: str) -> pd.DataFrame:
    files = [str(f) for f in store.get(dataset).table_files(table)]
    return duckdb.connect().execute("SELECT * FROM read_parquet(?)", [files]).df()


def by_key(df: pd.DataFrame) -> dict[tuple[str, str, int], float | None]:
    return {
        (r.country, r.indicator, int(r.year)): (None if pd.isna(r.estimate) else r.estimate)
        for r in df.itertuples()
    }


# -- WGI ------------------------------------------------------------------------------------
def test_wgi_csv_long(tmp_path: Path) -> None:
    store = DataStore(tmp_path / "store")
    rep = WgiConnector().ingest([write_wgi_csv(tmp_path)], store)
    assert rep.changed and rep.dataset == "wgi"
    df = read_table(store, "wgi", "wgi")
    assert list(df.columns) == ["country", "country_label", "year", "indicator", "estimate"]
    assert str(df["year"].dtype) == "int16"
    got = by_key(df)
    assert got[("ROU", "PV", 2019)] == pytest.approx(0.5)  # ROM → ROU
    assert got[("XKX", "PV", 2019)] == pytest.approx(-0.39)  # KSV → XKX
    assert got[("CIV", "VA", 2019)] == pytest.approx(-0.3)
    assert got[("ANT", "PV", 2019)] is None  # NA → NULL, entity kept with its code
    assert got[("XKX", "VA", 2019)] is None
    labels = dict(zip(df["country"], df["country_label"], strict=False))
    assert labels["CIV"] == "Côte d'Ivoire"  # read as Windows-1252
    assert any("ANT" in w and "without an ISO3" in w for w in rep.warnings)
    m = rep.manifest
    assert m.kind == "governance" and m.source == "wgi"
    assert m.release == "WGI 2020 update"
    assert "CC BY 4.0" in m.licence and "5430" in m.citation
    assert m.attributes["indicators"] == ["VA", "PV"]
    # NULL is stored as NULL (not NaN)
    n_null = (
        duckdb.connect()
        .execute(
            "SELECT count(*) FROM read_parquet(?) WHERE estimate IS NULL",
            [[str(f) for f in store.get("wgi").table_files("wgi")]],
        )
        .fetchone()[0]
    )
    assert n_null == 2


def test_wgi_xlsx_equals_csv(tmp_path: Path) -> None:
    store = DataStore(tmp_path / "store")
    WgiConnector().ingest([write_wgi_csv(tmp_path)], store, dataset_name="from_csv")
    rep = WgiConnector().ingest([write_wgi_xlsx(tmp_path)], store, dataset_name="from_xlsx")
    a = by_key(read_table(store, "from_csv", "wgi"))
    b = by_key(read_table(store, "from_xlsx", "wgi"))
    # The workbook is wide: every country has every year; the long CSV only the rows given.
    assert set(a) <= set(b)
    for k, v in a.items():
        assert (v is None and b[k] is None) or b[k] == pytest.approx(v), k
    assert all(b[k] is None for k in set(b) - set(a))
    assert rep.manifest.inputs[0].role == "wgi_xlsx"


def test_wgi_folder_with_both_forms_agrees_silently(tmp_path: Path) -> None:
    folder = tmp_path / "wgi"
    folder.mkdir()
    write_wgi_csv(folder)
    write_wgi_xlsx(folder)
    wb = Workbook()
    wb.active.append(["something else"])
    wb.save(folder / "other.xlsx")
    rep = WgiConnector().ingest([folder], DataStore(tmp_path / "store"))
    assert not any("differ" in w for w in rep.warnings)
    assert any("skipped other.xlsx" in w for w in rep.warnings)


def test_wgi_sqlite_pv_only_and_duplicates(tmp_path: Path) -> None:
    db = write_wgi_db(
        tmp_path,
        [
            ("Afghanistan", "AFG", "-2.75", "-2.65", "nan", "4"),
            ("Guyana", "GUY", "0.51", "0.24", "0.31", "328"),  # the first row wins
            ("Guyana", "GUY", "-0.19", "-0.25", "-0.13", "328"),
            ("Europe EFTA, nes", "R20", "-0.68", "-0.35", "None", "697"),
            ("Romania", "ROU", "0.04", "0.54", "0.51", "642"),
        ],
    )
    store = DataStore(tmp_path / "store")
    rep = WgiConnector().ingest([db], store)
    df = read_table(store, "wgi", "wgi")
    assert set(df["indicator"]) == {"PV"}
    got = by_key(df)
    assert got[("AFG", "PV", 2019)] == pytest.approx(-2.65)
    assert got[("AFG", "PV", 2020)] is None  # 'nan'
    assert got[("R20", "PV", 2020)] is None  # 'None'
    assert got[("GUY", "PV", 2018)] == pytest.approx(0.51)
    assert len(df) == 4 * 3
    assert any("GUY (3 value(s), 3 different)" in w for w in rep.warnings)
    assert any("R20" in w and "without an ISO3" in w for w in rep.warnings)
    assert rep.manifest.release == "WGI 2021 update"
    assert rep.manifest.inputs[0].role == "geopolrisk_wgi_db"


def test_wgi_overlap_rule(tmp_path: Path) -> None:
    """Agreeing values: the longer source's row; differing: the file given last; NULL never wins."""
    csv = write_wgi_csv(
        tmp_path,
        [
            ("Romania", "ROM", 2018, "PoliticalStability", "0.05"),  # differs from the db
            ("Romania", "ROM", 2019, "PoliticalStability", "0.5400000004"),  # agrees (< 1e-6)
            ("Romania", "ROM", 2020, "PoliticalStability", "NA"),  # the db has a number
            ("Romania", "ROM", 2019, "RuleofLaw", "0.3"),  # only in the CSV
            ("Afghanistan", "AFG", 2019, "PoliticalStability", "-2.6"),  # db has 'nan'
        ],
    )
    db = write_wgi_db(
        tmp_path,
        [
            ("Romania (db)", "ROU", "0.04", "0.54", "0.51", "642"),
            ("Afghanistan", "AFG", "-2.7", "nan", "nan", "4"),
        ],
    )
    store = DataStore(tmp_path / "store")
    rep = WgiConnector().ingest([csv, db], store, dataset_name="csv_then_db")
    got = by_key(read_table(store, "csv_then_db", "wgi"))
    assert got[("ROU", "PV", 2018)] == pytest.approx(0.04)  # the file given last
    assert got[("ROU", "PV", 2020)] == pytest.approx(0.51)
    assert got[("ROU", "RL", 2019)] == pytest.approx(0.3)
    assert got[("AFG", "PV", 2019)] == pytest.approx(-2.6)  # NULL does not replace a number
    differ = [w for w in rep.warnings if "differ by more than" in w]
    assert len(differ) == 1 and differ[0].startswith("1 estimate(s)")
    assert any("1 estimate(s) missing" in w for w in rep.warnings)
    df = read_table(store, "csv_then_db", "wgi")
    row = df[(df["country"] == "ROU") & (df["year"] == 2019) & (df["indicator"] == "PV")].iloc[0]
    assert row["country_label"] == "Romania (db)"  # the db reaches a later year: it is kept

    rep2 = WgiConnector().ingest([db, csv], store, dataset_name="db_then_csv")
    got2 = by_key(read_table(store, "db_then_csv", "wgi"))
    assert got2[("ROU", "PV", 2018)] == pytest.approx(0.05)
    assert got2[("ROU", "PV", 2020)] == pytest.approx(0.51)
    assert any("kept those of wgi_long.csv" in w for w in rep2.warnings)


def test_wgi_idempotent(tmp_path: Path) -> None:
    store = DataStore(tmp_path / "store")
    p = write_wgi_csv(tmp_path)
    assert WgiConnector().ingest([p], store).changed
    again = WgiConnector().ingest([p], store)
    assert not again.changed
    assert len(store.list(kind="governance")) == 1


@pytest.mark.parametrize(
    ("content", "field", "line"),
    [
        (
            WGI_HEADER.replace('"Estimate"', '"Value"')
            + '\n"1","A","AFG",2019,1,0,4,1,0,9,"RuleofLaw"\n',
            "estimate",
            1,
        ),
        (WGI_HEADER + '\n"1","A","AFG",2019,high,0,4,1,0,9,"RuleofLaw"\n', "Estimate", 2),
        (WGI_HEADER + '\n"1","A","AFG",2019,1.0,0,4,1,0,9,"Happiness"\n', "Indicator", 2),
        (WGI_HEADER + '\n"1","A","AFG",19x,1.0,0,4,1,0,9,"RuleofLaw"\n', "Year", 2),
        (WGI_HEADER + '\n"1","A","",2019,1.0,0,4,1,0,9,"RuleofLaw"\n', "Code", 2),
    ],
)
def test_wgi_csv_errors(tmp_path: Path, content: str, field: str, line: int) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(content)
    store = DataStore(tmp_path / "store")
    with pytest.raises(DataError) as e:
        WgiConnector().ingest([p], store)
    assert e.value.field == field and e.value.line == line
    assert store.find("wgi") is None


def test_wgi_other_errors(tmp_path: Path) -> None:
    store = DataStore(tmp_path / "store")
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="not a WGI table"):
        WgiConnector().ingest([other], store)
    bad_db = tmp_path / "x.db"
    bad_db.write_text("not sqlite")
    with pytest.raises(DataError, match="not a WGI table"):
        WgiConnector().ingest([bad_db], store)
    db = write_wgi_db(tmp_path, [("Afghanistan", "AFG", "-2.75", "low", "nan", "4")])
    with pytest.raises(DataError) as e:
        WgiConnector().ingest([db], store)
    assert e.value.field == "2019" and e.value.line == 1
    # A workbook sheet that is not one of the six indicators
    wb = Workbook()
    ws = wb.active
    ws.title = "Happiness"
    ws.append(["Happiness index"])
    ws.append([None, None, 2019])
    ws.append(["Country/Territory", "Code", "Estimate"])
    ws.append(["Afghanistan", "AFG", 1.0])
    x = tmp_path / "happy.xlsx"
    wb.save(x)
    with pytest.raises(DataError, match="not one of the six WGI indicators"):
        WgiConnector().ingest([x], store)
    with pytest.raises(UsageError):
        WgiConnector().ingest([db], store, colour="blue")
    assert store.find("wgi") is None


def test_wgi_names_and_codes() -> None:
    assert indicator_code("Political StabilityNoViolence") == "PV"
    assert indicator_code("Political Stability and Absence of Violence/Terrorism") == "PV"
    assert indicator_code("ControlofCorruption") == "CC"
    assert indicator_code("rl.est") == "RL"
    assert indicator_code("Happiness") is None
    codes, kept = map_codes(
        [
            ("ZAR", "Congo, Dem. Rep."),
            ("TMP", "Timor-Leste"),
            ("ADO", "Andorra"),
            ("WBG", "West Bank and Gaza"),
            ("FRA", "France"),
            ("ANT", "Netherlands Antilles (former)"),
        ]
    )
    assert codes == {
        "ZAR": "COD",
        "TMP": "TLS",
        "ADO": "AND",
        "WBG": "PSE",
        "FRA": "FRA",
        "ANT": "ANT",
    }
    assert kept == ["ANT (Netherlands Antilles (former))"]


def test_wgi_via_registry_and_api(tmp_path: Path) -> None:
    assert isinstance(get_connector("wgi"), WgiConnector)
    reports = api.add_dataset("wgi", [write_wgi_csv(tmp_path)], data_dir=tmp_path / "store")
    assert reports[0].dataset == "wgi"


# -- WMD ------------------------------------------------------------------------------------
YEARS = [2018, 2019, 2020, 2021, 2022, 2023, 2024]
#: sheet → (unit, rows (Country, Country_Code, Country_ISO, values, data_source))
WMD_SHEETS: dict[str, tuple[str, list[tuple]]] = {
    "Cobalt": (
        "metr. t",
        [
            ("Australia", "36", "AUS", [4878, 5741, 5626, 5232, 5793, 5137, 4773], "r"),
            (
                "Congo, D.R.",
                "180",
                "COD",
                [111713, 78664, 86591, 93011, 115371, 140121, 200253],
                "r",
            ),
            ("Taiwan", "490", "S19", [1, 2, None, 4, 5, 6, 7], "e"),
            (
                "Total",
                "DELETE",
                "DELETE",
                [116592, 84407, 92217, 98247, 121169, 145264, 205033],
                "nan",
            ),
        ],
    ),
    "Gold": (
        "kg",
        [
            ("French Guiana", "328", "GUY", [1.5, 1.0, 1.2, 1.1, 1.0, 0.9, 0.8], "e"),
            ("Guyana", "328", "GUY", [20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0], "r"),
            ("Total", "DELETE", "DELETE", [21.5, 22.0, 23.2, 24.1, 25.0, 25.9, 26.8], "nan"),
        ],
    ),
    "Rare Earths (REO)": (
        "metr. t",
        [
            ("China", "156", "CHN", [120000, 132000, 140000, 168000, 210000, 240000, 270000], "e"),
            ("Kosovo", "697", "R20", [None] * 7, "p"),
            (
                "Total",
                "DELETE",
                "DELETE",
                [120000, 132000, 140000, 168000, 210000, 240000, 270000],
                "nan",
            ),
        ],
    ),
}
HS_MAP_COLUMNS = [
    "Sheet_name",
    "Category - WMD",
    "Reference ID",
    "Supply Chain Stage",
    "Symbol",
    "Geology",
    "Reference",
    "EoL-RIR (2023)",
    "HS Code - Complementary",
    "HS Code",
    "Description",
]
HS_MAP_ROWS = [
    (
        "Cobalt",
        "Iron and Ferro-Alloy Metals",
        "Cobalt",
        "Processing",
        "Co",
        "…",
        "https://scrreen.eu/cobalt.pdf",
        0.22,
        "810510",
        "282200",
        "Cobalt oxides",
    ),
    (
        "Gold",
        "Precious Metals",
        "Gold",
        "Processing",
        "Au",
        None,
        "https://x/gold",
        0.05,
        "710812",
        "261690",
        "Gold ores",
    ),
    (
        "Rare Earths (REO)",
        "Non-Ferrous Metals",
        "Rare earth",
        "Processing",
        "REE",
        None,
        "https://x/ree",
        0.01,
        "284610;280530",
        "284690",
        "Rare-earth compounds",
    ),
    (
        "Gallium",
        "Non-Ferrous Metals",
        "Gallium",
        None,
        None,
        None,
        None,
        0.0,
        None,
        "Not Available",
        "Not Available",
    ),
    (
        "Diamonds (Gem)",
        "Industrial Minerals",
        "Diamonds",
        None,
        None,
        None,
        "Not Available",
        0.0,
        None,
        "Not Available",
        "Not Available",
    ),
]


def write_wmd_db(folder: Path, sheets=WMD_SHEETS, hs_rows=HS_MAP_ROWS, name="wmd.db") -> Path:
    """GeoPolRisk's world_mining_data.db layout."""
    p = folder / name
    con = sqlite3.connect(p)
    con.execute(
        'CREATE TABLE "HS Code Map" (' + ", ".join(f'"{c}" TEXT' for c in HS_MAP_COLUMNS) + ")"
    )
    con.executemany(f'INSERT INTO "HS Code Map" VALUES ({", ".join("?" * 11)})', hs_rows)
    con.execute('CREATE TABLE "Country_ISO" ("ISO" TEXT, "Country" TEXT)')
    con.execute('CREATE TABLE "logging" (sheet_name TEXT, log_message TEXT, log_update INT)')
    for sheet, (unit, rows) in sheets.items():
        ycols = ", ".join(f'"{y}" INTEGER' for y in YEARS)
        con.execute(
            f'CREATE TABLE "{sheet}" ("Country" TEXT, "Country_Code" TEXT, "Country_ISO" TEXT, '
            f'{ycols}, "unit" TEXT, "data_source" TEXT)'
        )
        con.executemany(
            f'INSERT INTO "{sheet}" VALUES ({", ".join("?" * 12)})',
            [(c, cc, iso, *vals, unit, src) for c, cc, iso, vals, src in rows],
        )
    con.commit()
    con.close()
    return p


def write_wmd_workbook(folder: Path, sheets=WMD_SHEETS, name="wmd.xlsx") -> Path:
    """The published workbook's layout: title rows, then Country, unit, years, data source."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, (unit, rows) in sheets.items():
        ws = wb.create_sheet(sheet)
        ws.append([f"{sheet}"])
        ws.append([])
        ws.append(["Country", "unit", *YEARS, "data source"])
        for c, _, _, vals, src in rows:
            ws.append([c, unit, *vals, None if src == "nan" else src])
        ws.append([])
        ws.append(["r = reported, e = estimated, p = provisional"])
    p = folder / name
    wb.save(p)
    return p


def test_wmd_sqlite(tmp_path: Path) -> None:
    store = DataStore(tmp_path / "store")
    rep = WmdConnector().ingest([write_wmd_db(tmp_path)], store)
    assert rep.changed and rep.dataset == "wmd"
    prod = read_table(store, "wmd", "production")
    assert len(prod) == 10 * 7  # every row, one per year
    cod = prod[(prod["country"] == "COD") & (prod["year"] == 2022)].iloc[0]
    assert cod["value"] == 115371 and cod["unit"] == "metr. t" and cod["note"] == "r"
    assert cod["material"] == "cobalt" and cod["source_name"] == "Cobalt"
    assert cod["stage"] == "processing" and cod["description"] == "Iron and Ferro-Alloy Metals"
    assert cod["row_type"] == "country" and cod["release"] == "WMD 2025"
    assert not cod["estimated"]
    tot = prod[(prod["source_name"] == "Cobalt") & (prod["row_type"] == "world")]
    assert len(tot) == 7 and tot["country"].isna().all() and tot["note"].isna().all()
    assert (tot["country_label"] == "Total").all()
    tw = prod[(prod["country"] == "S19") & (prod["year"] == 2020)].iloc[0]
    assert pd.isna(tw["value"])  # NULL stays NULL
    gold = prod[prod["source_name"] == "Gold"]
    assert set(gold["country"].dropna()) == {"GUF", "GUY"}  # French Guiana corrected
    assert (gold[gold["country"] == "GUY"]["country_label"] == "Guyana").all()
    assert set(gold["unit"]) == {"kg"}
    assert any("French Guiana GUY→GUF" in w for w in rep.warnings)
    assert any("R20 (Kosovo)" in w and "S19 (Taiwan)" in w for w in rep.warnings)

    hs = read_table(store, "wmd", "hs_map")
    assert list(hs.columns) == [
        "reference_id",
        "sheet",
        "material",
        "category",
        "stage",
        "eol_rir",
        "hs_codes",
        "description",
        "reference",
    ]
    assert len(hs) == 5
    by = hs.set_index("sheet")
    assert by.loc["Cobalt", "hs_codes"] == "282200;810510"
    assert by.loc["Rare Earths (REO)", "hs_codes"] == "284690;284610;280530"
    assert by.loc["Rare Earths (REO)", "reference_id"] == "Rare earth"
    assert by.loc["Cobalt", "eol_rir"] == pytest.approx(0.22)
    assert by.loc["Cobalt", "stage"] == "processing"
    assert pd.isna(by.loc["Gallium", "hs_codes"]) and pd.isna(by.loc["Gallium", "stage"])
    assert pd.isna(by.loc["Diamonds (Gem)", "reference"])
    assert by.loc["Diamonds (Gem)", "material"] == "diamond_gem"
    m = rep.manifest
    assert m.kind == "mineral_production" and m.source == "wmd"
    assert "BMF" in m.licence and "World Mining Data 2025" in m.citation
    assert m.attributes["years"] == YEARS


def test_wmd_workbook_gives_the_same_production(tmp_path: Path) -> None:
    db = write_wmd_db(tmp_path)
    xl = write_wmd_workbook(tmp_path)
    store = DataStore(tmp_path / "store")
    WmdConnector().ingest([db], store, dataset_name="from_db")
    rep = WmdConnector().ingest([db, xl], store, dataset_name="db_and_xlsx")
    WmdConnector().ingest([xl], store, dataset_name="from_xlsx")
    a = read_table(store, "from_db", "production")
    b = read_table(store, "db_and_xlsx", "production")
    pd.testing.assert_frame_equal(a, b)
    assert any("3 sheet(s) given more than once" in w for w in rep.warnings)
    pd.testing.assert_frame_equal(
        read_table(store, "from_db", "hs_map"), read_table(store, "db_and_xlsx", "hs_map")
    )
    # The workbook alone: the same rows, but no stage (no HS-code map) and no hs_map table.
    c = read_table(store, "from_xlsx", "production")
    assert c["stage"].isna().all()
    pd.testing.assert_frame_equal(a.drop(columns="stage"), c.drop(columns="stage"))
    assert not store.get("from_xlsx").has_table("hs_map")


def test_wmd_workbook_header_found_by_content(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Contents"
    ws.append(["World Mining Data 2025"])
    ws = wb.create_sheet("Cobalt")
    ws.append(["Production of Mineral Raw Materials of individual Countries by Minerals"])
    ws.append(["Cobalt"])
    ws.append([])
    ws.append(["Country", "unit", "2022", "2023", "data source"])
    ws.append(["Cuba", "metr. t", 3600, "-", "e"])
    ws.append(["Total", "metr. t", 3600, None, None])
    p = tmp_path / "wmd.xlsx"
    wb.save(p)
    store = DataStore(tmp_path / "store")
    rep = WmdConnector().ingest([p], store, release="WMD 2024")
    prod = read_table(store, "wmd", "production")
    assert len(prod) == 4 and set(prod["release"]) == {"WMD 2024"}
    cuba = prod[prod["country"] == "CUB"].set_index("year")["value"]
    assert cuba[2022] == 3600 and pd.isna(cuba[2023])
    assert set(prod["description"]) == {"Iron and Ferro-Alloy Metals"}  # WMD's groups
    assert any("Contents" in w for w in rep.warnings)
    assert any("no HS-code map" in w for w in rep.warnings)


def test_wmd_idempotent(tmp_path: Path) -> None:
    store = DataStore(tmp_path / "store")
    db = write_wmd_db(tmp_path)
    assert WmdConnector().ingest([db], store).changed
    assert not WmdConnector().ingest([db], store).changed


def test_wmd_errors(tmp_path: Path) -> None:
    store = DataStore(tmp_path / "store")
    bad = dict(WMD_SHEETS)
    bad["Unobtainium"] = ("kg", [("Mordor", "999", "MOR", [1] * 7, "r")])
    with pytest.raises(DataError, match="not in the material vocabulary") as e:
        WmdConnector().ingest([write_wmd_db(tmp_path, bad, name="a.db")], store)
    assert e.value.field == "Unobtainium"

    text = {"Cobalt": ("metr. t", [("Cuba", "192", "CUB", [1, 2, "lots", 4, 5, 6, 7], "e")])}
    with pytest.raises(DataError) as e:
        WmdConnector().ingest([write_wmd_db(tmp_path, text, name="b.db")], store)
    assert e.value.field == "2020" and e.value.line == 1 and "Cobalt" in e.value.file

    no_unit = {"Cobalt": (None, [("Cuba", "192", "CUB", [1] * 7, "e")])}
    with pytest.raises(DataError) as e:
        WmdConnector().ingest([write_wmd_db(tmp_path, no_unit, name="c.db")], store)
    assert e.value.field == "unit"

    hs_bad = [(*HS_MAP_ROWS[0][:9], "28220X", *HS_MAP_ROWS[0][10:])]
    with pytest.raises(DataError) as e:
        WmdConnector().ingest([write_wmd_db(tmp_path, hs_rows=hs_bad, name="d.db")], store)
    assert e.value.field == "HS Code"

    wb = Workbook()
    ws = wb.active
    ws.title = "Cobalt"
    ws.append(["Country", "unit", 2022, "data source"])
    ws.append(["Cuba", "metr. t", "a lot", "e"])
    x = tmp_path / "bad.xlsx"
    wb.save(x)
    with pytest.raises(DataError) as e:
        WmdConnector().ingest([x], store)
    assert e.value.line == 2 and e.value.field == "2022"

    with pytest.raises(DataError, match="not World Mining Data"):
        WmdConnector().ingest([write_wgi_db(tmp_path, [("A", "AFG", "1", "1", "1", "4")])], store)
    assert store.find("wmd") is None


def test_wmd_folder_skips_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "geopolrisk"
    folder.mkdir()
    write_wmd_db(folder, name="world_mining_data.db")
    write_wgi_db(folder, [("Afghanistan", "AFG", "1", "1", "1", "4")])
    rep = WmdConnector().ingest([folder], DataStore(tmp_path / "store"))
    assert any("skipped wgi.db" in w for w in rep.warnings)
    assert [i.name for i in rep.manifest.inputs] == ["world_mining_data.db"]


def test_hs_codes_and_categories() -> None:
    assert hs_codes("282200", "810510", file="f", line=1, field="HS") == "282200;810510"
    assert hs_codes(250700, "250830; 250840", file="f", line=1, field="HS") == (
        "250700;250830;250840"
    )
    assert hs_codes("81010", None, file="f", line=1, field="HS") == "081010"
    assert hs_codes("Not Available", None, file="f", line=1, field="HS") is None
    assert hs_codes("270111;270112", "270112", file="f", line=1, field="HS") == "270111;270112"
    assert sum(len(v) for v in WMD_CATEGORIES.values()) == 65


def test_wmd_via_registry(tmp_path: Path) -> None:
    assert isinstance(get_connector("wmd"), WmdConnector)
