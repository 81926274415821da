"""Real data: the NQA-1 shares of ``ketenradar kansenkaart requirements`` from the TIMCAT
PWR12 median-experience accounts (the figures quoted in docs/methods/kansenkaart.md), checked
for civil works against the source file read independently; and the demand table's
work-package names.

Reads ``$KETENRADAR_SHARED_DATA``; skips when it is missing, except under CI, where it fails.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import require_shared
from typer.testing import CliRunner

from ketenradar.interfaces.cli.app import app
from ketenradar.modules.kansenkaart.names import work_package_names
from ketenradar.modules.kansenkaart.references import load_taxonomy

pytestmark = pytest.mark.realdata

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "kansenkaart"
TIMCAT = "nuclear_costs/timcat/head/PWR12_ME_inflated_reduced.csv"


@pytest.fixture(scope="module")
def shared() -> Path:
    require_shared("nuclear_costs")
    return require_shared()


@pytest.fixture(scope="module")
def shares(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("req_real") / "wp.csv"
    args = ["kansenkaart", "requirements", "--table", "work_packages"]
    args += ["--shared-data", str(shared), "--format", "csv", "--output", str(out)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    prov = json.loads(Path(f"{out}.provenance.json").read_text())
    assert any(TIMCAT in str(d.get("inputs")) for d in prov["datasets"])
    return pd.read_csv(out, comment="#").set_index("work_package")


def test_nqa1_shares_as_documented(shares):
    s = shares["nqa1_share"]
    for wp in ("reactor_vessel_internals", "steam_generators", "pumps", "piping"):
        assert s[wp] == pytest.approx(1.0, abs=1e-9)
    assert s["turbine_island"] == 0 and s["heat_rejection"] == 0
    assert s["civil_structures"] == pytest.approx(0.6405, abs=5e-4)
    assert s["valves"] == pytest.approx(0.9666, abs=5e-4)
    assert s["electrical"] == pytest.approx(0.1280, abs=5e-4)
    assert pd.isna(s["reactor_plant_equipment"]) and pd.isna(s["owner_costs"])
    assert shares.loc["engineering_construction_services", "flag_coverage"] < 0.01
    assert shares.loc["reactor_vessel_internals", "safety_class"] == "safety_related"


def _rows(shared: Path) -> list[dict[str, str]]:
    with (shared / TIMCAT).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_civil_share_from_the_file_read_independently(shares, shared):
    # A.21's items (without the excluded A.219 template): an account is a leaf when no other
    # code extends it; its flag is its own, else the nearest shorter code's that has one
    rows = [
        r
        for r in _rows(shared)
        if r["Account"].startswith("A.21") and not r["Account"].startswith("A.219")
    ]
    codes = [r["Account"].strip() for r in rows]
    flags = {r["Account"].strip(): r["NQA1"].strip() for r in rows}
    total = {r["Account"].strip(): float(r["Total Cost"].replace(",", "") or 0) for r in rows}
    leaves = [c for c in codes if not any(o != c and o.startswith(c) for o in codes)]
    nqa1 = flagged = 0.0
    for c in leaves:
        anc = [a for a in codes if c.startswith(a)]  # itself and its ancestors
        known = [a for a in sorted(anc, key=len, reverse=True) if flags[a] in ("0", "1")]
        if known:
            flagged += total[c]
            nqa1 += total[c] * int(flags[known[0]])
    assert flagged > 0
    assert shares.loc["civil_structures", "nqa1_share"] == pytest.approx(nqa1 / flagged, rel=1e-3)


def test_demand_rows_carry_the_work_package_name(shared, tmp_path):
    out = tmp_path / "dem.csv"
    args = ["kansenkaart", "demand", "--scenario", str(EXAMPLES / "timcat_pwr12_me.yaml")]
    args += ["--currency", "source", "--shared-data", str(shared), "--format", "csv"]
    r = CliRunner().invoke(app, [*args, "--output", str(out)])
    assert r.exit_code == 0, r.output
    dem = pd.read_csv(out, comment="#")
    names = work_package_names(load_taxonomy().work_packages, "en")
    assert (dem["work_package_name"] == dem["work_package"].map(names)).all()
    assert "Reactor vessel and internals" in set(dem["work_package_name"])
