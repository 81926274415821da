"""A bill of materials as stockpile items (``--bom``): its materials with the programme's
demand, its components exposed by the largest exposure of their materials, the default form of
a component and its override, the anchors beside every row, and bad input naming the field.
Runs on the hand-made store of test_stockpile_candidates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_stockpile_candidates import store  # noqa: F401  (the module-scoped store)

from ketenradar.core.errors import DataError, NotFoundError, UsageError
from ketenradar.modules.stockpile import api
from ketenradar.modules.stockpile.bom_items import COMPONENT_DEFAULTS, read_bom_items
from ketenradar.modules.stockpile.candidates import candidate_tables
from ketenradar.modules.stockpile.plan import plan

#: Two components: a "pack" (2 per system) of cobalt and copper, a "wire" of copper only.
BOM = """\
system: toy drive
illustrative: true
unit: mass_kg
sources:
  - {id: s1, citation: "hand-made for the test"}
subsystems:
  - name: pack
    quantity: 2
    materials:
      - {material: cobalt, mass_kg: 3, source: s1}
      - {material: copper, mass_kg: 1, source: s1}
  - name: wire
    materials:
      - {material: copper, mass_kg: 5, source: s1}
"""
KW = {"paths": 2000, "months": 60, "seed": 11}
UNITS = 1000.0  # systems a year


@pytest.fixture
def bom_file(tmp_path: Path) -> Path:
    path = tmp_path / "a drive's 'BOM'.yaml"  # a space and quotes in the path
    path.write_text(BOM, encoding="utf-8")
    return path


def _rows(df: pd.DataFrame) -> pd.DataFrame:
    return df.set_index("item")


def test_the_bom_read_as_items(bom_file: Path):
    b = read_bom_items(bom_file)
    assert b.materials == {"cobalt": 6.0, "copper": 7.0}  # 2 packs × 3 kg; 2 × 1 + 5 kg
    assert b.components == {"pack": {"cobalt": 6.0, "copper": 2.0}, "wire": {"copper": 5.0}}
    assert b.counts == {"pack": 2.0, "wire": 1.0}
    assert b.component_id("pack") == f"{bom_file.stem}/pack"


def test_the_pilot_boms_are_items():
    radar = read_bom_items("naval_aesa_radar")
    assert radar.counts["array face"] == 4 and len(radar.components) == 4
    assert "gallium" in radar.materials and radar.illustrative
    for name in ("naval_ship_hull", "mri_scanner"):
        b = read_bom_items(name)
        total = sum(sum(m.values()) for m in b.components.values())
        assert total == pytest.approx(sum(b.materials.values()))  # the tree, summed two ways


def test_programme_demand_and_component_exposure(store: Path, bom_file: Path):  # noqa: F811
    res = plan([], "NLD", 2022, data_dir=store, bom=str(bom_file), units_per_year=UNITS, **KW)
    df = _rows(res.frame("plan"))
    pack, wire = f"{bom_file.stem}/pack", f"{bom_file.stem}/wire"
    assert list(df.index) == ["copper", "cobalt", pack, wire]  # materials largest first
    # the programme's demand: units a year × kg per system
    assert df.at["cobalt", "annual_demand_t"] == pytest.approx(UNITS * 6 / 1000)
    assert df.at["copper", "annual_demand_t"] == pytest.approx(UNITS * 7 / 1000)
    assert (df.loc[["cobalt", "copper"], "demand_source"] == "user").all()
    assert df.at[pack, "annual_demand_t"] == pytest.approx(UNITS * 8 / 1000)
    assert df.at[pack, "item_kind"] == "component"

    # each component's exposure: per supplier, the largest of its materials' exposures
    data = candidate_tables(
        ["copper", "cobalt"],
        "NLD",
        2022,
        data_dir=store,
        inputs={"cobalt": {"annual_demand_t": 6.0}, "copper": {"annual_demand_t": 7.0}},
    )
    exposure, _ = api.exposures(data.frame("candidates"), data.frame("suppliers"))
    suppliers = set(exposure["cobalt"]) | set(exposure["copper"])
    want = {
        s: max(exposure["cobalt"].get(s, 0.0), exposure["copper"].get(s, 0.0)) for s in suppliers
    }
    assert df.at[pack, "exposure"] == pytest.approx(min(1.0, sum(want.values())))
    assert df.at[wire, "exposure"] == pytest.approx(sum(exposure["copper"].values()))
    assert df.at[pack, "top_supplier"] == max(want, key=lambda s: (want[s], s))
    # a component is at least as exposed as each of its materials: its stock in days is not less
    assert df.at[wire, "days_of_cover"] == pytest.approx(df.at["copper", "days_of_cover"])
    assert df.at[pack, "days_of_cover"] >= df.at["cobalt", "days_of_cover"] - 1e-9
    # no trade price for a component: no costs, and the row says so
    assert np.isnan(df.at[pack, "build_cost_eur"]) and "no price" in df.at[pack, "note"]
    prov = res.provenance
    assert prov.parameters["bom"] == str(bom_file) and prov.parameters["units_per_year"] == UNITS
    assert any("Bill of materials" in m for m in prov.methods)


def test_a_component_is_private_unless_the_analyst_says_otherwise(
    store: Path,  # noqa: F811
    bom_file: Path,
):
    pack = f"{bom_file.stem}/pack"
    base = plan([], "NLD", 2022, data_dir=store, bom=bom_file, units_per_year=UNITS, **KW)
    row = _rows(base.frame("plan")).loc[pack]
    assert COMPONENT_DEFAULTS["specificity"] == "specific"
    assert row["form"] == "private" and "certif" in row["form_reasons"]
    uniform = {
        pack: {
            "specificity": "uniform",
            "certification_required": False,
            "n_buyers": 200,
            "exchange_traded": True,
            "price_usd_per_t": 20_000,
        }
    }
    res = plan(
        [], "NLD", 2022, data_dir=store, bom=bom_file, units_per_year=UNITS, inputs=uniform, **KW
    )
    row2 = _rows(res.frame("plan")).loc[pack]
    assert row2["form"] == "public"
    assert row2["stock_t"] == pytest.approx(row["stock_t"])  # the form does not change the size
    assert row2["build_cost_eur"] == pytest.approx(row2["stock_t"] * row2["price_eur_per_t"])


def test_without_units_the_materials_keep_national_demand(store: Path, bom_file: Path):  # noqa: F811
    df = _rows(plan([], "NLD", 2022, data_dir=store, bom=bom_file, **KW).frame("plan"))
    national = _rows(plan(["cobalt"], "NLD", 2022, data_dir=store, **KW).frame("plan"))
    assert df.at["cobalt", "annual_demand_t"] == national.at["cobalt", "annual_demand_t"]
    pack = f"{bom_file.stem}/pack"
    assert np.isnan(df.at[pack, "stock_t"])  # the component keeps its row and says why
    assert "units per year" in df.at[pack, "note"]


def test_anchors_beside_every_row(store: Path):  # noqa: F811
    df = plan(["cobalt", "copper", "nickel"], "NLD", 2022, data_dir=store, **KW).frame("plan")
    for r in df.itertuples():
        demand = r.annual_demand_t
        reliance = 1.0 if r.demand_source == "net_imports" else r.import_reliance
        assert r.anchor_komir_100d_t == pytest.approx(demand * 100 / 365, nan_ok=True)
        assert r.anchor_jogmec_60d_t == pytest.approx(demand * 60 / 365, nan_ok=True)
        assert r.anchor_jogmec_180d_t == pytest.approx(demand * 180 / 365, nan_ok=True)
        assert r.anchor_iea_90d_t == pytest.approx(
            np.clip(demand * reliance, 0.0, None) * 90 / 365, nan_ok=True
        )
    assert df["anchor_komir_100d_t"].notna().any()


def test_bad_bom_input_names_the_field(store: Path, tmp_path: Path):  # noqa: F811
    with pytest.raises(NotFoundError) as e:
        plan([], "NLD", 2022, data_dir=store, bom=tmp_path / "missing.yaml", **KW)
    assert e.value.field == "bom"
    with pytest.raises(UsageError) as e:
        plan(["cobalt"], "NLD", 2022, data_dir=store, units_per_year=3, **KW)
    assert e.value.field == "units_per_year"
    with pytest.raises(UsageError) as e:
        plan([], "NLD", 2022, data_dir=store, bom="mri_scanner", units_per_year=-1, **KW)
    assert e.value.field == "units_per_year"
    money = tmp_path / "money.yaml"
    money.write_text(
        BOM.replace("unit: mass_kg", "unit: value_eur").replace("mass_kg:", "value_eur:")
    )
    with pytest.raises(DataError) as e:
        plan([], "NLD", 2022, data_dir=store, bom=money, **KW)
    assert e.value.field == "bom.unit"


def test_the_system_value_sets_the_shortage_cost(store: Path, bom_file: Path):  # noqa: F811
    """One drive is worth 50,000 EUR: a tonne of cobalt short (6 kg a drive) stops 1000/6
    drives, 8.33 M EUR; the newsvendor stock with that c_u equals the one with the cost given
    by hand, and the provenance records the value."""
    value = 50_000.0
    b = read_bom_items(bom_file)
    kw = {"data_dir": store, "bom": bom_file, "units_per_year": UNITS, **KW}
    by_value = plan([], "NLD", 2022, system_value_eur=value, **kw)
    costs = {m: value * 1000 / kg for m, kg in b.materials.items()}
    costs |= {b.component_id(c): value * 1000 / sum(m.values()) for c, m in b.components.items()}
    assert by_value.provenance.parameters["shortage_cost_eur_per_t"] == pytest.approx(costs)
    assert costs["cobalt"] == pytest.approx(value * 1000 / 6)
    by_hand = plan([], "NLD", 2022, shortage_cost_eur_per_t=costs, **kw)
    a, h = by_value.frame("plan"), by_hand.frame("plan")
    pd.testing.assert_series_equal(a["newsvendor_stock_t"], h["newsvendor_stock_t"])
    assert a["newsvendor_stock_t"].notna().any()
    assert by_value.provenance.parameters["system_value_eur"] == value
    with pytest.raises(UsageError) as e:
        plan(["cobalt"], "NLD", 2022, data_dir=store, system_value_eur=value, **KW)
    assert e.value.field == "system_value_eur"
    with pytest.raises(UsageError) as e:
        plan([], "NLD", 2022, system_value_eur=-1, **kw)
    assert e.value.field == "system_value_eur"
