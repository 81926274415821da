"""Hand-computed screening cases: every criterion flips on a one-flow change."""

from __future__ import annotations

import math
from contextvars import ContextVar

import pandas as pd
import pytest
from conftest import load_trade

from ketenradar.core.engines import Engine
from ketenradar.core.groups import EU27
from ketenradar.modules.trade.analysis.dependencies import ImporterSet, Thresholds, screen

NLD = ImporterSet("NLD", ("NLD",), "EU27", EU27)
_ENGINE: ContextVar[Engine] = ContextVar("engine")


@pytest.fixture(autouse=True)
def _each_engine(engine: Engine) -> None:
    """Every test of this file runs on each engine (DuckDB, Spark local), same expectations."""
    _ENGINE.set(engine)


P = "100001"


def _con(flows: list[tuple[int, str, str, str, float]]) -> Engine:
    """The current test's engine holding ``flows`` as ``trade`` (see :func:`engine`)."""
    df = pd.DataFrame(flows, columns=["year", "exporter", "importer", "product", "value_kusd"])
    return load_trade(_ENGINE.get(), df)


def base_flows(year: int = 2022, **change: float) -> list[tuple]:
    """The base case of docs/methods/dependencies.md (worked example)."""
    v = {
        "CHN_NLD": 80.0,
        "USA_NLD": 10.0,
        "DEU_NLD": 10.0,
        "NLD_USA": 30.0,
        "NLD_DEU": 20.0,
        "BRA_NLD": 0.0,
    }
    v.update(change)
    out = []
    for key, val in v.items():
        if val:
            e, i = key.split("_")
            out.append((year, e, i, P, val))
    return out


def one(df: pd.DataFrame) -> pd.Series:
    assert len(df) == 1
    return df.iloc[0]


def test_base_case_hand_computed() -> None:
    r = one(screen(_con(base_flows()), [NLD], 2022))
    assert r["imports_kusd"] == pytest.approx(100.0)  # 80 + 10 + 10 (DEU is intra-EU)
    assert r["external_imports_kusd"] == pytest.approx(90.0)  # DEU is inside R = EU27
    assert r["external_share"] == pytest.approx(0.9)
    assert r["supplier_hhi"] == pytest.approx((80**2 + 10**2) / 90**2)  # 0.8025
    assert r["top_supplier"] == "CHN"
    assert r["top_supplier_share"] == pytest.approx(80 / 90)
    assert r["exports_kusd"] == pytest.approx(50.0)  # 30 to USA + 20 to DEU (DEU is not J)
    assert r["import_export_ratio"] == pytest.approx(90 / 50)
    # world exports: CHN 80, USA 10, DEU 10, NLD 50 -> X = 150
    assert r["world_exports_kusd"] == pytest.approx(150.0)
    assert r["world_export_hhi"] == pytest.approx((80**2 + 10**2 + 10**2 + 50**2) / 150**2)
    assert r["dependent_eu2021"]
    assert pd.isna(r["dependent_geodep"])  # only one year loaded
    assert r["reference_bloc"] == "EU27"


@pytest.mark.parametrize(
    ("change", "criterion"),
    [
        # supplier HHI: CHN 40, USA 30, BRA 20 -> (1600+900+400)/8100 = 0.358 < 0.4
        ({"CHN_NLD": 40.0, "USA_NLD": 30.0, "BRA_NLD": 20.0}, "supplier_hhi"),
        # external share: DEU 100 -> 90 / 190 = 0.47 < 0.5
        ({"DEU_NLD": 100.0}, "external_share"),
        # import/export ratio: exports 100 + 20 = 120 -> 90 / 120 = 0.75 < 1
        ({"NLD_USA": 100.0}, "import_export_ratio"),
    ],
)
def test_each_eu2021_criterion_flips(change: dict, criterion: str) -> None:
    r = one(screen(_con(base_flows(**change)), [NLD], 2022))
    assert not r["dependent_eu2021"]
    th = Thresholds()
    assert r[criterion] <= getattr(th, criterion)
    # and the same case passes when that one threshold is lowered below the value
    lowered = Thresholds(**{criterion: r[criterion] - 0.01})
    r2 = one(screen(_con(base_flows(**change)), [NLD], 2022, thresholds=lowered))
    assert r2["dependent_eu2021"]


def test_no_exports_gives_infinite_ratio() -> None:
    r = one(screen(_con(base_flows(NLD_USA=0.0, NLD_DEU=0.0)), [NLD], 2022))
    assert r["exports_kusd"] == 0
    assert math.isinf(r["import_export_ratio"])
    assert r["dependent_eu2021"]


