"""The speelveldtoets cost stack (issue 18, item 4) computed by hand: bands, the yearly
prices from semesters and months, the stack per country, the indirect cost compensation and
the gaps decomposed by component."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ketenradar.modules.industry.analysis.cost_stack import (
    COMPONENTS,
    Adjustment,
    IkcParameters,
    Profile,
    band_of,
    commodity_per_year,
    cost_stack,
    gaps,
    ikc_per_mwh,
    retail_per_year,
)


def test_bands_follow_eurostat() -> None:
    assert band_of(499.9) == "IB"
    assert band_of(500) == "IC"
    assert band_of(1_999) == "IC"
    assert band_of(2_000) == "ID"
    assert band_of(149_999) == "IF"
    assert band_of(150_000) == "IG"
    assert band_of(5_000_000) == "IG"


def _prices() -> pd.DataFrame:
    rows = []
    # NL band ID 2023: X_TAX 0.15 and 0.13 (mean 0.14 EUR/kWh = 140 EUR/MWh), X_VAT 0.18 and
    # 0.16 (mean 170); DE: X_TAX 0.12, 0.12; X_VAT 0.20, 0.22 (p flag on one)
    for geo, tax, s1, s2, f2 in (
        ("NL", "X_TAX", 0.15, 0.13, None),
        ("NL", "X_VAT", 0.18, 0.16, None),
        ("DE", "X_TAX", 0.12, 0.12, None),
        ("DE", "X_VAT", 0.20, 0.22, "p"),
    ):
        rows.append((geo, "ID", tax, "EUR", 2023, 1, s1, None))
        rows.append((geo, "ID", tax, "EUR", 2023, 2, s2, f2))
        rows.append((geo, "ID", tax, "NAC", 2023, 1, 9.0, None))  # EUR given: NAC ignored
    rows.append(("NL", "IG", "X_TAX", "EUR", 2023, 1, 0.01, None))  # other band: ignored
    # band IE in national currency only: euros for a euro member, ignored for Poland (PLN)
    for geo in ("NL", "PL"):
        for tax, v in (("X_TAX", 0.10), ("X_VAT", 0.11)):
            rows += [(geo, "IE", tax, "NAC", 2023, s, v, None) for s in (1, 2)]
    # 2024: one semester only for NL -> no yearly price
    rows.append(("NL", "ID", "X_TAX", "EUR", 2024, 1, 0.10, None))
    rows.append(("NL", "ID", "X_VAT", "EUR", 2024, 1, 0.12, None))
    cols = ["geo", "band", "tax", "currency", "year", "semester", "eur_per_kwh", "flag"]
    return pd.DataFrame(rows, columns=cols)


def test_the_year_is_the_mean_of_both_semesters_in_euros() -> None:
    r = retail_per_year(_prices(), "ID").set_index(["geo", "year"])
    assert r.loc[("NL", 2023), "x_tax_eur_mwh"] == pytest.approx(140.0)
    assert r.loc[("NL", 2023), "x_vat_eur_mwh"] == pytest.approx(170.0)
    assert r.loc[("DE", 2023), "x_vat_eur_mwh"] == pytest.approx(210.0)
    assert r.loc[("DE", 2023), "eurostat_flags"] == "p"
    assert ("NL", 2024) not in r.index  # one semester is not a year
    ie = retail_per_year(_prices(), "IE").set_index(["geo", "year"])
    assert ie.index.tolist() == [("NL", 2023)]
    assert ie.loc[("NL", 2023), "x_vat_eur_mwh"] == pytest.approx(110.0)


def test_a_newer_release_in_national_currency_supersedes_an_older_eur_row() -> None:
    """A euro member's NAC value is its EUR value: where an older file gives EUR and a newer
    one NAC for the same half-year, the newer is used (Eurostat's revision of the Dutch band
    IC from 2017); without the files' order, or when the EUR row is the newer, the EUR row."""
    cols = ["geo", "band", "tax", "currency", "year", "semester", "eur_per_kwh", "flag"]
    rows = []
    for s in (1, 2):
        rows.append(("NL", "IC", "X_TAX", "EUR", 2024, s, 0.10, None, "old.xlsx"))
        rows.append(("NL", "IC", "X_VAT", "EUR", 2024, s, 0.197, None, "old.xlsx"))
        rows.append(("NL", "IC", "X_VAT", "NAC", 2024, s, 0.210, None, "new.tsv"))
    prices = pd.DataFrame(rows, columns=[*cols, "source"])
    newest = retail_per_year(prices, "IC", ["new.tsv", "old.xlsx"]).iloc[0]
    assert newest["x_vat_eur_mwh"] == pytest.approx(210.0)
    assert newest["x_tax_eur_mwh"] == pytest.approx(100.0)  # only the export has it
    assert retail_per_year(prices, "IC").iloc[0]["x_vat_eur_mwh"] == pytest.approx(197.0)
    older = retail_per_year(prices, "IC", ["old.xlsx", "new.tsv"]).iloc[0]
    assert older["x_vat_eur_mwh"] == pytest.approx(197.0)


