"""Real data: the OECD ICIO 2022 benchmark arrays and the 17 WIOD 2013 world tables.

Loads both through the CLI, checks every year's accounting identities, compares the
project's multipliers and embodied value added with pymrio's on every WIOD table, and runs
exposure, a shock scenario and the balance end to end from the CLI.

Reads ``$KETENRADAR_SHARED_DATA`` (default ``../shared/data``); skips when it is missing,
except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, pymrio_system, require_shared
from typer.testing import CliRunner

from ketenradar.core.errors import DataError
from ketenradar.datasets import DataStore
from ketenradar.datasets.iotable_store import read_table
from ketenradar.interfaces.cli.app import app
from ketenradar.modules.io import api as ioapi
from ketenradar.modules.io.analysis.model import IOModel

pytestmark = pytest.mark.realdata

WIOD_YEARS = list(range(1995, 2012))


def cli(*args: str) -> str:
    r = CliRunner().invoke(app, list(args))
    assert r.exit_code == 0, r.output
    return r.output


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shared = require_shared()
    d = tmp_path_factory.mktemp("io") / "store"
    out = cli("--data-dir", str(d), "io", "load", "icio", str(shared / "icio_oecd_2022"))
    assert "80 regions × 50 sectors" in out
    out = cli("--data-dir", str(d), "io", "load", "wiod", str(shared / "wiod_2013"))
    assert "41 regions × 35 sectors" in out and "1995" in out and "2011" in out
    return d


def test_every_year_balances_within_rounding(store: Path):
    ds = {d.name: d for d in DataStore(store).list(kind="io_table")}
    assert set(ds) == {"icio", "wiod2013"}
    wiod = ds["wiod2013"].manifest.attributes
    assert wiod["years"] == WIOD_YEARS and wiod["rounding_unit"] == 1.0
    for year, b in wiod["balance"].items():
        assert b["rows_or_columns_beyond_tolerance"] == 0, year
        assert b["forbidden_negative_final_demand_cells"] == 0, year
        # whole-million cells: rows miss their output by a little over 100 at most
        assert 50 < b["row_residual_max"] < 200, (year, b)
        assert b["total_residual_share"] < 1e-3
    icio = ds["icio"].manifest.attributes["balance"]["2022"]
    assert icio["rows_or_columns_beyond_tolerance"] == 0 and icio["row_residual_max"] < 1e-6
    check = ioapi.check(data_dir=store)
    assert len(check) == 18 and check["ok"].all()


def test_regional_wiod_table_is_rejected_by_name(tmp_path: Path):
    from ketenradar import api

    shared = require_shared("wiod_2013")
    with pytest.raises(DataError, match="regional"):
        api.add_dataset("wiod", [shared / "wiot_regional_2011.RData"], data_dir=tmp_path / "s")
    assert not (tmp_path / "s" / "datasets" / "wiod2013").exists()


@pytest.mark.parametrize("year", WIOD_YEARS)
def test_wiod_multipliers_and_embodied_va_equal_pymrio(store: Path, year: int):
    ds = ioapi.choose_table_dataset(DataStore(store), "wiod", year)
    t = read_table(ds, year)
    io = pymrio_system(t)
    io.calc_all()
    m = IOModel(t)
    L = io.L.to_numpy()
    # output multipliers (column sums of L) and value-added multipliers (v'L)
    np.testing.assert_allclose(m.output_multipliers(), L.sum(axis=0), rtol=1e-6)
    np.testing.assert_allclose(m.va_multipliers(), io.va.M.to_numpy()[0], rtol=1e-6)
    # value added of every country-industry embodied in NLD's final demand
    got = ioapi.exposure("NLD", source="wiod", year=year, data_dir=store)
    got = got.set_index(["source_country", "source_industry"])["embodied_va_musd"]
    yN = io.Y.loc[:, "NLD"].sum(axis=1).to_numpy()
    ref = io.va.S.to_numpy()[0] * (L @ yN)
    order = list(zip(t.index()["region"], t.index()["sector"], strict=True))
    scale = np.abs(ref).max()
    np.testing.assert_allclose(got.loc[order].to_numpy(), ref, rtol=1e-6, atol=1e-9 * scale)
    # value added in each region's final demand (pymrio's consumption-based account)
    from ketenradar.modules.io.analysis.balance import va_origin_destination

    M = va_origin_destination(m)
    cba = io.va.D_cba_reg.loc["va", t.regions].to_numpy()
    np.testing.assert_allclose(M.sum(axis=0), cba, rtol=1e-6)


def test_icio_exposure_csv_from_cli(store: Path, tmp_path: Path):
    out = tmp_path / "exp.csv"
    cli(
        *("--data-dir", str(store), "io", "exposure", "--economy", "NLD"),
        *("--source", "icio", "--year", "2022", "--format", "csv", "--output", str(out)),
    )
    df = pd.read_csv(out)
    assert {"source_country", "source_industry", "embodied_va_musd"} <= set(df.columns)
    assert len(df) == 4000 and (df["basis"] == "final_output").all()
    foreign = df[~df["domestic"]]
    assert foreign.iloc[0]["source_country"] == "NOR" and foreign.iloc[0]["source_industry"] == (
        "B06"
    )
    share = foreign["embodied_va_musd"].sum() / df["embodied_va_musd"].sum()
    assert 0.15 < share < 0.3  # foreign value added in the final output of Dutch industries
    assert (foreign["source_kind"] == "services").any()
    prov = (tmp_path / "exp.csv.provenance.json").read_text()
    assert "does not split final demand by destination" in prov


def test_icio_shock_scenario_end_to_end(store: Path, tmp_path: Path):
    scen = REPO / "examples" / "io" / "china_electronics.yaml"
    out = tmp_path / "shock.csv"
    cli(
        *("--data-dir", str(store), "io", "shock", "--scenario", str(scen)),
        *("--format", "csv", "--output", str(out)),
    )
    df = pd.read_csv(out)
    total = df[df["industry"] == "TOTAL"].iloc[0]
    rows = df[df["industry"] != "TOTAL"]
    assert len(rows) == 50
    assert total["output_loss_musd"] == pytest.approx(rows["output_loss_musd"].sum())
    assert (rows["output_loss_musd"] >= -1e-9).all()
    assert (rows["output_loss_share"].fillna(0) <= 1).all()
    # the figures docs/methods/input-output.md explains
    assert total["output_loss_musd"] == pytest.approx(3699, rel=0.01)
    assert total["va_loss_musd"] == pytest.approx(1515, rel=0.01)
    top = rows.sort_values("output_loss_musd", ascending=False)["industry"].head(2).tolist()
    assert top == ["F", "C28"]
    rel = rows.set_index("industry")["output_loss_share"]
    assert rel["C27"] == pytest.approx(0.020, abs=0.001)
    # first-order Ghosh counts the supplier's own feedback: never below the exact extraction
    g = ioapi.shock(
        "NLD",
        supplier="CHN",
        industries=("C26", "C27"),
        fall="50%",
        model_name="ghosh",
        data_dir=store,
    )
    assert g.iloc[0]["output_loss_musd"] >= total["output_loss_musd"]


def test_icio_ghosh_losses_above_output_are_capped(store: Path):
    """China's deliveries −100 % to China on the 2022 table: the first-order Ghosh model puts
    34 Chinese industries above their whole output (up to 216 %); the result caps them at
    100 %, marks them and says so; partial extraction stays below output unaided
    (docs/methods/input-output.md, "Losses above output")."""
    kw = {"supplier": "CHN", "fall": 1.0, "source": "icio", "data_dir": store}
    g = ioapi.shock("CHN", model_name="ghosh", **kw)
    rows = g[g["industry"] != "TOTAL"]
    assert int(rows["output_loss_capped"].sum()) == 34
    assert (rows["output_loss_musd"] <= rows["output_musd"] * (1 + 1e-12)).all()
    assert (rows.loc[rows["output_loss_capped"], "output_loss_share"] == 1.0).all()
    notes = g.attrs["provenance"]["notes"]
    assert any("34 industries above their output (up to 216%)" in n for n in notes), notes
    e = ioapi.shock("CHN", model_name="extraction", **kw)
    assert not e["output_loss_capped"].any()
    assert e.loc[e["industry"] != "TOTAL", "output_loss_share"].max() < 0.8


def test_icio_arrays_inactive_and_input_free_columns(store: Path):
    """The counts docs/methods/input-output.md gives for the benchmark arrays: 51 industries
    without output, 121 columns of A without any intermediate input (the 51 among them)."""
    shared = require_shared("icio_oecd_2022")
    arrays = np.load(shared / "bench_cache.npz")
    colsum = arrays["A"].sum(axis=0)
    assert int((colsum == 0).sum()) == 121
    t = read_table(ioapi.choose_table_dataset(DataStore(store), "icio", 2022), 2022)
    assert int((t.x == 0).sum()) == 51
    assert int((t.Z.sum(axis=0) == 0).sum()) == 121
    assert ((t.Z.sum(axis=0) == 0) | (t.x > 0)).all() and (t.Z.sum(axis=0)[t.x == 0] == 0).all()


def test_wiod_balance_and_exposure_views(store: Path):
    bal = ioapi.balance("NLD", source="wiod", year=2011, data_dir=store)
    assert len(bal) == 40
    deu = bal.set_index("partner").loc["DEU"]
    assert deu["importer_dependent_va_musd"] > 25_000  # German VA in Dutch final demand
    assert deu["balance_ratio_va"] == pytest.approx(
        deu["partner_dependent_va_musd"] / deu["importer_dependent_va_musd"]
    )
    summ = ioapi.exposure("NLD", source="wiod", year=2011, by="summary", data_dir=store).iloc[0]
    assert summ["basis"] == "final_demand"
    assert 0.25 < summ["foreign_va_share"] < 0.4
    assert 0.3 < summ["foreign_va_share_exports"] < 0.5
    eu = ioapi.exposure("EU27", source="wiod", year=2011, by="country", data_dir=store)
    assert "DEU" not in set(eu.loc[~eu["domestic"], "source_country"])
    ind = ioapi.exposure("NLD", source="wiod", year=2011, by="industry", data_dir=store)
    assert len(ind) == 35
    has_inputs = ind["intermediate_inputs_musd"] > 0  # c35, households as employers: none
    assert ind.loc[has_inputs, "foreign_input_share"].between(0, 1).all()
    assert ind.loc[~has_inputs, "foreign_input_share"].isna().all()
    links = ioapi.exposure("NLD", source="wiod", year=2011, by="link", top=20, data_dir=store)
    assert links["services_link"].any() and len(links) == 20