def test_only_intra_bloc_imports_have_no_external_side() -> None:
    flows = [(2022, "DEU", "NLD", P, 10.0), (2022, "NLD", "USA", P, 5.0)]
    r = one(screen(_con(flows), [NLD], 2022))
    assert r["external_imports_kusd"] == 0
    assert r["external_share"] == 0
    assert pd.isna(r["supplier_hhi"])
    assert r["top_supplier"] is None or pd.isna(r["top_supplier"])
    assert r["import_export_ratio"] == 0
    assert not r["dependent_eu2021"]


def test_product_without_imports_is_left_out() -> None:
    flows = [(2022, "NLD", "USA", P, 5.0)]
    assert screen(_con(flows), [NLD], 2022).empty


def test_non_eu_importer_uses_itself_as_reference() -> None:
    usa = ImporterSet("USA", ("USA",), "USA", ("USA",))
    r = one(screen(_con(base_flows()), [usa], 2022))
    # USA imports 30 from NLD only; NLD is external for the USA
    assert r["imports_kusd"] == 30
    assert r["external_imports_kusd"] == 30
    assert r["supplier_hhi"] == 1.0
    assert r["exports_kusd"] == 10  # USA -> NLD


def test_bloc_importer_counts_intra_bloc_imports_but_not_exports() -> None:
    eu = ImporterSet("EU27", EU27, "EU27", EU27)
    r = one(screen(_con(base_flows()), [eu], 2022))
    # imports of EU members: NLD gets 80+10+10, DEU gets 20 from NLD -> 120
    assert r["imports_kusd"] == pytest.approx(120.0)
    assert r["external_imports_kusd"] == pytest.approx(90.0)
    assert r["external_share"] == pytest.approx(90 / 120)
    # exports to outside the EU: NLD -> USA 30, DEU's 10 goes to NLD (inside)
    assert r["exports_kusd"] == pytest.approx(30.0)
    assert r["import_export_ratio"] == pytest.approx(3.0)


def test_reference_bloc_option_changes_external() -> None:
    # with R = NLD alone, DEU becomes an external supplier
    nld_alone = ImporterSet("NLD", ("NLD",), "NLD", ("NLD",))
    r = one(screen(_con(base_flows()), [nld_alone], 2022))
    assert r["external_imports_kusd"] == pytest.approx(100.0)
    assert r["supplier_hhi"] == pytest.approx((80**2 + 10**2 + 10**2) / 100**2)


def _three_years(met: tuple[bool, bool, bool]) -> list[tuple]:
    flows = []
    for year, ok in zip((2020, 2021, 2022), met, strict=True):
        # when not met, NLD exports so much that the ratio falls below 1
        flows += base_flows(year, NLD_USA=30.0 if ok else 200.0)
    return flows


@pytest.mark.parametrize(
    ("met", "expected"),
    [
        ((True, False, True), True),
        ((False, True, True), True),
        ((True, True, False), True),
        ((False, False, True), False),
        ((True, False, False), False),
        ((False, False, False), False),
    ],
)
def test_geodep_two_of_three_years(met: tuple[bool, bool, bool], expected: bool) -> None:
    con = _con(_three_years(met))
    r = one(screen(con, [NLD], 2022, available_years=[2020, 2021, 2022]))
    assert r["geodep_criteria_met"] == sum(met)
    assert bool(r["dependent_geodep"]) is expected


def test_geodep_flips_on_world_concentration() -> None:
    # A large exporter elsewhere (BRA -> USA 1000) makes world exports unconcentrated...
    flows = []
    for y in (2020, 2021, 2022):
        flows += base_flows(y)
    r = one(screen(_con(flows), [NLD], 2022, available_years=[2020, 2021, 2022]))
    assert r["dependent_geodep"]
    diluted = flows + [(y, "BRA", "USA", P, 300.0) for y in (2020, 2021, 2022)]
    diluted += [(y, "FRA", "USA", P, 300.0) for y in (2020, 2021, 2022)]
    r2 = one(screen(_con(diluted), [NLD], 2022, available_years=[2020, 2021, 2022]))
    assert r2["world_export_hhi"] < 0.4
    assert not r2["dependent_geodep"]


def test_geodep_empty_when_a_year_is_missing() -> None:
    flows = base_flows(2021) + base_flows(2022)
    r = one(screen(_con(flows), [NLD], 2022, available_years=[2021, 2022]))
    assert pd.isna(r["dependent_geodep"])


