"""Routes of the materials area: one material, the what-if, bill-of-materials exposure.

JSON API (``/api/v1``): ``GET /materials/{material}``, ``POST /materials/whatif``,
``GET /bom/packaged``, ``GET /bom/{name}/exposure``, ``POST /bom/exposure`` (upload).
Pages: ``/{lang}/materials`` (EI × SR chart, CRMA flags and the what-if form, which posts to
the JSON API from ``static/materials_whatif.js``; ``?scenario=ID`` opens and runs a saved
scenario), ``/{lang}/materials/{material}`` and ``/{lang}/bom`` (``?saved=ID`` opens a saved
BOM).

Computing a what-if or an exposure saves nothing, so these endpoints are open like the read
endpoints (the POSTs still need the CSRF token). The what-if's JSON body (at most
``KETENRADAR_MAX_JSON_BYTES``) is parsed in a worker thread, not on the event loop. An
uploaded BOM is read into memory (at most ``KETENRADAR_MAX_BOM_BYTES``, enforced before the
body is read by :mod:`ketenradar.interfaces.web.guard`), validated and discarded, unless an
analyst asks to save it (the ``save`` field of the upload form): then it is stored as a saved
BOM once it has passed validation. Not saved, the page holds the file's text in the hidden
form its download buttons post to ``POST /api/v1/bom/exposure.{fmt}`` (:func:`read_bom`).
Saving a what-if goes through ``POST /api/v1/saved/scenario``.
"""

from __future__ import annotations

import codecs
import hashlib
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from ketenradar.core.errors import DataError, KetenradarError, PayloadTooLargeError, UsageError
from ketenradar.interfaces.web.api import FactsDep, json_document
from ketenradar.interfaces.web.auth import (
    db_of,
    item_json,
    saved_item_of,
    user_with_role,
)
from ketenradar.interfaces.web.errors import error_body
from ketenradar.interfaces.web.guard import FORM_OVERHEAD, human_size
from ketenradar.interfaces.web.pages import check_lang, render
from ketenradar.modules.materials.web import views as mp
from ketenradar.registry import service

api_router = APIRouter(prefix="/api/v1", tags=["materials"])
page_router = APIRouter(include_in_schema=False)

Material = Annotated[
    str,
    Path(
        description="Material id or name in any publisher's spelling (tin, Tin, 'Rare earths')",
        min_length=1,
        max_length=80,
    ),
]
BomName = Annotated[
    str, Path(description="A packaged BOM (see /api/v1/bom/packaged)", pattern=r"^[a-z0-9_]{1,60}$")
]
SavedId = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="a saved item you may read")]
Supply = Annotated[
    Literal["eu_crm", "usgs"],
    Query(
        description="eu_crm: EU CRM 2023 global supply shares per stage (works on a fresh "
        "install); usgs: USGS world production, latest year (needs a USGS dataset loaded)"
    ),
]

SCENARIO_EXAMPLE = {
    "name": "Tin export restrictions",
    "description": "t = 1.5 on tin from China and Indonesia; Myanmar's WGI at the bottom",
    "changes": [
        {"export_restriction": {"material": "tin", "country": "CHN", "t": 1.5}},
        {"export_restriction": {"material": "tin", "country": "IDN", "t": 1.5}},
        {"wgi": {"country": "MMR", "estimate": -2.5}},
    ],
}

WHATIF_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "A scenario document: name, description and a list of "
                    "changes (export_restriction, shift, wgi, recycling, parameters), as in "
                    "examples/scenarios/*.yaml",
                },
                "examples": {
                    "tin": {"summary": "tin export restrictions", "value": SCENARIO_EXAMPLE}
                },
            }
        },
    }
}

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A BOM in YAML (docs/methods/bom.md), at most 1 MB",
                        }
                    },
                }
            }
        },
    }
}


def _rejection(exc: BaseException) -> tuple[list[dict[str, Any]], int]:
    """What the BOM page shows for an error, and the status it answers with: the error's own
    (:func:`~ketenradar.interfaces.web.errors.error_body`); ``reason`` is the message without
    the location, which the page shows from the error's fields (node, line, field)."""
    body = error_body(exc)
    reason = exc.reason if isinstance(exc, DataError) else body.detail
    return [body.model_dump() | {"message": body.detail, "reason": reason}], body.status


