"""Every page's "download all rows" links, clicked in a real browser (issue 15 point 12).

For each page: the three links are there with their labels (Dutch on /nl/), the CSV, XLSX and
Parquet the browser saves parse (pandas, openpyxl, pyarrow) and hold the same number of rows,
and the CSV's provenance sidecar names the datasets' releases and checksums.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from browser_support import load_icio, run_shock, run_tin_whatif, shot
from conftest import require_shared, running_server

PAGES = [
    ("en", "dependencies", "download"),
    ("nl", "products/260300", "download-product"),
    ("en", "countries", "download-countries"),
    ("nl", "countries/CHN", "download-we-import"),
    ("en", "materials", "download-criticality"),
    ("nl", "materials/tin", "download-concentration"),
    ("en", "bom?name=mri_scanner", "download-bom-materials"),
    ("en", "io", "download-io-industries"),
    ("nl", "data", "download-datasets"),
    ("en", "", "download-overview-dependencies"),
    ("nl", "?economy=NLD&method=geodep", "download-overview-countries"),
    ("nl", "treemap", "download-treemap"),
    ("en", "treemap?by=supplier", "download-treemap-flows"),
    ("nl", "compare?material=Cobalt", "download-compare"),
]


def _save(page, selector: str) -> Path:
    with page.expect_download() as dl:
        page.click(selector)
    return Path(dl.value.path())


@pytest.mark.parametrize(("lang", "path", "stem"), PAGES, ids=[p[1] or "overview" for p in PAGES])
def test_each_page_offers_every_row_in_three_formats(page, base_url, lang, path, stem):
    page.goto(f"{base_url}/{lang}/{path}")
    box = page.locator(f"#{stem}-downloads")
    box.scroll_into_view_if_needed()
    label = "Alle rijen downloaden" if lang == "nl" else "Download all rows"
    assert label in box.inner_text()
    shot(page, f"downloads_{path.split('?')[0].replace('/', '_') or 'overview'}_{lang}")
    csv = pd.read_csv(_save(page, f"#{stem}-csv"))
    xlsx = io.BytesIO(_save(page, f"#{stem}-xlsx").read_bytes())  # saved without a suffix
    book = openpyxl.load_workbook(xlsx)
    assert "provenance" in book.sheetnames
    parquet = pq.read_table(_save(page, f"#{stem}-parquet"))
    href = page.get_attribute(f"#{stem}-csv", "href")
    table = dict(p.split("=", 1) for p in href.split("?", 1)[1].split("&")).get("table") if (
        "?" in href) else None  # fmt: skip
    sheet = pd.read_excel(xlsx, sheet_name=table or book.sheetnames[0])
    assert len(csv) == len(sheet) == parquet.num_rows > 0
    side = json.loads(_save(page, f"#{stem}-provenance").read_text("utf-8"))
    assert side["datasets"] and all(d["release"] for d in side["datasets"])
    assert any(i["sha256"] for d in side["datasets"] for i in d.get("inputs", []))
    assert page.errors == [] and page.external == []


def test_the_explorer_download_holds_more_than_the_page(page, base_url):
    page.goto(f"{base_url}/en/dependencies?importer=NLD&year=2022&method=any&page_size=5")
    shown = page.locator("#dependencies tbody tr").count()
    rows = pd.read_csv(_save(page, "#download-csv"))
    assert shown == 5 < len(rows)
    shot(page, "downloads_explorer_paged")


def _posted_files(page, stem: str) -> dict[str, Path]:
    """Click the four buttons of a POSTed result's downloads box; the saved files by format."""
    box = page.locator(f"#{stem}-downloads")
    box.scroll_into_view_if_needed()
    files = {}
    for fmt in ("csv", "xlsx", "parquet", "provenance"):
        with page.expect_download() as dl:
            page.click(f"#{stem}-{fmt}")
        files[fmt] = Path(dl.value.path())
        files[f"{fmt}_name"] = dl.value.suggested_filename
    assert box.locator(".download-status").inner_text() == ""
    return files


