"""Real data: the Netherlands' (and the EU's) stockpile candidates over the EU's 2023 critical
raw materials on BACI raw materials (HS92, V202401b, 1995–2024) and World Mining Data 2025.

Checks documented facts: unit-value prices against published annual average prices, the EU
import reliance of the materials module, and that every critical raw material has its row.
Reads ``$KETENRADAR_SHARED_DATA`` (default ``../shared/data``); skips when it is missing,
except under CI, where it fails.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import materials_store

from ketenradar.core.vocabularies.materials import materials as vocabulary
from ketenradar.datasets import DataStore
from ketenradar.modules.materials.assessment import load_import_reliance
from ketenradar.modules.stockpile.candidates import candidate_tables, crm_2023_items

pytestmark = pytest.mark.realdata

#: Annual averages, USD per tonne, of the LME cash price (World Bank Commodity Price Data,
#: "The Pink Sheet", annual prices, nominal US dollars): aluminum and copper.
LME_ALUMINIUM = {2021: 2473.0, 2022: 2705.0, 2023: 2256.0}
LME_COPPER_2022 = 8822.0
#: LBMA gold, 2022 average (the Pink Sheet: 1,800 USD per troy ounce) in USD per tonne.
GOLD_2022 = 1800.0 * 32150.7466


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return materials_store(tmp_path_factory.mktemp("stockpile_real") / "store")


@pytest.fixture(scope="module")
def nld(store: Path):
    return candidate_tables(crm_2023_items(), "NLD", 2022, data_dir=store)


def test_every_critical_raw_material_has_a_row(nld):
    df = nld.frame("candidates")
    items = set(df["item"])
    assert len(df) == len(items) == 36
    vs = vocabulary()
    for m in (m for m in vs if m.crm_2023 and m.parent is None):
        members = {c.material for c in vs if c.parent == m.material}
        assert m.material in items or members & items, m.material
    # a row without a demand estimate says why
    assert df.loc[df["annual_demand_t"].isna(), "note"].notna().all()
    assert set(df["demand_source"]) <= {"apparent_consumption", "net_imports", "user", "none"}
    ir = df["import_reliance"].dropna()
    assert ((ir >= 0) & (ir <= 1)).all()
    # materials without HS codes in World Mining Data's map keep their row with the reason
    no_hs = df[df["hs_codes"].isna()]
    assert {"gallium", "helium", "magnesium", "silicon_metal"} <= set(no_hs["item"])
    assert no_hs["note"].str.contains("no HS code").all()
    cols = ["item", "annual_demand_t", "import_reliance", "top_supplier", "top_supplier_share"]
    cols += ["supplier_hhi", "price_usd_per_t", "price_volatility", "years_of_prices"]
    print(
        "\n"
        + df[df["item"].isin(["aluminium", "cobalt", "copper", "graphite", "lithium"])][
            cols
        ].to_string(index=False, float_format=lambda x: f"{x:,.3g}")
    )


def test_netherlands_facts(nld):
    df = nld.frame("candidates").set_index("item")
    al = df.loc["aluminium"]
    # no Dutch primary aluminium in 2022 (World Mining Data: 0 t, after 41 kt in 2018)
    assert al["production_t"] == 0 and al["import_reliance"] == 1
    assert al["annual_demand_t"] > 1e5 and al["n_suppliers"] >= 10
    # Iceland, the largest supplier of unwrought aluminium to the Netherlands
    assert al["top_supplier"] == "ISL"
    assert al["years_of_prices"] == 30  # 1995–2024
    # yearly aluminium price changes: a standard deviation of some 15 %
    assert 0.05 < al["price_volatility"] < 0.35
    assert al["price_eur_per_t"] == pytest.approx(al["price_usd_per_t"] / 1.0530)


def test_unit_value_prices_against_published_prices(store: Path):
    res = candidate_tables(["aluminium", "copper", "710812"], "NLD", 2022, data_dir=store)
    prices = res.frame("prices").set_index(["item", "year"])["price_usd_per_t"]
    for year, lme in LME_ALUMINIUM.items():
        # unwrought aluminium (HS 760110) FOB unit values sit near the LME price plus premium
        assert 0.8 < prices["aluminium", year] / lme < 1.25, year
    # copper concentrate (HS 260300, ~25–30 % Cu) is worth a fraction of the metal's price
    assert 0.15 < prices["copper", 2022] / LME_COPPER_2022 < 0.5
    assert 0.7 < prices["710812", 2022] / GOLD_2022 < 1.2


def test_eu27_import_reliance_is_the_materials_modules(store: Path):
    """Over the materials module's reference years (2018–2020) the EU27 candidates' import
    reliance is the criticality's IR; they differ only where missing quantities are estimated
    here (counted as 0 t there)."""
    ours = candidate_tables(crm_2023_items(), "EU27", 2020, average_years=3, data_dir=store).frame(
        "candidates"
    )
    theirs, _ = load_import_reliance(DataStore(store))
    both = ours.merge(theirs, left_on="item", right_on="material").dropna(
        subset=["import_reliance", "ir_computed"]
    )
    assert len(both) >= 25
    diff = (both["import_reliance"] - both["ir_computed"]).abs()
    assert diff.max() < 0.01, both.loc[diff.idxmax(), ["item", "import_reliance", "ir_computed"]]
    assert pd.Series(both["years_used"]).eq("2018–2020").all()
