"""Accounts and access: roles, sessions, CSRF, rate limiting, the audit log, private saved
work, read-requires-login, the CLI's first admin, and migrations on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import csrf_headers
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from test_materials_web import TIN, TOY
from typer.testing import CliRunner

from ketenradar.core.errors import AuthError, UsageError
from ketenradar.interfaces.cli.app import app as cli
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.registry import db, service

PASSWORD = "correct horse battery staple"
#: POST endpoints that compute or sign in/out and change no stored data: open to readers.
COMPUTE_ONLY = {
    "/api/v1/login",
    "/api/v1/logout",
    "/{lang}/login",
    "/{lang}/logout",
    # first run: open while no admin exists, 404 afterwards (tests/web/test_setup.py)
    "/{lang}/setup",
    # BOM exposure of an uploaded file: computed, nothing stored, unless an analyst asks to
    # save it (test_bom_upload_is_saved_for_analysts_only)
    "/{lang}/bom",
}
COMPUTE_PREFIXES = (
    "/api/v1/materials/whatif",
    "/api/v1/io/shock",
    "/api/v1/bom/exposure",
    "/api/v1/stockpile/plan",
)


@pytest.fixture
def settings(tmp_path: Path) -> WebSettings:
    return WebSettings.from_env(tmp_path / "data")


@pytest.fixture
def app(settings: WebSettings):
    application = create_app(settings=settings)
    for name, role in (
        ("ann", "admin"),
        ("alice", "analyst"),
        ("bob", "analyst"),
        ("vic", "viewer"),
    ):
        service.create_user(application.state.accounts, name, PASSWORD, role, by="test")
    return application


def signed_in(app, username: str | None) -> TestClient:
    c = TestClient(app)
    if username:
        r = c.post(
            "/api/v1/login",
            json={"username": username, "password": PASSWORD},
            headers=csrf_headers(c),
        )
        assert r.status_code == 200, r.text
    return c


def test_login_sets_httponly_samesite_session_cookie(app):
    c = TestClient(app)
    r = c.post(
        "/api/v1/login", json={"username": "alice", "password": PASSWORD}, headers=csrf_headers(c)
    )
    assert r.status_code == 200 and r.json()["user"] == {
        "username": "alice",
        "role": "analyst",
        "active": True,
    }
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("kr_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert c.get("/api/v1/session").json()["user"] == {"username": "alice", "role": "analyst"}
    # the database holds only the token's hash
    token = c.cookies.get("kr_session")
    with db.engine(app.state.settings.database_url).connect() as conn:
        hashes = conn.execute(text("select token_hash from sessions")).scalars().all()
    assert token not in hashes and len(hashes) == 1
    c.post("/api/v1/logout", headers=csrf_headers(c))
    assert c.get("/api/v1/session").json()["user"] is None


def test_passwords_are_argon2id(app):
    users = service.list_users(app.state.accounts)
    assert all(u.password_hash.startswith("$argon2id$") for u in users)
    assert PASSWORD not in {u.password_hash for u in users}


def test_wrong_password_then_rate_limited(app):
    c = TestClient(app)
    h = csrf_headers(c)
    for _ in range(service.MAX_FAILURES):
        r = c.post("/api/v1/login", json={"username": "alice", "password": "nope"}, headers=h)
        assert r.status_code == 401 and "wrong user name or password" in r.json()["detail"]
    r = c.post("/api/v1/login", json={"username": "alice", "password": PASSWORD}, headers=h)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "too many failed sign-ins" in r.json()["detail"]
    actions = [e.action for e in service.audit_log(app.state.accounts)]
    assert actions.count("login_failed") == service.MAX_FAILURES


def test_csrf_token_required_on_every_state_change(app):
    c = TestClient(app)
    r = c.post("/api/v1/login", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    c.get("/api/v1/session")
    forged = {"X-CSRF-Token": "abc.def"}
    r = c.post("/api/v1/login", json={"username": "alice", "password": PASSWORD}, headers=forged)
    assert r.status_code == 403
    # the login form carries the token in a hidden field and works without the header
    page = c.get("/en/login").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    r = c.post(
        "/en/login",
        data={"username": "alice", "password": PASSWORD, "csrf_token": token, "next": "/en/"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/en/"
    r = c.post("/en/login", data={"username": "alice", "password": PASSWORD})
    assert r.status_code == 403


def _api_routes(routes, prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    for route in routes:
        if hasattr(route, "original_router"):  # an included router (FastAPI ≥ 0.13x)
            yield from _api_routes(
                route.original_router.routes, prefix + route.include_context.prefix
            )
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route


def _write_routes(app) -> list[tuple[str, str]]:
    out = []
    for path, route in _api_routes(app.routes):
        for method in route.methods - {"GET", "HEAD"}:
            if path in COMPUTE_ONLY or path.startswith(COMPUTE_PREFIXES):
                continue
            out.append((method, path))
    return out


def _concrete(path: str) -> str:
    return (
        path.replace("{lang}", "en")
        .replace("{kind}", "scenario")
        .replace("{item_id}", "1")
        .replace("{username}", "vic")
        .replace("{name}", "x")
        .replace("{org_id}", "1")
    )


def test_every_write_endpoint_refuses_anonymous_and_viewers(app):
    routes = _write_routes(app)
    assert ("POST", "/api/v1/users") in routes and ("POST", "/api/v1/saved/{kind}") in routes
    for who, expected in ((None, 401), ("vic", 403)):
        c = signed_in(app, who)
        h = csrf_headers(c)
        for method, path in routes:
            if who == "vic" and "tokens" in path:  # every signed-in user has API tokens
                continue
            r = c.request(method, _concrete(path), headers=h, json={})
            assert r.status_code == expected, (who, method, path, r.status_code, r.text)


def test_admin_endpoints_refuse_analysts(app):
    c = signed_in(app, "alice")
    h = csrf_headers(c)
    assert c.get("/api/v1/users").status_code == 403
    assert c.get("/api/v1/audit").status_code == 403
    new = {"username": "eve", "password": PASSWORD, "role": "admin"}
    assert c.post("/api/v1/users", json=new, headers=h).status_code == 403
    assert c.patch("/api/v1/users/alice", json={"role": "admin"}, headers=h).status_code == 403
    admin = signed_in(app, "ann")
    ha = csrf_headers(admin)
    assert admin.post("/api/v1/users", json=new | {"role": "viewer"}, headers=ha).status_code == 201
    assert admin.patch("/api/v1/users/eve", json={"role": "analyst"}, headers=ha).json()[
        "role"
    ] == ("analyst")
    log = admin.get("/api/v1/audit").json()
    assert {"user_created", "role_changed"} <= {e["action"] for e in log}
    changed = next(e for e in log if e["action"] == "role_changed")
    assert changed["username"] == "ann" and changed["target"] == "eve"
    assert changed["detail"] == {"from": "viewer", "to": "analyst"}


def test_private_scenarios_stay_private(app):
    alice, bob, anon = signed_in(app, "alice"), signed_in(app, "bob"), signed_in(app, None)
    body = "name: tin\nchanges:\n  - export_restriction: {country: CHN, t: 1.5, material: tin}\n"
    r = alice.post(
        "/api/v1/saved/scenario",
        json={"name": "tin restriction", "body": body},
        headers=csrf_headers(alice),
    )
    assert r.status_code == 201 and r.json()["private"] is True
    secret = r.json()["id"]
    shared = alice.post(
        "/api/v1/saved/scenario",
        json={"name": "shared one", "body": body, "private": False},
        headers=csrf_headers(alice),
    ).json()["id"]
    assert alice.get(f"/api/v1/saved/scenario/{secret}").json()["body"] == body
    for other in (bob, anon):
        assert other.get(f"/api/v1/saved/scenario/{secret}").status_code == 404
        ids = [i["id"] for i in other.get("/api/v1/saved/scenario").json()]
        assert secret not in ids and shared in ids
        assert other.get(f"/api/v1/saved/scenario/{shared}").status_code == 200
    # bob may not delete alice's items, not even shared ones
    assert (
        bob.delete(f"/api/v1/saved/scenario/{shared}", headers=csrf_headers(bob)).status_code == 403
    )
    assert (
        bob.delete(f"/api/v1/saved/scenario/{secret}", headers=csrf_headers(bob)).status_code == 404
    )
    assert (
        alice.delete(f"/api/v1/saved/scenario/{secret}", headers=csrf_headers(alice)).status_code
        == 204
    )
    actions = [e.action for e in service.audit_log(app.state.accounts)]
    assert actions.count("scenario_saved") == 2 and "scenario_deleted" in actions


def _saved_scenario(client: TestClient, body: str, private: bool = True) -> int:
    r = client.post(
        "/api/v1/saved/scenario",
        json={"name": "tin restriction", "body": body, "private": private},
        headers=csrf_headers(client),
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_saved_scenario_opens_on_the_materials_page(app):
    alice, bob, anon = signed_in(app, "alice"), signed_in(app, "bob"), signed_in(app, None)
    body = TIN.read_text()
    secret = _saved_scenario(alice, body)
    page = alice.get(f"/en/materials?scenario={secret}")
    assert page.status_code == 200
    embedded = page.text.split('id="whatif-open">')[1].split("</script>")[0]
    assert json.loads(embedded) == yaml.safe_load(body)  # the form runs exactly this
    assert f"#{secret}: <strong>tin restriction</strong>" in page.text
    for other in (bob, anon):  # someone else's private scenario: not found
        assert other.get(f"/en/materials?scenario={secret}").status_code == 404
    shared = _saved_scenario(alice, body, private=False)
    assert bob.get(f"/en/materials?scenario={shared}").status_code == 200
    # not a scenario document: a clear 422; an unknown or a bad id: 404 / 422
    broken = _saved_scenario(alice, "just: text\n")
    r = alice.get(f"/en/materials?scenario={broken}")
    assert r.status_code == 422 and "not a scenario document" in r.text
    assert alice.get("/en/materials?scenario=999999").status_code == 404
    assert alice.get("/en/materials?scenario=0").status_code == 422
    # the save form is offered to analysts, a sign-in hint to anonymous readers, viewers neither
    assert 'id="whatif-save"' in alice.get("/en/materials").text
    assert 'id="whatif-save-hint"' in anon.get("/en/materials").text
    viewer = signed_in(app, "vic").get("/en/materials").text
    assert 'id="whatif-save"' not in viewer and 'id="whatif-save-hint"' not in viewer


def _upload_bom(client: TestClient, text: str, **fields: str):
    return client.post(
        "/en/bom",
        files={"file": ("mine.yaml", text.encode())},
        data={"csrf_token": csrf_headers(client)["X-CSRF-Token"], "supply": "eu_crm"} | fields,
    )


def test_bom_upload_is_saved_for_analysts_only(app):
    save = {"save": "1", "save_name": "my toy", "private": "1"}
    for who, status in ((None, 401), ("vic", 403)):
        r = _upload_bom(signed_in(app, who), TOY, **save)
        assert r.status_code == status and 'id="bom-errors"' in r.text
    alice = signed_in(app, "alice")
    bad = _upload_bom(alice, TOY.replace("quantity: 2", "quantity: -2"), **save)
    assert bad.status_code == 422 and "quantity must not be negative" in bad.text
    owner = next(u for u in service.list_users(app.state.accounts) if u.username == "alice")
    assert service.visible_items(app.state.accounts, owner, "bom") == []
    assert "bom_saved" not in [e.action for e in service.audit_log(app.state.accounts)]
    # computing without asking to save stores nothing either
    assert _upload_bom(alice, TOY).status_code == 200
    assert service.visible_items(app.state.accounts, owner, "bom") == []

    r = _upload_bom(alice, TOY, **save)
    assert r.status_code == 200 and 'id="bom-result"' in r.text and 'id="bom-saved"' in r.text
    (item,) = service.visible_items(app.state.accounts, owner, "bom")
    assert (item.name, item.body, item.private) == ("my toy", TOY, True)
    assert item.owner.username == "alice"
    # opened again from the saved copy: the same result as the upload
    again = alice.get(f"/en/bom?saved={item.id}")
    assert again.status_code == 200
    table = again.text.split('id="bom-materials"')[1].split("</table>")[0]
    assert table == r.text.split('id="bom-materials"')[1].split("</table>")[0]
    assert signed_in(app, "bob").get(f"/en/bom?saved={item.id}").status_code == 404
    # unticked "private": shared with every reader
    shared = _upload_bom(alice, TOY, save="1", save_name="")
    assert shared.status_code == 200
    names = {i.name: i.private for i in service.visible_items(app.state.accounts, None, "bom")}
    assert names == {"toy": False}  # no name given: the BOM's system name
    assert [e.action for e in service.audit_log(app.state.accounts)].count("bom_saved") == 2
    # a scenario's id is not a BOM; a BOM saved through the API that does not validate is
    # shown with its reasons
    scenario = _saved_scenario(alice, TIN.read_text())
    assert alice.get(f"/en/bom?saved={scenario}").status_code == 404
    r = alice.post(
        "/api/v1/saved/bom",
        json={"name": "broken", "body": TOY.replace("quantity: 2", "quantity: -2")},
        headers=csrf_headers(alice),
    )
    page = alice.get(f"/en/bom?saved={r.json()['id']}")
    assert page.status_code == 422 and "quantity must not be negative" in page.text


def test_account_page_opens_and_deletes_saved_items(app):
    alice, bob = signed_in(app, "alice"), signed_in(app, "bob")
    secret = _saved_scenario(alice, TIN.read_text())
    shared = _saved_scenario(alice, TIN.read_text(), private=False)
    page = alice.get("/en/account").text
    assert f'href="/en/materials?scenario={secret}#whatif"' in page
    assert page.count('class="delete-saved"') == 2
    other = bob.get("/en/account").text
    assert f"scenario={secret}" not in other and f"scenario={shared}" in other
    assert 'class="delete-saved"' not in other  # not bob's
    token = {"csrf_token": csrf_headers(bob)["X-CSRF-Token"]}
    r = bob.post(f"/en/account/saved/{shared}/delete", data=token, follow_redirects=False)
    assert r.status_code == 403
    token = {"csrf_token": csrf_headers(alice)["X-CSRF-Token"]}
    r = alice.post(f"/en/account/saved/{secret}/delete", data=token, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/en/account"
    assert alice.get(f"/api/v1/saved/scenario/{secret}").status_code == 404
    assert alice.get(f"/api/v1/saved/scenario/{shared}").status_code == 200


def test_read_requires_login_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KETENRADAR_READ_REQUIRES_LOGIN", "1")
    application = create_app(settings=WebSettings.from_env(tmp_path / "d"))
    service.create_user(application.state.accounts, "vic", PASSWORD, "viewer")
    anon = TestClient(application)
    assert anon.get("/api/v1/overview").status_code == 401
    assert anon.get("/openapi.json").status_code == 401
    r = anon.get("/en/dependencies", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/en/login?next=/en/dependencies"
    assert anon.get("/en/login").status_code == 200
    assert anon.get("/api/v1/health").status_code == 200
    assert anon.get("/static/style.css").status_code == 200
    viewer = signed_in(application, "vic")
    assert viewer.get("/api/v1/overview").status_code == 200
    assert viewer.get("/en/dependencies").status_code == 200
    monkeypatch.setenv("KETENRADAR_READ_REQUIRES_LOGIN", "maybe")
    with pytest.raises(Exception, match="not a yes/no setting"):
        WebSettings.from_env(tmp_path / "d")


def test_open_redirect_refused(app):
    c = TestClient(app)
    page = c.get("/en/login?next=//evil.example/x").text
    assert 'name="next" value="/en/"' in page


def test_cli_creates_the_first_admin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    data = tmp_path / "data"
    runner = CliRunner()
    r = runner.invoke(
        cli,
        ["--data-dir", str(data), "users", "create-admin", "root", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        cli,
        ["--data-dir", str(data), "users", "add", "x", "--role", "boss", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert r.exit_code == 2 and "role 'boss'" in r.output
    r = runner.invoke(
        cli,
        ["--data-dir", str(data), "users", "create-admin", "root", "--password-stdin"],
        input="short\n",
    )
    assert r.exit_code == 2 and "at least" in r.output
    application = create_app(settings=WebSettings.from_env(data))
    c = signed_in(application, "root")
    assert c.get("/api/v1/users").json() == [{"username": "root", "role": "admin", "active": True}]


def test_pages_show_who_is_signed_in_and_admin_sections(app):
    c = signed_in(app, "ann")
    page = c.get("/nl/account").text
    assert "Gebruikers" in page and "Auditlog" in page and 'id="users"' in page
    assert "ann (admin)" in c.get("/en/").text
    viewer = signed_in(app, "vic")
    assert 'id="users"' not in viewer.get("/en/account").text
    assert TestClient(app).get("/en/account", follow_redirects=False).status_code == 303


# --- migrations up and down ----------------------------------------------------------------


def _migrations_round_trip(url: str) -> None:
    tables = {"users", "sessions", "audit_log", "saved_items", "login_throttle"}
    db.upgrade(url)
    assert db.current_revision(url) == "0005"
    assert tables <= set(inspect(db.engine(url)).get_table_names())
    factory = db.sessions(url)
    user = service.create_user(factory, "alice", PASSWORD, "analyst")
    service.save_item(factory, user, "bom", "radar", "name: r\n")
    with pytest.raises(AuthError):
        service.authenticate(factory, "alice", "not the password", "10.0.0.1")
    # 0002 (the sign-in throttle) down and up again: the accounts stay, the counts start afresh
    db.downgrade(url, "0001")
    assert db.current_revision(url) == "0001"
    names = set(inspect(db.engine(url)).get_table_names())
    assert "login_throttle" not in names and tables - {"login_throttle"} <= names
    db.upgrade(url)
    assert db.current_revision(url) == "0005"
    with db.engine(url).connect() as conn:
        assert conn.execute(text("select count(*) from login_throttle")).scalar() == 0
    assert service.authenticate(factory, "alice", PASSWORD, "10.0.0.1").username == "alice"
    db.downgrade(url)
    assert db.current_revision(url) is None
    assert not tables & set(inspect(db.engine(url)).get_table_names())
    db.upgrade(url)
    assert service.count_users(db.sessions(url)) == 0


def test_migrations_up_and_down_sqlite(tmp_path: Path):
    _migrations_round_trip(f"sqlite:///{tmp_path / 'accounts.db'}")


def test_migrations_up_and_down_postgresql(postgres_url: str):
    _migrations_round_trip(postgres_url)


def test_app_on_postgresql(postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KETENRADAR_DATABASE_URL", postgres_url)
    application = create_app(settings=WebSettings.from_env(tmp_path / "d"))
    service.create_user(application.state.accounts, "alice", PASSWORD, "analyst")
    c = signed_in(application, "alice")
    r = c.post("/api/v1/saved/bom", json={"name": "radar", "body": "x: 1"}, headers=csrf_headers(c))
    assert r.status_code == 201
    assert [i["name"] for i in c.get("/api/v1/saved/bom").json()] == ["radar"]


NEW_PASSWORD = "purple ostrich under a lamp"


def test_admin_deactivates_resets_and_deletes_users(app):
    alice, admin = signed_in(app, "alice"), signed_in(app, "ann")
    h = csrf_headers(admin)
    r = admin.patch("/api/v1/users/alice", json={"active": False}, headers=h)
    assert r.status_code == 200 and r.json()["active"] is False
    assert alice.get("/api/v1/session").json()["user"] is None  # signed out at once
    anon = TestClient(app)
    creds = {"username": "alice", "password": PASSWORD}
    assert anon.post("/api/v1/login", json=creds, headers=csrf_headers(anon)).status_code == 401
    assert admin.patch("/api/v1/users/alice", json={"active": True}, headers=h).json()["active"]
    # a new password: the same rules as for a new user
    r = admin.post("/api/v1/users/alice/password", json={"password": "qwertyuiop"}, headers=h)
    assert r.status_code == 400 and "most common" in r.json()["detail"]
    r = admin.post("/api/v1/users/alice/password", json={"password": NEW_PASSWORD}, headers=h)
    assert r.status_code == 200
    creds["password"] = NEW_PASSWORD
    assert anon.post("/api/v1/login", json=creds, headers=csrf_headers(anon)).status_code == 200
    # the last active admin stays one
    for method, path, body in (
        ("PATCH", "/api/v1/users/ann", {"role": "viewer"}),
        ("PATCH", "/api/v1/users/ann", {"active": False}),
        ("DELETE", "/api/v1/users/ann", None),
    ):
        r = admin.request(method, path, json=body, headers=h)
        assert r.status_code == 400, (method, body, r.text)
        assert "'ann' is the last active admin" in r.json()["detail"]
    r = admin.patch("/api/v1/users/ann", json={}, headers=h)
    assert r.status_code == 400 and "nothing to change" in r.json()["detail"]
    assert admin.delete("/api/v1/users/bob", headers=h).status_code == 204
    assert "bob" not in [u["username"] for u in admin.get("/api/v1/users").json()]
    assert admin.delete("/api/v1/users/bob", headers=h).status_code == 404
    # the same from the account page
    token = h["X-CSRF-Token"]

    def form(name: str, **fields: str):
        data = {"csrf_token": token} | fields
        return admin.post(f"/en/account/users/{name}", data=data, follow_redirects=False)

    assert form("vic", action="deactivate").status_code == 303
    page = admin.get("/en/account").text
    row = page.split('data-user="vic"')[1].split("</tr>")[0]
    assert 'class="activate-user"' in row and "<td>no</td>" in row
    r = form("ann", action="deactivate")
    assert r.status_code == 400 and "last active admin" in r.text
    assert form("vic", action="activate").status_code == 303
    assert form("vic", action="role", role="analyst").status_code == 303
    r = form("vic", action="password", password="short")
    assert r.status_code == 400 and "at least 10 characters" in r.text
    assert form("vic", action="password", password=NEW_PASSWORD).status_code == 303
    r = form("vic", action="delete")  # the box not ticked
    assert r.status_code == 400 and "tick the box" in r.text
    assert form("vic", action="delete", confirm="1").status_code == 303
    users = {u["username"]: u["role"] for u in admin.get("/api/v1/users").json()}
    assert users == {"alice": "analyst", "ann": "admin"}
    actions = [e["action"] for e in admin.get("/api/v1/audit").json()]
    for action in ("user_deactivated", "user_activated", "password_reset", "user_deleted"):
        assert action in actions


def test_over_long_input_is_a_4xx_or_cut_to_the_column(
    accounts_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """PostgreSQL enforces VARCHAR widths (SQLite does not): nothing a request brings may
    reach a column longer than it is."""
    monkeypatch.setenv("KETENRADAR_DATABASE_URL", accounts_db_url)
    application = create_app(settings=WebSettings.from_env(tmp_path / "d"))
    factory = application.state.accounts
    user = service.create_user(factory, "alice", PASSWORD, "analyst")
    # the audit log cuts what is too long, marking the cut
    service.audit(factory, "u" * 100, "a" * 100, "t" * 300, {"x": 1}, client="c" * 100)
    (e,) = service.audit_log(factory, 1)
    assert [len(v) for v in (e.username, e.action, e.target, e.client)] == [64, 64, 255, 64]
    assert e.client.endswith("…") and e.target.startswith("ttt")
    # sign-in with an over-long user name or client: a plain failure, no database error
    with pytest.raises(AuthError):
        service.authenticate(factory, "x" * 300, "wrong", "c" * 300)
    # names: refused with the reason
    with pytest.raises(UsageError, match="2–64 letters"):
        service.create_user(factory, "n" * 65, PASSWORD, "viewer")
    with pytest.raises(UsageError, match="at most 200 characters"):
        service.save_item(factory, user, "bom", "n" * 201, "x: 1")
    c = TestClient(application)
    h = csrf_headers(c)
    r = c.post("/api/v1/login", json={"username": "x" * 65, "password": "p"}, headers=h)
    assert r.status_code == 422
    r = c.post(
        "/en/login", data={"username": "x" * 65, "password": "p", "csrf_token": h["X-CSRF-Token"]}
    )
    assert r.status_code == 422
    c = signed_in(application, "alice")
    r = c.post("/api/v1/saved/bom", json={"name": "n" * 201, "body": "x"}, headers=csrf_headers(c))
    assert r.status_code == 422
