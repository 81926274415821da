"""The kansenkaart's map and bottlenecks page (``/{lang}/kansenkaart/matching``), its JSON
route and its downloads, on the real map data (CBS area divisions 2015 in the shared folder)
and the fictional demo set: every region of the map carries the count the matching gives,
counted again here from the match table; each role sees only the suppliers it may read;
the bottlenecks and the matchmaking lists are the matching's; bad parameters name their
field; the Dutch page is Dutch."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import require_shared, signed_in, web_app
from fastapi.testclient import TestClient
from kansenkaart_registry_support import ACME

from ketenradar.modules.kansenkaart import api
from ketenradar.modules.kansenkaart import suppliers as sp

USERS = {"ann": "admin", "minister": "viewer", "zee": "viewer", "acme": "viewer"}
PAGE = "/nl/kansenkaart/matching"
PATH = re.compile(
    r'<path d="[^"]+" fill="(#[0-9a-f]{6})"[^>]* data-region="([^"]+)" data-value="(\d+)">'
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    mp = pytest.MonkeyPatch()
    mp.setenv("KETENRADAR_SHARED_DATA", str(require_shared("geo/nl")).rsplit("/geo/nl", 1)[0])
    application = web_app(tmp_path_factory.mktemp("matching"), mp, USERS)
    factory, op = application.state.accounts, sp.Access.cli()
    sp.load_demo(factory, op, 60)
    acme = sp.create_supplier(factory, op, ACME).id
    sp.add_membership(factory, op, "minister", "analyst")
    sp.add_membership(factory, op, "zee", "agency", region="Zeeland")
    sp.add_membership(factory, op, "acme", "company", organisation_id=acme)
    application.state.acme = acme
    yield application
    mp.undo()


def paths(html: str) -> dict[str, tuple[str, int]]:
    """The map's regions: key → (fill, value)."""
    return {k: (fill, int(v)) for fill, k, v in PATH.findall(html)}


def by_hand(app, username: str, measure: str, level: str, **kw) -> dict[str, int]:
    """Per region, the suppliers the user may read with a match row (candidates), qualified
    now in at least one work package, or qualified now or after gaps — counted from the
    match table and the profiles, not from the regions table."""
    who = sp.access_of(app.state.accounts, _user(app, username))
    orgs = {o.id: o for o in sp.list_suppliers(app.state.accounts, who)}
    m = api.match(app.state.accounts, who, as_of=date.today(), **kw).frame("matches")
    if measure == "qualified_now":
        m = m[m["status"] == "qualified_now"]
    out: dict[str, int] = {}
    for sid in set(m["supplier_id"]):
        o = orgs[sid]
        key = o.province if level == "province" else o.corop_code
        if key is not None:
            out[key] = out.get(key, 0) + 1
    return out


def _user(app, username: str):
    from ketenradar.registry import service

    (user,) = [u for u in service.list_users(app.state.accounts) if u.username == username]
    return user


@pytest.mark.parametrize("level", ["province", "corop"])
@pytest.mark.parametrize("measure", ["qualified_now", "candidates"])
def test_every_region_carries_the_matching_count(app, level, measure):
    c = signed_in(app, "minister")
    r = c.get(PAGE, params={"level": level, "measure": measure})
    assert r.status_code == 200
    shown = paths(r.text)
    assert len(shown) == (12 if level == "province" else 40)
    expected = by_hand(app, "minister", measure, level)
    assert {k: v for k, (_, v) in shown.items() if v} == expected
    assert sum(expected.values()) > 0
    # the region with the most suppliers has the darkest colour drawn, an empty one grey
    top = max(expected.values())
    assert {f for f, v in shown.values() if v == top} == {"#08519c"} or top < 2
    assert {f for f, v in shown.values() if v == 0} <= {"#e8eef4"}
    n = len(sp.list_suppliers(app.state.accounts, sp.Access(username="m", analyst=True)))
    assert f"De cijfers beslaan de {n} leveranciers" in r.text
    assert "Fictieve demoset" in r.text


def test_each_role_sees_only_the_suppliers_it_may_read(app):
    zee = paths(signed_in(app, "zee").get(PAGE, params={"measure": "candidates"}).text)
    assert {k for k, (_, v) in zee.items() if v} <= {"Zeeland"}
    assert zee["Zeeland"][1] == by_hand(app, "zee", "candidates", "province").get("Zeeland", 0)
    acme = signed_in(app, "acme").get(PAGE, params={"measure": "candidates"})
    assert {k: v for k, (_, v) in paths(acme.text).items() if v} == {"Zeeland": 1}
    assert "De cijfers beslaan de 1 leveranciers" in acme.text
    anonymous = TestClient(app).get(PAGE)
    assert anonymous.status_code == 200
    assert 'id="matching-sign-in"' in anonymous.text
    assert not any(v for _, v in paths(anonymous.text).values())
    assert TestClient(app).get("/api/v1/kansenkaart/match").json()["matches"] == []


