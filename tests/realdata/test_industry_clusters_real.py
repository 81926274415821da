"""Real data: every stationary Dutch installation of the real EUTL export
(``../shared/data/ets_eutl``) assigned to one of the five industrial clusters, cluster 6 or
``unassigned`` with the map data of ``../shared/data/geo/nl`` and the shipped cluster file.

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
from ketenradar.modules.industry.analysis.clusters import OTHER, UNASSIGNED
from ketenradar.modules.industry.api import clusters, emissions

pytestmark = pytest.mark.realdata

#: The Dutch Emissions Authority's published 2022 figure: 68.5 Mt (±0.05 Mt rounding).
NEA_2022_T = 68.5e6
TOLERANCE_T = 0.05e6
FIVE = ("Rotterdam-Moerdijk", "Noordzeekanaalgebied", "Noord-Nederland", "Zeeland/West-Brabant")
FIVE += ("Chemelot",)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = require_shared("ets_eutl")
    require_shared("geo/nl/woningwaardering")
    data = tmp_path_factory.mktemp("ets") / "store"
    api.add_dataset("ets_eutl", [folder], data_dir=data)
    return data


@pytest.fixture(scope="module")
def result(store: Path):
    return clusters(data_dir=store, shared=require_shared())


def test_every_installation_is_in_exactly_one_cluster_or_unassigned(store, result) -> None:
    inst = result.tables["installations"]
    table = read_table(open_store(store).get("ets_eutl"), "installations")
    stationary = table[(table["country"] == "NL") & ~table["is_aircraft_operator"]]
    per_year = emissions(by="installation", data_dir=store).tables["emissions"]
    assert inst["installation_id"].is_unique
    assert set(inst["installation_id"]) == set(stationary["installation_id"])
    assert set(per_year["installation_id"]) <= set(inst["installation_id"])
    assert len(inst) == 654
    counts = inst["cluster"].value_counts()
    assert set(counts.index) == {*FIVE, OTHER, UNASSIGNED}
    assert counts.sum() == len(inst)
    # the located ones have a municipality, COROP region and province; the others a reason
    located = inst[inst["cluster"] != UNASSIGNED]
    assert located[["municipality", "corop", "province"]].notna().all().all()
    assert (inst.loc[inst["cluster"] == UNASSIGNED, "basis"].str.len() > 0).all()
    assert inst["sector"].notna().all()


def test_the_unassigned_are_few_and_named(result) -> None:
    un = result.tables["unassigned"]
    # 30, all gas platforms at sea listed under offshore in the cluster file (their EUTL city
    # is the operator's office); no city string is left unresolved
    assert len(un) == 30
    assert un["basis"].str.startswith("offshore installation").all()
    assert "NL_204200" in set(un["installation_id"])  # Platform J6-A, city "Nvt"
    per = result.tables["clusters"].set_index(["year", "cluster"])
    assert per.loc[(2022, UNASSIGNED), "installations"] == 13
    assert per.loc[(2022, UNASSIGNED), "verified_t"] < 1e6  # under 1.5 % of the total


def test_2022_cluster_totals_add_up_to_the_national_total(result) -> None:
    per = result.tables["clusters"]
    y = per[per["year"] == 2022].set_index("cluster")
    assert abs(y["verified_t"].sum() - NEA_2022_T) <= TOLERANCE_T
    assert y["installations"].sum() == 330
    six = y.loc[[*FIVE, OTHER], "verified_t"].sum()
    assert six == pytest.approx(y["verified_t"].sum() - y.loc[UNASSIGNED, "verified_t"])
    assert abs(six - (NEA_2022_T - y.loc[UNASSIGNED, "verified_t"])) <= TOLERANCE_T
    # Rotterdam-Moerdijk is the largest cluster every year 2018–2022
    for year in range(2018, 2023):
        t = per[per["year"] == year].set_index("cluster")["verified_t"]
        assert t.idxmax() == "Rotterdam-Moerdijk", year


def test_known_installations(result) -> None:
    inst = result.tables["installations"].set_index("installation_id")
    assert inst.loc["NL_144", "cluster"] == "Noordzeekanaalgebied"  # Tata Steel IJmuiden
    assert inst.loc["NL_144", "municipality"] == "Velsen"
    assert inst.loc["NL_99", "cluster"] == "Rotterdam-Moerdijk"  # Shell Pernis
    assert inst.loc["NL_99", "city"] == "HOOGVLIET-ROTTERDAM"
    assert inst.loc["NL_107", "cluster"] == "Chemelot"
    assert inst.loc["NL_128", "cluster"] == "Zeeland/West-Brabant"  # Yara Sluiskil
    assert inst.loc["NL_128", "municipality"] == "Terneuzen"
    assert inst.loc["NL_241", "cluster"] == OTHER  # Eneco Lage Weide, Utrecht
    assert inst.loc["NL_204102", "municipality"] == "Eemsdelta"  # Spijk, by the cluster file


def test_the_coordinates_check_the_location_from_the_city(result) -> None:
    """The euets.info coordinates (642 of the 654 installations, the 29 platforms at sea left
    without: they geocode the office) against the COROP region the city gives: 598 agree;
    the 8 that do not are explained in docs/methods/industry.md (3 geocoded to Amsterdam
    though at the Vondelingenplaat, Rotterdam; 2 municipalities whose COROP region changed
    after 2015; 3 near a border). The five the check found (Den Hoorn, Katwijk NB, Rijswijk
    Gld, Afferden L, Elst Ut) are located by the cluster file and now agree."""
    inst = result.tables["installations"].set_index("installation_id")
    has = inst[inst["latitude"].notna()]
    assert len(has) == 613 and inst.loc["NL_144", "corop_at_coordinates"] == "IJmond"
    both = has[has["corop_at_coordinates"].notna() & has["corop"].notna()]
    differ = both[both["corop"] != both["corop_at_coordinates"]]
    assert len(both) == 606 and len(differ) == 8
    assert {"NL_189", "NL_426", "NL_207744"} <= set(differ.index)
    for iid, municipality in [
        ("NL_434", "Midden-Delfland"),
        ("NL_165", "Land van Cuijk"),
        ("NL_263", "Buren"),
        ("NL_272", "Bergen (L.)"),
        ("NL_276", "Rhenen"),
    ]:
        row = inst.loc[iid]
        assert row["municipality"] == municipality and row["corop"] == row["corop_at_coordinates"]
    assert inst.loc["NL_18", "basis"].startswith("offshore") and pd.isna(
        inst.loc["NL_18", "latitude"]
    )
    (note,) = [n for n in result.provenance.notes if n.startswith("coordinates")]
    assert "598 lie in the COROP region their city gives and 8 in another" in note


def test_cli_tables_and_a_bad_cluster_file(store: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ketenradar.interfaces.cli.app import app
    from ketenradar.modules.industry.cluster_map import DEFAULT

    runner = CliRunner()
    base = ["--data-dir", str(store), "industry", "clusters"]
    out = tmp_path / "un assigned.csv"
    r = runner.invoke(
        app, [*base, "--table", "unassigned", "--format", "csv", "--output", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "NL_204200" in out.read_text(encoding="utf-8")
    r = runner.invoke(app, [*base, "--year", "2022", "--format", "csv"])
    assert r.exit_code == 0 and "Noordzeekanaalgebied" in r.stdout
    # a copy of the shipped file with a municipality the map data does not know
    bad = tmp_path / "my clusters.yaml"
    bad.write_text(
        DEFAULT.read_text(encoding="utf-8").replace("[Amsterdam,", "[Amsterdamm,"),
        encoding="utf-8",
    )
    r = runner.invoke(app, [*base, "--clusters", str(bad)])
    assert r.exit_code == 4
    assert "clusters[1].municipalities[0]" in r.output and "Amsterdamm" in r.output
    r = runner.invoke(app, [*base, "--table", "companies"])
    assert r.exit_code == 2 and "--table" in r.output
