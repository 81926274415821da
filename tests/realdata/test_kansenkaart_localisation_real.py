"""Real data: the localisation share of issue 17, item 6. The ACCERT/IAT large-reactor
localisation assumptions (``nuclear_costs/accert_2025/iat/lr_localization.csv``) recomputed
by hand from the file per country; the shares of a reference programme against a registry
built here (SQLite in ``tmp_path``), by hand from the demand per work package.

Reads ``$KETENRADAR_SHARED_DATA`` (default ``../shared/data``); skips when it is missing,
except under CI, where it fails.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from conftest import require_shared

from ketenradar.modules.kansenkaart import api
from ketenradar.modules.kansenkaart import suppliers as sp
from ketenradar.modules.kansenkaart.localisation import LR_FILE, accert_localisation
from ketenradar.registry import db

pytestmark = pytest.mark.realdata

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "kansenkaart"
DAY = date(2030, 6, 1)


@pytest.fixture(scope="module")
def shared() -> Path:
    require_shared("eedb")
    require_shared("nuclear_costs/accert_2025/iat")
    return require_shared()


def _cell(text: str) -> float:
    return float(text) if text else 0.0


def test_accert_assumptions_by_hand(shared: Path):
    rows, record = accert_localisation(shared)
    with (shared / LR_FILE).open(encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    cats = ("equipment", "material", "labor", "land", "catchall")
    total = sum(_cell(r["coa_breakdown"]) for r in table)
    poland = sum(
        _cell(r["coa_breakdown"])
        * sum(_cell(r[f"category_share_{c}"]) * _cell(r[f"poland_localization_{c}"]) for c in cats)
        for r in table
    )
    plant = {r["country"]: r["domestic_share"] for r in rows if r["work_package"] is None}
    assert set(plant) == {"korea", "china", "uae", "poland", "el_salvador"}
    assert plant["poland"] == pytest.approx(poland / total, rel=1e-12)
    assert 0.3 < plant["poland"] < 0.9
    # civil works (GNCOA 21) alone, by hand
    (r21,) = [r for r in table if r["account"] == "21"]
    local21 = sum(
        _cell(r21[f"category_share_{c}"]) * _cell(r21[f"poland_localization_{c}"]) for c in cats
    )
    (civil,) = [
        r for r in rows if r["country"] == "poland" and r["work_package"] == "civil_structures"
    ]
    assert civil["domestic_share"] == pytest.approx(local21)
    # the work packages' cost shares add up to the plant
    assert sum(r["cost_share"] for r in rows if r["country"] == "poland" and r["work_package"]) == (
        pytest.approx(1.0)
    )
    assert len(record["inputs"][0]["sha256"]) == 64


def test_programme_share_by_hand(shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    db.upgrade(url)
    reg = db.sessions(url)
    op = sp.Access.cli()
    scenario = EXAMPLES / "timcat_pwr12_me.yaml"
    empty = api.localisation(reg, op, scenario, as_of=DAY, shared=shared)
    shares = empty.frame("shares")
    computed = shares[shares["kind"] == "computed"]
    assert computed["share"].tolist() == [0.0, 0.0]
    targets = shares[shares["kind"] == "published target"]
    assert len(targets) == 4 and targets["source"].str.len().min() > 20
    # one supplier qualified for civil works (ISO 9001 is not enough: the table asks more)
    needed = api._match_inputs(None, None, "US")[0]["civil_structures"]
    sp.create_supplier(
        reg,
        op,
        sp.SupplierProfile(
            name="Civil Works (test)",
            province="Zeeland",
            capabilities=["civil_structures"],
            certifications=[sp.Certification(certificate=c) for c in needed],
        ),
    )
    sp.create_supplier(
        reg,
        op,
        sp.SupplierProfile(
            name="Valve Hopeful (test)", province="Zeeland", capabilities=["valves"]
        ),
    )
    res = api.localisation(reg, op, scenario, as_of=DAY, shared=shared)
    dem = api.demand(scenario, shared=shared).frame("demand")
    by_wp = dem.groupby("work_package")["total"].sum()
    total = float(by_wp.sum())
    now, later = res.frame("shares").query("kind == 'computed'")["share"].tolist()
    assert now == pytest.approx(by_wp["civil_structures"] / total)
    assert later == pytest.approx((by_wp["civil_structures"] + by_wp["valves"]) / total)
    assert 0 < now < later < 1
    poland = res.frame("shares")
    assert poland["label"].str.startswith("poland: applied to").sum() == 1
