"""Real data: the supplier registry's location lookup on the CBS map data in
``$KETENRADAR_SHARED_DATA/geo/nl`` (municipality → COROP region → province), checked against
the source files read independently, and a CLI import that resolves real municipalities,
including one formed after 2015.

Reads ``$KETENRADAR_SHARED_DATA``; skips when it is missing, except under CI, where it fails.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import require_shared
from typer.testing import CliRunner

from ketenradar.interfaces.cli.app import app
from ketenradar.places.regions import regions

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def shared() -> Path:
    require_shared("geo/nl/ties_cbs_2015")
    return require_shared()


def test_every_2015_municipality_resolves_to_its_corop_and_province(shared: Path):
    layers = shared / "geo" / "nl" / "ties_cbs_2015"
    gm = json.loads((layers / "Gemeente_2015_layer_q1e3.json").read_text(encoding="utf-8"))
    pv = json.loads((layers / "Provincie_2015_layer_q1e3.json").read_text(encoding="utf-8"))
    names = {
        g["properties"]["statcode"]: g["properties"]["statnaam"]
        for g in pv["objects"]["layer"]["geometries"]
    }
    table = regions(shared)
    rows = [g["properties"] for g in gm["objects"]["layer"]["geometries"]]
    assert len(rows) == 393
    for p in rows:
        place = table.place(p["statcode"])  # by code: a 2015 name may be a newer one's too
        assert place is not None and place.province == names[p["provincie"]], p
    borsele = table.place("borsele")
    assert (borsele.corop, borsele.province) == ("Overig Zeeland", "Zeeland")


def test_municipalities_formed_after_2015_are_found(shared: Path):
    with (shared / "geo/nl/woningwaardering/corop.generated.csv").open(encoding="utf-8") as f:
        current = {r["Gemeente"] for r in csv.DictReader(f)}
    table = regions(shared)
    assert "Land van Cuijk" in current
    assert table.place("Land van Cuijk").province == "Noord-Brabant"
    assert all(table.place(n) is not None and table.place(n).province for n in current)


def test_cli_import_and_export_on_the_real_map(shared: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KETENRADAR_SHARED_DATA", str(shared))
    monkeypatch.setenv("KETENRADAR_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "map.yaml").write_text(
        "columns: {name: Naam, municipality: Gemeente, capabilities: WP}\n", encoding="utf-8"
    )
    pd.DataFrame(
        [["A (test)", "Borsele", "valves"], ["B (test)", "Land van Cuijk", "pumps"]],
        columns=["Naam", "Gemeente", "WP"],
    ).to_csv(tmp_path / "list.csv", index=False)
    runner = CliRunner()
    args = ["kansenkaart", "suppliers", "import", str(tmp_path / "list.csv")]
    r = runner.invoke(app, [*args, "--mapping", str(tmp_path / "map.yaml")])
    assert r.exit_code == 0 and "2 supplier(s) added" in " ".join(r.output.split()), r.output
    out = tmp_path / "out.csv"
    r = runner.invoke(app, ["kansenkaart", "suppliers", "export", "--output", str(out)])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out).set_index("name")
    assert df.loc["B (test)", "corop"] == "Noordoost-Noord-Brabant"
    assert df.loc["A (test)", "province"] == "Zeeland" and "conditions" not in df.columns
