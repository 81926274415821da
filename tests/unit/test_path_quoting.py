"""A data directory whose path holds an apostrophe, double quotes and spaces works end to end:
paths reach DuckDB's SQL (``COPY … TO``, ``read_parquet``, ``read_csv``) quoted, never pasted."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_country_dict, write_product_dict, write_trade
from test_geopolrisk import world  # noqa: F401  (the fixture, over the data_dir below)

from ketenradar import api
from ketenradar.modules.materials.api import geopolrisk_scores

ODD = 'it\'s a "dir" with spaces; DROP TABLE x; --'


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The store under a folder whose name would break SQL pasted from strings."""
    d = tmp_path / ODD / "store"
    monkeypatch.setenv("KETENRADAR_DATA_DIR", str(d))
    monkeypatch.delenv("KETENRADAR_GROUPS_FILE", raising=False)
    return d


def test_ingest_and_screen_in_a_quoted_data_dir(tmp_path: Path, data_dir: Path) -> None:
    src = tmp_path / ODD / "input's files"
    src.mkdir(parents=True)
    write_country_dict(src)
    write_product_dict(src, ["260111"])
    write_trade(
        src, 2022, [(2022, 156, 528, "260111", 80.0, "1"), (2022, 842, 528, "260111", 20.0, "NA")]
    )
    rep = api.add_dataset("baci", [src], data_dir=data_dir)[0]
    assert rep.manifest.tables["trade"]["years"] == {"2022": 2}
    assert ODD in str(api.open_store(data_dir).root)
    df = api.screen("NLD", 2022, data_dir=data_dir)
    row = df[df["product"] == "260111"].iloc[0]
    assert row["importer"] == "NLD"
    assert api.list_datasets(data_dir)["years"].tolist() == ["2022"]


def test_geopolrisk_in_a_quoted_data_dir(world: Path) -> None:  # noqa: F811
    assert ODD in str(world)
    df = geopolrisk_scores(importer="NLD", years=[2022], data_dir=world)
    assert df.set_index("material").loc["Cobalt", "hhi"] == pytest.approx(0.82)
