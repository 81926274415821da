"""Downloads of the materials pages: criticality and CRMA flags, one material, the what-if and
bill-of-materials exposure (packaged, saved or uploaded), each every row as CSV, XLSX or
Parquet with its provenance (:mod:`ketenradar.interfaces.web.downloads`).

Each route mirrors its JSON route (same path and query, plus ``.csv``, ``.xlsx``,
``.parquet`` or ``.csv.provenance.json``). This router comes before the module's others so
that ``/materials/tin.csv`` is a download, not a material named ``tin.csv``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ketenradar.core.results import Result
from ketenradar.interfaces.web import downloads as dl
from ketenradar.interfaces.web.api import FactsDep, json_document
from ketenradar.interfaces.web.auth import saved_item_of
from ketenradar.modules.materials.api import CRMA, EU_METHOD
from ketenradar.modules.materials.facts import COLUMNS as MATERIAL_COLUMNS
from ketenradar.modules.materials.web import views as mp
from ketenradar.modules.materials.web.routes import (
    WHATIF_BODY,
    BomName,
    Material,
    Supply,
    read_bom,
    upload_exposure,
)

router = APIRouter(prefix="/api/v1", tags=["downloads"])

MaterialsTable = Annotated[Literal["criticality", "crma"], Query(description=dl.TABLE_DESCRIPTION)]
MaterialTable = Annotated[
    Literal["criticality", "concentration", "crma", "supply_shares"],
    Query(description=dl.TABLE_DESCRIPTION),
]
BomTable = Annotated[
    Literal["materials", "countries", "summary"], Query(description=dl.TABLE_DESCRIPTION)
]
ScenarioId = Annotated[
    int | None,
    Query(
        ge=1,
        le=2**31 - 1,
        description="a saved scenario you may read; none: the baseline (/api/v1/materials.{fmt})",
    ),
]
CONCENTRATION_METHOD = "HHI = Σ share² (fractions) per material, stage, source and year"
BOM_METHOD = "Bill-of-materials exposure (docs/methods/bom.md)"


@router.get("/materials.{fmt:download}", response_class=Response, responses=dl.OPENAPI)
def materials(
    request: Request, facts: FactsDep, fmt: dl.FormatParam, table: MaterialsTable = "criticality"
) -> Response:
    """The materials page: EU criticality of every material and stage (``criticality``, the
    EI × SR chart, every column) and the CRMA benchmark flags (``crma``)."""
    m = mp.overview(facts)
    prov = dl.facts_provenance(
        request,
        facts,
        ["criticality", "crma"],
        analysis="EU criticality and CRMA benchmarks",
        methods=[EU_METHOD, CRMA],
        parameters={},
        thresholds=m["thresholds"],
    )
    result = dl.result_of(
        {"criticality": facts.table("criticality"), "crma": facts.table("crma")},
        prov,
        {"criticality": dl.schema_of("criticality"), "crma": dl.schema_of("crma")},
    )
    return dl.respond(request, result, fmt, "materials", table=table)


def _whatif_result(request: Request, res: dict[str, Any], where: str) -> Result:
    inputs, _ = mp.criticality_inputs_for(request.app.state.settings.data_dir)
    scenario = res["scenario"]
    prov = dl.computed_provenance(
        request,
        analysis=f"what-if: {scenario.get('name') or where}",
        methods=[EU_METHOD],
        datasets=inputs.provenance,
        parameters={
            "scenario": where,
            "changes": scenario.get("changes"),  # the document run, as the scenario reads it
            "scenario_sha256": scenario.get("sha256"),
            "assessment_year": res["assessment_year"],
            "wgi_year": res["inputs"]["wgi_year"],
            "inputs": res["inputs"]["origin"],
        },
        thresholds=res["thresholds"],
        notes=[res.get("method", "")] if res.get("method") else [],
    )
    return dl.result_of(
        {"whatif": res["rows"], "status_changes": res["status_changes"]},
        prov,
        {"whatif": dl.schema_of("criticality")},
    )


@router.get("/materials/whatif.{fmt:download}", response_class=Response, responses=dl.OPENAPI)
async def whatif_saved(
    request: Request, fmt: dl.FormatParam, scenario: ScenarioId = None
) -> Response:
    """A saved what-if scenario (none: the baseline) run on the EU criticality method:
    baseline and scenario of
    every material and stage, with the deltas (``whatif``), and the materials whose critical
    status changes (``status_changes``, in the XLSX)."""
    if scenario is None:  # no scenario: the baseline, which the materials download holds
        return RedirectResponse(f"/api/v1/materials.{fmt}", status_code=307)
    item = saved_item_of(request, "scenario", scenario)
    doc = mp.saved_scenario_document(item.body, f"saved scenario {scenario}")
    where = f"saved scenario {scenario}"
    data_dir = request.app.state.settings.data_dir
    res = await run_in_threadpool(mp.run_whatif, data_dir, doc)
    result = await run_in_threadpool(_whatif_result, request, res, where)
    return dl.respond(request, result, fmt, dl.filename("whatif", "scenario", scenario))


@router.post(
    "/materials/whatif.{fmt:download}",
    response_class=Response,
    responses=dl.OPENAPI,
    openapi_extra=WHATIF_BODY,
)
async def whatif_posted(request: Request, fmt: dl.FormatParam) -> Response:
    """The what-if of ``POST /api/v1/materials/whatif`` (same JSON scenario document) as a
    file: every material and stage with baseline, scenario and deltas."""
    doc = await json_document(request)
    res = await run_in_threadpool(mp.run_whatif, request.app.state.settings.data_dir, doc)
    result = await run_in_threadpool(_whatif_result, request, res, "posted document")
    return dl.respond(request, result, fmt, "whatif")


@router.get("/materials/{material}.{fmt:download}", response_class=Response, responses=dl.OPENAPI)
def material(
    request: Request,
    facts: FactsDep,
    material: Material,
    fmt: dl.FormatParam,
    table: MaterialTable = "criticality",
) -> Response:
    """One material's tables, every row: the EU criticality recomputed next to the published
    values (``criticality``), stage concentration per source and year (``concentration``),
    the CRMA flags (``crma``) and every supplier's share per stage (``supply_shares``)."""
    d = mp.material_detail(facts, material)
    mat = d["material"]

    def rows(name: str):
        df = facts.table(name)
        return df[df["material"] == mat]

    names = ["criticality", "concentration", "crma", "criticality_shares"]
    prov = dl.facts_provenance(
        request,
        facts,
        names,
        analysis=f"material {mat}",
        methods=[EU_METHOD, CONCENTRATION_METHOD, CRMA],
        parameters={"material": mat},
        thresholds=d["thresholds"],
    )
    tables = {
        "criticality": rows("criticality"),
        "concentration": rows("concentration"),
        "crma": rows("crma"),
        "supply_shares": rows("criticality_shares"),
    }
    schema = {
        "criticality": dl.schema_of("criticality"),
        "concentration": dl.schema_of("concentration"),
        "crma": dl.schema_of("crma"),
        "supply_shares": dl.schema_of("criticality_shares"),
    }
    result = dl.result_of(tables, prov, schema)
    return dl.respond(request, result, fmt, dl.filename("material", mat), table=table)


