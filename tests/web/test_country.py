"""The country page and the world map of dependence on the shipped starter pack: the API's
values against the same quantities computed here from the starter tables with pandas, 4xx on
bad input, both languages, and the vendored map geometry."""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

import pandas as pd
import plotly
import pytest
from fastapi.testclient import TestClient

from ketenradar.core.settings import settings
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.modules.trade.web.country import members
from ketenradar.results import starter

VENDOR = (
    Path(__file__).resolve().parents[2] / "src/ketenradar/interfaces/web/static/vendor/plotly.js"
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(settings=WebSettings.from_env(tmp_path_factory.mktemp("web"))))


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    names = ("balance", "balance_products", "screening", "suppliers", "io_balance")
    return {n: starter.read(n) for n in names}


def _close(a: float | None, b: float) -> bool:
    return a is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize(
    ("iso3", "importer", "year"),
    [
        ("CHN", "NLD", 2024),
        ("ZAF", "NLD", 2022),
        ("NOR", "NLD", 2024),
        ("ZAF", "EU27", 2010),
        ("CHN", "EU27", None),
    ],
)
def test_country_values_equal_the_starter_tables(client, tables, iso3, importer, year):
    params = {"importer": importer} | ({"year": year} if year else {})
    r = client.get(f"/api/v1/countries/{iso3}", params=params)
    assert r.status_code == 200, r.text
    c = r.json()
    bal = tables["balance"][tables["balance"]["importer"] == importer]
    year = year or int(bal["year"].max())
    assert (c["iso3"], c["importer"], c["year"]) == (iso3, importer, year)

    # what we depend on from the country: EU 2021 dependent products it is top supplier of
    scr = tables["screening"]
    scr = scr[(scr["importer"] == importer) & (scr["year"] == year)]
    dep = scr[scr["dependent_eu2021"] & (scr["top_supplier"] == iso3)]
    got = {d["product"]: d["external_imports_kusd"] for d in c["we_depend_on"]}
    assert got.keys() == set(dep["product"])
    for p, v in zip(dep["product"], dep["external_imports_kusd"], strict=True):
        assert _close(got[p], v)

    # the products it supplies, with its share and its rank among the named suppliers
    sup = tables["suppliers"]
    sup = sup[(sup["importer"] == importer) & (sup["year"] == year)]
    mine = sup[sup["supplier"] == iso3]
    got = {d["product"]: d for d in c["we_import"]}
    assert got.keys() == set(mine["product"]) and len(got) > 0
    for row in mine.itertuples():
        others = sup[(sup["product"] == row.product) & (sup["supplier"] != "other")]
        assert got[row.product]["rank"] == 1 + int((others["value_kusd"] > row.value_kusd).sum())
        assert _close(got[row.product]["share"], row.share)
        assert _close(got[row.product]["value_kusd"], row.value_kusd)

    # what it depends on from us, and the balance: the balance row (zeros where absent)
    one = bal[(bal["partner"] == iso3) & (bal["year"] == year)]
    s = c["summary"]
    if one.empty:
        assert s["partner_dependent_products"] == s["importer_dependent_products"] == 0
    else:
        b = one.iloc[0]
        assert s["importer_dependent_products"] == b["importer_dependent_products"] == len(dep)
        assert _close(s["importer_dependent_kusd"], b["importer_dependent_kusd"])
        assert s["partner_dependent_products"] == b["partner_dependent_products"]
        assert _close(s["partner_dependent_kusd"], b["partner_dependent_kusd"])

    # ... and the products behind it: the partner's dependent products, NLD/EU27 on top
    bp = tables["balance_products"]
    theirs = bp[
        (bp["importer"] == importer)
        & (bp["year"] == year)
        & (bp["partner"] == iso3)
        & (bp["side"] == "partner depends on importer")
    ]
    listed = c["they_depend_on"]
    assert {d["product"] for d in listed} == set(theirs["product"])
    assert len(listed) == s["partner_dependent_products"]
    assert _close(sum(d["dependent_imports_kusd"] for d in listed), s["partner_dependent_kusd"])
    assert all(d["top_supplier"] in members(importer) for d in listed)

    # over time: every year of the table, the partner's rows where it has one
    over = pd.DataFrame(c["balance_over_time"])
    assert over["year"].tolist() == sorted(bal["year"].unique())
    mine = bal[bal["partner"] == iso3].set_index("year")
    merged = over.set_index("year").join(mine, rsuffix="_table")
    for col in ("importer_dependent_products", "partner_dependent_kusd"):
        expected = merged[f"{col}_table"].fillna(0)
        assert (merged[col] - expected).abs().max() < 1e-6
    assert (over["importer_dependent_products"] > 0).any()

    # value added both ways: the io_balance row (NLD only)
    if importer == "NLD":
        io = tables["io_balance"]
        v = io[(io["importer"] == "NLD") & (io["partner"] == iso3)].iloc[0]
        va = c["value_added"]
        assert _close(va["importer_dependent_va_musd"], v["importer_dependent_va_musd"])
        assert _close(va["partner_dependent_va_musd"], v["partner_dependent_va_musd"])
        assert _close(va["balance_ratio_va"], v["balance_ratio_va"])
    else:
        assert c["value_added"] is None
        assert "va_nld_only" in [n["code"] for n in c["notes"]]


