"""The data page and its API: list datasets; add (upload) or fetch one in the background with
progress; cancel such a job; remove a dataset. Adding is for analysts and admins, fetching
and removing for admins; a job is seen and cancelled by the one who started it (or an admin);
every change is written to the audit log.

An upload streams straight into a folder under ``<data dir>/uploads`` (no copy in ``$TMPDIR``)
within ``KETENRADAR_MAX_UPLOAD_BYTES``, enforced with the role before the body is read
(:mod:`ketenradar.interfaces.web.guard`)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ketenradar import api
from ketenradar.core.errors import (
    AuthError,
    KetenradarError,
    NotFoundError,
    UsageError,
)
from ketenradar.core.jobs import Job
from ketenradar.datasets.datastore import validate_name
from ketenradar.interfaces.web import data_page, pages, uploads
from ketenradar.interfaces.web.auth import (
    Admin,
    Analyst,
    client_of,
    db_of,
)
from ketenradar.registry import service
from ketenradar.registry.models import User
from ketenradar.results import live
from ketenradar.sources import ingest as core
from ketenradar.sources.base import list_connectors

api_router = APIRouter(prefix="/api/v1", tags=["data"])
page_router = APIRouter(include_in_schema=False)

JobId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{12}$")]

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["source", "files"],
                    "properties": {
                        "source": {
                            "type": "string",
                            "maxLength": 40,
                            "description": "connector: baci, eu_crm, …",
                        },
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "the publisher's files (all together at most "
                            "KETENRADAR_MAX_UPLOAD_BYTES, default 4 GiB)",
                        },
                    },
                }
            }
        },
    }
}


def _data_dir(request: Request) -> Path:
    return request.app.state.settings.data_dir


def _rebuild(app: Any, data_dir: Path, progress: Any = None) -> dict[str, Any]:
    """Rebuild the live facts from the store after it changed, so the pages show the new
    data: ``facts`` (what happened, in words), ``facts_rebuilt`` and ``fact_tables`` (the
    tables now derived from the store). A failed rebuild leaves the previous facts serving."""
    tables: list[str] = []
    try:
        m = live.build(data_dir, progress=progress)
    except KetenradarError as exc:
        note = f"facts not rebuilt: {exc}"
    else:
        tables = sorted((m or {}).get("tables", {}))
        note = f"facts rebuilt: {', '.join(tables)}" if tables else "no facts derivable"
    app.state.facts.refresh()
    return {"facts": note, "facts_rebuilt": bool(tables), "fact_tables": tables}


def _after_change(app: Any, data_dir: Path, job: Job | None = None) -> str:
    """:func:`_rebuild`, returning what happened in words."""
    return _rebuild(app, data_dir, job.report if job else None)["facts"]


#: The steps of "fetch a BACI release and rebuild the facts", as a job reports them.
FETCH_PHASES = ("download", "add", "facts")
#: The steps of "load a publisher's files from a server folder and rebuild the facts".
LOAD_PHASES = ("add", "facts")


def _phase(job: Job, n: int, done_phases: list[str], phases: tuple[str, ...] = FETCH_PHASES) -> Any:
    """The progress callback of phase ``n`` of ``phases`` (:data:`FETCH_PHASES`): its steps
    are shown as ``"2/3 add: parse …"``."""
    name = phases[n]
    done_phases.append(name)

    def report(step: str, done: int, total: int | None) -> None:
        job.report(f"{n + 1}/{len(phases)} {name}: {step}", done, total)

    return report


def submit_load(
    request: Request, user: User, source: str, files: list[Path], *, folder: Path
) -> Job:
    """Load a publisher's ``files`` (already checked, in ``folder`` on the server) into the
    store and rebuild the facts, as one background job in the phases :data:`LOAD_PHASES`
    (``"1/2 add: …"``, ``"2/2 facts: …"``); logged as ``dataset_added``. A file that fails
    validation fails the job with the reason and leaves the store as it was. Used by module
    pages that load a table from a server folder (the input-output page's ICIO button)."""
    db, client, data_dir = db_of(request), client_of(request), _data_dir(request)
    app = request.app

    def work(job: Job) -> dict[str, Any]:
        phases: list[str] = []
        reports = core.add_dataset(
            source, files, data_dir=data_dir, progress=_phase(job, 0, phases, LOAD_PHASES)
        )
        job.cancellable = False  # the data is written: the rest runs to the end
        names = [r.dataset for r in reports]
        for n in names:
            details = {"source": source, "folder": folder.name}
            service.audit(db, user.username, "dataset_added", n, details, client)
        facts = _rebuild(app, data_dir, _phase(job, 1, phases, LOAD_PHASES))
        return {"datasets": names, "phases": phases} | facts

    return app.state.jobs.submit("load", user.username, work, roots=(folder, data_dir))


@api_router.get("/datasets")
def datasets(request: Request) -> dict[str, Any]:
    """Datasets behind the monitor: the starter pack's and the store's, with releases,
    licences and the sha256 of every input file; the connectors that can add more."""
    return data_page.datasets(request.app.state.facts, _data_dir(request))


def _new_upload_folder(uploads_dir: Path) -> Path:
    uploads_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="upload-", dir=uploads_dir))


