"""The shipped starter pack is what the project's own code derives from the real sources.

Rebuilds the pack from ``$KETENRADAR_SHARED_DATA`` into a temporary folder and compares every
table with the copy inside the package (fails under CI when the data is missing).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import require_shared

from ketenradar import starter

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