def _bom_download(
    request: Request,
    res: dict[str, Any],
    s: Any,
    fmt: str,
    table: str,
    parameters: dict[str, Any],
    stem: str,
    notes: Sequence[str] = (),
) -> Response:
    """A BOM's exposure (``res``, on the supply basis ``s``) as a download; ``notes`` go
    first among the provenance's notes."""
    bom = res["bom"]
    prov = dl.computed_provenance(
        request,
        analysis=f"bill-of-materials exposure: {bom['system']}",
        methods=[BOM_METHOD, CRMA],
        datasets=s.datasets,
        parameters=parameters | {"supply_origin": s.origin},
        thresholds={"single_point_of_failure": res["single_point_of_failure_threshold"]},
        notes=[
            *notes,
            f"BOM {bom['file']}" + (" (illustrative)" if bom["illustrative"] else ""),
            *(f"BOM source {x['id']}: {x['citation']}" for x in bom["sources"]),
        ],
    )
    result = dl.result_of(
        {"materials": res["materials"], "countries": res["countries"], "summary": [res["summary"]]},
        prov,
        tuple(MATERIAL_COLUMNS.values()),
    )
    return dl.respond(request, result, fmt, stem, table=table)


UPLOAD_DOWNLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "description": "The BOM as a file (field 'file', as for POST "
                    "/api/v1/bom/exposure) or as text (field 'bom', with 'filename' and "
                    "'sha256': what the BOM page's download forms send)",
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A BOM in YAML (docs/methods/bom.md), at most 1 MB",
                        },
                        "bom": {
                            "type": "string",
                            "description": "Instead of 'file': the BOM's YAML text, at most "
                            "1 MB (line breaks counted as one byte)",
                        },
                        "filename": {
                            "type": "string",
                            "description": "With 'bom': the name of the file it was read from",
                        },
                        "sha256": {
                            "type": "string",
                            "description": "With 'bom': the SHA-256 of that file's bytes; the "
                            "provenance names it when it is the hash of the text (LF or CRLF "
                            "line breaks, with or without a UTF-8 byte-order mark), else the "
                            "hash of the text with LF line breaks",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/bom/exposure.{fmt:download}",
    response_class=Response,
    responses=dl.OPENAPI,
    openapi_extra=UPLOAD_DOWNLOAD_BODY,
)
async def bom_uploaded_exposure(
    request: Request,
    fmt: dl.FormatParam,
    supply: Supply = "eu_crm",
    table: BomTable = "materials",
) -> Response:
    """Exposure of your own BOM file, as ``POST /api/v1/bom/exposure`` computes it (same
    upload, limit and errors: 422 for an invalid BOM, 413 over the limit), as a file: per
    material (``materials``), per supplying country (``countries``) and the system's summary
    (``summary``). The BOM is the multipart field ``file`` or the text field ``bom`` (what
    the BOM page's download forms re-post). The provenance names the uploaded file and the
    SHA-256 of its bytes; nothing is stored."""
    data, filename, sha = await read_bom(request)
    s, res = await run_in_threadpool(upload_exposure, request, data, filename, supply)
    params = {"uploaded_bom": filename, "bom_sha256": sha, "supply": supply}
    note = f"BOM uploaded as the file {filename} (SHA-256 {sha}); not stored"
    stem = dl.filename("bom", "upload", PurePath(filename).stem, supply)
    return await run_in_threadpool(_bom_download, request, res, s, fmt, table, params, stem, [note])


