"""Downloads of the input-output page: exposure per industry (and the older per-country or
per-industry exposure table) and a shock's result, each every row as CSV, XLSX or Parquet
with its provenance (:mod:`ketenradar.interfaces.web.downloads`).

Each route mirrors its JSON route (same path and query, plus ``.csv``, ``.xlsx``,
``.parquet`` or ``.csv.provenance.json``). A shock's file is computed from the JSON body
``POST /api/v1/io/shock`` takes (it needs a table loaded in the store, so it has no GET that
would answer on a fresh install).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ketenradar.core.results import Result
from ketenradar.interfaces.web import downloads as dl
from ketenradar.interfaces.web.api import FactsDep
from ketenradar.modules.io.api import LEONTIEF
from ketenradar.modules.io.web import views as io_page
from ketenradar.modules.io.web.routes import (
    DatasetName,
    Economy,
    ShockRequest,
    Source,
    TableYear,
)

router = APIRouter(prefix="/api/v1", tags=["downloads"])

IndustriesTable = Annotated[
    Literal["industries", "summary"], Query(description=dl.TABLE_DESCRIPTION)
]
By = Annotated[Literal["country", "industry"], Query(description="country or industry")]
FACT_TABLES = {"country": "io_exposure_country", "industry": "io_exposure_industry"}


@router.get("/io/industries.{fmt:download}", response_class=Response, responses=dl.OPENAPI)
def industries(
    request: Request,
    facts: FactsDep,
    fmt: dl.FormatParam,
    economy: Economy = None,
    source: Source = None,
    year: TableYear = None,
    dataset: DatasetName = None,
    table: IndustriesTable = "industries",
) -> Response:
    """Exposure per industry (``industries``, every industry) and the goods/services
    summary (``summary``), from the starter pack or a table loaded in the store."""
    data_dir = request.app.state.settings.data_dir
    res = io_page.industries(
        facts, data_dir, economy=economy, source=source, year=year, dataset=dataset
    )
    if res["provenance"] is None:  # the starter pack
        prov = dl.facts_provenance(
            request,
            facts,
            [io_page.STARTER_TABLE],
            analysis="io exposure",
            methods=[LEONTIEF],
            parameters={"economy": res["economy"], "source": res["source"], "year": res["year"]}
            | {"by": "industry", "unit": res["unit"]},
        )
    else:
        prov = dl.record_provenance(request, res["provenance"])
    result = dl.result_of(
        {"industries": res["rows"], "summary": res["summary"]},
        prov,
        {"industries": dl.schema_of(io_page.STARTER_TABLE)},
    )
    stem = dl.filename("io_industries", res["economy"], res["source"], res["year"])
    return dl.respond(request, result, fmt, stem, table=table)


@router.get("/io/exposure.{fmt:download}", response_class=Response, responses=dl.OPENAPI)
def exposure(
    request: Request, facts: FactsDep, fmt: dl.FormatParam, by: By = "country"
) -> Response:
    """The Netherlands' input-output exposure (OECD ICIO 2022) per source country or
    industry: every row of the starter pack's table."""
    name = FACT_TABLES[by]
    prov = dl.facts_provenance(
        request,
        facts,
        [name],
        analysis="io exposure",
        methods=[LEONTIEF],
        parameters={"economy": "NLD", "by": by},
    )
    result = dl.result_of({name: facts.table(name)}, prov, dl.schema_of(name))
    return dl.respond(request, result, fmt, dl.filename("io_exposure_NLD", by))


def _shock_result(request: Request, body: dict[str, Any]) -> Result:
    res = io_page.run_shock(request.app.state.settings.data_dir, body)
    prov = dl.record_provenance(request, res["provenance"])
    return dl.result_of({"shock": res["rows"]}, prov, {"shock": io_page.SHOCK_SCHEMA})


def _shock_stem(body: dict[str, Any]) -> str:
    return dl.filename("io_shock", body["economy"], body["supplier"], body["fall"], body["to"])


@router.post("/io/shock.{fmt:download}", response_class=Response, responses=dl.OPENAPI)
async def shock_post(request: Request, fmt: dl.FormatParam, body: ShockRequest) -> Response:
    """A shock's result from the JSON body of ``POST /api/v1/io/shock``, as a file:
    ``TOTAL`` first, then every industry by output loss."""
    doc = body.model_dump()
    result = await run_in_threadpool(_shock_result, request, doc)
    return dl.respond(request, result, fmt, _shock_stem(doc))
