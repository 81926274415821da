"""Installations → industrial clusters (issue 18, item 2): the EUTL city-string normaliser,
the location lookup and the cluster rule on a table of known places written here, the
cluster file's validation, and the per-cluster sums.

The municipality lookup is the kansenkaart :class:`Regions` built by hand from the CBS names
and codes below (the real map data is exercised in tests/realdata/test_industry_clusters_real.py).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ketenradar.core.errors import DataError
from ketenradar.modules.industry import facts
from ketenradar.modules.industry.analysis import clusters as analysis
from ketenradar.modules.industry.analysis.clusters import (
    OTHER,
    UNASSIGNED,
    assign,
    assign_one,
    candidates,
    locate,
    per_cluster,
    sector,
)
from ketenradar.modules.industry.cluster_map import DEFAULT, load_cluster_map
from ketenradar.places.regions import Place, Regions, key, place_key

#: municipality, CBS code, COROP, COROP code, province, province code, current
MUNICIPALITIES = [
    ("Velsen", "GM0453", "IJmond", "CR21", "Noord-Holland", "PV27", True),
    ("Terneuzen", "GM0715", "Zeeuwsch-Vlaanderen", "CR31", "Zeeland", "PV29", True),
    ("Sittard-Geleen", "GM1883", "Zuid-Limburg", "CR39", "Limburg", "PV31", True),
    ("Eemsdelta", "GM1979", "Delfzijl en omgeving", "CR02", "Groningen", "PV20", True),
    ("Rotterdam", "GM0599", "Groot-Rijnmond", "CR29", "Zuid-Holland", "PV28", True),
    ("Moerdijk", "GM1709", "West-Noord-Brabant", "CR33", "Noord-Brabant", "PV30", True),
    ("Bergen op Zoom", "GM0748", "West-Noord-Brabant", "CR33", "Noord-Brabant", "PV30", True),
    ("Utrecht", "GM0344", "Utrecht", "CR17", "Utrecht", "PV26", True),
    ("Haarlemmermeer", "GM0394", "Groot-Amsterdam", "CR23", "Noord-Holland", "PV27", True),
    ("Land van Cuijk", "GM1982", "Noordoost-Noord-Brabant", "CR35", "Noord-Brabant", "PV30", True),
    ("Katwijk", "GM0537", "Agglomeratie Leiden", "CR25", "Zuid-Holland", "PV28", True),
    ("Delfzijl", "GM0010", "Delfzijl en omgeving", "CR02", "Groningen", "PV20", False),
]
#: woonplaats → municipality (as in geo/nl/woningwaardering/corop.generated.csv)
PLACES = [
    ("Velsen-Noord", "Velsen"),
    ("IJmuiden", "Velsen"),
    ("Sluiskil", "Terneuzen"),
    ("Hoek", "Terneuzen"),
    ("Geleen", "Sittard-Geleen"),
    ("Farmsum", "Eemsdelta"),
    ("Delfzijl", "Eemsdelta"),
    ("Rotterdam", "Rotterdam"),
    ("Botlek Rotterdam", "Rotterdam"),
    ("Hoogvliet Rotterdam", "Rotterdam"),
    ("Moerdijk", "Moerdijk"),
    ("Bergen op Zoom", "Bergen op Zoom"),
    ("Utrecht", "Utrecht"),
    ("Rozenburg", "Rotterdam"),
    ("Rozenburg", "Haarlemmermeer"),
    ("Katwijk", "Katwijk"),
    ("Katwijk NB", "Land van Cuijk"),
    ("Den Hoorn", "Katwijk"),  # stands for a place name two municipalities share
    ("Den Hoorn", "Utrecht"),
]


def _regions() -> tuple[Regions, dict[str, tuple[str, ...]]]:
    places: dict[str, Place] = {}
    for m, code, corop, cc, prov, pc, current in MUNICIPALITIES:
        p = Place(m, code, corop, cc, prov, pc, current)
        for k in (key(m), key(code)):
            places.setdefault(k, p)
    provinces = {key(p[4]): p[4] for p in MUNICIPALITIES} | {
        key(p[5]): p[4] for p in MUNICIPALITIES
    }
    table: dict[str, set[str]] = {}
    for place, m in PLACES:
        table.setdefault(place_key(place), set()).add(m)
    return Regions(places, provinces, "test"), {k: tuple(sorted(v)) for k, v in table.items()}


CLUSTERS_YAML = """
clusters:
  - name: Rotterdam-Moerdijk
    source: test
    municipalities: [Rotterdam, Moerdijk]
  - name: Noordzeekanaalgebied
    source: test
    municipalities: [Velsen]
  - name: Noord-Nederland
    source: test
    municipalities: [Eemsdelta]
  - name: Zeeland/West-Brabant
    source: test
    corops: [West-Noord-Brabant]
    provinces: [Zeeland]
  - name: Chemelot
    source: test
    municipalities: [GM1883]
