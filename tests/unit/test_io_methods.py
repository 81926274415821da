"""Input-output methods on hand-computed tables, against pymrio, and on bad input.

The hand case (two regions, one industry each; values worked out in
``docs/methods/input-output.md``):

    Z = [[10, 20], [30, 40]], x = [100, 200], final demand by destination
    y(A) = [50, 60], y(B) = [20, 70]  ->  va = [60, 140]
    L = [[0.8, 0.1], [0.3, 0.9]] / 0.69, v = [0.6, 0.7]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import pymrio_system
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenradar.core.errors import DataError, UsageError
from ketenradar.core.groups import GroupRegistry
from ketenradar.datasets.iotable import IOTable, check_balance, require_balanced
from ketenradar.modules.io import shock
from ketenradar.modules.io.analysis import balance, exposure
from ketenradar.modules.io.analysis.model import IOModel
from ketenradar.modules.io.analysis.regions import resolve_economy

REG = GroupRegistry()


def hand_table() -> IOTable:
    Z = np.array([[10.0, 20.0], [30.0, 40.0]])
    Y = np.array([[[50.0], [20.0]], [[60.0], [70.0]]])  # (n, R, K)
    x = np.array([100.0, 200.0])
    return IOTable(
        source="test",
        year=2020,
        regions=["NLD", "DEU"],
        sectors=["C"],
        Z=Z,
        x=x,
        va=x - Z.sum(axis=0),
        other=np.zeros(2),
        y_total=Y.sum(axis=(1, 2)),
        Y=Y,
        fd_categories=["HFCE"],
        rounding_unit=0.0,
    )


def random_table(seed: int, R: int = 3, S: int = 2, K: int = 2) -> IOTable:
    rng = np.random.default_rng(seed)
    n = R * S
    Z = rng.uniform(0, 10, (n, n)) * (rng.uniform(size=(n, n)) > 0.2)
    Y = rng.uniform(20, 40, (n, R, K))  # final demand above any column's inputs: va > 0
    x = Z.sum(axis=1) + Y.sum(axis=(1, 2))
    return IOTable(
        source="test",
        year=2000,
        regions=["NLD", "DEU", "CHN", "USA", "FRA"][:R],
        sectors=[f"s{k}" for k in range(S)],
        Z=Z,
        x=x,
        va=x - Z.sum(axis=0),
        other=np.zeros(n),
        y_total=Y.sum(axis=(1, 2)),
        Y=Y,
        fd_categories=["HFCE", "GFCF"][:K],
    )


def test_hand_leontief_and_value_added():
    m = IOModel(hand_table())
    L = m.leontief_inverse()
    np.testing.assert_allclose(L, np.array([[0.8, 0.1], [0.3, 0.9]]) / 0.69)
    np.testing.assert_allclose(m.v, [0.6, 0.7])
    np.testing.assert_allclose(m.va_multipliers(), [1.0, 1.0])  # v'L = 1' when balanced
    np.testing.assert_allclose(m.embodied_va(np.array([50.0, 60.0])), [40.0, 70.0])


def test_hand_exposure():
    t = hand_table()
    m = IOModel(t)
    econ = resolve_economy(t, "NLD", REG)
    src = exposure.exposure_by_source(m, econ)
    row = src.set_index("source_country")
    assert row.loc["DEU", "embodied_va_musd"] == pytest.approx(70.0)
    assert row.loc["NLD", "embodied_va_musd"] == pytest.approx(40.0)
    assert row.loc["DEU", "direct_inputs_musd"] == pytest.approx(30.0)
    assert row.loc["DEU", "va_in_exports_musd"] == pytest.approx(40 * 0.21 / 0.69)
    assert row.loc["DEU", "rank"] == 1 and pd.isna(row.loc["NLD", "rank"])
    summary = exposure.exposure_summary(m, econ, src).iloc[0]
    assert summary["foreign_input_share"] == pytest.approx(0.75)
    assert summary["foreign_va_share"] == pytest.approx(70 / 110)
    assert summary["foreign_va_share_exports"] == pytest.approx(0.21 / 0.69)
    ind = exposure.exposure_by_industry(m, econ).iloc[0]
    assert ind["foreign_input_share"] == pytest.approx(0.75)
    assert ind["foreign_va_content"] == pytest.approx(0.7 * 0.3 / 0.69)
    assert ind["top_foreign_va_country"] == "DEU"
    links = exposure.exposure_links(m, econ)
    assert len(links) == 1 and links.iloc[0]["direct_inputs_musd"] == pytest.approx(30.0)
    assert links.iloc[0]["total_requirement"] == pytest.approx(0.3 / 0.69)


def test_hand_production_basis():
    t = hand_table()
    m = IOModel(t)
    econ = resolve_economy(t, "NLD", REG)
    src = exposure.exposure_by_source(m, econ, basis="final_output")
    # NLD's final output y_1 = 70: L[:,0]*70 = [0.8, 0.3]/0.69*70; VA = v * that
    expected = np.array([0.6 * 0.8, 0.7 * 0.3]) / 0.69 * 70
    got = src.set_index("source_country")["embodied_va_musd"]
    np.testing.assert_allclose([got["NLD"], got["DEU"]], expected)


def test_hand_balance():
    t = hand_table()
    df = balance.va_balance(IOModel(t), resolve_economy(t, "NLD", REG))
    r = df.iloc[0]
    assert r["partner"] == "DEU"
    assert r["importer_dependent_va_musd"] == pytest.approx(70.0)
    assert r["partner_dependent_va_musd"] == pytest.approx(20.0)
    assert r["importer_dependent_share"] == pytest.approx(70 / 110)
    assert r["partner_dependent_share"] == pytest.approx(20 / 90)
    assert r["balance_ratio_va"] == pytest.approx(20 / 70)


def test_hand_ghosh_and_extraction():
    t = hand_table()
    m = IOModel(t)
    econ = resolve_economy(t, "NLD", REG)
    sc = shock.single_scenario("DEU", "50%", model="ghosh")
    res = shock.run_scenarios(m, econ, [sc], REG)
    assert res.iloc[0]["industry"] == "TOTAL"
    # Δz = 0.5 * [30, 40]; Δx_1 = (15*0.8 + 20*0.15) / 0.69
    assert res.iloc[0]["output_loss_musd"] == pytest.approx(15 / 0.69)
    assert res.iloc[0]["va_loss_musd"] == pytest.approx(0.6 * 15 / 0.69)
    sc = shock.single_scenario("DEU", 0.5, model="extraction")
    res = shock.run_scenarios(m, econ, [sc], REG)
    # B* row 2 halved: x*_1 = (60*0.9 + 140*0.075) / 0.795
    assert res.iloc[0]["output_loss_musd"] == pytest.approx(100 - 64.5 / 0.795)
    sc = shock.single_scenario("DEU", 0.5, to="economy", model="ghosh")
    res = shock.run_scenarios(m, econ, [sc], REG)
    assert res.iloc[0]["output_loss_musd"] == pytest.approx(15 * 0.8 / 0.69)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_quantities_equal_pymrio(seed):
    t = random_table(seed)
    io = pymrio_system(t)
    io.calc_all()
    m = IOModel(t)
    np.testing.assert_allclose(m.leontief_inverse(), io.L.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(m.A, io.A.to_numpy(), rtol=1e-12)
    # value-added multipliers and embodied value added via pymrio's extension machinery
    np.testing.assert_allclose(m.va_multipliers(), io.va.M.to_numpy()[0], rtol=1e-10)
    econ = resolve_economy(t, "NLD", REG)
    src = exposure.exposure_by_source(m, econ).set_index(["source_country", "source_industry"])
    # pymrio: D_cba per region (footprint) split by source with S * L * y
    S = io.va.S.to_numpy()[0]
    yN = io.Y.loc[:, "NLD"].sum(axis=1).to_numpy()
    ref = S * (io.L.to_numpy() @ yN)
    got = src.loc[list(zip(t.index()["region"], t.index()["sector"], strict=True))]
    np.testing.assert_allclose(got["embodied_va_musd"].to_numpy(), ref, rtol=1e-10)
    assert got["embodied_va_musd"].sum() == pytest.approx(io.va.D_cba_reg["NLD"].iloc[0])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), fall=st.floats(0.05, 1.0))
def test_extraction_equals_brute_force(seed, fall):
    t = random_table(seed)
    m = IOModel(t)
    econ = resolve_economy(t, "NLD", REG)
    sc = shock.single_scenario("CHN", fall, model="extraction")
    res = shock.run_scenarios(m, econ, [sc], REG)
    B = t.Z / t.x[:, None]
    Bs = B.copy()
    rows = np.flatnonzero(t.index()["region"] == "CHN")
    Bs[rows, :] *= 1 - fall
    vp = t.x - t.Z.sum(axis=0)
    xs = np.linalg.solve((np.eye(t.n) - Bs).T, vp)
    want = (t.x - xs)[econ.mask]
    np.testing.assert_allclose(res["output_loss_musd"].to_numpy()[1:], want, rtol=1e-8)
    # losses never exceed output and grow with the fall (no substitution, monotone)
    assert (res["output_loss_share"].to_numpy()[1:] <= 1 + 1e-9).all()
    half = shock.run_scenarios(m, econ, [shock.single_scenario("CHN", fall / 2)], REG)
    assert half.iloc[0]["output_loss_musd"] <= res.iloc[0]["output_loss_musd"] + 1e-9


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_embodied_va_adds_up_to_final_demand(seed):
    t = random_table(seed)
    m = IOModel(t)
    M = balance.va_origin_destination(m)
    np.testing.assert_allclose(M.sum(axis=0), t.Y.sum(axis=(0, 2)), rtol=1e-9)
    for r in t.regions:
        econ = resolve_economy(t, r, REG)
        src = exposure.exposure_by_source(m, econ)
        assert src["embodied_va_musd"].sum() == pytest.approx(
            t.Y[:, econ.region_mask, :].sum(), rel=1e-9
        )


def test_bloc_economy_uses_member_regions():
    t = random_table(7, R=4)
    econ = resolve_economy(t, "EU27", REG)
    assert econ.regions == ("NLD", "DEU")
    with pytest.raises(UsageError, match="closest: NLD"):
        resolve_economy(t, "NLX", REG)


def test_unbalanced_row_is_named():
    t = hand_table()
    t.x = t.x.copy()
    t.x[1] += 5  # DEU's output no longer equals its uses; column residual too
    with pytest.raises(DataError, match=r"row DEU_C: output 205, residual 5"):
        require_balanced(t, "hand.csv")


def test_rounding_tolerance_accepts_whole_unit_rounding():
    t = hand_table()
    t.rounding_unit = 1.0
    t.x = t.x + np.array([2.0, -1.0])  # within (cells + 1) units: 2 Z + 2 Y + 1
    t.va = t.x - t.Z.sum(axis=0)
    assert check_balance(t).ok
    t.x = t.x + np.array([4.0, 0.0])  # 6 units > 5
    t.va = t.x - t.Z.sum(axis=0)
    report = check_balance(t)
    assert not report.ok and list(report.failures["side"]) == ["row"]


def test_negative_household_final_demand_rejected_inventories_allowed():
    t = hand_table()
    t.fd_categories = ["INVNT"]
    t.Y = t.Y.copy()
    t.Y[0, 1, 0] = -5.0
    t.Y[0, 0, 0] += 25.0
    assert check_balance(t).ok
    t.fd_categories = ["HFCE"]
    with pytest.raises(DataError, match=r"NLD_C -> DEU HFCE = -5"):
        require_balanced(t)


def test_unproductive_column_is_named():
    t = hand_table()
    # A = [[0.1, 0.1], [0.95, 0.95]]: spectral radius 1.05, I - A invertible, L not >= 0
    t.Z = np.array([[10.0, 20.0], [95.0, 190.0]])
    t.x = np.array([100.0, 200.0])
    with pytest.raises(DataError, match=r"not productive.*NLD_C \(1.0500\), DEU_C \(1.0500\)"):
        IOModel(t)
    # a column above 1 in a productive system is allowed (negative value added)
    t.Z = np.array([[10.0, 20.0], [95.0, 40.0]])
    assert IOModel(t).output_multipliers().min() >= 1


def test_shock_bad_input():
    t = hand_table()
    m = IOModel(t)
    econ = resolve_economy(t, "NLD", REG)
    with pytest.raises(UsageError, match="fall 150% must be above 0"):
        shock.single_scenario("DEU", "150%")
    with pytest.raises(UsageError, match="unknown industry X in the test table"):
        shock.run_scenarios(m, econ, [shock.single_scenario("DEU", 0.1, industries=("X",))], REG)
    with pytest.raises(UsageError, match="not a region"):
        shock.run_scenarios(m, econ, [shock.single_scenario("ZZZ", 0.1)], REG)
    sc = shock.scenario_from_dict(
        {"name": "twice", "shocks": [{"supplier": "DEU", "fall": 0.7}] * 2}, "doc"
    )
    with pytest.raises(UsageError, match="more than 100 %"):
        shock.run_scenarios(m, econ, [sc], REG)
    with pytest.raises(UsageError, match="unknown key"):
        shock.scenario_from_dict({"shocks": [{"supplier": "DEU", "fall": 1, "x": 1}]}, "doc")


def test_final_demand_basis_needs_destinations():
    t = hand_table()
    t.Y = None
    econ = resolve_economy(t, "NLD", REG)
    with pytest.raises(UsageError, match="does not split final demand by destination"):
        exposure.exposure_by_source(IOModel(t), econ, basis="final_demand")


# --- Ghosh losses above output (issue 15, point 10) ------------------------------------------


def pymrio_test_table() -> IOTable:
    """pymrio's own test system (six regions × eight sectors) as an :class:`IOTable`."""
    import pymrio

    io = pymrio.load_test()
    io.calc_all()
    regions, sectors = list(io.get_regions()), list(io.get_sectors())
    cats = list(io.get_Y_categories())
    Z, x = io.Z.to_numpy(), io.x.to_numpy()[:, 0]
    Y = io.Y.to_numpy().reshape(len(x), len(regions), len(cats))
    return IOTable(
        source="pymrio-test",
        year=2000,
        regions=regions,
        sectors=sectors,
        Z=Z,
        x=x,
        va=x - Z.sum(axis=0),
        other=np.zeros(len(x)),
        y_total=Y.sum(axis=(1, 2)),
        Y=Y,
        fd_categories=cats,
    )


