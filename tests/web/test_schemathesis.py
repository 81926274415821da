"""Property-based API tests from the OpenAPI schema (schemathesis): whatever parameters and
bodies it generates, no endpoint answers with a server error (5xx), and every response
conforms to the schema's declared status codes, content types and response schemas — every
error answer to the one error body the schema declares (``ErrorBody``: status, code, detail
and where), checked again here with its model. (Hostile bodies beyond what the schema
describes — surrogates, huge numbers, odd file names — are in ``test_fuzz.py``; every route's
errors in ``test_error_shape.py``.)

Requests carry a valid CSRF token and an admin's session, so the state-changing endpoints are
exercised past the CSRF and role checks too (against a temporary store and database)."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from conftest import csrf_headers
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.errors import ErrorBody
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
    case.validate_response(
        response,
        checks=[status_code_conformance, content_type_conformance, response_schema_conformance],
    )
    if response.status_code >= 400:  # the one error body, its status the answer's
        body = ErrorBody.model_validate(response.json())
        assert body.status == response.status_code, response.text[:500]


def test_every_error_status_declares_the_error_body():
    """The schema says what schemathesis checks the error answers against: the error body,
    with every key required, under every error status of every operation."""
    spec = APP.openapi()
    body = spec["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == set(ErrorBody.model_fields) == set(body["properties"])
    assert body["additionalProperties"] is False
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for status, answer in op["responses"].items():
                if int(status) >= 400:
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/ErrorBody", (method, path, status)
