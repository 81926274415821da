"""One progress protocol for all long work: downloads, ingestion, fact builds, shock batches.

A producer calls ``progress(stage, done, total)``: ``stage`` says in words what is being done
("download BACI_HS92_V202401b.zip", "screening NLD 2022"), ``done`` counts units of work and
``total`` is their number (``None`` while unknown). The CLI shows it as a Rich bar
(:func:`ketenradar.interfaces.cli.common.progress_bar`), a web job keeps it for its status
(:meth:`ketenradar.core.jobs.Job.report`), and tests record it.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["Progress", "Steps", "silent"]


class Progress(Protocol):
    """``progress(stage, done, total)``; ``total`` is ``None`` while unknown."""

    def __call__(self, stage: str, done: int, total: int | None, /) -> None: ...


def silent(stage: str, done: int, total: int | None) -> None:
    """A progress that shows nothing."""


class Steps:
    """Count steps of a known total and report each: ``step = Steps(3, progress); step("x")``."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.done, self.progress = total, 0, progress

    def __call__(self, stage: str) -> None:
        """One step done."""
        self.done += 1
        if self.progress is not None:
            self.progress(stage, self.done, self.total)