def test_bottlenecks_and_lists_are_the_matchings(app):
    c = signed_in(app, "minister")
    who = sp.access_of(app.state.accounts, _user(app, "minister"))
    for params, kw in (
        ({}, {}),
        ({"min_suppliers": "1", "origin": "FR"}, {"min_suppliers": 1, "origin": "FR"}),
    ):
        html = c.get(PAGE, params=params).text
        wps = api.match(app.state.accounts, who, as_of=date.today(), **kw).frame("work_packages")
        listed = re.findall(r'<li data-work-package="([a-z_]+)">', html)
        assert listed == wps.loc[wps["bottleneck"], "work_package"].tolist()
        rows = re.findall(r'<tr data-work-package="([a-z_]+)">', html)
        assert rows == wps["work_package"].tolist()
    # with a reference design's demand only work packages with demand can be bottlenecks
    html = c.get(PAGE, params={"design": "accert_ap1000"}).text
    from ketenradar.modules.kansenkaart.web.matching_page import demand_by_work_package

    demand = demand_by_work_package("accert_ap1000")
    listed = re.findall(r'<li data-work-package="([a-z_]+)">', html)
    assert listed and all(demand.get(wp, 0) > 0 for wp in listed)
    assert "Vraag (mln euro)" in html


def test_the_matchmaking_list_of_a_work_package(app):
    c = signed_in(app, "minister")
    r = c.get("/api/v1/kansenkaart/match.csv", params={"work_package": "valves", "lang": "nl"})
    assert r.status_code == 200 and "describedby" in r.headers["link"]
    df = pd.read_csv(io.StringIO(r.text))
    assert len(df) > 0 and set(df["work_package"]) == {"valves"}
    assert set(df["work_package_name"]) == {"Afsluiters"}
    side = c.get("/api/v1/kansenkaart/match.csv.provenance.json", params={"work_package": "valves"})
    prov = json.loads(side.text)
    assert prov["parameters"]["work_package"] == "valves" and prov["parameters"]["origin"] == "US"
    x = c.get("/api/v1/kansenkaart/match.xlsx", params={"work_package": "valves"})
    sheets = pd.read_excel(io.BytesIO(x.content), sheet_name=None)
    assert {"matches", "work_packages", "regions", "provenance"} <= set(sheets)
    regions = c.get("/api/v1/kansenkaart/match.csv", params={"table": "regions", "level": "corop"})
    assert pd.read_csv(io.StringIO(regions.text))["suppliers"].sum() == len(
        sp.list_suppliers(app.state.accounts, sp.Access(username="m", analyst=True))
    )


def test_bad_parameters_name_their_field(app):
    c = signed_in(app, "minister")
    r = c.get(PAGE, params={"level": "gemeente"})
    assert r.status_code == 422 and 'data-field="level"' in r.text
    r = c.get(PAGE, params={"design": "no_such_design"})
    assert r.status_code == 400 and 'data-field="design"' in r.text
    r = c.get(PAGE, params={"work_package": "no_such_package"})
    assert r.status_code == 404 and 'data-field="work_package"' in r.text
    r = c.get("/api/v1/kansenkaart/match", params={"origin": "JP"})
    assert r.status_code == 422 and "origin" in r.text


def test_the_dutch_page_is_dutch_and_the_english_english(app):
    c = signed_in(app, "minister")
    nl = c.get(PAGE, params={"level": "corop", "design": "timcat_pwr12_me"}).text
    en = c.get("/en/kansenkaart/matching", params={"level": "corop"}).text
    text = re.sub(r"<[^>]+>", " ", nl.split('id="matching-form"')[1].split("Gegevens en")[0])
    for word in ("Bottleneck", "Suppliers", "qualified", "Work package", "Demand", "region"):
        assert not re.search(rf"\b{word}\b", text), word
    assert "Knelpunten" in nl and "Bottlenecks" in en
    assert "COROP-regio&#39;s" in nl and "Afsluiters" in nl and "Valves" in en
    # Dutch thousands in the demand column (EUR million with a decimal comma)
    assert re.search(r'<td class="num">\d{1,3}(\.\d{3})*,\d</td>', nl)


def test_without_the_map_data_the_tables_remain(app, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KETENRADAR_SHARED_DATA", str(tmp_path))
    r = signed_in(app, "minister").get(PAGE)
    assert r.status_code == 200 and 'id="matching-no-map"' in r.text
    assert 'id="matching-work-packages"' in r.text
