"""Long work started from the browser (dataset add and fetch) runs in the background.

A :class:`Jobs` registry runs one job at a time per application in a worker thread (the data
store takes a lock anyway) and keeps its state — what it is doing, how far along, the
result or the error — for ``GET /api/v1/jobs/{id}``, which the data page polls to draw its
progress bar. Jobs live in memory: a restart forgets finished jobs, and a job interrupted by
a restart leaves the store as it was (ingest writes a staged version and commits at the end).
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from ketenradar.errors import KetenradarError, NotFoundError


@dataclass
class Job:
    """The state of one background job, as the API reports it."""

    id: str
    kind: str
    owner: str
    state: str = "queued"  # queued | running | done | failed
    step: str = ""
    done: int = 0
    total: int | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    finished_at: str | None = None

    def report(self, step: str, done: int, total: int | None) -> None:
        """Progress callback: what is being done and how far along (``total`` may be None)."""
        self.step, self.done, self.total = step, int(done), total

    def public(self) -> dict[str, Any]:
        """What the API returns."""
        return asdict(self)


class Jobs:
    """The background jobs of one application."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ketenradar-job")

    def submit(self, kind: str, owner: str, work: Callable[[Job], dict[str, Any]]) -> Job:
        """Queue ``work(job)``; it reports progress through ``job.report`` and returns the
        result; a project error becomes the job's ``error`` (its message, nothing more)."""
        job = Job(id=uuid.uuid4().hex[:12], kind=kind, owner=owner)
        with self._lock:
            self._jobs[job.id] = job

        def run() -> None:
            job.state = "running"
            try:
                job.result = work(job)
                job.state = "done"
            except KetenradarError as exc:
                job.error, job.state = str(exc), "failed"
            except Exception as exc:  # an unexpected failure: say what, keep the server up
                job.error = f"unexpected error: {exc!r}"
                job.state = "failed"
                traceback.print_exc()
            finally:
                job.finished_at = datetime.now(UTC).isoformat()

        self._pool.submit(run)
        return job

    def get(self, job_id: str) -> Job:
        """A job by id (404 when unknown)."""
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no job '{job_id}' (jobs are kept until the server restarts)")
        return job

    def wait(self, job_id: str, timeout: float = 60.0) -> Job:
        """Block until the job has finished (for tests and the CLI)."""
        end = time.monotonic() + timeout
        job = self.get(job_id)
        while job.state in ("queued", "running") and time.monotonic() < end:
            time.sleep(0.05)
        return job
