"""Dutch material names and readable source names (issue 15, D 15–16).

The materials vocabulary (``ketenradar/data/materials.csv``) has a Dutch name for every
material; the Dutch pages show it (materials list, material page, BOM, compare) and the site
search finds it. The page footer names each source by publisher, title and release in the
page's language, with the dataset id kept in the link's title.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from ketenradar.core.vocabularies.materials import display_name, find_material, materials
from ketenradar.interfaces.web.app import create_app
from ketenradar.results import starter


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def test_every_material_of_the_facts_has_a_dutch_name():
    names = {m.material: m for m in materials()}
    assert all(m.name_nl.strip() for m in materials())
    crit = starter.read("criticality")
    for mat in crit["material"].unique():
        assert mat in names, mat
        assert names[mat].name_nl, mat
    # the standard Dutch terms, not the English names
    for mat, nl in {
        "cobalt": "Kobalt",
        "tungsten": "Wolfraam",
        "silicon_metal": "Siliciummetaal",
        "boron": "Boor/boraat",
        "hree": "Zware zeldzame aardmetalen",
    }.items():
        assert names[mat].name_nl == nl and names[mat].name != nl
    # the names GeoPolRisk's table uses (the comparison's materials) have Dutch names too
    for name in starter.read("geopolrisk")["material"].unique():
        assert display_name(name, "nl") != name or find_material(name) is not None, name


def test_the_dutch_materials_pages_show_dutch_names(client: TestClient):
    nl = client.get("/nl/materials").text
    assert '<a class="material-link" href="/nl/materials/tungsten">Wolfraam</a>' in nl
    assert '<a class="material-link" href="/nl/materials/cobalt">Kobalt</a>' in nl
    assert ">Tungsten<" not in nl and ">Cobalt<" not in nl
    en = client.get("/en/materials").text
    assert '<a class="material-link" href="/en/materials/tungsten">Tungsten</a>' in en
    assert "Wolfraam" not in en
    page = client.get("/nl/materials/tungsten").text
    assert '<h1 id="material-name" data-material="tungsten">Wolfraam</h1>' in page
    hree = client.get("/nl/materials/dysprosium").text
    assert "Zware zeldzame aardmetalen" in hree  # its group


def test_the_dutch_bom_and_compare_pages_show_dutch_names(client: TestClient):
    bom = client.get("/nl/bom", params={"name": "mri_scanner"}).text
    rows = re.findall(
        r'<tr data-material="([^"]+)"><td><a href="/nl/materials/[^"]+">([^<]+)</a>', bom
    )
    assert len(rows) > 5
    for mat, shown in rows:
        assert shown == display_name(mat, "nl"), mat
    assert any(shown != display_name(mat, "en") for mat, shown in rows)
    cmp = client.get("/nl/compare", params={"material": "Cobalt"}).text
    assert re.search(r'id="compare-heading"[^>]*>Kobalt \(', cmp)
    assert '<option value="Tungsten">Wolfraam</option>' in cmp


def test_search_finds_dutch_names(client: TestClient):
    r = client.get("/nl/search", params={"q": "wolfraam"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/nl/materials/tungsten"
    hit = client.get("/api/v1/search", params={"q": "kobalt", "lang": "nl"}).json()["exact"]
    assert hit["code"] == "cobalt" and hit["label"] == "Kobalt"
    en = client.get("/api/v1/search", params={"q": "siliciummetaal"}).json()["exact"]
    assert en["code"] == "silicon_metal" and en["label"] == "Silicon metal"


def test_the_footer_names_each_source(client: TestClient):
    nl = client.get("/nl/materials").text
    foot = nl[nl.index("<footer") :]
    assert (
        '<a class="source" href="/nl/data" title="eu_crm (CRM 2023)" data-dataset="eu_crm">'
        "Europese Commissie, beoordeling kritieke grondstoffen 2023</a>"
    ) in foot
    assert "Wereldbank, Worldwide Governance Indicators" in foot
    en = client.get("/en/dependencies").text
    foot = en[en.index("<footer") :]
    assert (
        'title="baci_hs92_v202401b (V202401b)" data-dataset="baci_hs92_v202401b">'
        "CEPII BACI HS92, release V202401b</a>"
    ) in foot
    # the ids are in the title attributes only, not in the text a reader sees
    text = re.sub(r"<[^>]+>", "", foot)
    assert "baci_hs92_v202401b" not in text and "eu_crm (" not in text
    io_ = client.get("/nl/io").text
    assert (
        "OESO, internationale input-outputtabellen (ICIO), editie 2025"
        in io_[io_.index("<footer") :]
    )
