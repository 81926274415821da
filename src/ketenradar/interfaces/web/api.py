"""The JSON API (``/api/v1``): everything the pages show, documented with OpenAPI."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ketenradar import __version__
from ketenradar.core.errors import DataError
from ketenradar.interfaces.web import errors
from ketenradar.results.facts import Facts

router = APIRouter(prefix="/api/v1", tags=["monitor"])


#: The error answers any endpoint may give (documented on every operation in OpenAPI), each
#: the one error body :class:`~ketenradar.interfaces.web.errors.ErrorBody` with its ``code``.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = errors.openapi_responses(
    {
        400: "Invalid parameter or input (code usage, bad_request; the message says why)",
        401: "Sign in first, or wrong user name or password (code unauthorized)",
        403: "Role too low (forbidden), or the CSRF check failed (csrf_failed)",
        404: "Not found (code not_found; the message names close matches)",
        405: "The path names another resource, which does not take this method (code "
        "method_not_allowed; the Allow header lists the methods it takes)",
        409: "Needs data that is not loaded (missing_data: says how to load), or the state "
        "does not allow it (conflict, cancelled)",
        413: "Request body too large (code payload_too_large; the message names the limit: "
        "KETENRADAR_MAX_UPLOAD_BYTES, KETENRADAR_MAX_BOM_BYTES, KETENRADAR_MAX_JSON_BYTES)",
        422: "Parameter out of range or of the wrong type (validation), or a document or file "
        "that does not validate (invalid_data: field, file, line, column and node say where)",
        429: "Too many failed sign-ins (rate_limited) or computations at once (busy); see "
        "Retry-After",
        502: "A download from the publisher failed (download_failed)",
    }
)


def _no_constant(name: str) -> Any:
    raise DataError(f"{name} is not a number JSON allows (use a finite number)", field="body")


def _check_text(doc: Any) -> None:
    """Refuse text that is not valid Unicode (a lone surrogate such as ``\\ud800``, which
    JSON escapes can carry): it cannot be stored, logged or sent back."""
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                stack.append((k, where or "(key)"))
                stack.append((v, f"{where}.{k}" if where else str(k)))
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(value))
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                code = ord(value[exc.start])
                shown = where.encode("utf-8", "replace").decode()
                raise DataError(
                    f"the text holds a lone surrogate (U+{code:04X}), which is not valid Unicode",
                    field=f"body.{shown}" if shown else "body",
                ) from None


def parse_json(body: bytes) -> Any:
    """``body`` parsed as JSON: syntax errors, numbers Python will not convert (more than
    4,300 digits), ``NaN``/``Infinity``, nesting too deep and lone surrogates are a
    :class:`DataError` (422) saying so."""
    if not body.strip():
        raise DataError("the body is empty: send a JSON document", field="body")
    try:
        doc = json.loads(body, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"not valid JSON: {exc.msg}", field="body", line=exc.lineno, column=exc.colno
        ) from None
    except UnicodeDecodeError:
        raise DataError("not valid JSON: the body is not UTF-8 text", field="body") from None
    except RecursionError:
        raise DataError("not valid JSON: nested too deeply", field="body") from None
    except ValueError:  # int() refusing a number of more than 4,300 digits
        raise DataError(
            f"not valid JSON: a number has more than {sys.get_int_max_str_digits():,} digits",
            field="body",
        ) from None
    _check_text(doc)
    return doc


async def json_document(request: Request) -> Any:
    """The request's JSON body, parsed in a worker thread (a large body does not hold up the
    event loop, and with it every other request); see :func:`parse_json`. Its size is
    bounded before it is read (:mod:`ketenradar.interfaces.web.guard`)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not (ctype == "application/json" or ctype.endswith("+json")):
        raise DataError("send the document as JSON (Content-Type: application/json)", field="body")
    return await run_in_threadpool(parse_json, await request.body())


def get_facts(request: Request) -> Facts:
    """The application's fact tables."""
    return request.app.state.facts


FactsDep = Annotated[Facts, Depends(get_facts)]
Importer = Annotated[str, Query(description="NLD or EU27", max_length=20)]
Year = Annotated[int | None, Query(description="Year (default: the latest)", ge=1900, le=2100)]


def attachment(body: str | bytes, media_type: str, filename: str) -> Response:
    """A download: ``body`` with the type and the file name the browser saves it under."""
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness and the version serving."""
    return {"status": "ok", "version": __version__}


@router.get("/session")
def session(request: Request) -> dict[str, Any]:
    """Who is signed in (``null`` when nobody) and the CSRF token a client must send with
    every POST, PUT, PATCH or DELETE (header ``X-CSRF-Token``, with the ``kr_csrf`` cookie)."""
    user = getattr(request.state, "user", None)
    return {
        "user": None if user is None else {"username": user.username, "role": user.role},
        "csrf_token": request.state.csrf_token,
        "read_requires_login": request.app.state.settings.read_requires_login,
    }


@router.get("/facts")
def facts_manifest(facts: FactsDep) -> dict[str, Any]:
    """The fact tables served, the datasets they come from, releases, licences, checksums."""
    return facts.manifest()
