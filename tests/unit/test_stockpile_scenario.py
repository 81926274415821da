"""Disruption scenario documents: validation, errors that name the field, compilation to arrays,
the default scenarios."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from ketenradar.core.errors import DataError, ErrorCode, UsageError
from ketenradar.modules.stockpile.analysis.scenario import (
    DEFAULT_DURATION_MONTHS,
    DEFAULT_PROBABILITY,
    DEFAULT_RAMP_UP_MONTHS,
    Scenario,
    SupplyModel,
    compile_scenario,
    group_halted,
    monthly_probability,
    parse_scenario,
    scenario_from_text,
    scenario_json_schema,
    top_suppliers_halted,
)

YAML = """
name: China and the DRC
description: two independent halts
disruptions:
  - name: CHN export halt
    suppliers:
      - {supplier: CHN, cut: 1.0}
      - {supplier: hkg, cut: 0.5}        # lower case is fine
    probability: 0.1
    duration: {distribution: geometric, months: 12}
    ramp_up_months: 6
  - name: DRC halt
    suppliers: [{supplier: COD}]
    onset_month: 4
    duration: {distribution: fixed, months: 3}
    ramp_up_months: null
    items: [cobalt]
demand_response: 0.05
demand_response_by_item: {gallium: 0.2}
"""

EXPOSURE = {
    "gallium": {"CHN": 0.8, "HKG": 0.1, "DEU": 0.05},
    "cobalt": {"COD": 0.6, "CHN": 0.2},
    "copper": {"CHL": 0.3, "COD": 0.1},
}


def test_a_yaml_scenario_compiles_to_the_loss_matrix():
    sc = scenario_from_text(YAML, file="s.yaml")
    assert [d.name for d in sc.disruptions] == ["CHN export halt", "DRC halt"]
    assert sc.disruptions[0].suppliers[1].supplier == "HKG"
    assert sc.disruptions[1].ramp_up_months is None
    model = compile_scenario(sc, EXPOSURE)
    assert model.items == ("gallium", "cobalt", "copper")
    assert model.sources == ("CHN export halt", "DRC halt")
    # CHN halt: gallium 0.8·1 + 0.1·0.5; cobalt 0.2; copper 0. DRC halt: only cobalt (items).
    np.testing.assert_allclose(model.loss, [[0.85, 0.0], [0.2, 0.6], [0.0, 0.0]])
    assert model.onset[0] == pytest.approx(1 - 0.9 ** (1 / 12))
    assert model.onset[1] == 0.0 and model.onset_month.tolist() == [0, 4]
    assert model.fixed.tolist() == [False, True]
    assert model.duration.tolist() == [12.0, 3.0]
    assert model.ramp_up[0] == 6.0 and math.isinf(model.ramp_up[1])
    assert model.demand_response.tolist() == [0.2, 0.05, 0.05]  # per item


def test_monthly_probability_compounds_back_to_the_yearly_one():
    q = monthly_probability(0.1)
    assert 1 - (1 - q) ** 12 == pytest.approx(0.1)
    assert monthly_probability(1.0) == 1.0
    assert monthly_probability(0.0) == 0.0
    with pytest.raises(UsageError):
        monthly_probability(1.2)


def test_groups_as_suppliers_and_a_country_named_twice():
    doc = {
        "name": "bloc",
        "disruptions": [
            {
                "name": "bloc halt",
                "suppliers": [{"supplier": "BLOC", "cut": 0.5}, {"supplier": "CHN", "cut": 1.0}],
                "probability": 0.2,
            }
        ],
    }
    sc = parse_scenario(doc, groups=["bloc"])  # a user group
    model = compile_scenario(sc, EXPOSURE, groups={"BLOC": ["CHN", "COD"]})
    # CHN counts once with its largest cut (1.0); COD through the group at 0.5
    np.testing.assert_allclose(model.loss[:, 0], [0.8, 0.6 * 0.5 + 0.2, 0.1 * 0.5])
    # packaged groups resolve without a mapping: BRICS has CHN
    brics = compile_scenario(group_halted("BRICS"), EXPOSURE)
    assert brics.loss[0, 0] == pytest.approx(0.8)


def test_losses_are_capped_at_the_whole_demand():
    sc = group_halted("pair", ["CHN", "HKG"])
    model = compile_scenario(sc, {"x": {"CHN": 0.7, "HKG": 0.6}})
    assert model.loss[0, 0] == 1.0


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"suppliers": [{"supplier": "CHN", "cut": -0.2}]}, "disruptions[0].suppliers[0].cut",
         "-0.2 is not allowed (allowed: 0 to 1)"),
        ({"probability": 1.5}, "disruptions[0].probability",
         "1.5 is not allowed (allowed: 0 to 1)"),
        ({"probability": -0.1}, "disruptions[0].probability", "allowed: 0 to 1"),
        ({"colour": "red"}, "disruptions[0].colour",
         "unknown field (allowed: name, suppliers, probability, onset_month, duration"),
        ({"suppliers": [{"supplier": "XXX"}]}, "disruptions[0].suppliers[0].supplier",
         "neither an ISO3 country code"),
        ({"duration": {"distribution": "weibull"}}, "disruptions[0].duration.distribution",
         "'geometric' or 'fixed'"),
        ({"duration": {"months": 0.5}}, "disruptions[0].duration.months", "allowed: 1 to 600"),
        ({"duration": {"distribution": "fixed", "months": 2.5}}, "disruptions[0].duration",
         "whole number of months"),
        ({"probability": None}, "disruptions[0]", "give either 'probability'"),
        ({"onset_month": 3}, "disruptions[0]", "give either 'probability'"),
        ({"ramp_up_months": -1}, "disruptions[0].ramp_up_months", "allowed: 0 to 1200"),
        ({"probability": "high"}, "disruptions[0].probability", "valid number"),
        ({"suppliers": []}, "disruptions[0].suppliers", "at least 1 item"),
        ({"suppliers": [{"supplier": "CHN"}, {"supplier": "chn"}]}, "disruptions[0]",
         "listed twice: CHN"),
    ],
)  # fmt: skip
def test_bad_disruptions_name_the_field_and_what_is_allowed(change, field, says):
    disruption = {"name": "a", "suppliers": [{"supplier": "CHN"}], "probability": 0.1, **change}
    with pytest.raises(DataError) as err:
        parse_scenario({"name": "x", "disruptions": [disruption]}, file="bad.yaml")
    assert err.value.field == field
    assert says in str(err.value)
    assert "bad.yaml" in str(err.value)
    assert err.value.code == ErrorCode.INVALID_DATA and err.value.http_status == 422


@pytest.mark.parametrize(
    ("doc", "field", "says"),
    [
        ({"disruptions": []}, "name", "is required"),
        ({"name": "x", "disruptions": []}, "disruptions", "at least 1 item"),
        ({"name": "x", "disruptions": [], "shares": 1}, "disruptions", "shares: unknown field"),
        ({"name": "x", "disruptions": [{}], "demand_response": 1.5}, "disruptions[0].name",
         "demand_response: 1.5 is not allowed (allowed: 0 to 1)"),
        ([1, 2], None, "a scenario is a mapping with 'name' and 'disruptions'"),
    ],
)  # fmt: skip
def test_bad_documents_name_every_problem(doc, field, says):
    with pytest.raises(DataError) as err:
        parse_scenario(doc)
    assert err.value.field == field
    assert says in str(err.value)


def test_disruption_names_are_unique_and_items_known():
    d = {"name": "a", "suppliers": [{"supplier": "CHN"}], "probability": 0.1}
    with pytest.raises(DataError, match="used twice: a"):
        parse_scenario({"name": "x", "disruptions": [d, d]})
    sc = parse_scenario({"name": "x", "disruptions": [{**d, "items": ["gallium", "tin"]}]})
    with pytest.raises(DataError) as err:
        compile_scenario(sc, EXPOSURE)
    assert err.value.field == "disruptions[0].items" and "'tin'" in str(err.value)
    sc = parse_scenario({"name": "x", "disruptions": [d], "demand_response_by_item": {"tin": 0}})
    with pytest.raises(DataError) as err:
        compile_scenario(sc, EXPOSURE)
    assert err.value.field == "demand_response_by_item"
    with pytest.raises(DataError, match="allowed: 0 to 1") as err:
        compile_scenario(sc, {"gallium": {"CHN": 1.4}})


def test_yaml_syntax_errors_name_the_line():
    with pytest.raises(DataError) as err:
        scenario_from_text("name: x\n  bad: [", file="s.yaml")
    assert err.value.line == 2 and err.value.file == "s.yaml"


def test_json_schema_forbids_unknown_fields_and_describes_every_field():
    schema = scenario_json_schema()
    json.dumps(schema)  # serialisable
    assert schema["additionalProperties"] is False
    for name, model in schema["$defs"].items():
        assert model["additionalProperties"] is False, name
        for field, spec in model["properties"].items():
            assert spec.get("description"), f"{name}.{field}"
    prob = schema["$defs"]["Disruption"]["properties"]["probability"]
    bounds = {k: v for a in prob["anyOf"] for k, v in a.items()}
    assert bounds["minimum"] == 0 and bounds["maximum"] == 1


def test_top_suppliers_halted_has_one_disruption_per_distinct_top_supplier():
    sc = top_suppliers_halted(
        {"gallium": {"CHN": 0.8, "RUS": 0.1}, "germanium": {"CHN": 0.5}, "cobalt": {"COD": 0.7}}
    )
    assert isinstance(sc, Scenario)
    assert [d.suppliers[0].supplier for d in sc.disruptions] == ["CHN", "COD"]
    d = sc.disruptions[0]
    assert d.probability == DEFAULT_PROBABILITY
    assert d.duration.months == DEFAULT_DURATION_MONTHS and d.duration.distribution == "geometric"
    assert d.ramp_up_months == DEFAULT_RAMP_UP_MONTHS and d.suppliers[0].cut == 1.0
    # the CHN halt hits both items it supplies: a correlated disruption
    model = compile_scenario(sc, {"gallium": {"CHN": 0.8}, "germanium": {"CHN": 0.5}})
    np.testing.assert_allclose(model.loss[:, 0], [0.8, 0.5])
    # parameters pass through and are validated
    sc = top_suppliers_halted({"x": {"CHN": 1.0}}, probability=0.3, ramp_up_months=None)
    assert sc.disruptions[0].probability == 0.3 and sc.disruptions[0].ramp_up_months is None
    with pytest.raises(DataError, match="allowed: 0 to 1"):
        top_suppliers_halted({"x": {"CHN": 1.0}}, probability=2.0)
    with pytest.raises(DataError) as err:
        top_suppliers_halted({"x": {"CHN": 1.0}}, demand_response=2.0)
    assert err.value.field == "demand_response"
    with pytest.raises(UsageError):
        top_suppliers_halted({"x": {"CHN": 0.0}})
    # a group given by its members: every member cuts the same share
    sc = group_halted("mine", ["chn", "RUS"], cut=0.4)
    cuts = [(c.supplier, c.cut) for c in sc.disruptions[0].suppliers]
    assert cuts == [("CHN", 0.4), ("RUS", 0.4)]


def test_supply_model_checks_its_arrays():
    with pytest.raises(UsageError) as err:
        SupplyModel.single([0.5, 1.2])
    assert err.value.field == "loss"
    with pytest.raises(UsageError) as err:
        SupplyModel.single([0.5], duration=0.5)
    assert err.value.field == "duration"
    good = SupplyModel.single([0.5])
    with pytest.raises(UsageError) as err:
        good.replace(demand_response=np.array([0.1, 0.2]))
    assert err.value.field == "demand_response"


@pytest.mark.parametrize(
    ("release", "field", "says"),
    [
        ({"trigger": 1.0}, "release.trigger", "allowed: 0 to below 1"),
        ({"trigger": -0.1}, "release.trigger", "allowed: 0 to below 1"),
        ({"rate": 0}, "release.rate", "above 0"),
        ({"when": "always"}, "release.when", "unknown field (allowed: trigger, rate)"),
    ],
)
def test_the_release_rule_is_validated(release, field, says):
    d = {"name": "a", "suppliers": [{"supplier": "CHN"}], "probability": 0.1}
    ok = parse_scenario({"name": "x", "disruptions": [d], "release": {"trigger": 0.2}})
    assert ok.release.trigger == 0.2 and ok.release.rate is None
    assert parse_scenario({"name": "x", "disruptions": [d]}).release.trigger == 0.0
    with pytest.raises(DataError) as err:
        parse_scenario({"name": "x", "disruptions": [d], "release": release})
    assert err.value.field == field, str(err.value)
    assert says in str(err.value)
