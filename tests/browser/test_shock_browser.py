"""The shock form in a real browser on the real OECD ICIO 2022 table (issue 15, points 16, 21
and 25): a title and notes a person reads, in English and Dutch; the loss by industry as a
chart with a text alternative; Ghosh losses above output capped and marked; and, on a fresh
install, the page saying exactly which command makes the form work."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import load_icio, run_shock, shot
from conftest import require_shared, running_server

from ketenradar.modules.io import api as io_api

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def icio_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("shock-browser") / "store"
    return load_icio(require_shared("icio_oecd_2022"), store)


@pytest.fixture(scope="module")
def icio_url(icio_store: Path) -> Iterator[str]:
    with running_server(icio_store) as url:
        yield url


def test_shock_title_notes_and_chart_in_english_and_dutch(page, icio_url, icio_store):
    run_shock(page, icio_url, "en", supplier="CHN", fall="50", industries="C26, C27")
    title = page.locator("#shock-result .shock-title").inner_text()
    assert title == (
        "50% fall in deliveries from China (C26, C27) to every buyer in the world: effect on "
        "Netherlands, 2022 — partial extraction (exact)"
    )
    notes = page.locator("#shock-result .prov-notes li").all_inner_texts()
    assert notes[0].startswith("The losses are upper bounds")
    assert any(n.startswith("Checks by the builder of the arrays: 51 industries") for n in notes)
    assert not any("{" in n or "builder's audit" in n for n in notes)  # no raw JSON
    # the chart: the 15 industries hit hardest, the same figures as the engine's
    chart = page.locator("#shock-result .shock-chart")
    page.wait_for_selector("#shock-result .shock-chart[data-drawn]", timeout=30_000)
    assert chart.get_attribute("data-drawn") == "15"
    assert chart.locator(".main-svg").count() >= 1
    assert "table below lists every industry" in chart.get_attribute("aria-label")
    assert chart.get_attribute("role") == "figure"
    assert chart.get_attribute("aria-describedby") == "shock-table"
    assert page.locator("#shock-table").count() == 1
    want = io_api.shock(
        "NLD", supplier="CHN", fall=0.5, industries=("C26", "C27"), data_dir=icio_store
    )
    want = want[want["industry"] != "TOTAL"].nlargest(15, "output_loss_musd")
    drawn = page.evaluate(
        "() => { const d = document.querySelector('#shock-result .shock-chart').data[0];"
        " return {x: d.x, y: d.y}; }"
    )
    assert drawn["y"][::-1] == want["industry"].tolist()  # largest at the top
    assert drawn["x"][::-1] == pytest.approx(want["output_loss_musd"].tolist(), rel=1e-9)
    # the text alternative: a table row per industry, under headers in words
    assert page.locator("#shock-result tbody tr").count() == 1 + 50
    assert "Output loss (USD million)" in page.locator("#shock-result thead").inner_text()
    assert page.errors == [] and page.external == []
    shot(page, "shock_en")

    run_shock(page, icio_url, "nl", supplier="CHN", fall="50", industries="C26, C27")
    title = page.locator("#shock-result .shock-title").inner_text()
    assert title.startswith(
        "50% minder leveringen uit China (C26, C27) aan alle afnemers in de wereld: "
        "gevolgen voor Nederland, 2022"
    )
    notes = page.locator("#shock-result .prov-notes li").all_inner_texts()
    assert notes[0].startswith("De verliezen zijn bovengrenzen")
    assert any("1,6%" in n for n in notes)  # Dutch number format in the sentence
    assert "Productieverlies" in page.locator("#shock-result .shock-chart-title").inner_text()
    page.wait_for_selector("#shock-result .shock-chart[data-drawn]", timeout=30_000)
    assert page.errors == [] and page.external == []
    shot(page, "shock_nl")


def test_ghosh_losses_above_output_are_capped_and_marked(page, icio_url):
    run_shock(page, icio_url, "en", supplier="CHN", fall="100", economy="CHN", model="ghosh")
    capped = page.locator("#shock-result tbody tr[data-capped]")
    assert capped.count() == 34
    assert "⚠" in capped.first.inner_text()
    assert capped.first.get_attribute("title") == "loss capped at 100% of output"
    notes = " ".join(page.locator("#shock-result .prov-notes li").all_inner_texts())
    assert "For 34 industries the Ghosh (first order) model put the loss above" in notes
    assert "up to 216%" in notes
    # no industry shows a loss share above 100 %
    shares = page.locator("#shock-result tbody tr td:nth-child(6)").all_inner_texts()
    assert max(float(s.rstrip("%").replace(",", "")) for s in shares if s != "–") <= 100
    shot(page, "shock_ghosh_capped")


def test_fresh_install_says_what_to_run(page, base_url):
    page.goto(f"{base_url}/en/io")
    box = page.locator("#io-no-table")
    assert box.is_visible() and page.locator("#shock-form").count() == 0
    assert page.locator("#io-load-command").inner_text() == io_api.LOAD_HINT["icio"]
    assert "KETENRADAR_DATA_DIR" in box.inner_text()
    shot(page, "shock_fresh_install")
    page.goto(f"{base_url}/nl/io")
    assert "gegevensmap van de server" in page.locator("#io-no-table").inner_text()
