"""Real data: the reconciliation of issue 17. For each reference design at its own size
(``examples/kansenkaart/<design>.yaml``), ``ketenradar kansenkaart demand --currency source``
returns the source table's amount at every account level (to the dollar: the sources round to
whole dollars), the schedule conserves each work package's total, every account carrying an
amount has a work package, and the provenance names the files with their sha256.

Reads ``$KETENRADAR_SHARED_DATA`` (default ``../shared/data``); skips when it is missing,
except under CI, where it fails.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import require_shared
from typer.testing import CliRunner

from ketenradar.interfaces.cli.app import app
from ketenradar.modules.kansenkaart.facts import ACCOUNT_COLUMN_NAMES, DEMAND_COLUMN_NAMES

pytestmark = pytest.mark.realdata

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "kansenkaart"
DESIGNS = ("eedb_pwr12_be", "timcat_pwr12_me", "accert_ap1000")


@pytest.fixture(scope="module")
def shared() -> Path:
    require_shared("eedb")
    require_shared("nuclear_costs")
    return require_shared()


def _run(shared: Path, out: Path, design: str, *extra: str) -> pd.DataFrame:
    args = ["kansenkaart", "demand", "--scenario", str(EXAMPLES / f"{design}.yaml")]
    args += ["--shared-data", str(shared), "--format", "csv", "--output", str(out), *extra]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    return pd.read_csv(out, dtype={"account": str, "parent": str})


@pytest.fixture(scope="module")
def runs(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("kansenkaart_real")
    out = {}
    for d in DESIGNS:
        acc = _run(shared, tmp / f"{d}_acc.csv", d, "--currency", "source", "--table", "accounts")
        dem = _run(shared, tmp / f"{d}_dem.csv", d, "--currency", "source")
        prov = json.loads(Path(f"{tmp / f'{d}_acc.csv'}.provenance.json").read_text())
        out[d] = {"accounts": acc, "demand": dem, "provenance": prov}
    return out


def _num(text: str) -> float:
    return float(text.strip().replace(",", ""))


@pytest.mark.parametrize("design", DESIGNS)
def test_every_account_level_equals_the_source(runs, design):
    acc = runs[design]["accounts"]
    assert list(acc.columns) == ACCOUNT_COLUMN_NAMES
    inc = acc[acc["excluded"].isna()]
    diff = (inc["total"] - inc["source_total"]).abs()
    assert (diff <= 1.0).all(), inc.loc[diff > 1.0, ["account", "source_total", "total"]]
    assert (acc["currency"] == ("USD2017" if design == "eedb_pwr12_be" else "USD2018")).all()


def test_totals_equal_the_files_read_independently(runs, shared):
    # PWR12-BE: account 2, total direct cost, from the file itself
    with (shared / "eedb/PWR12-BE_accounts.csv").open(encoding="utf-8") as f:
        be = {r["code_of_account"]: r["total_cost"] for r in csv.DictReader(f)}
    acc = runs["eedb_pwr12_be"]["accounts"].set_index("account")
    for code in ("2", "21", "22", "220A", "23", "24", "25", "26", "218"):
        assert acc.loc[code, "total"] == pytest.approx(_num(be[code]), abs=1.0)
    # TIMCAT PWR12 ME: A.1 = A.2 + A.9 and the README's figures
    acc = runs["timcat_pwr12_me"]["accounts"].set_index("account")
    assert acc.loc["A.1", "total"] == pytest.approx(5_619_716_739, abs=1.0)
    assert acc.loc["A.2", "total"] == pytest.approx(2_666_775_540, abs=1.0)
    assert acc.loc["A.9", "total"] == pytest.approx(2_952_941_200, abs=1.0)
    assert acc.loc["A.1", "site_labour_hours"] == pytest.approx(30_361_571, abs=2.0)
    assert acc.loc["A.2", "site_labour_hours"] == pytest.approx(21_989_571, abs=2.0)
    assert acc.loc["A.2", "factory_equipment"] == pytest.approx(1_179_404_610, rel=1e-3)
    assert acc.loc["A.219.", "excluded"].startswith("reactor shield building")
    # AP1000: every account of the file, and the direct costs 21-28
    with (shared / "nuclear_costs/accert_2025/crt/AP1000_baseline.csv").open(encoding="utf-8") as f:
        ap = {r["Account"]: _num(r["Total Cost (USD)"]) for r in csv.DictReader(f)}
    acc = runs["accert_ap1000"]["accounts"].set_index("account")
    assert set(ap) == set(acc.index)
    for code, total in ap.items():
        assert acc.loc[code, "total"] == pytest.approx(total, abs=1.0)
    direct = sum(v for k, v in ap.items() if k in {"21", "22", "23", "24", "25", "26", "28"})
    assert direct == pytest.approx(8.33e9, rel=2e-3)


@pytest.mark.parametrize("design", DESIGNS)
def test_schedule_conserves_each_work_package(runs, design):
    acc, dem = runs[design]["accounts"], runs[design]["demand"]
    assert list(dem.columns) == DEMAND_COLUMN_NAMES
    leaves = acc[acc["leaf"].astype(bool) & acc["excluded"].isna()]
    assert leaves["work_package"].notna().all()  # no account without a work package
    want = leaves.groupby("work_package")["total"].sum()
    got = dem.groupby("work_package")["total"].sum()
    assert set(got.index) == set(want.index[want != 0]) | set(got.index)
    for wp, total in want.items():
        assert got.get(wp, 0.0) == pytest.approx(total, rel=1e-9, abs=1e-3)
    roots = acc[acc["parent"].isna() & acc["excluded"].isna()]
    assert dem["total"].sum() == pytest.approx(roots["source_total"].sum(), abs=2.0)
    el = dem[["factory_equipment", "site_labour", "site_material", "unallocated"]].sum(axis=1)
    assert (el - dem["total"]).abs().max() < 1e-3


@pytest.mark.parametrize("design", DESIGNS)
def test_provenance_names_the_files_and_their_checksums(runs, shared, design):
    prov = runs[design]["provenance"]
    assert prov["analysis"] == "kansenkaart demand"
    assert prov["parameters"]["currency"] == "source"
    assert prov["parameters"]["scenario"]["units"][0]["design"] == design
    ds = next(d for d in prov["datasets"] if d["dataset"] == design)
    assert ds["inputs"] and ds["licence"] in ("MIT", "Apache-2.0")
    for f in ds["inputs"]:
        assert f["sha256"] == hashlib.sha256((shared / f["file"]).read_bytes()).hexdigest()
    xl = next(d for d in prov["datasets"] if d["dataset"] == "timcat_scaling_exponents")
    assert xl["read"] is True  # the exponents come from TIMCAT's workbook
    assert prov["parameters"]["scaling_exponents"][design]["21"] == 0.8


def test_euros_are_the_source_times_the_documented_factor(shared, tmp_path):
    acc = _run(
        shared,
        tmp_path / "eur.csv",
        "timcat_pwr12_me",
        "--currency",
        "EUR",
        "--price-year",
        "2024",
        "--table",
        "accounts",
    ).set_index("account")
    factor = 125.230 / 102.291 / 1.0824  # data/factors.yaml: D(2024)/D(2018)/(USD per EUR 2024)
    assert acc.loc["A.1", "total"] == pytest.approx(5_619_716_739 * factor, rel=1e-9)
    assert (acc["currency"] == "EUR2024").all()


def test_a_ten_reactor_programme_scales_and_learns(shared, tmp_path):
    units = "".join(
        f"  - {{design: timcat_pwr12_me, mwe: 1600, first_concrete_year: {2030 + i}}}\n"
        for i in range(10)
    )
    f = tmp_path / "ten.yaml"
    f.write_text(f"name: ten\nlearning_rate: 0.1\nunits:\n{units}", encoding="utf-8")
    args = ["kansenkaart", "demand", "--scenario", str(f), "--shared-data", str(shared)]
    args += ["--currency", "source", "--format", "csv", "--output", str(tmp_path / "t.csv")]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    dem = pd.read_csv(tmp_path / "t.csv")
    per_unit = dem.groupby("unit")["total"].sum()
    size = (1600 / 1144) ** 0.8  # every group of the EEDB system scales with 0.8
    assert per_unit["unit 1"] == pytest.approx(5_619_716_739 * size, rel=1e-9)
    assert per_unit["unit 2"] == pytest.approx(per_unit["unit 1"] * 0.9, rel=1e-9)
    assert per_unit["unit 4"] == pytest.approx(per_unit["unit 1"] * 0.81, rel=1e-9)


def test_xlsx_carries_the_provenance_and_the_column_labels(shared, tmp_path):
    import openpyxl

    out = tmp_path / "demand.xlsx"
    args = ["kansenkaart", "demand", "--scenario", str(EXAMPLES / "programme_nl_2x_pwr.yaml")]
    args += ["--shared-data", str(shared), "--format", "xlsx", "--output", str(out)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == ["demand", "provenance", "columns"]
    text = "\n".join(str(c) for row in wb["provenance"].iter_rows(values_only=True) for c in row)
    assert "timcat_pwr12_me" in text and "PWR12_ME_inflated_reduced.csv sha256" in text
    assert "unverified conversion factors" in text