def test_ghosh_equals_pymrio_ghosh_inverse():
    """On pymrio's test system the Ghosh loss is Δz'G with pymrio's own G = (I − B)⁻¹, and a
    total stop of every delivery loses (output multiplier − 1) of each industry's output."""
    import pymrio.tools.iomath as iomath

    t = pymrio_test_table()
    m = IOModel(t)
    G = iomath.calc_G(iomath.calc_B(t.Z, t.x))
    L = iomath.calc_L(iomath.calc_A(t.Z, t.x))
    rows = np.flatnonzero(t.index()["region"] == "reg2")
    dz = 0.5 * t.Z[rows, :].sum(axis=0)
    sc = shock.single_scenario("reg2", 0.5, model="ghosh")
    everyone = shock.Scenario("all", [shock.Shock(r, 1.0) for r in t.regions], "ghosh")
    for r in t.regions:
        econ = resolve_economy(t, r, REG)
        res = shock.run_scenarios(m, econ, [sc], REG)
        np.testing.assert_allclose(
            res["output_loss_musd"].to_numpy()[1:], (dz @ G)[econ.mask], rtol=1e-9
        )
        full = shock.run_scenarios(m, econ, [everyone], REG)
        np.testing.assert_allclose(
            full["output_loss_share"].to_numpy()[1:], L.sum(axis=0)[econ.mask] - 1, rtol=1e-9
        )
        # pymrio's test system has output multipliers below 2: nothing to cap
        assert not full["output_loss_capped"].any() and full.attrs["notes"] == []
    assert L.sum(axis=0).max() < 2


