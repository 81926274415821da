"""Routes of the stockpile planner: ``POST /api/v1/stockpile/plan`` and the page
``/{lang}/stockpile``.

The page is a form (GET, so a plan is a link that can be shared): importer, items (a list, the
EU's 2023 critical raw materials, or a packaged BOM), service level, paths, months, seed and
the scenario (the default "top supplier halts" with its parameters, or a YAML/JSON document;
``?saved=ID`` puts a saved scenario in the editor). With ``run=1`` it computes the plan
(:func:`~ketenradar.modules.stockpile.web.views.compute`) and shows the table, the form advice
with every reason, the charts of the simulation (fan and service-level curve), the downloads and the
HTML report. A request the plan refuses shows the page again with the error and its field.
Saved scenarios are the registry's saved work of kind ``stockpile_scenario``
(``/api/v1/saved/stockpile_scenario``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ketenradar.core.errors import KetenradarError
from ketenradar.interfaces.web.auth import db_of, saved_item_of
from ketenradar.interfaces.web.downloads import command_of
from ketenradar.interfaces.web.errors import error_body, openapi_responses
from ketenradar.interfaces.web.pages import check_lang, render, store_footer
from ketenradar.modules.stockpile.web import views as sv
from ketenradar.registry import service

api_router = APIRouter(prefix="/api/v1", tags=["stockpile"])
page_router = APIRouter(include_in_schema=False)

#: What the stockpile routes answer besides 200 (the app's one error body).
ERRORS = openapi_responses(
    {
        400: "a parameter the plan refuses (an unknown item, importer or BOM; names the field)",
        403: "the CSRF token is missing or wrong",
        404: "no trade data in the store (the message names the command that loads it), or "
        "no such saved scenario",
        409: "a dataset the plan needs is not loaded (names the command)",
        413: "the body is larger than the limit",
        422: "a field outside its type or bounds, or a scenario that fails validation (names "
        "the field: scenario.disruptions[0].suppliers[0].cut)",
    }
)

KIND = "stockpile_scenario"


def data_dir(request: Request) -> Any:
    """The data store the app reads."""
    return request.app.state.settings.data_dir


@api_router.post("/stockpile/plan", responses=ERRORS)
def stockpile_plan(request: Request, body: sv.PlanRequest) -> dict[str, Any]:
    """The stock plan (``ketenradar stockpile plan``): one row per item with the strategic
    stock that serves the service level under the scenario (default: each item's top supplier
    halts, with the parameters of ``halt``), in tonnes, days of cover and euros, the expected
    unserved demand without and with it, the top supplier and import reliance, and the advised
    form with every reason (in ``lang``). ``coverage`` says how many items have a stock;
    ``provenance`` holds the seed, the scenario as run and the data releases. Items without
    data keep their row, ``note`` says why. A scenario that fails validation: 422 naming the
    field. Needs the ``X-CSRF-Token`` header."""
    out = sv.compute(sv.ask_of_body(body), data_dir(request), command=command_of(request))
    return sv.answer(out, body.lang)


def saved_scenarios(request: Request) -> list[dict[str, Any]]:
    """The saved stockpile scenarios the reader may open (theirs and the shared ones)."""
    user = getattr(request.state, "user", None)
    items = service.visible_items(db_of(request), user, KIND)
    return [
        {
            "id": i.id,
            "name": i.name,
            "owner": i.owner.username,
            "private": i.private,
            "mine": user is not None
            and (i.owner.username == user.username or user.role == "admin"),
        }
        for i in items
    ]


def _errors_of(exc: BaseException) -> tuple[list[dict[str, Any]], int]:
    body = error_body(exc)
    return [{"field": body.field, "detail": body.detail, "code": body.code}], body.status


@page_router.get("/{lang}/stockpile", response_class=HTMLResponse)
def stockpile_page(request: Request, lang: str) -> Response:
    """The stockpile planner: the form, and with ``run=1`` the plan, its charts and files."""
    lang = check_lang(lang)
    params = {k: v for k, v in request.query_params.items() if v.strip() != ""}  # empty: default
    run = params.pop("run", None) == "1"
    if params.get("mode") != "document":
        params.pop("scenario", None)
    ctx: dict[str, Any] = {
        "boms": sv.bom_names(),
        "saved_list": saved_scenarios(request),
        "errors": [],
        "out": None,
        "defaults": sv.HALT_DEFAULTS,
        "web_paths": sv.WEB_PATHS,
        "max_paths": sv.WEB_MAX_PATHS,
        "max_months": sv.WEB_MAX_MONTHS,
    }
    status = 200
    try:
        q = sv.PlanQuery.model_validate(params)
    except ValidationError as exc:
        ctx["errors"] = sv.query_errors(exc)
        ctx["q"] = sv.PlanQuery()
        ctx["form"] = params
        return render(request, lang, "stockpile.html", "module_stockpile", status_code=422, **ctx)
    ctx["q"], ctx["form"] = q, params
    opened = None
    try:
        if q.saved is not None:
            item = saved_item_of(request, KIND, q.saved)
            opened = {"id": item.id, "name": item.name, "owner": item.owner.username}
            ctx["scenario_text"] = item.body
        if run:
            ask = sv.ask_of_query(q)
            out = sv.compute(ask, data_dir(request), command=command_of(request))
            ctx["out"] = sv.page_view(out, lang)
            ctx["body"] = ask.body(lang)
            ctx["query_pairs"] = [(k, v) for k, v in ask.query().items() if k != "fan"]
    except KetenradarError as exc:
        ctx["errors"], status = _errors_of(exc)
    ctx["opened"] = opened
    footer = None
    if ctx["out"] is not None:
        prov = ctx["out"]["provenance"]
        footer = store_footer(prov["datasets"], methods=[])
    return render(
        request,
        lang,
        "stockpile.html",
        "module_stockpile",
        status_code=status,
        footer=footer,
        **ctx,
    )
