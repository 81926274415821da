"""The shipped starter pack is what the project's own code derives from the real sources.

Rebuilds the pack from ``$KETENRADAR_SHARED_DATA`` into a temporary folder and compares every
table with the copy inside the package (fails under CI when the data is missing).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import require_shared

from ketenradar.results import starter

pytestmark = pytest.mark.realdata


def test_shipped_pack_has_attribution_on_every_row():
    m = starter.manifest()
    assert set(m["tables"]) == set(starter.TABLES)
    for name in starter.TABLES:
        df = starter.read(name)
        assert len(df) == m["tables"][name]["rows"] > 0
        assert df["source"].notna().all() and df["licence"].notna().all()
    assert {d["source"] for d in m["datasets"]} == {"baci", "eu_crm", "wgi", "usgs", "wmd", "icio"}
    size = sum(f.stat().st_size for f in starter.packaged_dir().iterdir())
    assert size < 5_000_000  # compact: it ships in the package


def test_shipped_pack_equals_a_rebuild(tmp_path: Path):
    shared = require_shared()
    rebuilt = tmp_path / "pack"
    starter.build(shared, rebuilt, work=tmp_path)
    for name in starter.TABLES:
        a = starter.read(name).drop(columns=["source"])
        b = starter.read(name, rebuilt).drop(columns=["source"])
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, obj=name)


def test_balance_products_add_up_to_the_balance():
    """Summed per importer, year and partner, each side of ``balance_products`` is the
    ``balance`` table's count and value (the two tables come from one api.balance call)."""
    bal = starter.read("balance").set_index(["importer", "year", "partner"]).sort_index()
    bp = starter.read("balance_products")
    assert set(bp["side"]) == {"importer depends on partner", "partner depends on importer"}
    for side, prefix in (
        ("importer depends on partner", "importer"),
        ("partner depends on importer", "partner"),
    ):
        got = (
            bp[bp["side"] == side]
            .groupby(["importer", "year", "partner"])["dependent_imports_kusd"]
            .agg(["size", "sum"])
        )
        want = bal[bal[f"{prefix}_dependent_products"] > 0]
        assert got.index.sort_values().equals(want.index)
        got = got.loc[want.index]
        assert (got["size"] == want[f"{prefix}_dependent_products"]).all()
        assert ((got["sum"] - want[f"{prefix}_dependent_kusd"]).abs() < 1e-6).all()
    # on the partner side the importer (a member of it) is the top supplier
    theirs = bp[bp["side"] == "partner depends on importer"]
    nld = theirs[theirs["importer"] == "NLD"]
    assert (nld["top_supplier"] == "NLD").all() and len(nld) > 0
