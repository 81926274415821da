"""Routes of the input-output area: exposure per industry (goods and services) and shocks.

``GET /api/v1/io/industries``, ``GET /api/v1/io/tables``, ``POST /api/v1/io/shock`` and the
page ``/{lang}/io``. The view functions are in :mod:`ketenradar.modules.io.web.views`; the older
``/api/v1/io/exposure`` (starter pack per country or industry) stays in :mod:`.api`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from ketenradar.interfaces.web import pages
from ketenradar.interfaces.web.api import FactsDep
from ketenradar.interfaces.web.auth import Admin
from ketenradar.interfaces.web.errors import openapi_responses
from ketenradar.interfaces.web.routes_data import submit_load
from ketenradar.modules.io.web import load as io_load
from ketenradar.modules.io.web import views as io_page

api_router = APIRouter(prefix="/api/v1", tags=["input-output"])
page_router = APIRouter(include_in_schema=False)

CODE = r"^[A-Za-z0-9_.,+ -]+$"
Economy = Annotated[
    str | None,
    Query(
        description="Region code (NLD) or group (EU27) of a loaded table; default: the "
        "starter pack (NLD)",
        max_length=100,
        pattern=CODE,
    ),
]
Source = Annotated[Literal["icio", "wiod"] | None, Query(description="Table source")]
TableYear = Annotated[
    int | None, Query(description="Table year (default: the latest loaded)", ge=1900, le=2100)
]
DatasetName = Annotated[
    str | None,
    Query(
        description="io_table dataset name (when several are loaded)",
        max_length=64,
        pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$",
    ),
]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    what = {
        400: "a code the table does not have (with the closest codes)",
        403: "the CSRF token is missing or wrong",
        404: "the year or dataset is not loaded (with what is)",
        409: "no input-output table is loaded: the message names the command that loads one",
        422: "a parameter outside its type or bounds (names the field and allowed values)",
    }
    return openapi_responses({c: what[c] for c in codes})  # the app's one error body


def _data_dir(request: Request) -> Any:
    return request.app.state.settings.data_dir


@api_router.get("/io/exposure")
def io_exposure(
    facts: FactsDep, by: Annotated[str, Query(description="country or industry")] = "country"
) -> dict[str, Any]:
    """Input-output exposure of the Netherlands (OECD ICIO 2022)."""
    return io_page.exposure_table(facts, by)


@api_router.get("/io/industries", responses=_errors(400, 404, 409, 422))
def io_industries(
    request: Request,
    facts: FactsDep,
    economy: Economy = None,
    source: Source = None,
    year: TableYear = None,
    dataset: DatasetName = None,
) -> dict[str, Any]:
    """Exposure per industry of an economy: output, intermediate inputs, the direct foreign
    input share and top supplier, the foreign value-added content and its top source, each
    industry marked goods or services, with a goods/services/all summary.

    Without parameters: the starter pack (the Netherlands, OECD ICIO 2022). With economy,
    source, year or dataset: a table loaded in the data store (409 naming the command that
    loads one when there is none)."""
    return io_page.industries(
        facts, _data_dir(request), economy=economy, source=source, year=year, dataset=dataset
    )


@api_router.get("/io/tables")
def io_tables(request: Request) -> dict[str, Any]:
    """The input-output tables loaded in the data store (dataset, source, release, years,
    regions × sectors, licence) that shocks and exposure can run on."""
    tables = io_page.store_tables(_data_dir(request))
    return {"tables": tables, "load_command": io_page.load_command()}


class ShockRequest(BaseModel):
    """One supply shock: deliveries from a supplier (optionally only some of its industries)
    fall by a share, to every buyer in the world or to the economy only."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    economy: str = Field(
        "NLD", min_length=1, max_length=100, pattern=CODE, description="Region or group hit"
    )
    supplier: str = Field(
        ...,
        min_length=1,
        max_length=100,
        pattern=CODE,
        description="Supplying region (CHN) or group (EU27) whose deliveries fall",
    )
    industries: list[Annotated[str, Field(min_length=1, max_length=40, pattern=CODE)]] = Field(
        default_factory=list,
        max_length=io_page.MAX_INDUSTRIES,
        description="Only these industries of the supplier (table codes, e.g. C26); empty: all",
    )
    fall: float = Field(..., gt=0, le=1, description="Share of deliveries lost: 0.5 = 50 %")
    to: Literal["world", "economy"] = Field(
        "world", description="world: to every buyer; economy: to the economy's buyers only"
    )
    model: Literal["extraction", "ghosh"] = Field(
        "extraction",
        description="extraction: partial hypothetical extraction (exact); ghosh: first-order "
        "Ghosh multiplier",
    )
    source: Literal["icio", "wiod"] | None = Field(None, description="Table source")
    year: int | None = Field(None, ge=1900, le=2100, description="Table year (default: latest)")
    dataset: str | None = Field(
        None, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$", description="io_table dataset"
    )
    lang: Literal["nl", "en"] = Field(
        "en", description="Language of the title, notes and column labels in the answer"
    )


