"""Emissions per sector and per holder (``industry emissions --by sector|holder``, issue 18,
item 3): by hand on the small EUTL export; on the real export the sectors add up to the
yearly totals."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import require_shared
from test_ets_eutl import ROWS, write_eutl

from ketenradar import api as facade
from ketenradar.modules.industry import facts
from ketenradar.modules.industry.api import emissions


def test_per_sector_and_holder_by_hand(tmp_path: Path) -> None:
    data = tmp_path / "store"
    facade.add_dataset("ets_eutl", [write_eutl(tmp_path / "eutl", ROWS)], data_dir=data)
    # Staal (activity 24: iron and steel) 6,000,000 / 5,822,618; Raffinaderij (20:
    # combustion) 4,000,000 / Excluded; Kas (20) Not Reported / missing; the airline apart
    s = emissions(by="sector", data_dir=data).frame("emissions")
    assert list(s.columns) == facts.GROUP_COLUMN_NAMES
    t = s.set_index(["year", "group"])
    assert t.loc[(2021, "iron and steel"), "verified_t"] == 6_000_000
    assert t.loc[(2021, "combustion"), "verified_t"] == 4_000_000
    assert t.loc[(2021, "combustion"), "installations"] == 1  # Kas: Not Reported, no zero
    assert pd_isna(t.loc[(2022, "combustion"), "verified_t"])  # nothing verified: no number
    assert t.loc[(2022, "combustion"), "free_allocation_t"] == 180
    h = emissions(by="holder", data_dir=data).frame("emissions").set_index(["year", "group"])
    assert h.loc[(2022, "Staal B.V."), "verified_t"] == 5_822_618
    assert "Airline B.V." not in {g for _, g in h.index}


def pd_isna(v: object) -> bool:
    import pandas as pd

    return bool(pd.isna(v))


@pytest.mark.realdata
def test_the_sectors_add_up_to_the_totals(tmp_path: Path) -> None:
    data = tmp_path / "store"
    facade.add_dataset("ets_eutl", [require_shared("ets_eutl")], data_dir=data)
    totals = emissions(data_dir=data).frame("emissions").set_index("year")["verified_t"]
    s = emissions(by="sector", data_dir=data).frame("emissions")
    per_year = s.groupby("year")["verified_t"].sum()
    for year in (2005, 2013, 2019, 2022):
        assert per_year[year] == pytest.approx(totals[year])
    big = s[s["year"] == 2022].set_index("group")["verified_t"]
    assert big.idxmax() == "combustion" and big["refining"] == pytest.approx(11_647_317)
