"""Real data: `ketenradar stockpile simulate`, `portfolio` and `pool` on BACI raw materials
(HS92, V202401b) and World Mining Data 2025, as the guide runs them: they exit 0, every item
keeps its row, the service curve meets the plan, the portfolio keeps its budget and the greedy
lies within its gap of the exact optimum, and a joint stock of NLD, DEU and FRA needs no more
than their national stocks together. Prints the tables.

Reads ``$KETENRADAR_SHARED_DATA`` (default ``../shared/data``); skips when it is missing,
except under CI, where it fails.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import materials_store
from typer.testing import CliRunner

from ketenradar.interfaces.cli.app import app
from ketenradar.modules.stockpile import api

pytestmark = pytest.mark.realdata

ITEMS = ["cobalt", "lithium", "graphite", "gallium", "nickel"]
KW = {"paths": 2000, "seed": 2026}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return materials_store(tmp_path_factory.mktemp("stockpile_commands_real") / "store")


def _csv(store: Path, out: Path, *args: str) -> pd.DataFrame:
    argv = ["--data-dir", str(store), "stockpile", *args, "--paths", "2000"]
    r = CliRunner().invoke(app, [*argv, "--format", "csv", "--output", str(out)])
    assert r.exit_code == 0, r.output
    assert Path(f"{out}.provenance.json").is_file()
    return pd.read_csv(out)


def test_simulate_meets_the_plan(store: Path, tmp_path: Path):
    summary = _csv(store, tmp_path / "s.csv", "simulate", "--items", ",".join(ITEMS))
    assert list(summary["item"]) == ITEMS
    assert summary.loc[summary["stock_t"].isna(), "note"].notna().all()
    res = api.simulate(ITEMS, "NLD", data_dir=store, **KW)
    plan = api.plan_frame(ITEMS, "NLD", data_dir=store, **KW).set_index("item")
    curve = res.frame("service_curve")
    at = curve[curve["service_level"] == 0.95].set_index("item")
    assert len(at) >= 3
    for item, row in at.iterrows():
        assert row["stock_t"] == pytest.approx(plan.loc[item, "stock_t"], rel=1e-12)
    fan = res.frame("fan")
    assert (fan["unserved_with_stock_t"] <= fan["shortfall_t"] + 1e-9).all()
    print(res.frame("summary").to_string())


def test_portfolio_keeps_the_budget(store: Path, tmp_path: Path):
    budget = 5e6
    df = _csv(
        store,
        tmp_path / "p.csv",
        "portfolio",
        "--items",
        ",".join(ITEMS),
        "--budget",
        str(budget),
        "--shortage-cost",
        "100000",
    )
    assert list(df["item"]) == ITEMS
    assert df["build_cost_eur"].sum() <= budget * (1 + 1e-9)
    res = api.portfolio(ITEMS, "NLD", data_dir=store, budget_eur=budget, **KW,
                        shortage_cost_eur_per_t=1e5)  # fmt: skip
    t = res.frame("totals").iloc[0]
    assert -1e-6 <= t["gap_eur"] <= t["gap_bound_eur"] + 1e-6 * max(1.0, t["reduction_eur"])
    assert t["reduction_eur"] > 0 and t["items_stocked"] >= 1
    print(res.frame("portfolio").to_string())


def test_a_joint_stock_needs_no_more_than_the_national_ones(store: Path, tmp_path: Path):
    gain = _csv(
        store, tmp_path / "g.csv", "pool", "--members", "NLD,DEU,FRA", "--items", "cobalt,lithium"
    )
    assert list(gain["item"]) == ["cobalt", "lithium"]
    ok = gain.dropna(subset=["joint_t"])
    assert len(ok) == 2 and (ok["joint_t"] <= ok["national_total_t"] + 1e-9).all()
    assert (ok["gain_t"] > 0).any()
    res = api.pool(["cobalt"], "NLD,DEU,FRA", data_dir=store, **KW)
    curve = res.frame("correlation_curve")
    assert np.isclose(curve.set_index("correlation").loc[1.0, "gain_t"], 0.0, atol=1e-9)
    print(res.frame("pool").to_string())
