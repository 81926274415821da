"""The one error answer of the web app.

Every error — a project error (:class:`~ketenradar.core.errors.KetenradarError`), a parameter
the schema refuses (FastAPI's ``RequestValidationError``), an unknown URL or method
(Starlette's ``HTTPException``), a refusal of the request guard (401, 403, 413) or of the CSRF
check, and a bug (500) — is answered through :func:`error_response`:

* under ``/api/`` (and for ``/openapi.json``, ``/docs``, ``/redoc``) as the JSON
  :class:`ErrorBody`::

      {"status": 404, "code": "not_found", "detail": "no material 'galium' (closest: gallium)",
       "field": null, "file": null, "line": null, "column": null, "node": null}

  with every key always present: ``status`` equals the HTTP status, ``code`` is one of
  :class:`~ketenradar.core.errors.ErrorCode` (what a client branches on), ``detail`` the
  message for people, and ``field``/``file``/``line``/``column``/``node`` say where the
  problem is when known;
* elsewhere (the pages) as the error page ``error.html``, with the same status, code and
  message.

The status is the error's own (``http_status`` of its class): nothing is rewritten, and no
reason is read back out of a message.
"""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ketenradar.core.errors import LOCATION_FIELDS, ErrorCode, KetenradarError, RateLimitedError

#: The code of an error the HTTP layer raised (Starlette, FastAPI), by status.
HTTP_CODES: dict[int, ErrorCode] = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    422: ErrorCode.VALIDATION,
    429: ErrorCode.RATE_LIMITED,
}

#: Paths answered in JSON besides ``/api/``.
JSON_PATHS = ("/openapi.json", "/docs", "/redoc")


class ErrorBody(BaseModel):
    """Every error answer of the JSON API: the status, a stable code, the message, and where
    the problem is (``null`` when not known or not applicable)."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    status: int = Field(ge=400, le=599, description="the HTTP status of the answer")
    code: ErrorCode = Field(description="what went wrong, stable for clients to branch on")
    detail: str = Field(description="the message: what, where and why, naming allowed values")
    field: str | None = Field(description="the parameter, form or body field, or column")
    file: str | None = Field(description="the file (an upload's base name, or a document)")
    line: int | None = Field(description="the line in that file (1-based)")
    column: int | None = Field(description="the column on that line (1-based)")
    node: str | None = Field(
        description="the path to the offending node of a document "
        "(``toy > board > materials[0]``, ``changes[0].wgi``)"
    )


def wants_json(request: Request) -> bool:
    """Whether the request is answered in JSON (the API) rather than with a page."""
    path = request.url.path
    return path.startswith("/api/") or path in JSON_PATHS


def _validation_body(exc: RequestValidationError) -> ErrorBody:
    errors = list(exc.errors())
    parts = [f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}" for e in errors]
    first = errors[0] if errors else {"loc": (), "type": ""}
    loc = [str(p) for p in first["loc"]]
    field = "body" if first["type"] == "json_invalid" else ".".join(loc[1:]) or ".".join(loc)
    return ErrorBody(
        status=422,
        code=ErrorCode.VALIDATION,
        detail="invalid parameter — " + "; ".join(parts),
        **(dict.fromkeys(LOCATION_FIELDS) | {"field": field or None}),
    )


def error_body(exc: BaseException) -> ErrorBody:
    """The error answer for ``exc``: its own status, code, message and location."""
    if isinstance(exc, KetenradarError):
        return ErrorBody(
            status=exc.http_status, code=exc.code, detail=str(exc) or exc.code, **exc.where
        )
    if isinstance(exc, RequestValidationError):
        return _validation_body(exc)
    if isinstance(exc, StarletteHTTPException):
        status = exc.status_code
        code = HTTP_CODES.get(status, ErrorCode.INTERNAL if status >= 500 else ErrorCode.ERROR)
        return ErrorBody(
            status=status, code=code, detail=str(exc.detail), **dict.fromkeys(LOCATION_FIELDS)
        )
    return ErrorBody(
        status=500,
        code=ErrorCode.INTERNAL,
        detail="internal server error: the server could not answer (the error is logged)",
        **dict.fromkeys(LOCATION_FIELDS),
    )


def _headers(request: Request, exc: BaseException, status: int) -> dict[str, str]:
    headers = dict(getattr(exc, "headers", None) or {})  # an HTTPException's (405: Allow)
    if isinstance(exc, RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after)
    elif status == 401 and wants_json(request):
        headers["WWW-Authenticate"] = 'Cookie realm="ketenradar"'
    return headers


def error_response(request: Request, exc: BaseException) -> Response:
    """The answer to ``exc``: :class:`ErrorBody` as JSON under ``/api/``, the error page
    with the same status, code and message elsewhere."""
    body = error_body(exc)
    headers = _headers(request, exc, body.status)
    if wants_json(request):
        return JSONResponse(body.model_dump(), status_code=body.status, headers=headers)
    from ketenradar.interfaces.web import pages  # pages import the API, which imports this

    response = pages.render(
        request,
        pages.lang_of(request),
        "error.html",
        "error",
        status_code=body.status,
        status=body.status,
        code=body.code,
        message=body.detail,
        footer=None,
    )
    response.headers.update(headers)
    return response


def openapi_responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for FastAPI: :class:`ErrorBody` under each status, with its description."""
    return {s: {"model": ErrorBody, "description": d} for s, d in descriptions.items()}


def install(app: Any) -> None:
    """Answer every error of ``app`` through :func:`error_response`."""

    async def handle(request: Request, exc: Exception) -> Response:
        return error_response(request, exc)

    app.add_exception_handler(KetenradarError, handle)
    app.add_exception_handler(RequestValidationError, handle)
    app.add_exception_handler(StarletteHTTPException, handle)
    # a bug: answered in the same shape (the server still logs the traceback)
    app.add_exception_handler(Exception, handle)
