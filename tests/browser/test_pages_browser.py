"""The pages in a real browser: Debian's Chromium driven by Playwright, against a real server.

`.ci/run` installs Chromium (Debian package ``chromium``) and Playwright (test extra). Without
Chromium these tests skip locally and fail under CI. Screenshots of each page land in
``test-artifacts/`` (kept by CI as artefacts, ignored by git).
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _chromium() -> str:
    path = os.environ.get("KETENRADAR_CHROMIUM") or shutil.which("chromium")
    if not path:
        msg = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "KETENRADAR_DATA_DIR": str(tmp_path_factory.mktemp("web") / "store")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ketenradar", "serve", "--port", str(port)], env=env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/api/v1/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    exe = _chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    external = []
    pg.on(
        "request",
        lambda r: (
            external.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:")) else None
        ),
    )
    pg.external = external
    yield pg
    ctx.close()


def test_first_run_shows_real_content(page, base_url):
    page.goto(f"{base_url}/en/")
    counts = page.locator(".count .n").all_inner_texts()
    assert len(counts) == 4 and int(counts[1]) > 0  # dependent products (EU 2021)
    assert page.locator("#largest-dependencies tbody tr").count() == 10
    assert "Petroleum gases" in page.locator("#largest-dependencies").inner_text()
    assert page.locator("footer").inner_text().count("baci") >= 1
    page.screenshot(path=str(ARTIFACTS / "overview_en.png"), full_page=True)
    page.click("header a.lang")
    page.wait_for_url(f"{base_url}/nl/")
    assert "Grootste afhankelijkheden" in page.content()
    page.screenshot(path=str(ARTIFACTS / "overview_nl.png"), full_page=True)
    assert page.errors == [] and page.external == []


def test_explore_then_product_then_download(page, base_url, tmp_path):
    page.goto(f"{base_url}/en/dependencies?method=all")
    page.fill("input[name=q]", "cobalt")
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
    page.screenshot(path=str(ARTIFACTS / "product.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("#download-product-csv")
    years = list(csv.DictReader(Path(dl.value.path()).read_text("utf-8").splitlines()))
    assert len(years) == page.locator("#indicators tbody tr").count()
    assert page.errors == [] and page.external == []


def test_materials_chart_draws(page, base_url):
    page.goto(f"{base_url}/en/materials")
    page.wait_for_selector("#ei-sr-chart[data-drawn]", timeout=30_000)
    assert int(page.get_attribute("#ei-sr-chart", "data-drawn")) > 50
    assert page.locator("#ei-sr-chart .main-svg").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "materials.png"), full_page=True)
    assert page.errors == [] and page.external == []