@api_router.post("/datasets", status_code=202, openapi_extra=UPLOAD_BODY)
async def add_dataset(request: Request, user: Analyst) -> dict[str, Any]:
    """Upload a publisher's files (multipart: ``source`` and ``files``) and add them as a
    dataset (analyst or admin), in the background: poll ``/api/v1/jobs/{id}``, cancel with
    ``POST /api/v1/jobs/{id}/cancel``. A file that fails validation fails the job with the
    reasons, and the store stays as it was. Send the CSRF token in the ``X-CSRF-Token``
    header; over ``KETENRADAR_MAX_UPLOAD_BYTES`` (default 4 GiB) → 413."""
    data_dir = _data_dir(request)
    staged = await run_in_threadpool(_new_upload_folder, data_dir / "uploads")
    try:
        received = await uploads.receive_files(request, staged, "files")
        source = received.fields.get("source", "").strip()
        if source not in list_connectors():
            known = ", ".join(sorted(list_connectors()))
            raise UsageError(
                f"unknown source '{source[:40]}' (known: {known})"
                if source
                else f"no source: say which connector reads the files ({known})",
                field="source",
            )
        if not received.files:
            raise UsageError("no file uploaded", field="files")
    except BaseException:  # also a cancelled request: nothing half-written stays behind
        shutil.rmtree(staged, ignore_errors=True)
        raise
    paths = received.files
    db, client = db_of(request), client_of(request)
    app = request.app

    def work(job: Job) -> dict[str, Any]:
        reports = core.add_dataset(source, paths, data_dir=data_dir, progress=job.report)
        job.cancellable = False  # the data is written: the rest runs to the end
        names = [r.dataset for r in reports]
        for n in names:
            service.audit(db, user.username, "dataset_added", n, {"source": source}, client)
        return {"datasets": names, "facts": _after_change(app, data_dir, job)}

    job = request.app.state.jobs.submit(
        "add",
        user.username,
        work,
        cleanup=lambda: shutil.rmtree(staged, ignore_errors=True),
        roots=(staged, data_dir),
    )
    return job.public()


class FetchRequest(BaseModel):
    """A BACI release to download from CEPII and add."""

    release: str = Field("V202401b", pattern=r"^V\d{6}[a-z]?$", description="e.g. V202401b")
    hs: str = Field("HS92", pattern=r"^HS\d\d$", description="HS92, HS17, HS22, …")


