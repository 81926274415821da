"""The industry pages in a real browser, on a real server over a store holding the real EUTL
export, Eurostat's nrg_pc_205 and Ember's prices: the dashboard with its tables (clusters
adding up, targets with their status), the speelveldtoets calculator filled in and run, its
stacked chart drawn with one trace per component and the totals, Dutch labels on /nl/, and a
refused profile naming its field. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import shot
from conftest import ARTIFACTS, require_shared, running_server

from ketenradar import api as facade
from ketenradar.modules.industry.analysis.cost_stack import COMPONENTS


@pytest.fixture(scope="module")
def industry_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = tmp_path_factory.mktemp("industry-browser") / "store"
    facade.add_dataset("ets_eutl", [require_shared("ets_eutl")], data_dir=store)
    facade.add_dataset(
        "eurostat_prices", [require_shared("electricity_prices_eurostat")], data_dir=store
    )
    facade.add_dataset("ember", [require_shared("ember")], data_dir=store)
    with running_server(store, env={"KETENRADAR_SHARED_DATA": str(require_shared())}) as url:
        yield url


def test_the_dashboard(page, industry_url: str):
    page.goto(f"{industry_url}/en/industry")
    assert page.locator("#industry-totals tbody tr").count() == 21  # 2005-2025
    assert "68.5" in page.locator("#industry-nea").text_content()
    assert page.locator("#industry-clusters tbody tr").count() == 7  # five, cluster 6, not located
    status = page.locator("#industry-targets td[data-col=status]").all_text_contents()
    assert status == ["on track", "off track"]
    assert page.locator("#industry-instruments tbody tr").count() == 8
    assert page.locator("#industry-map circle").count() == 317  # an installation a point
    box = page.locator("#industry-map").bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200
    page.locator("#industry-map").screenshot(path=str(ARTIFACTS / "industry_map.png"))
    # Tata Steel IJmuiden, the largest point, lies on the west coast and its link opens its
    # page (by keyboard: smaller points lie on top of its centre)
    tata = page.locator('#industry-map circle[data-installation="NL_144"]').bounding_box()
    assert tata and box["x"] < tata["x"] < box["x"] + box["width"] / 2
    page.locator('#industry-map a[href="/en/industry/installations/NL_144"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/industry/installations/NL_144")
    assert "Tata Steel" in page.locator("main").text_content()
    # its holder links to the company page (KvK 34040331): two installations over the years
    page.locator('#industry-installation a[href="/en/industry/companies/34040331"]').click()
    page.wait_for_url("**/en/industry/companies/34040331")
    assert page.locator("#industry-company-installations tbody tr").count() == 2
    assert page.locator("#industry-company-years tbody tr").count() == 21
    shot(page, "industry_company_en")
    page.goto(f"{industry_url}/en/industry")
    shot(page, "industry_dashboard_en")
    page.goto(f"{industry_url}/nl/industry")
    status = page.locator("#industry-targets td[data-col=status]").all_text_contents()
    assert status == ["op koers", "niet op koers"]
    shot(page, "industry_dashboard_nl")
    assert not page.errors, page.errors
    assert not page.external, page.external


def test_the_calculator(page, industry_url: str):
    page.goto(f"{industry_url}/en/industry/costs")
    page.fill("#industry-costs-form input[name=consumption_mwh]", "200000")
    page.fill("#industry-costs-form input[name=load_factor]", "0.9")
    page.check("#industry-costs-form input[name=ikc]")
    page.fill("#industry-costs-form input[name=co2_price]", "80")
    page.fill("#industry-costs-form input[name=year]", "2024")
    page.click("#industry-costs-run")
    page.wait_for_selector("#industry-costs-chart[data-drawn]", timeout=60_000)
    assert "run=1" in page.url and "co2_price=80" in page.url
    chart = page.locator("#industry-costs-chart")
    assert chart.get_attribute("data-drawn") == str(len(COMPONENTS) + 1)  # + the totals
    assert page.locator("#industry-costs-chart .barlayer .trace").count() == len(COMPONENTS)
    assert chart.get_attribute("aria-describedby") == "industry-stack"
    assert page.locator("#industry-stack tbody tr").count() == 4
    assert "Eurostat band IG" in page.locator("#industry-stack-heading").text_content()
    shot(page, "industry_costs_en")
    # Dutch: the legend names the components in Dutch, the countries too
    page.goto(page.url.replace("/en/", "/nl/"))
    page.wait_for_selector("#industry-costs-chart[data-drawn]", timeout=60_000)
    legend = page.locator("#industry-costs-chart .legendtext").all_text_contents()
    assert "Belastingen en heffingen" in legend and "Indirecte kostencompensatie" in legend
    assert "Nederland" in page.locator("#industry-costs-chart .xtick").all_text_contents()
    shot(page, "industry_costs_nl")
    assert not page.errors, page.errors
    assert not page.external, page.external
    # an impossible load factor: the page again (status 422), the field named
    page.goto(f"{industry_url}/en/industry/costs?consumption_mwh=5000&load_factor=3&run=1")
    assert page.locator("#industry-errors li[data-field=load_factor]").count() == 1
