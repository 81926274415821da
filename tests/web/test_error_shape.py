"""Every error of the web app in one shape (the idea of datasette's ``test_error_shape``).

Every route of the application (``app.routes``) is sent requests that fail — unknown ids and
names in the path, bad query values, bad JSON bodies, no CSRF token, no sign-in, a role too
low, the wrong method — and every error answer is checked: under ``/api/`` exactly the keys
of :class:`~ketenradar.interfaces.web.errors.ErrorBody`, a code of
:class:`~ketenradar.core.errors.ErrorCode`, the status in the body equal to the HTTP status and
the status that code always has; a page answers with the error page (same status and code)
or re-renders its form with the reason. Then: no status is rewritten (a failed download is a
502, a conflict a 409, ...), and the raisers that know where a problem sits say so in fields.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import csrf_headers
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from markupsafe import escape

from ketenradar.core import errors as core_errors
from ketenradar.core.errors import ErrorCode, KetenradarError
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.errors import ErrorBody, wants_json
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.registry import service

PASSWORD = "correct horse battery staple"

#: The status every code answers with (``error``, the root's, may come with any 4xx).
STATUS_OF_CODE: dict[str, int] = {
    "usage": 400,
    "bad_request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "csrf_failed": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "missing_data": 409,
    "conflict": 409,
    "cancelled": 409,
    "payload_too_large": 413,
    "invalid_data": 422,
    "validation": 422,
    "rate_limited": 429,
    "busy": 429,
    "internal": 500,
    "download_failed": 502,
}

#: A value no route accepts as an id or name: not a number, an HS code, a job id, a
#: language, a known material, user, dataset or country.
BOGUS = "nonexistent-x"
BAD_JSON = b'{"name": "x", "changes": [1,'
ERROR_PAGE = re.compile(r'<h1>[^<]*?(\d{3})</h1>.*?id="error-code">([a-z_]+)<', re.S)


def assert_error_body(r: Any, where: object = None) -> dict[str, Any]:
    """``r`` (an error answer of the JSON API) is exactly the one error body."""
    assert r.headers["content-type"].startswith("application/json"), (where, r.text[:300])
    body = r.json()
    assert set(body) == set(ErrorBody.model_fields), (where, body)
    ErrorBody.model_validate(body)  # types, and no key of any other shape
    assert body["status"] == r.status_code, (where, body)
    assert body["code"] in set(ErrorCode), (where, body)
    assert STATUS_OF_CODE.get(body["code"], r.status_code) == r.status_code, (where, body)
    assert body["detail"], (where, body)
    return body


def assert_error_answer(r: Any, where: object) -> str | None:
    """An error answer in the app's one shape; returns its code (``None``: a form page that
    shows the reason itself)."""
    if wants_json(r.request):
        return assert_error_body(r, where)["code"]
    assert r.headers["content-type"].startswith("text/html"), (where, r.text[:300])
    page = ERROR_PAGE.search(r.text)
    if page is None:  # a form shown again with its reason (sign-in, BOM upload)
        assert 'role="alert"' in r.text, (where, r.status_code, r.text[:500])
        return None
    status, code = int(page.group(1)), page.group(2)
    assert status == r.status_code and code in set(ErrorCode), (where, status, code)
    assert STATUS_OF_CODE.get(code, status) == status, (where, status, code)
    return code


def _app() -> FastAPI:
    application = create_app(
        settings=WebSettings.from_env(Path(tempfile.mkdtemp(prefix="ketenradar-errors-")))
    )
    for name, role in (("ann", "admin"), ("vic", "viewer")):
        service.create_user(application.state.accounts, name, PASSWORD, role)
    return application


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return _app()


def _client(app: FastAPI, username: str | None) -> TestClient:
    c = TestClient(app)
    if username:
        r = c.post(
            "/api/v1/login",
            json={"username": username, "password": PASSWORD},
            headers=csrf_headers(c),
        )
        assert r.status_code == 200
    return c


def _routes(app: FastAPI) -> list[tuple[str, str, Any]]:
    """Every (method, path template, route) of the application."""
    out = []
    for rc in iter_route_contexts(app.routes):
        if rc.path and rc.methods:
            out.extend((m, rc.path, rc) for m in sorted(rc.methods) if m != "HEAD")
    return out


def _query_params(dependant: Any) -> list[str]:
    """The query parameters a route reads, through its dependencies."""
    if dependant is None:
        return []
    names = [f.alias for f in dependant.query_params]
    for sub in dependant.dependencies:
        names += _query_params(sub)
    return names


def _examples() -> dict[str, str]:
    """The example values of the modules' path parameters (``Module.examples``)."""
    from ketenradar.core import modules as registry

    return {k: v for m in registry.modules() for k, v in m.examples.items()}


