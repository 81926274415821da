"""The pages in a real browser: first run, explore → product → download, materials chart."""

from __future__ import annotations

import csv
from pathlib import Path

from browser_support import ARTIFACTS


def test_first_run_shows_real_content(page, base_url):
    page.goto(f"{base_url}/en/")
    counts = page.locator(".count .n").all_inner_texts()
    assert len(counts) == 5 and int(counts[1]) > 0  # dependent products (EU 2021)
    assert page.locator("#largest-dependencies tbody tr").count() == 10
    assert "Petroleum gases" in page.locator("#largest-dependencies").inner_text()
    assert "CEPII BACI HS92" in page.locator("footer").inner_text()
    page.screenshot(path=str(ARTIFACTS / "overview_en.png"), full_page=True)
    page.click("header a.lang")
    page.wait_for_url(f"{base_url}/nl/")
    assert "Grootste afhankelijkheden" in page.content()
    page.screenshot(path=str(ARTIFACTS / "overview_nl.png"), full_page=True)
    page.select_option("#overview-filters select[name=economy]", "EU27")
    page.click("#overview-filters button")
    page.wait_for_url("**economy=EU27**")
    assert page.locator("h1").inner_text().startswith("Overzicht: EU27")
    page.locator("#largest-dependencies a.product-link").first.click()
    page.wait_for_url("**/nl/products/*?importer=EU27")
    assert page.errors == [] and page.external == []


def test_explore_then_product_then_download(page, base_url, tmp_path):
    page.goto(f"{base_url}/en/dependencies?method=all")
    # the explorer's own filter, not the site search in the header (also named q)
    page.fill("form.filters input[name=q]", "cobalt")
    page.click("form.filters button")
    page.wait_for_url("**q=cobalt**")
    rows = page.locator("#dependencies tbody tr")
    assert rows.count() >= 1
    page.screenshot(path=str(ARTIFACTS / "explorer.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("#download-csv")
    shown = list(csv.DictReader(Path(dl.value.path()).read_text("utf-8").splitlines()))
    assert [r["product"] for r in shown] == page.locator("a.product-link").all_inner_texts()
    page.locator("a.product-link").first.click()
    page.wait_for_url("**/en/products/**")
    assert page.locator("#indicators tbody tr").count() > 20  # 1995–2024
    assert page.locator("#suppliers tbody tr").count() > 20
    page.wait_for_selector("#product-suppliers-chart[data-drawn]", timeout=30_000)
    drawn = int(page.get_attribute("#product-indicators-chart", "data-drawn"))
    assert drawn == page.locator("#indicators tbody tr").count()
    shaded = int(page.get_attribute("#product-indicators-chart", "data-dependent-years"))
    assert shaded == page.locator("#indicators tbody tr td:nth-child(8)", has_text="✓").count()
    bands = page.get_attribute("#product-suppliers-chart", "data-bands").split(",")
    assert len(bands) >= 2 and bands[-1] == "other"
    assert page.locator("#product-suppliers-chart .main-svg").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "product.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("#download-product-csv")
    years = list(csv.DictReader(Path(dl.value.path()).read_text("utf-8").splitlines()))
    assert len(years) == page.locator("#indicators tbody tr").count()
    assert page.errors == [] and page.external == []


def test_product_balance_links_to_the_partner(page, base_url):
    page.goto(f"{base_url}/en/products/720293")  # ferro-niobium: NLD depends on Brazil
    section = page.locator("#product-balance")
    section.scroll_into_view_if_needed()
    assert section.is_visible()
    first = page.locator("#balance-importer tbody tr").all_inner_texts()[0]
    assert first.startswith(("BRA", "Brazil"))
    assert page.locator("#balance-partners tbody tr").count() >= 1
    section.screenshot(path=str(ARTIFACTS / "product_balance.png"))
    page.locator("#balance-importer a.country-link").first.click()
    page.wait_for_url("**/en/countries/BRA?importer=NLD**")
    assert page.locator("#we-depend-on a.product-link", has_text="720293").count() == 1
    assert page.errors == [] and page.external == []


def test_materials_chart_draws(page, base_url):
    page.goto(f"{base_url}/en/materials")
    page.wait_for_selector("#ei-sr-chart[data-drawn]", timeout=30_000)
    assert int(page.get_attribute("#ei-sr-chart", "data-drawn")) > 50
    assert page.locator("#ei-sr-chart .main-svg").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "materials.png"), full_page=True)
    assert page.errors == [] and page.external == []


# At 390 px no page scrolls sideways and the navigation, the language switch and the sign-in
# link are on screen: tests/browser/test_layout_browser.py (every page of the site, nl and en).
