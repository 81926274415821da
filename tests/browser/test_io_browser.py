# ruff: noqa: N806  (input-output matrix notation: Z, Y, as in tests/unit/test_io_*.py)
"""The input-output page in a real browser: the starter exposure table and chart on a fresh
install (with the message naming the load command in place of the shock form), and, on a
server whose store holds a small ICIO table, a shock whose result appears without a reload."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from browser_support import load_icio, shot, submit_shock
from conftest import running_server

from ketenradar.modules.io import api as io_api
from ketenradar.results import starter

REGIONS = ["CHN", "DEU", "NLD", "ROW"]
SECTORS = ["C26", "C27", "K"]  # two goods industries and one service
FD = ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR")


def write_table(path: Path) -> Path:
    """A balanced 4-region × 3-sector table in the OECD ICIO CSV layout."""
    n, R = len(REGIONS) * len(SECTORS), len(REGIONS)
    i = np.arange(n)[:, None]
    Z = 10.0 * (i + 1) + (np.arange(n)[None, :] + 1)
    Y = np.zeros((n, R * len(FD)))
    Y[:, :: len(FD)] = 300.0 * (i + 1) + 10.0 * np.arange(R)[None, :]
    x = Z.sum(axis=1) + Y.sum(axis=1)
    ind = [f"{r}_{s}" for r in REGIONS for s in SECTORS]
    zeros = np.zeros(Y.shape[1])
    rows = np.vstack(
        [
            np.hstack([Z, Y, x[:, None]]),
            np.concatenate([np.zeros(n), zeros, [np.nan]]),
            np.concatenate([x - Z.sum(axis=0), zeros, [np.nan]]),
            np.concatenate([x, zeros, [np.nan]]),
        ]
    )
    cols = [*ind, *(f"{r}_{c}" for r in REGIONS for c in FD), "OUT"]
    df = pd.DataFrame(rows, index=[*ind, "TLS", "VA", "OUT"], columns=cols)
    df.index.name = "V1"
    df.to_csv(path)
    return path


@pytest.fixture(scope="module")
def io_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("io-browser")
    return load_icio(write_table(d / "2022_SML.csv"), d / "store")


@pytest.fixture(scope="module")
def io_url(io_store: Path) -> Iterator[str]:
    """A real server whose data store holds the small table."""
    with running_server(io_store) as url:
        yield url


def test_io_page_shows_starter_exposure_and_chart(page, base_url):
    page.goto(f"{base_url}/en/io")
    page.wait_for_selector("#io-chart[data-drawn]", timeout=30_000)
    ref = starter.read("io_exposure_industry")
    live = ref[(ref["output_musd"] > 0) & ref["foreign_input_share"].notna()]
    assert int(page.get_attribute("#io-chart", "data-drawn")) == len(live)
    assert page.locator("#io-chart .main-svg").count() >= 1
    assert page.locator("#io-industries tbody tr").count() == len(ref)
    kinds = page.locator("#io-kinds tbody tr").all_inner_texts()
    assert [k.split("\t")[0] for k in kinds] == ["Goods", "Services", "All industries"]
    assert page.locator("#io-industries tbody tr[data-kind=services]").count() == int(
        (ref["kind"] == "services").sum()
    )
    # nothing loaded: the message naming the command in place of the shock form
    assert "ketenradar io load icio" in page.locator("#io-load-command").inner_text()
    assert page.locator("#shock-form").count() == 0
    assert "Inter-Country Input-Output tables" in page.locator("footer").inner_text()
    shot(page, "io")
    page.click("header a.lang")
    page.wait_for_url(f"{base_url}/nl/io")
    assert "Diensten" in page.locator("#io-kinds").inner_text()
    assert page.errors == [] and page.external == []


def test_io_shock_result_without_reload(page, io_url, io_store):
    page.goto(f"{io_url}/en/io")
    page.wait_for_selector("#io-chart[data-drawn]", timeout=30_000)
    page.evaluate("window.__sameDocument = true")
    submit_shock(page, supplier="CHN", fall="40", industries="C26, K")
    assert page.evaluate("window.__sameDocument") is True  # no page reload
    rows = page.locator("#shock-result tbody tr")
    assert rows.count() == 1 + len(SECTORS)
    first = rows.first
    assert first.get_attribute("data-industry") == "TOTAL"
    assert "total" in (first.get_attribute("class") or "")
    want = io_api.shock(
        "NLD", supplier="CHN", fall=0.4, industries=("C26", "K"), data_dir=io_store
    ).set_index("industry")
    cells = first.locator("td").all_inner_texts()
    shown = float(cells[4].replace(",", ""))  # output loss, USD million, one decimal
    assert shown == pytest.approx(want.loc["TOTAL", "output_loss_musd"], abs=0.051)
    assert "Dietzenbacher" in page.locator("#shock-result .prov-methods").inner_text()
    assert "--supplier CHN" in page.locator("#shock-result .prov-command").inner_text()
    assert page.locator("#shock-error").is_hidden()
    shot(page, "io_shock")
    # a wrong supplier code: the 400 message shows in the page, the old result goes
    page.fill("#shock-form input[name=supplier]", "CHM")
    page.click("#shock-form button[type=submit]")
    page.wait_for_selector("#shock-error:not([hidden])", timeout=30_000)
    assert "closest: CHN" in page.locator("#shock-error").inner_text()
    assert page.locator("#shock-result tbody tr").count() == 0
    # the only console error is the browser's own note on the 400 response
    assert all("status of 400" in e for e in page.errors) and len(page.errors) <= 1
    assert page.external == []


def test_io_page_exposure_from_the_loaded_table(page, io_url):
    page.goto(f"{io_url}/en/io")
    page.fill("#io-choose input[name=economy]", "EU27")
    page.click("#io-choose button[type=submit]")
    page.wait_for_url("**economy=EU27**")
    page.wait_for_selector("#io-chart[data-drawn]", timeout=30_000)
    assert page.get_attribute("#io-origin", "data-origin") == "store"
    assert page.locator("#io-industries tbody tr").count() == 2 * len(SECTORS)  # DEU and NLD
    assert int(page.get_attribute("#io-chart", "data-drawn")) == 2 * len(SECTORS)
    assert page.errors == [] and page.external == []
