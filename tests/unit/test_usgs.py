"""USGS MCS connector: layout quirks of MCS 2022–2024 on small hand-written files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ketenradar.core.errors import DataError
from ketenradar.datasets import DataStore
from ketenradar.sources.base import CANONICAL_TABLES
from ketenradar.sources.usgs import (
    UsgsConnector,
    parse_usgs,
    parse_value,
    rounding_tolerance,
    stage_of,
    world_total_check,
)

COLUMNS = list(CANONICAL_TABLES["mineral_production"]["production"])


def write(
    folder: Path, name: str, lines: list[str], *, bom: bool = True, crlf: bool = True
) -> Path:
    """A CSV as the USGS writes it: UTF-8 with BOM, CRLF line ends."""
    folder.mkdir(parents=True, exist_ok=True)
    text = ("\r\n" if crlf else "\n").join(lines) + ("\r\n" if crlf else "\n")
    p = folder / name
    p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return p


COBALT_2022 = [
    "Source,Country,Type,Prod_t_2020,Prod_t_Est_2021",
    'MCS2022,United States,"Mine production, contained cobalt",600,700',
    'MCS2022,Congo (Kinshasa),"Mine production, contained cobalt",98000,120000',
    'MCS2022,Russia,"Mine production, contained cobalt",9000,7600',
    'MCS2022,Other countries,"Mine production, contained cobalt",34400,41700',
    'MCS2022,World total (rounded),"Mine production, contained cobalt",142000,170000',
]


def by(df: pd.DataFrame, label: str, year: int) -> pd.Series:
    rows = df[(df["country_label"] == label) & (df["year"] == year)]
    assert len(rows) == 1, (label, year, rows)
    return rows.iloc[0]


def test_mcs2022_layout_bom_crlf(tmp_path: Path) -> None:
    p = write(tmp_path, "cobalt_mcs2022-cobal_world.csv", COBALT_2022)
    parsed = parse_usgs([p])
    df = parsed.tables["production"]
    assert list(df.columns) == COLUMNS
    assert len(df) == 10
    cod = by(df, "Congo (Kinshasa)", 2021)
    assert cod["country"] == "COD"
    assert cod["value"] == 120000.0
    assert cod["unit"] == "t"
    assert bool(cod["estimated"]) is True  # Prod_t_Est_2021
    assert bool(by(df, "Congo (Kinshasa)", 2020)["estimated"]) is False
    assert cod["material"] == "cobalt"
    assert cod["source_name"] == "cobal"
    assert cod["stage"] == "extraction"
    assert cod["description"] == "Mine production, contained cobalt"
    assert cod["release"] == "MCS2022"
    assert cod["note"] is None
    assert by(df, "United States", 2020)["country"] == "USA"  # BOM did not stick to 'Source'
    world = by(df, "World total (rounded)", 2021)
    assert (world["row_type"], world["country"]) == ("world", None)
    other = by(df, "Other countries", 2021)
    assert (other["row_type"], other["country"]) == ("other", None)
    assert parsed.release == "MCS2022"
    assert parsed.attributes["years"] == [2020, 2021]
    assert parsed.attributes["editions"] == ["MCS2022"]
    assert parsed.inputs == [(p, "production")]
    assert parsed.warnings == []  # 142000 vs 142000, 170000 vs 170000


def test_mcs2024_layout_footnotes_nbsp_trailing_rows_and_columns(tmp_path: Path) -> None:
    pad = "," * 30
    lines = [
        "Source,Country,Type,Prod_t_est_2022,Prod_t_est_2023,Prod_notes,Reserves_t,Reserves_notes"
        + pad,
        'MCS2024,United\xa0States1,"Mine production, x",500,500,,69000,' + pad,
        'MCS2024,New Caledonia11,"Mine production, x",2000,3000,Overseas territory of France.,'
        'NA,"Overseas, territory"' + pad,
        'MCS2024,Japane,"Mine production, x",10,10,,,' + pad,
        'MCS2024,"Korea, Republic ofe","Mine production, x",1,1,,,' + pad,
        'MCS2024,Ukraine,"Mine production, x",5,5,,,' + pad,
        'MCS2024,Chile,"Mine production, x",6,6,,,' + pad,
        'MCS2024,Côte d’Ivoire,"Mine production, x",7,7,,,' + pad,
        'MCS2024,Brazil (beneficiated),"Mine production, x",8,8,,,' + pad,
        'MCS2024,"Kazakhstan, concentrate","Mine production, x",9,9,,,' + pad,
        'MCS2024,Vietnam\xa0,"Mine production, x",3,3,,,' + pad,
        'MCS2024,Other countriese,"Mine production, x",100,100,,,' + pad,
        'MCS2024,World total (rounded)10,"Mine production, x",2700,3700,,,' + pad,
        *[pad + ",,,,,,,"] * 12,
    ]
    p = write(tmp_path, "mcs2024-cobal_world.csv", lines)
    df = parse_usgs([p]).tables["production"]
    assert len(df) == 24
    labels = dict(zip(df["country_label"], df["country"], strict=False))
    assert labels == {
        "United States": "USA",
        "New Caledonia": "NCL",
        "Japan": "JPN",
        "Korea, Republic of": "KOR",
        "Ukraine": "UKR",
        "Chile": "CHL",
        "Côte d’Ivoire": "CIV",
        "Brazil (beneficiated)": "BRA",
        "Kazakhstan, concentrate": "KAZ",
        "Vietnam": "VNM",
        "Other countries": None,
        "World total (rounded)": None,
    }
    # 'e' after the name is the USGS estimate mark: the row is estimated (every year).
    assert df.loc[df["country_label"] == "Japan", "estimated"].all()
    assert df.loc[df["country_label"] == "Other countries", "row_type"].eq("other").all()
    assert df.loc[df["country_label"] == "World total (rounded)", "row_type"].eq("world").all()
    nc = by(df, "New Caledonia", 2023)
    assert nc["note"] == "Overseas territory of France."
    assert nc["value"] == 3000.0
    assert set(df["release"]) == {"MCS2024"}


def test_units_from_column_names_are_kept_not_converted(tmp_path: Path) -> None:
    kt = write(
        tmp_path,
        "mcs2023-coppe_world.csv",
        [
            "Source,Country,Type,Prod_kt_2021,Prod_kt_Est_2022,Prod_notes",
            'MCS2023,Chile,"Mine production, recoverable copper content","5,620",5200,',
        ],
    )
    kg = write(
        tmp_path,
        "mcs2023-galli_world.csv",
        [
            "Source,Country,Type,Prod_kg_2021,Prod_kg_est_2022,Prod_notes,Cap_kg_2022,Cap_notes",
            "MCS2023,China,Primary production,500000,540000,,700000,",
        ],
    )
    mt = write(
        tmp_path,
        "mcs2024-feste_world.csv",
        [
            "Source,Country,Type,Prod_mmt_2022,Prod_mmt_est_2023,Prod_notes,Reserves_mmt",
            'MCS2024,China,"Raw steel, million metric tons",1018,1000,,',
        ],
    )
    sponge = write(
        tmp_path,
        "mcs2024-titan_world.csv",
        [
            "Source,Country,Type,Prod_Sponge_t_Est_2022,Prod_Sponge_t_Est_2023,Prod_notes,"
            "Cap_Sponge_t_2023",
            "MCS2024,Japan,Sponge Metal Production and Sponge and Pigment Capacity,"
            "47000,60000,,65200",
        ],
    )
    df = parse_usgs([kt, kg, mt, sponge]).tables["production"]
    got = {
        (r.source_name, int(r.year)): (r.value, r.unit, bool(r.estimated)) for r in df.itertuples()
    }
    assert got == {
        ("coppe", 2021): (5620.0, "kt", False),
        ("coppe", 2022): (5200.0, "kt", True),
        ("galli", 2021): (500000.0, "kg", False),  # Cap_kg_2022 is not production
        ("galli", 2022): (540000.0, "kg", True),
        ("feste", 2022): (1018.0, "Mt", False),
        ("feste", 2023): (1000.0, "Mt", True),
        ("titan", 2022): (47000.0, "t", True),
        ("titan", 2023): (60000.0, "t", True),
    }
    stages = dict(zip(df["source_name"], df["stage"], strict=False))
    assert stages == {
        "coppe": "extraction",
        "galli": "processing",  # gallium "Primary production"
        "feste": "processing",
        "titan": "processing",
    }


def test_two_types_in_one_file(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "mcs2023-coppe_world.csv",
        [
            "Source,Country,Type,Prod_kt_2021,Prod_kt_est_2022,Prod_notes,Reserves_kt",
            'MCS2023,Chile,"Mine production, recoverable copper content",5620,5200,,190000',
            'MCS2023,China,"Mine production, recoverable copper content",1910,1900,,27000',
            'MCS2023,Other countries,"Mine production, recoverable copper content",470,900,,1',
            'MCS2023,World total (rounded),"Mine production, recoverable copper content",'
            "8000,8000,,890000",
            'MCS2023,Chile,"Refinery production, copper",2270,2200,,',
            'MCS2023,China,"Refinery production, copper",10500,11000,,',
            'MCS2023,World total (rounded),"Refinery production, copper",12800,13000,,',
        ],
    )
    parsed = parse_usgs([p])
    df = parsed.tables["production"]
    st = df.groupby("description")["stage"].unique().to_dict()
    assert {k: list(v) for k, v in st.items()} == {
        "Mine production, recoverable copper content": ["extraction"],
        "Refinery production, copper": ["processing"],
    }
    check = world_total_check(df).set_index(["description", "year"])
    mine = check.loc[("Mine production, recoverable copper content", 2022)]
    assert mine["sum_countries"] == 8000.0
    assert mine["n_rows"] == 3
    refinery = check.loc[("Refinery production, copper", 2021)]
    assert refinery["sum_countries"] == 12770.0  # only the refinery rows
    assert refinery["tolerance"] == 50.0
    assert bool(refinery["within_rounding"]) is True
    assert check["within_rounding"].all()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,200", (1200.0, False, None)),
        ("1,000,000", (1000000.0, False, None)),
        ("130000 ", (130000.0, False, None)),
        ("\xa0\xa0\xa0\xa0 325", (325.0, False, None)),
        ("0.5", (0.5, False, None)),
        ("e5,000", (5000.0, True, None)),
        (" e24,000", (24000.0, True, None)),
        ("", (None, False, None)),
        ("           ", (None, False, None)),
        ("NA", (None, False, "NA: not available")),
        ("   NA", (None, False, "NA: not available")),
        ("W", (None, False, "W: withheld to avoid disclosing company proprietary data")),
        ("XX", (None, False, "XX: not applicable")),
        ("Less than ½ unit.", (None, False, "less than ½ unit")),
        ("<100", (None, False, "<100")),
        ("Included with ilmenite", (None, False, "Included with ilmenite")),
    ],
)
def test_values_and_markers(text: str, expected: tuple) -> None:
    assert parse_value(text) == expected


@pytest.mark.parametrize("text", ["12x", "1,2345", "w", "n/a", "1.2.3", "Large"])
def test_unknown_value_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_value(text)


def test_markers_become_null_with_a_note(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "mcs2023-timin_world.csv",
        [
            "Source,Country,Type,Prod_kt_2021,Prod_kt_est_2022,Prod_notes",
            "MCS2023,United States,Mine production: rutile,Included with ilmenite,W,Note.",
            "MCS2023,Kenya,Mine production: rutile,NA,XX,",
        ],
    )
    df = parse_usgs([p]).tables["production"]
    assert df["value"].isna().all()
    assert by(df, "United States", 2021)["note"] == "Included with ilmenite; Note."
    assert by(df, "United States", 2022)["note"].startswith("W: withheld")
    assert by(df, "Kenya", 2022)["note"] == "XX: not applicable"


def test_bad_value_raises_with_file_line_and_field_and_writes_nothing(tmp_path: Path) -> None:
    p = write(
        tmp_path / "in",
        "mcs2023-cobal_world.csv",
        [
            "Source,Country,Type,Prod_t_2021,Prod_t_est_2022,Prod_notes",
            'MCS2023,Australia,"Mine production, contained cobalt",5295,5900,',
            'MCS2023,Canada,"Mine production, contained cobalt",4361,about 3900,',
        ],
    )
    store = DataStore(tmp_path / "store")
    with pytest.raises(DataError) as exc:
        UsgsConnector().ingest([p], store)
    assert exc.value.file == str(p)
    assert exc.value.line == 3
    assert exc.value.field == "Prod_t_est_2022"
    assert "about 3900" in str(exc.value)
    assert store.find("usgs_mcs") is None


def test_line_numbers_count_quoted_line_breaks(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "mcs2023-cobal_world.csv",
        [
            "Source,Country,Type,Prod_t_2021,Prod_t_est_2022,Prod_notes",
            'MCS2023,Australia,"Mine production",5295,5900,"a note',
            'over two lines"',
            "MCS2023,Canada,Mine production,4361,?,",
        ],
    )
    with pytest.raises(DataError) as exc:
        parse_usgs([p])
    assert exc.value.line == 4


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Source,Nation,Type,Prod_t_2021", "no 'Country' column"),
        ("Source,Country,Type,Reserves_t,Reserves_notes", "no production columns"),
        ("Source,Country,Type,Prod_2021", "without a unit"),
        ("Source,Country,Type,Prod_t_2021,Prod_kt_2021", "several production columns"),
        ("Source,Country,Type,Prod_furlongs_2021", "unknown unit"),
    ],
)
def test_malformed_headers(tmp_path: Path, header: str, reason: str) -> None:
    p = write(tmp_path, "mcs2023-cobal_world.csv", [header, "MCS2023,Cuba,Mine production,1,1"])
    with pytest.raises(DataError, match=reason) as exc:
        parse_usgs([p])
    assert exc.value.file == str(p)


def test_unknown_commodity_code_and_file_name(tmp_path: Path) -> None:
    lines = ["Source,Country,Type,Prod_t_2021", "MCS2023,Cuba,Mine production,1"]
    with pytest.raises(DataError, match="not in the vocabulary"):
        parse_usgs([write(tmp_path, "mcs2023-unobt_world.csv", lines)])
    with pytest.raises(DataError, match="file name"):
        parse_usgs([write(tmp_path, "cobalt_world_production.csv", lines)])


def test_capacity_only_file_is_skipped_with_a_warning(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "mcs2023-abras_world.csv",
        [
            "Source,Country,Type,Cap_t_est_2021,Cap_t_est_2022",
            'MCS2023,Austria,"Plant capacity, fused aluminum oxide",60000,60000',
        ],
    )
    parsed = parse_usgs([p])
    assert parsed.tables["production"].empty
    assert list(parsed.tables["production"].columns) == COLUMNS
    assert any("capacity columns only" in w for w in parsed.warnings)
    with pytest.raises(DataError, match="no production rows"):
        UsgsConnector().ingest([p], DataStore(tmp_path / "store"))


def test_capacity_rows_are_left_out_and_counted(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "mcs2023-cemen_world.csv",
        [
            "Source,Country,Type,Prod_kt_est_2021,Prod_kt_est_2022",
            'MCS2023,China,"Cement production, estimated",2500000,2100000',
            'MCS2023,China,"Clinker capacity, estimated",2000000,2000000',
            'MCS2023,India,"Clinker capacity, estimated",280000,290000',
        ],
    )
    parsed = parse_usgs([p])
    df = parsed.tables["production"]
    assert set(df["description"]) == {"Cement production, estimated"}
    assert (df["stage"] == "processing").all()
    assert any("2 capacity rows" in w for w in parsed.warnings)


def test_missing_type_header_and_missing_source(tmp_path: Path) -> None:
    fluor = write(
        tmp_path,
        "mcs2024-fluor_world.csv",
        [
            'Source,Country,"Mine production, fluorspar",Prod_kt_2022,Prod_kt_Est_2023,'
            "Prod_notes,,",
            'MCS2024,China,"Mine production, fluorspar",5700,5700,,,',
            'MCS 2024,Mexico,"Mine production, fluorspar",1000,1000,,,',
        ],
    )
    fepig = write(
        tmp_path,
        "mcs2024-fepig_world.csv",
        [
            "Source,Country,Type,Prod_t_est_2022,Prod_t_est_2023,Prod_notes",
            ",India (ocher),,3100000,3200000,",
            ",World total (rounded),,NA,NA,",
        ],
    )
    parsed = parse_usgs([fluor, fepig])
    df = parsed.tables["production"]
    assert set(df["release"]) == {"MCS2024"}  # 'MCS 2024' and empty Source (file name)
    f = df[df["source_name"] == "fluor"]
    assert set(f["description"]) == {"Mine production, fluorspar"}
    assert set(f["stage"]) == {"extraction"}
    assert any("no 'Type' column" in w for w in parsed.warnings)
    fe = df[df["source_name"] == "fepig"]
    assert fe["description"].isna().all() and fe["stage"].isna().all()
    assert by(fe, "India (ocher)", 2023)["country"] == "IND"
    assert any("fepig" in w and "without a Type" in w for w in parsed.warnings)


def test_unmapped_country_is_kept_as_other_with_a_warning(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "mcs2023-abras_world.csv",
        [
            "Source,Country,Type,Prod_t_2021",
            'MCS2023,United\xa0States and Canada,"Plant production, fused aluminum oxide",60000',
            'MCS2023,Atlantis,"Plant production, fused aluminum oxide",5',
            'MCS2023,Atlantis,"Plant production, silicon carbide",6',
        ],
    )
    parsed = parse_usgs([p])
    df = parsed.tables["production"]
    assert len(df) == 3
    assert df["country"].isna().all()
    assert (df["row_type"] == "other").all()
    assert set(df["country_label"]) == {"United States and Canada", "Atlantis"}
    (w,) = [w for w in parsed.warnings if "without ISO3" in w]
    assert "2 country names" in w and "Atlantis (2 rows)" in w
    assert "United States and Canada (1 rows)" in w


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Mine production, contained cobalt", "extraction"),
        ("Mine production, metric tons of contained cobalt", "extraction"),
        ("Mne production, grosss weight, marketable chromite ore", "extraction"),
        ("Mine poduction, Kaolin", "extraction"),
        (" World mine production: Palladium", "extraction"),
        ("Iron ore - mine production - iron content - thousand metric tons", "extraction"),
        ("Soda ash, natural, mine production", "extraction"),
        ("crude borates", "extraction"),
        ("Kyanite and Related Minerals", "extraction"),
        ("Primary production", "processing"),  # gallium
        ("Primary and secondary refinery production", "processing"),  # germanium
        ("Refinery production", "processing"),
        ("Smelter production, aluminum", "processing"),
        ("Magnesium smelter production", "processing"),
        ("Plant production, lime", "processing"),
        ("Sponge Metal Production and Sponge and Pigment Capacity", "processing"),
        ("Raw steel, million metric tons", "processing"),
        ("Refinery production, alumina - calcined equivalent weights", "processing"),
        ("boron compounds", "processing"),
        ("refined borates", "processing"),
        ("Soda ash, synthetic", "processing"),
        ("", None),
        (None, None),
        ("Something else entirely", None),
    ],
)
def test_stage_rule(text: str | None, stage: str | None) -> None:
    assert stage_of(text) == stage


@pytest.mark.parametrize(
    ("total", "tol"),
    [
        (170000, 5000),
        (142000, 500),
        (434000, 500),
        (230000, 5000),
        (8320, 5),
        (605, 0.5),
        (1.9, 0.05),
        (0, 0),
    ],
)
def test_rounding_tolerance(total: float, tol: float) -> None:
    assert rounding_tolerance(total) == pytest.approx(tol)


def _prod(rows: list[tuple]) -> pd.DataFrame:
    """Production rows from (label, iso3, row_type, description, year, value)."""
    out = []
    for label, iso, kind, desc, year, value in rows:
        out.append(
            {
                "material": "cobalt",
                "source_name": "cobal",
                "stage": "extraction",
                "description": desc,
                "country": iso,
                "country_label": label,
                "row_type": kind,
                "year": year,
                "value": value,
                "unit": "t",
                "estimated": False,
                "note": None,
                "release": "MCS2024",
            }
        )
    return pd.DataFrame(out, columns=COLUMNS)


def test_world_total_check_hand_computed() -> None:
    m = "Mine production"
    prod = _prod(
        [
            ("Congo (Kinshasa)", "COD", "country", m, 2022, 100000.0),
            ("Russia", "RUS", "country", m, 2022, 40000.0),
            ("United States", "USA", "country", m, 2022, None),  # W
            ("Other countries", None, "other", m, 2022, 2100.0),
            ("World total (rounded)", None, "world", m, 2022, 142000.0),
            ("Congo (Kinshasa)", "COD", "country", m, 2023, 150000.0),
            ("Russia", "RUS", "country", m, 2023, 10000.0),
            ("World total (rounded)", None, "world", m, 2023, 170000.0),
        ]
    )
    check = world_total_check(prod).set_index("year")
    y22 = check.loc[2022]
    # 100000 + 40000 + 2100 = 142100; 142000 is rounded to the thousand: ±500.
    assert y22["sum_countries"] == 142100.0
    assert y22["world_total"] == 142000.0
    assert y22["gap"] == -100.0
    assert y22["tolerance"] == 500.0
    assert bool(y22["within_rounding"]) is True
    assert (y22["n_rows"], y22["n_missing"]) == (4, 1)
    y23 = check.loc[2023]
    # 160000 against 170000 (±5000): 10000 off, outside the rounding.
    assert (y23["sum_countries"], y23["gap"], y23["tolerance"]) == (160000.0, 10000.0, 5000.0)
    assert bool(y23["within_rounding"]) is False


def test_world_total_check_types_grand_total_and_excluding_us() -> None:
    il, ru = "Mine production: Ilmenite", "Mine production: rutile"
    w_il, w_ru = "World total (ilmenite, rounded)", "World total (rutile, rounded)"
    w_all = "World total (ilmenite and rutile, rounded)"
    prod = _prod(
        [
            ("United States", "USA", "country", f"{il} and rutile", 2022, 100.0),
            ("Australia", "AUS", "country", il, 2022, 480.0),
            ("China", "CHN", "country", il, 2022, 2800.0),
            (w_il, None, "world", f"World total {il} (rounded)", 2022, 3400.0),
            ("Australia", "AUS", "country", ru, 2022, 190.0),
            ("Kenya", "KEN", "country", ru, 2022, 73.0),
            (w_ru, None, "world", "World total mine production: rutile", 2022, 263.0),
            (w_all, None, "world", "World total mine production: ilmenite and rutile", 2022, 3700),
        ]
    )
    check = world_total_check(prod).set_index("world_label")
    # 'Ilmenite and rutile' (USA) is counted with the ilmenite total: 100 + 480 + 2800.
    assert check.loc[w_il, "sum_countries"] == 3380.0
    assert check.loc[w_ru, "sum_countries"] == 263.0
    # The grand total is compared with the two sub-totals: 3400 + 263.
    grand = check.loc[w_all]
    assert (grand["sum_countries"], grand["n_rows"]) == (3663.0, 2)
    assert check["within_rounding"].all()

    mine = "Mine production"
    excl = _prod(
        [
            ("United States", "USA", "country", mine, 2022, 900.0),
            ("Chile", "CHL", "country", mine, 2022, 300.0),
            ("World total (rounded), excluding U.S. production", None, "world", mine, 2022, 300),
        ]
    )
    row = world_total_check(excl).iloc[0]
    assert (row["sum_countries"], bool(row["within_rounding"])) == (300.0, True)


def test_world_total_gaps_become_warnings(tmp_path: Path) -> None:
    lines = [*COBALT_2022[:-1], 'MCS2022,World total (rounded),"Mine production",130000,170000']
    parsed = parse_usgs([write(tmp_path, "cobalt_mcs2022-cobal_world.csv", lines)])
    (w,) = parsed.warnings
    assert "MCS2022 cobalt 2020 'World total (rounded)' = 130000 t" in w
    assert "rows sum to 142000, gap -12000, rounding ±5000" in w
    assert parsed.attributes["world_total_check"] == {"groups": 2, "within_rounding": 1}


def test_folder_reads_only_world_files(tmp_path: Path) -> None:
    folder = tmp_path / "usgs"
    write(folder / "2022", "cobalt_mcs2022-cobal_world.csv", COBALT_2022)
    write(folder / "2022", "cobalt_mcs2022-cobal_salient.csv", ["DataSource,Commodity,Year"])
    write(folder / "2023_trends", "MCS2023_T1_Mineral_Industry_Trends.csv", ["Year,Value"])
    (folder / "2024_world").mkdir()
    (folder / "2024_world" / "MCS 2024 Data Release Revision File.txt").write_text("notes")
    parsed = parse_usgs([folder])
    assert [p.name for p, _ in parsed.inputs] == ["cobalt_mcs2022-cobal_world.csv"]
    # Named explicitly, a non-production file is read, and rejected.
    with pytest.raises(DataError, match="Country"):
        parse_usgs([folder / "2022" / "cobalt_mcs2022-cobal_salient.csv"])
    with pytest.raises(DataError, match="world production files"):
        parse_usgs([folder / "2023_trends"])


def test_same_file_twice_and_two_versions_of_one_file(tmp_path: Path) -> None:
    p = write(tmp_path / "a", "mcs2023-cobal_world.csv", COBALT_2022)
    assert len(parse_usgs([p, tmp_path / "a"]).inputs) == 1
    write(tmp_path / "b", "mcs2023-cobal_world.csv", COBALT_2022)
    with pytest.raises(DataError, match="two files"):
        parse_usgs([tmp_path / "a", tmp_path / "b"])


def test_ingest_writes_parquet_and_is_idempotent(tmp_path: Path) -> None:
    a = write(tmp_path / "in", "cobalt_mcs2022-cobal_world.csv", COBALT_2022)
    b = write(
        tmp_path / "in",
        "mcs2024-cobal_world.csv",
        [
            "Source,Country,Type,Prod_t_est_2022,Prod_t_est_2023,Prod_notes",
            'MCS2024,Congo (Kinshasa),"Mine production, metric tons of contained cobalt",'
            "144000,170000,",
        ],
    )
    store = DataStore(tmp_path / "store")
    calls: list[tuple[str, int, int | None]] = []
    rep = UsgsConnector().ingest(
        [tmp_path / "in"], store, progress=lambda s, d, t: calls.append((s, d, t))
    )
    assert rep.changed is True
    assert rep.dataset == "usgs_mcs"
    m = rep.manifest
    assert (m.source, m.kind, m.release) == ("usgs", "mineral_production", "MCS2022-MCS2024")
    assert m.attributes["years"] == [2020, 2021, 2022, 2023]
    assert m.attributes["editions"] == ["MCS2022", "MCS2024"]
    assert m.parser_version == "usgs-1.0"
    assert "public domain" in m.licence
    assert {i.name for i in m.inputs} == {a.name, b.name}
    assert [c[:2] for c in calls[:2]] == [(f"parse {a.name}", 0), (f"parse {b.name}", 1)]
    assert calls[0][2] == 2

    ds = store.get("usgs_mcs")
    df = pd.read_parquet(ds.table_files("production")[0])
    assert list(df.columns) == COLUMNS
    assert len(df) == 12
    cod = df[(df["country"] == "COD") & (df["year"] == 2023)].iloc[0]
    assert (cod["value"], cod["unit"], cod["release"]) == (170000.0, "t", "MCS2024")
    assert str(df["year"].dtype) == "int16"

    again = UsgsConnector().ingest([tmp_path / "in"], store)
    assert again.changed is False
    assert again.manifest.version == m.version


def test_unknown_option_is_refused(tmp_path: Path) -> None:
    from ketenradar.core.errors import UsageError

    p = write(tmp_path, "cobalt_mcs2022-cobal_world.csv", COBALT_2022)
    with pytest.raises(UsageError, match="unknown option"):
        UsgsConnector().ingest([p], DataStore(tmp_path / "store"), hs="HS92")


def test_unknown_type_and_source_mismatch_are_reported(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "mcs2023-cobal_world.csv",
        [
            "Source,Country,Type,Prod_t_2021",
            "MCS2022,Cuba,Something else entirely,3800",
            "MCS2022,Cuba,Mine production,3800",
        ],
    )
    parsed = parse_usgs([p])
    df = parsed.tables["production"]
    assert set(df["release"]) == {"MCS2022"}  # the Source column wins over the file name
    assert df.set_index("description")["stage"].to_dict() == {
        "Something else entirely": None,
        "Mine production": "extraction",
    }
    assert any("matches no stage rule" in w for w in parsed.warnings)
    assert any("Source says MCS2022, the file name MCS2023" in w for w in parsed.warnings)
    with pytest.raises(DataError, match="unrecognised Source") as exc:
        parse_usgs(
            [
                write(
                    tmp_path,
                    "mcs2024-cobal_world.csv",
                    ["Source,Country,Prod_t_2021", "USGS,Cuba,1"],
                )
            ]
        )
    assert (exc.value.line, exc.value.field) == (2, "Source")
