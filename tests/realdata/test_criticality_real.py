"""Real data: the project's own EU criticality against the published 2023 values, with the
import reliance computed from BACI trade and World Mining Data; the counts of
docs/methods/criticality.md's reproduction table come from here.

Reads ``$KETENRADAR_SHARED_DATA`` (default ``../shared/data``); skips when it is missing,
except under CI, where it fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, materials_store, require_shared

from ketenradar.datasets import DataStore
from ketenradar.modules.materials import assessment

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starter pack's sources: EU CRM, the WGI 2020 release alone, WMD, BACI raw materials."""
    return materials_store(tmp_path_factory.mktemp("criticality") / "store")


def _doc_table() -> dict[str, list[tuple[int, int]]]:
    text = (REPO / "docs" / "methods" / "criticality.md").read_text(encoding="utf-8")
    block = text.split("<!-- reproduction-table -->")[1].split("<!-- /reproduction-table -->")[0]
    rows: dict[str, list[tuple[int, int]]] = {}
    for line in block.splitlines():
        if line.startswith("| before") or line.startswith("| after"):
            key = line.split("|")[1].strip().split(":")[0]
            rows[key] = [(int(a), int(b)) for a, b in re.findall(r"(\d+) of (\d+)", line)]
    return rows


def test_reproduction_table_matches_the_code(store: Path):
    """The doc's before/after counts are what the code computes on the real data."""
    st = DataStore(store)
    doc = _doc_table()
    for key, compute_ir in (("before", False), ("after", True)):
        df = assessment.criticality_table(assessment.load_inputs(st, compute_ir=compute_ir))
        c = assessment.reproduction_counts(df)
        got = [
            (c["sr"]["within_10"], c["sr"]["n"]),
            (c["sr"]["within_20"], c["sr"]["n"]),
            (c["ei"]["within_10"], c["ei"]["n"]),
            (c["ei"]["within_20"], c["ei"]["n"]),
        ]
        assert got == doc[key], (key, got, doc[key])
    # computing IR must bring more materials within ±10 % than assuming 1
    assert doc["after"][0][0] > doc["before"][0][0]


def test_own_columns_are_not_the_published_ones(store: Path):
    """sr/ei/critical are computed; only the *_calibrated columns reproduce the published."""
    from ketenradar.modules.materials import api as mapi

    df = mapi.criticality(data_dir=store)
    ml = assessment.material_level(df).dropna(subset=["sr", "sr_published"])
    # the own SR is not a copy of the published SR
    assert (ml["sr"] - ml["sr_published"]).abs().gt(0.05).sum() > 20
    # the calibrated SR is, up to floating point
    cal = ml.dropna(subset=["sr_calibrated"])
    assert ((cal["sr_calibrated"] - cal["sr_published"]).abs() < 1e-9).all()
    both = df.dropna(subset=["critical_calibrated", "critical_published"])
    both = both.drop_duplicates("material")
    assert (both["critical_calibrated"] == both["critical_published"]).all()
    # no EI without end-use data in the own column (no back-fill from the published)
    no_end_use = df[df["sum_aq_meur"].isna() & df["ei_published"].notna()]
    assert len(no_end_use) > 10 and no_end_use["ei"].isna().all()
    # IR: computed from trade where the HS-code map covers the material
    co = df[df["material"] == "cobalt"].iloc[0]
    assert co["ir_source"] == "trade" and 0.9 < co["ir"] <= 1.0
    assert df[df["material"] == "gallium"]["ir_source"].iloc[0] == "assumed"
    prov = df.attrs["provenance"]
    assert any("SI_SR and SI_EI assumed" in n for n in prov["notes"])
    assert "one release" in prov["parameters"]["wgi_vintage"]


def test_import_reliance_from_the_raw_trade(store: Path):
    """Cobalt's IR recomputed by hand from the BACI CSVs and World Mining Data."""
    from ketenradar.core.groups import EU27

    shared = require_shared()
    eu = set(EU27)
    codes = pd.read_csv(shared / "baci_raw_materials_hs92" / "country_codes_V202401b.csv")
    iso = dict(zip(codes["country_code"], codes["country_iso3"], strict=True))
    imp = exp = 0.0
    for year in (2018, 2019, 2020):
        t = pd.read_csv(
            shared / "baci_raw_materials_hs92" / f"BACI_HS92_Y{year}_V202401b.csv",
            dtype={"k": str},
            na_values=["NA"],
        )
        t["k"] = t["k"].str.strip().str.zfill(6)
        t = t[t["k"].isin(["282200", "810510"])]
        i_eu = t["j"].map(iso).isin(eu)
        x_eu = t["i"].map(iso).isin(eu)
        imp += t.loc[i_eu & ~x_eu, "q"].fillna(0).sum()
        exp += t.loc[x_eu & ~i_eu, "q"].fillna(0).sum()
    irt, _ = assessment.load_import_reliance(DataStore(store))
    co = irt.set_index("material").loc["cobalt"]
    assert co["extra_eu_imports_t"] == pytest.approx(imp / 3, rel=1e-6)
    assert co["extra_eu_exports_t"] == pytest.approx(exp / 3, rel=1e-6)
    prod = co["eu_production_t"]
    assert co["ir_computed"] == pytest.approx((imp - exp) / 3 / (prod + (imp - exp) / 3))
    assert co["hs_codes"] == "282200;810510" and co["ir_years"] == "2018–2020"


def test_mixed_wgi_vintage_is_said(tmp_path: Path):
    """Loading wgi.db after the World Bank file mixes releases: provenance says which is where."""
    d = materials_store(tmp_path / "store", wgi_db=True, supply=False)
    from ketenradar.modules.materials import api as mapi

    df = mapi.criticality(data_dir=d)
    v = df.attrs["provenance"]["parameters"]["wgi_vintage"]
    assert "mixed releases" in v and "PV (political stability) from wgi.db" in v
    assert "2020_Worldwide_Governance_Indicators_1996-2019.csv" in v


def test_html_report_shows_the_scenario(store: Path, tmp_path: Path):
    """`materials criticality --scenario … --format html` draws and lists the scenario."""
    from typer.testing import CliRunner

    from ketenradar.interfaces.cli.app import app

    out = tmp_path / "tin.html"
    scen = REPO / "examples" / "scenarios" / "tin_export_restriction.yaml"
    args = ["--data-dir", str(store), "materials", "criticality", "--format", "html"]
    r = CliRunner().invoke(app, [*args, "--scenario", str(scen), "--output", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert 'id="scenario"' in text and "scenario (calibrated)" in text
    assert "Tin: becomes critical" in text
    base = tmp_path / "base.html"
    r = CliRunner().invoke(app, [*args, "--output", str(base)])
    assert r.exit_code == 0, r.output
    assert 'id="scenario"' not in base.read_text(encoding="utf-8")
    # headers are the schema's labels, not raw column names
    assert "Supply risk (SR), published" in text
