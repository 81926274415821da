"""The industry module's pages and their downloads.

``/{lang}/industry``: the emissions dashboard: the Dutch EU ETS total per year beside the
Dutch Emissions Authority's published 2022 figure, the emissions per industrial cluster, the
trajectories against the targets, and the subsidy instruments with their oversubscription.

``/{lang}/industry/costs``: the speelveldtoets calculator: a GET form (a result is a link that
can be shared) for a consumer profile; with ``run=1`` the cost stack per country (chart and
table) for a year, the totals per year and the Dutch gap by component. Impossible values are
refused naming the field (422).

Downloads (every row, with provenance): ``/api/v1/industry/emissions``, ``…/clusters``,
``…/targets``, ``…/instruments`` and ``…/costs`` (the calculator's query), each
``.{csv,xlsx,parquet}``. The view logic is in ``views.py``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ketenradar.core.errors import KetenradarError, NotFoundError
from ketenradar.interfaces.web import downloads as dl
from ketenradar.interfaces.web.errors import error_body
from ketenradar.interfaces.web.pages import check_lang, fragment, render, store_footer
from ketenradar.modules.industry import api
from ketenradar.modules.industry.cost_profile import check_profile
from ketenradar.modules.industry.facts import (
    ASSIGNMENT_COLUMNS,
    CLUSTER_COLUMNS,
    COST_COLUMNS,
    GAP_COLUMNS,
    TARGET_ASSESSMENT_COLUMNS,
    TOTAL_COLUMNS,
    TRAJECTORY_COLUMNS,
)
from ketenradar.modules.industry.web import views as vw

page_router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["downloads"])

#: The calculator's form fields (the query string), as the profile names them.
FORM = ("consumption_mwh", "load_factor", "ikc", "co2_price", "first_year", "last_year", "year")


def _data_dir(request: Request) -> Any:
    return request.app.state.settings.data_dir


def _errors_of(exc: BaseException) -> tuple[list[dict[str, Any]], int]:
    body = error_body(exc)
    return [{"field": body.field, "detail": body.detail}], body.status


@page_router.get("/{lang}/industry", response_class=HTMLResponse)
def dashboard_page(request: Request, lang: str) -> Response:
    """The emissions dashboard (or what to load when no ETS dataset is there). Its content
    is rendered once per language and dataset versions (``fragment``)."""
    lang = check_lang(lang)
    data_dir = _data_dir(request)
    errors: list[dict[str, Any]] = []
    status, footer = 200, None
    try:
        out = vw.dashboard(data_dir)
    except KetenradarError as exc:
        out = None
        errors, status = _errors_of(exc)
    if out is not None:
        footer = store_footer(out["view"]["datasets"], methods=[])

    def content() -> dict[str, Any]:
        ctx: dict[str, Any] = {"tab": "dashboard", "errors": errors, "labels": vw.LABELS}
        ctx["instruments"], ctx["oversubscription"] = vw.instrument_rows()
        ctx["kpis"] = vw.kpi_rows(data_dir)
        ctx["missing"] = vw.missing(api.KIND) if out is None and not errors else None
        if out is not None:
            view = out["view"]
            keys = ("totals", "nea", "targets", "clusters", "cluster_error", "companies", "map")
            ctx |= {k: view[k] for k in (*keys, "largest")}
            ctx["map_points"] = vw.map_points(data_dir, lang)
        return ctx

    key = None if errors else vw.dashboard_key(data_dir)
    main, notes = fragment(lang, "_industry_dashboard_main.html", key, content)
    return render(
        request,
        lang,
        "industry.html",
        "module_industry",
        status_code=status,
        footer=footer,
        main_html=main,
        english_notes=notes,
    )


def _detail_page(
    request: Request, lang: str, template: str, name: str, found: dict[str, Any] | None
) -> Response:
    """A page about one thing (an installation, a company): ``found`` as ``name``, or what
    to load when no ETS dataset is there (an unknown one has raised NotFoundError: the app's
    error page, 404)."""
    ctx: dict[str, Any] = {"tab": "dashboard", "errors": [], "missing": None, name: found}
    footer = None
    if found is None:
        ctx["missing"] = vw.missing(api.KIND)
    else:
        footer = store_footer(found["datasets"], methods=[])
    return render(request, lang, template, "module_industry", footer=footer, **ctx)


@page_router.get("/{lang}/industry/installations/{installation_id}", response_class=HTMLResponse)
def installation_page(request: Request, lang: str, installation_id: str) -> Response:
    """One installation: its holder, place and cluster (with the basis), and its verified
    emissions, free allocation and status per year; an unknown id is not found (404)."""
    lang = check_lang(lang)
    found = vw.installation(_data_dir(request), installation_id.strip())
    return _detail_page(request, lang, "industry_installation.html", "inst", found)


@page_router.get("/{lang}/industry/companies/{company_reg_no}", response_class=HTMLResponse)
def company_page(request: Request, lang: str, company_reg_no: str) -> Response:
    """One company, known by its KvK number: the holder names it used, its maatwerk
    agreement, its installations and its verified emissions and free allocation per year;
    an unknown or malformed number is not found (404)."""
    lang = check_lang(lang)
    found = vw.company(_data_dir(request), company_reg_no.strip())
    return _detail_page(request, lang, "industry_company.html", "company", found)


def _profile_of(params: dict[str, str]) -> dict[str, Any]:
    """The profile the calculator's query describes (strings as the form sends them)."""
    out: dict[str, Any] = {
        "consumption_mwh": params.get("consumption_mwh", "50000"),
        "load_factor": params.get("load_factor", "0.8"),
        "ikc_eligible": params.get("ikc") in ("1", "on", "true"),
    }
    if params.get("co2_price"):
        out["co2_price_eur_t"] = params["co2_price"]
    for k in ("first_year", "last_year"):
        if params.get(k):
            out[k] = params[k]
    return out


