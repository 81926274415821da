"""Docs stay complete: every command and every screening column is documented."""

from __future__ import annotations

from pathlib import Path

import typer

from ketenradar.interfaces.cli.app import app
from ketenradar.modules.trade.analysis.dependencies import SCREEN_COLUMNS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _commands(t: typer.Typer, prefix: str = "") -> list[str]:
    out = [f"{prefix}{c.name or c.callback.__name__}".strip() for c in t.registered_commands]
    for g in t.registered_groups:
        out += _commands(g.typer_instance, f"{prefix}{g.name} ")
    return out


def test_every_command_is_in_the_user_guide() -> None:
    guide = (DOCS / "guide.md").read_text()
    commands = _commands(app)
    assert "screen" in commands and "data add" in commands
    missing = [c for c in commands if f"`{c}" not in guide and f"ketenradar {c}" not in guide]
    assert missing == []


def test_every_screening_column_is_defined_in_the_method() -> None:
    method = (DOCS / "methods" / "dependencies.md").read_text()
    missing = [c for c in [*SCREEN_COLUMNS, "ecosystem"] if f"`{c}`" not in method]
    assert missing == []