def _wholesale() -> pd.DataFrame:
    months = pd.date_range("2023-01-01", periods=12, freq="MS")
    nl = [100.0] * 6 + [80.0] * 6  # mean 90
    de = [95.0] * 12
    rows = [("NLD", m, v) for m, v in zip(months, nl, strict=True)]
    rows += [("DEU", m, v) for m, v in zip(months, de, strict=True)]
    rows += [("NLD", pd.Timestamp("2024-01-01"), 70.0)]  # one month: no 2024 average
    return pd.DataFrame(rows, columns=["country", "month", "eur_per_mwh"])


def test_the_commodity_is_the_mean_of_twelve_monthly_averages() -> None:
    c = commodity_per_year(_wholesale()).set_index(["country", "year"])["commodity_eur_mwh"]
    assert c[("NLD", 2023)] == pytest.approx(90.0)
    assert c[("DEU", 2023)] == pytest.approx(95.0)
    assert ("NLD", 2024) not in c.index


def test_the_indirect_cost_compensation_by_hand() -> None:
    p = IkcParameters(aid_intensity=0.75, co2_price_eur_t=80.0, emission_factor_t_mwh=0.7)
    eligible = Profile(50_000, 0.9, ikc_eligible=True, eligible_share=0.5)
    # 0.75 x 80 x 0.7 x 0.8 x 0.5 = 16.8 EUR per MWh consumed
    assert ikc_per_mwh(eligible, p) == pytest.approx(16.8)
    assert ikc_per_mwh(Profile(50_000, 0.9), p) == 0.0


def test_the_stack_and_its_gaps_by_hand() -> None:
    profile = Profile(
        10_000,
        0.95,
        ikc_eligible=True,
        adjustments=(
            Adjustment("baseload network reduction", "DE", -5.0, "test", min_full_load_hours=7000),
            Adjustment("too big", "DE", -99.0, "test", min_consumption_mwh=1e9),
        ),
    )
    assert profile.band == "ID" and profile.full_load_hours == pytest.approx(8322.0)
    ikc = {("DE", 2023): IkcParameters(0.75, 80.0, 0.7)}  # NL without parameters: no aid
    stack = cost_stack(
        profile,
        retail_per_year(_prices(), "ID"),
        commodity_per_year(_wholesale()),
        {"NL": "NLD", "DE": "DEU"},
        [2023, 2024],
        ikc,
    ).set_index(["country", "year"])
    nl = stack.loc[("NL", 2023)]
    # NL: commodity 90; supply/network/other 140 - 90 = 50; taxes 170 - 140 = 30; total 170
    assert (nl["commodity_eur_mwh"], nl["supply_network_other_eur_mwh"]) == (90.0, 50.0)
    assert nl["taxes_levies_eur_mwh"] == pytest.approx(30.0)
    assert nl["ikc_eur_mwh"] == 0.0 and nl["total_eur_mwh"] == pytest.approx(170.0)
    assert nl["total_eur_year"] == pytest.approx(1_700_000.0)
    de = stack.loc[("DE", 2023)]
    # DE: 95 + (120 - 95) + (210 - 120) - 5 - 0.75 x 80 x 0.7 x 0.8 (33.6) = 171.4
    assert de["adjustments_eur_mwh"] == -5.0
    assert de["ikc_eur_mwh"] == pytest.approx(-33.6)
    assert de["total_eur_mwh"] == pytest.approx(171.4)
    assert de["eurostat_flags"] == "p"
    # 2024: NL has no yearly price: the components and the total are missing, not zero
    assert math.isnan(stack.loc[("NL", 2024), "total_eur_mwh"])
    g = gaps(stack.reset_index()).set_index(["year", "country", "component"])["gap_eur_mwh"]
    assert g[(2023, "DE", "total_eur_mwh")] == pytest.approx(170.0 - 171.4)
    assert g[(2023, "DE", "taxes_levies_eur_mwh")] == pytest.approx(30.0 - 90.0)
    assert g[(2023, "DE", "ikc_eur_mwh")] == pytest.approx(33.6)
    parts = sum(g[(2023, "DE", c)] for c in COMPONENTS)
    assert parts == pytest.approx(g[(2023, "DE", "total_eur_mwh")])


