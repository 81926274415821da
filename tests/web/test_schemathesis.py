"""Property-based API tests from the OpenAPI schema (schemathesis): whatever parameters and
bodies it generates, no endpoint answers with a server error (5xx), and every response
conforms to the schema's declared status codes and content types where it declares them,
and every error is ``{"detail": "<text>"}``. (Hostile bodies beyond what the schema
describes — surrogates, huge numbers, odd file names — are in ``test_fuzz.py``.)

Requests carry a valid CSRF token and an admin's session, so the state-changing endpoints are
exercised past the CSRF and role checks too (against a temporary store and database)."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from conftest import csrf_headers
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import status_code_conformance

from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.registry import service

PASSWORD = "correct horse battery staple"


def _app():
    import tempfile

    data = Path(tempfile.mkdtemp(prefix="ketenradar-schemathesis-"))
    app = create_app(settings=WebSettings.from_env(data))
    service.create_user(app.state.accounts, "ann", PASSWORD, "admin")
    return app


APP = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def auth() -> dict[str, dict[str, str]]:
    c = TestClient(APP)
    h = csrf_headers(c)
    r = c.post("/api/v1/login", json={"username": "ann", "password": PASSWORD}, headers=h)
    assert r.status_code == 200
    # signing in rotates the CSRF token: the reply carries the new one
    return {"headers": {"X-CSRF-Token": r.json()["csrf_token"]}, "cookies": dict(c.cookies)}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_no_server_errors(case, auth):
    if case.path == "/api/v1/logout":
        return  # would end the shared admin session for the cases after it
    if case.path == "/api/v1/datasets/fetch":  # an admin's valid fetch downloads from CEPII
        response = case.call()
    else:
        response = case.call(headers=auth["headers"], cookies=auth["cookies"])
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    case.validate_response(response, checks=[status_code_conformance])
    if response.status_code >= 400:  # the one error shape
        assert isinstance(response.json().get("detail"), str), response.text[:500]