def test_ghosh_above_output_is_capped_and_said():
    """One industry selling 60 % of its output to itself (L = 2.5): stopping that supply, the
    first-order Ghosh loss is 60 · 2.5 = 150 of an output of 100; the result is capped at 100,
    marked and noted. Partial extraction gives the exact 60 (x* = v_p = 40)."""
    t = IOTable(
        source="test",
        year=2020,
        regions=["NLD"],
        sectors=["C"],
        Z=np.array([[60.0]]),
        x=np.array([100.0]),
        va=np.array([40.0]),
        other=np.zeros(1),
        y_total=np.array([40.0]),
    )
    m = IOModel(t)
    econ = resolve_economy(t, "NLD", REG)
    raw = shock.output_loss(m, np.array([0]), np.array([[60.0]]), "ghosh")
    assert raw[0] == pytest.approx(150.0)  # what the model says, before the cap
    res = shock.run_scenarios(m, econ, [shock.single_scenario("NLD", 1.0, model="ghosh")], REG)
    row = res.set_index("industry").loc["C"]
    assert row["output_loss_musd"] == pytest.approx(100.0) and row["output_loss_share"] == 1.0
    assert row["va_loss_musd"] == pytest.approx(40.0) and bool(row["output_loss_capped"])
    assert bool(res.set_index("industry").loc["TOTAL", "output_loss_capped"])
    assert res.attrs["notes"] == [
        "scenario 'NLD −100 % to world': the ghosh model put the output loss of 1 industry "
        "above their output (up to 150%); those losses are capped at 100 % of output and "
        "marked in output_loss_capped"
    ]
    ext = shock.run_scenarios(m, econ, [shock.single_scenario("NLD", 1.0)], REG)
    assert ext.set_index("industry").loc["C", "output_loss_musd"] == pytest.approx(60.0)
    assert not ext["output_loss_capped"].any() and ext.attrs["notes"] == []
