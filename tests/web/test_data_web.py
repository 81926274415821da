"""The data page and its API: datasets with releases, licences and checksums; upload and fetch
with progress as background jobs; roles; the audit log; a bad upload leaves the store as it
was."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from conftest import csrf_headers, write_country_dict, write_product_dict, write_trade
from fastapi.testclient import TestClient

from ketenradar import starter
from ketenradar.accounts import service
from ketenradar.store import DataStore
from ketenradar.web import routes_data
from ketenradar.web.app import create_app
from ketenradar.web.settings import WebSettings

PASSWORD = "correct horse battery staple"


@pytest.fixture
def app(tmp_path: Path):
    application = create_app(settings=WebSettings.from_env(tmp_path / "data"))
    for name, role in (("ann", "admin"), ("alice", "analyst"), ("vic", "viewer")):
        service.create_user(application.state.accounts, name, PASSWORD, role)
    return application


def login(app, username: str) -> TestClient:
    c = TestClient(app)
    r = c.post(
        "/api/v1/login", json={"username": username, "password": PASSWORD}, headers=csrf_headers(c)
    )
    assert r.status_code == 200
    return c


def upload(c: TestClient, files: list[Path], source: str = "baci"):
    """POST ``files`` to the datasets API as the signed-in client ``c``."""
    return c.post(
        "/api/v1/datasets",
        data={"source": source},
        files=[("files", (p.name, p.read_bytes(), "text/csv")) for p in files],
        headers=csrf_headers(c),
    )


def baci_files(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_country_dict(folder),
        write_product_dict(folder, ["260111", "810590"]),
        write_trade(
            folder,
            2022,
            [(2022, 156, 528, "260111", 5.0, "NA"), (2022, 276, 528, "810590", 7.5, 1.0)],
        ),
    ]


def test_lists_starter_datasets_with_checksums(app):
    d = TestClient(app).get("/api/v1/datasets").json()
    m = starter.manifest()
    assert [x["dataset"] for x in d["starter"]["datasets"]] == [x["dataset"] for x in m["datasets"]]
    baci = next(x for x in d["starter"]["datasets"] if x["source"] == "baci")
    shipped = next(x for x in m["datasets"] if x["source"] == "baci")
    assert baci["inputs"] == shipped["inputs"] and len(baci["inputs"][0]["sha256"]) == 64
    assert "BACI" in baci["licence"]
    assert {t["table"] for t in d["starter"]["tables"]} == set(starter.TABLES)
    assert d["store"] == [] and "baci" in d["connectors"]
    page = TestClient(app).get("/nl/data").text
    assert baci["inputs"][0]["sha256"] in page and "Uw eigen data" in page


def test_analyst_uploads_a_dataset_with_progress(app, tmp_path: Path):
    files = baci_files(tmp_path / "upload")
    c = login(app, "alice")
    r = upload(c, files)
    assert r.status_code == 202, r.text
    job = app.state.jobs.wait(r.json()["id"])
    assert job.state == "done", job.error
    polled = c.get(f"/api/v1/jobs/{job.id}").json()
    assert polled["state"] == "done" and polled["done"] >= 1
    store = c.get("/api/v1/datasets").json()["store"]
    assert [s["dataset"] for s in store] == job.result["datasets"]
    sha = {i["file"]: i["sha256"] for i in store[0]["inputs"]}
    for p in files:
        assert sha[p.name] == hashlib.sha256(p.read_bytes()).hexdigest()
    log = login(app, "ann").get("/api/v1/audit").json()
    added = next(e for e in log if e["action"] == "dataset_added")
    assert added["username"] == "alice" and added["target"] == store[0]["dataset"]
    assert not any((app.state.settings.data_dir / "uploads").iterdir())  # staging cleaned
    # the pages now serve the uploaded year: live facts were rebuilt from the store
    assert job.result["facts"].startswith("facts rebuilt") and "screening" in job.result["facts"]
    assert app.state.facts.origin("screening") == "store"
    d = c.get("/api/v1/dependencies", params={"importer": "NLD", "method": "all"}).json()
    assert d["year"] == 2022 and {r["product"] for r in d["rows"]} <= {"260111", "810590"}


def test_bad_upload_fails_with_reason_and_leaves_store_unchanged(app, tmp_path: Path):
    c = login(app, "alice")
    bad = tmp_path / "BACI_HS92_Y2022_V202401b.csv"
    bad.write_text("this,is,not\nbaci,at,all\n")
    r = c.post(
        "/api/v1/datasets",
        data={"source": "baci"},
        files=[("files", (bad.name, bad.read_bytes(), "text/csv"))],
        headers=csrf_headers(c),
    )
    job = app.state.jobs.wait(r.json()["id"])
    assert job.state == "failed" and job.error and "unexpected" not in job.error
    assert DataStore(app.state.settings.data_dir).list() == []
    r = c.post(
        "/api/v1/datasets",
        data={"source": "nope"},
        files=[("files", (bad.name, b"x", "text/csv"))],
        headers=csrf_headers(c),
    )
    assert r.status_code == 400 and "unknown source 'nope'" in r.json()["detail"]


def test_upload_over_the_limit_is_refused_and_nothing_stays_staged(
    app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    files = baci_files(tmp_path / "upload")
    size = sum(p.stat().st_size for p in files)
    monkeypatch.setattr(routes_data, "MAX_UPLOAD_BYTES", size - 1)
    c = login(app, "alice")
    r = upload(c, files)
    assert r.status_code == 400 and "ketenradar data add" in r.json()["detail"]
    assert not any((app.state.settings.data_dir / "uploads").iterdir())
    assert DataStore(app.state.settings.data_dir).list() == []
    monkeypatch.setattr(routes_data, "MAX_UPLOAD_BYTES", size)  # exactly the limit is fine
    r = upload(c, files)
    assert r.status_code == 202 and app.state.jobs.wait(r.json()["id"]).state == "done"


def test_roles_on_data_changes(app, tmp_path: Path):
    files = baci_files(tmp_path / "u")
    upload = [("files", (p.name, p.read_bytes(), "text/csv")) for p in files]
    anon, viewer = TestClient(app), login(app, "vic")
    for c, code in ((anon, 401), (viewer, 403)):
        r = c.post(
            "/api/v1/datasets", data={"source": "baci"}, files=upload, headers=csrf_headers(c)
        )
        assert r.status_code == code
    analyst = login(app, "alice")
    h = csrf_headers(analyst)
    assert analyst.post("/api/v1/datasets/fetch", json={}, headers=h).status_code == 403
    assert analyst.delete("/api/v1/datasets/x", headers=h).status_code == 403
    assert 'id="upload-form"' in analyst.get("/en/data").text
    assert 'id="fetch-form"' not in analyst.get("/en/data").text
    assert 'id="need-role"' in viewer.get("/en/data").text


def test_admin_fetches_baci_with_progress_then_removes_it(
    app, tmp_path: Path, http_server, monkeypatch: pytest.MonkeyPatch
):
    src = tmp_path / "src"
    baci_files(src)
    with zipfile.ZipFile(http_server.root / "BACI_HS92_V202401b.zip", "w") as zf:
        for f in src.iterdir():
            zf.write(f, f.name)
    monkeypatch.setenv("KETENRADAR_BACI_BASE_URL", http_server.url(""))
    admin = login(app, "ann")
    r = admin.post(
        "/api/v1/datasets/fetch",
        json={"release": "V202401b", "hs": "HS92"},
        headers=csrf_headers(admin),
    )
    assert r.status_code == 202
    job = app.state.jobs.wait(r.json()["id"])
    assert job.state == "done", job.error
    assert job.result["datasets"] == ["baci_hs92_v202401b"]
    bad = admin.post(
        "/api/v1/datasets/fetch", json={"release": "latest"}, headers=csrf_headers(admin)
    )
    assert bad.status_code == 422 and "release" in bad.json()["detail"]
    r = admin.delete("/api/v1/datasets/baci_hs92_v202401b", headers=csrf_headers(admin))
    assert r.status_code == 204
    assert DataStore(app.state.settings.data_dir).list() == []
    actions = [e["action"] for e in admin.get("/api/v1/audit").json()]
    assert "dataset_fetched" in actions and "dataset_removed" in actions
    assert admin.get("/api/v1/jobs/000000000000").status_code == 404
