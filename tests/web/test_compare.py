"""The comparison of EU27 members (/api/v1/compare, /{lang}/compare) and the treemap
(/api/v1/treemap, /{lang}/treemap) on the shipped starter pack, checked against the fact
tables read with pandas; the comparison table against a fresh screening of the real BACI
data."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from ketenradar.core.groups import EU27
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.results import starter


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(settings=WebSettings.from_env(tmp_path_factory.mktemp("web"))))


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {n: starter.read(n) for n in ("comparison", "screening", "suppliers", "geopolrisk")}


def _get(client: TestClient, url: str, **params) -> dict:
    r = client.get(url, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_comparison_holds_every_member_and_nld_equals_the_screening(tables):
    comp, scr = tables["comparison"], tables["screening"]
    assert set(comp["importer"]) == set(EU27)
    years = sorted(comp["year"].unique())
    assert len(years) == 5 and years[-1] == scr["year"].max()
    cols = [c for c in comp.columns if c not in ("source", "licence")]
    key = ["year", "product"]
    nld = comp[comp["importer"] == "NLD"][cols].sort_values(key).reset_index(drop=True)
    ref = scr[(scr["importer"] == "NLD") & scr["year"].isin(years)][cols]
    pd.testing.assert_frame_equal(nld, ref.sort_values(key).reset_index(drop=True))


def test_product_side_by_side(client, tables):
    comp, scr = tables["comparison"], tables["screening"]
    year = int(comp["year"].max())
    hs6 = "810510"  # cobalt mattes, unwrought cobalt
    got = _get(client, "/api/v1/compare", product=hs6)
    assert got["year"] == year and got["kind"] == "product"
    rows = {r["importer"]: r for r in got["rows"]}
    order = [r["importer"] for r in got["rows"]]
    assert order[:5] == ["EU27", "NLD", "DEU", "BEL", "FRA"]
    want = comp[(comp["product"] == hs6) & (comp["year"] == year)]
    assert set(rows) == {"EU27", *want["importer"]}
    for r in want.itertuples():
        assert math.isclose(rows[r.importer]["external_imports_kusd"], r.external_imports_kusd)
        assert rows[r.importer]["dependent_eu2021"] == bool(r.dependent_eu2021)
    eu = scr[(scr["importer"] == "EU27") & (scr["product"] == hs6) & (scr["year"] == year)]
    assert math.isclose(rows["EU27"]["imports_kusd"], float(eu["imports_kusd"].iloc[0]))
    # the other members follow by imports from outside the EU
    rest = [rows[i]["external_imports_kusd"] or 0 for i in order[5:]]
    assert rest == sorted(rest, reverse=True)


def test_material_sums_its_hs_codes(client, tables):
    geo = tables["geopolrisk"]
    codes = sorted(set(geo.loc[geo["material"] == "Cobalt", "hs_codes"].iloc[0].split(";")))
    got = _get(client, "/api/v1/compare", material="Cobalt", lang="nl")
    assert got["hs_codes"] == codes
    comp = tables["comparison"]
    sel = comp[comp["product"].isin(codes) & (comp["year"] == got["year"])]
    deu = sel[sel["importer"] == "DEU"]
    row = next(r for r in got["rows"] if r["importer"] == "DEU")
    assert row["name"] == "Duitsland"
    assert math.isclose(row["imports_kusd"], deu["imports_kusd"].sum())
    assert math.isclose(
        row["external_share"], deu["external_imports_kusd"].sum() / deu["imports_kusd"].sum()
    )
    assert row["dependent_eu2021"] == int(deu["dependent_eu2021"].sum())
    assert row["products"] == len(deu)
    # the material by our id or its Dutch name: the same comparison
    for other in ("cobalt", "Kobalt", "COBALT"):
        assert _get(client, "/api/v1/compare", material=other, lang="nl") == got


def test_compare_errors(client):
    r = client.get("/api/v1/compare", params={"product": "810510", "material": "Cobalt"})
    assert r.status_code == 400 and r.json()["field"] == "material"
    assert client.get("/api/v1/compare", params={"material": "Unobtainium"}).status_code == 400
    assert client.get("/api/v1/compare", params={"year": 1990}).status_code == 400
    assert client.get("/api/v1/compare", params={"product": "12"}).status_code == 422
    # an empty form field is no choice: the default product
    assert client.get("/api/v1/compare", params={"product": "", "material": ""}).status_code == 200
    assert client.get("/api/v1/compare", params={"product": "999999"}).status_code == 404


def test_compare_page_both_languages(client):
    for lang, word in (("nl", "Duitsland"), ("en", "Germany")):
        r = client.get(f"/{lang}/compare", params={"product": "810510"})
        assert r.status_code == 200
        assert 'id="compare-table"' in r.text and word in r.text
        assert 'role="figure"' in r.text
        assert r.text.count('<tr data-importer="') >= 20


@pytest.mark.parametrize("scope", ["external", "all"])
def test_treemap_adds_up_to_the_screening(client, tables, scope):
    scr, sup = tables["screening"], tables["suppliers"]
    got = _get(client, "/api/v1/treemap", importer="NLD", year=2022, scope=scope)
    sel = scr[(scr["importer"] == "NLD") & (scr["year"] == 2022)]
    column = "external_imports_kusd" if scope == "external" else "imports_kusd"
    nodes = got["nodes"]
    root = nodes[0]
    assert root["parent"] == "" and math.isclose(root["value"], sel[column].sum(), rel_tol=1e-6)
    children: dict[str, float] = {}
    for n in nodes[1:]:
        children[n["parent"]] = children.get(n["parent"], 0.0) + n["value"]
    for n in nodes:  # plotly's branchvalues="total": every parent is the sum of its children
        if n["id"] in children:
            assert math.isclose(children[n["id"]], n["value"], rel_tol=1e-9), n["id"]
    # a product's block is the screening's total for it, its suppliers the suppliers table's
    prod = sel.sort_values(column, ascending=False).iloc[0]
    block = next(n for n in nodes if n["id"] == f"NLD 2022/{prod['product']}")
    assert math.isclose(block["value"], prod[column])
    named = sup[
        (sup["importer"] == "NLD") & (sup["year"] == 2022) & (sup["product"] == prod["product"])
    ]
    if scope == "external":
        named = named[named["external"].eq(True)]
    top = named[named["supplier"] != "other"].sort_values("value_kusd").iloc[-1]
    leaf = next(n for n in nodes if n["id"] == f"NLD 2022/{prod['product']}/{top['supplier']}")
    assert math.isclose(leaf["value"], top["value_kusd"])
    assert got["coverage"]["products"] == sel["product"].nunique()


def test_treemap_by_supplier_and_page(client, tables):
    got = _get(client, "/api/v1/treemap", importer="EU27", by="supplier", lang="nl")
    scr = tables["screening"]
    year = int(scr.loc[scr["importer"] == "EU27", "year"].max())
    assert got["year"] == year and got["largest"][0]["share"] > 0
    first = got["largest"][0]
    assert first["label"] == next(
        n["label"] for n in got["nodes"] if n["id"] == f"EU27 {year}/{first['supplier']}"
    )
    for lang, coverage in (("nl", "grondstofproducten"), ("en", "raw-material products")):
        r = client.get(f"/{lang}/treemap", params={"importer": "NLD", "year": 2022})
        assert r.status_code == 200 and coverage in r.text
        n = scr[(scr["importer"] == "NLD") & (scr["year"] == 2022)]["product"].nunique()
        assert f"{n} {coverage}" in r.text
        assert 'id="treemap-table"' in r.text and 'role="figure"' in r.text
    assert client.get("/api/v1/treemap", params={"by": "ecosystem"}).status_code == 400
    assert client.get("/api/v1/treemap", params={"importer": "XXX"}).status_code == 400


def test_comparison_equals_a_fresh_screening_of_real_baci(tables, data_dir):
    from conftest import require_shared

    from ketenradar import api
    from ketenradar.sources.ingest import add_dataset

    add_dataset("baci", [require_shared("baci_raw_materials_hs92")], data_dir=data_dir)
    comp = tables["comparison"]
    year = int(comp["year"].max())
    for member in ("DEU", "BEL", "FRA"):
        fresh = api.screen(member, year, data_dir=data_dir).sort_values("product")
        shipped = comp[(comp["importer"] == member) & (comp["year"] == year)]
        shipped = shipped.sort_values("product")
        assert list(shipped["product"]) == list(fresh["product"])
        for col in ("external_imports_kusd", "supplier_hhi", "top_supplier_share"):
            pd.testing.assert_series_equal(
                shipped[col].reset_index(drop=True),
                fresh[col].reset_index(drop=True),
                check_names=False,
            )
        assert list(shipped["dependent_eu2021"]) == list(fresh["dependent_eu2021"])
