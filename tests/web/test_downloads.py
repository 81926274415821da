"""Downloads: every page's tables as CSV, XLSX and Parquet, every row, with the provenance.

Against the real app (FastAPI TestClient over the committed starter pack): for each page the
download's row count equals the full result the JSON API reports (not the page on screen),
the three formats parse (pandas, openpyxl, pyarrow) and agree, the provenance names the
dataset releases and checksums, and floats carry no binary noise.
"""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import csrf_headers
from fastapi.testclient import TestClient

from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.downloads import SIGNIFICANT_DIGITS, rounded
from ketenradar.interfaces.web.settings import WebSettings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    settings = WebSettings.from_env(tmp_path_factory.mktemp("downloads") / "store")
    return TestClient(create_app(settings=settings))


def _full(client: TestClient, url: str, key: str | None = None) -> int:
    """The size of the full result the JSON API reports: ``total``, or the length (or value,
    for a count) at ``key`` (a dotted path)."""
    value = client.get(url).json()
    for part in (key or "total").split("."):
        value = value[part]
    return value if isinstance(value, int) else len(value)


# (page, download path, query, the page's JSON url, how to count the full result there)
CASES = [
    ("explorer", "/api/v1/dependencies", {"importer": "EU27", "method": "any"},
     "/api/v1/dependencies?importer=EU27&method=any&page_size=1", None),
    ("explorer-filtered", "/api/v1/dependencies",
     {"importer": "NLD", "year": 2022, "method": "all", "page": 2, "page_size": 5},
     "/api/v1/dependencies?importer=NLD&year=2022&method=all&page_size=1", None),
    ("product", "/api/v1/products/260300", {"importer": "NLD"},
     "/api/v1/products/260300?importer=NLD", "indicators"),
    ("product-suppliers", "/api/v1/products/260300", {"importer": "NLD", "table": "suppliers"},
     "/api/v1/products/260300?importer=NLD", "suppliers"),
    ("countries", "/api/v1/countries", {"importer": "NLD"}, "/api/v1/countries?importer=NLD",
     "rows"),
    ("country", "/api/v1/countries/CHN", {"table": "we_import"}, "/api/v1/countries/CHN",
     "we_import"),
    ("country-balance", "/api/v1/countries/CHN", {"table": "balance_over_time"},
     "/api/v1/countries/CHN", "balance_over_time"),
    ("materials", "/api/v1/materials", {}, "/api/v1/materials", "criticality"),
    ("materials-crma", "/api/v1/materials", {"table": "crma"}, "/api/v1/materials", "crma"),
    ("material", "/api/v1/materials/tin", {}, "/api/v1/materials/tin", "reconciliation"),
    ("material-concentration", "/api/v1/materials/tin", {"table": "concentration"},
     "/api/v1/materials/tin", "concentration"),
    ("bom", "/api/v1/bom/mri_scanner/exposure", {}, "/api/v1/bom/mri_scanner/exposure",
     "materials"),
    ("bom-countries", "/api/v1/bom/mri_scanner/exposure", {"table": "countries"},
     "/api/v1/bom/mri_scanner/exposure", "countries"),
    ("io", "/api/v1/io/industries", {}, "/api/v1/io/industries", "rows"),
    ("io-exposure", "/api/v1/io/exposure", {"by": "country"}, "/api/v1/io/exposure", "rows"),
    ("overview", "/api/v1/overview", {"economy": "NLD", "method": "eu2021"},
     "/api/v1/overview?economy=NLD&method=eu2021", "counts.dependent_eu2021"),
    ("overview-any", "/api/v1/overview", {"economy": "EU27", "method": "any"},
     "/api/v1/dependencies?importer=EU27&method=any&page_size=1", None),
    ("overview-crma", "/api/v1/overview", {"table": "crma"}, "/api/v1/overview", "crma_flags"),
    ("treemap", "/api/v1/treemap", {"importer": "NLD"}, "/api/v1/treemap?importer=NLD",
     "blocks"),
    ("treemap-by-supplier", "/api/v1/treemap", {"by": "supplier", "scope": "all"},
     "/api/v1/treemap?by=supplier&scope=all", "blocks"),
    ("compare", "/api/v1/compare", {"product": "260300"}, "/api/v1/compare?product=260300",
     "rows"),
    ("compare-material", "/api/v1/compare", {"material": "Cobalt"},
     "/api/v1/compare?material=Cobalt", "rows"),
]  # fmt: skip


