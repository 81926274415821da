"""The kansenkaart's map and bottlenecks: ``/{lang}/kansenkaart/matching`` (the page),
``GET /api/v1/kansenkaart/match`` (its numbers as JSON) and
``GET /api/v1/kansenkaart/match.{csv,xlsx,parquet}`` (every table as a file with its
provenance: the matchmaking list of a work package is ``?work_package=ID&table=matches``).

The page is a GET form (a view is a link): the map level (provinces or COROP regions), one
work package or all, the design origin whose certificates are asked, what the map counts
(suppliers qualified now, qualified after closing gaps, or every candidate), the minimum of
qualified suppliers and, optionally, a reference design whose demand decides which work
packages can be bottlenecks. Everything is :func:`ketenradar.modules.kansenkaart.api.match`
over the suppliers the reader may read: a company sees itself, a regional agency its
province, analysts and admins everything; anonymous readers see no supplier and are told
to sign in.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ketenradar.core.errors import KetenradarError
from ketenradar.core.results import Result
from ketenradar.interfaces.web import downloads as dl
from ketenradar.interfaces.web.auth import db_of
from ketenradar.interfaces.web.errors import error_body, openapi_responses
from ketenradar.interfaces.web.pages import check_lang, render
from ketenradar.modules.kansenkaart import api
from ketenradar.modules.kansenkaart import suppliers as sp
from ketenradar.modules.kansenkaart.analysis.requirements import ORIGINS
from ketenradar.modules.kansenkaart.names import work_package_names
from ketenradar.modules.kansenkaart.references import DESIGNS, load_taxonomy
from ketenradar.modules.kansenkaart.web.demand_views import DESIGN_LABELS
from ketenradar.places.maps import region_map

page_router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1/kansenkaart", tags=["kansenkaart"])

ERRORS = openapi_responses(
    {
        400: "a parameter the matching refuses (an unknown work package, origin or level)",
        404: "no such work package",
        422: "a parameter outside its type or bounds (names the field)",
    }
)

#: What the map can count per region.
MEASURES = ("qualified_now", "after_gaps", "candidates")
#: The colours of the map, lightest first (a sequential blue scale; 0 is grey).
COLOURS = ("#e8eef4", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")


class MatchQuery(BaseModel):
    """The page's (and the JSON route's) parameters."""

    model_config = ConfigDict(extra="ignore")

    level: Literal["province", "corop"] = "province"
    work_package: str | None = Field(None, max_length=80)
    origin: Literal["US", "FR", "DE"] = "US"
    measure: Literal["qualified_now", "after_gaps", "candidates"] = "qualified_now"
    min_suppliers: int = Field(2, ge=1, le=100)
    design: str | None = Field(None, max_length=80)
    lang: Literal["nl", "en"] = "en"


def _access(request: Request) -> sp.Access:
    return sp.access_of(db_of(request), getattr(request.state, "user", None))


def demand_by_work_package(design: str | None) -> dict[str, float] | None:
    """The euros per work package of a reference design's reference unit (``None``: no
    design chosen); an unknown design is refused (``field="design"``)."""
    if design is None:
        return None
    if design not in DESIGNS:
        from ketenradar.core.errors import UsageError

        raise UsageError(
            f"unknown reference design {design!r} (known: {', '.join(DESIGNS)})", field="design"
        )
    from ketenradar.modules.kansenkaart.web.demand_views import demand_of, reference_document

    frame = demand_of(reference_document(design)).frame("demand")
    return {str(k): float(v) for k, v in frame.groupby("work_package")["total"].sum().items()}


def compute(request: Request, q: MatchQuery) -> Result:
    """:func:`api.match` for the reader of ``request`` with the query's parameters."""
    return api.match(
        db_of(request),
        _access(request),
        work_package=q.work_package,
        origin=q.origin,
        as_of=date.today(),
        min_suppliers=q.min_suppliers,
        demand=demand_by_work_package(q.design),
        level=q.level,
        lang=q.lang,
        command=dl.command_of(request),
    )


