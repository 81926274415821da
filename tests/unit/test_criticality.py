"""Hand-computed cases for the EU criticality method, and properties it must keep."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenradar.core.errors import DataError
from ketenradar.modules.materials.analysis import criticality as m
from ketenradar.modules.materials.assessment import CriticalityInputs, criticality_table
from ketenradar.modules.materials.parameters import load_parameters
from ketenradar.modules.materials.scenario import parse_scenario, run_scenario


def test_wgi_rescaling_known_values():
    # 2·(2.5 − WGI): best governance 0, neutral 5, worst 10; outside ±2.5 clipped.
    assert m.wgi_scaled(2.5) == 0.0
    assert m.wgi_scaled(0.0) == 5.0
    assert m.wgi_scaled(-2.5) == 10.0
    assert m.wgi_scaled(1.0) == pytest.approx(3.0)
    assert m.wgi_scaled(-2.7) == 10.0
    assert m.wgi_scaled(None) == m.WGI_SCALED_MISSING
    assert m.wgi_scaled(float("nan")) == m.WGI_SCALED_MISSING


def test_country_wgi_is_mean_of_six_dimensions():
    wgi = pd.DataFrame(
        {
            "country": ["AAA"] * 6 + ["BBB"],
            "year": [2019] * 7,
            "indicator": ["VA", "PV", "GE", "RQ", "RL", "CC", "PV"],
            "estimate": [1.0, 0.0, -1.0, 0.5, 0.5, 1.0, -1.0],
        }
    )
    out = m.country_wgi_scaled(wgi, 2019).set_index("country")
    # mean = 2.0/6 = 0.3333 → 2·(2.5 − 0.3333) = 4.3333
    assert out.loc["AAA", "wgi_scaled"] == pytest.approx(2 * (2.5 - 2.0 / 6))
    assert out.loc["AAA", "n_dimensions"] == 6
    assert out.loc["BBB", "n_dimensions"] == 1


def test_hhi_wgi_t_hand_computed():
    # China 0.8 share, scaled WGI 6, t 1.1; Canada 0.2, WGI 1, t 1.0
    # 0.64·6·1.1 + 0.04·1·1.0 = 4.224 + 0.04 = 4.264
    assert m.hhi_wgi_t([0.8, 0.2], [6.0, 1.0], [1.1, 1.0]) == pytest.approx(4.264)
    assert m.hhi([0.5, 0.5]) == pytest.approx(0.5)


def test_supply_risk_hand_computed():
    # HHI_GS 4.264, HHI_EU 2.0, IR 0.6 → 4.264·0.3 + 2.0·0.7 = 1.2792 + 1.4 = 2.6792
    # × (1 − 0.1) × 0.95 = 2.6792 · 0.855 = 2.290716
    assert m.supply_risk_mix(4.264, 2.0, 0.6) == pytest.approx(2.6792)
    assert m.supply_risk(4.264, 2.0, 0.6, 0.1, 0.95) == pytest.approx(2.290716)
    # Missing EU sourcing: global supply stands in for both terms.
    assert m.supply_risk_mix(4.264, None, 0.6) == pytest.approx(4.264)
    assert m.supply_risk_mix(None, None, 0.6) is None


def test_economic_importance_hand_computed():
    end_use = pd.DataFrame({"share": [0.6, 0.3, 0.1], "va_meur": [200_000.0, 100_000.0, None]})
    # Σ A·Q = 0.6·200000 + 0.3·100000 = 150000; 10% 'other' without a sector
    s, unalloc = m.ei_unscaled(end_use)
    assert s == pytest.approx(150_000)
    assert unalloc == pytest.approx(0.1)
    # EI = 10 · 150000 / 204200 · 0.9 = 6.6112
    assert m.economic_importance(s, 204_200, 0.9) == pytest.approx(10 * 150_000 / 204_200 * 0.9)


def test_critical_thresholds():
    assert m.is_critical(2.8, 1.0) is True
    assert m.is_critical(2.79, 3.0) is False
    assert m.is_critical(5.0, 0.99) is False
    assert m.is_critical(None, 1.0) is None


def _inputs(params: pd.DataFrame | None = None) -> CriticalityInputs:
    """A two-material world: 'gallium' concentrated in CHN, 'copper' spread out."""
    rows = []
    for scope in ("global", "eu"):
        rows += [
            ("gallium", scope, "processing", "CHN", 0.9, 1.0),
            ("gallium", scope, "processing", "DEU", 0.1, 0.8),
            ("copper", scope, "extraction", "CHL", 0.3, 1.0),
            ("copper", scope, "extraction", "PER", 0.3, 1.0),
            ("copper", scope, "extraction", "DEU", 0.4, 0.8),
        ]
    shares = pd.DataFrame(rows, columns=["material", "scope", "stage", "country", "share", "t"])
    wgi = pd.DataFrame(
        {"country": ["CHN", "DEU", "CHL", "PER"], "wgi_scaled": [6.0, 1.0, 3.0, 5.0]}
    )
    end_use = pd.DataFrame(
        {
            "material": ["gallium", "copper"],
            "application": ["chips", "wire"],
            "share": [1.0, 1.0],
            "nace": ["C26", "C27"],
            "va_meur": [100_000.0, 150_000.0],
        }
    )
    scores = pd.DataFrame(
        {
            "material": ["gallium", "copper"],
            "eu_name": ["Gallium", "Copper"],
            "year": [2023, 2023],
            "sr": [4.0, 0.5],
            "ei": [3.5, 4.0],
        }
    )
    p = params if params is not None else load_parameters().iloc[0:0]
    return CriticalityInputs(shares, end_use, scores, wgi, 2019, p, 200_000.0)


def _params(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"material": a, "parameter": b, "value": c, "source": "test", "url": None, "note": None}
            for a, b, c in rows
        ]
    )


def test_table_recomputes_components_and_implied_factors():
    t = criticality_table(_inputs()).set_index("material")
    ga = t.loc["gallium"]
    # 0.81·6·1 + 0.01·1·0.8 = 4.868 (both scopes identical here)
    assert ga["hhi_wgi_t_gs"] == pytest.approx(4.868)
    assert ga["hhi_wgi_t_eu"] == pytest.approx(4.868)
    # IR assumed 1 → mix = (4.868 + 4.868)/2; published 4.0 implies factor 4.0/4.868
    assert ga["ir_source"] == "assumed"
    assert ga["implied_sr_factor"] == pytest.approx(4.0 / 4.868)
    # EI unscaled = 10·100000/200000 = 5.0; published 3.5 → SI_EI 0.7
    assert ga["ei_unscaled"] == pytest.approx(5.0)
    assert ga["implied_si_ei"] == pytest.approx(0.7)
    # Own computation: IR assumed 1, SI_SR = SI_EI = 1 assumed, no EoL-RIR → SR = mix
    assert ga["sr"] == pytest.approx(4.868)
    assert ga["ei"] == pytest.approx(5.0)
    assert ga["si_source"] == "assumed SI_SR, SI_EI"
    assert ga["reproduced"] == False  # noqa: E712  (4.868 vs the published 4.0)
    # Calibrated variant reproduces the published values (by construction)
    assert ga["sr_calibrated"] == pytest.approx(4.0)
    assert ga["ei_calibrated"] == pytest.approx(3.5)
    assert ga["critical_calibrated"] == True  # noqa: E712
    assert ga["critical"] == True  # noqa: E712
    assert "not in the open data: SI_SR, SI_EI" in ga["note"]
    # Without end-use data the own EI stays empty; the calibrated one is the published
    no_eu = _inputs()
    no_eu.end_use = no_eu.end_use[no_eu.end_use["material"] != "copper"]
    cu = criticality_table(no_eu).set_index("material").loc["copper"]
    assert pd.isna(cu["ei"]) and cu["critical"] is None
    assert cu["ei_calibrated"] == pytest.approx(4.0)


def test_import_reliance_hand_computed():
    """IR = (extra-EU imports − exports) / (EU production + imports − exports), yearly means."""
    from ketenradar.modules.materials.analysis.import_reliance import import_reliance

    trade = pd.DataFrame(
        [
            (2018, "811292", "import", 100.0),
            (2019, "811292", "import", 300.0),
            (2018, "811292", "export", 50.0),
            (2019, "811292", "export", 50.0),
            (2018, "260300", "import", 10.0),
            (2018, "260300", "export", 40.0),
            (2015, "811292", "import", 9999.0),  # outside the reference period
        ],
        columns=["year", "product", "direction", "quantity_t"],
    )
    production = pd.DataFrame(
        [("gallium", 2018, 40.0), ("gallium", 2019, 60.0), ("copper", 2018, 5.0)],
        columns=["material", "year", "production_t"],
    )
    hs_map = pd.DataFrame(
        {
            "material": ["gallium", "copper", "germanium"],
            "stage": ["processing", "extraction", "processing"],
            "hs_codes": ["811292", "260300", "811230"],
        }
    )
    out = import_reliance(trade, production, hs_map, range(2016, 2021)).set_index("material")
    ga = out.loc["gallium"]
    # means over 2018–2019: imports 200, exports 50, production 50 → 150 / 200
    assert ga["ir_years"] == "2018–2019"
    assert ga["apparent_consumption_t"] == pytest.approx(200.0)
    assert ga["ir_computed"] == pytest.approx(0.75)
    # copper: net exporter → 0
    assert out.loc["copper", "ir_computed"] == 0.0
    assert "net exporter" in out.loc["copper", "ir_note"]
    # germanium: nothing at all → empty, with the reason
    assert pd.isna(out.loc["germanium", "ir_computed"])
    assert "no EU production" in out.loc["germanium", "ir_note"]
    # the criticality uses it, flagged ir_source = trade
    inp = _inputs()
    inp.import_reliance = out.reset_index()
    t = criticality_table(inp).set_index("material")
    assert t.loc["gallium", "ir_source"] == "trade"
    assert t.loc["gallium", "ir"] == pytest.approx(0.75)
    assert t.loc["gallium", "sr_mix"] == pytest.approx(4.868)  # both scopes equal here
    assert t.loc["copper", "ir"] == 0.0


def test_full_parameters_reproduce_or_not():
    # Gallium: mix at IR 0.5 = 4.868; ·(1−0)·0.8217 ≈ 4.0 → reproduced
    si = 4.0 / 4.868
    p = _params(
        [
            ("gallium", "ir", 0.5),
            ("gallium", "eol_rir", 0.0),
            ("gallium", "si_sr", si),
            ("gallium", "si_ei", 0.7),
        ]
    )
    t = criticality_table(_inputs(p)).set_index("material")
    assert t.loc["gallium", "sr"] == pytest.approx(4.0)
    assert t.loc["gallium", "si_source"] == "parameter"
    assert t.loc["gallium", "reproduced"] == True  # noqa: E712
    p2 = _params(
        [
            ("gallium", "ir", 0.5),
            ("gallium", "eol_rir", 0.0),
            ("gallium", "si_sr", 0.5),
            ("gallium", "si_ei", 0.7),
        ]
    )
    t2 = criticality_table(_inputs(p2)).set_index("material")
    assert t2.loc["gallium", "reproduced"] == False  # noqa: E712
    assert "differs" in t2.loc["gallium", "note"]


def test_what_if_shift_turns_gallium_non_critical():
    sc = parse_scenario(
        {
            "name": "diversify",
            "changes": [
                {"shift": {"material": "gallium", "from": "CHN", "to": "DEU", "share": 0.8}}
            ],
        }
    )
    r = run_scenario(_inputs(), sc).set_index("material")
    # After: CHN 0.1, DEU 0.9 → 0.01·6 + 0.81·0.8 = 0.708; SR = 0.708 · 4.0/4.868 = 0.5818
    assert r.loc["gallium", "hhi_wgi_t_gs_scenario"] == pytest.approx(0.708)
    assert r.loc["gallium", "sr_scenario"] == pytest.approx(0.708 * 4.0 / 4.868)
    assert r.loc["gallium", "critical_change"] == "no longer critical"
    assert r.loc["copper", "sr_delta"] == pytest.approx(0.0)


def test_what_if_export_restriction_and_recycling():
    sc = parse_scenario(
        {
            "name": "x",
            "changes": [
                {"export_restriction": {"country": "CHN", "t": 1.5}},
                {"recycling": {"material": "gallium", "eol_rir": 0.5}},
            ],
        }
    )
    r = run_scenario(_inputs(), sc).set_index("material")
    # HHI: 0.81·6·1.5 + 0.008 = 7.298; SR = 7.298 · (1 − 0.5) · 4.0/4.868
    assert r.loc["gallium", "sr_scenario"] == pytest.approx(7.298 * 0.5 * 4.0 / 4.868)


def test_what_if_wgi_change_makes_copper_critical():
    sc = parse_scenario(
        {
            "name": "x",
            "changes": [
                {"wgi": {"country": "DEU", "scaled": 10}},
                {"wgi": {"country": "PER", "estimate": -2.5}},
            ],
        }
    )
    r = run_scenario(_inputs(), sc).set_index("material")
    # copper HHI before: .09·3 + .09·5 + .16·1·.8 = 0.848; after: .27 + .9 + .16·10·.8 = 2.45
    assert r.loc["copper", "hhi_wgi_t_gs_scenario"] == pytest.approx(2.45)
    assert r.loc["copper", "sr_scenario"] == pytest.approx(2.45 * 0.5 / 0.848)
    assert r.loc["copper", "critical_change"] == "becomes critical"


@pytest.mark.parametrize(
    ("doc", "match"),
    [
        (
            {
                "changes": [
                    {"shift": {"material": "galium", "from": "CHN", "to": "DEU", "share": 1}}
                ]
            },
            "closest: gallium",
        ),
        ({"changes": [{"shfit": {}}]}, "closest: shift"),
        ({"changes": [{"wgi": {"country": "Atlantis", "scaled": 3}}]}, "unknown country"),
        ({"changes": [{"recycling": {"material": "cobalt", "eol_rir": 1.5}}]}, "outside"),
        ({"changes": []}, "non-empty"),
    ],
)
def test_scenario_errors(doc, match):
    with pytest.raises(DataError, match=match):
        parse_scenario(doc)


@settings(max_examples=60, deadline=None)
@given(
    shares=st.lists(st.floats(0.01, 1.0), min_size=2, max_size=6),
    wgi=st.lists(st.floats(0.0, 10.0), min_size=6, max_size=6),
    bump=st.floats(0.001, 0.2),
)
def test_sr_monotone_in_share_of_riskier_than_average_supplier(shares, wgi, bump):
    """Moving share to a supplier whose weighted risk is above average raises HHI_WGI,t."""
    total = sum(shares)
    s = [x / total for x in shares]
    w = wgi[: len(s)]
    t = [1.0] * len(s)
    base = m.hhi_wgi_t(s, w, t)
    # The riskiest supplier by S·WGI (marginal contribution 2·S·WGI).
    i = max(range(len(s)), key=lambda k: s[k] * w[k])
    j = min(range(len(s)), key=lambda k: s[k] * w[k])
    if i == j or s[j] < bump:
        return
    s2 = list(s)
    s2[i] += bump
    s2[j] -= bump
    after = m.hhi_wgi_t(s2, w, t)
    assert after >= base - 1e-12


@settings(max_examples=60, deadline=None)
@given(h_gs=st.floats(0, 10), h_eu=st.floats(0, 10), ir=st.floats(0, 1), eol=st.floats(0, 1))
def test_sr_decreases_with_recycling_and_is_between_scopes(h_gs, h_eu, ir, eol):
    sr = m.supply_risk(h_gs, h_eu, ir, 0.0, 1.0)
    assert min(h_gs, h_eu) - 1e-9 <= sr <= max(h_gs, h_eu) + 1e-9
    assert m.supply_risk(h_gs, h_eu, ir, eol, 1.0) <= sr + 1e-12
    assert not math.isnan(sr)


def test_scenario_wgi_estimate_that_is_not_a_number_is_a_clear_error():
    from ketenradar.core.errors import DataError

    doc = {"name": "x", "changes": [{"wgi": {"country": "CHN", "estimate": "x"}}]}
    with pytest.raises(DataError, match=r"wgi\.estimate: not a number: 'x'"):
        parse_scenario(doc, source="<inline>", text="")
