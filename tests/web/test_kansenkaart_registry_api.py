"""The supplier registry's JSON API (``/api/v1/kansenkaart/…``) on SQLite and PostgreSQL:
anonymous callers cannot write or read, a company reads and edits only its own profile and
never another's conditions, an agency works in its province, the export hides conditions,
an import with bad rows answers 422 naming every one and writes nothing, and every change is
in the audit log."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from conftest import csrf_headers, signed_in, web_app
from fastapi.testclient import TestClient
from kansenkaart_registry_support import ACME, BRAVO, write_geo

from ketenradar.modules.kansenkaart import suppliers as sp

USERS = {
    "ann": "admin",
    "acme": "viewer",
    "bravo": "viewer",
    "zee": "viewer",
    "minister": "viewer",
    "nobody": "viewer",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    if request.param == "postgresql":
        monkeypatch.setenv("KETENRADAR_DATABASE_URL", request.getfixturevalue("postgres_url"))
    monkeypatch.setenv("KETENRADAR_SHARED_DATA", str(write_geo(tmp_path / "shared")))
    application = web_app(tmp_path, monkeypatch, USERS)
    factory, op = application.state.accounts, sp.Access.cli()
    ids = {
        "acme": sp.create_supplier(factory, op, ACME).id,
        "bravo": sp.create_supplier(factory, op, BRAVO).id,
    }
    sp.add_membership(factory, op, "acme", "company", organisation_id=ids["acme"])
    sp.add_membership(factory, op, "bravo", "company", organisation_id=ids["bravo"])
    sp.add_membership(factory, op, "zee", "agency", region="Zeeland")
    sp.add_membership(factory, op, "minister", "analyst")
    application.state.ids = ids
    return application


API = "/api/v1/kansenkaart"


def test_anonymous_cannot_write_or_read(app):
    c = TestClient(app)
    h = csrf_headers(c)
    acme = app.state.ids["acme"]
    assert c.get(f"{API}/suppliers").json() == []  # reads nothing
    assert c.get(f"{API}/suppliers", params={"supplier": acme}).json() == []
    assert c.get(f"{API}/suppliers/export.csv").text.strip().startswith("id,name,kvk")
    assert c.get(f"{API}/memberships").json() == []
    assert c.post(f"{API}/suppliers", json={"name": "x"}, headers=h).status_code == 401
    assert c.patch(f"{API}/suppliers/{acme}", json={}, headers=h).status_code == 401
    assert c.delete(f"{API}/suppliers/{acme}/contact", headers=h).status_code == 401
    r = c.post(f"{API}/suppliers/import", json={}, headers=h)
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"


def test_company_edits_only_its_own_profile(app):
    ids = app.state.ids
    c = signed_in(app, "acme")
    h = csrf_headers(c)
    listed = c.get(f"{API}/suppliers").json()
    assert [p["id"] for p in listed] == [ids["acme"]]
    assert listed[0]["conditions"].startswith("ACME-SECRET")
    r = c.get(f"{API}/suppliers", params={"supplier": ids["bravo"]})
    assert r.status_code == 200 and r.json() == [] and "BRAVO" not in r.text
    r = c.patch(f"{API}/suppliers/{ids['bravo']}", json={"capacity": "mine now"}, headers=h)
    assert r.status_code == 404
    r = c.post(f"{API}/suppliers", json={"name": "Another (test)"}, headers=h)
    assert r.status_code == 403
    r = c.patch(f"{API}/suppliers/{ids['acme']}", json={"capacity": "12 fte"}, headers=h)
    assert r.status_code == 200 and r.json()["capacity"] == "12 fte"
    r = c.patch(f"{API}/suppliers/{ids['acme']}", json={"kvk": "1234"}, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "kvk"
    r = c.patch(f"{API}/suppliers/{ids['acme']}", json={"capabilities": ["warp"]}, headers=h)
    assert r.status_code == 422 and "'warp' is no work package" in r.json()["detail"]
    r = c.delete(f"{API}/suppliers/{ids['acme']}/contact", headers=h)
    assert r.status_code == 200 and r.json()["contact_email"] is None
    assert c.delete(f"{API}/suppliers/{ids['acme']}", headers=h).status_code == 403
    admin = signed_in(app, "ann")
    log = admin.get("/api/v1/audit").json()
    mine = [e for e in log if e["username"] == "acme" and e["action"] == "supplier_updated"]
    assert [e["detail"]["fields"] for e in mine] == [["contact_email"], ["capacity"]]


def test_members_without_a_role_are_refused(app):
    c = signed_in(app, "nobody")
    h = csrf_headers(c)
    assert c.get(f"{API}/suppliers").json() == []
    r = c.post(f"{API}/suppliers", json={"name": "x"}, headers=h)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = c.post(f"{API}/memberships", json={"username": "nobody", "role": "admin"}, headers=h)
    assert r.status_code == 403


def test_agency_and_analyst_and_admin(app):
    ids = app.state.ids
    zee = signed_in(app, "zee")
    h = csrf_headers(zee)
    assert [p["name"] for p in zee.get(f"{API}/suppliers").json()] == ["Acme Valves (test)"]
    assert zee.get(f"{API}/suppliers", params={"work_package": "warp"}).status_code == 400
    assert [m["region"] for m in zee.get(f"{API}/memberships").json()] == ["Zeeland"]
    r = zee.post(
        f"{API}/suppliers", json={"name": "Z (test)", "municipality": "Borsele"}, headers=h
    )
    assert r.status_code == 201 and r.json()["corop"] == "Overig Zeeland"
    r = zee.post(
        f"{API}/suppliers", json={"name": "A (test)", "municipality": "Amsterdam"}, headers=h
    )
    assert r.status_code == 403
    minister = signed_in(app, "minister")
    everyone = minister.get(f"{API}/suppliers").json()
    assert len(everyone) == 3 and all(not p["conditions_hidden"] for p in everyone)
    r = minister.patch(
        f"{API}/suppliers/{ids['bravo']}", json={"capacity": "x"}, headers=csrf_headers(minister)
    )
    assert r.status_code == 403
    ann = signed_in(app, "ann")
    ha = csrf_headers(ann)
    assert all(p["conditions"] is None for p in ann.get(f"{API}/suppliers").json())
    body = {"username": "nobody", "role": "company", "organisation_id": ids["bravo"]}
    m = ann.post(f"{API}/memberships", json=body, headers=ha)
    assert m.status_code == 201
    assert len(signed_in(app, "nobody").get(f"{API}/suppliers").json()) == 1
    assert ann.delete(f"{API}/memberships/{m.json()['id']}", headers=ha).status_code == 204
    assert ann.delete(f"{API}/suppliers/{ids['bravo']}", headers=ha).status_code == 204
    assert minister.get(f"{API}/suppliers", params={"supplier": ids["bravo"]}).json() == []


def test_export_hides_conditions(app):
    acme, ann, minister = (signed_in(app, n) for n in ("acme", "ann", "minister"))
    r = acme.get(f"{API}/suppliers/export.csv")
    assert r.status_code == 200 and "BRAVO-SECRET" not in r.text and "Bravo" not in r.text
    r = ann.get(f"{API}/suppliers/export.xlsx")
    df = pd.read_excel(io.BytesIO(r.content), dtype=str)
    assert len(df) == 2 and "conditions" not in df.columns
    r = minister.get(f"{API}/suppliers/export.csv", params={"work_package": "civil_structures"})
    assert "BRAVO-SECRET" in r.text and "Acme" not in r.text


MAPPING = {"columns": {"name": "Naam", "kvk": "KvK", "municipality": "Gemeente"}}


def test_import_reports_every_bad_row_and_writes_nothing(app):
    zee = signed_in(app, "zee")
    h = csrf_headers(zee)
    text = "Naam;KvK;Gemeente\nGood (test);11111111;Borsele\n;22222222;Vlissingen\nX;9;Atlantis\n"
    r = zee.post(f"{API}/suppliers/import", json={"csv": text, "mapping": MAPPING}, headers=h)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "invalid_data" and body["line"] == 3 and body["field"] == "name"
    assert (
        "row 4, field 'kvk'" in body["detail"] and "row 4, field 'municipality'" in body["detail"]
    )
    assert len(zee.get(f"{API}/suppliers").json()) == 1  # nothing written
    good = "Naam,KvK,Gemeente\nGood (test),11111111,Borsele\nAlso (test),,Vlissingen\n"
    r = zee.post(f"{API}/suppliers/import", json={"csv": good, "mapping": MAPPING}, headers=h)
    assert r.status_code == 200 and r.json()["created"] == 2
    assert len(zee.get(f"{API}/suppliers").json()) == 3
