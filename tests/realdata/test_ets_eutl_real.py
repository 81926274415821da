"""Real data: the EU ETS (EUTL) export of every Dutch installation and the large-installation
table 2022–2025 (``../shared/data/ets_eutl``), through ``data add ets_eutl`` into a store.

Reads ``$KETENRADAR_SHARED_DATA``; skips when it is missing, except under CI, where it fails.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import require_shared

from ketenradar import api
from ketenradar.datasets import open_store
from ketenradar.datasets.engine import read_table
from ketenradar.modules.industry.api import emissions

pytestmark = pytest.mark.realdata

#: The Dutch Emissions Authority's published 2022 figure (shared data README): 68.5 Mt from
#: 330 installations. Tolerance: the published figure is rounded to 0.1 Mt, so ±0.05 Mt.
NEA_2022_T = 68.5e6
TOLERANCE_T = 0.05e6


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = require_shared("ets_eutl")
    data = tmp_path_factory.mktemp("ets") / "store"
    reports = api.add_dataset("ets_eutl", [folder], data_dir=data)
    assert [r.dataset for r in reports] == ["ets_eutl"] and reports[0].changed
    # the third-party joins and the euets.info compliance table are skipped, named in
    # warnings; the euets.info installation extract gives the coordinates
    skipped = [w for w in reports[0].warnings if w.startswith("skipped")]
    assert len(skipped) == 3 and any("_DERIVED" in w for w in skipped)
    assert any(w.startswith("skipped compliance.csv") for w in skipped)
    (located,) = [w for w in reports[0].warnings if w.startswith("installation.csv")]
    assert "coordinates for 1,108 of 1,133 stationary installations" in located  # NL and BE
    # the large table's 2022 agrees with the export (20 of 20): no disagreement warning
    assert not [w for w in reports[0].warnings if "disagree" in w]
    return data


def _tables(store: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    ds = open_store(store).get("ets_eutl")
    return read_table(ds, "installations"), read_table(ds, "emissions")


def test_dutch_total_2022_matches_the_nea(store: Path) -> None:
    df = emissions(data_dir=store).frame()
    row = df[df["year"] == 2022].iloc[0]
    assert abs(row["verified_t"] - NEA_2022_T) <= TOLERANCE_T, row["verified_t"]
    assert row["verified_t"] == 68_507_322
    assert row["installations"] == 330
    assert row["coverage"] == "all"
    # aircraft operators apart: their emissions are in a column of their own
    assert row["aircraft_operators"] > 0 and row["aircraft_verified_t"] > 1e6
    totals = dict(zip(df["year"], df["verified_t"], strict=True))
    assert round(totals[2018] / 1e6, 1) == 87.4 and round(totals[2020] / 1e6, 1) == 74.1


def test_coordinates_of_the_dutch_installations(store: Path) -> None:
    """642 of the 654 Dutch stationary installations have coordinates (the shared data's
    README: "geocoded lat/lon (642 of 654 NL installations)"), all inside the Netherlands'
    bounding box; Tata Steel IJmuiden's as the extract gives them."""
    inst, _ = _tables(store)
    loc = read_table(open_store(store).get("ets_eutl"), "locations").set_index("installation_id")
    nl = inst[(inst["country"] == "NL") & ~inst["is_aircraft_operator"]]
    here = loc.loc[loc.index.intersection(nl["installation_id"])]
    assert len(here) == 642
    assert here["latitude"].between(50.7, 53.6).all() and here["longitude"].between(3.3, 7.3).all()
    assert (loc.loc["NL_144", "latitude"], loc.loc["NL_144", "longitude"]) == (52.473869, 4.6205001)


def test_tata_steel_ijmuiden_2022(store: Path) -> None:
    inst, em = _tables(store)
    tata = inst[inst["installation_id"] == "NL_144"].iloc[0]
    assert tata["account_id"] == "NL-144" and "Tata Steel" in tata["name"]
    assert tata["company_reg_no"] and tata["permit_id"] and tata["postcode"]
    row = em[(em["installation_id"] == "NL_144") & (em["year"] == 2022)].iloc[0]
    assert row["verified_t"] == 5_822_618 and row["status"] == "verified"


def test_statuses_are_kept_never_zero(store: Path) -> None:
    _, em = _tables(store)
    excluded = em[em["status"] == "Excluded"]
    assert len(excluded) > 0 and len(em[em["status"] == "Not Reported"]) > 0
    assert excluded["verified_t"].isna().all()
    assert em.loc[em["status"] != "verified", "verified_t"].isna().all()
    assert em.loc[em["status"] == "verified", "verified_t"].notna().all()
    assert not em.duplicated(["installation_id", "year"]).any()


def test_aircraft_operators_apart(store: Path) -> None:
    inst, _em = _tables(store)
    nl = inst[inst["country"] == "NL"]
    air = nl[nl["is_aircraft_operator"]]
    assert len(air) == 41 and (air["activity_code"] == 10).all()
    assert len(nl) - len(air) == 654
    by_inst = emissions(by="installation", year=2022, data_dir=store).frame()
    assert not set(by_inst["installation_id"]) & set(air["installation_id"])
    assert len(by_inst[by_inst["status"] == "verified"]) == 330


def test_large_table_years_added(store: Path) -> None:
    shared = require_shared("ets_eutl/large_installations_2022_2025")
    large = pd.read_csv(next(shared.glob("*.csv")), dtype=str)
    _, em = _tables(store)
    for year in (2023, 2024, 2025):
        got = em[em["year"] == year].set_index("installation_id")
        want = large.dropna(subset=[f"verified_{year}_t"])
        assert set(got.index) == set(want["installation_id"])
        for _, r in want.iterrows():
            assert got.loc[r["installation_id"], "verified_t"] == float(r[f"verified_{year}_t"])
        assert got["source"].str.contains("nl_ets_large_installations").all()
    assert len(em[em["year"] == 2024]) == 24 and len(em[em["year"] == 2025]) == 24
    df = emissions(data_dir=store).frame()
    assert set(df.loc[df["coverage"] == "large only", "year"]) == {2023, 2024, 2025}


def test_agrees_with_the_third_party_long_table(store: Path) -> None:
    """A cross-check (not an input): the derived long table's numbers equal the parser's."""
    derived = pd.read_csv(
        require_shared("ets_eutl/derived/nl_ets_verified_emissions_long_DERIVED.csv"), dtype=str
    )
    derived["value"] = pd.to_numeric(derived["verified_emissions_raw"], errors="coerce")
    derived = derived.dropna(subset=["value"])
    derived["installation_id"] = "NL_" + derived["installation_id"]
    derived["year"] = derived["year"].astype(int)
    _, em = _tables(store)
    ours = em.dropna(subset=["verified_t"]).astype({"year": int})
    both = derived.merge(ours, on=["installation_id", "year"], how="inner")
    assert len(both) == len(derived) > 6000
    assert (both["value"] == both["verified_t"]).all()
    # the markers agree too: every 'Excluded' there is 'Excluded' here
    marked = pd.read_csv(
        require_shared("ets_eutl/derived/nl_ets_verified_emissions_long_DERIVED.csv"), dtype=str
    )
    marked = marked[marked["verified_emissions_raw"].isin(["Excluded", "Not Reported"])]
    keyed = em.set_index(["installation_id", "year"])["status"]
    for _, r in marked.iterrows():
        assert keyed[(f"NL_{r['installation_id']}", int(r["year"]))] == r["verified_emissions_raw"]