@router.get("/bom/{name}/exposure.{fmt:download}", response_class=Response, responses=dl.OPENAPI)
def bom_exposure(
    request: Request,
    facts: FactsDep,
    name: BomName,
    fmt: dl.FormatParam,
    supply: Supply = "eu_crm",
    table: BomTable = "materials",
) -> Response:
    """Exposure of a packaged BOM: per material (``materials``), per supplying country
    (``countries``) and the system's summary (``summary``)."""
    s = mp.bom_supply(facts, request.app.state.settings.data_dir, supply)
    res = mp.packaged_bom_exposure(facts, name, s)
    params = {"bom": name, "supply": supply}
    return _bom_download(request, res, s, fmt, table, params, dl.filename("bom", name, supply))


SavedBom = Annotated[
    int | None,
    Query(
        ge=1,
        le=2**31 - 1,
        description="a saved BOM you may read; none: the list of packaged BOMs (bom/packaged)",
    ),
]


@router.get("/bom/exposure.{fmt:download}", response_class=Response, responses=dl.OPENAPI)
def bom_saved_exposure(
    request: Request,
    facts: FactsDep,
    fmt: dl.FormatParam,
    saved: SavedBom = None,
    supply: Supply = "eu_crm",
    table: BomTable = "materials",
) -> Response:
    """Exposure of a saved BOM (``/{lang}/bom?saved=ID``): per material (``materials``), per
    supplying country (``countries``) and the system's summary (``summary``). Without
    ``saved``: the packaged BOMs (``/api/v1/bom/packaged``), each downloadable at
    ``/api/v1/bom/{name}/exposure.{fmt}``."""
    if saved is None:
        prov = dl.computed_provenance(
            request,
            analysis="packaged bills of materials",
            methods=[BOM_METHOD],
            datasets=[],
            parameters={},
            notes=["each BOM's exposure: /api/v1/bom/{name}/exposure.{csv,xlsx,parquet}"],
        )
        boms = dl.result_of({"boms": mp.packaged_bom_list()}, prov)
        return dl.respond(request, boms, fmt, "boms_packaged")
    item = saved_item_of(request, "bom", saved)
    s = mp.bom_supply(facts, request.app.state.settings.data_dir, supply)
    res = mp.bom_exposure_from_text(item.body, f"saved BOM {saved}", s)
    params = {"saved_bom": saved, "name": item.name, "supply": supply}
    stem = dl.filename("bom", "saved", saved, supply)
    return _bom_download(request, res, s, fmt, table, params, stem)
