"""The JSON API (``/api/v1``): everything the pages show, documented with OpenAPI."""

from __future__ import annotations

import io
import json
import sys
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ketenradar import __version__
from ketenradar.core.errors import DataError
from ketenradar.modules.trade.web import content
from ketenradar.results.facts import Facts

router = APIRouter(prefix="/api/v1", tags=["monitor"])


class ErrorDetail(BaseModel):
    """Every error answer: what went wrong, naming the parameter and the allowed values."""

    detail: str


#: The error answers any endpoint may give (documented on every operation in OpenAPI).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorDetail, "description": "Invalid parameter or input (the message says why)"},
    401: {"model": ErrorDetail, "description": "Sign in first"},
    403: {"model": ErrorDetail, "description": "Role too low, or the CSRF check failed"},
    404: {"model": ErrorDetail, "description": "Not found (the message names close matches)"},
    409: {"model": ErrorDetail, "description": "Needs data that is not loaded (says how to load)"},
    413: {
        "model": ErrorDetail,
        "description": "Request body too large (the message names the limit: "
        "KETENRADAR_MAX_UPLOAD_BYTES, KETENRADAR_MAX_BOM_BYTES, KETENRADAR_MAX_JSON_BYTES)",
    },
    422: {"model": ErrorDetail, "description": "Parameter out of range or of the wrong type"},
    429: {"model": ErrorDetail, "description": "Too many failed sign-ins (see Retry-After)"},
}


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
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", field="body"
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


@router.get("/overview")
def overview(facts: FactsDep, economy: Importer = "NLD", year: Year = None) -> dict[str, Any]:
    """Headline counts, largest dependencies, countries depended on, CRMA flags, VA links."""
    return content.overview(facts, economy, year)


Method = Annotated[str, Query(description="eu2021, geodep, any or all")]
Text = Annotated[str | None, Query(max_length=200)]
Sort = Annotated[str, Query(description="column, '-' for descending", max_length=60)]
Page = Annotated[int, Query(ge=1, le=100_000)]
PageSize = Annotated[int, Query(ge=1, le=content.MAX_PAGE_SIZE)]


def explorer_query(
    importer: Importer = "NLD",
    year: Year = None,
    method: Method = "any",
    ecosystem: Text = None,
    supplier: Text = None,
    q: Text = None,
    sort: Sort = "-external_imports_kusd",
    page: Page = 1,
    page_size: PageSize = 25,
) -> dict[str, Any]:
    """The explorer's parameters, shared by the JSON and CSV endpoints and the page."""
    return {
        "importer": importer,
        "year": year,
        "method": method,
        "ecosystem": ecosystem,
        "supplier": supplier,
        "q": q,
        "sort": sort,
        "page": page,
        "page_size": page_size,
    }


ExplorerQuery = Annotated[dict[str, Any], Depends(explorer_query)]


@router.get("/dependencies")
def dependencies(facts: FactsDep, params: ExplorerQuery) -> dict[str, Any]:
    """The dependency explorer: filter, sort, paginate the screening."""
    res = content.dependencies(facts, **params)
    return res | {"rows": content.records(res["rows"])}


@router.get("/dependencies.csv", response_class=Response)
def dependencies_csv(facts: FactsDep, params: ExplorerQuery) -> Response:
    """Exactly the rows the explorer shows (same filters, sort and page), as CSV."""
    res = content.dependencies(facts, **params)
    buf = io.StringIO()
    res["rows"].to_csv(buf, index=False)
    name = f"dependencies_{res['importer']}_{res['year']}_p{res['page']}.csv"
    return attachment(buf.getvalue(), "text/csv", name)


@router.get("/dependencies.xlsx", response_class=Response)
def dependencies_xlsx(facts: FactsDep, params: ExplorerQuery) -> Response:
    """Exactly the rows the explorer shows (same filters, sort and page), as an Excel workbook
    with a second sheet saying which data and method produced them."""
    import pandas as pd

    res = content.dependencies(facts, **params)
    foot = res["footer"]
    about = pd.DataFrame(
        [("filters", "; ".join(f"{k}={v}" for k, v in params.items() if v not in (None, "")))]
        + [("table " + k, v) for k, v in foot["tables"].items()]
        + [("sources", "; ".join(foot["sources"])), ("licences", "; ".join(foot["licences"]))]
        + [("built", f"{foot['tool']}, {foot['built_at']}")],
        columns=["item", "value"],
    )
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xl:
        res["rows"].to_excel(xl, sheet_name="dependencies", index=False)
        about.to_excel(xl, sheet_name="provenance", index=False)
    name = f"dependencies_{res['importer']}_{res['year']}_p{res['page']}.xlsx"
    return attachment(
        buf.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{name}",
    )


@router.get("/products/{hs6}.csv", response_class=Response)
def product_csv(
    facts: FactsDep,
    hs6: Annotated[str, Path(pattern=r"^\d{6}$", description="HS 6-digit code")],
    importer: Importer = "NLD",
) -> Response:
    """The product page's indicator table over the years, as CSV."""
    import pandas as pd

    p = content.product(facts, hs6, importer)
    buf = io.StringIO()
    pd.DataFrame(p["indicators"]).to_csv(buf, index=False)
    return attachment(buf.getvalue(), "text/csv", f"product_{hs6}_{importer}.csv")


@router.get("/products/{hs6}")
def product(
    facts: FactsDep,
    hs6: Annotated[str, Path(pattern=r"^\d{6}$", description="HS 6-digit code")],
    importer: Importer = "NLD",
) -> dict[str, Any]:
    """One product: indicators over the years, supplier shares over time."""
    return content.product(facts, hs6, importer)


@router.get("/materials")
def materials(facts: FactsDep) -> dict[str, Any]:
    """EU criticality per material and stage, with the thresholds, and the CRMA flags."""
    return content.materials(facts)


@router.get("/io/exposure")
def io_exposure(
    facts: FactsDep, by: Annotated[str, Query(description="country or industry")] = "country"
) -> dict[str, Any]:
    """Input-output exposure of the Netherlands (OECD ICIO 2022)."""
    return content.io_exposure(facts, by)
