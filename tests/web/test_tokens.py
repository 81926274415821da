"""Personal API tokens: made, listed and revoked (API, account page, CLI), stored as their
SHA-256 only, scoped to the lower of the token's and the owner's role, sent as
``Authorization: Bearer``; a bearer request needs no CSRF token, a cookie session still does.

A script-style client (only the bearer header, no cookies) is tried on EVERY write endpoint
of the JSON API, enumerated from ``app.routes``: a new endpoint without an entry in
:data:`CALLS` fails :func:`test_every_write_endpoint_is_covered`."""

from __future__ import annotations

import hashlib
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, csrf_headers, write_country_dict, write_product_dict, write_trade
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import text
from test_io_web import hand_matrices, load, write_icio_csv
from typer.testing import CliRunner

from ketenradar import api as core
from ketenradar.datasets import DataStore
from ketenradar.interfaces.cli.app import app as cli_app
from ketenradar.interfaces.web import guard
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.modules.kansenkaart import suppliers as sp
from ketenradar.registry import db, service
from ketenradar.registry.models import ROLES

PASSWORD = "correct horse battery staple"
OWNERS = {"admin": "ann", "analyst": "alice", "viewer": "vic"}
WRITE = {"POST", "PUT", "PATCH", "DELETE"}
SCENARIO = yaml.safe_load((REPO / "examples/scenarios/tin_export_restriction.yaml").read_text())
TOY_BOM = """\
system: toy
illustrative: false
unit: mass_kg
sources:
  - {id: s1, citation: "hand-made for the test"}
subsystems:
  - name: chip
    materials:
      - {material: Gallium, mass_kg: 1.5, source: s1}
"""


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def baci_files(folder: Path, year: int = 2022) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_country_dict(folder),
        write_product_dict(folder, ["260111", "810590"]),
        write_trade(folder, year, [(year, 156, 528, "260111", 5.0, "NA")]),
    ]


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about tokens: passwords hashed with the cheapest Argon2id settings."""
    for name, value in (("TIME_COST", "1"), ("MEMORY_KIB", "64"), ("PARALLELISM", "1")):
        monkeypatch.setenv(f"KETENRADAR_ARGON2_{name}", value)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the hand ICIO table (tests/web/test_io_web.py) loaded, for io shock."""
    d = tmp_path_factory.mktemp("tokens")
    z, y = hand_matrices()
    return load(d / "store", write_icio_csv(d / "2020_SML.csv", ["NLD", "DEU"], ["C"], z, y))