def test_map_values_equal_the_balance(client, tables):
    bal = tables["balance"]
    eu = bal[(bal["importer"] == "EU27") & (bal["year"] == 2015)]
    r = client.get("/api/v1/countries", params={"importer": "EU27", "year": 2015})
    assert r.status_code == 200
    m = r.json()
    got = {row["iso3"]: row["value"] for row in m["rows"]}
    assert got.keys() == set(eu["partner"])
    for p, v in zip(eu["partner"], eu["importer_dependent_kusd"], strict=True):
        assert _close(got[p], v)
    values = [row["value"] for row in m["rows"]]
    assert values == sorted(values, reverse=True)

    # a ratio: infinite where the importer depends on nothing from the partner
    r = client.get(
        "/api/v1/countries",
        params={"importer": "NLD", "year": 2020, "measure": "balance_ratio_products"},
    )
    rows = {row["iso3"]: row for row in r.json()["rows"]}
    nld = bal[(bal["importer"] == "NLD") & (bal["year"] == 2020)].set_index("partner")
    assert rows.keys() == set(nld.index)
    for p, b in nld.iterrows():
        row = rows[p]
        if b["importer_dependent_products"] == 0:
            assert row["value"] is None and row["direction"] == "partner_depends"
        else:
            assert _close(row["value"], b["balance_ratio_products"])
            # mutual only when the smaller side weighs enough by value (issue 15, point 4)
            a, v = b["importer_dependent_kusd"], b["partner_dependent_kusd"]
            mutual = v > 0 and min(a, v) >= settings().mutual_min_value_ratio * max(a, v)
            expected = "mutual" if mutual else "importer_depends" if a >= v else "partner_depends"
            assert row["direction"] == expected

    # value added (OECD ICIO 2022, NLD): io_balance
    r = client.get("/api/v1/countries", params={"measure": "importer_dependent_va_musd"})
    m = r.json()
    io = tables["io_balance"].set_index("partner")
    assert m["year"] == 2022 and len(m["rows"]) == len(io)
    assert m["rows"][0]["iso3"] == io["importer_dependent_va_musd"].idxmax()
    for row in m["rows"]:
        assert _close(row["value"], io.loc[row["iso3"], "importer_dependent_va_musd"])


def test_map_locations_are_shapes_of_the_vendored_geometry(client):
    topo = json.loads((VENDOR / "world_110m.json").read_text())
    shapes = {g.get("id") for g in topo["objects"]["countries"]["geometries"]}
    rows = client.get("/api/v1/countries", params={"importer": "EU27", "year": 2024}).json()
    located = {r["iso3"]: r["location"] for r in rows["rows"]}
    assert {v for v in located.values() if v} <= shapes
    assert located["CHN"] == "CHN" and located["USA"] == "USA"
    # (fewer partners since the materiality minimum: no dependency worth a few thousand USD)
    assert sum(v is not None for v in located.values()) > 50
    # Singapore has no shape at 1:110m: table only; BACI's S19 (Taiwan) is drawn on Taiwan
    assert "SGP" in located and located["SGP"] is None
    assert located["S19"] == "TWN"
    rows = client.get("/api/v1/countries", params={"importer": "EU27", "year": 1995}).json()
    assert {r["iso3"]: r["location"] for r in rows["rows"]}["ZA1"] is None


