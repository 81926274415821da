"""CSRF tokens are bound to the session and rotate when signing in and out: a token (with its
own cookie) from before signing in, from another session or from a signed-out session is
refused (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import csrf_headers
from fastapi.testclient import TestClient

from ketenradar.interfaces.web import csrf
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.registry import service

PASSWORD = "correct horse battery staple"
SCENARIO = {"name": "tin", "body": "name: tin\nchanges: []\n"}


@pytest.fixture
def app(accounts_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KETENRADAR_DATABASE_URL", accounts_db_url)
    application = create_app(settings=WebSettings.from_env(tmp_path / "data"))
    for name in ("alice", "bob"):
        service.create_user(application.state.accounts, name, PASSWORD, "analyst")
    return application


def _post(app, path: str, token: str, session: str | None) -> int:
    """POST from a fresh client that sends exactly ``token`` (as the header and the cookie)
    and the session cookie ``session``."""
    cookies = f"{csrf.COOKIE}={token}" + (f"; kr_session={session}" if session else "")
    r = TestClient(app).post(path, json=SCENARIO, headers={csrf.HEADER: token, "Cookie": cookies})
    return r.status_code


def _save(app, token: str, session: str | None) -> int:
    """Save a scenario (analysts; the role is checked before the token)."""
    return _post(app, "/api/v1/saved/scenario", token, session)


def _sign_out(app, token: str, session: str | None) -> int:
    """Sign out (anyone: only the token is checked)."""
    return _post(app, "/api/v1/logout", token, session)


def test_a_token_from_before_signing_in_is_refused_after(app):
    c = TestClient(app)
    before = csrf_headers(c)[csrf.HEADER]
    r = c.post(
        "/api/v1/login",
        json={"username": "alice", "password": PASSWORD},
        headers={csrf.HEADER: before},
    )
    assert r.status_code == 200
    after = r.json()["csrf_token"]  # rotated: in the reply and in the cookie
    assert after != before and c.cookies.get(csrf.COOKIE) == after
    # a page or an attacker holding the old token (and planting its cookie): refused
    session = c.cookies.get("kr_session")
    assert _save(app, before, session) == 403
    assert _save(app, after, session) == 201
    assert c.get("/api/v1/session").json()["csrf_token"] == after


def test_a_token_of_session_a_is_refused_in_session_b(app):
    a, b = TestClient(app), TestClient(app)
    for client, name in ((a, "alice"), (b, "bob")):
        r = client.post(
            "/api/v1/login",
            json={"username": name, "password": PASSWORD},
            headers=csrf_headers(client),
        )
        assert r.status_code == 200
    token_a = csrf_headers(a)[csrf.HEADER]
    session_a, session_b = a.cookies.get("kr_session"), b.cookies.get("kr_session")
    assert _save(app, token_a, session_b) == 403
    assert _save(app, token_a, session_a) == 201


def test_signing_out_rotates_the_token(app):
    c = TestClient(app)
    r = c.post(
        "/api/v1/login",
        json={"username": "alice", "password": PASSWORD},
        headers=csrf_headers(c),
    )
    signed_in = r.json()["csrf_token"]
    session = c.cookies.get("kr_session")
    r = c.post("/api/v1/logout", headers={csrf.HEADER: signed_in})
    assert r.status_code == 200 and r.json()["csrf_token"] != signed_in
    assert c.cookies.get("kr_session") is None
    # the signed-in token no longer works signed out …
    assert _sign_out(app, signed_in, None) == 403
    assert _sign_out(app, r.json()["csrf_token"], None) == 200
    # … and replayed with the old session cookie it passes the CSRF check, but that session
    # is over
    assert _save(app, signed_in, session) == 401


def test_the_login_form_rotates_the_token_and_the_next_page_carries_it(app):
    c = TestClient(app)
    page = c.get("/en/login").text
    before = page.split('name="csrf_token" value="')[1].split('"')[0]
    r = c.post(
        "/en/login",
        data={"username": "alice", "password": PASSWORD, "csrf_token": before, "next": "/en/"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    after = c.cookies.get(csrf.COOKIE)
    assert after and after != before
    account = c.get("/en/account").text
    assert f'name="csrf-token" content="{after}"' in account
    # signing out from the page needs the new token; the old one is refused
    assert c.post("/en/logout", data={"csrf_token": before}).status_code == 403
    r = c.post("/en/logout", data={"csrf_token": after}, follow_redirects=False)
    assert r.status_code == 303 and c.cookies.get(csrf.COOKIE) not in (None, after)
    assert c.get("/api/v1/session").json()["user"] is None


def test_a_forged_token_with_non_ascii_characters_is_a_403():
    assert not csrf.valid("k", "é.é")
    assert not csrf.valid("k", "abc.é", "session")
