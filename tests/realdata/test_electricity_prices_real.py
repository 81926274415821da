"""The electricity-price connectors on the real files in ``shared/data`` (issue 18, item 1):
Eurostat nrg_pc_205 (the newer TSV extract, the custom-spreadsheet export and the tidy CSV
derived from it) and Ember's monthly wholesale prices. The facts asserted are those of the
READMEs (``electricity_prices_eurostat/bands_IC_IG_2007_2025/README.md``,
``ember/README.md``) and values read from the files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import require_shared

from ketenradar import api
from ketenradar.datasets import open_store
from ketenradar.datasets.engine import read_table

pytestmark = pytest.mark.realdata

XLSX = "EUROSTAT_nrg_pc_205__custom_17738899_spreadsheet.xlsx"
TIDY = "nrg_pc_205_bandIC_tidy_DERIVED.csv"
TSV_DIR = "bands_IC_IG_2007_2025"
TSV = "nrg_pc_205_NL_DE_FR_BE_bands_IC_ID_IE_IF_IG_X_TAX_X_VAT_DERIVED.tsv"


@pytest.fixture(scope="module")
def eurostat() -> Path:
    return require_shared("electricity_prices_eurostat")


def _prices(paths: list[Path], data: Path, name: str) -> tuple[pd.DataFrame, object]:
    (rep,) = api.add_dataset("eurostat_prices", paths, data_dir=data, name=name)
    return read_table(open_store(data).get(name), "prices"), rep


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    return (a == b) | (a.isna() & b.isna())


def test_the_tsv_and_the_export_agree_except_the_revised_nl(eurostat: Path, tmp_path: Path) -> None:
    tsv, _ = _prices([eurostat / TSV_DIR / TSV], tmp_path, "tsv")
    xlsx, rep = _prices([eurostat / XLSX], tmp_path, "xlsx")
    assert rep.manifest.release == (
        "nrg_pc_205: export updated 27/04/2025 (extracted 14/08/2025) to 2024-S2"
    )
    assert len(xlsx) == 43 * 9 * 36  # geos × (3 tax levels × 3 currencies) × half-years
    assert sorted(tsv["geo"].unique()) == ["BE", "DE", "EU27_2020", "FR", "NL"]
    assert set(tsv["band"]) == {"IC", "ID", "IE", "IF", "IG"}
    # band IC X_VAT: the TSV holds it in national currency (= euro for these four), the
    # export in EUR; compare all 36 half-years 2007-S1 … 2024-S2
    t = tsv[(tsv["band"] == "IC") & (tsv["tax"] == "X_VAT") & (tsv["currency"] == "NAC")]
    e = xlsx[(xlsx["tax"] == "X_VAT") & (xlsx["currency"] == "EUR")]
    m = t.merge(e, on=["geo", "period"], suffixes=("_t", "_e"))
    m["same"] = _same(m["eur_per_kwh_t"], m["eur_per_kwh_e"])
    for geo in ("BE", "DE", "FR"):
        g = m[m["geo"] == geo]
        assert len(g) == 36 and g["same"].all(), geo
    nl = m[m["geo"] == "NL"].sort_values("period")
    assert len(nl) == 36
    assert nl[nl["period"] < "2017-S1"]["same"].all()  # identical 2007-S1 … 2016-S2
    differ = nl[~nl["same"]]
    assert len(differ) == 16 and differ["period"].min() == "2017-S1"  # revised from 2017-S1
    row = nl[nl["period"] == "2024-S2"].iloc[0]
    assert (row["eur_per_kwh_t"], row["eur_per_kwh_e"]) == (0.2110, 0.1983)


def test_x_vat_is_never_below_x_tax_and_the_2025_s2_values(eurostat: Path, tmp_path: Path) -> None:
    tsv, _ = _prices([eurostat / TSV_DIR], tmp_path, "tsv")
    v = tsv[tsv["tax"] == "X_VAT"]
    x = tsv[tsv["tax"] == "X_TAX"]
    j = v.merge(x, on=["geo", "band", "period"]).dropna(subset=["eur_per_kwh_x", "eur_per_kwh_y"])
    assert len(j) > 500
    assert (j["eur_per_kwh_x"] >= j["eur_per_kwh_y"]).all()
    s = tsv[(tsv["period"] == "2025-S2") & (tsv["tax"] == "X_VAT")]
    got = {(r.geo, r.band): r.eur_per_kwh for r in s.itertuples()}
    assert {g: got[(g, "IG")] for g in ("NL", "DE", "BE", "FR")} == {
        "NL": 0.0951,
        "DE": 0.1307,
        "BE": 0.0920,
        "FR": 0.0614,
    }
    assert {g: got[(g, "IE")] for g in ("NL", "DE", "BE", "FR")} == {
        "NL": 0.1166,
        "DE": 0.1595,
        "BE": 0.1311,
        "FR": 0.0853,
    }


def test_the_tidy_csv_is_the_export_without_flags(eurostat: Path, tmp_path: Path) -> None:
    xlsx, _ = _prices([eurostat / XLSX], tmp_path, "xlsx")
    tidy, _ = _prices([eurostat / TIDY], tmp_path, "tidy")
    key = ["geo", "band", "tax", "currency", "period"]
    m = xlsx.merge(tidy, on=key, suffixes=("_x", "_c"))
    assert len(m) == len(xlsx) == len(tidy) == 13_932
    assert _same(m["eur_per_kwh_x"], m["eur_per_kwh_c"]).all()
    assert tidy["flag"].isna().all() and xlsx["flag"].notna().sum() == 263
    assert {"EU27_2020", "EA", "EL", "UK", "XK", "TR"} <= set(xlsx["geo"])


def test_the_whole_folder_merges_with_the_newer_tsv_winning(eurostat: Path, tmp_path: Path) -> None:
    df, rep = _prices([eurostat], tmp_path, "all")
    nl = df[
        (df["geo"] == "NL")
        & (df["band"] == "IC")
        & (df["tax"] == "X_VAT")
        & (df["currency"] == "NAC")
        & (df["period"] == "2024-S2")
    ].iloc[0]
    assert (nl["eur_per_kwh"], nl["source"]) == (0.2110, TSV)
    assert any(w.startswith(f"16 value(s) differ between {XLSX} and {TSV}") for w in rep.warnings)
    assert rep.manifest.release.startswith("nrg_pc_205: TSV to 2025-S2; export updated 27/04/2025")


def test_ember_monthly_prices(tmp_path: Path) -> None:
    folder = require_shared("ember")
    (rep,) = api.add_dataset("ember", [folder], data_dir=tmp_path)
    df = read_table(open_store(tmp_path).get("ember"), "prices")
    assert df["country"].nunique() == 31  # README: 31 countries
    assert {"NLD", "DEU", "FRA", "BEL"} <= set(df["country"])
    assert df["month"].min() == pd.Timestamp("2015-01-01")
    assert df["month"].max() == pd.Timestamp("2025-12-01")
    assert len(df) == 3745 and df["month"].dt.day.eq(1).all()
    v = {(r.country, f"{r.month:%Y-%m}"): r.eur_per_mwh for r in df.itertuples()}
    # read from the file: NL in the first month and at the August 2022 peak, DE at the peak
    assert v[("NLD", "2015-01")] == 40.51
    assert v[("NLD", "2022-08")] == 447.25
    assert v[("DEU", "2022-08")] == 463.59
    assert v[("DEU", "2025-12")] == 96.0
    assert (df.groupby("country").size()[["NLD", "DEU", "FRA", "BEL"]] == 132).all()
    assert "6 month(s) without a price kept as NULL: MKD (6)" in rep.warnings
