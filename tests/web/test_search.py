"""The site search (/api/v1/search, /{lang}/search) on the shipped starter pack: each module's
entries through the registry, ranking, the one-exact-hit redirect, both languages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ketenradar.core import modules as registry
from ketenradar.core.vocabularies.materials import materials
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.results import starter


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(settings=WebSettings.from_env(tmp_path_factory.mktemp("web"))))


def _search(client: TestClient, q: str, **params: str) -> dict:
    r = client.get("/api/v1/search", params={"q": q, **params})
    assert r.status_code == 200, r.text
    return r.json()


def test_every_module_contributes_through_the_registry(client):
    declared = {m.name: m.search for m in registry.modules()}
    assert all(declared[m] for m in ("trade", "materials", "io")), declared
    kinds = {h["kind"] for q in ("lithium", "china", "c26") for h in _search(client, q)["hits"]}
    assert kinds == {"material", "product", "country", "industry"}


@pytest.mark.parametrize(
    ("q", "url"),
    [
        ("lithium", "/en/materials/lithium"),
        ("Gallium", "/en/materials/gallium"),
        ("C26", "/en/io#industry-C26"),
        ("China", "/en/countries/CHN"),
        ("280530", "/en/products/280530"),
    ],
)
def test_exact_hit_ranks_first_and_the_page_redirects(client, q, url):
    found = _search(client, q)
    assert found["hits"][0]["url"] == url
    assert found["exact"]["url"] == url
    r = client.get("/en/search", params={"q": q}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == url
    # and the page it lands on exists
    assert client.get(url.split("#")[0]).status_code == 200


def test_hs_heading_lists_every_product_under_it(client):
    screening = starter.read("screening")
    under = sorted(p for p in screening["product"].unique() if p.startswith("2805"))
    found = _search(client, "2805", limit="100")
    assert found["exact"] is None
    assert sorted(h["code"] for h in found["hits"] if h["kind"] == "product") == under
    page = client.get("/nl/search", params={"q": "2805"})
    assert page.status_code == 200
    for hs6 in under:
        assert f'href="/nl/products/{hs6}"' in page.text


def test_material_outranks_products_that_mention_it(client):
    hits = _search(client, "cobalt")["hits"]
    assert hits[0]["kind"] == "material"
    products = [h for h in hits if h["kind"] == "product"]
    assert products and all("cobalt" in h["label"].lower() for h in products)
    assert all(h["score"] < hits[0]["score"] for h in products)


def test_dutch_names_and_links(client):
    found = _search(client, "Duitsland", lang="nl")
    assert found["exact"] == {
        "kind": "country",
        "code": "DEU",
        "label": "Duitsland",
        "url": "/nl/countries/DEU",
        "score": 95,
    }
    # an English name finds the country on a Dutch page too, labelled in Dutch
    assert _search(client, "Germany", lang="nl")["exact"]["label"] == "Duitsland"


def test_every_material_of_the_vocabulary_is_found_by_its_name(client):
    for m in materials()[:40]:
        urls = [h["url"] for h in _search(client, m.name, limit="100")["hits"]]
        assert f"/en/materials/{m.material}" in urls, m.name


def test_no_hit_and_bad_input(client):
    found = _search(client, "zzqxw")
    assert found == {"query": "zzqxw", "total": 0, "hits": [], "exact": None}
    page = client.get("/en/search", params={"q": "zzqxw"})
    assert page.status_code == 200 and 'id="search-hits"' not in page.text
    assert client.get("/api/v1/search", params={"q": "x" * 101}).status_code == 422
    assert client.get("/api/v1/search", params={"q": "a", "limit": 0}).status_code == 422


def test_header_has_the_search_box_in_both_languages(client):
    for lang, label in (("nl", "Zoeken"), ("en", "Search")):
        html = client.get(f"/{lang}/").text
        assert f'action="/{lang}/search"' in html and 'id="site-search-q"' in html
        assert f">{label}</button>" in html
