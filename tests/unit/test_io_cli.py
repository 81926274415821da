"""The ``io`` commands end to end on a small table in the OECD ICIO CSV layout, and bad input:
an unbalanced table or a forbidden negative is refused with the offender named, exit code 4,
and the store keeps what it had."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_io_parsers import icio_frame, write_icio
from typer.testing import CliRunner

from ketenradar.datasets import DataStore
from ketenradar.interfaces.cli.app import app


def run(data_dir: Path, *args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, ["--data-dir", str(data_dir), *args])
    return r.exit_code, r.output


@pytest.fixture
def good_csv(tmp_path: Path) -> Path:
    df, _ = icio_frame()
    return write_icio(df, tmp_path / "2022_SML.csv")


def test_load_exposure_shock_balance(data_dir: Path, good_csv: Path, tmp_path: Path):
    code, out = run(data_dir, "io", "load", "icio", str(good_csv))
    assert code == 0, out
    assert "3 regions × 2 sectors" in out and "balanced" in out
    csv = tmp_path / "e.csv"
    code, out = run(
        data_dir, "io", "exposure", "--economy", "NLD", "--format", "csv", "--output", str(csv)
    )
    assert code == 0, out
    df = pd.read_csv(csv)
    assert len(df) == 6 and (df["basis"] == "final_demand").all()
    # value added in NLD's final demand: v'(I - A)^-1 y_NLD, computed here with numpy; with
    # the taxes (TLS) embodied it adds up to NLD's final demand
    _, num = icio_frame()
    A = num["Z"] / num["x"][None, :]
    y = num["Y"][:, 1, :].sum(axis=1)
    q = np.linalg.solve(np.eye(6) - A, y)
    assert df["embodied_va_musd"].sum() == pytest.approx(num["va"] / num["x"] @ q)
    taxes = num["tls"] / num["x"] @ q
    assert df["embodied_va_musd"].sum() + taxes == pytest.approx(y.sum())
    code, out = run(data_dir, "io", "shock", "--supplier", "AUS", "--fall", "50%")
    assert code == 0, out
    assert "TOTAL" in out
    code, out = run(data_dir, "io", "balance", "--source", "icio", "--format", "csv")
    assert code == 0, out
    code, out = run(data_dir, "io", "check")
    assert code == 0 and "yes" in out  # ok: booleans read yes/no in the terminal


def test_unbalanced_table_refused_store_unchanged(data_dir: Path, good_csv: Path, tmp_path):
    assert run(data_dir, "io", "load", "icio", str(good_csv))[0] == 0
    before = DataStore(data_dir).get("icio").manifest.version
    df, _ = icio_frame()
    df.loc["NLD_A01", "OUT"] += 50.0
    df.loc["OUT", "NLD_A01"] += 50.0
    (tmp_path / "bad").mkdir()
    bad = write_icio(df, tmp_path / "bad" / "2022_SML.csv")
    code, out = run(data_dir, "io", "load", "icio", str(bad), "--name", "icio")
    assert code == 4
    assert "2022_SML.csv" in out and "row NLD_A01" in out and "residual 50" in out
    assert DataStore(data_dir).get("icio").manifest.version == before
    # and into an empty store: nothing is written at all
    empty = tmp_path / "empty"
    assert run(empty, "io", "load", "icio", str(bad))[0] == 4
    assert DataStore(empty).names() == []


def test_negative_household_consumption_refused(data_dir: Path, tmp_path: Path):
    df, _ = icio_frame()
    df.loc["AUS_A01", "NLD_HFCE"] -= 5000.0
    df.loc["AUS_A01", "NLD_INVNT"] += 5000.0  # row still balances
    path = write_icio(df, tmp_path / "2022_SML.csv")
    code, out = run(data_dir, "io", "load", "icio", str(path))
    assert code == 4
    assert "AUS_A01 -> NLD HFCE" in out


def test_unknown_economy_and_missing_table(data_dir: Path, good_csv: Path):
    code, out = run(data_dir, "io", "exposure", "--economy", "NLD")
    assert code == 3 and "io load icio" in out
    run(data_dir, "io", "load", "icio", str(good_csv))
    code, out = run(data_dir, "io", "exposure", "--economy", "NDL")
    assert code == 2 and "closest: NLD" in out
    code, out = run(data_dir, "io", "exposure", "--year", "2011")
    assert code == 3 and "years loaded: 2022" in out
    code, out = run(
        data_dir, "io", "shock", "--supplier", "AUS", "--industry", "C17", "--fall", "1"
    )
    assert code == 2 and "closest: C17_18" in out
