"""Real data: USGS Mineral Commodity Summaries 2022, 2023 and 2024 world production files.

These tests read ``$KETENRADAR_SHARED_DATA/usgs_mcs`` (default ``../shared/data``). They skip
when it is missing, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from conftest import require_shared

from ketenradar import api
from ketenradar.datasets import DataStore
from ketenradar.modules.materials.analysis.concentration import usgs_shares
from ketenradar.sources.base import CANONICAL_TABLES
from ketenradar.sources.usgs import parse_usgs, world_total_check

pytestmark = pytest.mark.realdata

FOLDERS = {"2022": "MCS2022", "2023_world": "MCS2023", "2024_world": "MCS2024"}
COLUMNS = list(CANONICAL_TABLES["mineral_production"]["production"])

#: Files without production columns (plant capacity only).
CAPACITY_ONLY = {"mcs2023-abras_world.csv", "mcs2024-abras_world.csv"}
#: Rows with no usable Type text: MCS 2024 iron oxide pigments (Type empty throughout) and
#: the MCS 2023 boron world total (Type 'XX').
NO_STAGE = {("MCS2024", "fepig"), ("MCS2023", "boron")}

#: Commodities whose every world total (all editions, types and years) is within rounding.
WELL_BEHAVED = [
    "cobalt",
    "gallium",
    "germanium",
    "rare_earths",
    "pgm",
    "titanium",
    "tungsten",
    "zinc",
    "aluminium",
    "bauxite",
    "molybdenum",
    "tin",
    "silver",
    "gold",
    "fluorspar",
    "talc",
]


def _world_files() -> list[Path]:
    base = require_shared("usgs_mcs")
    return sorted(
        f
        for folder in FOLDERS
        for f in (base / folder).iterdir()
        if f.name.casefold().endswith("_world.csv")
    )


@pytest.fixture(scope="module")
def production() -> pd.DataFrame:
    """The whole folder, parsed once."""
    return parse_usgs([require_shared("usgs_mcs")]).tables["production"]


def test_every_world_file_parses() -> None:
    files = _world_files()
    assert Counter(f.parent.name for f in files) == {"2022": 12, "2023_world": 77, "2024_world": 77}
    for f in files:
        parsed = parse_usgs([f])
        df = parsed.tables["production"]
        assert list(df.columns) == COLUMNS, f.name
        if f.name in CAPACITY_ONLY:
            assert df.empty and any("capacity columns only" in w for w in parsed.warnings)
            continue
        assert len(df) > 0, f.name
        assert set(df["release"]) == {FOLDERS[f.parent.name]}, f.name
        assert set(df["row_type"]) <= {"country", "other", "world"}, f.name
        assert df["unit"].notna().all() and df["year"].between(2020, 2023).all(), f.name
        # Every country name maps: no unnamed producers other than 'Other countries'.
        assert not any("without ISO3" in w for w in parsed.warnings), (f.name, parsed.warnings)
        named = df[df["row_type"] == "country"]
        assert named["country"].str.fullmatch(r"[A-Z]{3}").all(), f.name
        assert df.loc[df["row_type"] != "country", "country"].isna().all(), f.name
        if (df["release"].iloc[0], df["source_name"].iloc[0]) not in NO_STAGE:
            assert df["stage"].isin(["extraction", "processing"]).all(), f.name


def test_whole_folder_ingests(tmp_path: Path) -> None:
    base = require_shared("usgs_mcs")
    (rep,) = api.add_dataset("usgs", [base], data_dir=tmp_path / "store")
    assert rep.changed is True
    m = rep.manifest
    assert (m.name, m.source, m.kind) == ("usgs_mcs", "usgs", "mineral_production")
    assert m.release == "MCS2022-MCS2024"
    assert m.attributes["editions"] == ["MCS2022", "MCS2023", "MCS2024"]
    assert m.attributes["years"] == [2020, 2021, 2022, 2023]
    assert m.attributes["files"] == 166
    assert len(m.inputs) == 166  # trends tables, salient files and the revision note left out
    df = pd.read_parquet(DataStore(tmp_path / "store").get("usgs_mcs").table_files("production")[0])
    assert list(df.columns) == COLUMNS
    assert m.tables["production"]["rows"] == len(df)
    print(f"\nUSGS MCS: {len(m.inputs)} files, {len(df)} rows, {len(m.warnings)} warnings")

    cod = df[
        (df["material"] == "cobalt")
        & (df["country"] == "COD")
        & (df["year"] == 2023)
        & (df["release"] == "MCS2024")
    ]
    assert len(cod) == 1
    row = cod.iloc[0]
    assert (row["value"], row["unit"], row["country_label"]) == (170000.0, "t", "Congo (Kinshasa)")
    assert (row["stage"], bool(row["estimated"])) == ("extraction", True)

    again = api.add_dataset("usgs", [base], data_dir=tmp_path / "store")[0]
    assert again.changed is False


def test_known_layout_quirks_on_the_real_files(production: pd.DataFrame) -> None:
    df = production

    def one(release: str, code: str, label: str, year: int) -> pd.Series:
        r = df[
            (df["release"] == release)
            & (df["source_name"] == code)
            & (df["country_label"] == label)
            & (df["year"] == year)
        ]
        assert len(r) == 1, (release, code, label, year)
        return r.iloc[0]

    # 'New Caledonia11' (footnote), 'Japane' (estimate mark), 'United\xa0States'.
    assert one("MCS2024", "cobal", "New Caledonia", 2023)["country"] == "NCL"
    japan = one("MCS2024", "galli", "Japan", 2022)
    assert (japan["country"], bool(japan["estimated"])) == ("JPN", True)
    assert one("MCS2023", "galli", "United States", 2022)["country"] == "USA"
    # Gallium primary production and germanium refinery production are processing.
    assert one("MCS2024", "galli", "China", 2023)["stage"] == "processing"
    assert set(df.loc[df["source_name"] == "germa", "stage"]) == {"processing"}
    # Units as in the column names (MCS 2024 revision: germanium in kg, barite in kt).
    assert set(df.loc[(df["release"] == "MCS2024") & (df["source_name"] == "germa"), "unit"]) == {
        "kg"
    }
    assert set(df.loc[(df["release"] == "MCS2024") & (df["source_name"] == "barit"), "unit"]) == {
        "kt"
    }
    # 'MCS 2024' in the Source column, and an empty Source (iron oxide pigments).
    assert set(df.loc[df["source_name"] == "alumi", "release"]) == {"MCS2023", "MCS2024"}
    assert set(df.loc[df["source_name"] == "fepig", "release"]) == {"MCS2023", "MCS2024"}
    # Comma thousands, 'e' estimate prefix, withheld values.
    assert one("MCS2023", "titan", "China", 2021)["value"] == 140000.0
    arg = one("MCS2024", "sandi", "Argentina", 2022)
    assert (arg["value"], bool(arg["estimated"])) == (3900.0, True)
    us = one("MCS2024", "titan", "United States", 2023)
    assert pd.isna(us["value"]) and us["note"].startswith("W: withheld")
    # Clinker capacity is not production.
    assert not df["description"].fillna("").str.contains("capacity, estimated").any()


def test_world_totals_within_rounding(production: pd.DataFrame) -> None:
    check = world_total_check(production)
    within = int(check["within_rounding"].sum())
    print(f"\nworld totals within rounding: {within} of {len(check)}")
    bad = check[~check["within_rounding"]]
    for r in bad.itertuples():
        print(
            f"  {r.release} {r.material} {r.year} {r.world_label!r}: total {r.world_total:g}, "
            f"rows {r.sum_countries:g} ({r.n_rows} rows, {r.n_missing} without value), "
            f"gap {r.gap:g}, rounding ±{r.tolerance:g}"
        )
    for material in WELL_BEHAVED:
        sub = check[check["material"] == material]
        assert len(sub) > 0, material
        assert sub["within_rounding"].all(), sub
    cobalt = check[(check["material"] == "cobalt") & (check["release"] == "MCS2024")]
    assert cobalt.set_index("year")["world_total"].to_dict() == {2022: 197000.0, 2023: 230000.0}
    # The real files as published: 342 of 360 totals check out; the rest are USGS's own gaps
    # (withheld or rounded rows, soda ash 'synthetic' totals without country rows).
    assert (len(check), within) == (360, 342)
    assert set(bad["material"]) == {
        "clays",
        "copper",
        "graphite",
        "gypsum",
        "iron_ore",
        "lead",
        "lithium",
        "manganese",
        "nickel",
        "nitrogen",
        "salt",
        "soda_ash",
        "tantalum",
        "tellurium",
        "titanium_metal",
    }


def test_gaps_are_reported_as_warnings(production: pd.DataFrame) -> None:
    parsed = parse_usgs([require_shared("usgs_mcs")])
    (summary,) = [w for w in parsed.warnings if "world totals differ" in w]
    assert summary.startswith("18 of 360 world totals differ")
    assert parsed.attributes["world_total_check"] == {"groups": 360, "within_rounding": 342}


def test_shares_for_the_materials_analyses(production: pd.DataFrame) -> None:
    shares = usgs_shares(production)
    cod = shares[(shares["material"] == "cobalt") & (shares["country"] == "COD")]
    cod = cod.set_index("year")
    assert cod.loc[2023, "share"] == pytest.approx(170000 / 230000)