def test_the_whatif_result_downloads_every_row(page, base_url):
    """The what-if is drawn by JavaScript from a POSTed scenario: its downloads POST the same
    scenario (with the CSRF token) and save every material and stage, not only the changed
    rows the table shows."""
    run_tin_whatif(page, base_url, "nl")
    box = page.locator("#download-whatif-run-downloads")
    assert "Alle rijen downloaden" in box.inner_text()
    rows = page.locator("#whatif-table tbody tr").all()
    shown = {(r.get_attribute("data-material"), r.get_attribute("data-stage")) for r in rows}
    files = _posted_files(page, "download-whatif-run")
    shot(page, "downloads_whatif_nl")
    assert files["csv_name"] == "whatif_whatif.csv" and files["xlsx_name"] == "whatif.xlsx"
    csv = pd.read_csv(files["csv"])
    parquet = pq.read_table(files["parquet"])
    xlsx = io.BytesIO(files["xlsx"].read_bytes())  # saved without a suffix
    book = openpyxl.load_workbook(xlsx)
    assert {"whatif", "status_changes", "provenance", "columns"} <= set(book.sheetnames)
    sheet = pd.read_excel(xlsx, sheet_name="whatif")
    assert len(csv) == len(sheet) == parquet.num_rows > len(shown) > 0
    assert set(csv["material"]) >= {"tin", "cobalt", "lithium"}
    # the table shows the changed rows; the file holds them (and every other) with the flag
    changed = csv[csv["changed"]]
    assert set(zip(changed["material"], changed["stage"].fillna(""), strict=True)) == shown
    assert ("tin", "extraction") in shown
    # the same document the page ran: its changes are in the provenance
    prov = json.loads(parquet.schema.metadata[b"ketenradar.provenance"])
    assert "what-if" in prov["analysis"]
    assert prov["command"] == "POST /api/v1/materials/whatif.parquet"
    assert prov["parameters"]["changes"] == [
        {"type": "export_restriction", "material": "tin", "country": "CHN", "t": 1.5}
    ]
    side = json.loads(files["provenance"].read_text("utf-8"))
    assert side["datasets"] and all(d["release"] for d in side["datasets"])
    assert any(i["sha256"] for d in side["datasets"] for i in d.get("inputs", []))
    assert page.errors == [] and page.external == []


@pytest.fixture(scope="module")
def icio_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server over a store with the real OECD ICIO 2022 table loaded (the shock needs it)."""
    store = tmp_path_factory.mktemp("downloads-shock") / "store"
    with running_server(load_icio(require_shared("icio_oecd_2022"), store)) as url:
        yield url


@pytest.mark.realdata
def test_the_shock_result_downloads_every_row(page, icio_url):
    """The shock is drawn by JavaScript from a POSTed shock: its downloads POST the same
    shock and save TOTAL and every industry, as the table on the page lists them."""
    run_shock(page, icio_url, "en", supplier="CHN", fall="50", industries="C26, C27")
    shown = page.locator("#shock-result tbody tr").all()
    assert "Download all rows" in page.locator("#download-shock-downloads").inner_text()
    files = _posted_files(page, "download-shock")
    shot(page, "downloads_shock_en")
    assert files["csv_name"] == "io_shock_NLD_CHN_0.5_world.csv"
    csv = pd.read_csv(files["csv"])
    parquet = pq.read_table(files["parquet"]).to_pandas()
    sheet = pd.read_excel(io.BytesIO(files["xlsx"].read_bytes()), sheet_name="shock")
    assert len(csv) == len(sheet) == len(parquet) == len(shown) > 1
    assert csv["industry"].iloc[0] == "TOTAL"
    assert csv["industry"].tolist() == [r.get_attribute("data-industry") for r in shown]
    total = parquet[parquet["industry"] == "TOTAL"]["output_loss_musd"].iloc[0]
    rest = parquet[parquet["industry"] != "TOTAL"]["output_loss_musd"].sum()
    assert total == pytest.approx(rest, rel=1e-9)
    side = json.loads(files["provenance"].read_text("utf-8"))
    (shock,) = side["parameters"]["scenarios"][0]["shocks"]  # the shock the page ran
    assert shock["supplier"] == "CHN" and shock["fall"] == 0.5
    assert shock["industries"] == ["C26", "C27"] and side["parameters"]["economy"] == "NLD"
    assert side["command"] == "POST /api/v1/io/shock.csv"
    assert any(i.get("sha256") for d in side["datasets"] for i in d.get("inputs", []))
    assert page.errors == [] and page.external == []