def _url(template: str, convertors: bool = True) -> str:
    """``template`` with every path parameter a value nothing has. A parameter with a
    convertor (``{fmt:download}``: csv, xlsx, parquet) matches only its own values, so it
    takes the module's example (the route must match to answer 405), unless ``convertors``
    is false (then no route matches: 404)."""
    examples = _examples()

    def value(m: re.Match[str]) -> str:
        name, _, conv = m[1].partition(":")
        return examples[name] if conv and convertors else BOGUS

    return re.sub(r"\{([^}]+)\}", value, template)


def test_every_route_answers_every_error_in_the_one_shape(app: FastAPI):
    clients = {who: _client(app, who) for who in ("ann", "vic")} | {None: _client(app, None)}
    tokens = {who: csrf_headers(c) for who, c in clients.items()}
    codes: Counter[str | None] = Counter()
    errors_per_route: Counter[str] = Counter()

    def check(r: Any, method: str, template: str, what: str) -> None:
        assert r.status_code < 500, (method, template, what, r.text[:500])
        if r.status_code >= 400:
            codes[assert_error_answer(r, (method, template, what))] += 1
            errors_per_route[template] += 1

    for method, template, rc in _routes(app):
        url = _url(template)
        # the wrong method (no route takes PUT: 405), anonymously
        wrong = "PUT"
        r = clients[None].request(wrong, url, headers=tokens[None])
        assert r.status_code == 405, (wrong, template, r.status_code)
        check(r, wrong, template, "wrong method")
        for who, c in clients.items():
            if who and template.endswith("logout"):
                continue  # would end the session the rest of the test signs in with
            if method == "GET":
                # unknown ids and names in the path; nobody, a viewer, an admin
                check(c.get(url), method, template, f"path as {who}")
                if _url(template, convertors=False) != url:  # an unknown format: no such
                    r = c.get(_url(template, convertors=False))  # route (or not a valid id)
                    assert r.status_code in (404, 422), (template, r.status_code)
                    check(r, method, template, f"unknown format as {who}")
                continue
            # a state-changing request: bad JSON (past the CSRF check), then no CSRF token
            bad = c.request(
                method,
                url,
                content=BAD_JSON,
                headers={**tokens[who], "Content-Type": "application/json"},
            )
            check(bad, method, template, f"bad JSON as {who}")
            if who is None:
                check(c.request(method, url), method, template, "no CSRF token")
        if method == "GET":  # every query parameter with a value it does not take
            for name in _query_params(getattr(rc, "dependant", None)):
                r = clients[None].get(url, params={name: BOGUS})
                check(r, method, template, f"query {name}")
    check(clients[None].get("/api/v1/nonexistent"), "GET", "/api/v1/nonexistent", "no route")
    check(clients[None].get("/static/nonexistent.js"), "GET", "/static/…", "no file")
    assert clients["ann"].get("/api/v1/session").json()["user"]["username"] == "ann"

    # every route failed at least once (its wrong method), and the failures cover the kinds
    assert all(errors_per_route[t] for _, t, _ in _routes(app))
    seen = set(codes) - {None}
    expected = {
        "not_found",
        "method_not_allowed",
        "validation",
        "usage",
        "invalid_data",
        "unauthorized",
        "forbidden",
        "csrf_failed",
    }
    assert expected <= seen, expected - seen


