"""docs/results.md is the page scripts/generate_results_docs.py generates from the modules' column
schemas today: regenerate it (``python scripts/generate_results_docs.py``) after changing a
column, a label, a unit or a description."""

from __future__ import annotations

import difflib
import importlib.util
import subprocess
import sys
from pathlib import Path

from ketenradar.core import modules as registry

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "generate_results_docs.py"
PAGE = REPO / "docs" / "results.md"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_results_docs", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_results_page_is_the_generated_one() -> None:
    fresh = _generator().generate()
    committed = PAGE.read_text(encoding="utf-8")
    if committed != fresh:
        diff = "\n".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(), fresh.splitlines(), "committed", "generated", n=1
                )
            )[:40]
        )
        raise AssertionError(
            f"docs/results.md is out of date: run `python scripts/generate_results_docs.py`\n{diff}"
        )


def test_the_page_documents_every_column_of_every_fact_table() -> None:
    """Each table (fact tables and those computed on request) has its section, and each
    column a row with its English label and unit."""
    text = PAGE.read_text(encoding="utf-8")
    sections = text.split("\n### ")[1:]
    by_table = {s.split("\n", 1)[0]: s for s in sections}
    tables = {name: table for name, (_, table) in registry.fact_tables().items()}
    on_request = {
        f"{t.name} (computed on request)": t for m in registry.modules() for t in m.results
    }
    assert "io_shock (computed on request)" in on_request
    assert set(by_table) == set(tables) | set(on_request)
    for name, table in (tables | on_request).items():
        for column in table.columns:
            assert f"| `{column.name}` |" in by_table[name], f"{name}.{column.name}"
    screening = by_table["screening"]
    assert "| `imports_kusd` | Imports (thousand USD) | kUSD |" in screening


def test_check_mode_reports_a_stale_page(tmp_path: Path) -> None:
    """``--check`` exits 0 on the committed page and 1 (naming the command) on a stale one."""
    ok = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
    gen = _generator()
    gen.RESULTS_DOCS = tmp_path / "results.md"
    gen.RESULTS_DOCS.write_text("# stale\n", encoding="utf-8")
    assert gen.main(["--check"]) == 1
    assert gen.RESULTS_DOCS.read_text(encoding="utf-8") == "# stale\n"


def test_the_guide_and_the_readme_link_the_page() -> None:
    assert "](results.md)" in (REPO / "docs" / "guide.md").read_text(encoding="utf-8")
    assert "](docs/results.md)" in (REPO / "README.md").read_text(encoding="utf-8")
