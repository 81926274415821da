"""Real data: `ketenradar stockpile plan --importer NLD --crm --paths 2000` on BACI raw
materials (HS92, V202401b) and World Mining Data 2025: it runs, every EU 2023 critical raw
material has its row (with the reason where numbers are empty), and the figures hold together
(days of cover = stock / demand × 365, euros = tonnes × price, the stock lowers the expected
unserved demand). Prints the top rows.

Reads ``$KETENRADAR_SHARED_DATA`` (default ``../shared/data``); skips when it is missing,
except under CI, where it fails.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import materials_store
from typer.testing import CliRunner

from ketenradar.interfaces.cli.app import app
from ketenradar.modules.stockpile.candidates import crm_2023_items
from ketenradar.modules.stockpile.facts import PLAN_COLUMN_NAMES

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return materials_store(tmp_path_factory.mktemp("stockpile_plan_real") / "store")


@pytest.fixture(scope="module")
def plan(store: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("plan_out") / "plan.csv"
    args = ["--data-dir", str(store), "stockpile", "plan", "--importer", "NLD", "--crm"]
    args += ["--paths", "2000", "--format", "csv", "--output", str(out)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    assert Path(f"{out}.provenance.json").is_file()
    return pd.read_csv(out)


def test_every_critical_raw_material_has_a_row(plan: pd.DataFrame):
    assert list(plan.columns) == PLAN_COLUMN_NAMES
    assert list(plan["item"]) == crm_2023_items() and len(plan) == 36
    empty = plan["stock_t"].isna()
    assert plan.loc[empty, "note"].notna().all()  # each empty row says why
    assert (~empty).sum() >= 20  # most have a stock (demand, suppliers and a price)
    assert plan["year"].nunique() == 1 and (plan["importer"] == "NLD").all()


def test_the_figures_hold_together(plan: pd.DataFrame):
    ok = plan[plan["stock_t"].notna()]
    demand = ok["annual_demand_t"]
    assert (ok["days_of_cover"] - ok["stock_t"] / demand * 365).abs().max() < 1e-6 * (
        ok["days_of_cover"].abs().max() + 1
    )
    priced = ok[ok["price_eur_per_t"].notna()]
    rel = (priced["build_cost_eur"] - priced["stock_t"] * priced["price_eur_per_t"]).abs()
    assert (rel <= 1e-6 * (priced["build_cost_eur"].abs() + 1)).all()
    assert (ok["expected_unserved_t_with"] <= ok["expected_unserved_t_without"] + 1e-9).all()
    assert (ok["service_level_achieved"] >= 0.95).all()
    assert ((ok["exposure"] > 0) & (ok["exposure"] <= 1 + 1e-9)).all()
    # the default scenario halts each item's top supplier: the stock covers months of its
    # share of demand, never more than the horizon's whole demand
    assert (ok["days_of_cover"] <= 120 / 12 * 365 + 1e-6).all()
    top = plan.sort_values("days_of_cover", ascending=False).head(12)
    cols = ["item", "annual_demand_t", "import_reliance", "top_supplier", "top_supplier_share"]
    cols += ["stock_t", "days_of_cover", "build_cost_eur", "holding_cost_eur_per_year"]
    cols += ["expected_unserved_t_without", "expected_unserved_t_with"]
    print("\n" + top[cols].to_string(index=False, float_format=lambda x: f"{x:,.3g}"))
    cost = ok["build_cost_eur"].sum()
    print(f"total to build: {cost:,.0f} EUR; items with a stock: {len(ok)} of {len(plan)}")
    assert math.isfinite(cost) and cost > 0
