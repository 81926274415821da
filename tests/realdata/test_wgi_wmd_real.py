"""Real data: WGI (the World Bank's CSV and workbook, GeoPolRisk's wgi.db) and World Mining Data.

These tests read ``$KETENRADAR_SHARED_DATA`` (default ``../shared/data``). They skip when it
is missing, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import require_shared
from openpyxl import Workbook

from ketenradar.datasets import DataStore
from ketenradar.sources.wgi import INDICATORS, WgiConnector
from ketenradar.sources.wmd import WMD_CATEGORIES, WmdConnector

pytestmark = pytest.mark.realdata

WGI_CSV = "wgi/2020_Worldwide_Governance_Indicators_1996-2019.csv"
WGI_XLSX = "wgi/2020_Worldwide_Governance_Indicators_1996-2019t.xlsx"
WGI_DB = "geopolrisk/wgi.db"
WMD_DB = "geopolrisk/world_mining_data.db"


def _read(store: DataStore, dataset: str, table: str) -> pd.DataFrame:
    files = [str(f) for f in store.get(dataset).table_files(table)]
    return duckdb.connect().execute("SELECT * FROM read_parquet(?)", [files]).df()


@pytest.fixture(scope="module")
def wgi_store(tmp_path_factory: pytest.TempPathFactory) -> DataStore:
    store = DataStore(tmp_path_factory.mktemp("wgi") / "store")
    c = WgiConnector()
    c.ingest([require_shared(WGI_CSV)], store, dataset_name="wgi_csv")
    c.ingest([require_shared(WGI_XLSX)], store, dataset_name="wgi_xlsx")
    c.ingest([require_shared(WGI_DB)], store, dataset_name="wgi_db")
    return store


def _estimates(store: DataStore, name: str) -> pd.Series:
    df = _read(store, name, "wgi")
    return df.set_index(["country", "indicator", "year"])["estimate"]


def test_wgi_csv_and_workbook_agree_on_all_six_indicators(wgi_store: DataStore) -> None:
    a = _estimates(wgi_store, "wgi_csv")
    b = _estimates(wgi_store, "wgi_xlsx")
    assert len(a) == len(b) == 26964  # 214 economies × 21 years × 6 indicators
    assert set(a.index.get_level_values("indicator")) == set(INDICATORS)
    b = b.reindex(a.index)
    assert (a.isna() == b.isna()).all()
    assert a.isna().sum() == 983
    assert (a - b).abs().max() <= 1e-6
    # The 2020 release (data to 2019)
    assert a["AFG", "PV", 2019] == pytest.approx(-2.6494, abs=1e-4)
    assert a["FRA", "PV", 2019] == pytest.approx(0.3137, abs=1e-4)
    assert a["NLD", "RL", 2019] == pytest.approx(1.8085, abs=1e-4)
    # World Bank codes mapped to ISO3; the former Netherlands Antilles kept as ANT
    countries = set(a.index.get_level_values("country"))
    assert {"ROU", "COD", "TLS", "AND", "XKX", "PSE", "ANT"} <= countries
    assert not {"ROM", "ZAR", "TMP", "ADO", "KSV", "WBG"} & countries


def test_wgi_sqlite_pv_against_the_csv(wgi_store: DataStore) -> None:
    """GeoPolRisk's wgi.db (PV only, to 2024) against the 2020 CSV's PV for 1996–2019.

    They are not the same release: 3 239 of the 4 274 values present in both differ by more
    than 1e-6 (the years 1996–2009 and 2015–2019 were revised; 2010–2014 agree except for
    Guyana, whose first wgi.db row holds French Guiana's series, and Jersey).
    """
    db = _estimates(wgi_store, "wgi_db")
    assert set(db.index.get_level_values("indicator")) == {"PV"}
    assert db["AFG", "PV", 2019] == pytest.approx(-2.6524, abs=1e-4)
    assert db["FRA", "PV", 2019] == pytest.approx(0.2713, abs=1e-4)
    assert db["AFG", "PV", 2024] == pytest.approx(-2.2052, abs=1e-4)
    csv = _estimates(wgi_store, "wgi_csv")
    pv = csv[csv.index.get_level_values("indicator") == "PV"]
    both = pd.concat([pv.rename("csv"), db.rename("db")], axis=1, join="inner").dropna()
    assert len(both) == 4274
    differ = both[(both["csv"] - both["db"]).abs() > 1e-6]
    print(f"wgi.db PV vs CSV PV 1996–2019: {len(differ)} of {len(both)} differ by > 1e-6")
    assert len(differ) == 3239
    years = differ.index.get_level_values("year")
    mid = differ[(years >= 2010) & (years <= 2014)]
    assert set(mid.index.get_level_values("country")) == {"GUY", "JEY"}
    agree = both.drop(differ.index)
    assert (agree["csv"] - agree["db"]).abs().max() <= 1e-6


def test_wgi_csv_then_db_takes_the_db_where_they_differ(tmp_path: Path) -> None:
    store = DataStore(tmp_path / "store")
    rep = WgiConnector().ingest([require_shared(WGI_CSV), require_shared(WGI_DB)], store)
    est = _estimates(store, "wgi")
    assert est["FRA", "PV", 2019] == pytest.approx(0.2713, abs=1e-4)  # from wgi.db
    assert est["FRA", "RL", 2019] == pytest.approx(1.4121, abs=1e-4)  # CSV only
    assert est["FRA", "PV", 2024] == pytest.approx(-0.2414, abs=1e-4)
    assert any(w.startswith("3239 estimate(s) differ") for w in rep.warnings)
    assert any("GUY (26 value(s)" in w for w in rep.warnings)
    assert rep.manifest.attributes["years"][-1] == 2024
    assert (
        not WgiConnector().ingest([require_shared(WGI_CSV), require_shared(WGI_DB)], store).changed
    )


# -- World Mining Data --------------------------------------------------------------------
@pytest.fixture(scope="module")
def wmd_store(tmp_path_factory: pytest.TempPathFactory) -> DataStore:
    store = DataStore(tmp_path_factory.mktemp("wmd") / "store")
    WmdConnector().ingest([require_shared(WMD_DB)], store)
    return store


def _mineral_tables(db: Path) -> list[str]:
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    finally:
        con.close()
    return [n for n in names if n not in ("HS Code Map", "Country_ISO", "logging")]


def test_wmd_every_mineral_table(wmd_store: DataStore) -> None:
    tables = _mineral_tables(require_shared(WMD_DB))
    assert len(tables) == 65  # 68 tables: 65 minerals, HS Code Map, Country_ISO, logging
    prod = _read(wmd_store, "wmd", "production")
    assert sorted(prod["source_name"].unique()) == sorted(tables)
    assert prod["material"].notna().all()
    assert len(prod) == 2019 * 7  # every row of every table, 2018–2024
    assert (prod["row_type"] == "world").sum() == 65 * 7
    assert set(prod["unit"]) == {"metr. t", "kg", "Mio m3", "ct"}
    cod = prod[(prod["source_name"] == "Cobalt") & (prod["country"] == "COD")]
    assert cod.set_index("year")["value"][2022] == 115371
    assert cod["stage"].iloc[0] == "processing"
    assert set(prod["stage"].dropna()) == {"extraction", "processing"}
    # WMD's own grouping agrees with the HS-code map's categories
    hs = _read(wmd_store, "wmd", "hs_map")
    mine = {s: c for c, sheets in WMD_CATEGORIES.items() for s in sheets}
    assert dict(zip(hs["sheet"], hs["category"], strict=True)) == mine


def test_wmd_hs_map(wmd_store: DataStore) -> None:
    hs = _read(wmd_store, "wmd", "hs_map")
    assert len(hs) == 65
    by = hs.set_index("sheet")
    assert by.loc["Cobalt", "hs_codes"] == "282200;810510"
    assert by.loc["Kaolin (China-Clay)", "hs_codes"] == "250700;250830;250840"
    assert by.loc["Cobalt", "eol_rir"] == pytest.approx(0.22)
    assert hs["hs_codes"].notna().sum() == 53
    assert hs["hs_codes"].dropna().str.fullmatch(r"\d{6}(;\d{6})*").all()
    assert set(hs["stage"].dropna()) == {"extraction", "processing"}


def _workbook_from_db(db: Path, out: Path) -> Path:
    """The published WMD layout (title rows, Country/unit/years/data source) from the db."""
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    wb = Workbook()
    wb.remove(wb.active)
    try:
        for t in _mineral_tables(db):
            cur = con.execute(f'SELECT * FROM "{t}"')
            cols = [d[0] for d in cur.description]
            years = [c for c in cols if c.isdigit()]
            ws = wb.create_sheet(t)
            ws.append(["Production of Mineral Raw Materials of individual Countries by Minerals"])
            ws.append([t])
            ws.append(["Country", "unit", *(int(y) for y in years), "data source"])
            for rec in cur:
                r = dict(zip(cols, rec, strict=True))
                src = None if r["data_source"] in (None, "nan") else r["data_source"]
                ws.append([r["Country"], r["unit"], *(r[y] for y in years), src])
    finally:
        con.close()
    wb.save(out)
    return out


def test_wmd_generated_workbook_gives_the_same_production(
    wmd_store: DataStore, tmp_path: Path
) -> None:
    db = require_shared(WMD_DB)
    xl = _workbook_from_db(db, tmp_path / "wmd_from_db.xlsx")
    store = DataStore(tmp_path / "store")
    rep = WmdConnector().ingest([db, xl], store, dataset_name="db_then_workbook")
    WmdConnector().ingest([xl], store, dataset_name="workbook")
    a = _read(wmd_store, "wmd", "production")
    b = _read(store, "db_then_workbook", "production")
    pd.testing.assert_frame_equal(a, b)  # production from the workbook, stages from the db
    assert any("65 sheet(s) given more than once" in w for w in rep.warnings)
    c = _read(store, "workbook", "production")
    pd.testing.assert_frame_equal(a.drop(columns="stage"), c.drop(columns="stage"))
    assert c["stage"].isna().all()
