"""The JSON API and pages on the shipped starter pack (real derived facts): content, filters,
pagination, downloads, 4xx on bad parameters, security headers, and a real server process."""

from __future__ import annotations

import csv
import io
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from fastapi.testclient import TestClient

from ketenradar.core.countries import country_name
from ketenradar.core.groups import EU27
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.i18n import yesno
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.results import starter


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    data = tmp_path_factory.mktemp("api") / "data"
    return TestClient(create_app(settings=WebSettings.from_env(data)))


def test_overview_shows_real_counts(client: TestClient):
    r = client.get("/api/v1/overview", params={"economy": "NLD", "year": 2022})
    assert r.status_code == 200
    o = r.json()
    screening = starter.read("screening")
    nld = screening[(screening["importer"] == "NLD") & (screening["year"] == 2022)]
    assert o["counts"]["dependent_eu2021"] == int(nld["dependent_eu2021"].sum()) > 0
    assert o["counts"]["products_screened"] == len(nld)
    values = [d["external_imports_kusd"] for d in o["largest_dependencies"]]
    assert values == sorted(values, reverse=True)
    assert o["foreign_value_added"][0]["source_country"] == "USA"
    assert "baci" in " ".join(o["footer"]["sources"])


def test_overview_page_chooses_the_economy_and_year(client: TestClient):
    """The overview's form offers every importer and year of the facts; a chosen bloc and year
    give that screening's counts, and each dependency links to its product page."""
    html = client.get("/en/", params={"economy": "EU27", "year": 2010}).text
    assert "<h1>Overview: EU27 2010</h1>" in html
    form = html.split('id="overview-filters"')[1].split("</form>")[0]
    assert "<option selected>EU27</option>" in form and "<option>NLD</option>" in form
    assert "<option selected>2010</option>" in form and "<option>1995</option>" in form
    sc = starter.read("screening")
    eu = sc[(sc["importer"] == "EU27") & (sc["year"] == 2010)]
    counts = html.split('class="counts"')[1].split("</section>")[0]
    assert f'<span class="n">{int(eu["dependent_eu2021"].sum())}</span>' in counts
    top = html.split('id="largest-dependencies"')[1].split("</table>")[0]
    dep = eu[eu["dependent_eu2021"].fillna(False) | eu["dependent_geodep"].fillna(False)]
    first = dep.sort_values("external_imports_kusd", ascending=False)["product"].iloc[0]
    assert f'href="/en/products/{first}?importer=EU27"' in top
    # the starter pack's input-output exposure is the Netherlands' only: said, not left blank
    assert 'id="value-added-none"' in html and 'id="value-added"' not in html
    assert 'id="value-added"' in client.get("/en/").text
    assert client.get("/en/", params={"economy": "XXX"}).status_code == 400


