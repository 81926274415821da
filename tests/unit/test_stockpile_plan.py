"""The stock plan on the hand-made store of test_stockpile_candidates: every number is the
analysis functions' (exposure, scenario, simulation, sizing) called by hand, or a closed form
for a certain disruption; items without data keep their rows; bad input names the field."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_stockpile_candidates import FRA_Q, store  # noqa: F401  (the module-scoped store)

from ketenradar.core.errors import DataError, UsageError
from ketenradar.modules.stockpile import api
from ketenradar.modules.stockpile import form as fm
from ketenradar.modules.stockpile.analysis import sizing
from ketenradar.modules.stockpile.analysis.scenario import (
    compile_scenario,
    top_suppliers_halted,
)
from ketenradar.modules.stockpile.analysis.simulate import simulate
from ketenradar.modules.stockpile.candidates import candidate_tables
from ketenradar.modules.stockpile.facts import PLAN_COLUMN_NAMES

ITEMS = ["cobalt", "copper", "nickel", "gallium"]
CUT = "disruptions[0].suppliers[0].cut"
KW = {"paths": 2000, "months": 120, "seed": 7}


def _row(df: pd.DataFrame, item: str) -> pd.Series:
    return df.set_index("item").loc[item]


def test_exposure_is_quantity_share_times_import_reliance(store: Path):  # noqa: F811
    data = candidate_tables(ITEMS, "NLD", 2022, data_dir=store)
    exposure, why = api.exposures(data.frame("candidates"), data.frame("suppliers"))
    imports = 60 + 40 + 10 + FRA_Q  # cobalt: CHN 60, DEU 40, BRA 10, FRA estimated
    r = (imports - 20) / (5 + imports - 20)
    quantities = {"CHN": 60, "DEU": 40, "BRA": 10, "FRA": FRA_Q}
    want = {c: q / imports * r for c, q in quantities.items()}
    assert exposure["cobalt"] == pytest.approx(want)
    # copper: no production data, demand = net imports, so every tonne is imported
    assert exposure["copper"] == {"NAM": pytest.approx(1.0)}
    assert exposure["nickel"] == {} and exposure["gallium"] == {}
    assert why["nickel"].startswith("no annual demand") and "gallium" in why


def test_plan_equals_the_analysis_functions_called_by_hand(store: Path):  # noqa: F811
    res = api.plan(ITEMS, "NLD", 2022, data_dir=store, shortage_cost_eur_per_t=2e5, **KW)
    df = res.frame("plan")
    assert list(df.columns) == PLAN_COLUMN_NAMES
    assert list(df["item"]) == ITEMS  # every item keeps its row, in order

    data = candidate_tables(ITEMS, "NLD", 2022, data_dir=store)
    cand = data.frame("candidates").set_index("item")
    exposure, _ = api.exposures(data.frame("candidates"), data.frame("suppliers"))
    # the default scenario: the top supplier by value of each item halts (CHN, NAM)
    scn = top_suppliers_halted({"cobalt": {"CHN": 0.5, "DEU": 0.4}, "copper": {"NAM": 1.0}})
    model = compile_scenario(scn, exposure)
    assert model.sources == ("CHN halts exports", "NAM halts exports")
    sim = simulate(model, fan_paths=0, **KW)
    capped = np.asarray(sim.capped, dtype=float)
    months = sizing.stock_for_service_level(capped, 0.95)
    for k, item in enumerate(["cobalt", "copper"]):
        r, c = _row(df, item), cand.loc[item]
        demand, price = c["annual_demand_t"], c["price_eur_per_t"]
        stock_t = months[k] * demand / 12
        assert stock_t > 0
        assert r["stock_t"] == pytest.approx(stock_t, rel=1e-9)
        assert r["days_of_cover"] == pytest.approx(stock_t / demand * 365, rel=1e-9)
        assert r["build_cost_eur"] == pytest.approx(stock_t * price, rel=1e-9)
        holding = price * (0.0225 + 0.002) + 170.0
        assert r["holding_cost_eur_per_year"] == pytest.approx(stock_t * holding, rel=1e-9)
        assert r["exposure"] == pytest.approx(sum(exposure[item].values()))
        assert r["service_level"] == 0.95 and r["service_level_achieved"] >= 0.95
        without = sim.shortfall[:, k].mean(dtype=np.float64) * demand / 12
        assert r["expected_unserved_t_without"] == pytest.approx(without, rel=1e-6)
        with_ = np.maximum(capped[:, k] - months[k], 0).mean() * demand / 12
        assert r["expected_unserved_t_with"] == pytest.approx(with_, rel=1e-9)
        assert r["expected_unserved_t_with"] < r["expected_unserved_t_without"]
        # newsvendor: CR = c_u / (c_u + holding × 10 years)
        cr = 2e5 / (2e5 + holding * 10)
        x = np.quantile(capped[:, k], cr, method="inverted_cdf")
        assert r["newsvendor_stock_t"] == pytest.approx(x * demand / 12, rel=1e-9)
        assert r["top_supplier"] == c["top_supplier"]
    assert _row(df, "copper")["import_reliance"] != _row(df, "copper")["import_reliance"]  # NaN


def test_items_without_data_keep_their_rows_with_the_reason(store: Path):  # noqa: F811
    df = api.plan_frame(ITEMS, "NLD", year=2022, data_dir=store, **KW)
    for item in ("nickel", "gallium"):
        r = _row(df, item)
        assert r["note"].startswith("no annual demand: no stock computed")
        for col in ("stock_t", "days_of_cover", "build_cost_eur", "expected_unserved_t_with"):
            assert math.isnan(r[col]), (item, col)
    assert "no HS code" in _row(df, "gallium")["note"]  # the candidates' reason follows


def test_a_certain_disruption_gives_the_closed_form(store: Path):  # noqa: F811
    """CHN halts for certain in month 1 for 6 months, never replaced: every path loses the
    exposure L to CHN for 6 months, so the stock is exactly 6·L months of demand."""
    doc = {
        "name": "CHN six months",
        "disruptions": [
            {
                "name": "CHN",
                "suppliers": [{"supplier": "CHN"}],
                "onset_month": 1,
                "duration": {"distribution": "fixed", "months": 6},
                "ramp_up_months": None,
            }
        ],
    }
    inputs = {"cobalt": {"commercial_stock_days": 10}}
    df = api.plan_frame(
        ["cobalt"], "NLD", year=2022, data_dir=store, scenario=doc, inputs=inputs, paths=50
    )
    r = _row(df, "cobalt")
    imports = 60 + 40 + 10 + FRA_Q
    demand = 5 + imports - 20
    lost = 60 / imports * (imports - 20) / demand  # CHN's quantity share × import reliance
    need_t = 6 * lost * demand / 12
    commercial_t = 10 / 365 * demand
    assert r["commercial_stock_t"] == pytest.approx(commercial_t)
    assert r["stock_t"] == pytest.approx(need_t - commercial_t, rel=1e-6)
    assert r["days_of_cover"] == pytest.approx((need_t - commercial_t) / demand * 365, rel=1e-6)
    assert r["expected_unserved_t_without"] == pytest.approx(need_t - commercial_t, rel=1e-6)
    assert r["expected_unserved_t_with"] == pytest.approx(0, abs=1e-9)
    assert r["p_shortfall"] == 1.0 and r["service_level_achieved"] == 1.0


def test_form_advice_follows_the_items_inputs(store: Path):  # noqa: F811
    df = api.plan_frame(["cobalt"], "NLD", year=2022, data_dir=store, paths=100)
    r = _row(df, "cobalt")
    assert r["form"] in ("public", "public_private", "private") and r["form_reasons"]
    # the form follows the item's inputs: one certified, specific grade for one buyer
    inputs = {"cobalt": {"specificity": "specific", "n_buyers": 1}}
    row = candidate_tables(["cobalt"], "NLD", 2022, data_dir=store, inputs=inputs)
    want = fm.advise(fm.form_factors_from_inputs(row.frame("candidates").iloc[0]))
    got = _row(
        api.plan_frame(["cobalt"], "NLD", year=2022, data_dir=store, paths=100, inputs=inputs),
        "cobalt",
    )
    assert got["form"] == want.form != r["form"]
    assert got["form_reasons"] == " | ".join(x.text_en for x in want.reasons)


def test_provenance_holds_seed_paths_scenario_and_releases(store: Path):  # noqa: F811
    res = api.plan(["cobalt"], "NLD", 2022, data_dir=store, paths=300, months=60, seed=11)
    p = res.provenance
    assert p.analysis == "stockpile_plan"
    assert p.parameters["seed"] == 11 and p.parameters["paths"] == 300
    assert p.parameters["months"] == 60 and p.parameters["scenario_default"] is True
    assert p.parameters["scenario"]["disruptions"][0]["suppliers"][0]["supplier"] == "CHN"
    assert p.parameters["simulation"]["seed"] == 11
    assert {d["dataset"] for d in p.datasets} >= {"baci_hs92_v202401b", "wmd"}
    assert all("release" in d for d in p.datasets)
    assert [c.name for c in res.schema("plan")] == PLAN_COLUMN_NAMES
    # the same seed gives the same plan
    again = api.plan(["cobalt"], "NLD", 2022, data_dir=store, paths=300, months=60, seed=11)
    pd.testing.assert_frame_equal(res.frame("plan"), again.frame("plan"))


def _doc(**disruption: object) -> dict:
    d = {"name": "a", "probability": 0.1, "suppliers": [{"supplier": "CHN"}], **disruption}
    return {"name": "x", "disruptions": [d]}


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"service_level": 1.0}, UsageError, "service_level"),
        ({"paths": 0}, UsageError, "paths"),
        ({"months": 0}, UsageError, "months"),
        ({"shortage_cost_eur_per_t": -1.0}, UsageError, "shortage_cost_eur_per_t"),
        ({"shortage_cost_eur_per_t": {"tin": 5.0}}, UsageError, "shortage_cost_eur_per_t"),
        ({"scenario": _doc(suppliers=[{"supplier": "CHN", "cut": -0.2}])}, DataError, CUT),
        ({"scenario": _doc(probability=1.5)}, DataError, "disruptions[0].probability"),
        ({"scenario": _doc(items=["tin"])}, DataError, "disruptions[0].items"),
        ({"scenario": "/nonexistent/scenario.yaml"}, DataError, "scenario"),
    ],
)
def test_bad_input_names_the_field(store: Path, kwargs, error, field):  # noqa: F811
    with pytest.raises(error) as exc:
        api.plan(["cobalt"], "NLD", 2022, data_dir=store, **{"paths": 50, **kwargs})
    assert exc.value.field == field


def test_the_scenario_release_rule_reaches_the_simulation(store: Path):  # noqa: F811
    """A trigger leaves the months of small shortfall to firms: the stock for the same service
    level can only shrink, and what it cannot serve shows as unserved demand."""
    halt = {
        "name": "CHN halt",
        "suppliers": [{"supplier": "CHN"}],
        "probability": 0.2,
        "ramp_up_months": 12,
    }
    base = {"name": "halt", "disruptions": [halt]}
    plain = api.plan(["cobalt"], "NLD", 2022, data_dir=store, scenario=base, **KW)
    ruled = api.plan(
        ["cobalt"],
        "NLD",
        2022,
        data_dir=store,
        scenario={**base, "release": {"trigger": 0.2, "rate": 0.3}},
        **KW,
    )
    a, b = _row(plain.frame("plan"), "cobalt"), _row(ruled.frame("plan"), "cobalt")
    assert 0 < b["stock_t"] < a["stock_t"]
    assert b["expected_unserved_t_with"] > a["expected_unserved_t_with"]
    sim = ruled.provenance.parameters["simulation"]
    assert sim["trigger"] == [0.2] and sim["release_rate"] == [0.3]
    assert ruled.provenance.parameters["scenario"]["release"] == {"trigger": 0.2, "rate": 0.3}