def _max_bom(request: Request) -> int:
    return request.app.state.settings.max_bom_bytes


async def _read_upload(request: Request) -> tuple[bytes, str, Any]:
    """The ``file`` field of a multipart request; the request's size is bounded before it is
    read (:mod:`ketenradar.interfaces.web.guard`), the file's after."""
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("multipart/form-data"):
        raise UsageError("send the BOM as multipart/form-data with the file in the field 'file'")
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise UsageError("no file: send the BOM in the multipart field 'file'", field="file")
    data = await upload.read(_max_bom(request) + 1)
    if len(data) > _max_bom(request):
        raise PayloadTooLargeError(
            f"the file is larger than {human_size(_max_bom(request))}",
            file=mp.clean_filename(upload.filename),
        )
    return data, mp.clean_filename(upload.filename), form


async def read_bom(request: Request) -> tuple[bytes, str, str]:
    """The BOM of a download's request (``POST /api/v1/bom/exposure.{fmt}``): the ``file``
    field, read and checked as :func:`_read_upload` reads the upload of
    ``POST /api/v1/bom/exposure``, or the text field ``bom`` (the BOM page's download forms
    re-post an uploaded file's text, with its name in ``filename`` and the SHA-256 of its
    bytes in ``sha256``). Returns the bytes, the shown file name and the bytes' SHA-256.

    A form's text comes with CRLF line breaks (browsers send them so) and without the file's
    byte-order mark: its line breaks are read as LF and its size counted so (at most
    ``KETENRADAR_MAX_BOM_BYTES``, as the file's); its SHA-256: :func:`_text_sha256`."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        # the guard bounds the whole body (BOM limit + FORM_OVERHEAD); no part is larger
        limit = _max_bom(request) + FORM_OVERHEAD
        form = await request.form(max_files=1, max_fields=10, max_part_size=limit)
        text = form.get("bom")
        if isinstance(text, str):
            if form.get("file") is not None:
                raise UsageError(
                    "send the BOM in one field: 'file' (the file) or 'bom' (its text)", field="bom"
                )
            name = form.get("filename")
            filename = mp.clean_filename(name if isinstance(name, str) else None)
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            data = text.encode("utf-8")
            if len(data) > _max_bom(request):
                raise PayloadTooLargeError(
                    f"the file is larger than {human_size(_max_bom(request))}", file=filename
                )
            claimed = form.get("sha256")
            claimed = claimed.strip().lower() if isinstance(claimed, str) else ""
            return data, filename, await run_in_threadpool(_text_sha256, text, claimed)
    data, filename, _ = await _read_upload(request)
    return data, filename, await run_in_threadpool(lambda: hashlib.sha256(data).hexdigest())


def _text_sha256(text: str, claimed: str) -> str:
    """The SHA-256 of the file a form's ``text`` (line breaks as LF) came from: ``claimed``
    when it is the hash of the text written with LF or CRLF line breaks, with or without a
    UTF-8 byte-order mark, else the hash of the text with LF line breaks in UTF-8."""
    for newline in ("\n", "\r\n"):
        body = text.replace("\n", newline).encode("utf-8")
        for mark in (b"", codecs.BOM_UTF8):
            sha = hashlib.sha256(mark + body).hexdigest()
            if sha == claimed:
                return sha
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def upload_exposure(
    request: Request, data: bytes, filename: str, supply: str
) -> tuple[mp.BomSupply, dict[str, Any]]:
    """The exposure of an uploaded BOM (``data``, named ``filename``) on the supply basis
    ``supply``, and that basis (its datasets, for a download's provenance); nothing stored."""
    facts = request.app.state.facts
    s = mp.bom_supply(facts, request.app.state.settings.data_dir, supply)
    text = mp.decode_upload(data, _max_bom(request), filename)
    return s, mp.bom_exposure_from_text(text, filename, s)


def _upload_exposure(request: Request, data: bytes, filename: str, supply: str) -> dict[str, Any]:
    return upload_exposure(request, data, filename, supply)[1]


# --------------------------------------------------------------------------------------------
# JSON API (specific routes before the catch-all /materials/{material})


@api_router.get("/materials")
def materials(facts: FactsDep) -> dict[str, Any]:
    """EU criticality per material and stage, with the thresholds, and the CRMA flags."""
    return mp.overview(facts)


@api_router.post("/materials/whatif", openapi_extra=WHATIF_BODY)
async def materials_whatif(request: Request) -> Any:
    """What-if on the EU criticality method: baseline and scenario per material and stage.

    Returns the deltas of SR and EI, which rows changed and which materials change critical
    status. Inputs: the user's store when it holds an EU CRM and a WGI dataset, else the
    starter pack. An invalid scenario gets 422 with the reasons (the change, field and, for an
    unknown material or country, the closest names). Nothing is saved. The body is JSON
    (at most ``KETENRADAR_MAX_JSON_BYTES``, default 1 MB; over it 413).
    """
    doc = await json_document(request)  # parsed in a worker thread
    # cached and rationed: see materials_page.run_whatif (429 when too many at once)
    return await run_in_threadpool(mp.run_whatif, request.app.state.settings.data_dir, doc)


@api_router.get("/materials/{material}")
def material(facts: FactsDep, material: Material) -> dict[str, Any]:
    """One material: stage concentration per source and year, CRMA flags, and the EU
    criticality recomputed next to the published 2023 values (implied factors, notes).
    An unknown material gets 404 with the closest known names."""
    return mp.material_detail(facts, material)


@api_router.get("/bom/packaged")
def bom_packaged() -> list[dict[str, Any]]:
    """The bills of materials shipped with ketenradar (all illustrative: order-of-magnitude
    estimates from cited sources, not measured data)."""
    return mp.packaged_bom_list()


@api_router.get("/bom/{name}/exposure")
def bom_packaged_exposure(
    request: Request, facts: FactsDep, name: BomName, supply: Supply = "eu_crm"
) -> dict[str, Any]:
    """Exposure of a packaged BOM: per material concentration (HHI), governance risk (WGI),
    the CRMA 65 % single-supplier flag; per supplying country the system's exposure."""
    s = mp.bom_supply(facts, request.app.state.settings.data_dir, supply)
    return mp.packaged_bom_exposure(facts, name, s)


@api_router.post("/bom/exposure", openapi_extra=UPLOAD_BODY)
async def bom_upload_exposure(request: Request, supply: Supply = "eu_crm") -> Any:
    """Exposure of your own BOM file (YAML, docs/methods/bom.md; multipart field ``file``,
    at most 1 MB). A file that fails validation gets 422 (code ``invalid_data``) with the
    reason and where it is (``file``, ``line``, ``field`` and ``node``, the path to the bad
    node); over the limit, 413. The file is not stored."""
    data, filename, _ = await _read_upload(request)
    return await run_in_threadpool(_upload_exposure, request, data, filename, supply)


# --------------------------------------------------------------------------------------------
# Pages


@page_router.get("/{lang}/materials", response_class=HTMLResponse)
def materials_page(request: Request, lang: str, scenario: SavedId = None) -> Response:
    """Critical raw materials: the EI × SR chart, the CRMA flags and the what-if form
    (``scenario``: a saved scenario to open and run)."""
    lang = check_lang(lang)
    m = mp.overview(request.app.state.facts)
    opened = None
    if scenario is not None:
        item = saved_item_of(request, "scenario", scenario)
        doc = mp.saved_scenario_document(item.body, f"saved scenario {scenario}")
        opened = item_json(item) | {"doc": doc}
    return render(
        request, lang, "materials.html", "materials", m=m, opened=opened, footer=m["footer"]
    )


@page_router.get("/{lang}/materials/{material}", response_class=HTMLResponse)
def material_page(request: Request, lang: str, material: Material) -> Response:
    """One material: reconciliation, stage concentration, supply shares, CRMA flags."""
    lang = check_lang(lang)
    d = mp.material_detail(request.app.state.facts, material)
    return render(request, lang, "material.html", "material", d=d, footer=d["footer"])


def _bom_page(
    request: Request,
    lang: str,
    *,
    name: str | None = None,
    supply: str = "eu_crm",
    result: dict[str, Any] | None = None,
    errors: list[dict[str, Any]] | None = None,
    uploaded: str | None = None,
    saved: dict[str, Any] | None = None,
    upload: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    footer = (result or {}).get("footer") or request.app.state.facts.footer(
        ["criticality_shares", "criticality_wgi"]
    )
    return render(
        request,
        lang,
        "bom.html",
        "bom",
        status_code=status_code,
        boms=mp.packaged_bom_list(),
        selected=name,
        supply=supply,
        result=result,
        errors=errors or [],
        uploaded=uploaded,
        saved=saved,
        upload=upload,
        max_mb=f"{_max_bom(request) / 1e6:g}",
        footer=footer,
    )


@page_router.get("/{lang}/bom", response_class=HTMLResponse)
def bom_page(
    request: Request,
    lang: str,
    name: Annotated[str | None, Query(pattern=r"^[a-z0-9_]{1,60}$")] = None,
    supply: Supply = "eu_crm",
    saved: SavedId = None,
) -> Response:
    """Bill-of-materials exposure: choose a packaged BOM, upload your own file, or open a
    saved one (``saved``)."""
    lang = check_lang(lang)
    if saved is not None:
        item = saved_item_of(request, "bom", saved)
        s = mp.bom_supply(request.app.state.facts, request.app.state.settings.data_dir, supply)
        try:
            result = mp.bom_exposure_from_text(item.body, f"saved BOM {saved}", s)
        except DataError as exc:
            errors, status = _rejection(exc)
            return _bom_page(request, lang, supply=supply, errors=errors, status_code=status)
        return _bom_page(request, lang, supply=supply, result=result, saved=item_json(item))
    if not name:
        return _bom_page(request, lang, supply=supply)
    try:
        s = mp.bom_supply(request.app.state.facts, request.app.state.settings.data_dir, supply)
        result = mp.packaged_bom_exposure(request.app.state.facts, name, s)
    except KetenradarError as exc:
        errors, status = _rejection(exc)
        return _bom_page(request, lang, name=name, supply=supply, errors=errors, status_code=status)
    return _bom_page(request, lang, name=name, supply=supply, result=result)


@page_router.post("/{lang}/bom", response_class=HTMLResponse)
async def bom_upload_page(request: Request, lang: str) -> Response:
    """The upload form: the page again, with the exposure or with the reasons for rejection."""
    lang = check_lang(lang)
    supply, filename = "eu_crm", None
    try:
        data, filename, form = await _read_upload(request)
        chosen = form.get("supply")
        supply = chosen if isinstance(chosen, str) and chosen in mp.SUPPLY_BASES else supply
        save = form.get("save") == "1"
        if save:  # refused before anything is computed or stored
            user = user_with_role(request, "analyst")
        result = await run_in_threadpool(_upload_exposure, request, data, filename, supply)
        saved = None
        if save:  # only a BOM that passed validation is stored
            name = form.get("save_name")
            name = name.strip()[:200] if isinstance(name, str) and name.strip() else None
            item = await run_in_threadpool(
                service.save_item,
                db_of(request),
                user,
                "bom",
                name or result["bom"]["system"][:200],
                mp.decode_upload(data, _max_bom(request)),
                form.get("private") == "1",
            )
            saved = item_json(item)
    except (KetenradarError, StarletteHTTPException) as exc:  # also the guard's 413
        errors, status = _rejection(exc)
        return _bom_page(
            request, lang, supply=supply, errors=errors, uploaded=filename, status_code=status
        )
    # not saved: nothing to link to, so the page's download forms re-post the file's text
    # (POST /api/v1/bom/exposure.{fmt}, read_bom), with its name and the SHA-256 of its bytes
    upload = None
    if saved is None:
        text = mp.decode_upload(data, _max_bom(request), filename)
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as read_bom reads it back
        sha = await run_in_threadpool(lambda: hashlib.sha256(data).hexdigest())
        upload = {"text": text, "filename": filename, "sha256": sha}
    return _bom_page(
        request,
        lang,
        supply=supply,
        result=result,
        uploaded=filename,
        saved=saved,
        upload=upload,
    )
