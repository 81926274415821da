"""The outermost middleware of the web app (``app.SessionHeaders``, pure ASGI): the security
headers once on every answer (a route's own value wins), the CSRF cookie only when the
request's cookie does not hold the token, the user and ``via_token`` in ``request.state``,
the same on its own early answers (bad API token, reading that needs a login), and lifespan
passing through."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PASSWORD, signed_in, web_app
from fastapi import Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from ketenradar.interfaces.web import csrf
from ketenradar.interfaces.web.app import SECURITY_HEADERS
from ketenradar.registry import service


def _names(response) -> list[str]:
    return [k.lower() for k, _ in response.headers.multi_items()]


def _csrf_cookies(response) -> list[str]:
    return [
        v
        for k, v in response.headers.multi_items()
        if k.lower() == "set-cookie" and v.startswith(f"{csrf.COOKIE}=")
    ]


def _assert_security_headers_once(response) -> None:
    names = _names(response)
    for name, value in SECURITY_HEADERS.items():
        assert names.count(name.lower()) == 1, (name, response.headers)
        assert response.headers[name] == value


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    return web_app(tmp_path, monkeypatch, {"vic": "viewer"})


def test_headers_once_and_csrf_cookie_only_when_needed(app):
    c = TestClient(app)
    first = c.get("/api/v1/session")
    _assert_security_headers_once(first)
    token = first.json()["csrf_token"]
    assert _csrf_cookies(first) == [f"{csrf.COOKIE}={token}; HttpOnly; Path=/; SameSite=lax"]
    second = c.get("/api/v1/session")  # the client now sends the cookie: no new one
    _assert_security_headers_once(second)
    assert second.json()["csrf_token"] == token and _csrf_cookies(second) == []
    page = c.get("/en/login")  # a page (gzip and the guard sit inside) gets them too
    assert page.status_code == 200 and _csrf_cookies(page) == []
    _assert_security_headers_once(page)


def test_a_routes_own_header_wins(app):
    async def own(request: Request) -> JSONResponse:
        return JSONResponse(
            {"via_token": request.state.via_token, "user": request.state.user is not None},
            headers={"X-Frame-Options": "SAMEORIGIN"},
        )

    app.add_route("/own-header", own)
    r = TestClient(app).get("/own-header")
    assert r.json() == {"via_token": False, "user": False}
    assert _names(r).count("x-frame-options") == 1 and r.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_state_carries_the_user_of_the_session_and_of_a_token(app):
    c = signed_in(app, "vic")
    assert c.get("/api/v1/session").json()["user"]["username"] == "vic"
    user = service.authenticate(app.state.accounts, "vic", PASSWORD, "testclient")
    _, secret = service.create_token(app.state.accounts, user, "script")
    script = TestClient(app)  # no cookies, no CSRF token: the bearer token says who asks
    r = script.get("/api/v1/session", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 200 and r.json()["user"]["username"] == "vic"
    _assert_security_headers_once(r)


def test_a_bad_token_is_refused_with_the_headers_and_cookie(app):
    r = TestClient(app).get("/api/v1/overview", headers={"Authorization": "Bearer kr_nonsense"})
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    _assert_security_headers_once(r)
    assert len(_csrf_cookies(r)) == 1


def test_the_read_gate_answers_with_the_headers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KETENRADAR_READ_REQUIRES_LOGIN", "1")
    app = web_app(tmp_path, monkeypatch, {"vic": "viewer"})
    with TestClient(app) as anon:  # the lifespan passes through the middleware
        api = anon.get("/api/v1/overview")
        assert api.status_code == 401
        _assert_security_headers_once(api)
        assert len(_csrf_cookies(api)) == 1
        page = anon.get("/en/dependencies", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/en/login")
        _assert_security_headers_once(page)
        assert _csrf_cookies(page) == []  # the client holds the cookie since the first answer