def test_every_project_error_declares_its_code_and_status(app: FastAPI):
    """Each error class (every module loaded by ``app``) has a code whose status is its own:
    a subclass that changes the status changes the code."""

    def subclasses(cls: type) -> list[type]:
        return [cls] + [s for sub in cls.__subclasses__() for s in subclasses(sub)]

    classes = subclasses(KetenradarError)
    assert len(classes) >= 12
    for cls in classes:
        assert cls.code in set(ErrorCode), cls
        if cls.code != ErrorCode.ERROR:
            assert STATUS_OF_CODE[cls.code] == cls.http_status, cls


# --- no status rewriting ----------------------------------------------------------------------

RAISED: dict[str, tuple[KetenradarError, int, str]] = {
    "download": (
        core_errors.DownloadError("download of x failed: HTTP 503"),
        502,
        "download_failed",
    ),
    "conflict": (core_errors.ConflictError("the store changed meanwhile"), 409, "conflict"),
    "missing": (core_errors.MissingDataError("load it: ketenradar data add"), 409, "missing_data"),
    "data": (
        core_errors.DataError("must be a number", file="a.csv", line=3, field="share"),
        422,
        "invalid_data",
    ),
    "large": (core_errors.PayloadTooLargeError("at most 1 MB"), 413, "payload_too_large"),
    "usage": (core_errors.UsageError("unknown economy"), 400, "usage"),
    "limited": (core_errors.RateLimitedError("too many", retry_after=7), 429, "rate_limited"),
    "auth": (core_errors.AuthError("sign in first"), 401, "unauthorized"),
}


@pytest.fixture(scope="module")
def raising_app() -> FastAPI:
    """The real application with one route more, under the API and as a page, that raises
    the error it is named after: the errors no route raises today (a download failing while
    the request waits) go through the same handlers as those that do."""
    application = _app()

    def raiser(name: str) -> None:
        if name == "bug":
            raise RuntimeError("a bug")
        raise RAISED[name][0]

    application.add_api_route("/api/v1/raise/{name}", raiser)
    application.add_api_route("/{lang}/raise/{name}", raiser, include_in_schema=False)
    return application


@pytest.mark.parametrize("name", sorted(RAISED))
def test_each_error_keeps_its_own_status_on_the_api_and_the_pages(raising_app, name: str):
    exc, status, code = RAISED[name]
    c = TestClient(raising_app)
    r = c.get(f"/api/v1/raise/{name}")
    body = assert_error_body(r, name)
    assert (r.status_code, body["code"], body["detail"]) == (status, code, str(exc))
    assert {k: body[k] for k in ("field", "file", "line", "column", "node")} == exc.where
    page = c.get(f"/nl/raise/{name}")
    assert page.status_code == status and assert_error_answer(page, name) == code
    assert escape(str(exc)) in page.text
    if name == "limited":
        assert r.headers["Retry-After"] == page.headers["Retry-After"] == "7"
    if name == "auth":
        assert r.headers["WWW-Authenticate"] == 'Cookie realm="ketenradar"'


def test_a_bug_is_a_500_in_the_same_shape_without_its_message(raising_app):
    c = TestClient(raising_app, raise_server_exceptions=False)
    r = c.get("/api/v1/raise/bug")
    body = assert_error_body(r, "bug")
    assert (r.status_code, body["code"]) == (500, "internal") and "a bug" not in r.text
    page = c.get("/en/raise/bug")
    assert page.status_code == 500 and assert_error_answer(page, "bug") == "internal"


def test_a_finished_job_cancelled_is_a_409_conflict(app: FastAPI):
    job = app.state.jobs.submit("add", "ann", lambda job: {"done": True})
    deadline = time.monotonic() + 30
    while app.state.jobs.get(job.id).state != "done" and time.monotonic() < deadline:
        time.sleep(0.01)
    c = _client(app, "ann")
    r = c.post(f"/api/v1/jobs/{job.id}/cancel", headers=csrf_headers(c))
    body = assert_error_body(r, "cancel")
    assert (r.status_code, body["code"]) == (409, "conflict"), body
    assert "already finished (done)" in body["detail"]