aliases:
  Vondelingenplaat: Rotterdam
installations:
  NL_7: Haarlemmermeer
offshore: [NL_8]
"""


@pytest.fixture
def cmap(tmp_path: Path):
    regions, places = _regions()
    f = tmp_path / "clusters.yaml"
    f.write_text(CLUSTERS_YAML, encoding="utf-8")
    return load_cluster_map(f, regions, places), regions, places


def test_candidates_normalise_eutl_city_strings() -> None:
    assert candidates("VELSEN-NOORD (GEM.VELSEN)") == (
        "VELSEN",
        ["VELSEN-NOORD", "VELSEN", "NOORD"],
        None,
    )
    assert candidates("Velsen-Noord (gem. Velsen)")[0] == "Velsen"
    assert candidates("OOSTWOLD GEM. SCHEEMDA")[:2] == ("SCHEEMDA", ["OOSTWOLD"])
    gem, names, _ = candidates("HOOGVLIET-ROTTERDAM")
    assert gem is None and names[:3] == ["HOOGVLIET-ROTTERDAM", "HOOGVLIET", "ROTTERDAM"]
    assert candidates("VONDELINGENPLAAT - ROTTERDAM")[1][0] == "VONDELINGENPLAAT-ROTTERDAM"
    assert candidates("RITTHEM (VLISSINGEN-OOST)")[1][:2] == ["RITTHEM", "VLISSINGEN-OOST"]
    assert candidates("KATWIJK NB")[1:] == (["KATWIJK NB", "KATWIJK"], "Noord-Brabant")
    assert candidates("Hengelo (O)")[1:] == (["Hengelo"], "Overijssel")
    assert candidates("Rotterdam, Vondelingenplaat")[1][1:3] == ["Rotterdam", "Vondelingenplaat"]


#: city string → (municipality, cluster) on the places above and the test cluster file
KNOWN = [
    ("VELSEN-NOORD (GEM.VELSEN)", "Velsen", "Noordzeekanaalgebied"),
    ("IJMUIDEN", "Velsen", "Noordzeekanaalgebied"),
    ("Sluiskil", "Terneuzen", "Zeeland/West-Brabant"),  # by its province
    ("Hoek", "Terneuzen", "Zeeland/West-Brabant"),
    ("BERGEN OP ZOOM", "Bergen op Zoom", "Zeeland/West-Brabant"),  # by its COROP region
    ("SITTARD-GELEEN", "Sittard-Geleen", "Chemelot"),
    ("GELEEN", "Sittard-Geleen", "Chemelot"),
    ("DELFZIJL", "Eemsdelta", "Noord-Nederland"),  # the place, not the 2015 municipality
    ("Farmsum", "Eemsdelta", "Noord-Nederland"),
    ("BOTLEK-ROTTERDAM", "Rotterdam", "Rotterdam-Moerdijk"),
    ("HOOGVLIET-ROTTERDAM", "Rotterdam", "Rotterdam-Moerdijk"),
    ("Vondelingenplaat", "Rotterdam", "Rotterdam-Moerdijk"),  # an alias
    ("Moerdijk", "Moerdijk", "Rotterdam-Moerdijk"),  # listed by name: wins over its COROP
    ("UTRECHT", "Utrecht", OTHER),
    ("KATWIJK NB", "Land van Cuijk", OTHER),
]


@pytest.mark.parametrize(("city", "municipality", "cluster"), KNOWN)
def test_known_places_land_in_their_cluster(cmap, city, municipality, cluster) -> None:
    m, regions, places = cmap
    a = assign_one(city, regions, places, m.rules, m.aliases)
    assert (a.municipality, a.cluster) == (municipality, cluster), a.basis
    assert cluster in a.basis or "outside the five clusters" in a.basis


def test_unknown_and_ambiguous_places_are_unassigned_with_the_reason(cmap) -> None:
    m, regions, places = cmap
    a = assign_one("ATLANTIS", regions, places, m.rules, m.aliases)
    assert a.cluster == UNASSIGNED and a.municipality is None
    assert a.basis == "place not found: 'ATLANTIS'"
    a = assign_one("Rozenburg", regions, places, m.rules, m.aliases)
    assert a.cluster == UNASSIGNED
    assert a.basis == "ambiguous: Rozenburg is a place in Haarlemmermeer, Rotterdam"
    assert locate(None, regions, places).basis == "no city in the EUTL"
    # a whole name that is an ambiguous place is not guessed from its words (DEN HOORN is
    # no Hoorn): it stays unassigned until the cluster file settles it
    a = assign_one("DEN HOORN", regions, places, m.rules, m.aliases)
    assert a.cluster == UNASSIGNED
    assert a.basis == "ambiguous: DEN HOORN is a place in Katwijk, Utrecht"
    # the cluster file's installations settle it
    a = assign_one("Rozenburg", regions, places, m.rules, m.aliases, "Haarlemmermeer")
    assert (a.municipality, a.cluster) == ("Haarlemmermeer", OTHER)


def test_assign_keeps_every_installation_and_sums_per_cluster(cmap) -> None:
    m, regions, places = cmap
    inst = pd.DataFrame(
        {
            "installation_id": ["NL_144", "NL_99", "NL_5", "NL_6", "NL_7", "NL_8"],
            "name": ["Staal", "Raffinaderij", "Kas", "Platform", "Datacenter", "K5 platform"],
            "holder": ["A", "B", "C", "D", "E", "F"],
            "city": [
                "VELSEN-NOORD (GEM.VELSEN)",
                "HOOGVLIET-ROTTERDAM",
                "UTRECHT",
                "Nvt",
                "Rozenburg",
                "UTRECHT",  # an office, the platform is at sea
            ],
            "postcode": ["1951 JZ", "3196 KK", "3500 AA", "0000 OO", "1437 EM", "3500 AA"],
            "activity_code": [24, 21, 20, 20, 20, 20],
        }
    )
    a = assign(inst, regions, places, m.rules, m.aliases, m.overrides)
    assert len(a) == 6 and a["installation_id"].is_unique
    assert dict(zip(a["installation_id"], a["cluster"], strict=True)) == {
        "NL_144": "Noordzeekanaalgebied",
        "NL_99": "Rotterdam-Moerdijk",
        "NL_5": OTHER,
        "NL_6": UNASSIGNED,
        "NL_7": OTHER,  # Rozenburg, located by the cluster file's installations
        "NL_8": UNASSIGNED,  # listed under offshore: not counted where its office is
    }
    basis = a.set_index("installation_id")["basis"]
    assert basis["NL_8"].startswith("offshore installation") and "'UTRECHT'" in basis["NL_8"]
    assert basis["NL_6"] == "place not found: 'Nvt'"
    assert a.set_index("installation_id").loc["NL_144", "sector"] == "iron and steel"
    assert a.set_index("installation_id").loc["NL_99", "sector"] == "refining"
    rows = pd.DataFrame(
        {
            "installation_id": ["NL_144", "NL_99", "NL_5", "NL_6", "NL_7", "NL_5"],
            "year": [2022, 2022, 2022, 2022, 2022, 2021],
            "verified_t": [5.8e6, 4.1e6, None, 7.0e4, 10.0, 3.0],
            "free_allocation_t": [6e6, 4e6, 1.0, 1.2e4, None, 2.0],
            "status": ["verified", "verified", "Excluded", "verified", "verified", "verified"],
            "source": ["installations-NL.csv"] * 6,
        }
    )
    per = per_cluster(a, rows, m.order, {"installations-NL.csv"})
    y = per[per["year"] == 2022].set_index("cluster")
    assert list(y.index) == [
        "Rotterdam-Moerdijk",
        "Noordzeekanaalgebied",
        OTHER,
        UNASSIGNED,
    ]  # the file's order; clusters without installations have no row
    assert y.loc[OTHER, "verified_t"] == 10.0 and y.loc[OTHER, "installations"] == 1
    assert y.loc[OTHER, "free_allocation_t"] == 1.0  # Excluded: no number, allocation kept
    assert y["verified_t"].sum() == rows.loc[rows["year"] == 2022, "verified_t"].sum()
    assert (per["coverage"] == "all").all()


def test_coordinates_are_kept_and_checked_but_not_for_platforms_at_sea(cmap) -> None:
    """The coordinates travel with the installation and ``corop_at`` names the region they
    lie in; a platform at sea keeps none (they geocode its operator's office)."""
    m, regions, places = cmap
    inst = pd.DataFrame(
        {
            "installation_id": ["NL_144", "NL_8", "NL_5"],
            "name": ["Staal", "K5 platform", "Kas"],
            "holder": ["A", "F", "C"],
            "city": ["IJMUIDEN", "UTRECHT", "UTRECHT"],
            "postcode": ["1951 JZ", "3500 AA", "3500 AA"],
            "activity_code": [24, 20, 20],
            "latitude": [52.47, 52.09, None],
            "longitude": [4.62, 5.12, None],
        }
    )
    seen = []

    def corop_at(lon: float, lat: float) -> str:
        seen.append((lon, lat))
        return "IJmond"

    a = assign(inst, regions, places, m.rules, m.aliases, m.overrides, corop_at)
    a = a.set_index("installation_id")
    assert (a.loc["NL_144", "latitude"], a.loc["NL_144", "longitude"]) == (52.47, 4.62)
    assert a.loc["NL_144", "corop_at_coordinates"] == "IJmond" == a.loc["NL_144", "corop"]
    assert pd.isna(a.loc["NL_8", "latitude"]) and a.loc["NL_8", "corop_at_coordinates"] is None
    assert pd.isna(a.loc["NL_5", "longitude"])
    assert seen == [(4.62, 52.47)]  # asked once: for the one with usable coordinates
    # without coordinates in the input the columns are there, empty
    b = assign(inst.drop(columns=["latitude", "longitude"]), regions, places, m.rules)
    assert b["latitude"].isna().all() and b["corop_at_coordinates"].isna().all()


def test_sector_from_the_activity_code() -> None:
    assert sector(20) == sector(1) == "combustion"
    assert sector(41) == sector(42) == "chemicals"
    assert sector(29) == "cement and lime" and sector(24) == "iron and steel"
    assert sector(None) is None and sector(777) is None


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        (
            CLUSTERS_YAML.replace("[Velsen]", "[Velsen, Atlantis]"),
            "clusters[1].municipalities[1]",
            "unknown municipality 'Atlantis'",
        ),
        (
            CLUSTERS_YAML.replace("[Eemsdelta]", "[Delfzijl]"),
            "clusters[2].municipalities[0]",
            "now part of Eemsdelta: give Eemsdelta",
        ),
        (
            CLUSTERS_YAML.replace("[Eemsdelta]", "[Rotterdam]"),
            "clusters[2].municipalities[0]",
            "already listed in Rotterdam-Moerdijk",
        ),
        (
            CLUSTERS_YAML.replace("[West-Noord-Brabant]", "[Westbrabant]"),
            "clusters[3].corops[0]",
            "unknown COROP region",
        ),
        (
            CLUSTERS_YAML.replace("provinces: [Zeeland]", "provinces: [Zeelandia]"),
            "clusters[3].provinces[0]",
            "unknown province",
        ),
        (
            CLUSTERS_YAML.replace(
                "    source: test\n    municipalities: [Velsen]", "    municipalities: [Velsen]"
            ),
            "clusters[1].source",
            "required",
        ),
        (
            CLUSTERS_YAML.replace("municipalities: [GM1883]", "municipality: [GM1883]"),
            "clusters[4].municipality",
            "xtra",
        ),
        (
            CLUSTERS_YAML.replace("name: Chemelot", "name: cluster 6"),
            "clusters[4].name",
            "reserved",
        ),
        (
            CLUSTERS_YAML.replace("Vondelingenplaat: Rotterdam", "Vondelingenplaat: Rotterdamm"),
            "aliases.Vondelingenplaat",
            "unknown municipality or place",
        ),
        (
            CLUSTERS_YAML.replace("offshore: [NL_8]", "offshore: [NL_9, NL_7]"),
            "offshore[1]",
            "NL_7 is listed under installations too",
        ),
        (
            CLUSTERS_YAML.replace("NL_7: Haarlemmermeer", "NL_7: Nergens"),
            "installations.NL_7",
            "unknown",
        ),
    ],
)
def test_a_bad_cluster_file_names_the_field(
    tmp_path: Path, text: str, field: str, words: str
) -> None:
    regions, places = _regions()
    f = tmp_path / "bad clusters.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as e:
        load_cluster_map(f, regions, places)
    assert e.value.field == field and e.value.file == str(f)
    assert words in str(e.value) and field in str(e.value)


def test_the_shipped_cluster_file_has_sources_for_every_cluster() -> None:
    text = DEFAULT.read_text(encoding="utf-8")
    for name in (
        "Rotterdam-Moerdijk",
        "Noordzeekanaalgebied",
        "Noord-Nederland",
        "Zeeland/West-Brabant",
        "Chemelot",
    ):
        assert f"name: {name}" in text
    assert text.count("source: >-") == 5 and "Project judgement" in text


def test_the_result_tables_declare_the_columns_the_analysis_builds():
    assert list(analysis.ASSIGNMENT_COLUMNS) == facts.ASSIGNMENT_COLUMN_NAMES
    assert list(analysis.CLUSTER_COLUMNS) == facts.CLUSTER_COLUMN_NAMES
