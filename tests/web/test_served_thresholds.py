"""The thresholds a page, the API and a download report are those of the facts they serve.

A fact build records the thresholds it screened with (the method thresholds, the materiality
minimums ``KETENRADAR_MIN_DEPENDENCY_KUSD`` / ``_SHARE`` and the balance's
``KETENRADAR_MUTUAL_MIN_VALUE_RATIO``) in its manifest. Here live facts are built from a
hand-made BACI release with non-default thresholds, then served under the default settings:
the explorer JSON and page, the product JSON and the downloads' provenance must report the
build's thresholds (not the settings'), the screening's flags must follow them, and the data
page must say that the facts should be rebuilt for the settings to apply.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from test_live_facts import PRODUCTS, client_for, make_store

from ketenradar import api
from ketenradar.core.settings import settings
from ketenradar.modules.trade.analysis.balance import direction
from ketenradar.results import live, starter
from ketenradar.results.facts import Facts

#: the build's thresholds: none of them the default
BUILT = {"min_dependency_kusd": 7.0, "min_dependency_share": 0.3, "mutual_min_value_ratio": 0.3}
ENV = {
    "KETENRADAR_MIN_DEPENDENCY_KUSD": "7",
    "KETENRADAR_MIN_DEPENDENCY_SHARE": "0.3",
    "KETENRADAR_MUTUAL_MIN_VALUE_RATIO": "0.3",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = make_store(tmp_path_factory.mktemp("thresholds"), [2021, 2022])
    with pytest.MonkeyPatch.context() as mp:
        for k, v in ENV.items():
            mp.setenv(k, v)
        settings.cache_clear()
        live.build(data)
    settings.cache_clear()  # serve under the default settings again
    return data


@pytest.fixture(scope="module")
def client(store: Path) -> TestClient:
    return client_for(store)


def test_the_build_records_its_thresholds(store: Path):
    recorded = live.manifest(store)["thresholds"]
    assert {k: recorded[k] for k in BUILT} == BUILT
    assert recorded["supplier_hhi"] == 0.4 and recorded["external_share"] == 0.5
    # served now under the defaults, which differ
    now = api.build_thresholds()
    assert now["min_dependency_kusd"] == settings().min_dependency_kusd != 7.0
    assert Facts(data_dir=store).thresholds("screening") == recorded


def test_the_screening_follows_the_recorded_thresholds(client: TestClient):
    rows = client.get(
        "/api/v1/dependencies", params={"importer": "NLD", "year": 2022, "method": "all"}
    ).json()["rows"]
    full = pd.read_csv(
        io.BytesIO(
            client.get(
                "/api/v1/dependencies.csv",
                params={"importer": "NLD", "year": 2022, "method": "all"},
            ).content
        ),
        comment="#",
    )
    assert len(rows) == len(full) == len(PRODUCTS)
    top, imports = full["top_supplier_kusd"].fillna(0), full["imports_kusd"]
    want = (top >= 7.0) & (top >= 0.3 * imports)
    s = settings()
    default = (top >= s.min_dependency_kusd) & (top >= s.min_dependency_share * imports)
    # the hand-made data put products on both sides of the 30 % share minimum, and the
    # build's thresholds judge some product otherwise than the default settings would
    assert want.any() and not want.all() and (want != default).any()
    assert full["materiality_met"].astype(str).str.lower().eq("true").tolist() == want.tolist()


def test_explorer_product_and_downloads_report_the_build_thresholds(client: TestClient):
    d = client.get("/api/v1/dependencies", params={"importer": "NLD"}).json()
    assert {k: d["thresholds"][k] for k in BUILT} == BUILT
    p = client.get("/api/v1/products/260111", params={"importer": "NLD"}).json()
    assert {k: p["thresholds"][k] for k in BUILT} == BUILT
    for path in (
        "/api/v1/dependencies.csv.provenance.json",
        "/api/v1/products/260111.csv.provenance.json",
        "/api/v1/overview.csv.provenance.json",
        "/api/v1/countries/CHN.csv.provenance.json",
    ):
        prov = client.get(path).json()
        assert {k: prov["thresholds"][k] for k in BUILT} == BUILT, path
    # the Parquet file carries the same provenance in its metadata
    meta = pq.read_table(io.BytesIO(client.get("/api/v1/dependencies.parquet").content))
    text = b"".join(meta.schema.metadata.values()).decode()
    assert '"min_dependency_kusd": 7.0' in text and '"min_dependency_share": 0.3' in text


def test_the_explorer_page_says_what_it_was_screened_with(client: TestClient):
    en = client.get("/en/dependencies").text
    assert 'id="explorer-thresholds" data-min-kusd="7.0" data-min-share="0.3"' in en
    assert "at least 7 thousand USD and 30% of all its imports" in en
    nl = client.get("/nl/dependencies").text
    assert "minstens 7 duizend USD en 30% van alle invoer" in nl


def test_the_balance_direction_uses_the_build_ratio(client: TestClient):
    m = client.get("/api/v1/countries", params={"importer": "NLD"}).json()
    rows = m["rows"]
    assert rows
    for r in rows:
        a, b = r.get("importer_dependent_kusd") or 0, r.get("partner_dependent_kusd") or 0
        assert r["direction"] == direction(a, b, 0.3)


def test_the_data_page_asks_for_a_rebuild(client: TestClient, store: Path):
    page = client.get("/en/data").text
    assert 'id="thresholds-rebuild"' in page
    assert '<li data-threshold="min_dependency_kusd"><code>min_dependency_kusd</code>: 7.00' in page
    assert "→ 100.00" in page
    nl = client.get("/nl/data").text
    assert "bouw de feiten opnieuw" in nl and "(uit uw gegevens)" in nl
    changed = {
        c["name"]
        for c in client.app.state.facts.threshold_changes("screening", api.build_thresholds())
    }
    assert changed == set(BUILT)


def test_the_starter_pack_records_its_thresholds_and_needs_no_rebuild():
    recorded = starter.manifest()["thresholds"]
    assert recorded == api.build_thresholds()  # built under the default settings
    assert Facts().threshold_changes("screening", api.build_thresholds()) == []
    from ketenradar.interfaces.web.app import create_app

    page = TestClient(create_app()).get("/en/data").text
    assert 'id="thresholds-rebuild"' not in page
