"""The stockpile page in a real browser, on a real server over the hand-made store of the
stockpile unit tests: fill the form, run, see the "computing…" state, the plan table, the
reasons of the form advice, the fan chart and the service-level curve drawn (each described by
its table); the scenario editor's two modes; Dutch numbers and reasons on /nl/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import add_users, shot, sign_in
from conftest import running_server
from unit.test_stockpile_candidates import store  # noqa: F401  (the module-scoped store)

from ketenradar.modules.stockpile import api

ITEMS = "cobalt, copper, nickel, gallium"
#: a number written the English way (test_dutch.py's pattern)
ENGLISH_NUMBER = re.compile(r"\d\.(?!\d{3}(?!\d))\d|\d,\d{3}\.\d|\d,\d{3},\d{3}")


@pytest.fixture(scope="module")
def sp_url(store: Path) -> Iterator[str]:  # noqa: F811
    """A real server whose store holds the hand-made trade and production data."""
    with running_server(store) as url:
        yield url


def _run(page, url: str, lang: str) -> None:
    page.goto(f"{url}/{lang}/stockpile")
    page.fill("#stockpile-form input[name=items]", ITEMS)
    page.fill("#stockpile-form input[name=paths]", "2000")
    page.fill("#stockpile-form input[name=seed]", "7")
    page.click("#stockpile-run", no_wait_after=True)
    page.wait_for_selector("#stockpile-plan", timeout=60_000)


def test_fill_run_table_reasons_and_charts(page, sp_url: str, store: Path):  # noqa: F811
    page.goto(f"{sp_url}/en/stockpile")
    # the scenario editor: the default's fields, or a document
    assert page.locator("#stockpile-halt").is_visible()
    assert not page.locator("#stockpile-scenario-text").is_visible()
    page.check("#stockpile-form input[name=mode][value=document]")
    assert page.locator("#stockpile-scenario-text").is_visible()
    assert not page.locator("#stockpile-halt input[name=probability]").is_visible()
    page.check("#stockpile-form input[name=mode][value=default]")
    page.fill("#stockpile-form input[name=items]", ITEMS)
    page.fill("#stockpile-form input[name=paths]", "2000")
    page.fill("#stockpile-form input[name=seed]", "7")
    # "computing…" is announced (aria-live) while the next page is computed
    page.click("#stockpile-run", no_wait_after=True)
    status = page.locator("#stockpile-status")
    assert status.get_attribute("aria-live") == "polite"
    page.wait_for_selector("#stockpile-plan", timeout=60_000)
    assert "run=1" in page.url and "items=cobalt" in page.url

    want = api.plan(["cobalt", "copper", "nickel", "gallium"], "NLD", paths=2000, seed=7,
                    data_dir=store).frame("plan").set_index("item")  # fmt: skip
    rows = page.locator("#stockpile-plan tbody tr")
    assert rows.count() == 4
    assert page.locator("#stockpile-coverage").inner_text().startswith("4 items, 2 with a stock")
    shown = page.locator("#stockpile-plan tr[data-item=cobalt] td[data-col=stock_t]").inner_text()
    assert float(shown.replace(",", "")) == pytest.approx(want.loc["cobalt", "stock_t"], rel=5e-3)
    note = page.locator("#stockpile-plan tr[data-item=nickel] td[data-col=note]").inner_text()
    assert note.startswith("no annual demand")
    reasons = page.locator("#stockpile-reasons dd[data-item=cobalt] li").all_inner_texts()
    assert reasons == want.loc["cobalt", "form_reasons"].split(" | ")

    # the fan chart and the service-level curve, each described by its table
    page.wait_for_selector("#stockpile-fan-chart[data-drawn]", timeout=30_000)
    assert page.locator("#stockpile-fan-chart .main-svg").count() >= 1
    assert page.get_attribute("#stockpile-fan-chart", "role") == "figure"
    assert page.get_attribute("#stockpile-fan-chart", "aria-describedby") == "stockpile-fan-table"
    assert page.locator("#stockpile-fan-table tbody tr").count() >= 2
    assert page.locator("#stockpile-fan-chart .scatterlayer .trace").count() >= 4  # bands, lines
    page.wait_for_selector("#stockpile-curve-chart[data-drawn]", timeout=30_000)
    assert page.locator("#stockpile-curve-table tbody tr").count() == int(
        page.get_attribute("#stockpile-curve-chart", "data-drawn")
    )
    # the fan of another item
    page.select_option("#stockpile-fan-form select[name=fan]", "copper")
    page.click("#stockpile-fan-form button[type=submit]")
    page.wait_for_selector("#stockpile-fan-chart[data-drawn]", timeout=60_000)
    assert "fan=copper" in page.url
    assert "Copper" in page.locator("#stockpile-fan-table caption").inner_text()

    # the files of the plan on screen: the CSV and the self-contained report
    with page.expect_download() as dl:
        page.click("#download-stockpile-csv")
    csv = Path(dl.value.path()).read_text()
    assert csv.startswith("item,") and "cobalt" in csv and "gallium" in csv
    assert dl.value.suggested_filename.startswith("stockpile_plan_NLD")
    with page.expect_download() as dl:
        page.click("#stockpile-report")
    report = Path(dl.value.path()).read_text()
    assert dl.value.suggested_filename.endswith(".html") and '<tr data-item="copper">' in report
    assert "<script" not in report and not re.search(r'(?:src|href)="', report)
    assert not page.errors, page.errors
    assert not page.external, page.external
    shot(page, "stockpile")


def test_dutch_numbers_and_reasons(page, sp_url: str):
    _run(page, sp_url, "nl")
    assert (
        page.locator("#stockpile-coverage").inner_text().startswith("4 items, 2 met een voorraad")
    )
    cells = page.locator("#stockpile-plan td.num").all_inner_texts()
    assert len(cells) >= 20
    assert not [c for c in cells if ENGLISH_NUMBER.search(c)], cells
    days = page.locator("#stockpile-plan tr[data-item=cobalt] td[data-col=days_of_cover]")
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*", days.inner_text())
    reasons = page.locator("#stockpile-reasons dd[data-item=cobalt] li").all_inner_texts()
    assert reasons and any("niet meegeteld" in r or "onbekend" in r for r in reasons)
    assert page.locator("#stockpile-plan td[data-col=form]").first.inner_text() in (
        "publiek",
        "publiek-privaat",
        "privaat",
    )
    page.wait_for_selector("#stockpile-fan-chart[data-drawn]", timeout=30_000)
    ticks = page.locator("#stockpile-fan-chart .ytick text, #stockpile-curve-chart .ytick text")
    texts = ticks.evaluate_all("els => els.map((e) => e.textContent)")
    assert texts and not [t for t in texts if ENGLISH_NUMBER.search(t)], texts  # 1,5k, not 1.5k
    assert not page.errors, page.errors
    shot(page, "stockpile_nl")


def test_a_bad_scenario_shows_its_field(page, sp_url: str):
    page.goto(f"{sp_url}/en/stockpile")
    page.fill("#stockpile-form input[name=items]", "cobalt")
    page.check("#stockpile-form input[name=mode][value=document]")
    page.fill(
        "#stockpile-scenario-text",
        "name: bad\ndisruptions:\n  - name: x\n    suppliers: [{supplier: CHN, cut: 3}]\n"
        "    probability: 0.1\n",
    )
    page.click("#stockpile-run")
    page.wait_for_selector("#stockpile-errors")
    assert (
        "scenario.disruptions[0].suppliers[0].cut" in page.locator("#stockpile-errors").inner_text()
    )
    assert page.locator("#stockpile-scenario-text").is_visible()  # the document mode kept
    assert "cut: 3" in page.locator("#stockpile-scenario-text").input_value()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_plan_page_is_accessible_and_fits(browser, sp_url: str, lang: str):
    """axe-core (WCAG 2.1 A and AA) finds nothing serious on a page with a plan, its charts
    and their tables (the site-wide suite sees the form only: a fresh install has no trade
    data), every chart has its table, and at phone width nothing scrolls sideways."""
    from test_a11y_browser import AXE, CHARTS, RUN_AXE, TAGS

    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    pg = ctx.new_page()
    pg.goto(f"{sp_url}/{lang}/stockpile?run=1&items=cobalt,copper,nickel,gallium&paths=2000")
    pg.wait_for_selector("#stockpile-curve-chart[data-drawn]", timeout=60_000)
    pg.add_script_tag(path=str(AXE))
    serious = [v for v in pg.evaluate(RUN_AXE, TAGS) if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    charts = pg.evaluate(CHARTS)
    assert {c["id"] for c in charts} >= {"stockpile-fan-chart", "stockpile-curve-chart"}
    assert all(c["role"] == "figure" and c["label"] and c["table"] for c in charts), charts
    pg.set_viewport_size({"width": 390, "height": 844})
    pg.wait_for_timeout(500)
    width = pg.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    shot(pg, f"stockpile_phone_{lang}")
    ctx.close()


def test_an_analyst_saves_opens_and_deletes_a_scenario(page, sp_url: str, store: Path):  # noqa: F811
    add_users(store, {"sam": "analyst"})
    sign_in(page, sp_url, "sam")
    _run(page, sp_url, "en")
    page.fill("#stockpile-save input[name=name]", "Top suppliers halt")
    page.click("#stockpile-save-button")
    page.wait_for_selector("#stockpile-save-status[data-id]")
    sid = page.get_attribute("#stockpile-save-status", "data-id")
    # opened from the list: the document in the editor, in the document mode
    page.goto(f"{sp_url}/en/stockpile")
    page.click(f"#stockpile-saved-list li[data-id='{sid}'] a")
    assert page.locator("#stockpile-scenario-text").is_visible()
    assert '"top supplier halted"' not in page.locator("#stockpile-scenario-text").input_value()
    assert '"Top suppliers halt"' in page.locator("#stockpile-scenario-text").input_value()
    assert "#" + sid in page.locator("#stockpile-opened").inner_text()
    # run it, then delete it
    page.fill("#stockpile-form input[name=items]", ITEMS)
    page.fill("#stockpile-form input[name=paths]", "2000")
    page.click("#stockpile-run")
    page.wait_for_selector("#stockpile-plan", timeout=60_000)
    assert "Scenario: your own" in page.locator("#stockpile-coverage").inner_text()
    page.click(f".stockpile-delete[data-id='{sid}']")
    page.wait_for_selector(f"#stockpile-saved-list li[data-id='{sid}']", state="detached")
    page.goto(f"{sp_url}/en/stockpile")
    assert page.locator(f"#stockpile-saved-list li[data-id='{sid}']").count() == 0
    assert not page.errors, page.errors
