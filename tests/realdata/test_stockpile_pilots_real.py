"""Real data: the cabinet's pilots (the naval AESA radar, the frigate hull, the MRI scanner) as
stock plans for the Netherlands on BACI raw materials (HS92, V202401b) and World Mining Data:
every material and component of each packaged BOM keeps its row; a component is at least as
exposed as each of its materials, so it needs at least their days of cover (one simulation,
common random numbers); components come out private, the radar's gallium and germanium say why
they have no numbers. The figures are in docs/methods/stockpile.md, "The pilots".

Reads ``$KETENRADAR_SHARED_DATA`` (default ``../shared/data``); skips when it is missing,
except under CI, where it fails.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import materials_store

from ketenradar.modules.stockpile.bom_items import read_bom_items
from ketenradar.modules.stockpile.plan import plan

pytestmark = pytest.mark.realdata

PILOTS = {"naval_aesa_radar": 2.0, "naval_ship_hull": 1.0, "mri_scanner": 30.0}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return materials_store(tmp_path_factory.mktemp("stockpile_pilots_real") / "store")


@pytest.fixture(scope="module")
def plans(store: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for bom, units in PILOTS.items():
        res = plan([], "NLD", bom=bom, units_per_year=units, paths=2000, data_dir=store)
        out[bom] = res.frame("plan").set_index("item")
    return out


@pytest.mark.parametrize("bom", list(PILOTS))
def test_every_material_and_component_has_a_row(plans: dict[str, pd.DataFrame], bom: str):
    df, items = plans[bom], read_bom_items(bom)
    want = [*items.materials, *(items.component_id(c) for c in items.components)]
    assert list(df.index) == want
    empty = df["stock_t"].isna()
    assert df.loc[empty, "note"].notna().all()
    for m, kg in items.materials.items():  # the programme's demand
        assert df.at[m, "annual_demand_t"] == pytest.approx(PILOTS[bom] * kg / 1000)
    assert (df["year"] == 2024).all() and (df["importer"] == "NLD").all()


@pytest.mark.parametrize("bom", list(PILOTS))
def test_a_component_needs_at_least_its_materials_days(plans: dict[str, pd.DataFrame], bom: str):
    df, items = plans[bom], read_bom_items(bom)
    for comp, mats in items.components.items():
        row = df.loc[items.component_id(comp)]
        assert row["item_kind"] == "component" and row["form"] == "private"
        days = df.loc[[m for m in mats if pd.notna(df.at[m, "days_of_cover"])], "days_of_cover"]
        if len(days) and pd.notna(row["days_of_cover"]):
            assert row["days_of_cover"] >= days.max() - 1e-9


def test_the_radar_says_what_the_data_cannot_see(plans: dict[str, pd.DataFrame]):
    radar = plans["naval_aesa_radar"]
    for m in ("gallium", "germanium"):
        assert pd.isna(radar.at[m, "stock_t"])
    assert "HS code" in radar.at["gallium", "note"]
    assert "no imports into NLD" in radar.at["germanium", "note"]
    face = radar.loc["naval_aesa_radar/array face"]
    assert face["days_of_cover"] > 365 and "gallium" in face["note"]  # listed as unseen
    print(radar[["item_kind", "annual_demand_t", "stock_t", "days_of_cover", "form"]])