def test_lower_case_names_and_redirects(client):
    upper = client.get("/api/v1/countries/CHN").json()
    assert client.get("/api/v1/countries/chn").json() == upper
    assert client.get("/api/v1/countries/China").json()["iso3"] == "CHN"
    assert client.get("/api/v1/countries/south africa").json()["iso3"] == "ZAF"
    r = client.get("/en/countries/chn?year=2010", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/en/countries/CHN?year=2010"
    r = client.get("/api/v1/countries/zaf", params={"importer": "eu27"})
    assert r.status_code == 200 and r.json()["importer"] == "EU27"


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/v1/countries/XYZ", 404, "no country 'XYZ'"),
        ("/api/v1/countries/CHM", 404, "CHN (China)"),
        ("/api/v1/countries/Chnia", 404, "closest: CHN (China)"),
        ("/api/v1/countries/NLD", 400, "NLD is part of the importer NLD"),
        ("/api/v1/countries/DEU?importer=EU27", 400, "DEU is part of the importer EU27"),
        ("/api/v1/countries/CHN?importer=USA", 400, "importer 'USA' is not available"),
        ("/api/v1/countries/CHN?year=1990", 400, "year 1990 is not available"),
        ("/api/v1/countries/CHN?method=best", 400, "method 'best' is not available"),
        ("/api/v1/countries/%3Cscript%3E", 422, "iso3"),
        ("/api/v1/countries?measure=hhi", 400, "measure 'hhi' is not available"),
        (
            "/api/v1/countries?measure=balance_ratio_va&importer=EU27",
            400,
            "available for NLD only",
        ),
        ("/api/v1/countries?measure=balance_ratio_va&year=2010", 400, "for 2022 only"),
    ],
)
def test_bad_input_is_a_clear_4xx(client, url, status, message):
    r = client.get(url)
    assert r.status_code == status, r.text
    assert message in r.json()["detail"]


def test_unknown_country_page_is_a_404_page(client):
    r = client.get("/nl/countries/QQQ")
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"] and "no country" in r.text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["What NLD imports from South Africa", "The balance over time", "Value added"]),
        ("nl", ["Wat NLD invoert uit South Africa", "De balans door de jaren", "Toegevoegde"]),
    ],
)
def test_country_page_renders_in_both_languages(client, tables, lang, words):
    r = client.get(f"/{lang}/countries/ZAF", params={"year": 2022})
    assert r.status_code == 200
    html = r.text
    for w in words:
        assert w in html
    scr = tables["screening"]
    dep = scr[
        (scr["importer"] == "NLD")
        & (scr["year"] == 2022)
        & scr["dependent_eu2021"]
        & (scr["top_supplier"] == "ZAF")
    ]
    table = html.split('id="we-depend-on"')[1].split("</table>")[0]
    assert sorted(re.findall(r"/products/(\d{6})\?", table)) == sorted(dep["product"])
    assert html.count("<tr><td>19") + html.count("<tr><td>20") == 30  # balance table rows
    assert 'id="balance-chart"' in html and "/static/country.js" in html


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_map_page_lists_every_partner_with_a_link(client, tables, lang):
    r = client.get(f"/{lang}/countries", params={"importer": "NLD", "year": 2024})
    assert r.status_code == 200
    bal = tables["balance"]
    partners = bal[(bal["importer"] == "NLD") & (bal["year"] == 2024)]["partner"]
    links = re.findall(rf'href="/{lang}/countries/(\w+)\?importer=NLD&amp;year=2024"', r.text)
    assert sorted(links) == sorted(partners)
    assert 'id="world-map"' in r.text
    title = {"en": "World map of dependence", "nl": "Wereldkaart van afhankelijkheid"}[lang]
    assert title in r.text


def test_overview_links_countries_to_their_pages(client):
    o = client.get("/api/v1/overview").json()
    html = client.get("/en/").text
    for c in o["countries_depended_on"]:
        query = f"importer=NLD&amp;year={o['year']}&amp;method={o['method']}"
        assert f'href="/en/countries/{c["country"]}?{query}"' in html
        assert client.get(f"/en/countries/{c['country']}?year={o['year']}").status_code == 200


def test_vendored_geometry_is_served_with_licence_and_source(client):
    r = client.get("/static/vendor/plotly.js/world_110m.json")
    assert r.status_code == 200
    source = (VENDOR / "SOURCE.txt").read_text()
    assert hashlib.sha256(r.content).hexdigest() in source
    assert "MIT License" in (VENDOR / "LICENSE").read_text()
    # the geometry must be the one the served plotly.js expects (same plotly.js release)
    served = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").open().read(200)
    version = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", served).group(1)
    assert f"plotly.js@{version} " in source
    script = (Path(__file__).resolve().parents[2] / "scripts/vendor-web-assets.sh").read_text()
    assert f"PLOTLY_JS={version}\n" in script
