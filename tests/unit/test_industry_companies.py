"""The maatwerk companies followed individually (issue 18, item 3): sums per company and year
by hand on the small EUTL export, a company without installations reported with the reason,
a bad companies file refused naming the field; on the real export, Tata Steel against the
Dutch Emissions Authority's published figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import require_shared
from test_ets_eutl import ROWS, write_eutl
from typer.testing import CliRunner

from ketenradar import api as facade
from ketenradar.core.errors import DataError
from ketenradar.interfaces.cli.app import app
from ketenradar.modules.industry import facts
from ketenradar.modules.industry.analysis import companies as analysis
from ketenradar.modules.industry.api import companies
from ketenradar.modules.industry.companies_file import load_companies

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    data = tmp_path / "store"
    facade.add_dataset("ets_eutl", [write_eutl(tmp_path / "eutl", ROWS)], data_dir=data)
    return data


def test_per_company_by_hand(tmp_path: Path, store: Path) -> None:
    # Staal: 6,000,000 (2021), 5,822,618 (2022); Raffinaderij: 4,000,000 (2021), Excluded
    # (2022); free allocation 100 and 90 a year each
    f = tmp_path / "c.yaml"
    f.write_text(
        "companies:\n"
        "  - {name: Both, stage: test, holders: [Staal B.V., Raffinaderij B.V.]}\n"
        "  - {name: Ghost, stage: test, holders: [Nobody B.V.]}\n",
        encoding="utf-8",
    )
    r = companies(companies_file=f, data_dir=store)
    e = r.tables["emissions"].set_index(["company", "year"])
    assert e.loc[("Both", 2021), "verified_t"] == 10_000_000
    assert e.loc[("Both", 2021), "installations"] == 2
    assert e.loc[("Both", 2022), "verified_t"] == 5_822_618  # Excluded is not a zero
    assert e.loc[("Both", 2022), "installations"] == 1
    assert e.loc[("Both", 2022), "free_allocation_t"] == 180
    assert "Ghost" not in set(r.tables["emissions"]["company"])
    c = r.tables["companies"].set_index("company")
    assert c.loc["Ghost", "installations_found"] == 0
    assert "not in the EUTL export: Nobody B.V." in c.loc["Ghost", "note"]
    assert any(n.startswith("Ghost: no installation found") for n in r.provenance.notes)
    assert list(analysis.COMPANY_COLUMNS) == facts.COMPANY_COLUMN_NAMES


def test_a_bad_companies_file_is_refused(tmp_path: Path, store: Path) -> None:
    f = tmp_path / "c's.yaml"
    f.write_text("companies:\n  - {name: X, holders: [A]}\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        load_companies(f)
    assert e.value.file == str(f) and e.value.field == "companies[0].stage"
    r = runner.invoke(
        app, ["industry", "companies", "--companies", str(f), "--data-dir", str(store)]
    )
    assert r.exit_code == DataError.exit_code and "companies[0].stage" in r.output
    r = runner.invoke(app, ["industry", "companies", "--table", "x", "--data-dir", str(store)])
    assert r.exit_code == 2


@pytest.mark.realdata
def test_the_letters_companies_on_the_real_export(tmp_path: Path) -> None:
    store = tmp_path / "store"
    facade.add_dataset("ets_eutl", [require_shared("ets_eutl")], data_dir=store)
    r = companies(data_dir=store)
    e = r.tables["emissions"].set_index(["company", "year"])
    # Tata Steel IJmuiden: the NEa publishes 5.82 Mt (2022), 4.5 Mt (2023), 5.9 Mt (2024)
    assert e.loc[("Tata Steel Nederland", 2022), "verified_t"] == 5_822_618
    assert e.loc[("Tata Steel Nederland", 2023), "verified_t"] == 4_543_687
    assert e.loc[("Tata Steel Nederland", 2024), "verified_t"] == 5_894_644
    assert e.loc[("Tata Steel Nederland", 2024), "coverage"] == "large only"
    c = r.tables["companies"].set_index("company")
    assert set(c.index) == {"Tata Steel Nederland", "Alco Energy Rotterdam", "AnQore", "Cosun",
                            "Nobian", "Yara"}  # fmt: skip
    assert c.loc["AnQore", "installations_found"] == 0 and "Chemelot" in c.loc["AnQore", "note"]
    assert (c.drop(index="AnQore")["installations_found"] > 0).all()