def _three(client: TestClient, path: str, query: dict) -> tuple[pd.DataFrame, ...]:
    got = {}
    for fmt in ("csv", "xlsx", "parquet"):
        r = client.get(f"{path}.{fmt}", params=query)
        assert r.status_code == 200, f"{path}.{fmt}: {r.status_code} {r.text[:300]}"
        assert "attachment" in r.headers["content-disposition"]
        got[fmt] = r
    csv = pd.read_csv(io.BytesIO(got["csv"].content), keep_default_na=False, na_values=[""])
    book = openpyxl.load_workbook(io.BytesIO(got["xlsx"].content))
    table = query.get("table") or book.sheetnames[0]
    assert table in book.sheetnames and "provenance" in book.sheetnames
    xlsx = pd.read_excel(io.BytesIO(got["xlsx"].content), sheet_name=table)
    parquet = pq.read_table(io.BytesIO(got["parquet"].content))
    return csv, xlsx, parquet, got, book


@pytest.mark.parametrize(("name", "path", "query", "api", "key"), CASES, ids=[c[0] for c in CASES])
def test_every_page_downloads_every_row_in_three_formats_that_agree(
    client: TestClient, name: str, path: str, query: dict, api: str, key: str | None
):
    csv, xlsx, parquet, got, book = _three(client, path, query)
    want = _full(client, api, key)
    assert len(csv) == len(xlsx) == parquet.num_rows == want > 0
    df = parquet.to_pandas()
    assert list(csv.columns) == list(xlsx.columns) == list(df.columns)
    for col in df.columns:  # the same values in each format (text compared as text)
        a, b, c = df[col], csv[col], xlsx[col]
        if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
            pd.testing.assert_series_equal(
                pd.to_numeric(b, errors="coerce"), a.astype(float), check_names=False,
                check_dtype=False, rtol=1e-12)  # fmt: skip
            pd.testing.assert_series_equal(
                pd.to_numeric(c, errors="coerce"), a.astype(float), check_names=False,
                check_dtype=False, rtol=1e-12)  # fmt: skip
        else:
            norm = lambda s: s.map(lambda v: "" if pd.isna(v) else str(v))  # noqa: E731
            assert norm(a).tolist() == norm(b).tolist(), col
    # the provenance: in the Parquet metadata, the XLSX sheet and the CSV's linked sidecar
    prov = json.loads(parquet.schema.metadata[b"ketenradar.provenance"])
    assert prov["datasets"] and all(d.get("release") for d in prov["datasets"])
    assert any(i.get("sha256") for d in prov["datasets"] for i in d.get("inputs", []))
    assert prov["methods"] and prov["parameters"]["significant_digits"] == SIGNIFICANT_DIGITS
    lines = [r[0] for r in book["provenance"].iter_rows(min_row=2, values_only=True)]
    assert any("sha256" in (x or "") for x in lines) and any("Method:" in x for x in lines)
    link = got["csv"].headers["link"]
    sidecar = re.match(r"<([^>]+)>; rel=\"describedby\"", link)[1]
    side = client.get(sidecar).json()
    assert side["datasets"] == prov["datasets"] and side["command"].startswith(f"GET {path}.csv")
    assert {c["name"] for c in side["columns"]} == set(df.columns)


def test_the_explorer_download_is_every_filtered_row_not_the_page(client: TestClient):
    query = {"importer": "NLD", "year": 2022, "method": "any", "page": 2, "page_size": 5}
    page = client.get("/api/v1/dependencies", params=query).json()
    whole = query | {"page": 1, "page_size": 500}
    everything = client.get("/api/v1/dependencies", params=whole).json()
    r = client.get("/api/v1/dependencies.csv", params=query)
    rows = pd.read_csv(io.BytesIO(r.content), dtype={"product": str})
    assert len(rows) == page["total"] > len(page["rows"])
    assert rows["product"].tolist()[:5] == [x["product"] for x in everything["rows"][:5]]
    assert set(rows["product"]) == {x["product"] for x in everything["rows"]}