def test_a_scenario_by_hand() -> None:
    """An extension of the compensation to the profile in DE from 2023, a changed aid
    intensity, and a support budget spread over an eligible consumption."""
    from ketenradar.modules.industry.analysis.cost_stack import ScenarioChange, apply_scenario

    profile = Profile(10_000, 0.95)  # not eligible by itself
    base_ikc = {("DE", 2023): IkcParameters(0.75, 80.0, 0.7), ("NL", 2023): IkcParameters(
        0.75, 80.0, 0.7)}  # fmt: skip
    changes = [
        ScenarioChange("DE", 2023, 2030, eligible=True),
        ScenarioChange("NL", 2023, 2030, eligible=True, aid_intensity=0.5),
        # EUR 1 bn over 20 TWh: EUR 50 per MWh, where eligible
        ScenarioChange("NL", 2023, 2030, support_eur_per_year=1e9, eligible_consumption_mwh=2e7),
    ]
    prof, ikc, eligible = apply_scenario(
        profile, base_ikc, changes, ["NL", "DE"], [2023], {2023: 80.0}
    )
    assert eligible == {("NL", 2023): True, ("DE", 2023): True}
    assert ikc[("NL", 2023)].aid_intensity == 0.5 and ikc[("DE", 2023)].aid_intensity == 0.75
    stack = cost_stack(
        prof,
        retail_per_year(_prices(), "ID"),
        commodity_per_year(_wholesale()),
        {"NL": "NLD", "DE": "DEU"},
        [2023],
        ikc,
        eligible,
    ).set_index("country")
    # NL: 170 - 0.5 x 80 x 0.7 x 0.8 (22.4) - 50 = 97.6; DE: 210 - 33.6 = 176.4
    assert stack.loc["NL", "ikc_eur_mwh"] == pytest.approx(-22.4)
    assert stack.loc["NL", "adjustments_eur_mwh"] == pytest.approx(-50.0)
    assert stack.loc["NL", "total_eur_mwh"] == pytest.approx(97.6)
    assert stack.loc["DE", "total_eur_mwh"] == pytest.approx(176.4)
    # without the scenario the profile gets nothing
    plain = cost_stack(
        profile,
        retail_per_year(_prices(), "ID"),
        commodity_per_year(_wholesale()),
        {"NL": "NLD", "DE": "DEU"},
        [2023],
        base_ikc,
    ).set_index("country")
    assert plain.loc["NL", "total_eur_mwh"] == pytest.approx(170.0)


def test_an_adjustment_for_one_connection_level() -> None:
    """A reduction for transmission-connected consumers only: a distribution profile and a
    profile without a level do not get it."""
    cut = Adjustment("network reduction", "NL", -7.5, "test", connection="transmission")
    for connection, expected in (("transmission", -7.5), ("distribution", 0.0), (None, 0.0)):
        prof = Profile(10_000, 0.9, adjustments=(cut,), connection=connection)
        stack = cost_stack(
            prof,
            retail_per_year(_prices(), "ID"),
            commodity_per_year(_wholesale()),
            {"NL": "NLD"},
            [2023],
        )
        assert stack["adjustments_eur_mwh"].iat[0] == expected
