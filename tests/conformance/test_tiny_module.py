"""A new module is one folder plus one entry-point line (docs/architecture.md).

``tests/fixtures/tiny_module`` holds the module ``ketenradar_tiny`` and its ``.dist-info``
(whose ``entry_points.txt`` is the one line). Put on the Python path, with no other change,
it gets a command, a page in the navigation, a fact table and the conformance suite. Real
processes, so that the registry is read fresh.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import write_country_dict, write_product_dict, write_trade

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests" / "fixtures" / "tiny_module"


def _run(*args: str, tiny: bool = True, env: dict[str, str] | None = None, **kw):
    e = {**os.environ, **(env or {})}
    if tiny:
        e["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TINY), e.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, *args], env=e, capture_output=True, text=True, cwd=REPO, **kw
    )


def _store(tmp_path: Path) -> Path:
    """A store with one small BACI dataset, loaded by the real command."""
    raw = tmp_path / "baci"
    raw.mkdir()
    write_country_dict(raw)
    write_product_dict(raw, ["260500"])
    write_trade(raw, 2022, [(2022, 156, 528, "260500", 100.0, 10.0)])
    store = tmp_path / "it's a store"
    res = _run("-m", "ketenradar", "--data-dir", str(store), "data", "add", "baci", str(raw))
    assert res.returncode == 0, res.stderr
    return store


def _declared_modules() -> set[str]:
    """The modules ketenradar itself declares: its entry-point lines in pyproject.toml."""
    with open(REPO / "pyproject.toml", "rb") as f:
        return set(tomllib.load(f)["project"]["entry-points"]["ketenradar.modules"])


def test_the_registry_sees_the_module_only_when_installed():
    code = (
        "import json; from ketenradar.core import modules; "
        "print(json.dumps([m.name for m in modules.modules()]))"
    )
    builtin = json.loads(_run("-c", code, tiny=False).stdout)
    assert set(builtin) == _declared_modules() and "tiny" not in builtin
    assert json.loads(_run("-c", code).stdout) == [*builtin, "tiny"]  # ranked last


def test_it_gets_a_command(tmp_path: Path):
    assert " tiny " in _run("-m", "ketenradar", "--help").stdout
    assert " tiny " not in _run("-m", "ketenradar", "--help", tiny=False).stdout
    store = _store(tmp_path)
    res = _run("-m", "ketenradar", "--data-dir", str(store), "tiny")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "trade_flows: 1"


def test_it_gets_a_page_in_the_navigation_and_a_fact_table(tmp_path: Path):
    store = _store(tmp_path)
    res = _run("-m", "ketenradar", "--data-dir", str(store), "facts", "build")
    assert res.returncode == 0, res.stderr
    code = f"""
import json
from fastapi.testclient import TestClient
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
c = TestClient(create_app(settings=WebSettings.from_env({str(store)!r})))
nl, en = c.get("/nl/tiny"), c.get("/en/tiny")
home = c.get("/nl/").text
facts = c.get("/api/v1/facts").json()
print(json.dumps({{"nl": [nl.status_code, nl.text], "en": [en.status_code, en.text],
    "nav": 'href="/nl/tiny"' in home, "tables": sorted(facts["tables"]),
    "api": c.get("/api/v1/tiny").json()}}))
"""
    res = _run("-c", code)
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    assert got["nl"][0] == got["en"][0] == 200
    assert "Gegevens per soort" in got["nl"][1] and "Datasets per kind" in got["en"][1]
    assert got["nav"]
    assert "tiny_kinds" in got["tables"] and "screening" in got["tables"]
    assert got["api"] == [{"kind": "trade_flows", "datasets": 1}]


def test_it_passes_the_conformance_suite():
    res = _run(
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/conformance/test_modules.py",
        "-k",
        "tiny",
        timeout=600,
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    summary = res.stdout.strip().splitlines()[-1]
    assert "failed" not in summary and "skipped" not in summary
    assert int(summary.split(" passed")[0].split()[-1]) >= 7, summary
