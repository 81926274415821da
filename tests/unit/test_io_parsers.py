"""Parsers for the publishers' input-output layouts (OECD ICIO CSV, WIOD workbooks, WIOD R forms).

No publisher file is available offline, so each test writes a small table (3 regions × 2
sectors) in the publisher's layout to ``tmp_path``, with numbers chosen so that cells can be
checked by hand:

* ``Z[i, j] = 10·(i + 1) + (j + 1)`` (industries in region-major order: ``Z[3, 0]`` = 41 is
  region 2, sector 2 selling to region 1, sector 1);
* ``Y[i, d, k] = 100·(i + 1) + 10·d + k + frac`` (``frac`` gives the decimals whose count
  sets ``rounding_unit``);
* taxes less subsidies ``0.25·(j + 1)``, output = row sums, value added = the rest of the
  column.

The WIOD 2013 workbook is also read with ``pymrio.parse_wiod`` and the ICIO CSVs with
``pymrio.parse_oecd`` (an independent implementation of the same layouts): both must agree.
The real WIOD 2013 R tables in the shared data folder are read at the end.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import require_shared
from openpyxl import Workbook

from ketenradar.core.errors import DataError
from ketenradar.datasets.iotable import check_balance
from ketenradar.sources.io_layouts import (
    ICIO_FD_CATEGORIES,
    WIOD2013_FD,
    WIOD2016_FD,
    _wiod2016_from_frame,
    icio_region_catalogue,
    parse_icio_csv,
    parse_wiod2016_r,
    parse_wiod_excel,
    sector_catalogue,
    wiod2013_from_rdata,
)

ICIO_REGIONS = ["AUS", "NLD", "ROW"]
ICIO_SECTORS = ["A01", "C17_18"]  # an underscore inside a sector code


def numbers(R: int, S: int, K: int, frac: float = 0.0) -> dict[str, np.ndarray]:
    """The hand-checkable table: Z, Y, TLS, x, column sums of Z."""
    n = R * S
    i = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    Z = 10.0 * (i + 1) + (j + 1)
    Y = (
        100.0 * (np.arange(n)[:, None, None] + 1)
        + 10.0 * np.arange(R)[None, :, None]
        + np.arange(K)[None, None, :]
        + frac
    )
    x = Z.sum(axis=1) + Y.sum(axis=(1, 2))
    tls = 0.25 * (np.arange(n) + 1)
    return {"Z": Z, "Y": Y, "x": x, "tls": tls, "colsum": Z.sum(axis=0)}


# --- OECD ICIO CSV ------------------------------------------------------------------------------


def icio_frame(
    regions: list[str] = ICIO_REGIONS,
    sectors: list[str] = ICIO_SECTORS,
    fd_regions: list[str] | None = None,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """An ICIO table in the OECD layout (rows/columns labelled), and its numbers."""
    fd_regions = fd_regions or regions
    R, S, K = len(regions), len(sectors), len(ICIO_FD_CATEGORIES)
    num = numbers(R, S, K)
    # Final demand only for fd_regions (sub-regions have no final-demand columns).
    Y = num["Y"][:, : len(fd_regions), :]
    x = num["Z"].sum(axis=1) + Y.sum(axis=(1, 2))
    num["Y"], num["x"] = Y, x
    ind = [f"{r}_{s}" for r in regions for s in sectors]
    fd = [f"{r}_{c}" for r in fd_regions for c in ICIO_FD_CATEGORIES]
    va = x - num["colsum"] - num["tls"]
    num["va"] = va
    body = np.hstack([num["Z"], Y.reshape(len(ind), -1), x[:, None]])
    n_fd = len(fd)
    tls_row = np.concatenate([num["tls"], np.full(n_fd, 0.5), [np.nan]])
    va_row = np.concatenate([va, np.zeros(n_fd), [np.nan]])
    out_row = np.concatenate([x, Y.reshape(len(ind), -1).sum(axis=0) + 0.5, [np.nan]])
    data = np.vstack([body, tls_row, va_row, out_row])
    df = pd.DataFrame(data, index=[*ind, "TLS", "VA", "OUT"], columns=[*ind, *fd, "OUT"])
    df.index.name = "V1"
    return df, num


def write_icio(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path)
    return path


def test_icio_csv_hand_checked(tmp_path: Path) -> None:
    df, num = icio_frame()
    t = parse_icio_csv(write_icio(df, tmp_path / "2022_SML.csv"))
    assert (t.source, t.year, t.unit) == ("icio", 2022, "USD million")
    assert t.regions == ICIO_REGIONS
    assert t.sectors == ["A01", "C17_18"]
    assert t.fd_categories == list(ICIO_FD_CATEGORIES)
    # NLD_C17_18 (row 3) sells 41 to AUS_A01 (column 0); AUS_C17_18 (row 1) → NLD GFCF.
    assert t.Z[3, 0] == 41.0
    assert t.Y[1, 1, 3] == 213.0  # 100·2 + 10·1 + 3
    # AUS_A01: Z row 11..16 = 81, final demand 1800 + 180 + 45 = 2025.
    assert t.x[0] == 2106.0
    assert t.other[0] == 0.25 and t.other[5] == 1.5
    assert t.va[0] == pytest.approx(2106.0 - (11 + 21 + 31 + 41 + 51 + 61) - 0.25)
    np.testing.assert_array_equal(t.Z, num["Z"])
    np.testing.assert_array_equal(t.Y, num["Y"])
    np.testing.assert_allclose(t.y_total, num["Y"].sum(axis=(1, 2)))
    np.testing.assert_allclose(t.va, num["va"])
    assert t.rounding_unit == 0.01  # 0.25 is the most precise number written
    assert t.region_names["NLD"] == "Netherlands"
    assert t.region_names["ROW"] == "Rest of the World"  # from the shipped OECD list
    assert t.sector_names["C17_18"].startswith("Manufacture of paper")
    assert check_balance(t).ok
    assert any("taxes less subsidies on final demand" in n for n in t.notes)


def test_icio_year_from_name_or_argument(tmp_path: Path) -> None:
    df, _ = icio_frame()
    assert parse_icio_csv(write_icio(df, tmp_path / "ICIO2023_2019.csv")).year == 2019
    assert parse_icio_csv(tmp_path / "ICIO2023_2019.csv", year=2018).year == 2018
    with pytest.raises(DataError, match="year"):
        parse_icio_csv(write_icio(df, tmp_path / "icio.csv"))


def test_icio_order_of_rows_and_columns_follows_labels(tmp_path: Path) -> None:
    df, num = icio_frame()
    ind = list(df.index[:6])
    # Rows sector-major, industry columns reversed: the table is still region-major.
    rows = [ind[k] for k in (0, 2, 4, 1, 3, 5)] + ["TLS", "VA", "OUT"]
    cols = ind[::-1] + list(df.columns[6:])
    t = parse_icio_csv(write_icio(df.loc[rows, cols], tmp_path / "2022_SML.csv"))
    assert t.regions == ICIO_REGIONS and t.sectors == ICIO_SECTORS
    np.testing.assert_array_equal(t.Z, num["Z"])
    np.testing.assert_array_equal(t.Y, num["Y"])


def test_icio_china_mexico_split_is_aggregated_like_pymrio(tmp_path: Path) -> None:
    import pymrio

    regions = ["AUS", "CHN", "MEX", "ROW", "CN1", "CN2", "MX1", "MX2"]
    main = ["AUS", "CHN", "MEX", "ROW"]
    df, num = icio_frame(regions, ICIO_SECTORS, fd_regions=main)
    path = write_icio(df, tmp_path / "ICIO2023_2019.csv")
    t = parse_icio_csv(path)
    assert t.regions == main
    S = 2

    def at(r: str, s: int) -> int:
        return regions.index(r) * S + s

    # CHN_A01 → AUS_A01 = CHN + CN1 + CN2 rows: 31 + 91 + 111.
    assert t.Z[2, 0] == 233.0
    assert t.Z[2, 0] == sum(num["Z"][at(r, 0), at("AUS", 0)] for r in ("CHN", "CN1", "CN2"))
    # MEX_C17_18 buying from AUS_A01: MEX + MX1 + MX2 columns.
    assert t.Z[0, 5] == sum(num["Z"][0, at(r, 1)] for r in ("MEX", "MX1", "MX2"))
    assert t.x.sum() == pytest.approx(num["x"].sum())
    assert any("CN1, CN2 into CHN" in n for n in t.notes)
    # pymrio's parser gives the same blocks (it sorts the regions; reorder to ours).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        io = pymrio.parse_oecd(path)
    idx = pd.MultiIndex.from_product([t.regions, t.sectors])
    np.testing.assert_allclose(t.Z, io.Z.loc[idx, idx].to_numpy())
    for d, r in enumerate(t.regions):
        for k, c in enumerate(t.fd_categories):
            np.testing.assert_allclose(t.Y[:, d, k], io.Y.loc[idx, (r, c)].to_numpy())
    F = io.factor_inputs.F
    np.testing.assert_allclose(t.va, F.loc["VA", idx].to_numpy())
    np.testing.assert_allclose(t.other, F.loc["TLS", idx].to_numpy())


def test_icio_row_and_column_labels_must_match(tmp_path: Path) -> None:
    df, _ = icio_frame()
    df = df.rename(columns={"NLD_C17_18": "NLD_C17"})
    with pytest.raises(DataError, match="row and column labels differ") as exc:
        parse_icio_csv(write_icio(df, tmp_path / "2022_SML.csv"))
    assert "rows without a matching column: NLD_C17_18" in str(exc.value)
    assert "columns without a matching row: NLD_C17" in str(exc.value)


def test_icio_unknown_row_label(tmp_path: Path) -> None:
    df, _ = icio_frame()
    df = df.rename(index={"TLS": "TAXSUB"})
    with pytest.raises(DataError, match="TAXSUB"):
        parse_icio_csv(write_icio(df, tmp_path / "2022_SML.csv"))


def test_icio_non_numeric_cell_is_named(tmp_path: Path) -> None:
    df, _ = icio_frame()
    df = df.astype(object)
    df.loc["AUS_A01", "NLD_GFCF"] = "n/a"
    with pytest.raises(DataError, match="non-numeric") as exc:
        parse_icio_csv(write_icio(df, tmp_path / "2022_SML.csv"))
    msg = str(exc.value)
    assert "row AUS_A01 (line 2)" in msg and "column NLD_GFCF" in msg and "'n/a'" in msg


def test_icio_empty_cell_is_named(tmp_path: Path) -> None:
    df, _ = icio_frame()
    df.loc["NLD_A01", "ROW_C17_18"] = np.nan
    with pytest.raises(DataError, match="empty cell") as exc:
        parse_icio_csv(write_icio(df, tmp_path / "2022_SML.csv"))
    assert "row NLD_A01 (line 4), column ROW_C17_18" in str(exc.value)


def test_icio_missing_out_row(tmp_path: Path) -> None:
    df, num = icio_frame()
    path = write_icio(df.drop(index="OUT"), tmp_path / "2022_SML.csv")
    with pytest.raises(DataError, match="OUT") as exc:
        parse_icio_csv(path)
    assert exc.value.field == "OUT"
    t = parse_icio_csv(path, allow_missing_output=True)
    np.testing.assert_allclose(t.x, num["x"])
    assert any("OUT column" in n for n in t.notes)
    # Without the OUT column too: row sums.
    path = write_icio(df.drop(index="OUT", columns="OUT"), tmp_path / "2021_SML.csv")
    t = parse_icio_csv(path, allow_missing_output=True)
    np.testing.assert_allclose(t.x, num["x"])
    assert any("row sums" in n for n in t.notes)


def test_icio_out_row_and_column_must_agree(tmp_path: Path) -> None:
    df, _ = icio_frame()
    df.loc["NLD_A01", "OUT"] += 5
    with pytest.raises(DataError, match="disagree") as exc:
        parse_icio_csv(write_icio(df, tmp_path / "2022_SML.csv"))
    assert "NLD_A01" in str(exc.value)


def test_icio_missing_final_demand_column(tmp_path: Path) -> None:
    df, _ = icio_frame()
    with pytest.raises(DataError, match="final-demand columns missing: NLD_DPABR"):
        parse_icio_csv(write_icio(df.drop(columns="NLD_DPABR"), tmp_path / "2022_SML.csv"))


def test_icio_ragged_line_and_duplicate_label(tmp_path: Path) -> None:
    df, _ = icio_frame()
    path = write_icio(df, tmp_path / "2022_SML.csv")
    lines = path.read_text().splitlines()
    lines[3] += ",1"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="malformed CSV"):
        parse_icio_csv(path)
    lines = write_icio(df, path).read_text().splitlines()
    lines[0] = lines[0].replace("NLD_A01", "AUS_A01")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="more than once: AUS_A01"):
        parse_icio_csv(path)


# --- WIOD workbooks -----------------------------------------------------------------------------

WIOD13_SECTORS = [
    (1, "AtB", "Agriculture, Hunting, Forestry and Fishing"),
    (35, "P", "Private Households with Employed Persons"),  # pymrio looks for c35
]
WIOD16_SECTORS = [(1, "A01", "Crop and animal production"), (2, "B", "Mining and quarrying")]
#: (code, description, amount per column) of the primary-input rows; TXSP is the TLS vector.
PRIMARY_ROWS = [
    ("TXSP", "taxes less subsidies on products", None),
    ("EXP_adj", "Cif/ fob adjustments on exports", 0.5),
    ("PURR", "Direct purchases abroad by residents", 1.0),
    ("PURNR", "Purchases on the domestic territory by non-residents", -0.5),
    ("IntTTM", "International Transport Margins", 0.25),
]


def wiod_numbers(R: int, S: int) -> dict[str, np.ndarray]:
    num = numbers(R, S, 5, frac=0.5)
    other = num["tls"] + 0.5 + 1.0 - 0.5 + 0.25
    num["other"] = other
    num["va"] = num["x"] - num["colsum"] - other
    return num


def write_wiod_workbook(
    path: Path,
    release: str,
    regions: list[str],
    *,
    primary_codes: bool = True,
    primary_names: bool = True,
    rnr_style: str = "int",
    drop_row: str | None = None,
    edit: dict[tuple[int, int], object] | None = None,
) -> dict[str, np.ndarray]:
    """A WIOD world input-output table workbook of the 2013 or 2016 release.

    Two title rows, four header rows (code, description, country, number), four label
    columns; industries, final demand per country, a total column; primary-input rows below.
    ``edit`` overwrites cells (0-based row, column) before saving.
    """
    sectors = WIOD13_SECTORS if release == "2013" else WIOD16_SECTORS
    fd = WIOD2013_FD if release == "2013" else WIOD2016_FD
    R, S, K = len(regions), len(sectors), 5
    num = wiod_numbers(R, S)
    n = R * S

    def number(k: int) -> object:
        return f"c{k}" if release == "2013" or rnr_style == "c" else k

    year = "2011" if release == "2013" else "2014"
    grid: list[list[object]] = [
        [f"World Input-Output Table {year}"],
        ["Current prices"],
        ["(industry-by-industry)", None, None, None],
        ["(millions of US$)", None, None, None],
        [None, None, None, None],
        [None, None, None, None]
        if release == "2013"
        else ["Code", "Description", "Country", "RNr"],
    ]
    for r in regions:
        for k, code, name in sectors:
            grid[2].append(code)
            grid[3].append(name)
            grid[4].append(r)
            grid[5].append(number(k))
    fd_names = ["households", "NPISH", "government", "GFCF", "inventories"]
    for r in regions:
        for (k, code), name in zip(fd.items(), fd_names, strict=True):
            grid[2].append(code if release == "2016" else None)
            grid[3].append(f"Final consumption / {name}")
            grid[4].append(r)
            grid[5].append(number(k))
    grid[2].append("TOT" if release == "2016" else None)
    grid[3].append("Total output")
    grid[4].append("TOT" if release == "2016" else None)
    grid[5].append("TOT" if release == "2016" else "c62")
    i = 0
    for r in regions:
        for k, code, name in sectors:
            grid.append([code, name, r, number(k), *num["Z"][i], *num["Y"][i].ravel(), num["x"][i]])
            i += 1
    total_code = "III" if release == "2013" else "II_fob"
    rows = [(total_code, "Total intermediate consumption", num["colsum"])]
    rows += [(c, d, num["tls"] if v is None else np.full(n, v)) for c, d, v in PRIMARY_ROWS]
    rows.insert(5, ("VA", "Value added at basic prices", num["va"]))
    rows.append(("GO", "Output at basic prices", num["x"]))
    r_numbers = (
        [60, 61, 62, 63, 64, 65, 66, 69] if release == "2013" else [65, 66, 67, 68, 69, 70, 71, 73]
    )
    for (code, desc, vals), rn in zip(rows, r_numbers, strict=True):
        if code == drop_row:
            continue
        desc = desc if primary_names else None
        if release == "2013":
            label = [code if primary_codes else None, desc, None, f"r{rn}"]
        else:
            label = [code, desc, "TOT", f"r{rn}" if rnr_style == "c" else rn]
        fd_part = [0.5] * (R * K) if code == "TXSP" else [None] * (R * K)
        grid.append([*label, *vals, *fd_part, None])
    for (r, c), v in (edit or {}).items():
        grid[r][c] = v
    wb = Workbook()
    ws = wb.active
    ws.title = f"WIOT_{year}" if release == "2013" else year
    for row in grid:
        ws.append(row)
    wb.save(path)
    return num


@pytest.mark.parametrize("primary_codes", [True, False])
def test_wiod2013_workbook_hand_checked_and_like_pymrio(
    tmp_path: Path, primary_codes: bool
) -> None:
    regions = ["USA", "ROM", "RoW"]
    path = tmp_path / "wiot11_row_sep12.xlsx"
    num = write_wiod_workbook(path, "2013", regions, primary_codes=primary_codes)
    t = parse_wiod_excel(path)
    assert (t.source, t.year) == ("wiod", 2011)
    assert t.regions == regions  # 'ROM' and 'RoW' kept
    assert t.sectors == ["c1", "c35"]
    assert t.fd_categories == ["c37", "c38", "c39", "c41", "c42"]
    assert t.Z[3, 0] == 41.0  # ROM c35 → USA c1
    assert t.Y[1, 1, 3] == 213.5  # USA c35 → ROM c41
    np.testing.assert_array_equal(t.Z, num["Z"])
    np.testing.assert_array_equal(t.Y, num["Y"])
    np.testing.assert_allclose(t.x, num["x"])
    np.testing.assert_allclose(t.va, num["va"])
    np.testing.assert_allclose(t.other, num["other"])  # TXSP + EXP_adj + PURR + PURNR + IntTTM
    assert t.rounding_unit == 0.1
    assert t.region_names["ROM"] == "Romania" and t.region_names["USA"] == "United States"
    assert t.sector_names["c35"] == "Private Households with Employed Persons"
    assert check_balance(t).ok

    import pymrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        io = pymrio.parse_wiod(path)
    # pymrio renames ROM to ROU and names sectors by their ISIC codes.
    idx = pd.MultiIndex.from_product([["USA", "ROU", "RoW"], ["AtB", "P"]])
    np.testing.assert_allclose(t.Z, io.Z.loc[idx, idx].to_numpy())
    for d, r in enumerate(["USA", "ROU", "RoW"]):
        for k, c in enumerate(t.fd_categories):
            np.testing.assert_allclose(t.Y[:, d, k], io.Y.loc[idx, (r, c)].to_numpy())
    F = io.factor_inputs.F
    np.testing.assert_allclose(t.va, F.loc["Value added at basic prices", idx].to_numpy())


@pytest.mark.parametrize(("rnr_style", "primary_names"), [("int", True), ("c", False)])
def test_wiod2016_workbook_hand_checked(
    tmp_path: Path, rnr_style: str, primary_names: bool
) -> None:
    regions = ["AUS", "NLD", "ROW"]
    path = tmp_path / "WIOT2014_Nov16_ROW.xlsx"
    num = write_wiod_workbook(
        path, "2016", regions, rnr_style=rnr_style, primary_names=primary_names
    )
    t = parse_wiod_excel(path)
    assert (t.source, t.year) == ("wiod", 2014)
    assert t.regions == regions and t.sectors == ["A01", "B"]
    assert t.fd_categories == ["CONS_h", "CONS_np", "CONS_g", "GFCF", "INVEN"]
    assert t.Z[3, 0] == 41.0 and t.Y[1, 1, 3] == 213.5
    np.testing.assert_array_equal(t.Z, num["Z"])
    np.testing.assert_array_equal(t.Y, num["Y"])
    np.testing.assert_allclose(t.x, num["x"])
    np.testing.assert_allclose(t.va, num["va"])
    # other = TXSP + EXP_adj + PURR + PURNR + IntTTM; II_fob (= column sums of Z) not added.
    assert t.other[0] == pytest.approx(0.25 + 0.5 + 1.0 - 0.5 + 0.25)
    np.testing.assert_allclose(t.other, num["other"])
    assert t.sector_names["B"] == "Mining and quarrying"
    assert t.region_names["ROW"] == "Rest of the World"
    assert check_balance(t).ok
    assert not any("empty cell" in n for n in t.notes)  # blanks under final demand unused


def test_wiod_workbook_missing_go_row(tmp_path: Path) -> None:
    path = tmp_path / "WIOT2014_Nov16_ROW.xlsx"
    write_wiod_workbook(path, "2016", ["AUS", "NLD", "ROW"], drop_row="GO")
    with pytest.raises(DataError, match="no GO row") as exc:
        parse_wiod_excel(path)
    assert exc.value.field == "GO"


def test_wiod_workbook_non_numeric_cell(tmp_path: Path) -> None:
    path = tmp_path / "WIOT2014_Nov16_ROW.xlsx"
    # Row 8 (0-based 7) is AUS B; column F (0-based 5) is AUS B's inputs.
    write_wiod_workbook(path, "2016", ["AUS", "NLD", "ROW"], edit={(7, 5): "x"})
    with pytest.raises(DataError, match="non-numeric") as exc:
        parse_wiod_excel(path)
    assert "cell F8 (row AUS 2): 'x'" in str(exc.value)


def test_wiod_workbook_mismatched_labels(tmp_path: Path) -> None:
    path = tmp_path / "wiot11_row_sep12.xlsx"
    # Header row 5 (0-based 4), column F (0-based 5): USA c35 relabelled as DEU c35.
    write_wiod_workbook(path, "2013", ["USA", "ROM", "RoW"], edit={(4, 5): "DEU"})
    with pytest.raises(DataError, match="labels differ") as exc:
        parse_wiod_excel(path)
    assert "rows without a matching column: USA c35" in str(exc.value)
    assert "columns without a matching row: DEU c35" in str(exc.value)


def test_wiod_workbook_go_must_equal_total_column(tmp_path: Path) -> None:
    path = tmp_path / "WIOT2014_Nov16_ROW.xlsx"
    write_wiod_workbook(path, "2016", ["AUS", "NLD", "ROW"], edit={(8, 4 + 6 + 15): 1.0})
    with pytest.raises(DataError, match="GO row and the total") as exc:
        parse_wiod_excel(path)
    assert "NLD1" in str(exc.value)


def test_wiod_workbook_not_wiod(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(["just", "a", "sheet"])
    wb.save(tmp_path / "other.xlsx")
    with pytest.raises(DataError, match="no sheet in the WIOD layout"):
        parse_wiod_excel(tmp_path / "other.xlsx")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(DataError, match="cannot read as an Excel workbook"):
        parse_wiod_excel(tmp_path / "bad.xlsx")


# --- WIOD 2016 release, R form ------------------------------------------------------------------


def wiod2016_frame(regions: list[str], year: int = 2014) -> tuple[pd.DataFrame, dict]:
    """The ``wiot`` data frame of WIOT{year}_October16_ROW.RData, small."""
    S = len(WIOD16_SECTORS)
    num = wiod_numbers(len(regions), S)
    n = len(regions) * S
    cols = [f"{r}{k}" for r in regions for k, _, _ in WIOD16_SECTORS]
    cols += [f"{r}{k}" for r in regions for k in WIOD2016_FD]
    recs = []
    i = 0
    for r in regions:
        for k, code, desc in WIOD16_SECTORS:
            vals = [*num["Z"][i], *num["Y"][i].ravel(), num["x"][i]]
            recs.append([code, desc, r, k, year, *vals])
            i += 1
    prim = [("II_fob", "Total intermediate consumption", num["colsum"])]
    prim += [(c, d, num["tls"] if v is None else np.full(n, v)) for c, d, v in PRIMARY_ROWS]
    prim += [("VA", "Value added at basic prices", num["va"]), ("GO", "Output", num["x"])]
    for rnr, (code, desc, vals) in enumerate(prim, start=65):
        recs.append([code, desc, "TOT", rnr, year, *vals, *[np.nan] * (len(cols) - n), np.nan])
    df = pd.DataFrame(
        recs,
        columns=["IndustryCode", "IndustryDescription", "Country", "RNr", "Year", *cols, "TOT"],
    )
    return df, num


def test_wiod2016_rdata_written_and_read(tmp_path: Path) -> None:
    import rdata

    df, num = wiod2016_frame(["AUS", "NLD", "ROW"])
    path = tmp_path / "WIOT2014_October16_ROW.RData"
    rdata.write_rda(path, {"wiot": df})
    (t,) = parse_wiod2016_r(path)
    assert (t.source, t.year, t.regions, t.sectors) == (
        "wiod",
        2014,
        ["AUS", "NLD", "ROW"],
        ["A01", "B"],
    )
    assert t.Z[3, 0] == 41.0 and t.Y[1, 1, 3] == 213.5
    np.testing.assert_array_equal(t.Z, num["Z"])
    np.testing.assert_array_equal(t.Y, num["Y"])
    np.testing.assert_allclose(t.x, num["x"])
    np.testing.assert_allclose(t.va, num["va"])
    np.testing.assert_allclose(t.other, num["other"])
    assert t.rounding_unit == 0.1
    assert check_balance(t).ok


def test_wiod2016_frame_several_years_and_bad_input() -> None:
    a, _ = wiod2016_frame(["AUS", "ROW"], year=2013)
    b, _ = wiod2016_frame(["AUS", "ROW"], year=2014)
    tables = _wiod2016_from_frame(pd.concat([a, b], ignore_index=True), file="x.RData")
    assert [t.year for t in tables] == [2013, 2014]
    with pytest.raises(DataError, match="no GO row"):
        _wiod2016_from_frame(b[b["IndustryCode"] != "GO"], file="x.RData")
    bad = b.copy()
    bad.loc[0, "TOT"] += 3
    with pytest.raises(DataError, match=r"GO row and the TOT column disagree.*AUS1"):
        _wiod2016_from_frame(bad, file="x.RData")
    with pytest.raises(DataError, match="columns without a matching row: DEU1"):
        _wiod2016_from_frame(b.rename(columns={"AUS1": "DEU1"}), file="x.RData")
    bad = b.copy()
    bad.loc[1, "ROW2"] = np.nan
    with pytest.raises(DataError, match=r"missing values.*row AUS2, column ROW2"):
        _wiod2016_from_frame(bad, file="x.RData")


# --- WIOD 2013 release, R-package form ----------------------------------------------------------


def test_wiod2013_rdata_small(tmp_path: Path) -> None:
    import rdata

    countries, industries = ["AUS", "ROM", "RoW"], ["c1", "c2"]
    num = numbers(3, 2, 5)
    obj = {
        "year": np.array([2011]),
        "countries": np.array(countries),
        "industries": np.array(industries),
        "inter": num["Z"],
        "final": num["Y"].reshape(6, 15),
        "output": num["x"],
    }
    rdata.write_rda(tmp_path / "wiot_2011.RData", {"wiot_2011": obj})
    t = wiod2013_from_rdata(tmp_path / "wiot_2011.RData")
    assert (t.year, t.regions, t.sectors) == (2011, countries, industries)
    assert t.Y[1, 1, 3] == 213.0 and t.Z[3, 0] == 41.0
    np.testing.assert_allclose(t.va, num["x"] - num["colsum"])
    assert (t.other == 0).all() and t.rounding_unit == 1.0
    assert t.fd_categories == ["c37", "c38", "c39", "c41", "c42"]
    assert any("no value-added" in n for n in t.notes)
    rdata.write_rda(tmp_path / "wiot_regional_2011.RData", {"wiot_reg_2011": obj})
    with pytest.raises(DataError, match="regional WIOD table"):
        wiod2013_from_rdata(tmp_path / "wiot_regional_2011.RData")
    obj["final"] = obj["final"][:, :10]
    rdata.write_rda(tmp_path / "wiot_2010.RData", {"wiot_2010": obj})
    with pytest.raises(DataError, match=r"final has shape \(6, 10\)"):
        wiod2013_from_rdata(tmp_path / "wiot_2010.RData")


@pytest.mark.realdata
@pytest.mark.parametrize("year", [1995, 2011])
def test_wiod2013_real_tables(year: int) -> None:
    import rdata

    folder = require_shared("wiod_2013")
    path = folder / f"wiot_{year}.RData"
    t = wiod2013_from_rdata(path)
    assert t.year == year
    assert len(t.regions) == 41 and len(t.sectors) == 35 and t.Z.shape == (1435, 1435)
    assert "ROM" in t.regions and t.regions[-1] == "RoW"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = rdata.read_rda(path)[f"wiot_{year}"]
    assert t.x.sum() == float(np.asarray(raw["output"]).sum())
    assert t.rounding_unit == 1.0
    assert check_balance(t).ok
    with pytest.raises(DataError, match="regional WIOD table"):
        wiod2013_from_rdata(folder / f"wiot_regional_{year}.RData")


# --- shipped code lists -------------------------------------------------------------------------


def test_shipped_code_lists() -> None:
    icio = sector_catalogue("icio")
    assert len(icio) == 50 and (icio.loc[icio["code"].str[0] <= "F", "kind"] == "goods").all()
    assert icio.set_index("code").loc["J62_63", "kind"] == "services"
    w13 = sector_catalogue("wiod2013")
    assert list(w13["code"]) == [f"c{i}" for i in range(1, 36)]
    assert (w13["kind"] == "goods").sum() == 18
    assert w13.set_index("code").loc["c30", "nace"] == "71t74"
    w16 = sector_catalogue("wiod2016")
    assert len(w16) == 56 and w16["code"].iloc[-1] == "U"
    regions = icio_region_catalogue()
    assert {"ROW", "CN1", "MX2", "NLD"} <= set(regions["code"])
    with pytest.raises(ValueError, match="unknown classification"):
        sector_catalogue("exiobase")
