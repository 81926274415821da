"""The supplier registry pages in a real browser, on a real server with the fictional demo
set (60 suppliers) in its accounts database: an analyst searches by name and filters by
province and work package, opens a supplier's page with its "what could we supply" table;
the Dutch page has Dutch labels. Screenshots go to test-artifacts/ (kansenkaart-registry-*)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from browser_support import add_users, shot, sign_in
from conftest import running_server

COUNT = 60
SETUP = (
    "from ketenradar.modules.kansenkaart import suppliers as sp\n"
    "from ketenradar.modules.kansenkaart.cli import _registry\n"
    "db, op = _registry(), sp.Access.cli()\n"
    f"sp.load_demo(db, op, {COUNT})\n"
    "sp.add_membership(db, op, 'ana', 'analyst')\n"
)


@pytest.fixture(scope="module")
def reg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server whose accounts database holds the demo set and an analyst, ``ana``."""
    store = tmp_path_factory.mktemp("registry") / "store"
    add_users(store, {"ana": "viewer", "nomember": "viewer"})
    env = {**os.environ, "KETENRADAR_DATA_DIR": str(store)}
    done = subprocess.run(
        [sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with running_server(store) as url:
        yield url


def _rows(page) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "#registry-table tbody tr",
        "rows => rows.map(r => ({name: r.cells[0].querySelector('a').textContent,"
        " place: r.cells[1].textContent, caps: r.cells[3].textContent,"
        " demo: r.dataset.demo || ''}))",
    )


def test_search_filter_and_open_a_supplier(page, reg_url: str):
    sign_in(page, reg_url, "ana")
    page.goto(f"{reg_url}/en/kansenkaart/suppliers")
    assert page.locator("#registry-count").inner_text() == f"Showing 1–50 of {COUNT} suppliers"
    assert len(_rows(page)) == 50
    assert page.locator("#registry-pages a", has_text="2").count() == 1
    # a part of the name, any case
    page.fill("#registry-form input[name=q]", "supplier 00")
    page.click("#registry-search")
    page.wait_for_load_state()
    rows = _rows(page)
    assert len(rows) == 9 and all("Supplier 00" in r["name"] for r in rows)
    assert all(r["demo"] == "1" for r in rows)
    assert page.locator("#registry-table .badge", has_text="fictional demo").count() == 9
    # and a province: that of the first row
    province = rows[0]["place"].split(" / ")[-1].strip()
    page.select_option("#registry-form select[name=province]", province)
    page.click("#registry-search")
    page.wait_for_load_state()
    rows = _rows(page)
    assert rows and all(r["place"].strip().endswith(province) for r in rows)
    assert page.locator("#registry-form select[name=province]").input_value() == province
    # a work package instead: every row has it as a capability (or an ambition)
    page.goto(f"{reg_url}/en/kansenkaart/suppliers")
    page.select_option("#registry-form select[name=work_package]", "valves")
    page.click("#registry-search")
    page.wait_for_load_state()
    assert "work_package=valves" in page.url
    href = page.get_attribute("#registry-export-csv", "href")
    assert href == "/api/v1/kansenkaart/suppliers/export.csv?work_package=valves"
    shot(page, "kansenkaart-registry-en")
    # open a supplier
    link = page.locator("#registry-table tbody tr a").first
    name = link.inner_text()
    link.click()
    page.wait_for_load_state()
    assert page.locator("#supplier-name").inner_text() == name
    assert page.locator("#supplier-demo").is_visible()
    fit = page.locator("#supplier-fit-table tbody tr")
    assert fit.count() >= 1
    assert page.locator("#supplier-fit-table tr[data-work-package=valves]").count() == 1
    assert "fictitious demo conditions" in page.locator("#supplier-conditions").inner_text()
    shot(page, "kansenkaart-registry-supplier-en")
    assert not page.errors, page.errors
    assert not page.external, page.external


def test_dutch_labels(page, reg_url: str):
    sign_in(page, reg_url, "ana")
    page.goto(f"{reg_url}/nl/kansenkaart/suppliers?page=2")
    assert page.locator("#registry-title").inner_text() == "Leveranciersregister"
    form = page.locator("#registry-form").inner_text()
    for label in ("Naam bevat", "Werkpakket", "Certificaat nu in bezit", "Provincie", "Zoeken"):
        assert label in form
    for english in ("Name contains", "Work package", "Certificate", "Search"):
        assert english not in form
    assert page.locator("#registry-count").inner_text() == f"51–{COUNT} van {COUNT} leveranciers"
    headers = page.locator("#registry-table thead").inner_text()
    assert "Leverancier" in headers and "Grootteklasse" in headers
    assert page.locator("#registry-table .badge", has_text="fictieve demo").count() == COUNT - 50
    shot(page, "kansenkaart-registry-nl")
    page.locator("#registry-table tbody tr a").first.click()
    page.wait_for_load_state()
    table = page.locator("#supplier-fit-table thead").inner_text()
    assert "Gereedheid" in table and "Readiness" not in table
    assert "Fictieve demoleverancier" in page.locator("#supplier-demo").inner_text()
    shot(page, "kansenkaart-registry-supplier-nl")
    assert not page.errors, page.errors


def test_a_user_without_membership_sees_why(page, reg_url: str):
    sign_in(page, reg_url, "nomember")
    page.goto(f"{reg_url}/nl/kansenkaart/suppliers")
    text = page.locator("#registry-members-only").inner_text()
    assert "U bent geen lid van het register" in text
    assert page.locator("#registry-table").count() == 0
