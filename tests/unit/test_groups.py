"""Country groups: built-in EU27, packaged YAML, the user's own file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketenradar.core.countries import names_to_iso3
from ketenradar.core.errors import DataError, NotFoundError
from ketenradar.core.groups import EU27, GroupRegistry


def test_eu27_matches_the_member_states_by_name() -> None:
    # the EU's list of its member states (europa.eu, "EU countries"), by name
    members = [
        "Austria", "Belgium", "Bulgaria", "Croatia", "Cyprus", "Czechia", "Denmark", "Estonia",
        "Finland", "France", "Germany", "Greece", "Hungary", "Ireland", "Italy", "Latvia",
        "Lithuania", "Luxembourg", "Malta", "Netherlands", "Poland", "Portugal", "Romania",
        "Slovakia", "Slovenia", "Spain", "Sweden",
    ]  # fmt: skip
    iso = names_to_iso3(members)
    assert None not in iso.values()
    assert set(EU27) == set(iso.values())
    assert len(EU27) == 27


def test_packaged_groups_resolve_nested() -> None:
    reg = GroupRegistry()
    assert reg.get("g7").members == {"CAN", "FRA", "DEU", "ITA", "JPN", "GBR", "USA"}
    eea = reg.get("EEA").members
    assert set(EU27) < eea and {"NOR", "ISL", "LIE"} < eea
    lm = reg.get("LIKE_MINDED").members
    assert {"JPN", "KOR", "CHE", "NLD"} <= lm
    assert "CHN" not in lm


def test_resolve_country_group_and_list() -> None:
    reg = GroupRegistry()
    assert reg.resolve("nld").members == {"NLD"}
    assert reg.resolve("DEU,FRA").members == {"DEU", "FRA"}
    assert reg.resolve("EU27,GBR").members == set(EU27) | {"GBR"}
    with pytest.raises(NotFoundError):
        reg.resolve("not-a-group")


def test_user_file_adds_and_replaces(tmp_path: Path) -> None:
    f = tmp_path / "groups.yaml"
    f.write_text(
        "groups:\n"
        "  NORTH_SEA:\n    description: North Sea neighbours\n    members: [NLD, BEL, DEU, GBR]\n"
        "  G7:\n    members: [USA]\n"
        "  EU27:\n    members: [NLD]\n"
    )
    reg = GroupRegistry(f)
    assert reg.get("north_sea").members == {"NLD", "BEL", "DEU", "GBR"}
    assert reg.get("G7").members == {"USA"}
    assert reg.get("EU27").members == set(EU27)  # built in, cannot be redefined


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("groups: [1, 2", "not valid YAML"),
        ("nothing: here\n", "groups"),
        ("groups:\n  X:\n    members: NLD\n", "needs a list"),
        ("groups:\n  X:\n    members: [NETHERLANDS]\n", "neither an ISO3 code nor a group"),
        ("groups:\n  X:\n    members: [Y]\n  Y:\n    members: [X]\n", "refers to itself"),
    ],
)
def test_bad_group_files(tmp_path: Path, text: str, match: str) -> None:
    f = tmp_path / "groups.yaml"
    f.write_text(text)

    def load_all() -> None:
        reg = GroupRegistry(f)
        for n in reg.names():
            reg.get(n)

    with pytest.raises(DataError, match=match):
        load_all()