def _year(params: dict[str, str]) -> int | None:
    y = params.get("year", "").strip()
    return int(y) if y.isdigit() else None


@page_router.get("/{lang}/industry/costs", response_class=HTMLResponse)
def costs_page(request: Request, lang: str) -> Response:
    """The speelveldtoets calculator: the form, and with ``run=1`` the cost stacks."""
    lang = check_lang(lang)
    params = {k: v.strip() for k, v in request.query_params.items() if k in FORM and v.strip()}
    run = request.query_params.get("run") == "1"
    ctx: dict[str, Any] = {
        "tab": "costs",
        "errors": [],
        "form": params,
        "out": None,
        "missing": [],
        "labels": vw.COMPONENT_LABELS,
    }
    status = 200
    footer = None
    if run:
        try:
            profile = check_profile(_profile_of(params)).model_dump(mode="json")
            page = vw.cost_page(profile, _data_dir(request), _year(params))
            if isinstance(page, list):
                ctx["missing"] = page
            else:
                ctx["out"], ctx["notes"] = page["view"], page["notes"]
                ctx["query"] = urlencode({**params, "run": "1"})
                footer = store_footer(page["datasets"], methods=[])
        except KetenradarError as exc:
            ctx["errors"], status = _errors_of(exc)
    # kept per query and price-dataset versions; a page with errors is rendered afresh
    key = (
        None
        if ctx["errors"]
        else (tuple(sorted(params.items())), run, vw.price_keys(_data_dir(request)))
    )
    main, notes = fragment(lang, "_industry_costs_main.html", key, ctx)
    return render(
        request,
        lang,
        "industry_costs.html",
        "module_industry",
        status_code=status,
        footer=footer,
        main_html=main,
        english_notes=notes,
    )


# --- downloads ----------------------------------------------------------------------------


def _empty(
    request: Request, fmt: str, stem: str, tables: dict[str, Any], kinds: list[str], table: str
) -> Response:
    """A download when the data it needs is not loaded: the tables with their columns and no
    rows, and the provenance saying what is missing and the command that loads it (the page
    itself shows the same instead of the links)."""
    import pandas as pd

    from ketenradar.core.provenance import new_provenance

    notes = [f"no {k} dataset is loaded: load one with `{vw.missing(k)['command']}`" for k in kinds]
    prov = new_provenance(
        analysis=stem.replace("_", " "), methods=[], datasets=[], parameters={}, notes=notes
    )
    prov = dl.record_provenance(request, prov.to_dict())
    frames = {n: pd.DataFrame(columns=[c.name for c in cols]) for n, cols in tables.items()}
    res = dl.result_of(frames, prov, tables)
    return dl.respond(request, res, fmt, f"{stem}_no_data", table=table)