def test_share_from_group() -> None:
    r = one(screen(_con(base_flows()), [NLD], 2022, share_from=["USA", "DEU"]))
    assert r["share_from_group"] == pytest.approx(20 / 100)


def test_share_from_group_that_supplies_nothing_is_zero() -> None:
    """A group that supplies nothing has a share of 0, not an empty value (issue 15, 10)."""
    r = one(screen(_con(base_flows()), [NLD], 2022, share_from=["JPN"]))
    assert r["share_from_group"] == 0.0


@pytest.mark.parametrize(
    ("min_kusd", "min_share", "dependent"),
    [
        (0.0, 0.0, True),  # as published
        (80.0, 0.0, True),  # CHN supplies exactly 80 (≥)
        (80.1, 0.0, False),  # below the minimum value
        (0.0, 0.8, True),  # CHN: 80 of all 100 imports
        (0.0, 0.81, False),  # below the minimum share of all imports
    ],
)
def test_materiality_flips_every_flag(min_kusd: float, min_share: float, dependent: bool) -> None:
    """Nothing is a dependency below the minimum value or share (issue 15, 4)."""
    flows = base_flows(2020) + base_flows(2021) + base_flows(2022)
    th = Thresholds(min_dependency_kusd=min_kusd, min_dependency_share=min_share)
    r = one(screen(_con(flows), [NLD], 2022, thresholds=th, available_years=[2020, 2021, 2022]))
    assert r["top_supplier_kusd"] == pytest.approx(80.0)
    assert bool(r["materiality_met"]) is dependent
    assert bool(r["dependent_eu2021"]) is dependent
    # GeoDep (criteria met in all three years) needs the same materiality
    th_geo = Thresholds(
        min_dependency_kusd=min_kusd, min_dependency_share=min_share, world_export_hhi=0.3
    )
    g = one(screen(_con(flows), [NLD], 2022, thresholds=th_geo, available_years=[2020, 2021, 2022]))
    assert g["geodep_criteria_met"] == 3
    assert bool(g["dependent_geodep"]) is dependent


def test_geodep_country_reference_is_the_importer_itself() -> None:
    """CEPII's country-level GeoDep counts intra-EU suppliers as external (issue 15, 9):
    with DEU the largest supplier the bloc-referenced HHI is high, the country-level one low."""
    change = {"DEU_NLD": 200.0, "CHN_NLD": 80.0, "USA_NLD": 10.0, "FRA_NLD": 150.0}
    flows = [f for y in (2020, 2021, 2022) for f in base_flows(y, **change)]
    flows += [(y, "NLD", "USA", P, 1.0) for y in (2020, 2021, 2022)]
    th = Thresholds(world_export_hhi=0.2)
    r = one(screen(_con(flows), [NLD], 2022, thresholds=th, available_years=[2020, 2021, 2022]))
    # bloc: CHN 80, USA 10 of 90 external -> 0.80; country: DEU 200, FRA 150, CHN 80, USA 10
    assert r["supplier_hhi"] == pytest.approx((80**2 + 10**2) / 90**2)
    assert r["dependent_geodep"]
    assert not r["dependent_geodep_country"]
    # a non-EU importer's own reference is itself: both definitions agree
    usa = ImporterSet("USA", ("USA",), "USA", ("USA",))
    u = one(screen(_con(flows), [usa], 2022, thresholds=th, available_years=[2020, 2021, 2022]))
    assert bool(u["dependent_geodep"]) is bool(u["dependent_geodep_country"])


def test_transit_flag_rotterdam_effect() -> None:
    # NLD re-exports 95 of the 100 it imports: a transit product
    flows = [(2022, "CHN", "NLD", P, 100.0), (2022, "NLD", "DEU", P, 95.0)]
    r = one(screen(_con(flows), [NLD], 2022))
    assert r["reexport_ratio"] == pytest.approx(0.95)
    assert r["transit"]
    flows = [(2022, "CHN", "NLD", P, 100.0), (2022, "NLD", "DEU", P, 85.0)]
    assert not one(screen(_con(flows), [NLD], 2022))["transit"]


def test_output_columns_are_the_documented_ones() -> None:
    from ketenradar.modules.trade.analysis.dependencies import SCREEN_COLUMNS

    df = screen(_con(base_flows()), [NLD], 2022)
    assert list(df.columns) == SCREEN_COLUMNS
