"""Real data: the speelveldtoets cost stack on the real Eurostat nrg_pc_205 files and Ember's
monthly wholesale prices (``../shared/data/electricity_prices_eurostat``, ``…/ember``): the
components equal the source values computed independently from the files, the gaps add up,
and a missing price stays missing.

Reads ``$KETENRADAR_SHARED_DATA``; skips when it is missing, except under CI, where it fails.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from conftest import require_shared

from ketenradar import api
from ketenradar.core.errors import UsageError
from ketenradar.modules.industry.analysis.cost_stack import COMPONENTS
from ketenradar.modules.industry.api import costs

pytestmark = pytest.mark.realdata

TSV = "nrg_pc_205_NL_DE_FR_BE_bands_IC_ID_IE_IF_IG_X_TAX_X_VAT_DERIVED.tsv"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("costs") / "store"
    api.add_dataset(
        "eurostat_prices", [require_shared("electricity_prices_eurostat")], data_dir=data
    )
    api.add_dataset("ember", [require_shared("ember")], data_dir=data)
    return data


def _tsv(band_code: str, tax: str, geo: str, year: int) -> float:
    """The mean of the two semesters of one TSV row, read here with the csv module."""
    path = require_shared(f"electricity_prices_eurostat/bands_IC_IG_2007_2025/{TSV}")
    with path.open(encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    head = [h.strip() for h in rows[0]]
    for r in rows[1:]:
        dims = r[0].split(",")
        if dims[2] == band_code and dims[4] == tax and dims[6] == geo:
            cells = [r[head.index(f"{year}-S{s}")].strip().split()[0] for s in (1, 2)]
            return sum(float(c) for c in cells) / 2 * 1000
    raise AssertionError(f"no row {band_code} {tax} {geo}")


def _ember(iso3: str, year: int) -> float:
    path = require_shared("ember/european_wholesale_electricity_price_data_monthly.csv")
    with path.open(encoding="utf-8") as f:
        vals = [
            float(r["Price (EUR/MWhe)"])
            for r in csv.DictReader(f)
            if r["ISO3 Code"] == iso3 and r["Date"].startswith(str(year))
        ]
    assert len(vals) == 12
    return sum(vals) / 12


def test_the_stack_of_a_large_consumer_equals_the_sources(store: Path) -> None:
    # 200 GWh a year: band IG (150,000 MWh or more)
    r = costs({"consumption_mwh": 200_000, "load_factor": 0.9}, data_dir=store)
    c = r.tables["costs"].set_index(["country", "year"])
    for geo, iso3 in (("NL", "NLD"), ("DE", "DEU"), ("FR", "FRA"), ("BE", "BEL")):
        row = c.loc[(geo, 2024)]
        x_tax = _tsv("MWH_GE150000", "X_TAX", geo, 2024)
        x_vat = _tsv("MWH_GE150000", "X_VAT", geo, 2024)
        assert row["band"] == "IG"
        assert row["commodity_eur_mwh"] == pytest.approx(_ember(iso3, 2024))
        assert row["commodity_eur_mwh"] + row["supply_network_other_eur_mwh"] == pytest.approx(
            x_tax
        )
        assert row["taxes_levies_eur_mwh"] == pytest.approx(x_vat - x_tax)
        assert row["total_eur_mwh"] == pytest.approx(x_vat)  # no adjustments, no aid
        assert row["total_eur_year"] == pytest.approx(x_vat * 200_000)
    # the newest half-year, 2025-S2, is in the mean (the README: NL 0.0951 EUR/kWh)
    nl_2025 = _tsv("MWH_GE150000", "X_VAT", "NL", 2025)
    assert c.loc[("NL", 2025), "total_eur_mwh"] == pytest.approx(nl_2025)
    # Germany's band IG starts in 2019-S2: no 2019 price, no total, said in the notes
    assert math.isnan(c.loc[("DE", 2019), "total_eur_mwh"])
    assert any("DE 2019" in n for n in r.provenance.notes)
    g = r.tables["gaps"].set_index(["year", "country", "component"])["gap_eur_mwh"]
    for geo in ("DE", "FR", "BE"):
        parts = sum(g[(2024, geo, comp)] for comp in COMPONENTS)
        assert parts == pytest.approx(g[(2024, geo, "total_eur_mwh")])


def test_a_mid_size_consumer_in_national_currency_rows_and_the_compensation(store: Path) -> None:
    # 50 GWh: band IE, whose rows the TSV gives in national currency (the euro for all four)
    r = costs(
        {"consumption_mwh": 50_000, "load_factor": 0.8, "ikc_eligible": True,
         "co2_price_eur_t": {2024: 80.0}},
        data_dir=store,
    )  # fmt: skip
    c = r.tables["costs"].set_index(["country", "year"])
    assert c.loc[("NL", 2024), "band"] == "IE"
    assert c.loc[("NL", 2023), "ikc_eur_mwh"] == 0.0  # no CO2 price given for 2023
    # 0.75 x 80 x 0.72 x 0.8 = 34.56 EUR/MWh in every country with a scheme
    assert c.loc[("NL", 2024), "ikc_eur_mwh"] == pytest.approx(-34.56)
    x_vat = _tsv("MWH20000-69999", "X_VAT", "NL", 2024)
    assert c.loc[("NL", 2024), "total_eur_mwh"] == pytest.approx(x_vat - 34.56)


def test_the_shipped_scenarios_on_held_prices(store: Path) -> None:
    """The examples of letter 002, on the 2025 prices held constant to 2030."""
    examples = Path(__file__).parents[2] / "examples" / "industry"
    base = {"consumption_mwh": 200_000, "load_factor": 0.9, "co2_price_eur_t": 80.0,
            "first_year": 2025, "last_year": 2030, "hold_prices_after": 2025}  # fmt: skip
    nl_2025 = _tsv("MWH_GE150000", "X_VAT", "NL", 2025)
    r = costs(base, scenario=examples / "ikc_extension_nl.yaml", data_dir=store)
    e = r.tables["scenario_effect"].set_index(["country", "year"])
    assert e.loc[("NL", 2025), "scenario_change_eur_mwh"] == 0.0  # before the extension
    # from 2026: 0.75 x 80 x 0.72 x 0.8 = 34.56 EUR/MWh less, on the 2025 prices
    assert e.loc[("NL", 2030), "total_eur_mwh"] == pytest.approx(nl_2025)
    assert e.loc[("NL", 2026), "scenario_change_eur_mwh"] == pytest.approx(-34.56)
    assert e.loc[("NL", 2026), "scenario_change_eur_year"] == pytest.approx(-34.56 * 200_000)
    assert e.loc[("DE", 2026), "scenario_change_eur_mwh"] == 0.0  # only the Netherlands
    assert any("held constant" in n for n in r.provenance.notes)
    r = costs(base, scenario=examples / "support_budget_1bn.yaml", data_dir=store)
    e = r.tables["scenario_effect"].set_index(["country", "year"])
    # from 2029: EUR 1 bn over 20 TWh = 50 EUR/MWh, and the compensation (eligible)
    assert e.loc[("NL", 2028), "scenario_change_eur_mwh"] == 0.0
    assert e.loc[("NL", 2029), "scenario_change_eur_mwh"] == pytest.approx(-84.56)


def test_the_html_report_is_self_contained(store: Path, tmp_path: Path) -> None:
    """`industry costs --format html`: the stack of the latest complete year, chart and table,
    the costs per year, the notes and the provenance, with plotly.js inline (no other host)."""
    import re

    from typer.testing import CliRunner

    from ketenradar.interfaces.cli.app import app

    out = tmp_path / "it's a report.html"
    args = ["industry", "costs", "--consumption-mwh", "200000", "--load-factor", "0.9"]
    args += ["--data-dir", str(store)]
    r = CliRunner().invoke(app, [*args, "--format", "html", "--output", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "The cost stack in 2025" in text and "Plotly" in text
    nl = f"{_tsv('MWH_GE150000', 'X_VAT', 'NL', 2025):,.1f}"
    assert f"<td>{nl}</td>" in text  # the Dutch total of 2025 in the table
    assert "Eurostat release" in text and "sha256" in text.lower()
    assert not re.search(r'<script[^>]+src="https?://', text)  # nothing loaded from elsewhere
    r = CliRunner().invoke(
        app, [*args, "--table", "gaps", "--format", "html", "--output", str(out)]
    )
    assert r.exit_code == 2 and "no HTML report" in r.output


XLSX = "EUROSTAT_nrg_pc_205__custom_17738899_spreadsheet.xlsx"


def test_the_newest_release_and_an_older_vintage(store: Path) -> None:
    """Band IC, the Netherlands: the newest release (the TSV, in NAC) revised the prices
    excluding VAT from 2017 on; the stack uses them, not the older export's EUR rows (the
    values read here from the TSV with the csv module). ``vintage`` gives the export's stack,
    as it was published; Germany is the same in both."""
    profile = {"consumption_mwh": 1000, "load_factor": 0.8, "first_year": 2017, "last_year": 2024}
    new = costs(profile, data_dir=store).frame("costs").set_index(["country", "year"])
    old = costs(profile, vintage=XLSX, data_dir=store).frame("costs").set_index(["country", "year"])
    for year in range(2017, 2025):
        x_vat = _tsv("MWH500-1999", "X_VAT", "NL", year)
        assert new.loc[("NL", year), "total_eur_mwh"] == pytest.approx(x_vat, abs=1e-9)
        assert old.loc[("NL", year), "total_eur_mwh"] < x_vat - 2.0  # revised upwards
        de = ("DE", year)
        assert new.loc[de, "total_eur_mwh"] == pytest.approx(old.loc[de, "total_eur_mwh"])
    assert round(new.loc[("NL", 2024), "total_eur_mwh"], 1) == 210.4
    assert round(old.loc[("NL", 2024), "total_eur_mwh"], 2) == 197.65
    r = costs(profile, vintage=XLSX, data_dir=store)
    assert any(XLSX in n and "one vintage only" in n for n in r.provenance.notes)
    with pytest.raises(UsageError, match="no vintage 'nope'") as exc:
        costs(profile, vintage="nope", data_dir=store)
    assert TSV in str(exc.value) and exc.value.field == "vintage"