@api_router.get(
    "/api/v1/industry/emissions.{fmt:download}", response_class=Response, responses=dl.OPENAPI
)
def emissions_download(request: Request, fmt: dl.FormatParam) -> Response:
    """The Dutch EU ETS totals per year (the dashboard's first table) as a file."""
    out = vw.dashboard(_data_dir(request))
    if out is None:
        tables = {"emissions": TOTAL_COLUMNS}
        return _empty(request, fmt, "industry_emissions", tables, [api.KIND], "emissions")
    result = out["totals"]
    prov = dl.record_provenance(request, result.provenance.to_dict())
    out = dl.result_of({"emissions": result.frame("emissions")}, prov, result.columns)
    return dl.respond(request, out, fmt, "industry_emissions_nl")


ClusterTable = Annotated[
    Literal["clusters", "installations", "unassigned"], Query(description=dl.TABLE_DESCRIPTION)
]


@api_router.get(
    "/api/v1/industry/clusters.{fmt:download}", response_class=Response, responses=dl.OPENAPI
)
def clusters_download(
    request: Request, fmt: dl.FormatParam, table: ClusterTable = "clusters"
) -> Response:
    """The emissions per cluster, the installations with their cluster, the unassigned."""
    out = vw.dashboard(_data_dir(request))
    if out is None:
        tables = {
            "clusters": CLUSTER_COLUMNS,
            "installations": ASSIGNMENT_COLUMNS,
            "unassigned": ASSIGNMENT_COLUMNS,
        }
        return _empty(request, fmt, "industry_clusters", tables, [api.KIND], table)
    result = out["clusters"]
    if result is None:
        raise NotFoundError(out["error"] or "no cluster assignment")
    prov = dl.record_provenance(request, result.provenance.to_dict())
    res = dl.result_of({n: result.frame(n) for n in result.tables}, prov, result.columns)
    return dl.respond(request, res, fmt, "industry_clusters", table=table)


TargetTable = Annotated[Literal["targets", "trajectory"], Query(description=dl.TABLE_DESCRIPTION)]


@api_router.get(
    "/api/v1/industry/targets.{fmt:download}", response_class=Response, responses=dl.OPENAPI
)
def targets_download(
    request: Request, fmt: dl.FormatParam, table: TargetTable = "targets"
) -> Response:
    """The emissions against the shipped targets, and the trajectories."""
    out = vw.dashboard(_data_dir(request))
    if out is None:
        tables = {"targets": TARGET_ASSESSMENT_COLUMNS, "trajectory": TRAJECTORY_COLUMNS}
        return _empty(request, fmt, "industry_targets", tables, [api.KIND], table)
    result = out["targets"]
    prov = dl.record_provenance(request, result.provenance.to_dict())
    res = dl.result_of({n: result.frame(n) for n in result.tables}, prov, result.columns)
    return dl.respond(request, res, fmt, "industry_targets", table=table)


InstrumentTable = Annotated[
    Literal["figures", "oversubscription"], Query(description=dl.TABLE_DESCRIPTION)
]


@api_router.get(
    "/api/v1/industry/instruments.{fmt:download}", response_class=Response, responses=dl.OPENAPI
)
def instruments_download(
    request: Request, fmt: dl.FormatParam, table: InstrumentTable = "figures"
) -> Response:
    """The subsidy instruments' published figures with their sources."""
    result = vw.instruments()
    prov = dl.record_provenance(request, result.provenance.to_dict())
    res = dl.result_of({n: result.frame(n) for n in result.tables}, prov, result.columns)
    return dl.respond(request, res, fmt, "industry_instruments", table=table)


CostTable = Annotated[Literal["costs", "gaps"], Query(description=dl.TABLE_DESCRIPTION)]


@api_router.get(
    "/api/v1/industry/costs.{fmt:download}", response_class=Response, responses=dl.OPENAPI
)
def costs_download(request: Request, fmt: dl.FormatParam, table: CostTable = "costs") -> Response:
    """The calculator's result for the page's query (same parameters) as a file."""
    params = {k: v.strip() for k, v in request.query_params.items() if k in FORM and v.strip()}
    profile = check_profile(_profile_of(params)).model_dump(mode="json")
    result = vw.costs(profile, _data_dir(request))
    if isinstance(result, list):
        kinds = [m["kind"] for m in result]
        tables = {"costs": COST_COLUMNS, "gaps": GAP_COLUMNS}
        return _empty(request, fmt, "industry_costs", tables, kinds, table)
    prov = dl.record_provenance(request, result.provenance.to_dict())
    res = dl.result_of({n: result.frame(n) for n in result.tables}, prov, result.columns)
    stem = dl.filename("industry_costs", profile["consumption_mwh"], "MWh")
    return dl.respond(request, res, fmt, stem, table=table)