@pytest.fixture
def app(store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KETENRADAR_DATABASE_URL", f"sqlite:///{tmp_path / 'accounts.db'}")
    application = create_app(settings=WebSettings.from_env(store))
    for role, name in OWNERS.items():
        service.create_user(application.state.accounts, name, PASSWORD, role)
    yield application
    for ds in DataStore(store).list("trade_flows"):  # what a test added; the ICIO stays
        core.remove_dataset(ds.name, data_dir=store)


def user(app, name: str):
    return next(u for u in service.list_users(app.state.accounts) if u.username == name)


def token_for(app, name: str, role: str | None = None) -> str:
    return service.create_token(app.state.accounts, user(app, name), "test", role)[1]


# --- one call per write endpoint ------------------------------------------------------------
# Each entry: (call(app, client, owner) -> response, the status it gets with a token of the
# route's role). ``owner``: the user the token belongs to.

Call = Callable[[Any, TestClient, str], Any]


def _new_user(app, name: str) -> str:
    name = f"{name}{service.count_users(app.state.accounts)}"  # a call runs several times
    service.create_user(app.state.accounts, name, PASSWORD, "viewer")
    return name


def _saved(app, c: TestClient, owner: str):
    item = service.save_item(app.state.accounts, user(app, owner), "bom", "radar", "x: 1\n")
    return c.delete(f"/api/v1/saved/bom/{item.id}")


def _revoke_other(app, c: TestClient, owner: str):
    row, _ = service.create_token(app.state.accounts, user(app, owner), "other")
    return c.delete(f"/api/v1/tokens/{row.id}")


def _upload(app, c: TestClient, owner: str):
    files = baci_files(Path(app.state.settings.data_dir).parent / f"up-{owner}")
    r = c.post(
        "/api/v1/datasets",
        data={"source": "baci"},
        files=[("files", (p.name, p.read_bytes(), "text/csv")) for p in files],
    )
    if r.status_code == 202:
        assert app.state.jobs.wait(r.json()["id"]).state == "done"
    return r


def _fetch(app, c: TestClient, owner: str):
    r = c.post("/api/v1/datasets/fetch", json={"release": "V202401b", "hs": "HS92"})
    if r.status_code == 202:
        app.state.jobs.wait(r.json()["id"], timeout=120)
    return r


def _remove(app, c: TestClient, owner: str):
    data_dir = app.state.settings.data_dir
    folder = Path(data_dir).parent / f"rm-{owner}"
    (report,) = core.add_dataset("baci", baci_files(folder, 2021), data_dir=data_dir)
    return c.delete(f"/api/v1/datasets/{report.dataset}")


def _cancel(app, c: TestClient, owner: str):
    release = threading.Event()
    jobs = app.state.jobs
    blocker = jobs.submit("add", owner, lambda job: {"waited": release.wait(30)})
    queued = jobs.submit("add", owner, lambda job: {})
    try:
        return c.post(f"/api/v1/jobs/{queued.id}/cancel")
    finally:
        release.set()
        jobs.wait(blocker.id)
        jobs.wait(queued.id)


def _io_load(app, c: TestClient, owner: str):
    """Load an ICIO folder from the io page's endpoint: a folder with a bench_cache.npz that is
    no table, so the job starts (202) and fails at once, leaving the store as it was."""
    folder = Path(app.state.settings.data_dir).parent / f"icio-{owner}"
    folder.mkdir(exist_ok=True)
    (folder / "bench_cache.npz").write_bytes(b"not an npz")
    r = c.post("/api/v1/io/load", json={"folder": str(folder)})
    if r.status_code == 202:
        assert app.state.jobs.wait(r.json()["id"], timeout=60).state == "failed"
    return r


def _bom(app, c: TestClient, owner: str):
    return c.post("/api/v1/bom/exposure", files={"file": ("toy.yaml", TOY_BOM.encode())})


SHOCK = {"supplier": "DEU", "fall": 0.5}
KK = "/api/v1/kansenkaart"
ADMIN = sp.Access(username="ann", admin=True)


def _kk(app, owner: str) -> int:
    """Make ``owner`` an admin of the supplier registry (once) and add a supplier; its id."""
    db = app.state.accounts
    if not any(
        m.role == "admin" for m in sp.list_memberships(db, sp.access_of(db, user(app, owner)))
    ):
        sp.add_membership(db, ADMIN, owner, "admin")
    n = len(sp.list_memberships(db, ADMIN)) + len(CALLS)
    profile = sp.SupplierProfile(
        name=f"Token Test Supplier {n} (test)",
        municipality="Vlissingen",
        contact_email="a@b.example",
    )
    return sp.create_supplier(db, ADMIN, profile).id


def _membership(app, owner: str) -> int:
    _kk(app, owner)
    db = app.state.accounts
    return sp.add_membership(db, ADMIN, "alice", "analyst").id


#: the stockpile plan on a store without trade data: the route runs (the token passed) and
#: says what is missing (404); the plan itself is tested in tests/web/test_stockpile_web.py
STOCK = {"items": ["cobalt"], "paths": 100}

CALLS: dict[tuple[str, str], tuple[Call, int]] = {
    ("POST", "/api/v1/login"): (
        lambda app, c, o: c.post("/api/v1/login", json={"username": o, "password": PASSWORD}),
        200,
    ),
    ("POST", "/api/v1/logout"): (lambda app, c, o: c.post("/api/v1/logout"), 200),
    ("POST", "/api/v1/users"): (
        lambda app, c, o: c.post(
            "/api/v1/users", json={"username": "newbie", "password": PASSWORD, "role": "viewer"}
        ),
        201,
    ),
    ("PATCH", "/api/v1/users/{username}"): (
        lambda app, c, o: c.patch(
            f"/api/v1/users/{_new_user(app, 'pat')}", json={"role": "analyst"}
        ),
        200,
    ),
    ("POST", "/api/v1/users/{username}/password"): (
        lambda app, c, o: c.post(
            f"/api/v1/users/{_new_user(app, 'pwd')}/password", json={"password": PASSWORD[::-1]}
        ),
        200,
    ),
    ("DELETE", "/api/v1/users/{username}"): (
        lambda app, c, o: c.delete(f"/api/v1/users/{_new_user(app, 'gone')}"),
        204,
    ),
    ("POST", "/api/v1/saved/{kind}"): (
        lambda app, c, o: c.post("/api/v1/saved/bom", json={"name": "mine", "body": TOY_BOM}),
        201,
    ),
    ("DELETE", "/api/v1/saved/{kind}/{item_id}"): (_saved, 204),
    # by design: a token cannot make tokens (a leaked one could not outlive its revocation)
    ("POST", "/api/v1/tokens"): (
        lambda app, c, o: c.post("/api/v1/tokens", json={"name": "x"}),
        403,
    ),
    ("DELETE", "/api/v1/tokens/{token_id}"): (_revoke_other, 204),
    ("POST", "/api/v1/datasets"): (_upload, 202),
    ("POST", "/api/v1/datasets/fetch"): (_fetch, 202),
    ("DELETE", "/api/v1/datasets/{name}"): (_remove, 204),
    ("POST", "/api/v1/jobs/{job_id}/cancel"): (_cancel, 202),
    ("POST", "/api/v1/materials/whatif"): (
        lambda app, c, o: c.post("/api/v1/materials/whatif", json=SCENARIO),
        200,
    ),
    ("POST", "/api/v1/materials/whatif.{fmt}"): (
        lambda app, c, o: c.post("/api/v1/materials/whatif.csv", json=SCENARIO),
        200,
    ),
    ("POST", "/api/v1/bom/exposure"): (_bom, 200),
    ("POST", "/api/v1/bom/exposure.{fmt}"): (
        lambda app, c, o: c.post(
            "/api/v1/bom/exposure.csv", files={"file": ("toy.yaml", TOY_BOM.encode())}
        ),
        200,
    ),
    ("POST", "/api/v1/io/load"): (_io_load, 202),
    ("POST", "/api/v1/io/shock"): (lambda app, c, o: c.post("/api/v1/io/shock", json=SHOCK), 200),
    ("POST", "/api/v1/io/shock.{fmt}"): (
        lambda app, c, o: c.post("/api/v1/io/shock.csv", json=SHOCK),
        200,
    ),
    ("POST", "/api/v1/stockpile/plan"): (
        lambda app, c, o: c.post("/api/v1/stockpile/plan", json=STOCK),
        404,
    ),
    ("POST", "/api/v1/stockpile/plan.{fmt}"): (
        lambda app, c, o: c.post("/api/v1/stockpile/plan.csv", json=STOCK),
        404,
    ),
    ("POST", "/api/v1/stockpile/plan.html"): (
        lambda app, c, o: c.post("/api/v1/stockpile/plan.html", json=STOCK),
        404,
    ),
    ("POST", f"{KK}/suppliers"): (
        lambda app, c, o: (_kk(app, o), c.post(f"{KK}/suppliers", json={"name": "New (test)"}))[1],
        201,
    ),
    ("PATCH", f"{KK}/suppliers/{{org_id}}"): (
        lambda app, c, o: c.patch(f"{KK}/suppliers/{_kk(app, o)}", json={"size_class": "small"}),
        200,
    ),
    ("DELETE", f"{KK}/suppliers/{{org_id}}/contact"): (
        lambda app, c, o: c.delete(f"{KK}/suppliers/{_kk(app, o)}/contact"),
        200,
    ),
    ("DELETE", f"{KK}/suppliers/{{org_id}}"): (
        lambda app, c, o: c.delete(f"{KK}/suppliers/{_kk(app, o)}"),
        204,
    ),
    ("POST", f"{KK}/suppliers/import"): (
        lambda app, c, o: (
            _kk(app, o),
            c.post(
                f"{KK}/suppliers/import",
                json={
                    "csv": "Naam,Gemeente\nImported (test),Vlissingen\n",
                    "mapping": {"columns": {"name": "Naam", "municipality": "Gemeente"}},
                    "dry_run": True,
                },
            ),
        )[1],
        200,
    ),
    ("POST", f"{KK}/memberships"): (
        lambda app, c, o: (
            _kk(app, o),
            c.post(f"{KK}/memberships", json={"username": "alice", "role": "analyst"}),
        )[1],
        201,
    ),
    ("DELETE", f"{KK}/memberships/{{membership_id}}"): (
        lambda app, c, o: c.delete(f"{KK}/memberships/{_membership(app, o)}"),
        204,
    ),
}


def write_routes(app) -> dict[tuple[str, str], str | None]:
    """Every state-changing route of the JSON API and the role it needs (``None``: open)."""
    out = {}
    for rc in iter_route_contexts(app.routes):
        if not (rc.path_format or "").startswith("/api/"):
            continue
        for method in (rc.methods or set()) & WRITE:
            out[(method, rc.path_format)] = guard.route_role(rc.dependant)
    return out


def test_every_write_endpoint_is_covered(app):
    routes = write_routes(app)
    assert len(routes) >= 15
    assert set(routes) == set(CALLS), "add an entry to CALLS for each new write endpoint"


@pytest.fixture
def baci_mirror(http_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The BACI release zip on the local HTTP server (for the fetch endpoint)."""
    src = baci_files(tmp_path / "mirror")
    with zipfile.ZipFile(http_server.root / "BACI_HS92_V202401b.zip", "w") as zf:
        for f in src:
            zf.write(f, f.name)
    monkeypatch.setenv("KETENRADAR_BACI_BASE_URL", http_server.url(""))


def script(app, token: str | None = None) -> Iterator[TestClient]:
    """A client like a script's: no cookies kept, only the bearer header (if any)."""
    c = TestClient(app, cookies=None)
    if token:
        c.headers.update(bearer(token))
    return c


@pytest.mark.parametrize("endpoint", sorted(CALLS), ids=lambda e: f"{e[0]} {e[1]}")
def test_script_with_a_token_on_every_write_endpoint(app, endpoint, baci_mirror):
    """A valid token of the route's role works; none → 401 (open routes: the CSRF check's
    403); a token one role too low → 403; the same token after revoking → 401."""
    role = write_routes(app)[endpoint] or "viewer"
    call, status = CALLS[endpoint]
    owner = OWNERS[role]
    token = token_for(app, owner)
    c = script(app, token)
    r = call(app, c, owner)
    assert r.status_code == status, r.text
    assert not c.cookies.get("kr_session") or endpoint[1] == "/api/v1/login"
    if status == 403:  # token minting: refused for a token, with the reason
        assert "cannot make other tokens" in r.json()["detail"]

    anon = call(app, script(app), owner)
    if write_routes(app)[endpoint]:
        assert (anon.status_code, anon.json()["code"]) == (401, "unauthorized"), anon.text
    else:  # open to anyone, but a cookie-less client without a token has no CSRF token
        assert (anon.status_code, anon.json()["code"]) == (403, "csrf_failed"), anon.text

    if role != "viewer":  # the admin's own token scoped one role lower
        lower = ROLES[ROLES.index(role) - 1]
        low = call(app, script(app, token_for(app, "ann", lower)), "ann")
        assert (low.status_code, low.json()["code"]) == (403, "forbidden"), low.text

    digest = hashlib.sha256(token.encode()).hexdigest()
    (row,) = [t for t in service.list_tokens(app.state.accounts) if t.token_hash == digest]
    service.revoke_token(app.state.accounts, user(app, owner), row.id)
    gone = call(app, script(app, token), owner)
    assert (gone.status_code, gone.json()["code"]) == (401, "unauthorized"), gone.text
    assert gone.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_lifecycle_hashed_at_rest_on_sqlite_and_postgresql(
    accounts_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("KETENRADAR_DATABASE_URL", accounts_db_url)
    application = create_app(settings=WebSettings.from_env(tmp_path / "d"))
    factory = application.state.accounts
    service.create_user(factory, "alice", PASSWORD, "analyst")
    session = TestClient(application)
    assert (
        session.post(
            "/api/v1/login",
            json={"username": "alice", "password": PASSWORD},
            headers=csrf_headers(session),
        ).status_code
        == 200
    )
    # a session without the CSRF token is still refused
    assert session.post("/api/v1/tokens", json={"name": "nightly"}).status_code == 403
    r = session.post(
        "/api/v1/tokens", json={"name": "nightly", "days": 30}, headers=csrf_headers(session)
    )
    assert r.status_code == 201, r.text
    made = r.json()
    secret = made["token"]
    assert secret.startswith("kr_") and len(secret) >= 40 and made["role"] == "analyst"
    # at rest: the SHA-256 only, never the token
    with db.engine(accounts_db_url).connect() as conn:
        rows = conn.execute(text("select token_hash, prefix, role from api_tokens")).all()
    assert rows == [(hashlib.sha256(secret.encode()).hexdigest(), secret[:10], "analyst")]
    listed = session.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed] == ["nightly"] and "token" not in listed[0]
    assert secret not in session.get("/en/account").text  # shown once, on making it only
    # no higher role than the owner's
    r = session.post(
        "/api/v1/tokens", json={"name": "x", "role": "admin"}, headers=csrf_headers(session)
    )
    assert (r.status_code, r.json()["field"]) == (403, "role")

    s = script(application, secret)
    assert s.get("/api/v1/session").json()["user"]["username"] == "alice"
    assert s.post("/api/v1/saved/bom", json={"name": "n", "body": TOY_BOM}).status_code == 201
    assert s.get("/api/v1/users").status_code == 403
    assert service.list_tokens(factory)[0].last_used_at is not None
    # demoting the owner demotes the token
    service.set_role(factory, "alice", "viewer")
    r = s.post("/api/v1/saved/bom", json={"name": "n", "body": TOY_BOM})
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    # deactivating the owner stops the token
    service.set_role(factory, "alice", "analyst")
    service.set_active(factory, "alice", False)
    assert s.get("/api/v1/tokens").status_code == 401
    service.set_active(factory, "alice", True)
    # revoked: 401 everywhere, also on open GETs (a bad token is never read as anonymous)
    session = TestClient(application)
    session.post(
        "/api/v1/login",
        json={"username": "alice", "password": PASSWORD},
        headers=csrf_headers(session),
    )
    r = session.delete(f"/api/v1/tokens/{made['id']}", headers=csrf_headers(session))
    assert r.status_code == 204
    assert s.get("/api/v1/health").status_code == 401
    assert script(application, "kr_" + "x" * 43).get("/api/v1/health").status_code == 401
    actions = [e.action for e in service.audit_log(factory)]
    assert "token_created" in actions and "token_revoked" in actions


def test_expired_token_is_refused(app):
    row, secret = service.create_token(app.state.accounts, user(app, "alice"), "short", days=1)
    with db.engine(app.state.settings.database_url).begin() as conn:
        conn.execute(
            text("update api_tokens set expires_at = '2000-01-01 00:00:00' where id = :i"),
            {"i": row.id},
        )
    assert script(app, secret).get("/api/v1/tokens").status_code == 401


def test_account_page_makes_shows_once_and_revokes_a_token(app):
    c = TestClient(app)
    c.post("/api/v1/login", json={"username": "vic", "password": PASSWORD}, headers=csrf_headers(c))
    page = c.get("/nl/account")
    assert 'id="no-tokens"' in page.text and "API-tokens" in page.text
    form = {"name": "excel", "role": "viewer", "csrf_token": csrf_headers(c)["X-CSRF-Token"]}
    assert c.post("/nl/account/tokens", data={"name": "excel"}).status_code == 403  # no CSRF
    r = c.post("/nl/account/tokens", data=form)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    (row,) = service.list_tokens(app.state.accounts, user(app, "vic"))
    shown = r.text.split('id="new-token-value">')[1].split("<")[0]
    assert hashlib.sha256(shown.encode()).hexdigest() == row.token_hash
    assert shown not in c.get("/nl/account").text
    assert script(app, shown).get("/api/v1/tokens").status_code == 200
    # the token cannot be used for the account page's forms to make more tokens
    r = script(app, shown).post("/en/account/tokens", data={"name": "more"})
    assert r.status_code == 403
    r = c.post(
        f"/nl/account/tokens/{row.id}/revoke",
        data={"csrf_token": csrf_headers(c)["X-CSRF-Token"]},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert script(app, shown).get("/api/v1/tokens").status_code == 401


def test_a_user_cannot_revoke_another_users_token_but_an_admin_can(app):
    row, secret = service.create_token(app.state.accounts, user(app, "vic"), "v")
    alice = script(app, token_for(app, "alice"))
    assert alice.delete(f"/api/v1/tokens/{row.id}").status_code == 404
    assert script(app, secret).get("/api/v1/tokens").status_code == 200
    assert script(app, token_for(app, "ann")).delete(f"/api/v1/tokens/{row.id}").status_code == 204
    assert script(app, secret).get("/api/v1/tokens").status_code == 401


def test_openapi_declares_the_token_and_the_session(app):
    spec = TestClient(app).get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["apiToken"] == {**schemes["apiToken"], "type": "http", "scheme": "bearer"}
    assert (
        schemes["session"]["in"] == "cookie" and "X-CSRF-Token" in schemes["session"]["description"]
    )
    users = spec["paths"]["/api/v1/users"]["post"]
    assert users["security"] == [{"apiToken": []}, {"session": []}]
    assert "Role: **admin**" in users["description"]
    assert {} in spec["paths"]["/api/v1/materials/whatif"]["post"]["security"]  # open


def test_cli_makes_lists_and_revokes_a_token(app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KETENRADAR_DATA_DIR", str(app.state.settings.data_dir))
    runner = CliRunner()
    r = runner.invoke(
        cli_app, ["users", "token", "create", "alice", "--name", "cron", "--role", "viewer"]
    )
    assert r.exit_code == 0, r.output
    secret = r.stdout.strip().splitlines()[-1]
    assert secret.startswith("kr_")
    assert script(app, secret).get("/api/v1/session").json()["user"]["role"] == "viewer"
    r = runner.invoke(cli_app, ["users", "token", "list", "alice"])
    assert r.exit_code == 0 and "cron" in r.stdout and secret not in r.stdout
    (row,) = service.list_tokens(app.state.accounts, user(app, "alice"))
    r = runner.invoke(
        cli_app, ["users", "token", "create", "alice", "--name", "x", "--role", "admin"]
    )
    assert r.exit_code != 0 and "cannot have the admin role" in r.output
    r = runner.invoke(cli_app, ["users", "token", "revoke", str(row.id)])
    assert r.exit_code == 0, r.output
    assert script(app, secret).get("/api/v1/session").status_code == 401


def test_a_deactivated_user_gets_no_token_and_is_told_why(
    app, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token for a deactivated user is refused with that reason (it used to say 'a viewer
    cannot have the viewer role')."""
    monkeypatch.setenv("KETENRADAR_DATA_DIR", str(app.state.settings.data_dir))
    service.create_user(app.state.accounts, "dee", PASSWORD, "viewer")
    service.set_active(app.state.accounts, "dee", False, by="test")
    r = CliRunner().invoke(
        cli_app, ["users", "token", "create", "dee", "--name", "x", "--role", "viewer"]
    )
    assert r.exit_code != 0 and "'dee' is deactivated" in r.output, r.output
    assert "cannot have the viewer role" not in r.output
    assert service.list_tokens(app.state.accounts, user(app, "dee")) == []


def test_tokens_under_concurrent_requests_on_sqlite_and_postgresql(
    accounts_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Many scripts at once, each with a token never used before (so every request also
    writes its ``last_used_at``), while more tokens are made: every request is answered as
    its owner, each token is marked used, no token is lost or duplicated."""
    from conftest import together

    monkeypatch.setenv("KETENRADAR_DATABASE_URL", accounts_db_url)
    application = create_app(settings=WebSettings.from_env(tmp_path / "d"))
    factory = application.state.accounts
    for role, name in OWNERS.items():
        service.create_user(factory, name, PASSWORD, role)
    tokens = {
        f"{name}{i}": (name, token_for(application, name))
        for name in OWNERS.values()
        for i in range(3)
    }

    def ask(owner: str, secret: str) -> Callable[[], Any]:
        def call() -> tuple[int, str]:
            r = script(application, secret).get("/api/v1/session")
            return r.status_code, r.json()["user"]["username"]

        return call

    def make(owner: str, i: int) -> Callable[[], Any]:
        return lambda: service.create_token(factory, user(application, owner), f"c{i}")[1]

    calls = [ask(o, t) for o, t in tokens.values()] * 2
    calls += [make(o, i) for i, o in enumerate(OWNERS.values())]
    got = together(calls)
    errors = [g for g in got if isinstance(g, BaseException)]
    assert not errors, errors[:3]
    answers = got[: 2 * len(tokens)]
    assert answers == [(200, o) for o, _ in tokens.values()] * 2
    made = got[2 * len(tokens) :]
    assert len(set(made)) == len(OWNERS) and all(m.startswith("kr_") for m in made)
    rows = service.list_tokens(factory)
    assert len(rows) == len(tokens) + len(OWNERS)
    used = {r.prefix for r in rows if r.last_used_at is not None}
    assert used == {t[:10] for _, t in tokens.values()}
