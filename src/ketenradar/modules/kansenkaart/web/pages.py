"""The kansenkaart's demand and requirements pages, and their downloads.

``/{lang}/kansenkaart``: a GET form (so a result is a link that can be shared) for a programme
(a preset: N units of a reference design from a year, one unit at its own size being the
design's reference scenario; or a pasted YAML/JSON document) and the currency; with ``run=1``
the demand per work package and year (:func:`~ketenradar.modules.kansenkaart.api.demand`):
a stacked chart, the work-package table, the reconciliation with the source tables, the
downloads and the provenance. A query or document that fails shows the page again with the
errors naming the field (422).

``/{lang}/kansenkaart/requirements``: the requirements per work package and the certificates
(:func:`~ketenradar.modules.kansenkaart.api.requirements`), optionally for one design origin.

Downloads (every row, with provenance; :mod:`ketenradar.interfaces.web.downloads`):
``/api/v1/kansenkaart/demand.{csv,xlsx,parquet}`` with the page's query (``table``:
``demand``, ``accounts`` or ``work_packages``) and
``/api/v1/kansenkaart/requirements.{csv,xlsx,parquet}`` (``origin``, ``lang``, ``table``).
The view logic is in ``demand_views.py``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ketenradar.core.errors import KetenradarError, UsageError
from ketenradar.interfaces.web import downloads as dl
from ketenradar.interfaces.web.errors import error_body
from ketenradar.interfaces.web.pages import check_lang, render, store_footer
from ketenradar.modules.kansenkaart.analysis.requirements import ORIGINS
from ketenradar.modules.kansenkaart.facts import (
    ACCOUNT_COLUMNS,
    CERTIFICATE_COLUMNS,
    DEMAND_COLUMNS,
    REQUIREMENT_COLUMNS,
    WORK_PACKAGE_REQUIREMENT_COLUMNS,
)
from ketenradar.modules.kansenkaart.references import DESIGNS
from ketenradar.modules.kansenkaart.web import demand_views as dv

page_router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["downloads"])


def _errors_of(exc: BaseException) -> tuple[list[dict[str, Any]], int]:
    body = error_body(exc)
    return [{"field": body.field, "detail": body.detail, "code": body.code}], body.status


def _params(request: Request) -> dict[str, str]:
    """The query without empty fields (empty: the default) and without the document when the
    preset is chosen."""
    params = {k: v for k, v in request.query_params.items() if v.strip() != ""}
    if params.get("mode") != "document":
        params.pop("programme", None)
    return params


def _designs() -> list[dict[str, Any]]:
    return [{"id": d, "mwe": spec["reference_mwe"]} for d, spec in DESIGNS.items()]


@page_router.get("/{lang}/kansenkaart", response_class=HTMLResponse)
def demand_page(request: Request, lang: str) -> Response:
    """The demand of a programme: the form, and with ``run=1`` the chart, tables and files."""
    lang = check_lang(lang)
    params = _params(request)
    run = params.pop("run", None) == "1"
    params.pop("lang", None)
    ctx: dict[str, Any] = {
        "tab": "demand",
        "labels": dv.LABELS,
        "errors": [],
        "out": None,
        "form": params,
        "designs": _designs(),
        "max_units": dv.MAX_PRESET_UNITS,
    }
    try:
        q = dv.DemandQuery.model_validate(params)
    except ValidationError as exc:
        ctx["errors"] = dv.query_errors(exc)
        ctx["q"] = dv.DemandQuery()
        return render(
            request, lang, "kansenkaart.html", "module_kansenkaart", status_code=422, **ctx
        )
    ctx["q"] = q
    status = 200
    footer = None
    if run:
        try:
            programme = dv.programme_of(q)
            result = dv.demand_of(programme, q.currency, q.price_year)
            ctx["out"] = dv.page_view(programme, result, lang)
            ctx["query"] = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in q.params().items())
        except KetenradarError as exc:
            ctx["errors"], status = _errors_of(exc)
    if ctx["out"] is not None:
        footer = store_footer(ctx["out"]["provenance"]["datasets"], methods=[])
    return render(
        request,
        lang,
        "kansenkaart.html",
        "module_kansenkaart",
        status_code=status,
        footer=footer,
        **ctx,
    )


OriginParam = Annotated[
    str | None, Query(description="Design origin (US, FR, DE): only the rows asked for it")
]


def _origin(origin: str | None) -> str | None:
    origin = (origin or "").strip() or None
    if origin is not None and origin not in ORIGINS:
        raise UsageError(
            f"unknown design origin {origin!r} (known: {', '.join(ORIGINS)})", field="origin"
        )
    return origin


@page_router.get("/{lang}/kansenkaart/requirements", response_class=HTMLResponse)
def requirements_page(request: Request, lang: str, origin: OriginParam = None) -> Response:
    """The requirements per work package and the certificates (time and cost to obtain)."""
    lang = check_lang(lang)
    ctx: dict[str, Any] = {
        "tab": "requirements",
        "labels": dv.LABELS,
        "errors": [],
        "req": None,
        "origins": ORIGINS,
        "origin": None,
    }
    status = 200
    footer = None
    try:
        ctx["origin"] = _origin(origin)
        _, ctx["req"] = dv.requirements_view(lang, ctx["origin"])
        ctx["query"] = f"origin={ctx['origin']}&lang={lang}" if ctx["origin"] else f"lang={lang}"
        footer = store_footer(ctx["req"]["provenance"]["datasets"], methods=[])
    except KetenradarError as exc:
        ctx["errors"], status = _errors_of(exc)
    ctx["split_judgement"] = dv.split_judgement
    return render(
        request,
        lang,
        "kansenkaart_requirements.html",
        "module_kansenkaart",
        status_code=status,
        footer=footer,
        **ctx,
    )


# --- downloads ----------------------------------------------------------------------------

DemandTable = Annotated[
    Literal["demand", "accounts", "work_packages"],
    Query(description=dl.TABLE_DESCRIPTION),
]
RequirementTable = Annotated[
    Literal["work_packages", "requirements", "certificates"],
    Query(description=dl.TABLE_DESCRIPTION),
]


@api_router.get(
    "/api/v1/kansenkaart/demand.{fmt:download}", response_class=Response, responses=dl.OPENAPI
)
def demand_download(
    request: Request,
    fmt: dl.FormatParam,
    table: DemandTable = "demand",
    lang: Literal["en", "nl"] = "en",
) -> Response:
    """The demand of the page's query (same parameters) as a file: ``demand`` (unit × work
    package × year), ``accounts`` (with the source's amounts) or ``work_packages`` (the page's
    table, names in ``lang``); XLSX holds all three."""
    params = _params(request)
    for k in ("fmt", "table", "lang", "run"):
        params.pop(k, None)
    try:
        q = dv.DemandQuery.model_validate(params)
    except ValidationError as exc:
        e = dv.query_errors(exc)[0]
        raise UsageError(e["detail"], field=e["field"]) from None
    programme = dv.programme_of(q)
    result = dv.demand_of(programme, q.currency, q.price_year)
    dem = result.frame("demand")
    rows, _ = dv.work_package_rows(dem, lang)
    currency = str(dem["currency"].iat[0]) if len(dem) else ""
    prov = dl.record_provenance(request, result.provenance.to_dict())
    out = dl.result_of(
        {
            "demand": dem,
            "accounts": result.frame("accounts"),
            "work_packages": dv.summary_frame(rows, currency),
        },
        prov,
        {
            "demand": DEMAND_COLUMNS,
            "accounts": ACCOUNT_COLUMNS,
            "work_packages": dv.SUMMARY_COLUMNS,
        },
    )
    name = q.design if q.mode == "preset" else "programme"
    stem = dl.filename("kansenkaart_demand", name, q.units if q.mode == "preset" else "", currency)
    return dl.respond(request, out, fmt, stem, table=table)


@api_router.get(
    "/api/v1/kansenkaart/requirements.{fmt:download}",
    response_class=Response,
    responses=dl.OPENAPI,
)
def requirements_download(
    request: Request,
    fmt: dl.FormatParam,
    origin: OriginParam = None,
    table: RequirementTable = "work_packages",
    lang: Literal["en", "nl"] = "en",
) -> Response:
    """The requirements page's tables as a file (work-package names in ``lang``)."""
    result, _ = dv.requirements_view(lang, _origin(origin))
    prov = dl.record_provenance(request, result.provenance.to_dict())
    out = dl.result_of(
        {n: result.frame(n) for n in ("work_packages", "requirements", "certificates")},
        prov,
        {
            "work_packages": WORK_PACKAGE_REQUIREMENT_COLUMNS,
            "requirements": REQUIREMENT_COLUMNS,
            "certificates": CERTIFICATE_COLUMNS,
        },
    )
    return dl.respond(
        request, out, fmt, dl.filename("kansenkaart_requirements", origin), table=table
    )