@api_router.post("/io/shock", responses=_errors(400, 403, 404, 409, 422))
def io_shock(request: Request, body: ShockRequest) -> dict[str, Any]:
    """Output and value-added loss of the economy's industries when a supplier's deliveries
    fall (supply-side model, no substitution: upper bounds), on the loaded input-output
    table. Rows: ``TOTAL`` first, then industries by output loss; with the provenance, and
    the scenario's title, notes and column labels in words (``lang``).
    Needs the ``X-CSRF-Token`` header; 409 naming the load command when no table is loaded."""
    return io_page.run_shock(_data_dir(request), body.model_dump())


class LoadRequest(BaseModel):
    """The folder on the server holding the OECD ICIO table to load."""

    model_config = ConfigDict(extra="forbid")

    folder: str | None = Field(
        None,
        max_length=io_load.MAX_FOLDER,
        description="Folder on the server holding bench_cache.npz or an OECD ICIO CSV "
        "(2022_SML.csv); empty: icio_oecd_2022 in the shared data (KETENRADAR_SHARED_DATA)",
    )


LOAD_ERRORS = openapi_responses(
    {
        400: "the folder holds no OECD ICIO table (or is a file)",
        401: "nobody is signed in",
        403: "not an admin, or the CSRF token is missing or wrong",
        404: "no such folder on the server",
        422: "a body field outside its type or bounds",
    }
)


@api_router.post("/io/load", status_code=202, responses=LOAD_ERRORS)
def io_load_table(request: Request, body: LoadRequest, user: Admin) -> dict[str, Any]:
    """Load the OECD ICIO table from a folder on the server and rebuild the facts (admin), as
    one background job, the same as ``ketenradar io load icio FOLDER``: poll
    ``/api/v1/jobs/{id}`` (``step`` reads ``"1/2 add: …"``, ``"2/2 facts: …"``). Once it is
    done the shock form runs on the table. A folder that does not exist (404) or holds no
    ICIO table (400) is refused before anything is written. Needs the ``X-CSRF-Token``
    header (or an API token)."""
    folder, files = io_load.icio_files(body.folder)
    return submit_load(request, user, "icio", files, folder=folder).public()


@page_router.get("/{lang}/io", response_class=HTMLResponse)
def io_page_view(
    request: Request,
    lang: str,
    facts: FactsDep,
    economy: Economy = None,
    source: Source = None,
    year: TableYear = None,
    dataset: DatasetName = None,
):
    """The input-output page: exposure per industry (goods and services) and a shock form."""
    lang = pages.check_lang(lang)
    p = io_page.page(
        facts, _data_dir(request), economy=economy, source=source, year=year, dataset=dataset
    )
    params = {"economy": economy, "source": source, "year": year, "dataset": dataset}
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return pages.render(
        request,
        lang,
        "io.html",
        "io",
        p=p,
        e=p["exposure"],
        api_query=query,
        footer=p["exposure"]["footer"],
    )
