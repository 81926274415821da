"""The real CBS StatLine tables and World Bank WDI files of ``shared/data/nl_kpis`` ingested
by the ``cbs_statline`` and ``wdi`` connectors, checked against the figures in that folder's
README (issue 18, item 1)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import require_shared

from ketenradar import api
from ketenradar.datasets import open_store
from ketenradar.datasets.engine import read_table

pytestmark = pytest.mark.realdata

GHG = "GreenhouseGasEquivalents_6"


@pytest.fixture(scope="module")
def statline(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    src = require_shared("nl_kpis/cbs")
    data = tmp_path_factory.mktemp("store")
    (rep,) = api.add_dataset("cbs_statline", [src], data_dir=data)
    assert rep.changed
    m = rep.manifest
    assert m.kind == "statline_table"
    assert m.release == (
        "CBS StatLine 83300ENG (modified 2022-12-05), 86103NED (modified 2026-03-16)"
    )
    return read_table(open_store(data).get("cbs_statline"), "observations")


@pytest.fixture(scope="module")
def wdi(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    src = require_shared("nl_kpis/worldbank_wdi")
    data = tmp_path_factory.mktemp("store")
    (rep,) = api.add_dataset("wdi", [src], data_dir=data)
    assert rep.manifest.release == "WDI, last updated 2026-07-13"
    assert rep.warnings == []
    return read_table(open_store(data).get("wdi"), "values")


def _ghg(df: pd.DataFrame, code: str, period: str) -> float:
    sel = df[
        (df["table_id"] == "83300ENG")
        & (df["code"] == code)
        & (df["period"] == period)
        & (df["measure"] == GHG)
    ]
    assert len(sel) == 1
    return float(sel["value"].iloc[0])


def test_83300eng_greenhouse_gases(statline: pd.DataFrame) -> None:
    emis = statline[statline["table_id"] == "83300ENG"]
    assert emis["code"].nunique() == 59  # economic-activity codes
    assert set(emis["dimension"]) == {"DutchEconomy"}
    assert set(emis["frequency"]) == {"year"}
    assert emis["period"].min() == "1990JJ00" and emis["period"].max() == "2021JJ00"
    assert len(emis) == 59 * 32 * 14
    assert _ghg(statline, "B000579", "1990JJ00") == 238279.0  # mln kg = 238.3 Mt
    manuf = emis[(emis["code"] == "307500")]
    assert set(manuf["code_label"]) == {"C Manufacturing"}
    assert round(_ghg(statline, "307500", "1990JJ00") / 1000, 1) == 65.7  # Mt
    assert round(_ghg(statline, "307500", "2021JJ00") / 1000, 1) == 46.4
    assert set(emis.loc[emis["measure"] == GHG, "measure_label"]) == {"Greenhouse gas equivalents"}
    assert emis["value"].notna().all()


def test_86103ned_gas_balance(statline: pd.DataFrame) -> None:
    gas = statline[statline["table_id"] == "86103NED"]
    assert gas["dimension"].isna().all() and gas["code"].isna().all()
    assert set(gas["frequency"]) == {"year", "quarter", "month"}
    assert set(gas["unit"]) == {"mln m3"}

    def v(period: str, measure: str) -> float:
        sel = gas[(gas["period"] == period) & (gas["measure"] == measure)]
        assert len(sel) == 1
        return float(sel["value"].iloc[0])

    # read from the file: 2015MM01 total supply 4981, production 6801; 2024 consumption 30109
    assert v("2015MM01", "TotaalAanbod_1") == 4981.0
    assert v("2015MM01", "WinningUitDeBodem_2") == 6801.0
    assert v("2024JJ00", "TotaalVerbruik_25") == 30109.0
    last = gas.loc[gas["period"] == "2026MM02", "period_start"].iloc[0]
    assert pd.Timestamp(last) == pd.Timestamp("2026-02-01")
    # LNG by origin was not published for early months: '.' → NULL
    assert pd.isna(v("2015MM01", "InvoerUitRusland_13"))


def test_wdi_rd_expenditure_2023(wdi: pd.DataFrame) -> None:
    rd = wdi[(wdi["indicator"] == "GB.XPD.RSDV.GD.ZS") & (wdi["year"] == 2023)]
    got = dict(zip(rd["country"], rd["value"], strict=True))
    assert {c: round(got[c], 2) for c in ("NLD", "DEU", "BEL", "FRA", "EUU")} == {
        "NLD": 2.27,
        "DEU": 3.15,
        "BEL": 3.27,
        "FRA": 2.18,
        "EUU": 2.26,
    }
    assert set(wdi.loc[wdi["country"] == "EUU", "country_label"]) == {"European Union"}
    assert set(wdi["indicator"]) == {"GB.XPD.RSDV.GD.ZS", "SP.POP.SCIE.RD.P6"}
    assert wdi["value"].notna().all()
    assert wdi["year"].between(1960, 2025).all()