@api_router.post("/datasets/fetch", status_code=202)
def fetch_dataset(request: Request, body: FetchRequest, user: Admin) -> dict[str, Any]:
    """Fetch a full BACI release and rebuild the facts, as one background job with progress
    (admin): download (resumable, verified), add it to the store, derive every fact table
    from the store; poll ``/api/v1/jobs/{id}`` (``step`` reads ``"1/3 download: …"``,
    ``"2/3 add: …"``, ``"3/3 facts: …"``). The result names the dataset, the fact tables now
    derived from the store (``fact_tables``) and the ``phases`` run. Cancellable until the
    dataset is written. Needs internet (or ``KETENRADAR_BACI_BASE_URL`` pointing at a
    mirror)."""
    db, client, data_dir = db_of(request), client_of(request), _data_dir(request)
    app = request.app

    def work(job: Job) -> dict[str, Any]:
        phases: list[str] = []
        res = core.fetch_baci(
            body.release,
            body.hs,
            data_dir=data_dir,
            progress=_phase(job, 0, phases),
        )
        path = Path(res.path)
        reports = core.add_dataset(
            "baci", [path], data_dir=data_dir, progress=_phase(job, 1, phases)
        )
        job.cancellable = False  # the data is written: the rest runs to the end
        names = [r.dataset for r in reports]
        for n in names:
            service.audit(
                db,
                user.username,
                "dataset_fetched",
                n,
                {"release": body.release, "hs": body.hs},
                client,
            )
        facts = _rebuild(app, data_dir, _phase(job, 2, phases))
        return {"datasets": names, "downloaded": path.name, "phases": phases} | facts

    return request.app.state.jobs.submit("fetch", user.username, work, roots=(data_dir,)).public()


@api_router.delete("/datasets/{name}", status_code=204)
def remove_dataset(
    request: Request, name: Annotated[str, PathParam(max_length=120)], user: Admin
) -> Response:
    """Remove a dataset from the store (admin); logged."""
    validate_name(name)  # a name that cannot be a dataset (a NUL byte, a path) is a 400
    core.remove_dataset(name, data_dir=_data_dir(request))
    service.audit(db_of(request), user.username, "dataset_removed", name, None, client_of(request))
    _after_change(request.app, _data_dir(request))
    return Response(status_code=204)


def _job_of(request: Request, job_id: str) -> Job:
    """The job ``job_id`` if the signed-in user started it or is an admin: else 401 for
    nobody signed in, 404 for another user (whether the job exists is not revealed)."""
    user: User | None = request.state.user
    if user is None:
        raise AuthError("sign in first: a job is shown to the one who started it")
    job = request.app.state.jobs.get(job_id)
    if job.owner != user.username and not user.can("admin"):
        raise NotFoundError(f"no job '{job_id}' of yours")
    return job


@api_router.get("/jobs/{job_id}")
def job_state(request: Request, job_id: JobId) -> dict[str, Any]:
    """A background job you started (admins: any): state (queued, running, done, failed,
    cancelled), step, progress, result or error; file names relative to the upload."""
    return _job_of(request, job_id).public()


@api_router.post("/jobs/{job_id}/cancel", status_code=202)
def cancel_job(request: Request, job_id: JobId, user: Analyst) -> dict[str, Any]:
    """Cancel a job you started (analysts; admins: any job). A queued job is cancelled at
    once; a running one stops at its next progress report and leaves the store as it was
    (state ``cancelled`` once it has stopped). A finished job, or one already writing its
    result, gets 409. Logged."""
    job = request.app.state.jobs.cancel(_job_of(request, job_id).id)
    service.audit(
        db_of(request),
        user.username,
        "job_cancelled",
        f"job/{job.id}",
        {"kind": job.kind, "owner": job.owner},
        client_of(request),
    )
    return job.public()


@page_router.get("/{lang}/data", response_class=HTMLResponse)
def data_page_view(request: Request, lang: str) -> Response:
    """The data page."""
    lang = pages.check_lang(lang)
    facts = request.app.state.facts
    d = data_page.datasets(facts, _data_dir(request))
    # the served trade facts built with other thresholds than the settings: ask for a rebuild
    d["threshold_changes"] = facts.threshold_changes("screening", api.build_thresholds())
    return pages.render(request, lang, "data.html", "data", d=d, footer=d["footer"])
