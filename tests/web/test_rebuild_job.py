"""The data page's one action "fetch a full BACI release and rebuild the facts": one background
job (download from the local HTTP server standing in for CEPII, add to the store, derive the
fact tables), its progress in three named phases, the facts served afterwards coming from the
store, and a failed download leaving store and facts as they were."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from conftest import (
    csrf_headers,
    record_job_steps,
    signed_in,
    web_app,
    write_country_dict,
    write_product_dict,
    write_trade,
)
from fastapi.testclient import TestClient

from ketenradar.datasets import DataStore
from ketenradar.registry import service
from ketenradar.results import live

PRODUCTS = ["260111", "810590", "280530"]


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    return web_app(tmp_path, monkeypatch, {"ann": "admin", "alice": "analyst"})


@pytest.fixture
def release(http_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """A small BACI release zip (two years, three products, NLD importing) on the local
    HTTP server, which KETENRADAR_BACI_BASE_URL points at."""
    src = tmp_path / "release"
    src.mkdir()
    files = [write_country_dict(src), write_product_dict(src, PRODUCTS)]
    for year in (2021, 2022):
        rows = [
            (year, 156, 528, "260111", 500.0, 10.0),
            (year, 76, 528, "260111", 100.0, 2.0),
            (year, 156, 528, "810590", 75.0, 1.0),
            (year, 276, 528, "280530", 40.0, 1.0),
            (year, 156, 276, "280530", 300.0, 1.0),
        ]
        files.append(write_trade(src, year, rows))
    z = http_server.root / "BACI_HS92_V202401b.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in files:
            zf.write(f, f.name)
    monkeypatch.setenv("KETENRADAR_BACI_BASE_URL", http_server.url(""))
    return z.read_bytes()


def test_fetch_and_rebuild_is_one_job_with_three_phases(
    app, release: bytes, http_server, monkeypatch: pytest.MonkeyPatch
):
    steps = record_job_steps(monkeypatch)
    data_dir = app.state.settings.data_dir
    assert live.current(data_dir) is None
    before = TestClient(app).get("/api/v1/facts").json()
    assert {t["origin"] for t in before["tables"].values()} == {"starter pack"}

    admin = signed_in(app, "ann")
    page = admin.get("/en/data").text
    assert 'id="fetch-form"' in page and "rebuild the facts" in page
    r = admin.post(
        "/api/v1/datasets/fetch",
        json={"release": "V202401b", "hs": "HS92"},
        headers=csrf_headers(admin),
    )
    assert r.status_code == 202 and r.json()["kind"] == "fetch"
    job = app.state.jobs.wait(r.json()["id"], timeout=300)
    assert job.state == "done", job.error
    res = admin.get(f"/api/v1/jobs/{job.id}").json()["result"]

    # one job, three phases, in order, each shown with its number
    assert res["phases"] == ["download", "add", "facts"]
    firsts = [
        next(i for i, s in enumerate(steps) if s.startswith(p)) for p in ("1/3", "2/3", "3/3")
    ]
    assert firsts == sorted(firsts), steps
    assert any(s.startswith("1/3 download: download BACI_HS92_V202401b.zip") for s in steps)
    # the zip arrived whole from the server, and is what the dataset records
    assert http_server.requests and http_server.requests[-1].path.endswith(".zip")
    (ds,) = DataStore(data_dir).list()
    assert ds.name == res["datasets"][0] == "baci_hs92_v202401b"
    (zipped,) = Path(data_dir).rglob("BACI_HS92_V202401b.zip")
    assert hashlib.sha256(zipped.read_bytes()).digest() == hashlib.sha256(release).digest()
    assert len(ds.manifest.provenance()["inputs"]) == 4  # two years, two dictionaries

    # the facts were rebuilt from the store and are what the app serves now
    assert res["facts_rebuilt"] is True and "screening" in res["fact_tables"]
    assert live.current(data_dir) is not None
    after = TestClient(app).get("/api/v1/facts").json()
    for table in res["fact_tables"]:
        assert after["tables"][table]["origin"] == "store", table
    served = app.state.facts.table("screening")
    assert set(served["year"]) == {2021, 2022}
    assert set(served["product"]) <= set(PRODUCTS)
    page = admin.get(f"/en/data?job={job.id}").text
    assert "baci_hs92_v202401b" in page and 'id="job-result"' in page
    log = [e.action for e in service.audit_log(app.state.accounts)]
    assert "dataset_fetched" in log


def test_a_failed_download_leaves_store_and_facts_as_they_were(app, release: bytes, http_server):
    http_server.force_status = 404
    admin = signed_in(app, "ann")
    r = admin.post("/api/v1/datasets/fetch", json={}, headers=csrf_headers(admin))
    job = app.state.jobs.wait(r.json()["id"], timeout=120)
    assert job.state == "failed" and "404" in job.error
    assert job.step.startswith("1/3 download") or job.step == ""
    data_dir = app.state.settings.data_dir
    assert DataStore(data_dir).list() == [] and live.current(data_dir) is None
    assert str(data_dir) not in (job.error or "")  # no server path in the message


def test_fetch_and_rebuild_is_for_admins(app, release: bytes):
    analyst = signed_in(app, "alice")
    r = analyst.post("/api/v1/datasets/fetch", json={}, headers=csrf_headers(analyst))
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    page = analyst.get("/nl/data").text
    assert 'id="fetch-form"' not in page and 'id="upload-form"' in page
    assert "opnieuw afleiden" in signed_in(app, "ann").get("/nl/data").text
