"""The world map of dependence and a country page in a real browser (Debian's Chromium):
the map draws from the vendored geometry, a click opens the country's page, nothing is
loaded from another host and the console stays clean."""

from __future__ import annotations

from browser_support import shot

from ketenradar.results import starter


def _latest_nld_balance():
    bal = starter.read("balance")
    year = int(bal.loc[bal["importer"] == "NLD", "year"].max())
    return bal[(bal["importer"] == "NLD") & (bal["year"] == year)], year


def test_world_map_draws_and_click_opens_country(page, base_url):
    geometry = []
    page.on("response", lambda r: geometry.append(r) if "world_110m" in r.url else None)
    page.goto(f"{base_url}/en/countries")
    page.wait_for_selector("#world-map[data-drawn]", timeout=30_000)
    bal, year = _latest_nld_balance()
    # countries drawn: those NLD depends on (value > 0) that have a shape on the map
    drawn = int(page.get_attribute("#world-map", "data-drawn"))
    assert 0 < drawn <= int((bal["importer_dependent_kusd"] > 0).sum())
    # plotly drew one path per country with a value, from the vendored topojson
    assert page.locator("#world-map path.choroplethlocation").count() == drawn
    assert [r.url for r in geometry] == [f"{base_url}/static/vendor/plotly.js/world_110m.json"]
    assert geometry[0].status == 200
    assert page.locator("#map-table tbody tr").count() == len(bal)
    shot(page, "countries_map")

    # a click on China's shape opens China's page
    box = page.evaluate(
        """() => {
          const el = document.getElementById('world-map');
          const i = el.data[0].locations.indexOf('CHN');
          const path = el.querySelectorAll('path.choroplethlocation')[i];
          const r = path.getBoundingClientRect();
          return {x: r.x + r.width / 2, y: r.y + r.height / 2, i: i};
        }"""
    )
    assert box["i"] >= 0
    page.mouse.click(box["x"], box["y"])
    page.wait_for_url(f"**/en/countries/CHN?importer=NLD&year={year}")
    assert page.locator("h1").inner_text().startswith("China")
    page.wait_for_selector("#balance-chart[data-drawn]", timeout=30_000)
    assert int(page.get_attribute("#balance-chart", "data-drawn")) == 30  # 1995–2024
    chn = bal[bal["partner"] == "CHN"].iloc[0]
    assert page.locator("#we-depend-on tbody tr").count() == chn["importer_dependent_products"]
    assert page.locator("#we-import tbody tr").count() >= 1
    assert page.locator("#balance-over-time tbody tr").count() == 30
    summary = page.locator("#country-summary [data-key=importer_dependent_products] .n")
    assert int(summary.inner_text()) == chn["importer_dependent_products"]
    shot(page, "country_CHN")
    assert page.errors == [] and page.external == []


def test_country_page_in_dutch_follows_links(page, base_url):
    page.goto(f"{base_url}/nl/")
    page.locator("#countries a.country-link").first.click()
    page.wait_for_url("**/nl/countries/**")
    assert page.locator("#country-summary .count").count() == 5
    page.wait_for_selector("#balance-chart[data-drawn]", timeout=30_000)
    assert "De balans door de jaren" in page.content()
    # switch the importer: the form reloads the page for the EU27
    page.select_option("#country-filters select[name=importer]", "EU27")
    page.click("#country-filters button")
    page.wait_for_url("**importer=EU27**")
    page.wait_for_selector("#balance-chart[data-drawn]", timeout=30_000)
    # a balance-ratio map is drawn on a diverging scale, infinite ratios included
    page.goto(f"{base_url}/nl/countries?importer=EU27&measure=balance_ratio_products")
    page.wait_for_selector("#world-map[data-drawn]", timeout=30_000)
    assert int(page.get_attribute("#world-map", "data-drawn")) > 50
    shot(page, "countries_map_ratio_nl")
    # value added both ways (OECD ICIO 2022): every ICIO partner with a shape is drawn
    page.goto(f"{base_url}/en/countries?measure=importer_dependent_va_musd")
    page.wait_for_selector("#world-map[data-drawn]", timeout=30_000)
    assert int(page.get_attribute("#world-map", "data-drawn")) >= 75
    assert page.errors == [] and page.external == []
