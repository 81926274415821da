"""The kansenkaart's demand page in a real browser, on a real server reading the shared
reference data: fill the preset, run, see the stacked bar chart drawn with one trace per work
package (the table below it lists the same packages), switch to site labour hours, Dutch axis
titles, legend and hovers on /nl/; the requirements page with its origin filter. Screenshots
go to test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import shot
from conftest import require_shared, running_server

from ketenradar.modules.kansenkaart import api
from ketenradar.modules.kansenkaart.names import work_package_names
from ketenradar.modules.kansenkaart.references import load_taxonomy


@pytest.fixture(scope="module")
def kk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server over an empty store, reading the shared reference data."""
    shared = require_shared("nuclear_costs").parent
    store = tmp_path_factory.mktemp("kk-browser") / "store"
    with running_server(store, env={"KETENRADAR_SHARED_DATA": str(shared)}) as url:
        yield url


def _run(page, url: str, lang: str, units: str = "2") -> None:
    page.goto(f"{url}/{lang}/kansenkaart")
    page.select_option("#kansenkaart-form select[name=design]", "timcat_pwr12_me")
    page.fill("#kansenkaart-form input[name=units]", units)
    page.fill("#kansenkaart-form input[name=year]", "2031")
    page.click("#kansenkaart-run", no_wait_after=True)
    page.wait_for_selector("#kansenkaart-chart[data-drawn]", timeout=60_000)


def test_stacked_chart_one_trace_per_work_package(page, kk_url: str):
    page.goto(f"{kk_url}/en/kansenkaart")
    # the editor: the preset's fields, or a document
    assert page.locator("#kansenkaart-preset").is_visible()
    assert not page.locator("#kansenkaart-programme-text").is_visible()
    page.check("#kansenkaart-form input[name=mode][value=document]")
    assert page.locator("#kansenkaart-programme-text").is_visible()
    page.check("#kansenkaart-form input[name=mode][value=preset]")
    _run(page, kk_url, "en")
    assert "run=1" in page.url and "units=2" in page.url
    assert "programme=" not in page.url  # the hidden document is not sent

    doc = {"name": "x", "units": [{"design": "timcat_pwr12_me", "first_concrete_year": y}
                                  for y in (2031, 2033)]}  # fmt: skip
    wps = api.demand(doc).frame("demand")["work_package"].unique()
    rows = page.locator("#kansenkaart-table tbody tr")
    assert rows.count() == len(wps)
    chart = page.locator("#kansenkaart-chart")
    assert chart.get_attribute("data-drawn") == str(len(wps))
    assert page.locator("#kansenkaart-chart .barlayer .trace").count() == len(wps)
    assert page.locator("#kansenkaart-chart .legendtext").count() == len(wps)
    assert chart.get_attribute("aria-describedby") == "kansenkaart-table"
    assert "Year" in page.locator("#kansenkaart-chart .xtitle").text_content()
    assert "million euros" in page.locator("#kansenkaart-chart .ytitle").text_content()
    shot(page, "kansenkaart_demand_en")
    # site labour hours
    page.check("#kansenkaart-measure input[value=hours]")
    page.wait_for_selector("#kansenkaart-chart[data-measure=hours]")
    assert "hours" in page.locator("#kansenkaart-chart .ytitle").text_content()
    assert page.locator("#kansenkaart-chart .barlayer .trace").count() == len(wps)
    shot(page, "kansenkaart_demand_hours_en")
    assert not page.errors, page.errors
    assert not page.external, page.external


def test_dutch_axes_legend_and_hover(page, kk_url: str):
    _run(page, kk_url, "nl")
    names = work_package_names(load_taxonomy().work_packages, "nl")
    legend = page.locator("#kansenkaart-chart .legendtext").all_text_contents()
    assert legend and set(legend) <= set(names.values())
    assert "Civiele werken en gebouwen" in legend
    assert page.locator("#kansenkaart-chart .xtitle").text_content() == "Jaar"
    assert page.locator("#kansenkaart-chart .ytitle").text_content() == (
        "Vraag, miljoen euro (prijspeil 2024)"
    )
    # a hover: the work package, "Jaar", a Dutch number and "mln €"
    # (plotly's own hover of the first work package's largest year, as a pointer would)
    page.evaluate(
        "() => { const el = document.getElementById('kansenkaart-chart');"
        " const y = el.data[0].y; const j = y.indexOf(Math.max(...y));"
        " Plotly.Fx.hover(el, [{curveNumber: 0, pointNumber: j}]); }"
    )
    page.wait_for_selector("#kansenkaart-chart .hoverlayer .hovertext", timeout=10_000)
    hover = page.locator("#kansenkaart-chart .hoverlayer .hovertext").text_content()
    assert "Jaar 20" in hover and "mln €" in hover
    assert any(n in hover for n in names.values())
    assert "Year" not in hover
    assert re.search(r"Jaar 20\d\d: \d{1,3}(\.\d{3})*,\d mln €", hover), hover  # 376,7
    shot(page, "kansenkaart_demand_hover_nl")
    page.check("#kansenkaart-measure input[value=hours]")
    page.wait_for_selector("#kansenkaart-chart[data-measure=hours]")
    assert (
        page.locator("#kansenkaart-chart .ytitle").text_content() == "Arbeid op de bouwplaats, uren"
    )
    assert page.locator("#kansenkaart-by-year").count() == 1
    assert not page.errors, page.errors


def test_requirements_page_origin(page, kk_url: str):
    page.goto(f"{kk_url}/nl/kansenkaart/requirements")
    n = len(load_taxonomy().work_packages)
    assert page.locator("#kansenkaart-req-table tbody tr").count() == n
    page.select_option("#kansenkaart-req-form select[name=origin]", "FR")
    page.click("#kansenkaart-req-form button[type=submit]")
    page.wait_for_url("**origin=FR**")
    origins = set(page.locator("td[data-col=origins]").all_inner_texts())
    assert "US" not in origins and "DE" not in origins
    assert "eigen oordeel van het project" in page.locator("main").inner_text()
    shot(page, "kansenkaart_requirements_nl")
    assert not page.errors, page.errors


def test_artefacts_written():
    from browser_support import ARTIFACTS

    assert isinstance(ARTIFACTS, Path)