def test_the_explorer_download_records_the_thresholds_it_was_screened_with(client: TestClient):
    """The provenance names the materiality minimums (issue 15, point 4) beside the published
    thresholds, the same values the product API reports, and the rows obey them."""
    from ketenradar.core.settings import settings

    query = {"importer": "NLD", "year": 2022, "method": "eu2021"}
    r = client.get("/api/v1/dependencies.parquet", params=query)
    table = pq.read_table(io.BytesIO(r.content))
    th = json.loads(table.schema.metadata[b"ketenradar.provenance"])["thresholds"]
    assert th["min_dependency_kusd"] == settings().min_dependency_kusd > 0
    assert th["min_dependency_share"] == settings().min_dependency_share > 0
    assert th["supplier_hhi"] == 0.4 and th["external_share"] == 0.5
    product = client.get("/api/v1/products/260300", params={"importer": "NLD"}).json()
    assert product["thresholds"] == th
    rows = table.to_pandas()
    dependent = rows[rows["dependent_eu2021"]]
    assert len(dependent) > 0
    assert (dependent["top_supplier_kusd"] >= th["min_dependency_kusd"]).all()
    assert (
        dependent["top_supplier_kusd"] >= th["min_dependency_share"] * dependent["imports_kusd"]
    ).all()
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/api/v1/dependencies.xlsx", params=query).content)
    )
    lines = [x[0] or "" for x in book["provenance"].iter_rows(min_row=2, values_only=True)]
    assert any("min_dependency_kusd" in x for x in lines), lines


def test_labels_and_units_travel_with_the_files(client: TestClient):
    r = client.get("/api/v1/dependencies.parquet")
    field = pq.read_table(io.BytesIO(r.content)).schema.field("external_imports_kusd")
    assert field.metadata[b"unit"] == b"kUSD" and field.metadata[b"label"]
    book = openpyxl.load_workbook(io.BytesIO(client.get("/api/v1/dependencies.xlsx").content))
    cols = {row[1]: row for row in book["columns"].iter_rows(min_row=2, values_only=True)}
    assert cols["external_imports_kusd"][3] == "kUSD" and cols["external_imports_kusd"][2]


def test_numbers_carry_no_float_noise(client: TestClient):
    text = client.get("/api/v1/countries.csv", params={"measure": "balance_ratio_kusd"}).text
    text += client.get("/api/v1/materials.csv").text + client.get("/api/v1/io/industries.csv").text
    digits = [len(re.sub(r"\D", "", m.split("e")[0]).lstrip("0")) for m in
              re.findall(r"-?\d+\.\d+(?:e[-+]?\d+)?", text)]  # fmt: skip
    assert digits and max(digits) <= SIGNIFICANT_DIGITS
    noisy = pd.DataFrame({"x": [0.1 + 0.2, 1 / 3, 8413546.123 + 1e-9, float("nan")]})
    assert rounded(noisy)["x"].tolist()[:3] == [0.3, 0.333333333333, 8413546.123]


