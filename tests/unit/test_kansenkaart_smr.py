"""SMR energy fit (issue 17, item 7): the fit rule at the margin boundary, units needed
rounded up, PJ/yr to MW, the packaged design table (every figure with a source), the
illustrative example, errors naming the bad field, and the command's exit codes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ketenradar.core.errors import DataError, UsageError
from ketenradar.interfaces.cli.app import app
from ketenradar.modules.kansenkaart.analysis.smr import (
    DEFAULT_MARGIN_K,
    fits,
    parse_designs,
    parse_heat_demand,
    pj_per_year_to_mw,
    smr_fit,
    units_needed,
)
from ketenradar.modules.kansenkaart.facts import REQUIREMENT_COLUMNS_BY_NAME, SMR_COLUMNS_BY_NAME
from ketenradar.modules.kansenkaart.names import catalog
from ketenradar.modules.kansenkaart.tables import load_designs, load_heat_demand

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "kansenkaart"
EXAMPLE = EXAMPLES / "smr" / "heat_demand_illustrative.yaml"


def _fig(v: float, verified: bool = True) -> dict:
    return {"value": v, "source": "hand-made", "verified": verified}


DESIGNS = parse_designs(
    {
        "designs": {
            "hot": {"name": "Hot", "thermal_mwt": _fig(250), "outlet_c": _fig(330, False)},
            "cold": {"name": "Cold", "thermal_mwt": _fig(100), "outlet_c": _fig(150)},
            "unknown": {"name": "No outlet", "thermal_mwt": _fig(50)},
        }
    }
)


def test_fit_rule_at_the_margin_boundary():
    assert fits(330, 30, 300)  # exactly at the boundary: fits
    assert not fits(330, 30, 300.5)
    assert fits(330, 0, 330) and not fits(330, 0.1, 330)


def test_units_needed_round_up():
    assert units_needed(500, 250) == 2
    assert units_needed(501, 250) == 3
    assert units_needed(1, 250) == 1
    # 7.884 PJ/yr is 250 MW on average (365 days): one unit, despite float round-off
    assert pj_per_year_to_mw(7.884) == pytest.approx(250.0)
    assert units_needed(pj_per_year_to_mw(7.884), 250) == 1
    with pytest.raises(UsageError):
        units_needed(10, 0)


def test_fit_table_by_hand():
    demand = parse_heat_demand(
        {
            "demands": [
                {"cluster": "A", "temperature_c": 300, "heat_mw": 600},
                {"cluster": "B", "temperature_c": 120, "heat_pj_per_year": 7.884},
            ]
        }
    )
    out = smr_fit(demand, DESIGNS, margin_k=30).set_index(["cluster", "design"])
    a_hot = out.loc[("A", "hot")]
    assert a_hot["usable_c"] == 300 and a_hot["fits"] is True
    assert a_hot["units_needed"] == 3  # 600 / 250 = 2.4 -> 3
    assert a_hot["unverified"] == "outlet_c"
    assert out.loc[("A", "cold"), "fits"] is False
    assert pd.isna(out.loc[("A", "cold"), "units_needed"])
    assert out.loc[("A", "unknown"), "fits"] is None  # no outlet temperature: not judged
    assert out.loc[("B", "cold"), "fits"] is True and out.loc[("B", "cold"), "units_needed"] == 3
    assert out.loc[("B", "hot"), "units_needed"] == 1
    # a margin one kelvin larger turns A/hot from fitting to not
    out31 = smr_fit(demand, DESIGNS, margin_k=31).set_index(["cluster", "design"])
    assert out31.loc[("A", "hot"), "fits"] is False
    with pytest.raises(UsageError) as e:
        smr_fit(demand, DESIGNS, margin_k=-1)
    assert e.value.field == "margin"


def test_packaged_designs_give_a_source_for_every_figure():
    table = load_designs()
    assert {"nuscale_us460", "bwrx_300", "xe_100"} <= set(table.designs)
    for d in table.designs.values():
        for f in (d.thermal_mwt, d.electric_mwe, d.outlet_c):
            if f is not None:
                assert len(f.source) > 10 and isinstance(f.verified, bool)
    assert DEFAULT_MARGIN_K == 30.0


def test_the_example_is_labelled_illustrative():
    heat = load_heat_demand(EXAMPLE)
    assert heat.illustrative is True
    assert all("illustrative" in d.cluster for d in heat.demands)
    assert "NOT data about any real" in EXAMPLE.read_text(encoding="utf-8")


def test_bad_files_name_the_field():
    with pytest.raises(DataError) as e:
        parse_heat_demand(
            {
                "demands": [
                    {"cluster": "A", "temperature_c": 100, "heat_mw": 1, "heat_pj_per_year": 1}
                ]
            }
        )
    assert e.value.field == "demands[0]" and "exactly one of heat_mw" in str(e.value)
    with pytest.raises(DataError) as e:
        parse_heat_demand(
            {
                "demands": [
                    {"cluster": "A", "temperature_c": 100, "heat_mw": 1},
                    {"cluster": "B", "temperature_c": -5, "heat_mw": 1},
                ]
            }
        )
    assert e.value.field == "demands[1].temperature_c"
    with pytest.raises(DataError) as e:
        parse_designs({"designs": {"x": {"name": "x", "thermal_mwt": {"value": 10}}}})
    assert e.value.field == "designs.x.thermal_mwt.source"


def test_every_new_label_has_an_english_and_a_dutch_text():
    keys = [c.label for c in (*REQUIREMENT_COLUMNS_BY_NAME.values(), *SMR_COLUMNS_BY_NAME.values())]
    keys.append("kansenkaart_work_package_name")
    for lang in ("en", "nl"):
        missing = [k for k in keys if k not in catalog(lang)]
        assert missing == [], f"{lang}.po lacks {missing}"


def _fit(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, ["kansenkaart", "smr-fit", *args])
    return r.exit_code, r.output


def test_cli_fit_and_exit_codes(tmp_path: Path):
    out = tmp_path / "fit.csv"
    code, text = _fit("--demand", str(EXAMPLE), "--format", "csv", "--output", str(out))
    assert code == 0, text
    df = pd.read_csv(out, comment="#")
    b = df[(df["cluster"] == "Cluster B (illustrative)") & (df["design"] == "xe_100")]
    assert b["fits"].tolist() == [True] and b["units_needed"].tolist() == [3]  # 450 / 200
    code, text = _fit("--demand", str(EXAMPLE), "--fits-only", "--margin", "1000")
    assert code == 2 and "allowed 0 to 500" in text
    code, text = _fit("--demand", str(tmp_path / "none.yaml"))
    assert code == 2 and "none.yaml" in text
    bad = tmp_path / "heat.yaml"
    bad.write_text("demands:\n  - {cluster: A, temperature_c: 100}\n", encoding="utf-8")
    code, text = _fit("--demand", str(bad))
    assert code == 4 and "demands[0]" in text and "heat.yaml" in text


def test_api_says_where_the_demand_comes_from():
    from ketenradar.modules.kansenkaart.api import smr_fit as api_fit

    r = api_fit(EXAMPLE, margin=25.0)
    notes = " ".join(r.provenance.notes)
    assert "industry module" in notes and "does not exist yet" in notes
    assert "illustrative" in notes and r.provenance.parameters["margin_k"] == 25.0
    assert (
        r.provenance.parameters["demand_sha256"] and r.provenance.parameters["demand_illustrative"]
    )
    own = api_fit({"demands": [{"cluster": "X", "temperature_c": 700, "heat_mw": 100}]})
    fit = own.frame("fit").set_index("design")
    assert fit.loc["xe_100", "fits"] is True and fit.loc["bwrx_300", "fits"] is False
    assert "illustrative" not in " ".join(own.provenance.notes)
