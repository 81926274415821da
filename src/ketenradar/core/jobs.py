"""Long work started from the browser (dataset add and fetch) runs in the background.

A :class:`Jobs` registry runs one job at a time per application in a worker thread (the data
store takes a lock anyway) and keeps its state — what it is doing, how far along, the
result or the error — for ``GET /api/v1/jobs/{id}``, which the data page polls to draw its
progress bar. Jobs live in memory: a restart forgets finished jobs (and at most
``KETENRADAR_JOBS_KEPT`` finished ones are kept), and a job interrupted by
a restart leaves the store as it was (ingest writes a staged version and commits at the end).

A job can be cancelled (:meth:`Jobs.cancel`): a queued one never starts; a running one stops
at its next progress report, where :meth:`Job.report` raises :class:`JobCancelled` — the
store's ``stage()`` removes what was staged on any exception, so the store stays as it was.
What a job shows (its step, error and result) names files relative to the folders it was
given (the upload, the data dir), never the server's absolute paths (:func:`redact`).
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ketenradar.core.errors import ConflictError, ErrorCode, KetenradarError, NotFoundError
from ketenradar.core.settings import settings

log = logging.getLogger(__name__)

#: An absolute POSIX path (not part of a URL): the last component is kept.
_ABSOLUTE_PATH = re.compile(
    r"(?<![\w:/.~-])(?:/[^\s/'\"`,;:()\[\]<>]+)+/(?P<name>[^\s/'\"`,;:()\[\]<>]+)"
)


def redact(text: str, roots: Sequence[Path | str] = ()) -> str:
    """``text`` with paths under ``roots`` made relative to them and any other absolute path
    cut to its last component (a message for the browser: no server paths)."""
    for root in sorted((str(r).rstrip("/") for r in roots), key=len, reverse=True):
        if root:
            text = text.replace(root + "/", "")
    return _ABSOLUTE_PATH.sub(lambda m: m.group("name"), text)


def _redacted(value: Any, roots: Sequence[Path | str]) -> Any:
    if isinstance(value, str):
        return redact(value, roots)
    if isinstance(value, dict):
        return {k: _redacted(v, roots) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v, roots) for v in value]
    return value


class JobCancelled(KetenradarError):  # noqa: N818 (the name the connectors' docs use)
    """Raised from a job's progress report once the job was asked to stop."""

    code = ErrorCode.CANCELLED
    http_status = 409


#: The fields of a job the API shows.
PUBLIC_FIELDS = (
    "id",
    "kind",
    "owner",
    "state",
    "step",
    "done",
    "total",
    "result",
    "error",
    "cancellable",
    "cancel_requested",
    "started_at",
    "finished_at",
)


@dataclass
class Job:
    """The state of one background job, as the API reports it."""

    id: str
    kind: str
    owner: str
    state: str = "queued"  # queued | running | done | failed | cancelled
    step: str = ""
    done: int = 0
    total: int | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    cancellable: bool = True
    cancel_requested: bool = False
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    finished_at: str | None = None
    roots: tuple[Path, ...] = field(default=(), repr=False)
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    def report(self, step: str, done: int, total: int | None) -> None:
        """Progress callback: what is being done and how far along (``total`` may be None).
        Raises :class:`JobCancelled` once the job was cancelled (while it is cancellable)."""
        if self._cancel.is_set() and self.cancellable:
            raise JobCancelled(f"cancelled during: {self.step or step}")
        self.step, self.done, self.total = step, int(done), total

    def public(self) -> dict[str, Any]:
        """What the API returns (no server paths)."""
        return {n: _redacted(getattr(self, n), self.roots) for n in PUBLIC_FIELDS}


# Finished jobs are kept for their status up to the setting KETENRADAR_JOBS_KEPT (the oldest
# finished are forgotten beyond it), so a long-running server's job list does not grow without
# bound.


class Jobs:
    """The background jobs of one application."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._cleanups: dict[str, Callable[[], None]] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ketenradar-job")

    def _forget_finished(self) -> None:
        """Drop the oldest finished jobs beyond ``KETENRADAR_JOBS_KEPT`` (lock held)."""
        kept = settings().jobs_kept
        finished = [j for j in self._jobs.values() if j.state not in ("queued", "running")]
        for j in finished[: max(0, len(finished) - kept + 1)]:
            del self._jobs[j.id]

    def submit(
        self,
        kind: str,
        owner: str,
        work: Callable[[Job], dict[str, Any]],
        *,
        cleanup: Callable[[], None] | None = None,
        roots: Sequence[Path] = (),
    ) -> Job:
        """Queue ``work(job)``; it reports progress through ``job.report`` and returns the
        result; a project error becomes the job's ``error`` (its message, nothing more).

        ``cleanup`` runs once the job is over (done, failed or cancelled, also when it is
        cancelled before it started); ``roots`` are the folders the job's messages name
        files relative to."""
        job = Job(id=uuid.uuid4().hex[:12], kind=kind, owner=owner, roots=tuple(roots))
        with self._lock:
            self._forget_finished()
            self._jobs[job.id] = job
            if cleanup is not None:
                self._cleanups[job.id] = cleanup

        def run() -> None:
            with self._lock:
                if job.state != "queued":  # cancelled while queued
                    return
                job.state = "running"
            try:
                job.result = work(job)
                job.state = "done"
            except Exception as exc:
                if isinstance(exc, JobCancelled) or (job._cancel.is_set() and job.cancellable):
                    job.state, job.error = "cancelled", None
                elif isinstance(exc, KetenradarError):
                    job.error, job.state = str(exc), "failed"
                else:  # an unexpected failure: say what, keep the server up, log it
                    log.exception("job %s (%s) failed", job.id, job.kind)
                    job.error, job.state = f"unexpected error: {exc!r}", "failed"
            finally:
                self._finish(job)

        self._pool.submit(run)
        return job

    def _finish(self, job: Job) -> None:
        with self._lock:
            cleanup = self._cleanups.pop(job.id, None)
        try:
            if cleanup is not None:
                cleanup()
        except Exception:
            log.exception("cleaning up after job %s failed", job.id)
        finally:
            job.finished_at = job.finished_at or datetime.now(UTC).isoformat()

    def get(self, job_id: str) -> Job:
        """A job by id (404 when unknown)."""
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no job '{job_id}' (jobs are kept until the server restarts)")
        return job

    def cancel(self, job_id: str) -> Job:
        """Cancel a job: a queued one is cancelled at once (and never starts), a running one
        stops at its next progress report. A finished job, or one past the point where it
        writes its data (``cancellable`` false), cannot be cancelled (409)."""
        with self._lock:
            job = self.get(job_id)
            if job.state == "queued":
                job._cancel.set()
                job.cancel_requested = True
                job.state = "cancelled"
                queued = True
            elif job.state == "running":
                if not job.cancellable:
                    raise ConflictError(
                        f"job '{job_id}' can no longer be cancelled: its data is written "
                        f"({job.step or 'finishing'})"
                    )
                job._cancel.set()
                job.cancel_requested = True
                queued = False
            else:
                raise ConflictError(f"job '{job_id}' has already finished ({job.state})")
        if queued:
            self._finish(job)
        return job

    def wait(self, job_id: str, timeout: float = 60.0) -> Job:
        """Block until the job has finished (for tests and the CLI)."""
        end = time.monotonic() + timeout
        job = self.get(job_id)
        while (
            job.state in ("queued", "running") or job.finished_at is None
        ) and time.monotonic() < end:
            time.sleep(0.05)
        return job