def test_data_page_download_lists_every_input_file_with_its_checksum(client: TestClient):
    manifest = client.get("/api/v1/facts").json()
    n_inputs = sum(len(d["inputs"]) or 1 for d in manifest["datasets"])
    csv, _, parquet, got, _ = _three(client, "/api/v1/datasets", {})
    assert len(csv) == parquet.num_rows == n_inputs
    assert csv["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    tables = pd.read_excel(io.BytesIO(got["xlsx"].content), sheet_name="fact_tables")
    assert set(tables["table"]) == set(manifest["tables"])


def test_the_old_urls_still_answer_and_the_pages_link_every_format(client: TestClient):
    for url in ("/api/v1/dependencies.csv", "/api/v1/dependencies.xlsx",
                "/api/v1/products/260300.csv?importer=NLD"):  # fmt: skip
        assert client.get(url).status_code == 200
    pages = {
        "/en/dependencies": "download",
        "/nl/products/260300": "download-product",
        "/en/countries": "download-countries",
        "/nl/countries/CHN": "download-we-import",
        "/en/materials": "download-criticality",
        "/nl/materials/tin": "download-concentration",
        "/en/bom?name=mri_scanner": "download-bom-materials",
        "/nl/io": "download-io-industries",
        "/en/data": "download-datasets",
        "/nl/": "download-overview-dependencies",
        "/en/?economy=NLD&method=geodep": "download-overview-countries",
        "/nl/?economy=NLD": "download-overview-value-added",
        "/en/treemap": "download-treemap",
        "/nl/treemap?by=supplier": "download-treemap-flows",
        "/en/compare?material=Cobalt": "download-compare",
    }
    for url, stem in pages.items():
        html = client.get(url).text
        for fmt in ("csv", "xlsx", "parquet"):
            link = re.search(rf'id="{stem}-{fmt}" href="([^"]+)"', html)
            assert link, f"{url}: no {fmt} link"
            assert client.get(link[1].replace("&amp;", "&")).status_code == 200
    assert "Alle rijen downloaden" in client.get("/nl/materials").text
    assert "Download all rows" in client.get("/en/materials").text


def test_whatif_downloads_from_a_posted_document(client: TestClient):
    doc = {"name": "tin", "changes": [{"export_restriction": {"material": "tin",
           "country": "CHN", "t": 1.5}}]}  # fmt: skip
    res = client.post("/api/v1/materials/whatif", json=doc, headers=csrf_headers(client))
    r = client.post("/api/v1/materials/whatif.parquet", json=doc, headers=csrf_headers(client))
    assert r.status_code == 200
    table = pq.read_table(io.BytesIO(r.content))
    assert table.num_rows == len(res.json()["rows"])
    prov = json.loads(table.schema.metadata[b"ketenradar.provenance"])
    assert prov["datasets"] and "what-if" in prov["analysis"]


def test_downloads_are_in_the_openapi(client: TestClient):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/v1/dependencies.{fmt}", "/api/v1/countries/{iso3}.{fmt}",
              "/api/v1/materials/{material}.{fmt}", "/api/v1/materials/whatif.{fmt}",
              "/api/v1/datasets.{fmt}"):  # fmt: skip
        assert p in paths and "get" in paths[p], p


def test_the_overview_downloads_every_row_of_each_block(client: TestClient):
    """The page shows ten rows of each block; the files hold them all, and the shown ten are
    their head (the same definition of dependent, the method named in the provenance)."""
    o = client.get("/api/v1/overview", params={"economy": "NLD", "method": "geodep"}).json()
    q = {"economy": "NLD", "year": o["year"], "method": "geodep"}

    def table(name: str) -> pd.DataFrame:
        r = client.get("/api/v1/overview.parquet", params=q | {"table": name})
        assert r.status_code == 200
        return pq.read_table(io.BytesIO(r.content)).to_pandas()

    deps = table("dependencies")
    assert len(deps) == o["counts"]["dependent_geodep"] and deps["dependent_geodep"].all()
    shown = [r["product"] for r in o["largest_dependencies"]]
    assert deps["product"].tolist()[: len(shown)] == shown
    countries = table("countries")
    assert countries["products"].sum() == len(deps)  # each product counted once, by top supplier
    assert countries["country"].tolist()[:10] == [r["country"] for r in o["countries_depended_on"]]
    va = table("value_added")
    assert len(va) > len(o["foreign_value_added"]) == 10
    assert not va["domestic"].any()
    side = client.get("/api/v1/overview.csv.provenance.json", params=q).json()
    assert side["parameters"]["method"] == "geodep"
    # every block's source, as the page names it, is a dataset release of the provenance
    for block in o["blocks"].values():
        assert any(d["release"] in block["source"] for d in side["datasets"]), block
    assert all(i["sha256"] for d in side["datasets"] for i in d["inputs"])


