"""The calculator's yearly prices are kept per dataset version in one dictionary that the web
app's request threads share: many threads asking for every band at once (more tables than the
cache is let hold, so entries are evicted while others are read) get the same results as one thread
asking in turn."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from test_ember import write_ember
from test_eurostat_prices import write_tsv

from ketenradar import api as facade
from ketenradar.modules.industry import api


def test_costs_from_many_threads_equal_costs_in_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "store"
    facade.add_dataset("eurostat_prices", [write_tsv(tmp_path / "tsv")], data_dir=data)
    facade.add_dataset("ember", [write_ember(tmp_path / "ember")], data_dir=data)
    # every band, each profile its own consumption: IA ... IG
    profiles = [
        {"consumption_mwh": c, "load_factor": 0.8, "first_year": 2024, "last_year": 2025}
        for c in (10, 100, 1_000, 10_000, 50_000, 100_000, 500_000) * 6
    ]
    api._PER_VERSION.clear()
    serial = [api.costs(p, data_dir=data).frame("costs") for p in profiles]
    api._PER_VERSION.clear()
    monkeypatch.setattr(api, "PER_VERSION_MAX", 3)  # 8 tables, 3 kept: evicted while read
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda p: api.costs(p, data_dir=data).frame("costs"), profiles))
    for a, b in zip(serial, threaded, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert len(api._PER_VERSION) <= 3
