"""Programme scenarios of the kansenkaart: valid documents parse, bad ones fail with the
field named; the packaged example scenarios and taxonomy are valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketenradar.core.errors import DataError
from ketenradar.modules.kansenkaart.analysis.demand import resolve_units
from ketenradar.modules.kansenkaart.analysis.scenario import (
    DESIGN_IDS,
    parse_programme,
    programme_from_text,
    programme_json_schema,
)
from ketenradar.modules.kansenkaart.references import DESIGNS, factors, load_taxonomy

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "kansenkaart"
UNIT = {"design": "timcat_pwr12_me", "mwe": 1144, "first_concrete_year": 2031}


def _bad(doc: object) -> DataError:
    with pytest.raises(DataError) as e:
        parse_programme(doc)
    return e.value


@pytest.mark.parametrize(
    ("doc", "field", "words"),
    [
        ({"units": [UNIT]}, "name", "required"),
        ({"name": "x", "units": []}, "units", "at least 1"),
        ({"name": "x", "units": [{**UNIT, "mwe": -5}]}, "units[0].mwe", "greater than 0"),
        ({"name": "x", "units": [{**UNIT, "design": "epr"}]}, "units[0]", "unknown design"),
        ({"name": "x", "units": [UNIT, {**UNIT, "colour": 1}]}, "units[1].colour", "allowed"),
        ({"name": "x", "learning_rate": 1.2, "units": [UNIT]}, "learning_rate", "less than 1"),
        (
            {"name": "x", "units": [{**UNIT, "commercial_operation_year": 2038}]},
            "units[0]",
            "exactly one",
        ),
        (
            {"name": "x", "units": [{**UNIT, "construction_months": 5}]},
            "units[0].construction_months",
            "12",
        ),
        ({"name": "x", "units": [UNIT], "extra": 1}, "extra", "unknown field"),
        ([UNIT], "programme", "mapping"),
    ],
)
def test_bad_programmes_name_the_field(doc, field, words):
    err = _bad(doc)
    assert err.field == field
    assert words in str(err)


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(DataError) as e:
        programme_from_text("name: x\nunits: [\n", file="p.yaml")
    assert "p.yaml" in str(e.value)


def test_units_resolve_order_and_start():
    prog = parse_programme(
        {
            "name": "x",
            "units": [
                UNIT,
                {"design": "timcat_pwr12_me", "commercial_operation_year": 2040},
                {"design": "eedb_pwr12_be", "first_concrete_year": 2032, "order": 3},
            ],
        }
    )

    class Ref:
        def __init__(self, mwe: float, months: int) -> None:
            self.reference_mwe, self.construction_months = mwe, months

    plans = resolve_units(prog, {"timcat_pwr12_me": Ref(1144, 72), "eedb_pwr12_be": Ref(1144, 72)})
    assert [p.order for p in plans] == [1, 2, 3]
    assert plans[1].mwe == 1144 and plans[1].first_concrete_month == 2040 * 12 - 72
    assert plans[0].first_concrete_month == 2031 * 12


def test_examples_taxonomy_and_factors_are_valid():
    files = sorted(EXAMPLES.glob("*.yaml"))
    designs = set()
    for f in files:
        prog = programme_from_text(f.read_text(encoding="utf-8"), file=str(f))
        designs |= {u.design for u in prog.units}
    assert designs == set(DESIGN_IDS) == set(DESIGNS)
    for d in DESIGN_IDS:  # each design's reference scenario at its own size
        ref = programme_from_text((EXAMPLES / f"{d}.yaml").read_text(encoding="utf-8"))
        assert ref.units[0].mwe == DESIGNS[d]["reference_mwe"] and ref.learning_rate == 0
    tax = load_taxonomy()
    assert {"civil_structures", "pumps", "valves", "piping", "turbine_island"} <= set(
        tax.work_packages
    )
    fac = factors()
    assert set(fac.deflator) == set(fac.usd_per_eur) and fac.verified["deflator"] is False
    assert "units" in programme_json_schema()["properties"]


def test_every_work_package_and_column_has_an_english_and_dutch_label():
    from ketenradar.modules.kansenkaart.facts import COLUMNS

    msgs = Path(__file__).resolve().parents[2] / "src/ketenradar/modules/kansenkaart/messages"
    keys = [spec["label"] for spec in load_taxonomy().work_packages.values()]
    keys += [c.label for c in COLUMNS.values()] + ["module_kansenkaart"]
    for lang in ("en", "nl"):
        text = (msgs / f"{lang}.po").read_text(encoding="utf-8")
        missing = [k for k in keys if f'msgid "{k}"\nmsgstr "' not in text]
        assert missing == [], f"{lang}.po lacks {missing}"
