"""GeoPolRisk on a small hand-computed case (trade, production and WGI written by hand)."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import ENGINES, write_country_dict, write_product_dict, write_trade

from ketenradar import api
from ketenradar.core.errors import NotFoundError
from ketenradar.datasets import DataStore
from ketenradar.modules.materials.api import geopolrisk_scores
from ketenradar.sources.tables import ParsedSource, write_tables_dataset

# BACI codes of the hand countries: 528 NLD, 276 DEU, 251 FRA, 156 CHN, 842 USA, 76 BRA
COBALT_HS = ("282200", "810510")


def _prod(rows: list[tuple[str, str | None, str, float | None]], unit: str) -> list[dict]:
    return [
        {
            "material": "cobalt",
            "source_name": "Cobalt",
            "stage": "processing",
            "description": "Non-Ferrous Metals",
            "country": c,
            "country_label": c or "Total",
            "row_type": rt,
            "year": 2022,
            "value": v,
            "unit": unit,
            "estimated": False,
            "note": None,
            "release": "test",
        }
        for c, _, rt, v in rows
    ]


@pytest.fixture
def world(tmp_path: Path, data_dir: Path) -> Path:
    src = tmp_path / "baci"
    src.mkdir()
    write_country_dict(src)
    write_product_dict(src, list(COBALT_HS))
    # NLD imports cobalt: 60 t from CHN (value 600), 40 t from DEU (value 500) in 282200,
    # and 10 t from BRA (value 50) in 810510; DEU imports 20 t from NLD. One NA quantity.
    write_trade(
        src,
        2022,
        [
            (2022, 156, 528, "282200", 600, 60),
            (2022, 276, 528, "282200", 500, 40),
            (2022, 76, 528, "810510", 50, 10),
            (2022, 528, 276, "282200", 300, 20),
            (2022, 842, 276, "282200", 100, "NA"),
        ],
    )
    api.add_dataset("baci", [src], data_dir=data_dir)
    store = DataStore(data_dir)
    # Production: CHN 90.7 → 90, BRA 10.2 → 10 (truncated as the reference does), NLD 0.5 → 0
    prod = pd.DataFrame(
        _prod(
            [
                ("CHN", None, "country", 90.7),
                ("BRA", None, "country", 10.2),
                ("NLD", None, "country", 0.5),
                (None, None, "world", 101.4),
            ],
            "metr. t",
        )
    )
    hs_map = pd.DataFrame(
        [
            {
                "reference_id": "Cobalt",
                "sheet": "Cobalt",
                "material": "cobalt",
                "category": "Non-Ferrous Metals",
                "stage": "processing",
                "eol_rir": 0.22,
                "hs_codes": "282200;810510",
                "description": "Cobalt",
                "reference": "test",
            }
        ]
    )
    write_tables_dataset(
        store,
        name="wmd",
        source="wmd",
        kind="mineral_production",
        parsed=ParsedSource({"production": prod, "hs_map": hs_map}, [], "test"),
        licence="test",
        citation="test",
        parser_version="t",
    )
    # PV estimates: CHN −0.5 → (2.5+0.5)/5 = 0.6; DEU 0.5 → 0.4; NLD 1.0 → 0.3; BRA none → 0.5
    wgi = pd.DataFrame(
        [
            {"country": c, "country_label": c, "year": 2022, "indicator": "PV", "estimate": e}
            for c, e in (("CHN", -0.5), ("DEU", 0.5), ("NLD", 1.0), ("USA", 3.0))
        ]
    )
    write_tables_dataset(
        store,
        name="wgi",
        source="wgi",
        kind="governance",
        parsed=ParsedSource({"wgi": wgi}, [], "test"),
        licence="test",
        citation="test",
        parser_version="t",
    )
    return data_dir


_ENGINE: ContextVar[str] = ContextVar("engine")


@pytest.fixture(autouse=True, params=ENGINES)
def _each_engine(request: pytest.FixtureRequest) -> None:
    """Every test of this file runs on each engine (DuckDB, Spark local), same expectations."""
    _ENGINE.set(request.param)


def scores(**kw: Any) -> pd.DataFrame:
    """:func:`geopolrisk_scores` on the current test's engine."""
    return geopolrisk_scores(engine=_ENGINE.get(), **kw)


