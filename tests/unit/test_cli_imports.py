"""The CLI modules import in any order (issue 14): ``cli.py`` and the ``cli_*`` modules used
to import each other, so importing a ``cli_*`` module first, ``python -m
ketenradar.interfaces.cli.app`` and Typer's CLI reference generator crashed with a circular
ImportError. Fresh processes, so that
nothing imported by another test hides the order."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GROUPS = ("data", "screen", "materials", "io", "bom", "users", "db")


def _python(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"}
    for k in ("KETENRADAR_DATA_DIR", "KETENRADAR_DEBUG", "FORCE_COLOR"):
        env.pop(k, None)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def _commands(help_text: str) -> set[str]:
    """The names in the first column of the help's command table."""
    return {line.split()[1] for line in help_text.splitlines() if line.startswith("│ ")}


@pytest.mark.parametrize(
    "module",
    [
        "modules.io.cli",
        "modules.materials.cli",
        "interfaces.cli.accounts",
        "interfaces.cli.common",
    ],
)
def test_command_module_imports_first(module: str, tmp_path: Path) -> None:
    res = _python("-c", f"import ketenradar.{module}", cwd=tmp_path)
    assert res.returncode == 0, res.stderr


def test_python_m_cli_help_lists_every_command(tmp_path: Path) -> None:
    res = _python("-m", "ketenradar.interfaces.cli.app", "--help", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert set(GROUPS) <= _commands(res.stdout), res.stdout


def test_python_m_cli_global_data_dir(tmp_path: Path) -> None:
    """Run as ``__main__``, the global ``--data-dir`` still reaches the commands (the state
    they share lives in ``cli_common``, not in the module run as a script)."""
    store = tmp_path / "store"
    res = _python(
        "-m",
        "ketenradar.interfaces.cli.app",
        "--data-dir",
        str(store),
        "data",
        "list",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    assert "No datasets in" in res.stdout and store.name in res.stdout, res.stdout


def test_typer_reference_generator(tmp_path: Path) -> None:
    res = _python(
        "-m",
        "typer",
        "ketenradar.interfaces.cli.app",
        "utils",
        "docs",
        "--name",
        "ketenradar",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    for name in GROUPS:
        assert f"`ketenradar {name}" in res.stdout, name


def test_help_loads_no_data_or_web_stack() -> None:
    """`ketenradar --help` answers without importing pandas, DuckDB, NumPy or the web stack."""
    code = (
        "import sys\n"
        "from ketenradar.interfaces.cli.app import app\n"
        "from typer.testing import CliRunner\n"
        "r = CliRunner().invoke(app, ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "heavy = ('pandas', 'duckdb', 'numpy', 'pyarrow', 'scipy', 'fastapi', 'sqlalchemy')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", f"--help imported {r.stdout.strip()}"
