"""Form advice (public / public-private / private): the packaged rule table on hand-computed
cases, overrides, the user's own rule file, bad rule files, inputs → factors, properties."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenradar.core.errors import DataError, UsageError
from ketenradar.modules.stockpile.analysis import form as pure
from ketenradar.modules.stockpile.candidates import Item, ItemInputs
from ketenradar.modules.stockpile.form import (
    FormFactors,
    advise,
    form_factors_from_inputs,
    load_rules,
    packaged_rules_path,
    rules_from_text,
)

COPPER = FormFactors(
    buyers=50, exchange_traded=True, storage="easy", uniform=True, certification=False
)
RADAR_PART = FormFactors(
    buyers=2,
    certification=True,
    commercial_stock_days=60,
    uniform=False,
    exchange_traded=False,
    storage="easy",
    shelf_life_years=math.inf,
)
MIDDLE = FormFactors(
    buyers=5,
    exchange_traded=False,
    uniform=True,
    storage="special",
    certification=False,
    commercial_stock_days=10,
    shelf_life_years=math.inf,
)


def ids(advice) -> list[str]:
    return [r.rule for r in advice.reasons]


def test_copper_like_item_gets_a_public_stock_with_its_reasons():
    a = advise(COPPER)
    assert a.form == "public"
    # many_buyers 2 + several_buyers 1 + exchange_traded 2 + uniform 2 + storage_easy 1
    assert a.scores == {"public": 8.0, "public_private": 1.0, "private": 0.0}
    assert ids(a) == [
        "many_buyers",
        "several_buyers",
        "exchange_traded",
        "uniform",
        "storage_easy",
        "unknown:commercial_stock_days",
        "unknown:shelf_life_years",
    ]
    first = a.reasons[0]
    assert first.favours == "public" and first.points == {"public": 2.0}
    assert first.factors == {"buyers": 50}
    assert first.text_en.startswith("50 buyers") and first.text_nl.startswith("50 afnemers")
    assert a.reasons[-1].text_en == "shelf life unknown: not counted"
    assert a.reasons[-1].text_nl == "houdbaarheid onbekend: niet meegeteld"
    assert a.reasons[-1].favours is None and a.reasons[-1].points == {}


def test_certified_radar_component_with_few_buyers_and_stocks_is_private():
    a = advise(RADAR_PART)
    assert a.form == "private"
    # few_buyers 2 + not_exchange_traded 1 + not_uniform 1 + certification 2 + stock ≥ 30 2
    assert a.scores == {"public": 1.0, "public_private": 2.0, "private": 8.0}
    assert set(ids(a)) == {
        "few_buyers",
        "not_exchange_traded",
        "not_uniform",
        "certification",
        "commercial_stock_large",
        "storage_easy",
    }
    assert "60 days" in next(r.text_en for r in a.reasons if r.rule == "commercial_stock_large")
    assert "60 dagen" in next(r.text_nl for r in a.reasons if r.rule == "commercial_stock_large")


def test_middle_case_is_public_private():
    a = advise(MIDDLE)
    assert a.form == "public_private"
    # several_buyers (1, 1), not_exchange_traded (0, 1, 1), uniform 2, stock 10 days (pp 1),
    # special storage (pp 1)
    assert a.scores == {"public": 3.0, "public_private": 4.0, "private": 1.0}
    assert not any(r.rule.startswith("unknown:") for r in a.reasons)


def test_nothing_known_says_so_for_every_factor_and_the_tie_goes_to_public_private():
    a = advise(FormFactors())
    assert a.form == "public_private"  # tie order: public_private, private, public
    assert a.scores == {"public": 0.0, "public_private": 0.0, "private": 0.0}
    assert sorted(ids(a)) == sorted(f"unknown:{k}" for k in FormFactors.model_fields)
    assert "number of buyers unknown: not counted" in a.reason_text()
    assert "aantal afnemers onbekend: niet meegeteld" in a.reason_text("nl")


def test_overriding_one_factor_flips_the_advice_and_the_reasons_show_why():
    part = FormFactors(
        buyers=3, exchange_traded=False, uniform=False, storage="easy", certification=False
    )
    before = advise(part)
    assert before.form == "private"
    assert before.scores == {"public": 1.0, "public_private": 2.0, "private": 4.0}
    after = advise(part, overrides={"buyers": 12})
    assert after.form == "public"
    assert after.scores == {"public": 4.0, "public_private": 3.0, "private": 2.0}
    assert "few_buyers" in ids(before) and "few_buyers" not in ids(after)
    assert {"many_buyers", "several_buyers"} <= set(ids(after))
    assert after.factors.buyers == 12 and after.overridden == ["buyers"]
    assert part.buyers == 3  # the input is untouched
    # and back: one buyer makes copper's public margin smaller but it stays public
    back = advise(COPPER, overrides={"buyers": 1})
    assert back.scores == {"public": 5.0, "public_private": 0.0, "private": 2.0}
    # an override to None makes a factor unknown
    assert "unknown:buyers" in ids(advise(COPPER, overrides={"buyers": None}))


def test_bad_overrides_name_the_field():
    with pytest.raises(UsageError) as e:
        advise(COPPER, overrides={"byers": 3})
    assert e.value.field == "overrides.byers" and "allowed: buyers" in str(e.value)
    with pytest.raises(UsageError) as e:
        advise(COPPER, overrides={"storage": "cold"})
    assert e.value.field == "overrides.storage"
    with pytest.raises(UsageError) as e:
        advise(COPPER, overrides={"buyers": 0})
    assert e.value.field == "overrides.buyers"


def test_an_edited_rule_file_changes_the_outcome(tmp_path: Path):
    doc = yaml.safe_load(packaged_rules_path().read_text(encoding="utf-8"))
    cert = next(r for r in doc["rules"] if r["id"] == "certification")
    cert["points"] = {"public": 20}  # a user who thinks the state should certify
    path = tmp_path / "my_rules.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    mine = load_rules(path)
    assert advise(RADAR_PART).form == "private"
    a = advise(RADAR_PART, mine)
    assert a.form == "public" and a.scores["public"] == 21.0
    # the tie order is editable too
    doc["tie_order"] = ["public", "private", "public_private"]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert advise(FormFactors(), load_rules(path)).form == "public"


GOOD_RULE = {
    "id": "many_buyers",
    "when": {"buyers": {"ge": 10}},
    "points": {"public": 2},
    "reason_en": "{buyers} buyers",
    "reason_nl": "{buyers} afnemers",
}


def bad_table(tmp_path: Path, **change) -> Path:
    rule = {**GOOD_RULE, "id": "second", **change}
    rule = {k: v for k, v in rule.items() if v is not None}
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({"rules": [GOOD_RULE, rule]}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"when": {"batch": 3}}, "rules[1].when.batch", "unknown factor 'batch'"),
        ({"reason_nl": None}, "rules[1].reason_nl", "is required"),
        ({"points": {"publik": 1}}, "rules[1].points.publik", "public"),
        ({"when": {"buyers": {"about": 3}}}, "rules[1].when", "unknown operator 'about'"),
        ({"when": {"storage": "cold"}}, "rules[1].when", "allowed: easy, special or hazardous"),
        ({"when": {"uniform": "yes"}}, "rules[1].when", "allowed: true or false"),
        ({"reason_en": "{uniform} x"}, "rules[1].reason_en", "placeholder {uniform}"),
        ({"reason_nl": "{buyers:.0f}"}, "rules[1].reason_nl", "without a format"),
        ({"id": "many_buyers"}, "rules", "used twice"),
        ({"colour": "red"}, "rules[1].colour", "unknown field"),
    ],
)
def test_a_bad_rule_file_names_the_rule_and_the_field(tmp_path, change, field, says):
    path = bad_table(tmp_path, **change)
    with pytest.raises(DataError) as e:
        load_rules(path)
    err = e.value
    assert err.field == field
    assert says in str(err)
    assert err.file == str(path)
    if field != "rules":
        assert err.node == f"rule {change.get('id', 'second')!r}"
        assert "rule 'second'" in str(err)


def test_other_bad_rule_documents(tmp_path):
    with pytest.raises(DataError, match="tie_order"):
        rules_from_text("tie_order: [public, public, private]\nrules: []\n")
    with pytest.raises(DataError, match="a mapping with 'rules'"):
        rules_from_text("- 1\n- 2\n")
    with pytest.raises(DataError) as e:
        rules_from_text("rules: [\n", file="x.yaml")
    assert e.value.line is not None
    with pytest.raises(DataError, match="no such form rule file"):
        load_rules(tmp_path / "missing.yaml")


def test_every_packaged_rule_has_both_texts_and_formats_them():
    table = load_rules()
    assert table is load_rules()  # read once
    assert len(table.rules) >= 10
    for rule in table.rules:
        assert rule.reason_en.strip() and rule.reason_nl.strip()
        assert rule.reason_en != rule.reason_nl
    # every factor is used by some rule, every form is favoured by some rule
    used = {k for r in table.rules for k in r.when}
    assert used == set(FormFactors.model_fields)
    assert {f for r in table.rules for f, p in r.points.items() if p > 0} == set(pure.FORMS)


def test_factors_from_item_inputs():
    copper, _ = ItemInputs().resolved(Item("copper", "material", "Copper"))
    f = form_factors_from_inputs(copper)
    # defaults that are knowledge of the item are used; constant defaults are unknown
    assert f == FormFactors(
        exchange_traded=True, storage="easy", uniform=True, shelf_life_years=math.inf
    )
    assert advise(f).form == "public"
    given_ = ItemInputs(
        n_buyers=2,
        certification_required=False,
        specificity="specific",
        commercial_stock_days=60,
        special_storage=True,
        exchange_traded=False,
        shelf_life_years=3,
    )
    f = form_factors_from_inputs(given_)
    assert f == FormFactors(
        buyers=2,
        exchange_traded=False,
        storage="special",
        shelf_life_years=3.0,
        certification=True,  # specific
        commercial_stock_days=60.0,
        uniform=False,
    )
    assert advise(f).form == "private"
    # a row of the candidates table: defaults_used says what the user did not set
    row = {
        "commercial_stock_days": 0.0,
        "shelf_life_years": float("nan"),
        "special_storage": False,
        "certification_required": False,
        "specificity": "graded",
        "n_buyers": float("nan"),
        "exchange_traded": False,
        "defaults_used": "commercial_stock_days;certification_required;n_buyers",
    }
    assert form_factors_from_inputs(row) == FormFactors(
        exchange_traded=False, storage="easy", shelf_life_years=math.inf, uniform=False
    )
    row["defaults_used"] = ""
    f = form_factors_from_inputs(row)
    assert f.commercial_stock_days == 0.0 and f.certification is False
    assert "commercial_stock_none" in ids(advise(f))
    with pytest.raises(UsageError):
        form_factors_from_inputs(3)


def test_the_analysis_is_pure_and_needs_its_rules():
    table = load_rules()
    assert pure.advise(COPPER, table) == advise(COPPER)


# --- properties -------------------------------------------------------------------------

maybe = st.none().__or__
factors = st.builds(
    FormFactors,
    buyers=maybe(st.integers(1, 500)),
    exchange_traded=maybe(st.booleans()),
    storage=maybe(st.sampled_from(["easy", "special", "hazardous"])),
    shelf_life_years=maybe(st.sampled_from([0.5, 2.0, 4.99, 5.0, 30.0, math.inf])),
    certification=maybe(st.booleans()),
    commercial_stock_days=maybe(st.sampled_from([0.0, 1.0, 29.9, 30.0, 90.0])),
    uniform=maybe(st.booleans()),
)


@settings(max_examples=300, deadline=None)
@given(factors)
def test_the_advice_is_a_deterministic_function_of_the_factors(f):
    table = load_rules()
    a = advise(f, table)
    assert advise(FormFactors.model_validate(f.model_dump()), table) == a
    assert a.factors == f
    # the advised form has the most points, and the scores are the sum of the counted rules
    assert a.scores[a.form] == max(a.scores.values())
    for form in pure.FORMS:
        assert a.scores[form] == sum(r.points.get(form, 0.0) for r in a.reasons)


@settings(max_examples=300, deadline=None)
@given(factors, st.integers(1, 200), st.integers(0, 300))
def test_more_buyers_never_move_a_uniform_exchange_traded_item_away_from_public(f, b, more):
    table = load_rules()
    base = f.model_copy(update={"uniform": True, "exchange_traded": True, "buyers": b})
    if advise(base, table).form == "public":
        assert advise(base, table, overrides={"buyers": b + more}).form == "public"


def test_the_data_defaults_alone_as_documented():
    copper, _ = ItemInputs().resolved(Item("copper", "material", "Copper"))
    assert advise(form_factors_from_inputs(copper)).scores == {
        "public": 5.0,
        "public_private": 0.0,
        "private": 0.0,
    }
    product, _ = ItemInputs().resolved(Item("854231", "product", "Processors"))
    a = advise(form_factors_from_inputs(product))
    assert a.scores == {"public": 1.0, "public_private": 2.0, "private": 2.0}
    assert a.form == "public_private"


def test_the_advice_round_trips_through_json():
    from ketenradar.modules.stockpile.form import FormAdvice

    a = advise(RADAR_PART)
    text = a.model_dump_json()
    assert '"shelf_life_years":"Infinity"' in text  # no limit survives JSON
    assert FormAdvice.model_validate_json(text) == a