def test_hand_computed_nld(world: Path):
    df = scores(importer="NLD", years=[2022], data_dir=world)
    r = df.set_index("material").loc["Cobalt"]
    # HHI on truncated production 90, 10, 0: (8100 + 100) / 100² = 0.82
    assert r["hhi"] == pytest.approx(0.82)
    # numerator = 60·0.6 + 40·0.4 + 10·0.5 = 36 + 16 + 5 = 57
    # denominator = 110 t imports + 0.5 t own production = 110.5
    assert r["import_risk"] == pytest.approx(57 / 110.5)
    assert r["score"] == pytest.approx(0.82 * 57 / 110.5)
    # price = (600 + 500 + 50) / 110 kUSD/t; cf = score · price / 0.409412948
    assert r["price_usd_per_kg"] == pytest.approx(1150 / 110)
    assert r["cf"] == pytest.approx(0.82 * 57 / 110.5 * (1150 / 110) / 0.409412948)
    assert r["n_partners"] == 3
    assert r["domestic_production_t"] == pytest.approx(0.5)


def test_exact_production_switch(world: Path):
    df = scores(importer="NLD", years=[2022], data_dir=world, exact_production=True)
    h = (90.7**2 + 10.2**2 + 0.5**2) / (101.4**2)
    assert df["hhi"].iloc[0] == pytest.approx(h)


def test_missing_quantity_counts_zero_but_value_counts_in_price(world: Path):
    df = scores(importer="DEU", years=[2022], data_dir=world).iloc[0]
    # DEU: 20 t from NLD (PV 0.3) and NA t from USA (PV clip((2.5−3)/5) = 0)
    assert df["import_qty_t"] == pytest.approx(20)
    assert df["import_risk"] == pytest.approx(20 * 0.3 / 20)
    assert df["price_usd_per_kg"] == pytest.approx(400 / 20)


def test_group_importer_zero_weight_inside(world: Path):
    df = scores(importer="NLD,DEU", years=[2022], data_dir=world).iloc[0]
    # members NLD, DEU: imports 110 + 20 (+ NA) t; intra flows DEU→NLD (40 t) and NLD→DEU
    # (20 t) weigh 0: numerator = 60·0.6 + 10·0.5 = 41; denominator = 130 + 0.5
    assert df["importer"] == "NLD+DEU"
    assert df["import_risk"] == pytest.approx(41 / 130.5)


def test_all_importers_and_errors(world: Path):
    df = scores(importer="all", data_dir=world)
    # Importers with trade (NLD, DEU) or own production (CHN, BRA, NLD) in 2022
    assert set(df["importer"]) == {"NLD", "DEU", "CHN", "BRA"}
    chn = df.set_index("importer").loc["CHN"]
    assert chn["import_risk"] == 0.0 and chn["import_qty_t"] == 0.0
    with pytest.raises(NotFoundError, match="closest: Cobalt"):
        scores(importer="NLD", materials=["Cobolt"], data_dir=world)
    with pytest.raises(NotFoundError, match="2019"):
        scores(importer="NLD", years=[2019], data_dir=world)


def test_unknown_importer_and_usgs_loaded_beside(world: Path):
    # A USGS-like production dataset without an HS map next to WMD must not confuse the choice.
    from ketenradar.datasets import DataStore

    store = DataStore(world)
    prod = pd.DataFrame(_prod([("CHN", None, "country", 5.0)], "t"))
    write_tables_dataset(
        store, name="usgs_mcs", source="usgs", kind="mineral_production",
        parsed=ParsedSource({"production": prod}, [], "test"),
        licence="t", citation="t", parser_version="t",
    )  # fmt: skip
    assert len(scores(importer="NLD", years=[2022], data_dir=world)) == 1
    with pytest.raises(NotFoundError, match="closest: NLD"):
        scores(importer="NLX", years=[2022], data_dir=world)
