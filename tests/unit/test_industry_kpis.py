"""The KPIs of letter 003 (issue 18, item 6): targets against the latest value computed by
hand, "no data" with the command where a series is not loaded, a bad KPI file refused naming
the field; on the real CBS and World Bank files: manufacturing's emissions and R&D."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import require_shared
from typer.testing import CliRunner

from ketenradar import api as facade
from ketenradar.core.errors import DataError
from ketenradar.interfaces.cli.app import app
from ketenradar.modules.industry import facts
from ketenradar.modules.industry.analysis import kpis as analysis
from ketenradar.modules.industry.analysis.kpis import assess_kpi
from ketenradar.modules.industry.api import kpis
from ketenradar.modules.industry.kpis_file import load_kpis

runner = CliRunner()


def _series(values: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame({"year": list(values), "value": list(values.values())})


def test_targets_by_hand() -> None:
    s = _series({2019: 46.7, 2020: 45.0, 2021: 46.4})
    red = assess_kpi(s, {"kind": "reduction", "amount": 20, "base_year": 2019})
    assert red["target_high"] == pytest.approx(26.7) and red["latest_year"] == 2021
    assert red["target_low"] is None
    assert red["kpi_status"] == "not reached"
    assert (
        assess_kpi(s, {"kind": "reduction", "amount": 0.2, "base_year": 2019})["kpi_status"]
        == "reached"
    )  # 46.4 <= 46.5
    assert (
        assess_kpi(s, {"kind": "reduction", "amount": 1, "base_year": 2010})["kpi_status"]
        == "no base year"
    )
    rd = _series({2022: 2.2, 2023: 2.27})
    assert assess_kpi(rd, {"kind": "at_least", "level": 3})["kpi_status"] == "not reached"
    assert assess_kpi(rd, {"kind": "at_most", "level": 3})["kpi_status"] == "reached"
    band = assess_kpi(_series({2020: 12.0}), {"kind": "band", "low": 10, "high": 15})
    assert band["kpi_status"] == "reached" and (band["target_low"], band["target_high"]) == (10, 15)
    none = assess_kpi(None, {"kind": "at_least", "level": 3})
    assert none == {"latest_year": None, "latest_value": None, "target_low": 3.0,
                    "target_high": None, "kpi_status": "no data"}  # fmt: skip
    # a missing value is not the latest value
    gap = _series({2022: 2.2, 2023: float("nan")})
    assert assess_kpi(gap, {"kind": "at_least", "level": 3})["latest_year"] == 2022


def test_the_result_table_declares_the_columns() -> None:
    assert list(analysis.KPI_COLUMNS) == facts.KPI_COLUMN_NAMES
    assert list(analysis.SERIES_COLUMNS) == facts.KPI_SERIES_COLUMN_NAMES


def test_the_shipped_kpis_name_the_letters_targets() -> None:
    specs = {k.id: k for k in load_kpis()}
    assert set(specs) == {
        "industry_ghg",
        "rd_share_gdp",
        "industry_share_gdp",
        "primary_abiotic_raw_materials",
    }
    assert specs["rd_share_gdp"].target.level == 3
    assert (specs["industry_share_gdp"].target.low, specs["industry_share_gdp"].target.high) == (
        10,
        15,
    )
    assert all("Letter 003" in k.target.source for k in specs.values())


@pytest.mark.parametrize(
    ("target", "field", "needle"),
    [
        ("{kind: at_least, source: s}", "kpis[0].target", "needs level"),
        ("{kind: band, low: 15, high: 10, source: s}", "kpis[0].target", "low 15.0 is above"),
        ("{kind: reduction, amount: 5, source: s}", "kpis[0].target", "needs base_year"),
        ("{kind: more, level: 1, source: s}", "kpis[0].target.kind", "Input should be"),
    ],
)
def test_a_bad_kpi_file_is_refused_naming_the_field(tmp_path: Path, target, field, needle):
    f = tmp_path / "k's.yaml"
    f.write_text(
        "kpis:\n  - id: x\n    name: X\n    unit: '%'\n    target: " + target + "\n"
        "    series: {kind: wdi_indicators, indicator: A, country: NLD, load: cmd}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as e:
        load_kpis(f)
    assert e.value.file == str(f) and e.value.field == field and needle in str(e.value)


def test_an_empty_store_says_what_to_load(tmp_path: Path) -> None:
    r = kpis(data_dir=tmp_path / "empty")
    assert set(r.tables["kpis"]["kpi_status"]) == {"no data"}
    assert any("data add wdi" in n for n in r.provenance.notes)
    assert r.tables["series"].empty


@pytest.mark.realdata
def test_the_real_cbs_and_world_bank_series(tmp_path: Path) -> None:
    store = tmp_path / "store"
    facade.add_dataset("cbs_statline", [require_shared("nl_kpis/cbs")], data_dir=store)
    facade.add_dataset("wdi", [require_shared("nl_kpis/worldbank_wdi")], data_dir=store)
    out = tmp_path / "kpis.csv"
    r = runner.invoke(
        app, ["industry", "kpis", "--format", "csv", "--output", str(out), "--data-dir", str(store)]
    )
    assert r.exit_code == 0, r.output
    k = pd.read_csv(out).set_index("kpi")
    # CBS 83300ENG, C Manufacturing, greenhouse-gas equivalents: 46,388 mln kg in 2021; the
    # base year 2019 minus 20 Mt
    ghg = k.loc["industry_ghg"]
    assert (ghg["latest_year"], ghg["latest_value"]) == (2021, pytest.approx(46.388))
    series = kpis(data_dir=store).tables["series"]
    s = series[series["kpi"] == "industry_ghg"].set_index("year")["value"]
    assert s[1990] == pytest.approx(65.702)
    assert ghg["target_high"] == pytest.approx(s[2019] - 20) and pd.isna(ghg["target_low"])
    assert ghg["kpi_status"] == "not reached"
    rd = k.loc["rd_share_gdp"]
    assert rd["latest_year"] == 2023 and round(rd["latest_value"], 2) == 2.27
    assert rd["kpi_status"] == "not reached"
    assert k.loc["industry_share_gdp", "kpi_status"] == "no data"
    assert "indicator=NV.IND.MANF.ZS" in " ".join(r.output.split())
