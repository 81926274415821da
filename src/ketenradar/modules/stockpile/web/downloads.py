"""Downloads of the stockpile page: the plan (and the simulation's tables) as CSV, XLSX or
Parquet with its provenance (:mod:`ketenradar.interfaces.web.downloads`), and the plan as
one self-contained HTML report.

``POST /api/v1/stockpile/plan.{fmt}`` takes the JSON body of ``POST /api/v1/stockpile/plan``
(the page puts the body of the plan on screen in its download boxes; a plan needs the trade
data, so there is no GET that would answer on a fresh install); ``POST
/api/v1/stockpile/plan.html`` answers the same plan as an HTML file that requests nothing
from anywhere (inline CSS, the tables, every reason, the provenance; the charts' data as
tables).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ketenradar.core.results import Result
from ketenradar.interfaces.web import downloads as dl
from ketenradar.interfaces.web.pages import templates
from ketenradar.modules.stockpile.api import PLAN_COLUMNS
from ketenradar.modules.stockpile.web import views as sv
from ketenradar.modules.stockpile.web.routes import ERRORS, data_dir

router = APIRouter(prefix="/api/v1", tags=["downloads"])

Table = Annotated[
    Literal["plan", "summary", "fan", "service_curve"],
    Query(description=dl.TABLE_DESCRIPTION + " (summary, fan, service_curve: the simulation's)"),
]


def _result(request: Request, ask: sv.Ask) -> Result:
    out = sv.compute(ask, data_dir(request), command=dl.command_of(request))
    prov = dl.record_provenance(request, out.result.provenance.to_dict())
    tables: dict[str, Any] = {"plan": out.result.frame("plan")}
    if out.sim is not None:
        tables |= {n: out.sim.frame(n) for n in out.sim.tables}
    schemas = {"plan": PLAN_COLUMNS} | (dict(out.sim.columns) if out.sim is not None else {})
    return dl.result_of(tables, prov, schemas)


def _stem(ask: sv.Ask) -> str:
    return dl.filename("stockpile_plan", ask.importer, ask.bom, ask.service_level, ask.seed)


@router.post(
    "/stockpile/plan.{fmt:download}",
    response_class=Response,
    responses=dl.OPENAPI | ERRORS,
)
def plan_post(
    request: Request, fmt: dl.FormatParam, body: sv.PlanRequest, table: Table = "plan"
) -> Response:
    """The plan of the JSON body of ``POST /api/v1/stockpile/plan`` as a file."""
    ask = sv.ask_of_body(body)
    return dl.respond(request, _result(request, ask), fmt, _stem(ask), table=table)


REPORT_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2733;max-width:75rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #c9d1d9;
padding:.25rem .5rem;vertical-align:top}th{background:#eef2f6;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.small{font-size:.85em}pre{background:#f6f8fa;padding:.5rem;overflow:auto;font-size:.8em}
"""


@router.post(
    "/stockpile/plan.html",
    response_class=Response,
    responses={
        200: {"description": "One HTML file, no external requests", "content": {"text/html": {}}}
    }
    | ERRORS,
)
def report(request: Request, body: sv.PlanRequest) -> Response:
    """The plan of the JSON body of ``POST /api/v1/stockpile/plan`` as one self-contained
    HTML file (inline CSS, the table, every reason of the form advice, the charts' data as
    tables, the provenance), in the body's ``lang``; it loads nothing from anywhere."""
    ask = sv.ask_of_body(body)
    out = sv.compute(ask, data_dir(request), command=dl.command_of(request))
    from ketenradar.interfaces.web.i18n import translator

    html = templates.get_template("stockpile_report.html").render(
        lang=body.lang,
        t=translator(body.lang),
        english_notes=[],
        out=sv.page_view(out, body.lang),
        css=REPORT_CSS,
    )
    name = f"{_stem(ask)}.html"
    return HTMLResponse(html, headers={"Content-Disposition": f'attachment; filename="{name}"'})
