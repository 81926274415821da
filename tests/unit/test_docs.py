"""Docs stay complete: every command and every screening column is documented."""

from __future__ import annotations

import re
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


#: dotted names in the docs that are not Python objects: entry-point groups, the Parquet
#: metadata key of provenance, the default accounts database file
NOT_CODE = {
    "ketenradar.connectors",
    "ketenradar.dataset_kinds",
    "ketenradar.engines",
    "ketenradar.modules",
    "ketenradar.provenance",
    "ketenradar.db",
}


def test_every_python_name_in_the_docs_exists() -> None:
    """A dotted ``ketenradar.…`` name in README or docs/ imports (modules moved in issue 14:
    the docs must follow)."""
    import importlib

    missing = set()
    for page in [*sorted(DOCS.rglob("*.md")), DOCS.parent / "README.md"]:
        for m in re.finditer(r"ketenradar(?:\.[A-Za-z_]\w*)+", page.read_text()):
            name = m.group(0).rstrip(".")
            if name in NOT_CODE:
                continue
            parts = name.split(".")
            for i in range(len(parts), 0, -1):
                try:
                    obj = importlib.import_module(".".join(parts[:i]))
                except ImportError:
                    continue
                try:
                    for attr in parts[i:]:
                        obj = getattr(obj, attr)
                except AttributeError:
                    missing.add(f"{page.name}: {name}")
                break
    assert not missing, sorted(missing)
