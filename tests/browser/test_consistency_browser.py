"""One definition per number, in a real browser (issue 15, points 1, 2, 3, 6, 7, 20): the
overview's method selector and coverage, the country page's labelled headline against the JSON
API, and distinct supplier colours in the product page's stacked chart (screenshots kept)."""

from __future__ import annotations

import json
import re
from urllib.request import urlopen

from browser_support import ARTIFACTS, shot


def _api(base_url: str, path: str) -> dict:
    with urlopen(f"{base_url}{path}", timeout=60) as r:  # the local test server
        return json.load(r)


def _number(text: str) -> float:
    """A number as the page prints it (1,234,567 on /en/)."""
    return float(text.replace(",", "").strip())


def test_overview_names_method_coverage_and_years(page, base_url):
    o = _api(base_url, "/api/v1/overview")
    cov = o["coverage"]
    page.goto(f"{base_url}/en/")
    coverage = page.locator("#overview-coverage").inner_text()
    assert f"{cov['products_imported']} of the {cov['products_covered']} HS6 products" in coverage
    assert cov["source"] in coverage and str(cov["year"]) in coverage
    counts = dict(
        zip(
            page.locator(".count").evaluate_all("els => els.map(e => e.dataset.key)"),
            page.locator(".count .n").all_inner_texts(),
            strict=True,
        )
    )
    assert int(counts["dependent_eu2021"]) == o["counts"]["dependent_eu2021"]
    assert int(counts["dependent_geodep_country"]) == o["counts"]["dependent_geodep_country"]
    headings = page.locator("h2").all_inner_texts()
    assert any("method: EU 2021" in h and f"{cov['source']}, {o['year']}" in h for h in headings)
    assert any(o["blocks"]["io"]["source"] in h for h in headings)  # the I-O block's own year
    # the countries table sums what the world map and the country page show (EU 2021)
    row = page.locator("#countries tbody tr").first
    first = row.locator("td").all_inner_texts()
    code = re.search(r"/countries/(\w+)\?", row.locator("a").get_attribute("href"))[1]
    country = _api(base_url, f"/api/v1/countries/{code}?year={o['year']}")["summary"]
    assert int(first[1]) == country["importer_dependent_products"]
    assert abs(_number(first[2]) - country["importer_dependent_kusd"]) < 1
    shot(page, "consistency_overview_eu2021")
    # another method: selected, named beside the tables, and its counts used
    page.select_option("#overview-filters select[name=method]", "geodep")
    page.click("#overview-filters button")
    page.wait_for_url("**method=geodep**")
    assert page.locator('h2 .block-meta[data-method="geodep"]').count() == 2
    assert "GeoDep (reference bloc)" in page.locator("h2").first.inner_text()
    shot(page, "consistency_overview_geodep")
    page.goto(f"{base_url}/nl/")
    assert "Dekking:" in page.locator("#overview-coverage").inner_text()
    assert "methode: EU 2021" in page.locator("h2").first.inner_text()
    shot(page, "consistency_overview_nl")
    assert page.errors == [] and page.external == []


def test_country_headline_means_what_it_says(page, base_url):
    c = _api(base_url, "/api/v1/countries/USA?importer=NLD")
    s = c["summary"]
    page.goto(f"{base_url}/en/countries/USA?importer=NLD")
    box = page.locator("#country-summary")

    def count(key: str) -> tuple[float, str]:
        el = box.locator(f'.count[data-key="{key}"]')
        return _number(el.locator(".n").inner_text()), el.inner_text()

    n, label = count("importer_dependent_products")
    assert n == s["importer_dependent_products"] and "(EU 2021)" in label
    v, label = count("importer_dependent_kusd")
    assert abs(v - s["importer_dependent_kusd"]) < 1
    assert "all suppliers outside EU27" in label
    v, label = count("importer_dependent_from_partner_kusd")
    assert abs(v - s["importer_dependent_from_partner_kusd"]) < 1 and "from USA" in label
    # the headline is the sum of the first table's column of the same label
    col = page.locator("#we-depend-on tbody tr td:nth-child(3)").all_inner_texts()
    assert abs(sum(_number(x) for x in col) - s["importer_dependent_kusd"]) < len(col)
    heads = page.locator("#we-depend-on thead th").all_inner_texts()
    assert heads[2] == "Imports from outside the bloc (thousand USD)"
    assert heads[3] == "Imports from USA (thousand USD)"
    assert heads[4] == "Share of external imports"
    import_heads = page.locator("#we-import thead th").all_inner_texts()
    assert import_heads[2] == "Imports from USA (thousand USD)"
    assert import_heads[3] == "Share of all imports"
    assert "method: EU 2021" in page.locator("#country-summary-meta").inner_text()
    shot(page, "consistency_country_usa")
    page.select_option("#country-filters select[name=method]", "any")
    page.click("#country-filters button")
    page.wait_for_url("**method=any**")
    # the list follows the chosen method and says so; the balance headline stays EU 2021
    assert "method: EU 2021 or GeoDep" in page.locator("h2").first.inner_text()
    assert "method: EU 2021" in page.locator("#country-summary-meta").inner_text()
    shot(page, "consistency_country_usa_any")
    assert page.errors == [] and page.external == []


def test_supplier_colours_are_distinct(page, base_url):
    """Point 20: LNG (271111) had 20 suppliers among some year's three largest: every band
    shown gets its own colour, the rest fold into 'other'."""
    page.goto(f"{base_url}/en/products/271111?importer=NLD")
    chart = page.locator("#product-suppliers-chart")
    chart.scroll_into_view_if_needed()
    page.wait_for_selector("#product-suppliers-chart[data-colors]", timeout=30_000)
    bands = chart.get_attribute("data-bands").split(",")
    colours = chart.get_attribute("data-colors").split(",")
    assert len(bands) == len(colours) >= 5
    assert len(set(colours)) == len(colours)  # no two bands alike
    assert bands[-1] == "other"
    # the colours plotly drew: one distinct fill per band
    fills = chart.locator(".scatterlayer .trace .js-fill").evaluate_all(
        "els => els.map(e => getComputedStyle(e).fill)"
    )
    drawn = [f for f in fills if f and f != "none"]
    assert len(drawn) == len(bands) and len(set(drawn)) == len(drawn)
    legend = chart.locator(".legendtext").all_inner_texts()
    assert len(legend) == len(bands)
    # the supplier chart's axis and the table name their denominator
    assert "Share of all imports" in chart.inner_text()
    assert "Share of all imports" in page.locator("#suppliers thead").text_content()
    shot(page, "consistency_product_271111")
    chart.screenshot(path=str(ARTIFACTS / "consistency_product_suppliers_chart.png"))
    assert page.errors == [] and page.external == []
