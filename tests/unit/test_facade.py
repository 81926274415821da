"""``ketenradar.api`` stays the one import for users' scripts after the modules moved
(issue 14): the data operations, the trade analyses at the top level, the other modules below
it, all working on a real (small) store."""

from __future__ import annotations

from pathlib import Path

from conftest import write_country_dict, write_product_dict, write_trade

from ketenradar import api


def test_the_facade_runs_a_users_script(tmp_path: Path):
    raw = tmp_path / "baci"
    raw.mkdir()
    write_country_dict(raw)
    write_product_dict(raw, ["260500"])
    write_trade(
        raw, 2022, [(2022, 156, 528, "260500", 90.0, 1.0), (2022, 276, 528, "260500", 10.0, 1.0)]
    )
    store = tmp_path / "it's a store"
    reports = api.add_dataset("baci", [raw], data_dir=store)
    assert [r.dataset for r in reports] == ["baci_hs92_v202401b"]
    assert list(api.list_datasets(store)["name"]) == ["baci_hs92_v202401b"]
    df = api.screen("NLD", 2022, data_dir=store)
    row = df.set_index("product").loc["260500"]
    # Germany is inside the reference bloc (EU27): China holds all external imports
    assert row["top_supplier"] == "CHN" and row["top_supplier_share"] == 1.0
    assert row["external_share"] == 0.9
    assert df.attrs["provenance"]["datasets"][0]["dataset"] == "baci_hs92_v202401b"
    assert "EU27" in api.groups(store).names()
    api.remove_dataset("baci_hs92_v202401b", store)
    assert api.list_datasets(store).empty


def test_the_other_modules_hang_below_it():
    assert callable(api.materials.criticality) and callable(api.materials.geopolrisk_scores)
    assert callable(api.io.exposure) and callable(api.io.balance)
    assert set(api.__all__) >= {"screen", "balance", "add_dataset", "materials", "io"}