# --- where: structured fields from the raisers that know -------------------------------------

BOM = """system: toy
unit: mass_kg
illustrative: true
sources:
  - {id: s1, citation: "a source"}
subsystems:
  - name: board
    materials:
      - {material: tin, mass_kg: -2, source: s1}
"""


def test_an_invalid_bom_upload_names_file_line_field_and_node(app: FastAPI):
    c = _client(app, None)
    r = c.post(
        "/api/v1/bom/exposure",
        files={"file": ("../up/mine.yaml", BOM.encode())},
        headers=csrf_headers(c),
    )
    body = assert_error_body(r, "bom")
    assert (r.status_code, body["code"]) == (422, "invalid_data")
    where = {k: body[k] for k in ("file", "line", "field", "node")}
    node = "toy > board > materials[0]"
    assert where == {"file": "mine.yaml", "line": 9, "field": "mass_kg", "node": node}
    assert body["detail"] == (
        f"mine.yaml, line 9, field 'mass_kg': {node}: mass_kg must not be negative, got -2"
    )
    page = c.post("/en/bom", files={"file": ("mine.yaml", BOM.encode())}, headers=csrf_headers(c))
    assert page.status_code == 422 and 'id="bom-errors"' in page.text
    assert f'<strong class="node">{escape(node)}</strong>' in page.text


def test_whatif_errors_name_the_node_and_the_json_position(app: FastAPI):
    c = _client(app, None)
    h = csrf_headers(c)
    doc = {"changes": [{"wgi": {"country": "CHN", "estimate": "low"}}]}
    r = c.post("/api/v1/materials/whatif", json=doc, headers=h)
    body = assert_error_body(r, "whatif")
    assert (body["code"], body["node"], body["file"]) == (
        "invalid_data",
        "changes[0].wgi.estimate",
        "what-if",
    )
    assert body["detail"] == "what-if: changes[0].wgi.estimate: not a number: 'low'"
    r = c.post(
        "/api/v1/materials/whatif",
        content=b'{"changes":\n  [1,',
        headers={**h, "Content-Type": "application/json"},
    )
    body = assert_error_body(r, "json")
    assert (body["field"], body["line"], body["column"]) == ("body", 2, 6), body
    assert body["detail"].startswith("line 2, column 6, field 'body': not valid JSON: ")


def test_refusals_before_any_route_runs_are_in_the_one_shape(app: FastAPI):
    """The request guard (a pure ASGI middleware writing its own answers), the CSRF check
    and a schema refusal: the same body, with their own codes."""
    anon = _client(app, None)
    h = csrf_headers(anon)
    r = anon.post("/api/v1/datasets", files={"files": ("a.csv", b"x")}, headers=h)
    assert (r.status_code, assert_error_body(r)["code"]) == (401, "unauthorized")
    big = anon.post(
        "/api/v1/bom/exposure",
        content=b"x" * 2_000_000,
        headers={**h, "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert (big.status_code, assert_error_body(big)["code"]) == (413, "payload_too_large")
    assert "at most 1 MB for a BOM upload" in big.json()["detail"]
    r = anon.post("/api/v1/materials/whatif", json={"changes": []})
    assert (r.status_code, assert_error_body(r)["code"]) == (403, "csrf_failed")
    r = anon.get("/api/v1/overview", params={"year": "soon"})
    body = assert_error_body(r)
    assert (r.status_code, body["code"], body["field"]) == (422, "validation", "year")
    r = anon.delete("/api/v1/health", headers=h)
    assert (r.status_code, assert_error_body(r)["code"]) == (405, "method_not_allowed")
    assert r.headers["Allow"] == "GET"


def test_reading_that_requires_a_login_refuses_in_the_one_shape(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("KETENRADAR_READ_REQUIRES_LOGIN", "1")
    c = TestClient(_app())
    for url in ("/api/v1/overview", "/openapi.json"):
        r = c.get(url)
        assert (r.status_code, assert_error_body(r, url)["code"]) == (401, "unauthorized")
        assert r.headers["WWW-Authenticate"] == 'Cookie realm="ketenradar"'