def colour(value: int, top: int) -> str:
    """The map colour of ``value`` on a scale up to ``top`` (0: grey; ``top``: the darkest):
    colour ``i`` holds the values in ((i-1)·top/5, i·top/5], as the legend says."""
    if value <= 0 or top <= 0:
        return COLOURS[0]
    steps = len(COLOURS) - 1
    return COLOURS[min(steps, max(1, -(-value * steps // top)))]  # ⌈value·steps/top⌉


def map_view(result: Result, q: MatchQuery) -> dict[str, Any] | None:
    """The map: every region of the level with its numbers (zero where no supplier is
    located), its colour by the chosen measure, and the legend; ``None`` when the map data
    is missing."""
    shapes = region_map(q.level)
    if shapes is None:
        return None
    regions = result.frame("regions")
    numbers = {r["region"]: r for r in regions.to_dict("records") if r["region"] is not None}
    rows = []
    for s in shapes.shapes:
        n = numbers.get(s.key, {})
        rows.append(
            {
                "key": s.key,
                "name": s.name,
                "path": s.path,
                "suppliers": int(n.get("suppliers", 0)),
                "candidates": int(n.get("candidates", 0)),
                "qualified_now": int(n.get("qualified_now", 0)),
                "after_gaps": int(n.get("after_gaps", 0)),
            }
        )
    top = max((r[q.measure] for r in rows), default=0)
    for r in rows:
        r["fill"] = colour(r[q.measure], top)
    legend = []
    if top:
        steps = len(COLOURS) - 1
        for i in range(1, steps + 1):
            lo = (i - 1) * top // steps + 1
            hi = i * top // steps
            if lo <= hi:
                legend.append({"fill": COLOURS[i], "low": lo, "high": hi})
    unlocated = regions[regions["region"].isna()]
    return {
        "width": shapes.width,
        "height": shapes.height,
        "regions": rows,
        "top": top,
        "legend": legend,
        "unlocated": int(unlocated["suppliers"].sum()) if len(unlocated) else 0,
    }


def page_view(result: Result, q: MatchQuery) -> dict[str, Any]:
    """What the page shows: the map, the bottlenecks, every work package's counts with its
    matchmaking-list links, and how many suppliers the numbers cover."""
    wps = result.frame("work_packages").to_dict("records")
    return {
        "map": map_view(result, q),
        "work_packages": wps,
        "bottlenecks": [w for w in wps if w["bottleneck"]],
        "suppliers": int(result.provenance.parameters.get("suppliers") or 0),
        "demo": any("demo" in n for n in result.provenance.notes),
        "with_demand": q.design is not None,
    }


def _errors_of(exc: BaseException) -> tuple[list[dict[str, Any]], int]:
    body = error_body(exc)
    return [{"field": body.field, "detail": body.detail, "code": body.code}], body.status


def _query_errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in e["loc"]), "detail": e["msg"], "code": "invalid"}
        for e in exc.errors()
    ]


@page_router.get("/{lang}/kansenkaart/matching", response_class=HTMLResponse)
def matching_page(request: Request, lang: str) -> Response:
    """The map of suppliers and match strength per region, the bottlenecks and the
    matchmaking lists per work package."""
    lang = check_lang(lang)
    params = {k: v for k, v in request.query_params.items() if v.strip() != ""}
    params["lang"] = lang
    who = _access(request)
    ctx: dict[str, Any] = {
        "tab": "matching",
        "errors": [],
        "out": None,
        "form": params,
        "origins": ORIGINS,
        "designs": list(DESIGNS),
        "design_labels": DESIGN_LABELS,
        "measures": MEASURES,
        "work_package_ids": sp.work_package_ids(),
        "signed_in": who.signed_in,
        "today": date.today(),
        "wp_names": work_package_names(load_taxonomy().work_packages, lang),
    }
    status = 200
    try:
        q = MatchQuery.model_validate(params)
    except ValidationError as exc:
        ctx["errors"] = _query_errors(exc)
        ctx["q"] = MatchQuery(lang=lang)
        return render(
            request, lang, "kansenkaart_matching.html", "module_kansenkaart", status_code=422, **ctx
        )
    ctx["q"] = q
    try:
        result = compute(request, q)
        ctx["out"] = page_view(result, q)
        ctx["query"] = {
            k: v
            for k, v in q.model_dump().items()
            if v is not None and k not in ("lang", "measure", "work_package")
        }
    except KetenradarError as exc:
        ctx["errors"], status = _errors_of(exc)
    return render(
        request,
        lang,
        "kansenkaart_matching.html",
        "module_kansenkaart",
        status_code=status,
        **ctx,
    )


Level = Annotated[Literal["province", "corop"], Query(description="province or corop")]
Origin = Annotated[
    Literal["US", "FR", "DE"],
    Query(description="design origin whose certificates are asked (US, FR, DE)"),
]
WorkPackage = Annotated[str | None, Query(max_length=80, description="one work package id")]
MinSuppliers = Annotated[int, Query(ge=1, le=100)]
Design = Annotated[
    str | None,
    Query(max_length=80, description="a reference design whose demand decides the bottlenecks"),
]
Table = Annotated[
    Literal["matches", "work_packages", "regions"],
    Query(description=dl.TABLE_DESCRIPTION),
]


def match_query(
    level: Level = "province",
    work_package: WorkPackage = None,
    origin: Origin = "US",
    min_suppliers: MinSuppliers = 2,
    design: Design = None,
    lang: Literal["nl", "en"] = "en",
) -> MatchQuery:
    """A dependency: the query parameters the JSON route and its downloads share."""
    return MatchQuery(
        level=level,
        work_package=work_package,
        origin=origin,
        min_suppliers=min_suppliers,
        design=design,
        lang=lang,
    )


Matching = Annotated[MatchQuery, Depends(match_query)]


@api_router.get("/match", responses=ERRORS)
def match_json(request: Request, q: Matching) -> dict[str, Any]:
    """``ketenradar kansenkaart match`` over the suppliers you may read: ``matches`` (work
    package × supplier: qualified now or after closing gaps, readiness 1–4, the missing
    certificates with time and cost), ``work_packages`` (counts, ``bottleneck``) and
    ``regions`` (per province or COROP region), with the provenance. Anonymous callers read
    no supplier."""
    result = compute(request, q)
    return {
        name: dl.rounded(df).astype(object).where(df.notna(), None).to_dict("records")
        for name, df in result.tables.items()
    } | {"provenance": result.provenance.to_dict()}


@api_router.get("/match.{fmt:download}", response_class=Response, responses=dl.OPENAPI | ERRORS)
def match_download(
    request: Request,
    fmt: dl.FormatParam,
    q: Matching,
    table: Table = "matches",
) -> Response:
    """The tables of ``GET /api/v1/kansenkaart/match`` as a file (CSV/Parquet: ``table``;
    XLSX: all three): the matchmaking list of a work package is
    ``match.xlsx?work_package=ID``."""
    result = compute(request, q)
    stem = dl.filename("kansenkaart_match", q.work_package, q.origin, q.level, q.design)
    return dl.respond(request, result, fmt, stem, table=table)
