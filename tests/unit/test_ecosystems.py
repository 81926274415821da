"""HS product → EU industrial ecosystem mapping: the packaged table, the rule, bad tables."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import require_shared

from ketenradar.core.errors import DataError
from ketenradar.modules.trade.ecosystems import (
    ECOSYSTEMS,
    ecosystem_frame,
    ecosystems_for,
    load_ecosystem_table,
    packaged_table_path,
)

REPO = Path(__file__).resolve().parents[2]
HEADER = "hs_prefix,ecosystem,rationale\n"

#: All HS chapters in use (77 is reserved; 98 and 99 are for national use).
CHAPTERS = [f"{c:02d}" for c in range(1, 98) if c != 77]


def _write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    p = tmp_path / "table.csv"
    p.write_text(header + body, encoding="utf-8")
    return p


# --- the packaged table ----------------------------------------------------------------------


def test_ecosystems_are_the_fourteen_of_com_2021_350() -> None:
    assert len(ECOSYSTEMS) == 14
    assert len(set(ECOSYSTEMS)) == 14
    assert "Proximity, Social Economy & Civil Security" in ECOSYSTEMS


def test_packaged_table_validates_and_is_concise() -> None:
    table = load_ecosystem_table()
    assert table == load_ecosystem_table(packaged_table_path())
    assert 100 <= len(table) <= 300
    assert len(set(table)) == len(table)
    assert {e for _, e in table} == set(ECOSYSTEMS)  # every ecosystem has at least one row


def test_packaged_table_covers_every_chapter_at_two_digits() -> None:
    two_digit = {p for p, _ in load_ecosystem_table() if len(p) == 2}
    assert sorted(two_digit) == CHAPTERS


def test_packaged_table_keeps_leading_zeros() -> None:
    prefixes = {p for p, _ in load_ecosystem_table()}
    assert {"01", "02", "09"} <= prefixes
    assert all(len(p) in (2, 4, 6) and p.isdigit() for p in prefixes)


@pytest.mark.parametrize(
    ("product", "expected"),
    [
        ("010121", {"Agri-food"}),
        ("300490", {"Health"}),
        ("294110", {"Health"}),
        ("901890", {"Health"}),
        ("880240", {"Aerospace & Defence"}),
        ("871000", {"Aerospace & Defence"}),
        ("930690", {"Aerospace & Defence"}),
        ("870323", {"Mobility-Transport-Automotive"}),
        ("860110", {"Mobility-Transport-Automotive"}),
        ("847130", {"Digital", "Electronics"}),
        ("851712", {"Digital", "Electronics"}),
        ("854231", {"Electronics"}),
        ("854140", {"Electronics", "Energy-Renewables"}),
        ("854143", {"Electronics", "Energy-Renewables"}),
        ("720839", {"Energy-Intensive Industries"}),
        ("281820", {"Energy-Intensive Industries"}),
        ("730820", {"Construction"}),
        ("690410", {"Construction", "Energy-Intensive Industries"}),
        ("940610", {"Construction"}),
        ("520100", {"Textile"}),
        ("420221", {"Textile"}),
        ("490199", {"Cultural & Creative Industries"}),
        ("970110", {"Cultural & Creative Industries"}),
        ("950300", {"Retail"}),
        ("950800", {"Tourism"}),
    ],
)
def test_hand_cases(product: str, expected: set[str]) -> None:
    assert set(ecosystems_for(product)) == expected


def test_wind_generating_sets_include_renewables() -> None:
    assert "Energy-Renewables" in ecosystems_for("850231")
    # the 6-digit override wins over the chapter: other generating sets stay Electronics
    assert ecosystems_for("850239") == ("Electronics",)


def test_result_is_sorted_and_unique() -> None:
    got = ecosystems_for("850760")
    assert list(got) == sorted(set(got))
    assert got == ("Electronics", "Energy-Renewables", "Mobility-Transport-Automotive")


def test_unmatched_and_zero_stripped_codes() -> None:
    assert ecosystems_for("999999") == ()
    assert ecosystems_for("9999AA") == ()
    assert ecosystems_for(10121) == ("Agri-food",)  # type: ignore[arg-type]  # int lost its 0
    assert ecosystems_for("10121") == ("Agri-food",)


# --- the longest-prefix rule on a hand table -------------------------------------------------

HAND = [
    ("85", "Electronics"),
    ("8502", "Digital"),
    ("850231", "Energy-Renewables"),
    ("850231", "Construction"),
    ("01", "Agri-food"),
]


@pytest.mark.parametrize(
    ("product", "expected"),
    [
        ("850231", ("Construction", "Energy-Renewables")),  # all rows of the longest prefix
        ("850211", ("Digital",)),  # 4-digit beats 2-digit
        ("851712", ("Electronics",)),  # only the chapter matches
        ("010121", ("Agri-food",)),
        ("020110", ()),  # no prefix matches
    ],
)
def test_longest_prefix_rule(product: str, expected: tuple[str, ...]) -> None:
    assert ecosystems_for(product, HAND) == expected


def test_table_from_file_is_used(tmp_path: Path) -> None:
    p = _write(tmp_path, "85,Electronics,electrical\n850231,Energy-Renewables,wind\n")
    table = load_ecosystem_table(p)
    assert table == [("85", "Electronics"), ("850231", "Energy-Renewables")]
    assert ecosystems_for("850231", table) == ("Energy-Renewables",)


def test_quoted_fields_and_bom_are_accepted(tmp_path: Path) -> None:
    p = tmp_path / "table.csv"
    p.write_text(
        HEADER + '46,"Proximity, Social Economy & Civil Security","crafts, basketry"\n',
        encoding="utf-8-sig",
    )
    assert load_ecosystem_table(p) == [("46", "Proximity, Social Economy & Civil Security")]


# --- malformed tables ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "field", "words"),
    [
        ("01,Agri-food,ok\n123,Agri-food,three digits\n", 3, "hs_prefix", "2, 4 or 6 digits"),
        ("01,Agri-food,ok\n02,Agri-food,ok\n1a,Agri-food,x\n", 4, "hs_prefix", "'1a'"),
        ("1,Agri-food,lost its zero\n", 2, "hs_prefix", "'1'"),
        ("0101010,Agri-food,seven digits\n", 2, "hs_prefix", "2, 4 or 6 digits"),
        ("01,Agri-food,ok\n02,Agrifood,typo\n", 3, "ecosystem", "unknown ecosystem 'Agrifood'"),
        ("01,Tourism,ok\n02,Space,not one of the 14\n", 3, "ecosystem", "'Space'"),
        ("01,Agri-food,\n", 2, "rationale", "empty"),
    ],
)
def test_malformed_row_names_line_and_field(
    tmp_path: Path, body: str, line: int, field: str, words: str
) -> None:
    p = _write(tmp_path, body)
    with pytest.raises(DataError) as info:
        load_ecosystem_table(p)
    err = info.value
    assert err.line == line
    assert err.field == field
    assert err.file == str(p)
    assert words in err.reason
    assert f"line {line}" in str(err)


def test_duplicate_row_is_an_error(tmp_path: Path) -> None:
    p = _write(tmp_path, "01,Agri-food,a\n01,Agri-food,b\n")
    with pytest.raises(DataError, match="duplicate") as info:
        load_ecosystem_table(p)
    assert info.value.line == 3


def test_wrong_field_count_is_an_error(tmp_path: Path) -> None:
    p = _write(tmp_path, "01,Agri-food\n")
    with pytest.raises(DataError, match="expected 3 fields") as info:
        load_ecosystem_table(p)
    assert info.value.line == 2


def test_wrong_header_is_an_error(tmp_path: Path) -> None:
    p = _write(tmp_path, "01,Agri-food,x\n", header="hs6,ecosystem,rationale\n")
    with pytest.raises(DataError, match="header") as info:
        load_ecosystem_table(p)
    assert info.value.line == 1


def test_empty_and_missing_files_are_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no rows"):
        load_ecosystem_table(_write(tmp_path, ""))
    with pytest.raises(DataError, match="cannot read"):
        load_ecosystem_table(tmp_path / "missing.csv")


# --- annotation frame ------------------------------------------------------------------------


def test_ecosystem_frame_keeps_order_and_duplicates() -> None:
    df = ecosystem_frame(["850231", "010121", "999999", "850231"], HAND)
    assert list(df.columns) == ["product", "ecosystem"]
    assert df["product"].tolist() == ["850231", "010121", "999999", "850231"]
    assert df["ecosystem"].tolist() == [
        "Construction; Energy-Renewables",
        "Agri-food",
        "",
        "Construction; Energy-Renewables",
    ]


def test_ecosystem_frame_empty_input() -> None:
    df = ecosystem_frame([])
    assert list(df.columns) == ["product", "ecosystem"]
    assert len(df) == 0


def test_ecosystem_frame_is_fast_for_all_products() -> None:
    products = [f"{c}{h:02d}{s:02d}" for c in CHAPTERS for h in range(1, 10) for s in range(6)]
    assert len(products) > 5_000
    ecosystem_frame(products[:10])  # load the packaged table once
    start = time.perf_counter()
    for _ in range(3):
        df = ecosystem_frame(products)
    assert time.perf_counter() - start < 3.0  # typically a few milliseconds each
    assert (df["ecosystem"] != "").all()


# --- real data: every product of two BACI dictionaries maps ----------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("folder", "file", "n_codes"),
    [
        ("baci_raw_materials_hs92", "product_codes_HS92_V202401b.csv", 5022),
        ("baci", "product_codes_HS17_V202201_with_bec.csv", 5384),
    ],
)
def test_every_real_product_maps(folder: str, file: str, n_codes: int) -> None:
    path = require_shared(folder) / file
    codes = pd.read_csv(path, dtype=str, keep_default_na=False)["code"]
    assert len(codes) == n_codes
    assert (codes.str.len() == 6).all()
    df = ecosystem_frame(codes)
    unmapped = df.loc[df["ecosystem"] == "", "product"]
    # Chapter 99 ("commodities not specified according to kind") is not a product: by design
    # it has no ecosystem. Everything else must map.
    assert unmapped.str.startswith("99").all(), unmapped.tolist()
    assert len(unmapped) <= 2
    assert set(ecosystems_for("999999")) == set()
    mapped = df.loc[df["ecosystem"] != ""]
    assert len(mapped) >= n_codes - 2
    # every ecosystem name that appears is one of the 14
    names = {n for label in mapped["ecosystem"] for n in label.split("; ")}
    assert names <= set(ECOSYSTEMS)
