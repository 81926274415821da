"""``stockpile simulate``, ``portfolio`` and ``pool`` (API and CLI) on the hand-made store of
test_stockpile_candidates: the fan chart is ordered and the stock only lowers unserved demand,
the service curve meets the plan at the chosen level, the portfolio keeps its budget and its
greedy choice lies within its reported gap of the exact optimum, a joint stock never needs more
than the national ones and identical members gain nothing from pooling (perfectly correlated)
while independent ones do; bad input exits non-zero naming the option."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_stockpile_candidates import FRA_Q, store  # noqa: F401  (the module-scoped store)
from typer.testing import CliRunner

from ketenradar.core import modules as registry
from ketenradar.core.errors import NotFoundError, UsageError
from ketenradar.interfaces.cli.app import app
from ketenradar.interfaces.web.i18n import catalogs
from ketenradar.modules.stockpile import api, commands
from ketenradar.modules.stockpile import commands_facts as cf
from ketenradar.modules.stockpile.analysis.scenario import top_suppliers_halted

ITEMS = ["cobalt", "copper", "nickel", "gallium"]
KW = {"paths": 1500, "months": 120, "seed": 7}
TOL = 1e-9


def _row(df: pd.DataFrame, item: str) -> pd.Series:
    return df.set_index("item").loc[item]


# -- simulate ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def simulated(store: Path):  # noqa: F811
    return api.simulate(ITEMS, "NLD", 2022, data_dir=store, **KW)


def test_simulate_tables_have_their_schema_and_keep_every_item(simulated):
    summary = simulated.frame("summary")
    assert list(summary.columns) == cf.SUMMARY_COLUMN_NAMES
    assert list(summary["item"]) == ITEMS
    for item in ("nickel", "gallium"):
        r = _row(summary, item)
        assert r["note"].startswith("no annual demand")
        assert math.isnan(r["stock_t"]) and math.isnan(r["expected_unserved_t_with"])
    assert list(simulated.frame("fan").columns) == cf.FAN_COLUMN_NAMES
    assert list(simulated.frame("service_curve").columns) == cf.SERVICE_CURVE_COLUMN_NAMES
    assert [c.name for c in simulated.schema("fan")] == cf.FAN_COLUMN_NAMES
    p = simulated.provenance
    assert p.analysis == "stockpile_simulate"
    assert p.parameters["seed"] == 7 and p.parameters["paths"] == 1500
    assert p.parameters["months"] == 120 and p.parameters["scenario"]["name"]
    assert p.parameters["simulation"]["seed"] == 7


def test_fan_percentiles_are_ordered_and_the_stock_only_lowers_unserved_demand(simulated):
    fan = simulated.frame("fan")
    assert set(fan["item"]) == {"cobalt", "copper"}  # the items with a supplier to halt
    assert sorted(set(fan["month"])) == list(range(1, 121))
    assert sorted(set(fan["percentile"])) == [5.0, 25.0, 50.0, 75.0, 95.0]
    for (_, _), g in fan.groupby(["item", "month"]):
        g = g.sort_values("percentile")
        assert np.all(np.diff(g["shortfall_t"]) >= -TOL)
        assert np.all(np.diff(g["unserved_with_stock_t"]) >= -TOL)
    assert (fan["unserved_with_stock_t"] <= fan["shortfall_t"] + TOL).all()
    assert (fan["mean_unserved_with_stock_t"] <= fan["mean_shortfall_t"] + TOL).all()
    assert fan["shortfall_t"].max() > 0 and fan["mean_shortfall_t"].max() > 0
    summary = simulated.frame("summary").set_index("item").loc[["cobalt", "copper"]]
    assert (summary["expected_unserved_t_with"] < summary["expected_unserved_t_without"]).all()
    assert (summary["p_unserved_with"] <= summary["p_shortfall"]).all()
    assert (summary["service_level_achieved"] >= 0.95).all()
    # the fan's mean shortfall summed over the months is the expected shortfall (tonnes)
    total = fan[fan["percentile"] == 5.0].groupby("item")["mean_shortfall_t"].sum()
    for item in ("cobalt", "copper"):
        assert total[item] == pytest.approx(summary.loc[item, "expected_unserved_t_without"])


SLOW_RELEASE = {
    "name": "CHN and NAM halt, released slowly",
    "disruptions": [
        {"name": "CHN", "suppliers": [{"supplier": "CHN"}], "probability": 0.2},
        {"name": "NAM", "suppliers": [{"supplier": "NAM"}], "probability": 0.2},
    ],
    "release": {"rate": 0.3, "trigger": 0.05},
}


@pytest.mark.parametrize("scenario", [None, SLOW_RELEASE], ids=["default", "release-rule"])
def test_service_curve_rises_and_meets_the_plan_at_the_chosen_level(store: Path, scenario):  # noqa: F811
    inputs = {"cobalt": {"commercial_stock_days": 20}}
    kw = {"data_dir": store, "service_level": 0.85, "inputs": inputs, "scenario": scenario, **KW}
    sim = api.simulate(ITEMS, "NLD", 2022, **kw)
    plan = api.plan_frame(ITEMS, "NLD", year=2022, **kw)
    curve = sim.frame("service_curve")
    assert sorted(set(curve["service_level"])) == [0.5, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99]
    for item in ("cobalt", "copper"):
        c = curve[curve["item"] == item].sort_values("service_level")
        assert np.all(np.diff(c["stock_t"]) >= 0) and c["stock_t"].iloc[-1] > 0
        assert np.all(np.diff(c["expected_unserved_t_with"]) <= TOL)
        at = c.set_index("service_level").loc[0.85]
        want = _row(plan, item)
        assert at["stock_t"] == pytest.approx(want["stock_t"], rel=1e-12)
        assert at["build_cost_eur"] == pytest.approx(want["build_cost_eur"], rel=1e-12)
        assert at["days_of_cover"] == pytest.approx(want["days_of_cover"], rel=1e-12)
        got = _row(sim.frame("summary"), item)
        assert got["stock_t"] == pytest.approx(want["stock_t"], rel=1e-12)
        assert got["commercial_stock_t"] == pytest.approx(want["commercial_stock_t"])
        assert got["expected_unserved_t_with"] == pytest.approx(
            want["expected_unserved_t_with"], rel=1e-4, abs=1e-9
        )
    # cobalt's commercial stock counts: the strategic stock is the need less 20 days
    assert _row(sim.frame("summary"), "cobalt")["commercial_stock_t"] > 0


def test_stock_days_replace_the_plans_stock(store: Path):  # noqa: F811
    res = api.simulate(
        ["cobalt", "copper"], "NLD", 2022, data_dir=store, stock_days={"cobalt": 100}, **KW
    )
    s = res.frame("summary").set_index("item")
    assert s.loc["cobalt", "days_of_cover"] == pytest.approx(100)
    assert s.loc["copper", "stock_t"] == 0
    assert s.loc["copper", "expected_unserved_t_with"] == pytest.approx(
        s.loc["copper", "expected_unserved_t_without"], rel=1e-6
    )
    assert (
        s.loc["cobalt", "expected_unserved_t_with"] < s.loc["cobalt", "expected_unserved_t_without"]
    )
    assert res.provenance.parameters["stock"] == "stock_days"
    for bad in (-5.0, {"tin": 10.0}):
        with pytest.raises(UsageError) as exc:
            api.simulate(["cobalt"], "NLD", 2022, data_dir=store, stock_days=bad, paths=50)
        assert exc.value.field == "stock_days"


def test_a_certain_disruption_gives_the_closed_form_fan(store: Path):  # noqa: F811
    """CHN halts for certain in months 1–6, never replaced: in those months every path loses
    cobalt's exposure L to CHN, afterwards nothing; the plan's stock serves it all."""
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
    res = api.simulate(["cobalt"], "NLD", 2022, data_dir=store, scenario=doc, paths=40, months=12)
    imports = 60 + 40 + 10 + FRA_Q
    demand = 5 + imports - 20
    lost = 60 / imports * (imports - 20) / demand
    fan = res.frame("fan")
    for month in range(1, 13):
        f = fan[fan["month"] == month]
        want = lost * demand / 12 if month <= 6 else 0.0
        # the fan's percentiles are rounded up to 1/1,000 of monthly demand
        assert f["shortfall_t"].between(want - 1e-6, want + demand / 12 / 1000 + 1e-6).all()
        assert f["mean_shortfall_t"].iloc[0] == pytest.approx(want, rel=1e-5, abs=1e-9)
        assert f["unserved_with_stock_t"].max() == pytest.approx(0, abs=1e-6)
    s = _row(res.frame("summary"), "cobalt")
    assert s["stock_t"] == pytest.approx(6 * lost * demand / 12, rel=1e-5)
    assert s["p_shortfall"] == 1.0 and s["p_unserved_with"] == 0.0


# -- portfolio ---------------------------------------------------------------------------------


@pytest.mark.parametrize("budget", [5e4, 2e5, 1e9])
def test_portfolio_keeps_the_budget_and_the_greedy_is_within_its_gap(store: Path, budget):  # noqa: F811
    res = api.portfolio(
        ITEMS,
        "NLD",
        2022,
        data_dir=store,
        budget_eur=budget,
        shortage_cost_eur_per_t=2e5,
        **KW,
    )
    df, totals = res.frame("portfolio"), res.frame("totals").iloc[0]
    assert list(df.columns) == cf.PORTFOLIO_COLUMN_NAMES
    assert list(totals.index) == cf.TOTALS_COLUMN_NAMES
    assert list(df["item"]) == ITEMS  # items without data are listed, not dropped
    for item in ("nickel", "gallium"):
        assert _row(df, item)["note"] and math.isnan(_row(df, item)["stock_t"])
    built = float(df["build_cost_eur"].sum())
    assert built <= budget * (1 + 1e-9)
    assert totals["build_cost_eur"] == pytest.approx(built)
    assert totals["budget_left_eur"] == pytest.approx(budget - built)
    stocked = df.dropna(subset=["stock_t"])
    optimal_cost = float((stocked["optimal_stock_t"] * stocked["price_eur_per_t"]).sum())
    assert optimal_cost <= budget * (1 + 1e-9)
    # the exact optimum saves at least the greedy's and at most its gap bound more
    gap = totals["optimal_reduction_eur"] - totals["reduction_eur"]
    assert totals["gap_eur"] == pytest.approx(gap, abs=1e-6)
    assert -1e-6 <= gap <= totals["gap_bound_eur"] + 1e-6 * max(1.0, abs(totals["reduction_eur"]))
    assert (stocked["stock_t"] <= stocked["cost_optimal_stock_t"] + TOL).all()
    assert (stocked["expected_unserved_t_with"] <= stocked["expected_unserved_t_without"]).all()
    assert (stocked["shortage_cost_eur_with"] <= stocked["shortage_cost_eur_without"]).all()
    if budget < 1e5:  # the budget binds
        assert built > 0.5 * budget
    if budget >= 1e9:  # no budget binds: every item at its cost-optimal stock
        assert (stocked["stock_t"] == stocked["cost_optimal_stock_t"]).all()
        assert totals["gap_eur"] == pytest.approx(0, abs=1e-6)
    p = res.provenance
    assert p.analysis == "stockpile_portfolio" and p.parameters["budget_eur"] == budget
    assert p.parameters["seed"] == 7 and p.parameters["scenario"]["name"]


def test_portfolio_without_strategic_stock_equals_the_plans_without(store: Path):  # noqa: F811
    kw = {"data_dir": store, "inputs": {"cobalt": {"commercial_stock_days": 15}}, **KW}
    res = api.portfolio(
        ITEMS, "NLD", 2022, budget_eur=1e5, shortage_cost_eur_per_t={"cobalt": 2e5}, **kw
    )
    plan = api.plan_frame(ITEMS, "NLD", year=2022, **kw)
    df = res.frame("portfolio")
    cobalt = _row(df, "cobalt")
    want = _row(plan, "cobalt")["expected_unserved_t_without"]
    assert cobalt["expected_unserved_t_without"] == pytest.approx(want, rel=1e-6)
    assert cobalt["shortage_cost_eur_without"] == pytest.approx(2e5 * want, rel=1e-6)
    assert "no shortage cost" in _row(df, "copper")["note"]  # listed, not dropped


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"budget_eur": 0.0, "shortage_cost_eur_per_t": 1e5}, "budget_eur", "--budget"),
        ({"budget_eur": -3.0, "shortage_cost_eur_per_t": 1e5}, "budget_eur", "--budget"),
        (
            {"budget_eur": 1e6, "shortage_cost_eur_per_t": None},
            "shortage_cost_eur_per_t",
            "--shortage-cost",
        ),
        (
            {"budget_eur": 1e6, "shortage_cost_eur_per_t": -1.0},
            "shortage_cost_eur_per_t",
            "shortage",
        ),
    ],
)
def test_portfolio_bad_input_names_the_option(store: Path, kwargs, field, text):  # noqa: F811
    with pytest.raises(UsageError) as exc:
        api.portfolio(["cobalt"], "NLD", 2022, data_dir=store, paths=50, **kwargs)
    assert exc.value.field == field and text in str(exc.value)


# -- pool --------------------------------------------------------------------------------------


def test_identical_members_gain_nothing_while_independent_ones_do():
    """Two members with the same demand and the same exposure to one supplier are hit by the
    same disruption (perfectly correlated): the joint stock is the sum of the national ones.
    The stylised curve for the same members gains at correlation 0, nothing at 1."""
    exposure = {"NLD": {"CHN": 0.6}, "DEU": {"CHN": 0.6}}
    doc = top_suppliers_halted({"NLD": {"CHN": 1.0}, "DEU": {"CHN": 1.0}})
    res = commands.pool_item(exposure, {"NLD": 100.0, "DEU": 100.0}, doc, paths=2000, seed=3)
    assert res.national_t[0] > 0 and res.national_t[0] == pytest.approx(res.national_t[1])
    assert res.gain_t == pytest.approx(0, abs=1e-9)
    curve = res.curve.set_index("correlation")
    assert curve.loc[0.0, "gain_t"] > 0
    assert curve.loc[1.0, "gain_t"] == pytest.approx(0, abs=1e-9)
    assert (curve["joint_t"] <= curve["national_total_t"] + TOL).all()
    # the same members buying from different suppliers (independent halts) gain
    apart = {"NLD": {"CHN": 0.6}, "DEU": {"NAM": 0.6}}
    doc2 = top_suppliers_halted({"NLD": {"CHN": 1.0}, "DEU": {"NAM": 1.0}})
    res2 = commands.pool_item(apart, {"NLD": 100.0, "DEU": 100.0}, doc2, paths=2000, seed=3)
    assert res2.national_total_t == pytest.approx(res.national_total_t, rel=0.1)
    assert res2.joint_t < res2.national_total_t and res2.gain_t > 0


def test_pool_from_the_members_own_data(store: Path):  # noqa: F811
    res = api.pool(["cobalt", "copper", "nickel"], "NLD,DEU,FRA", 2022, data_dir=store, **KW)
    pool, gain = res.frame("pool"), res.frame("gain")
    assert list(pool.columns) == cf.POOL_COLUMN_NAMES and len(pool) == 9
    assert list(gain.columns) == cf.GAIN_COLUMN_NAMES and list(gain["item"]) == [
        "cobalt",
        "copper",
        "nickel",
    ]
    ok = gain.dropna(subset=["joint_t"])
    assert (ok["joint_t"] <= ok["national_total_t"] + TOL).all()
    assert (ok["gain_t"] == ok["national_total_t"] - ok["joint_t"]).all()
    # copper: NLD buys from NAM, DEU from NLD; two independent halts, so pooling gains
    copper = _row(gain, "copper")
    assert copper["members"] == "NLD,DEU" and copper["gain_t"] > 0
    by = pool.set_index(["item", "member"])
    assert by.loc[("copper", "DEU"), "top_supplier"] == "NLD"
    nat = (
        by.loc[("copper", "NLD"), "national_stock_t"]
        + by.loc[("copper", "DEU"), "national_stock_t"]
    )
    assert copper["national_total_t"] == pytest.approx(nat)
    # a member without demand keeps its row with the reason
    assert by.loc[("copper", "FRA"), "note"].startswith("no annual demand")
    assert math.isnan(by.loc[("copper", "FRA"), "national_stock_t"])
    curve = res.frame("correlation_curve")
    assert list(curve.columns) == cf.CORRELATION_COLUMN_NAMES
    c = curve[curve["item"] == "copper"].set_index("correlation")
    assert list(c.index) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert c.loc[0.0, "gain_t"] > 0 and c.loc[1.0, "gain_t"] <= c.loc[0.0, "gain_t"]
    p = res.provenance
    assert p.analysis == "stockpile_pool" and p.parameters["members"] == ["NLD", "DEU", "FRA"]
    assert p.parameters["seed"] == 7 and "copper" in p.parameters["scenarios_by_item"]


def test_members_resolve_groups_and_refuse_unknown_names(store: Path):  # noqa: F811
    eu = commands.resolve_members("EU27")
    assert len(eu) == 27 and "NLD" in eu
    assert commands.resolve_members(["nld", "DEU", "NLD"]) == ["NLD", "DEU"]
    for bad in ("NLD,XYZ", "NLD", ""):
        with pytest.raises(UsageError) as exc:
            commands.resolve_members(bad)
        assert exc.value.field == "members"
    with pytest.raises(NotFoundError) as exc:  # JPN is not in the store's trade data
        api.pool(["copper"], "NLD,JPN", 2022, data_dir=store, paths=50)
    assert exc.value.field == "members" and "JPN" in str(exc.value)


# -- the module's results and labels -----------------------------------------------------------


def test_the_tables_are_module_results_with_labels_in_both_languages():
    module = registry.get("stockpile")
    names = {t.name for t in module.results}
    assert {t.name for t in cf.COMMAND_RESULTS} <= names
    texts = catalogs().texts
    for table in cf.COMMAND_RESULTS:
        for column in table.columns:
            assert column.description, (table.name, column.name)
            for lang in ("en", "nl"):
                assert texts[lang].get(column.label), (lang, column.label)


# -- CLI ---------------------------------------------------------------------------------------


def run(data_dir: Path, *args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, ["--data-dir", str(data_dir), *args])
    return r.exit_code, r.output


SMALL = ("--paths", "500", "--seed", "3", "--year", "2022")


@pytest.mark.parametrize(
    ("args", "table", "columns"),
    [
        (("simulate", "--items", "cobalt,copper,gallium"), "fan", cf.FAN_COLUMN_NAMES),
        (("simulate", "--items", "cobalt,gallium"), "summary", cf.SUMMARY_COLUMN_NAMES),
        (
            ("portfolio", "--items", "cobalt,copper", "--budget", "2e5", "--shortage-cost", "2e5"),
            "totals",
            cf.TOTALS_COLUMN_NAMES,
        ),
        (
            ("pool", "--members", "NLD,DEU", "--items", "copper,cobalt"),
            "gain",
            cf.GAIN_COLUMN_NAMES,
        ),
    ],
)
def test_cli_writes_csv_with_provenance(store: Path, tmp_path: Path, args, table, columns):  # noqa: F811
    out = tmp_path / f"{table}.csv"
    code, text = run(
        store, "stockpile", *args, *SMALL, "--table", table, "--format", "csv", "--output", str(out)
    )
    assert code == 0, text
    df = pd.read_csv(out)
    assert list(df.columns) == columns and len(df) > 0
    record = json.loads(Path(f"{out}.provenance.json").read_text())
    record = record.get("provenance", record)
    assert record["parameters"]["seed"] == 3 and record["parameters"]["paths"] == 500
    assert "--seed 3" in record["command"] and f"stockpile {args[0]}" in record["command"]


def test_cli_prints_the_summary_and_writes_every_table_to_xlsx(store: Path, tmp_path: Path):  # noqa: F811
    code, text = run(store, "stockpile", "simulate", "--items", "cobalt,copper", *SMALL)
    assert code == 0, text
    assert "Simulation for NLD" in text and "cobalt" in text
    out = tmp_path / "sim.xlsx"
    code, text = run(
        store, "stockpile", "simulate", "--items", "cobalt", *SMALL, "--format", "xlsx",
        "--output", str(out),
    )  # fmt: skip
    assert code == 0, text
    sheets = pd.read_excel(out, sheet_name=None)
    assert {"summary", "fan", "service_curve", "provenance"} <= set(sheets)


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("portfolio", "--items", "cobalt", "--budget", "0", "--shortage-cost", "1e5"), "--budget"),
        (
            ("portfolio", "--items", "cobalt", "--budget", "-1", "--shortage-cost", "1e5"),
            "--budget",
        ),
        (("portfolio", "--items", "cobalt", "--budget", "1e6"), "--shortage-cost"),
        (("pool", "--members", "NLD,XYZ", "--items", "cobalt"), "--members"),
        (("pool", "--members", "NLD", "--items", "cobalt"), "--members"),
        (("simulate", "--items", "cobalt", "--table", "chart"), "--table"),
        (("simulate", "--items", "cobalt", "--stock-days", "lots"), "--stock-days"),
    ],
)
def test_cli_bad_input_exits_non_zero_naming_the_option(
    store: Path,  # noqa: F811
    tmp_path: Path,
    args,
    text,
):
    out = tmp_path / "x.csv"
    code, output = run(store, "stockpile", *args, *SMALL, "--format", "csv", "--output", str(out))
    flat = " ".join(output.split())
    assert code != 0 and "error:" in flat and text in flat
    assert "Traceback" not in output and not out.exists()
