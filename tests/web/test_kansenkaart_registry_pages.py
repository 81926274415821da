"""The supplier registry's pages (``/{lang}/kansenkaart/suppliers`` and a supplier's page) on
SQLite and PostgreSQL: every role sees exactly the suppliers ``list_suppliers`` gives it,
anonymous readers and users without a membership see none and why; the filters (name, work
package, certificate held now, province) and the pages list the rows computed here from
``list_suppliers``; a company cannot open another company's page nor read its conditions;
the supplier page shows ``supplier_fit``'s readiness per work package; a change through the
API shows on the page at once (the index's version check)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import csrf_headers, signed_in, web_app
from fastapi.testclient import TestClient
from kansenkaart_registry_support import ACME, BRAVO, write_geo

from ketenradar.modules.kansenkaart import api
from ketenradar.modules.kansenkaart import suppliers as sp
from ketenradar.registry.models import User

USERS = {
    "ann": "admin",
    "acme": "viewer",
    "bravo": "viewer",
    "zee": "viewer",
    "minister": "viewer",
    "nobody": "viewer",
}
DEMO = 120
PAGE = "/en/kansenkaart/suppliers"


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    if request.param == "postgresql":
        monkeypatch.setenv("KETENRADAR_DATABASE_URL", request.getfixturevalue("postgres_url"))
    monkeypatch.setenv("KETENRADAR_SHARED_DATA", str(write_geo(tmp_path / "shared")))
    application = web_app(tmp_path, monkeypatch, USERS)
    factory, op = application.state.accounts, sp.Access.cli()
    assert sp.load_demo(factory, op, DEMO) == (0, DEMO)
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


def access(app, username: str | None) -> sp.Access:
    """The registry rights of ``username`` (``None``: anonymous)."""
    if username is None:
        return sp.Access()
    with app.state.accounts() as s:
        user = s.query(User).filter_by(username=username).one()
    return sp.access_of(app.state.accounts, user)


def row_ids(html: str) -> list[int]:
    """The suppliers listed on a registry page, in order."""
    return [int(i) for i in re.findall(r'<tr data-id="(\d+)"', html)]


def all_pages(client: TestClient, params: dict[str, str] | None = None) -> list[int]:
    """The suppliers of every page of a search, following the page links."""
    ids, page = [], 1
    while True:
        r = client.get(PAGE, params={**(params or {}), "page": str(page)})
        assert r.status_code == 200, r.text
        ids += row_ids(r.text)
        if f'aria-current="page">{page + 1}<' in r.text or f"page={page + 1}" not in r.text:
            return ids
        page += 1


def test_every_role_sees_what_list_suppliers_gives(app):
    db = app.state.accounts
    for name in ("ann", "acme", "bravo", "zee", "minister"):
        client = signed_in(app, name)
        expected = [o.id for o in sp.list_suppliers(db, access(app, name))]
        assert expected, name
        assert all_pages(client) == expected, name
        found = sp.search_suppliers(db, access(app, name), per_page=10_000)
        assert [e.id for e in found.entries] == expected and found.total == len(expected)
    assert len(sp.list_suppliers(db, access(app, "minister"))) == DEMO + 2
    assert all_pages(signed_in(app, "acme")) == [app.state.ids["acme"]]


def test_anonymous_and_members_without_a_role_see_none(app):
    r = TestClient(app).get(PAGE)
    assert r.status_code == 200 and row_ids(r.text) == []
    assert 'id="registry-members-only"' in r.text and "sign in to see suppliers" in r.text
    assert "registry-export" not in r.text
    r = TestClient(app).get("/nl/kansenkaart/suppliers")
    assert "log in om leveranciers te zien" in r.text
    r = signed_in(app, "nobody").get(PAGE)
    assert row_ids(r.text) == [] and "You have no membership of the registry" in r.text
    assert sp.list_suppliers(app.state.accounts, access(app, "nobody")) == []


def test_filters_and_pages(app):
    db, who = app.state.accounts, access(app, "minister")
    client = signed_in(app, "minister")
    everyone = sp.list_suppliers(db, who)
    today = date.today()

    def expect(**f):
        orgs = sp.list_suppliers(
            db, who, work_package=f.get("work_package"), province=f.get("province")
        )
        if "q" in f:
            orgs = [o for o in orgs if f["q"].casefold() in o.name.casefold()]
        if "certificate" in f:
            orgs = [o for o in orgs if f["certificate"] in sp.held(o.certifications, today)]
        return [o.id for o in orgs]

    cases = [
        {"q": "SUPPLIER 01"},
        {"q": "acme"},
        {"work_package": "valves"},
        {"certificate": "iso_9001"},
        {"province": "Zeeland"},
        {"province": "Noord-Holland", "work_package": "civil_structures"},
        {"q": "demo", "certificate": "iso_19443", "province": "Noord-Brabant"},
    ]
    for f in cases:
        want = expect(**f)
        assert all_pages(client, f) == want, f
    assert expect(q="SUPPLIER 01") and len(expect(q="SUPPLIER 01")) < len(everyone)
    assert 0 < len(expect(certificate="iso_9001")) < len(everyone)
    # the pages: 50 a page, the second shows 51–100
    r = client.get(PAGE, params={"page": "2"})
    assert row_ids(r.text) == [o.id for o in everyone[50:100]]
    assert f"Showing 51–100 of {len(everyone)} suppliers" in r.text
    r = client.get("/nl/kansenkaart/suppliers", params={"page": "3"})
    assert row_ids(r.text) == [o.id for o in everyone[100:]]
    assert f"101–{len(everyone)} van {len(everyone)} leveranciers" in r.text
    assert "Naam bevat" in r.text and "Werkpakket" in r.text and "Name contains" not in r.text
    # past the last page: the last
    assert row_ids(client.get(PAGE, params={"page": "99"}).text) == row_ids(r.text)
    # export links carry the work package and province
    r = client.get(PAGE, params={"work_package": "valves", "province": "Zeeland"})
    link = re.search(r'id="registry-export-csv" href="([^"]+)"', r.text).group(1)
    exported = client.get(link.replace("&amp;", "&"))
    assert exported.status_code == 200
    assert len(exported.text.strip().splitlines()) - 1 == len(row_ids(r.text))
    # an unknown work package or certificate is refused, naming the field
    r = client.get(PAGE, params={"work_package": "warp"})
    assert r.status_code == 400 and 'data-field="work_package"' in r.text
    r = client.get(PAGE, params={"certificate": "nope"})
    assert r.status_code == 400 and 'data-field="certificate"' in r.text
    assert client.get(PAGE, params={"page": "x"}).status_code == 400


def test_demo_marker_and_rows(app):
    client = signed_in(app, "minister")
    r = client.get(PAGE, params={"q": "acme"})
    acme = app.state.ids["acme"]
    row = re.search(rf'<tr data-id="{acme}">(.*?)</tr>', r.text, re.S).group(1)
    assert "Vlissingen / Zeeland" in row and "medium (50–249 employees)" in row
    assert "ISO 9001 (quality management)" in row and "fictional demo" not in row
    r = client.get(PAGE, params={"q": "Demo Supplier 001 "})
    assert r.text.count('data-demo="1"') == 1 and "fictional demo" in r.text


def test_a_company_cannot_open_another_company(app):
    ids = app.state.ids
    acme = signed_in(app, "acme")
    other = acme.get(f"/en/kansenkaart/suppliers/{ids['bravo']}")
    unknown = acme.get("/en/kansenkaart/suppliers/999999")
    assert other.status_code == unknown.status_code == 404
    assert "Bravo" not in other.text and "BRAVO-SECRET" not in other.text
    assert other.text.replace(str(ids["bravo"]), "N") == unknown.text.replace("999999", "N")
    own = acme.get(f"/en/kansenkaart/suppliers/{ids['acme']}")
    assert own.status_code == 200 and "ACME-SECRET" in own.text
    assert "sales@acme.example" in own.text
    # an admin reads the profile but not the conditions; an analyst reads them
    r = signed_in(app, "ann").get(f"/en/kansenkaart/suppliers/{ids['acme']}")
    assert r.status_code == 200 and "ACME-SECRET" not in r.text
    assert "Confidential: visible to the company" in r.text
    r = signed_in(app, "minister").get(f"/nl/kansenkaart/suppliers/{ids['bravo']}")
    assert "BRAVO-SECRET" in r.text and "Wat zou deze leverancier kunnen leveren?" in r.text
    # anonymous: to the sign-in page, the same for a real and an unknown id (nothing leaks)
    anonymous = TestClient(app, follow_redirects=False)
    for oid in (ids["acme"], 999_999):
        r = anonymous.get(f"/en/kansenkaart/suppliers/{oid}")
        assert r.status_code == 303
        assert r.headers["location"] == f"/en/login?next=/en/kansenkaart/suppliers/{oid}"
    r = TestClient(app).get(f"/en/kansenkaart/suppliers/{ids['acme']}")
    assert r.status_code == 200 and 'id="login-form"' in r.text and "ACME" not in r.text
    r = signed_in(app, "nobody").get(f"/en/kansenkaart/suppliers/{ids['acme']}")
    assert r.status_code == 404


def test_supplier_page_shows_the_fit(app):
    ids, db = app.state.ids, app.state.accounts
    for name, org in (("acme", ids["acme"]), ("minister", ids["bravo"])):
        frame = api.supplier_fit(db, access(app, name), org).frame("fit")
        assert len(frame) > 0
        html = signed_in(app, name).get(f"/en/kansenkaart/suppliers/{org}").text
        shown = re.findall(r'data-work-package="([^"]+)" data-readiness="(\d)"', html)
        assert shown == [(r.work_package, str(r.readiness)) for r in frame.itertuples()]
    # acme: valves and piping with ISO 9001 held, pumps an ambition from 2030
    html = signed_in(app, "acme").get(f"/en/kansenkaart/suppliers/{ids['acme']}").text
    assert re.search(r'data-work-package="pumps" data-readiness="1"', html)
    pumps = re.search(r'data-work-package="pumps".*?</tr>', html, re.S).group(0)
    assert "1 – ambition" in pumps and "ambition from 2030)" in pumps
    demo = sp.search_suppliers(db, access(app, "minister"), name="Demo Supplier 002").entries[0]
    html = signed_in(app, "minister").get(f"/nl/kansenkaart/suppliers/{demo.id}").text
    assert 'id="supplier-demo"' in html and "Fictieve demoleverancier" in html
    assert "Gereedheid" in html and "Readiness" not in html


def test_a_change_shows_at_once(app):
    ids = app.state.ids
    minister = signed_in(app, "minister")
    assert "Acme Valves (test)" in minister.get(PAGE, params={"q": "acme"}).text
    acme = signed_in(app, "acme")
    r = acme.patch(
        f"/api/v1/kansenkaart/suppliers/{ids['acme']}",
        json={"name": "Acme Renamed (test)"},
        headers=csrf_headers(acme),
    )
    assert r.status_code == 200
    r = minister.get(PAGE, params={"q": "acme"})
    assert "Acme Renamed (test)" in r.text and "Acme Valves" not in r.text
    ann = signed_in(app, "ann")
    r = ann.delete(f"/api/v1/kansenkaart/suppliers/{ids['bravo']}", headers=csrf_headers(ann))
    assert r.status_code == 204
    assert ids["bravo"] not in all_pages(minister)
    # the demo set replaced by a smaller one (removed and added in one transaction)
    sp.load_demo(app.state.accounts, sp.Access.cli(), 7)
    assert len(all_pages(minister)) == 7 + 1
    assert all_pages(minister) == [
        o.id for o in sp.list_suppliers(app.state.accounts, access(app, "minister"))
    ]


def _csrf(client: TestClient) -> str:
    return csrf_headers(client)["X-CSRF-Token"]


def test_a_company_edits_its_own_profile_on_its_page(app):
    """Self-service: the company's page has the edit form; saving changes the profile (in
    the audit log), a bad line comes back with the field named and nothing changed, another
    company's page has no form and a post to it is refused."""
    ids, db = app.state.ids, app.state.accounts
    acme = signed_in(app, "acme")
    url = f"/en/kansenkaart/suppliers/{ids['acme']}"
    assert 'id="supplier-edit-form"' in acme.get(url).text
    form = {
        "csrf_token": _csrf(acme),
        "capabilities": ["valves", "pumps"],
        "experience": ["offshore", "chemicals"],
        "certifications": "iso_9001, 2099-01-01\niso_19443\n",
        "ambitions": "piping, 2031\n",
        "capacity": "40 fte welding",
        "conditions": "ACME-SECRET: still a framework contract",
        "contact_email": "",
    }
    r = acme.post(url, data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == url + "?saved=1"
    org = sp.get_supplier(db, sp.Access.cli(), ids["acme"])
    assert org.capabilities == ["valves", "pumps"] and org.capacity == "40 fte welding"
    assert [c["certificate"] for c in org.certifications] == ["iso_9001", "iso_19443"]
    assert org.ambitions == [{"work_package": "piping", "from_year": 2031}]
    assert org.contact_email is None  # emptied: removed
    assert 'id="supplier-saved"' in acme.get(url + "?saved=1").text
    from ketenradar.registry import service

    log = [e for e in service.audit_log(db) if e.target == f"supplier/{ids['acme']}"]
    assert log and log[0].action == "supplier_updated" and log[0].username == "acme"
    # a bad line: the page again, the field named, nothing changed
    bad = dict(form, csrf_token=_csrf(acme), certifications="iso_9001, 31-12-2030")
    r = acme.post(url, data=bad)
    assert r.status_code == 422 and 'data-field="certifications[0].valid_until"' in r.text
    assert "iso_9001, 31-12-2030" in r.text  # the form as sent
    bad = dict(form, csrf_token=_csrf(acme), ambitions="piping")
    r = acme.post(url, data=bad)
    assert r.status_code == 422 and 'data-field="ambitions[0]"' in r.text
    bad = dict(form, csrf_token=_csrf(acme), capabilities=["no_such_package"])
    assert acme.post(url, data=bad).status_code in (400, 422)
    assert sp.get_supplier(db, sp.Access.cli(), ids["acme"]).capabilities == ["valves", "pumps"]
    # another company's page: no form, and a post is refused without a change
    other = f"/en/kansenkaart/suppliers/{ids['bravo']}"
    assert acme.get(other).status_code == 404
    assert acme.post(other, data=dict(form, csrf_token=_csrf(acme))).status_code == 404
    # without the CSRF token: refused
    no_token = {k: v for k, v in form.items() if k != "csrf_token"}
    assert acme.post(url, data=no_token).status_code == 403
    # an admin edits but never sees (nor sends) the conditions
    ann = signed_in(app, "ann")
    page = ann.get(url).text
    assert 'id="supplier-edit-form"' in page and 'name="conditions"' not in page
    r = ann.post(url, data={"csrf_token": _csrf(ann), "capabilities": ["valves"]})
    assert r.status_code == 200  # followed the redirect to the page
    org = sp.get_supplier(db, sp.Access.cli(), ids["acme"])
    assert org.conditions.startswith("ACME-SECRET")  # kept: not in the admin's form
