"""The data page and its API: list datasets; add (upload) or fetch one in the background with
progress; remove one. Adding is for analysts and admins, fetching and removing for admins;
every change is written to the audit log."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ketenradar import api as core
from ketenradar.accounts import service
from ketenradar.errors import KetenradarError, UsageError
from ketenradar.sources.base import list_connectors
from ketenradar.web import data_page, live, pages
from ketenradar.web.auth import Admin, Analyst, client_of, db_of
from ketenradar.web.jobs import Job

api_router = APIRouter(prefix="/api/v1", tags=["data"])
page_router = APIRouter(include_in_schema=False)

#: Largest upload accepted (per request), and the chunk it is streamed to disk in.
MAX_UPLOAD_BYTES = 2 * 1024**3
CHUNK = 1024 * 1024
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def _data_dir(request: Request) -> Path:
    return request.app.state.settings.data_dir


def _after_change(app: Any, data_dir: Path, job: Job | None = None) -> str:
    """Rebuild the live facts from the store after it changed, so the pages show the new
    data; returns what happened (a failed rebuild leaves the previous facts serving)."""
    try:
        m = live.build(data_dir, progress=job.report if job else None)
    except KetenradarError as exc:
        note = f"facts not rebuilt: {exc}"
    else:
        tables = sorted((m or {}).get("tables", {}))
        note = f"facts rebuilt: {', '.join(tables)}" if tables else "no facts derivable"
    app.state.facts.refresh()
    return note


@api_router.get("/datasets")
def datasets(request: Request) -> dict[str, Any]:
    """Datasets behind the monitor: the starter pack's and the store's, with releases,
    licences and the sha256 of every input file; the connectors that can add more."""
    return data_page.datasets(request.app.state.facts, _data_dir(request))


def _stage(uploads: Path, files: list[UploadFile]) -> tuple[list[Path], Path]:
    """Copy the uploaded files into a new folder under ``uploads`` (names made safe), in
    chunks, refusing more than :data:`MAX_UPLOAD_BYTES` in all; the folder is removed when
    anything fails, so nothing half-written stays behind."""
    uploads.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix="upload-", dir=uploads))
    try:
        total = 0
        paths = []
        for f in files:
            name = SAFE_NAME.sub("_", Path(f.filename or "upload").name) or "upload"
            path = staged / name
            f.file.seek(0)
            with path.open("wb") as out:
                while chunk := f.file.read(CHUNK):
                    total += len(chunk)
                    if total > MAX_UPLOAD_BYTES:
                        raise UsageError(
                            f"upload larger than {MAX_UPLOAD_BYTES // 1024**3} GiB: load it "
                            "from the command line (`ketenradar data add`)"
                        )
                    out.write(chunk)
            paths.append(path)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return paths, staged


@api_router.post("/datasets", status_code=202)
async def add_dataset(
    request: Request,
    user: Analyst,
    source: Annotated[str, Form(max_length=40, description="connector: baci, eu_crm, …")],
    files: Annotated[list[UploadFile], File(description="the publisher's files")],
) -> dict[str, Any]:
    """Upload a publisher's files and add them as a dataset (analyst or admin), in the
    background: poll ``/api/v1/jobs/{id}``. A file that fails validation fails the job with
    the reasons, and the store stays as it was."""
    if source not in list_connectors():
        raise UsageError(
            f"unknown source '{source}' (known: {', '.join(sorted(list_connectors()))})"
        )
    if not files:
        raise UsageError("no file uploaded")
    # the copy to the staging folder runs in a worker thread: large files do not hold up the
    # event loop (and with it every other request)
    paths, staged = await run_in_threadpool(_stage, _data_dir(request) / "uploads", files)
    db, client, data_dir = db_of(request), client_of(request), _data_dir(request)
    app = request.app

    def work(job: Job) -> dict[str, Any]:
        try:
            reports = core.add_dataset(source, paths, data_dir=data_dir, progress=job.report)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
        names = [r.dataset for r in reports]
        for n in names:
            service.audit(db, user.username, "dataset_added", n, {"source": source}, client)
        return {"datasets": names, "facts": _after_change(app, data_dir, job)}

    job = request.app.state.jobs.submit("add", user.username, work)
    return job.public()


class FetchRequest(BaseModel):
    """A BACI release to download from CEPII and add."""

    release: str = Field("V202401b", pattern=r"^V\d{6}[a-z]?$", description="e.g. V202401b")
    hs: str = Field("HS92", pattern=r"^HS\d\d$", description="HS92, HS17, HS22, …")


@api_router.post("/datasets/fetch", status_code=202)
def fetch_dataset(request: Request, body: FetchRequest, user: Admin) -> dict[str, Any]:
    """Download a full BACI release (resumable, verified) and add it, in the background with
    progress (admin): poll ``/api/v1/jobs/{id}``. Needs internet (or
    ``KETENRADAR_BACI_BASE_URL`` pointing at a mirror)."""
    db, client, data_dir = db_of(request), client_of(request), _data_dir(request)
    app = request.app

    def work(job: Job) -> dict[str, Any]:
        res = core.fetch_baci(
            body.release,
            body.hs,
            data_dir=data_dir,
            progress=lambda done, total: job.report("download", done, total),
        )
        path = Path(res.path)
        reports = core.add_dataset("baci", [path], data_dir=data_dir, progress=job.report)
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
        facts = _after_change(app, data_dir, job)
        return {"datasets": names, "downloaded": str(path), "facts": facts}

    return request.app.state.jobs.submit("fetch", user.username, work).public()


@api_router.delete("/datasets/{name}", status_code=204)
def remove_dataset(
    request: Request, name: Annotated[str, PathParam(max_length=120)], user: Admin
) -> Response:
    """Remove a dataset from the store (admin); logged."""
    core.remove_dataset(name, data_dir=_data_dir(request))
    service.audit(db_of(request), user.username, "dataset_removed", name, None, client_of(request))
    _after_change(request.app, _data_dir(request))
    return Response(status_code=204)


@api_router.get("/jobs/{job_id}")
def job_state(
    request: Request, job_id: Annotated[str, PathParam(pattern=r"^[0-9a-f]{12}$")]
) -> dict[str, Any]:
    """A background job: state (queued, running, done, failed), step, progress, result or
    error."""
    return request.app.state.jobs.get(job_id).public()


@page_router.get("/{lang}/data", response_class=HTMLResponse)
def data_page_view(request: Request, lang: str) -> Response:
    """The data page."""
    lang = pages.check_lang(lang)
    d = data_page.datasets(request.app.state.facts, _data_dir(request))
    return pages.render(request, lang, "data.html", "data", d=d, footer=d["footer"])