def test_explorer_filters_sorts_and_pages(client: TestClient):
    base = {"importer": "NLD", "year": 2022, "method": "all", "page_size": 10}
    first = client.get("/api/v1/dependencies", params=base).json()
    sc = starter.read("screening")
    n = int(((sc["importer"] == "NLD") & (sc["year"] == 2022)).sum())
    assert first["total"] == n and len(first["rows"]) == 10 and first["pages"] == -(-n // 10)
    second = client.get("/api/v1/dependencies", params=base | {"page": 2}).json()
    assert {r["product"] for r in first["rows"]}.isdisjoint(r["product"] for r in second["rows"])
    asc = client.get("/api/v1/dependencies", params=base | {"sort": "supplier_hhi"}).json()
    hhi = [r["supplier_hhi"] for r in asc["rows"]]
    assert hhi == sorted(hhi)
    cobalt = client.get("/api/v1/dependencies", params=base | {"q": "cobalt"}).json()
    assert cobalt["total"] >= 1
    assert all("cobalt" in r["product_description"].lower() for r in cobalt["rows"])
    by_code = client.get("/api/v1/dependencies", params=base | {"q": "2605"}).json()
    assert all(r["product"].startswith("2605") for r in by_code["rows"])
    chn = client.get("/api/v1/dependencies", params=base | {"supplier": "chn"}).json()
    assert chn["total"] >= 1 and {r["top_supplier"] for r in chn["rows"]} == {"CHN"}


def test_csv_download_is_every_filtered_row(client: TestClient):
    # issue 15 point 12: the download holds the full filtered result, not the page shown
    params = {"importer": "EU27", "year": 2021, "method": "eu2021", "page": 2, "page_size": 5}
    shown = client.get("/api/v1/dependencies", params=params).json()
    r = client.get("/api/v1/dependencies.csv", params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == shown["total"]
    assert [row["product"] for row in rows[5:10]] == [s["product"] for s in shown["rows"]]


def test_xlsx_download_is_every_filtered_row_with_provenance(client: TestClient):
    import openpyxl

    sc = starter.read("screening")
    eco = "Energy-Intensive Industries"
    params = {"importer": "NLD", "year": 2022, "method": "all", "ecosystem": eco, "page_size": 7}
    shown = client.get("/api/v1/dependencies", params=params).json()
    want = sc[(sc["importer"] == "NLD") & (sc["year"] == 2022)]
    want = want[want["ecosystem"].fillna("").str.split("; ").apply(lambda e: eco in e)]
    assert shown["total"] == len(want) > 7
    r = client.get("/api/v1/dependencies.xlsx", params=params)
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    rows = list(wb["dependencies"].iter_rows(values_only=True))
    products = [x[rows[0].index("product")] for x in rows[1:]]
    assert len(products) == shown["total"] and products[:7] == [s["product"] for s in shown["rows"]]
    about = [r[0] for r in wb["provenance"].iter_rows(min_row=2, values_only=True)]
    assert any("ecosystem=Energy-Intensive Industries" in x for x in about)
    assert any(x.startswith("Data: baci") for x in about)
    page = client.get("/en/dependencies", params=params).text
    assert 'id="download-xlsx"' in page
    # the chosen ecosystem stays selected: its English name the value, its name the text
    assert f'<option value="{eco}" selected>{eco}</option>' in page
    nl = client.get("/nl/dependencies", params=params).text
    assert f'<option value="{eco}" selected>Energie-intensieve industrieën</option>' in nl


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("/api/v1/dependencies", {"importer": "XXX"}, 400, "importer 'XXX'"),
        ("/api/v1/dependencies", {"year": 1990}, 400, "year '1990'"),
        ("/api/v1/dependencies", {"sort": "nope"}, 400, "sort column 'nope'"),
        ("/api/v1/dependencies", {"page_size": 100000}, 400, "page_size must lie between 1 and"),
        ("/api/v1/dependencies", {"method": "x"}, 400, "method 'x'"),
        ("/api/v1/products/12", {}, 422, "hs6"),
        ("/api/v1/products/999999", {}, 404, "no product 999999"),
        ("/api/v1/io/exposure", {"by": "planet"}, 400, "by 'planet'"),
    ],
)
def test_bad_parameters_are_4xx_with_a_message(client, path, params, status, words):
    r = client.get(path, params=params)
    assert r.status_code == status
    assert words in r.json()["detail"]


def test_pages_in_both_languages_with_headers(client: TestClient):
    assert (
        client.get("/", headers={"accept-language": "nl-NL"}, follow_redirects=False).headers[
            "location"
        ]
        == "/nl/"
    )
    nl = client.get("/nl/")
    en = client.get("/en/")
    assert nl.status_code == en.status_code == 200
    assert "Grootste afhankelijkheden" in nl.text and "Largest dependencies" in en.text
    assert "default-src 'self'" in en.headers["content-security-policy"]
    assert en.headers["x-frame-options"] == "DENY"
    assert "http://" not in en.text and "https://" not in en.text  # nothing from another host
    page = client.get("/en/dependencies", params={"q": "cobalt", "method": "all"})
    assert page.status_code == 200 and "dependencies.csv?" in page.text
    bad = client.get("/nl/dependencies", params={"year": 1990})  # not in the data
    assert bad.status_code == 400 and "Fout" in bad.text
    bad = client.get("/nl/dependencies", params={"year": 1800})  # outside the valid range
    assert bad.status_code == 422 and "Fout" in bad.text
    assert client.get("/xx/").status_code == 404


