"""Shared by the browser tests: where screenshots go."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # also in tests/conftest.py


def shot(page, name: str) -> Path:
    """Save a full-page screenshot of ``page`` as a test artefact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
