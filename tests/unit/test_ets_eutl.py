"""The EU ETS (EUTL) connector on hand-made copies of the real layouts: a good export, a
renamed column, a duplicate installation-year, a bad number and a large table that disagrees
(issue 18, item 8), under a folder whose path holds a space and quotes. The kind's tables are
declared by the connector and served by the kinds registry."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ketenradar import api
from ketenradar.core.errors import DataError, NotFoundError
from ketenradar.datasets import open_store
from ketenradar.datasets.engine import read_table
from ketenradar.datasets.kinds import canonical_tables, load_hint, optional_tables
from ketenradar.interfaces.cli.app import app
from ketenradar.modules.industry.api import emissions
from ketenradar.sources.ets_eutl import (
    EMISSION_COLUMNS,
    INSTALLATION_COLUMNS,
    LOCATION_COLUMNS,
)

runner = CliRunner()

IDENTITY = [
    "id",
    "InstallationOrAircraftOperatorID",
    "AccountHolderName",
    "NationalAdministrator",
    "NationalAdministratorCode",
    "AccountStatus",
    "CompanyRegistrationNo",
    "InstallationNameOrAircraftOperatorCode",
    "FirstYearOfEmissions",
    "LastYearOfEmissions",
    "PermitOrPlanID",
    "Address1",
    "Address2",
    "City",
    "ZipCode",
    "Country",
    "MainActivityTypeCode",
    "MainActivityTypeCodeLookup",
]
YEARS = (2021, 2022)
BLOCK = ["FreeAllocations", "ETSPhase", "VerifiedEmissions", "ComplianceCode"]


def _row(num: str, name: str, activity: str, v21: str, v22: str) -> list[str]:
    label = "Aircraft operator activities" if activity == "10" else "Combustion of fuels"
    ident = [f"NL-{num}", num, f"{name} B.V.", "Netherlands", "NL", "open", "12345678", name]
    ident += ["2008", "0", f"NL-2007000{num}", "Straat 1", "", "ROTTERDAM", "3000 AA", "NL"]
    ident += [activity, label]
    return [*ident, "100", "2021-2030", v21, "A", "90", "2021-2030", v22, "A"]


ROWS = [
    _row("144", "Staal", "24", "6000000", "5822618"),
    _row("99", "Raffinaderij", "20", "4000000", "Excluded"),
    _row("7", "Kas", "20", "Not Reported", "NA"),
    _row("200131", "Airline", "10", "1000", "2000"),
]


def header() -> list[str]:
    return IDENTITY + [f"{b}_{y}" for y in YEARS for b in BLOCK]


def write_eutl(folder: Path, rows: list[list[str]], head: list[str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "installations-NL.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head or header())
        w.writerows(rows)
    return path


def write_large(folder: Path, v2022_144: str = "5822618") -> Path:
    path = folder / "nl_ets_large_installations_2022_2025_DERIVED.csv"
    head = ["installation_id", "eutl_account_key", "installation_name", "operator", "country"]
    head += ["city", "verified_2022_t", "verified_2023_t", "free_allocation_2025_t"]
    head += ["source_2022_2023"]
    rows = [
        ["NL_144", "NL-144", "Staal", "Staal B.V.", "NL", "VELSEN", v2022_144, "4543687", "1"],
        ["NL_99", "NL-99", "Raffinaderij", "R B.V.", "NL", "PERNIS", "", "4208347", "2"],
    ]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerows([[*r, "registry 2025"] for r in rows])
    return path


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """A folder whose path holds a space, an apostrophe and double quotes."""
    return tmp_path / 'it\'s an "ETS" folder'


def _no_dataset(data: Path) -> None:
    assert [d.name for d in open_store(data).list()] == []


def _fails(odd: Path, data: Path, *, line: int, fld: str, file: Path) -> DataError:
    with pytest.raises(DataError) as exc:
        api.add_dataset("ets_eutl", [odd], data_dir=data)
    e = exc.value
    assert (e.file, e.line, e.field) == (str(file), line, fld)
    assert str(file) in str(e) and fld in str(e)
    _no_dataset(data)
    r = runner.invoke(app, ["--data-dir", str(data), "data", "add", "ets_eutl", str(odd)])
    assert r.exit_code == 4, r.output
    said = " ".join(r.output.split())
    assert fld in said and f"line {line}" in said
    _no_dataset(data)
    return e


def test_a_good_export_and_the_totals(odd: Path, tmp_path: Path) -> None:
    write_eutl(odd, ROWS)
    write_large(odd)
    data = tmp_path / "store dir"
    r = runner.invoke(app, ["--data-dir", str(data), "data", "add", "ets_eutl", str(odd)])
    assert r.exit_code == 0, r.output
    ds = open_store(data).get("ets_eutl")
    inst, em = read_table(ds, "installations"), read_table(ds, "emissions")
    assert list(inst.columns) == list(INSTALLATION_COLUMNS)
    assert list(em.columns) == list(EMISSION_COLUMNS)
    st = dict(zip(zip(em["installation_id"], em["year"], strict=False), em["status"], strict=True))
    assert st[("NL_99", 2022)] == "Excluded" and st[("NL_7", 2021)] == "Not Reported"
    assert st[("NL_7", 2022)] == "missing"  # NA with an allocation: a row, no number
    assert st[("NL_144", 2023)] == "verified"  # from the large table
    df = emissions(data_dir=data).frame().set_index("year")
    assert df.loc[2022, "verified_t"] == 5822618 and df.loc[2022, "installations"] == 1
    assert df.loc[2022, "excluded"] == 1 and df.loc[2021, "not_reported"] == 1
    assert df.loc[2022, "aircraft_verified_t"] == 2000 and df.loc[2022, "aircraft_operators"] == 1
    assert df.loc[2021, "verified_t"] == 10_000_000 and df.loc[2021, "coverage"] == "all"
    # 2023: only the large table (NL_144 and NL_99)
    assert df.loc[2023, "verified_t"] == 4543687 + 4208347
    assert df.loc[2023, "coverage"] == "large only"
    r = runner.invoke(
        app,
        ["--data-dir", str(data), "industry", "emissions", "--format", "csv"],
    )
    assert r.exit_code == 0, r.output
    assert "2022,NL,5822618.0,1,1,0," in r.output
    # the same files again: nothing changes; a broken copy later leaves the live version
    (again,) = api.add_dataset("ets_eutl", [odd], data_dir=data)
    assert not again.changed
    version = open_store(data).get("ets_eutl").manifest.version
    write_eutl(odd, [*ROWS, ROWS[0]])
    with pytest.raises(DataError):
        api.add_dataset("ets_eutl", [odd], data_dir=data)
    assert open_store(data).get("ets_eutl").manifest.version == version


def test_a_renamed_year_column(odd: Path, tmp_path: Path) -> None:
    head = ["Verified_Emissions_2022" if h == "VerifiedEmissions_2022" else h for h in header()]
    f = write_eutl(odd, ROWS, head)
    e = _fails(odd, tmp_path / "store", line=1, fld="VerifiedEmissions_2022", file=f)
    assert "renamed" in str(e)


def test_a_renamed_identity_column(odd: Path, tmp_path: Path) -> None:
    f = write_eutl(odd, ROWS, ["Town" if h == "City" else h for h in header()])
    _fails(odd, tmp_path / "store", line=1, fld="City", file=f)


def test_a_duplicate_installation_year(odd: Path, tmp_path: Path) -> None:
    f = write_eutl(odd, [*ROWS, ROWS[1]])
    e = _fails(odd, tmp_path / "store", line=6, fld="InstallationOrAircraftOperatorID", file=f)
    assert "NL_99" in str(e) and "line 3" in str(e)


def test_a_bad_number(odd: Path, tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[2][IDENTITY.__len__() + 2] = "12x"  # VerifiedEmissions_2021 of line 4
    f = write_eutl(odd, rows)
    e = _fails(odd, tmp_path / "store", line=4, fld="VerifiedEmissions_2021", file=f)
    assert "'12x'" in str(e)


def test_a_bad_allocation_in_the_large_table(odd: Path, tmp_path: Path) -> None:
    write_eutl(odd, ROWS)
    f = write_large(odd, v2022_144="5.8 Mt")
    _fails(odd, tmp_path / "store", line=2, fld="verified_2022_t", file=f)


def test_a_large_table_that_disagrees_is_reported(odd: Path, tmp_path: Path) -> None:
    write_eutl(odd, ROWS)
    write_large(odd, v2022_144="5822000")
    data = tmp_path / "store"
    (report,) = api.add_dataset("ets_eutl", [odd], data_dir=data)
    (warning,) = [w for w in report.warnings if "disagree" in w]
    assert "1 of 1 installation-years" in warning
    assert "NL_144 2022 (line 2, verified_2022_t): 5,822,000 t" in warning
    assert "5,822,618 t" in warning
    em = read_table(open_store(data).get("ets_eutl"), "emissions")
    kept = em[(em["installation_id"] == "NL_144") & (em["year"] == 2022)]
    assert kept["verified_t"].tolist() == [5822618]  # the export's value is kept
    r = runner.invoke(
        app, ["--data-dir", str(tmp_path / "s2"), "data", "add", "ets_eutl", str(odd)]
    )
    assert r.exit_code == 0 and "1 of 1 installation-years" in " ".join(r.output.split())


def test_a_file_of_another_layout_named_explicitly(odd: Path, tmp_path: Path) -> None:
    odd.mkdir(parents=True)
    other = odd / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError, match="not an EUTL export"):
        api.add_dataset("ets_eutl", [other], data_dir=tmp_path / "store")
    _no_dataset(tmp_path / "store")


def test_the_kind_is_declared_by_its_connector() -> None:
    tables = canonical_tables("ets_emissions")
    assert tables == {"installations": INSTALLATION_COLUMNS, "emissions": EMISSION_COLUMNS}
    assert optional_tables("ets_emissions") == {"locations": LOCATION_COLUMNS}
    assert load_hint("ets_emissions") == "ketenradar data add ets_eutl ../shared/data/ets_eutl"
    assert "trade" in canonical_tables("trade_flows")  # the built-in kinds still served
    assert "hs_map" in optional_tables("mineral_production")
    with pytest.raises(NotFoundError, match="ets_emissions"):
        canonical_tables("no_such_kind")


EXTRACT_HEAD = ["id", "name", "addressmain", "postalcode", "city", "country_id"]
EXTRACT_HEAD += ["latitudegoogle", "longitudegoogle"]


def write_extract(folder: Path, rows: list[list[str]]) -> Path:
    """A euets.info installation extract (the layout of hank_euets_subset/installation.csv)."""
    sub = folder / "euets"
    sub.mkdir(parents=True, exist_ok=True)
    path = sub / "installation.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(EXTRACT_HEAD)
        w.writerows(rows)
    return path


GOOD_EXTRACT = [
    ["NL_144", "Staal", "Wenckebachstraat 1", "1951 JZ", "VELSEN", "NL", "52.473869", "4.6205"],
    ["NL_99", "Raffinaderij", "-", "-", "-", "NL", "", ""],  # no coordinates: counted
    ["AT_214400", "Elders", "Gasse 5", "1120", "Wien", "AT", "48.17", "16.31"],  # other registry
    ["NL_200131", "Airline", "-", "-", "-", "NL", "52.3", "4.76"],  # an aircraft operator
]


def test_coordinates_from_the_installation_extract(odd: Path, tmp_path: Path) -> None:
    write_eutl(odd, ROWS)
    write_extract(odd, GOOD_EXTRACT)
    data = tmp_path / "store"
    (report,) = api.add_dataset("ets_eutl", [odd], data_dir=data)
    loc = read_table(open_store(data).get("ets_eutl"), "locations")
    assert list(loc.columns) == list(LOCATION_COLUMNS)
    # only the installations the export holds; the row without coordinates left out
    assert loc["installation_id"].tolist() == ["NL_144", "NL_200131"]
    assert loc.set_index("installation_id").loc["NL_144", "latitude"] == 52.473869
    (said,) = [w for w in report.warnings if w.startswith("installation.csv")]
    assert "coordinates for 1 of 3 stationary installations (2 without" in said
    assert "2 of its 4 rows left aside" in said


@pytest.mark.parametrize(
    ("row", "fld", "why"),
    [
        (["NL_7", "x", "-", "-", "-", "NL", "52.1", ""], "longitudegoogle", "without the other"),
        (["NL_7", "x", "-", "-", "-", "NL", "95", "4.1"], "latitudegoogle", "outside -90"),
        (["NL_7", "x", "-", "-", "-", "NL", "52", "4,1"], "longitudegoogle", "not a number"),
        (["NL-7", "x", "-", "-", "-", "NL", "52", "4.1"], "id", "not an installation id"),
        (["NL_144", "x", "-", "-", "-", "NL", "52", "4.1"], "id", "duplicate installation"),
    ],
)
def test_a_broken_extract_is_refused(
    odd: Path, tmp_path: Path, row: list[str], fld: str, why: str
) -> None:
    write_eutl(odd, ROWS)
    f = write_extract(odd, [GOOD_EXTRACT[0], row])
    e = _fails(odd, tmp_path / "store", line=3, fld=fld, file=f)
    assert why in str(e)


def test_one_company_by_its_kvk_number(odd: Path, tmp_path: Path) -> None:
    """`--company` keeps the installations of one KvK number; a malformed number is a usage
    error (exit 2) naming the field, an unknown one not found (exit 3)."""
    rows = [list(r) for r in ROWS]
    rows[1][6] = "87654321"  # the refinery: another company
    write_eutl(odd, rows)
    data = tmp_path / "store"
    api.add_dataset("ets_eutl", [odd], data_dir=data)
    df = emissions(company="12345678", data_dir=data).frame().set_index("year")
    assert df.loc[2021, "verified_t"] == 6_000_000  # Staal only (Kas: Not Reported)
    assert df.loc[2021, "not_reported"] == 1 and df.loc[2022, "installations"] == 1
    other = emissions(company="87654321", by="installation", data_dir=data).frame()
    assert set(other["installation_id"]) == {"NL_99"}
    assert set(other["company_reg_no"]) == {"87654321"}
    base = ["--data-dir", str(data), "industry", "emissions"]
    r = runner.invoke(app, [*base, "--company", "87654321", "--format", "csv"])
    assert r.exit_code == 0 and "2021,NL,4000000.0,1," in r.output, r.output
    r = runner.invoke(app, [*base, "--company", "1234"])
    assert r.exit_code == 2 and "8 digits" in r.output
    r = runner.invoke(app, [*base, "--company", "11111111"])
    assert r.exit_code == 3 and "no installation of company (KvK) 11111111" in r.output


def test_the_dataset_key_follows_the_live_version(odd: Path, tmp_path: Path) -> None:
    """The web pages' dataset key is looked up again only when the store's live versions
    change (``DataStore.versions``, the CURRENT pointers): a new ingest, a removal."""
    from ketenradar.modules.industry.web.views import dataset_key

    data = tmp_path / "store"
    assert open_store(data).versions() == {} and dataset_key(data, "ets_emissions") is None
    write_eutl(odd, ROWS)
    api.add_dataset("ets_eutl", [odd], data_dir=data)
    first = open_store(data).get("ets_eutl").manifest.version
    assert open_store(data).versions() == {"ets_eutl": first}
    assert dataset_key(data, "ets_emissions") == (str(data), "ets_eutl", first)
    rows = [list(r) for r in ROWS]
    rows[0][len(IDENTITY) + 2] = "6000001"  # another number: a new version
    write_eutl(odd, rows)
    api.add_dataset("ets_eutl", [odd], data_dir=data)
    second = open_store(data).get("ets_eutl").manifest.version
    assert second != first and dataset_key(data, "ets_emissions")[2] == second
    api.remove_dataset("ets_eutl", data_dir=data)
    assert dataset_key(data, "ets_emissions") is None