def test_openapi_documents_every_endpoint(client: TestClient):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/overview", "/api/v1/dependencies", "/api/v1/materials"} <= set(paths)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_starts_a_real_server(tmp_path):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ketenradar", "serve", "--port", str(port)],
        env={"KETENRADAR_DATA_DIR": str(tmp_path / "store"), "PATH": "/usr/bin:/bin"},
    )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/overview"
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    body = resp.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not answer")
        assert '"dependent_eu2021"' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/nl/", timeout=5) as resp:
            assert "Overzicht" in resp.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_materials_and_input_output_endpoints(client: TestClient):
    m = client.get("/api/v1/materials").json()
    assert m["thresholds"] == {"ei": 2.8, "sr": 1.0}
    gallium = [r for r in m["criticality"] if r["material"] == "gallium"]
    assert gallium and gallium[0]["sr_published"] == pytest.approx(3.9)
    assert any(r["meets_65"] is False for r in m["crma"])
    io_ = client.get("/api/v1/io/exposure", params={"by": "industry"}).json()
    assert len(io_["rows"]) == 50 and "foreign_va_content" in io_["rows"][0]
    p = client.get("/api/v1/products/810510").json()  # cobalt mattes, unwrought cobalt (HS92)
    assert p["indicators"] and p["suppliers"]
    years = {s["year"] for s in p["suppliers"]}
    assert len(years) > 20


# ferro-niobium: NLD depends on Brazil and, above the materiality minimum, Israel on NLD
@pytest.mark.parametrize(("hs6", "importer"), [("720293", "NLD"), ("720293", "EU27")])
def test_product_balance_equals_the_starter_tables(client: TestClient, hs6: str, importer: str):
    """Where a product sits in the balance, recomputed here from the starter tables."""
    b = client.get(f"/api/v1/products/{hs6}", params={"importer": importer}).json()["balance"]
    bal = starter.read("balance")
    bal = bal[bal["importer"] == importer]
    year = int(bal["year"].max())
    assert b["year"] == year and b["method"] == "eu2021"
    bp = starter.read("balance_products")
    bp = bp[(bp["importer"] == importer) & (bp["product"] == hs6)]
    now = bp[bp["year"] == year]
    whole = bal[bal["year"] == year].set_index("partner")
    for side, key in (
        ("importer depends on partner", "importer_depends_on"),
        ("partner depends on importer", "partners_depending"),
    ):
        expected = now[now["side"] == side].sort_values("dependent_imports_kusd", ascending=False)
        got = b[key]
        assert [r["partner"] for r in got] == list(expected["partner"])
        for r, e in zip(got, expected.itertuples(), strict=True):
            assert r["dependent_imports_kusd"] == pytest.approx(e.dependent_imports_kusd)
            assert r["top_supplier"] == e.top_supplier
            w = whole.loc[r["partner"]]
            assert r["importer_dependent_products"] == w["importer_dependent_products"]
            assert r["partner_dependent_products"] == w["partner_dependent_products"]
            ratio = w["balance_ratio_products"]
            assert r["balance_ratio_products"] == (None if ratio == float("inf") else ratio)
    # the screening agrees on the importer side: dependent, and the top supplier is the partner
    scr = starter.read("screening")
    row = scr[(scr["importer"] == importer) & (scr["product"] == hs6) & (scr["year"] == year)]
    if b["importer_depends_on"]:
        assert bool(row["dependent_eu2021"].iloc[0])
        assert b["importer_depends_on"][0]["partner"] == row["top_supplier"].iloc[0]
    # over time: one entry per year of the balance, counting both sides
    assert [r["year"] for r in b["over_time"]] == sorted(bal["year"].unique())
    for r in b["over_time"]:
        yr = bp[bp["year"] == r["year"]]
        theirs = yr[yr["side"] == "partner depends on importer"]
        assert r["partners_depending"] == len(theirs)
        assert set(r["partners"]) == set(theirs["partner"])
        assert r["partners_dependent_kusd"] == pytest.approx(theirs["dependent_imports_kusd"].sum())
    assert sum(r["partners_depending"] for r in b["over_time"]) > 0
    assert b["importer_depends_on"] and b["partners_depending"]


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("en", "mutual-dependency balance"), ("nl", "wederzijdse afhankelijkheid")],
)
def test_product_page_shows_the_balance(client: TestClient, lang: str, heading: str):
    html = client.get(f"/{lang}/products/720293").text
    assert heading in html
    partners = html.split('id="balance-partners"')[1].split("</table>")[0]
    b = client.get("/api/v1/products/720293").json()["balance"]
    shown = [tr.split('data-partner="')[1].split('"')[0] for tr in partners.split("<tr ")[1:]]
    assert shown == [r["partner"] for r in b["partners_depending"]]
    assert f"/{lang}/countries/BRA?importer=NLD" in html.split('id="balance-importer"')[1]


