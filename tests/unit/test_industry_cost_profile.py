"""The speelveldtoets documents (issue 18, items 4 and 8): a consumer profile with impossible
values is refused with the field and the reason; the shipped compensation parameters and
the adjustments table read with their sources; bad tables are refused naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketenradar.core.errors import DataError
from ketenradar.modules.industry.cost_profile import (
    ADJUSTMENTS,
    IKC,
    check_profile,
    ikc_parameters,
    load_adjustments,
    load_ikc,
    load_profile,
)

OK = {"consumption_mwh": 50_000, "load_factor": 0.8}


@pytest.mark.parametrize(
    ("change", "field", "needle"),
    [
        ({"consumption_mwh": -5}, "consumption_mwh", "greater than 0"),
        ({"consumption_mwh": 0}, "consumption_mwh", "greater than 0"),
        ({"consumption_mwh": 1e12}, "consumption_mwh", "less than or equal to 100000000"),
        ({"load_factor": 1.3}, "load_factor", "less than or equal to 1"),
        ({"load_factor": 0}, "load_factor", "greater than 0"),
        ({"load_factor": float("nan")}, "load_factor", "finite number"),
        ({"eligible_share": 2}, "eligible_share", "less than or equal to 1"),
        ({"ikc_eligible": True}, "document", "ikc_eligible needs co2_price_eur_t"),
        ({"co2_price_eur_t": -3}, "document", "a price from 0 to 1,000 EUR/t"),
        ({"co2_price_eur_t": {2023: 5000}}, "document", "a price from 0 to 1,000 EUR/t"),
        ({"first_year": 2025, "last_year": 2019}, "document", "last_year 2019 is before"),
        ({"countries": ["NL", "nl"]}, "document", "'nl' is not a two-letter Eurostat code"),
        ({"countries": ["NL", "NL"]}, "document", "a country is listed twice"),
        ({"countries": ["DE", "FR"]}, "document", "reference NL is not among the countries"),
        ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
        ({"connection": "medium"}, "connection", "'transmission' or 'distribution'"),
    ],
)
def test_an_impossible_profile_is_refused_with_the_reason(change, field, needle) -> None:
    with pytest.raises(DataError) as e:
        check_profile({**OK, **change})
    assert e.value.field == field and needle in str(e.value), str(e.value)


def test_a_profile_document_and_its_defaults(tmp_path: Path) -> None:
    f = tmp_path / 'a "profile" file.yaml'
    f.write_text(
        "name: steel\nconsumption_mwh: 200000\nload_factor: 0.9\nikc_eligible: true\n"
        "co2_price_eur_t: {2022: 53.5, 2023: 80.0}\n",
        encoding="utf-8",
    )
    p = load_profile(f)
    assert p.countries == ["NL", "DE", "FR", "BE"] and (p.first_year, p.last_year) == (2019, 2025)
    assert p.co2_price(2023) == 80.0 and p.co2_price(2019) is None
    prof = p.profile([])
    assert prof.band == "IG" and prof.full_load_hours == pytest.approx(7884.0)
    assert prof.peak_mw == pytest.approx(200_000 / 7884.0)
    f.write_text("consumption_mwh: 5\nload_factor: 3\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        load_profile(f)
    assert e.value.file == str(f) and e.value.field == "load_factor"


def test_the_shipped_compensation_parameters() -> None:
    table, notes, file = load_ikc()
    assert file == str(IKC)
    assert table[("DE", 2023)][:2] == (0.75, 0.72) and table[("DE", 2020)][:2] == (0.75, 0.76)
    assert "Strompreiskompensation" in table[("DE", 2023)][2]
    assert {c for c, _ in table} == {"NL", "DE", "FR", "BE"}
    assert "the project assumes" in notes["NL"]
    p = check_profile({**OK, "ikc_eligible": True, "co2_price_eur_t": {2023: 80.0}})
    params = ikc_parameters(table, p)
    assert set(params) == {("NL", 2023), ("DE", 2023), ("FR", 2023), ("BE", 2023)}
    assert params[("NL", 2023)].co2_price_eur_t == 80.0


def test_the_shipped_adjustments_are_empty_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    assert load_adjustments() == ([], str(ADJUSTMENTS))
    f = tmp_path / "adj.yaml"
    f.write_text(
        "adjustments:\n  - {name: x, country: DE, eur_mwh: -5, source: s,"
        " min_full_load_hours: 9000}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as e:
        load_adjustments(f)
    assert e.value.field == "adjustments[0].min_full_load_hours"
    f.write_text("adjustments:\n  - {name: x, country: DE, eur_mwh: -5}\n", encoding="utf-8")
    with pytest.raises(DataError, match="Field required") as e:
        load_adjustments(f)
    assert e.value.field == "adjustments[0].source"


def test_overlapping_compensation_periods_are_refused(tmp_path: Path) -> None:
    f = tmp_path / "ikc.yaml"
    f.write_text(
        "schemes:\n  - country: NL\n    scheme: X\n    source: S\n    periods:\n"
        "      - {first_year: 2020, last_year: 2022, aid_intensity: 0.75,"
        " emission_factor_t_mwh: 0.7}\n"
        "      - {first_year: 2022, last_year: 2025, aid_intensity: 0.75,"
        " emission_factor_t_mwh: 0.7}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="NL 2022 is in two periods") as e:
        load_ikc(f)
    assert e.value.field == "schemes[0].periods[1]"


def test_a_scenario_document_and_its_refusals(tmp_path: Path) -> None:
    from ketenradar.modules.industry.cost_profile import load_scenario

    ok = load_scenario(Path(__file__).parents[2] / "examples/industry/support_budget_1bn.yaml")
    (ch,) = ok.scenario_changes()
    assert (ch.country, ch.first_year, ch.support_eur_per_year) == ("NL", 2029, 1e9)
    f = tmp_path / "s.yaml"
    for body, field, needle in (
        ("changes: [{country: NL, first_year: 2026}]", "changes[0]", "a change needs one of"),
        ("changes: [{country: NL, first_year: 2026, support_eur_per_year: 5}]", "changes[0]",
         "needs eligible_consumption_mwh"),
        ("changes: [{country: NL, first_year: 2026, aid_intensity: 1.5}]",
         "changes[0].aid_intensity", "less than or equal to 1"),
        ("changes: [{country: NL, first_year: 2030, last_year: 2026, eligible: true}]",
         "changes[0]", "last_year 2026 is before first_year 2030"),
        ("changes: []", "changes", "at least 1 item"),
    ):  # fmt: skip
        f.write_text("name: s\n" + body + "\n", encoding="utf-8")
        with pytest.raises(DataError) as e:
            load_scenario(f)
        assert e.value.field == field and needle in str(e.value), str(e.value)