def test_the_treemap_download_adds_up_to_the_chart(client: TestClient):
    """Every block and every flow: the blocks and the flows each add up to the treemap's
    total, and there is a flow for every leaf of the chart."""
    for by, scope in (("product", "external"), ("supplier", "all")):
        m = client.get("/api/v1/treemap", params={"by": by, "scope": scope}).json()
        q = {"by": by, "scope": scope, "year": m["year"]}
        blocks = pd.read_csv(
            io.BytesIO(client.get("/api/v1/treemap.csv", params=q).content), dtype=str
        )
        flows = pq.read_table(
            io.BytesIO(client.get("/api/v1/treemap.parquet", params=q | {"table": "flows"}).content)
        ).to_pandas()
        assert len(blocks) == m["blocks"] >= len(m["largest"])
        assert blocks[by].tolist()[: len(m["largest"])] == [str(r[by]) for r in m["largest"]]
        total = m["total_kusd"]
        assert blocks["value_kusd"].astype(float).sum() == pytest.approx(total, rel=1e-9)
        assert flows["value_kusd"].sum() == pytest.approx(total, rel=1e-9)
        assert blocks["share"].astype(float).sum() == pytest.approx(1, rel=1e-9)
        leaves = [n for n in m["nodes"] if n["id"].count("/") == 2]
        assert len(flows) == len(leaves)


def test_the_comparison_download_is_the_table_on_the_page(client: TestClient):
    c = client.get("/api/v1/compare", params={"material": "Cobalt", "lang": "nl"}).json()
    r = client.get("/api/v1/compare.xlsx", params={"material": "Cobalt", "lang": "nl"})
    sheet = pd.read_excel(io.BytesIO(r.content), sheet_name="compare")
    assert sheet["importer"].tolist() == [x["importer"] for x in c["rows"]]
    assert sheet["importer"].iloc[0] == "EU27" and len(sheet) == 28
    assert sheet["name"].tolist() == [x["name"] for x in c["rows"]]  # Dutch names
    assert sheet["external_imports_kusd"].tolist() == pytest.approx(
        [x["external_imports_kusd"] for x in c["rows"]], rel=1e-11
    )
    prov = openpyxl.load_workbook(io.BytesIO(r.content))["provenance"]
    text = "\n".join(str(row[0]) for row in prov.iter_rows(values_only=True))
    assert "Cobalt" in text and "sha256" in text


def test_a_saved_bom_downloads_its_exposure(tmp_path):
    """A saved BOM (here the packaged MRI scanner's file, saved shared by an analyst) offers
    the same downloads as the packaged one, with the same rows, on its page."""
    from importlib.resources import files

    from ketenradar.registry import service

    app = create_app(settings=WebSettings.from_env(tmp_path / "store"))
    user = service.create_user(app.state.accounts, "alice", "correct horse battery", "analyst")
    text = files("ketenradar.data.boms").joinpath("mri_scanner.yaml").read_text("utf-8")
    item = service.save_item(app.state.accounts, user, "bom", "my scanner", text, private=False)
    c = TestClient(app)
    html = c.get(f"/en/bom?saved={item.id}").text
    for table in ("materials", "countries"):
        link = re.search(rf'id="download-bom-{table}-parquet" href="([^"]+)"', html)[1]
        saved = pq.read_table(io.BytesIO(c.get(link.replace("&amp;", "&")).content))
        url = "/api/v1/bom/mri_scanner/exposure.parquet"
        packaged = pq.read_table(io.BytesIO(c.get(url, params={"table": table}).content))
        assert saved.num_rows == packaged.num_rows > 0
        assert saved.to_pandas().equals(packaged.to_pandas())
        prov = json.loads(saved.schema.metadata[b"ketenradar.provenance"])
        assert prov["parameters"]["saved_bom"] == item.id and prov["datasets"]
    # another user's private BOM is not found, as on its page
    secret = service.save_item(app.state.accounts, user, "bom", "mine", text, private=True)
    r = c.get("/api/v1/bom/exposure.csv", params={"saved": secret.id})
    assert r.status_code == 404 and r.json()["code"]
    # without a saved BOM: the packaged ones, each with its own download
    boms = pd.read_csv(io.BytesIO(c.get("/api/v1/bom/exposure.csv").content))
    assert set(boms["name"]) == {b["name"] for b in c.get("/api/v1/bom/packaged").json()}