def test_product_page_switches_importer_and_marks_suppliers_within_the_eu(client: TestClient):
    """EU27's supplier shares are of all its imports (intra-EU trade counts, as in the
    screening), so members appear as suppliers: marked within the EU, never external."""
    p = client.get("/api/v1/products/720293", params={"importer": "EU27"}).json()
    assert p["importers"] == ["EU27", "NLD"] and p["thresholds"]["supplier_hhi"] == 0.4
    sup = starter.read("suppliers")
    sup = sup[(sup["importer"] == "EU27") & (sup["product"] == "720293")]
    for _, year in sup.groupby("year"):
        assert year["share"].sum() == pytest.approx(1.0)
    members = {r["supplier"] for r in p["suppliers"] if r["external"] is False}
    assert "NLD" in members and members <= set(EU27)
    outside = {r["supplier"] for r in p["suppliers"] if r["external"] is True}
    assert outside and outside.isdisjoint(EU27)
    html = client.get("/nl/products/720293", params={"importer": "EU27"}).text
    form = html.split('id="product-filters"')[1].split("</form>")[0]
    assert "<option selected>EU27</option>" in form and "<option>NLD</option>" in form
    table = html.split('id="suppliers"')[1].split("</table>")[0]
    # suppliers by their Dutch name (CLDR); the Netherlands marked as within the EU
    start = f"<td>2024</td><td>{country_name('NLD', 'nl')}</td>"
    assert start == "<td>2024</td><td>Nederland</td>"
    nld_2024 = next(r for r in table.split("<tr>") if r.startswith(start))
    assert yesno(True, "nl") in nld_2024 and 'aria-label="ja">✓</span>' in nld_2024
    bra_2024 = next(r for r in table.split("<tr>") if r.startswith("<td>2024</td><td>Brazilië"))
    assert yesno(False, "nl") in bra_2024
    assert 'id="product-indicators-chart"' in html and '<script src="/static/product.js">' in html
    assert client.get("/static/product.js").status_code == 200


def test_materials_page_and_its_offline_chart_library(client: TestClient):
    page = client.get("/en/materials")
    assert page.status_code == 200 and 'id="ei-sr-chart"' in page.text
    url = re.search(r'<script src="(/vendor/plotly-[0-9.]+\.min\.js)">', page.text)[1]
    js = client.get(url)
    assert js.status_code == 200 and len(js.content) > 1_000_000
    assert client.get("/static/materials.js").status_code == 200
    assert "Kritieke grondstoffen" in client.get("/nl/materials").text
