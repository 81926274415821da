"""The treemap, the comparison of EU27 members, the site search and the material and BOM
charts in a real browser (Debian's Chromium): each chart draws from the page's data, has a
text alternative, and the console stays clean; screenshots are kept as test artefacts."""

from __future__ import annotations

import re

from browser_support import shot

from ketenradar.results import starter


def _console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_treemap_by_product_and_by_supplier(page, base_url):
    errors = _console(page)
    scr = starter.read("screening")
    n = scr[(scr["importer"] == "NLD") & (scr["year"] == 2022)]["product"].nunique()
    page.goto(f"{base_url}/en/treemap?importer=NLD&year=2022")
    page.wait_for_selector("#treemap-chart[data-drawn]", timeout=30_000)
    assert int(page.get_attribute("#treemap-chart", "data-drawn")) > n
    # plotly drew the blocks and the title names the coverage
    assert page.locator("#treemap-chart g.slice").count() > 10
    assert f"{n} raw-material products" in page.locator("#treemap-chart .gtitle").text_content()
    assert "Largest blocks" in page.get_attribute("#treemap-chart", "aria-label")
    assert page.locator("#treemap-table tbody tr").count() == 15
    shot(page, "treemap_products_en")
    page.select_option("#treemap-form select[name=by]", "supplier")
    page.click("#treemap-form button[type=submit]")
    page.wait_for_url(re.compile(r".*by=supplier.*"))
    page.wait_for_selector("#treemap-chart[data-drawn]", timeout=30_000)
    assert page.locator("#treemap-table thead").inner_text().startswith("Supplier")
    shot(page, "treemap_suppliers_en")
    page.goto(f"{base_url}/nl/treemap?importer=EU27")
    page.wait_for_selector("#treemap-chart[data-drawn]", timeout=30_000)
    assert "grondstofproducten" in page.locator("#treemap-chart .gtitle").text_content()
    shot(page, "treemap_products_nl")
    assert errors == []


def test_compare_members_side_by_side(page, base_url):
    errors = _console(page)
    page.goto(f"{base_url}/nl/compare?product=810510")
    page.wait_for_selector("#compare-chart[data-drawn]", timeout=30_000)
    comp = starter.read("comparison")
    year = comp["year"].max()
    members = comp[(comp["product"] == "810510") & (comp["year"] == year)]
    assert int(page.get_attribute("#compare-chart", "data-drawn")) == len(members)
    assert page.locator("#compare-chart g.point").count() == len(members)
    first = page.locator("#compare-table tbody tr").nth(1)
    assert first.get_attribute("data-importer") == "NLD"
    assert "Nederland" in first.inner_text()
    assert page.locator("#compare-table tbody tr").count() == len(members) + 1
    shot(page, "compare_product_nl")
    page.select_option("#compare-product", "")
    page.select_option("#compare-material", "Lithium")
    page.click("#compare-form button[type=submit]")
    page.wait_for_selector("#compare-chart[data-drawn]", timeout=30_000)
    assert page.get_attribute("#compare-heading", "data-kind") == "material"
    shot(page, "compare_material_nl")
    assert errors == []


def test_search_box_lands_on_the_right_page(page, base_url):
    errors = _console(page)
    page.goto(f"{base_url}/en/")
    for q, url in (("lithium", "/en/materials/lithium"), ("China", "/en/countries/CHN")):
        page.fill("#site-search-q", q)
        page.press("#site-search-q", "Enter")
        page.wait_for_url(f"{base_url}{url}")
    page.fill("#site-search-q", "C26")
    page.press("#site-search-q", "Enter")
    page.wait_for_url(f"{base_url}/en/io#industry-C26")
    assert page.locator("#industry-C26").count() == 1
    page.goto(f"{base_url}/nl/")
    page.fill("#site-search-q", "2805")
    page.press("#site-search-q", "Enter")
    page.wait_for_selector("#search-hits")
    assert page.locator("#search-hits li").count() >= 2
    assert "Product" in page.locator("#search-hits li").first.inner_text()
    shot(page, "search_results_nl")
    page.locator("#search-hits a").first.click()
    page.wait_for_url(re.compile(r".*/nl/products/2805\d\d"))
    # at phone width the box takes its own line and the page does not scroll sideways
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{base_url}/nl/search?q=rare")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#site-search-q").is_visible()
    shot(page, "search_phone_nl")
    assert errors == []


def test_material_concentration_and_bom_exposure_charts(page, base_url):
    errors = _console(page)
    conc = starter.read("concentration")
    cobalt = conc[conc["material"] == "cobalt"]
    series = cobalt[["stage", "basis"]].drop_duplicates()
    page.goto(f"{base_url}/en/materials/cobalt")
    page.wait_for_selector("#material-concentration-chart[data-drawn]", timeout=30_000)
    # two traces (top share, HHI) per stage and source
    assert int(page.get_attribute("#material-concentration-chart", "data-drawn")) == 2 * len(series)
    assert page.get_attribute("#material-concentration-chart", "role") == "figure"
    assert "Cobalt" in page.get_attribute("#material-concentration-chart", "aria-label")
    # the top country is named, not coded, where the pointer shows it
    texts = page.evaluate(
        "Array.from(document.getElementById('material-concentration-chart').data)"
        ".flatMap(t => Array.from(t.text || []))"
    )
    assert any(len(t) > 3 for t in texts) and not any(t.isupper() and len(t) == 3 for t in texts)
    shot(page, "material_concentration_en")
    page.goto(f"{base_url}/nl/bom?name=mri_scanner")
    page.wait_for_selector("#bom-exposure-chart[data-drawn]", timeout=30_000)
    rows = page.locator("#bom-countries tbody tr").count()
    assert int(page.get_attribute("#bom-exposure-chart", "data-drawn")) == min(rows, 15)
    assert page.locator("#bom-exposure-chart g.point").count() > 0
    assert "Staafdiagram" in page.get_attribute("#bom-exposure-chart", "aria-label")
    shot(page, "bom_exposure_nl")
    assert errors == []
