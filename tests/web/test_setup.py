"""First run: while no admin exists, /{lang}/setup makes the first one (CSRF-protected, signs
in as it); then it is closed (404). Two set-ups at once make exactly one admin, on SQLite and
PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import csrf_headers
from fastapi.testclient import TestClient

from ketenradar.core.errors import ForbiddenError
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.registry import service

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cheapest Argon2id settings: these tests are about who may set up, not hashing."""
    for name, value in (("TIME_COST", "1"), ("MEMORY_KIB", "64"), ("PARALLELISM", "1")):
        monkeypatch.setenv(f"KETENRADAR_ARGON2_{name}", value)


@pytest.fixture
def app(accounts_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KETENRADAR_DATABASE_URL", accounts_db_url)
    return create_app(settings=WebSettings.from_env(tmp_path / "data"))


def form(c: TestClient, username: str = "ann", password2: str = PASSWORD) -> dict[str, str]:
    token = csrf_headers(c)["X-CSRF-Token"]
    return {"username": username, "password": PASSWORD, "password2": password2, "csrf_token": token}


def test_setup_makes_the_first_admin_then_closes(app):
    c = TestClient(app)
    login = c.get("/nl/login").text
    assert 'id="setup-link"' in login and 'href="/nl/setup"' in login
    page = c.get("/nl/setup")
    assert (
        page.status_code == 200 and "Eerste start" in page.text and 'name="csrf_token"' in page.text
    )
    # CSRF: a form without the token, or with another session's, is refused
    no_token = {k: v for k, v in form(c).items() if k != "csrf_token"}
    assert c.post("/nl/setup", data=no_token).status_code == 403
    other = TestClient(app)
    assert c.post("/nl/setup", data=form(other)).status_code == 403
    # wrong input: the form again with the reason; nothing made
    r = c.post("/nl/setup", data=form(c, password2="something else entirely"))
    assert r.status_code == 400 and "differ" in r.text
    r = c.post("/nl/setup", data=form(c, username="a b"))
    assert r.status_code == 400 and "no spaces" in r.text
    assert service.count_users(app.state.accounts) == 0
    r = c.post("/nl/setup", data=form(c), follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/nl/account")
    assert c.get("/api/v1/session").json()["user"] == {"username": "ann", "role": "admin"}
    (ann,) = service.list_users(app.state.accounts)
    assert (ann.username, ann.role, ann.active) == ("ann", "admin", True)
    events = [e.action for e in service.audit_log(app.state.accounts)]
    assert "first_admin_created" in events
    # closed now, for everyone
    anon = TestClient(app)
    assert anon.get("/nl/setup").status_code == 404
    assert anon.get("/en/setup").status_code == 404
    assert anon.post("/en/setup", data=form(anon, "eve")).status_code == 404
    assert 'id="setup-link"' not in anon.get("/en/login").text
    assert service.count_users(app.state.accounts) == 1


def test_setup_stays_closed_with_a_deactivated_admin(app):
    factory = app.state.accounts
    service.create_user(factory, "ann", PASSWORD, "admin")
    service.create_user(factory, "bob", PASSWORD, "admin")
    service.set_active(factory, "ann", False)
    assert TestClient(app).get("/en/setup").status_code == 404
    with pytest.raises(ForbiddenError):
        service.create_first_admin(factory, "eve", PASSWORD)


def test_setup_is_open_when_reading_requires_a_login(
    accounts_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("KETENRADAR_DATABASE_URL", accounts_db_url)
    monkeypatch.setenv("KETENRADAR_READ_REQUIRES_LOGIN", "1")
    application = create_app(settings=WebSettings.from_env(tmp_path / "data"))
    c = TestClient(application)
    assert c.get("/en/", follow_redirects=False).status_code == 303
    assert c.get("/en/setup").status_code == 200


def test_two_setups_at_once_make_one_admin(app):
    """Eight set-ups race (threads, each with its own browser session): one wins, the others
    are refused, and exactly one admin exists."""
    clients = [TestClient(app) for _ in range(8)]
    forms = [form(c, f"admin{i}") for i, c in enumerate(clients)]
    start = threading.Barrier(len(clients))
    statuses: list[int] = [0] * len(clients)

    def go(i: int) -> None:
        start.wait()
        r = clients[i].post("/en/setup", data=forms[i], follow_redirects=False)
        statuses[i] = r.status_code

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [303] + [404] * (len(clients) - 1), statuses
    users = service.list_users(app.state.accounts)
    assert len(users) == 1 and users[0].role == "admin"
    winner = statuses.index(303)
    assert users[0].username == f"admin{winner}"


def test_service_serializes_first_admins(app):
    """The same race one level down, without the web's early check: the database transaction
    alone lets one through."""
    factory = app.state.accounts
    start = threading.Barrier(6)
    outcome: list[str] = []

    def go(i: int) -> None:
        start.wait()
        try:
            service.create_first_admin(factory, f"root{i}", PASSWORD)
            outcome.append("made")
        except ForbiddenError:
            outcome.append("refused")

    threads = [threading.Thread(target=go, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcome) == ["made"] + ["refused"] * 5
    assert [u.role for u in service.list_users(factory)] == ["admin"]
