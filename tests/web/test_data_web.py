"""The data page and its API: datasets with releases, licences and checksums; upload and fetch
with progress as background jobs; cancelling a job (queued or running); who may see and
cancel a job; roles; the audit log; a bad upload (or file name) leaves the store as it was;
job messages name no server path."""

from __future__ import annotations

import hashlib
import threading
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import (
    PASSWORD,
    csrf_headers,
    signed_in,
    write_country_dict,
    write_product_dict,
    write_trade,
)
from fastapi.testclient import TestClient

from ketenradar import api as core
from ketenradar.datasets import DataStore
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.registry import service
from ketenradar.results import starter


@pytest.fixture
def app(tmp_path: Path):
    application = create_app(settings=WebSettings.from_env(tmp_path / "data"))
    for name, role in (
        ("ann", "admin"),
        ("alice", "analyst"),
        ("bob", "analyst"),
        ("vic", "viewer"),
    ):
        service.create_user(application.state.accounts, name, PASSWORD, role)
    return application


def upload(c: TestClient, files: list[Path], source: str = "baci"):
    """POST ``files`` to the datasets API as the signed-in client ``c``."""
    return c.post(
        "/api/v1/datasets",
        data={"source": source},
        files=[("files", (p.name, p.read_bytes(), "text/csv")) for p in files],
        headers=csrf_headers(c),
    )


def baci_files(folder: Path, year: int = 2022) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_country_dict(folder),
        write_product_dict(folder, ["260111", "810590"]),
        write_trade(
            folder,
            year,
            [(year, 156, 528, "260111", 5.0, "NA"), (year, 276, 528, "810590", 7.5, 1.0)],
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
    c = signed_in(app, "alice")
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
    log = signed_in(app, "ann").get("/api/v1/audit").json()
    added = next(e for e in log if e["action"] == "dataset_added")
    assert added["username"] == "alice" and added["target"] == store[0]["dataset"]
    assert not any((app.state.settings.data_dir / "uploads").iterdir())  # staging cleaned
    # the pages now serve the uploaded year: live facts were rebuilt from the store
    assert job.result["facts"].startswith("facts rebuilt") and "screening" in job.result["facts"]
    assert app.state.facts.origin("screening") == "store"
    d = c.get("/api/v1/dependencies", params={"importer": "NLD", "method": "all"}).json()
    assert d["year"] == 2022 and {r["product"] for r in d["rows"]} <= {"260111", "810590"}


def test_bad_upload_fails_with_reason_and_leaves_store_unchanged(app, tmp_path: Path):
    c = signed_in(app, "alice")
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
    # what the API shows names the file as uploaded, not where the server keeps it
    shown = c.get(f"/api/v1/jobs/{job.id}").json()["error"]
    assert bad.name in shown and str(app.state.settings.data_dir) not in shown, shown
    assert "/" not in shown.split(bad.name)[0], shown
    r = c.post(
        "/api/v1/datasets",
        data={"source": "nope"},
        files=[("files", (bad.name, b"x", "text/csv"))],
        headers=csrf_headers(c),
    )
    assert r.status_code == 400 and "unknown source 'nope'" in r.json()["detail"]


def test_upload_over_the_limit_is_refused_and_nothing_stays_staged(app, tmp_path: Path):
    files = baci_files(tmp_path / "upload")
    c = signed_in(app, "alice")
    request = c.build_request(
        "POST",
        "/api/v1/datasets",
        data={"source": "baci"},
        files=[("files", (p.name, p.read_bytes(), "text/csv")) for p in files],
    )
    size = len(request.read())  # the whole multipart body
    settings = app.state.settings
    app.state.settings = replace(settings, max_upload_bytes=size - 1)
    r = upload(c, files)
    assert r.status_code == 413, r.text
    assert r.json()["detail"] == (
        f"request body too large: at most {size - 1:,} bytes for a dataset upload; load larger "
        "files from the command line (`ketenradar data add`)"
    )
    uploads = app.state.settings.data_dir / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())  # refused before it was read
    assert DataStore(app.state.settings.data_dir).list() == []
    app.state.settings = replace(settings, max_upload_bytes=size)  # exactly the limit is fine
    r = upload(c, files)
    assert r.status_code == 202 and app.state.jobs.wait(r.json()["id"]).state == "done"


def test_roles_on_data_changes(app, tmp_path: Path):
    files = baci_files(tmp_path / "u")
    upload = [("files", (p.name, p.read_bytes(), "text/csv")) for p in files]
    anon, viewer = TestClient(app), signed_in(app, "vic")
    for c, code in ((anon, 401), (viewer, 403)):
        r = c.post(
            "/api/v1/datasets", data={"source": "baci"}, files=upload, headers=csrf_headers(c)
        )
        assert r.status_code == code
    analyst = signed_in(app, "alice")
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
    admin = signed_in(app, "ann")
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


def test_queued_upload_is_cancelled_at_once_and_its_files_go(app, tmp_path: Path):
    release = threading.Event()
    blocker = app.state.jobs.submit("add", "ann", lambda job: {"waited": release.wait(30)})
    try:
        c = signed_in(app, "alice")
        r = upload(c, baci_files(tmp_path / "u"))
        assert r.status_code == 202 and r.json()["state"] == "queued"
        job_id = r.json()["id"]
        uploads = app.state.settings.data_dir / "uploads"
        assert len(list(uploads.iterdir())) == 1  # the upload waits with its job
        assert c.post(f"/api/v1/jobs/{job_id}/cancel").status_code == 403  # no CSRF token
        r = c.post(f"/api/v1/jobs/{job_id}/cancel", headers=csrf_headers(c))
        assert r.status_code == 202, r.text
        assert r.json()["state"] == "cancelled" and r.json()["cancel_requested"]
        assert list(uploads.iterdir()) == []  # gone at once, not when the worker gets there
        r = c.post(f"/api/v1/jobs/{job_id}/cancel", headers=csrf_headers(c))
        assert r.status_code == 409 and "already finished (cancelled)" in r.json()["detail"]
    finally:
        release.set()
    assert app.state.jobs.wait(blocker.id).state == "done"
    assert app.state.jobs.wait(job_id).state == "cancelled"  # the worker skipped it
    assert DataStore(app.state.settings.data_dir).list() == []
    log = signed_in(app, "ann").get("/api/v1/audit").json()
    event = next(e for e in log if e["action"] == "job_cancelled")
    assert event["username"] == "alice" and event["target"] == f"job/{job_id}"


def test_running_ingest_stops_at_its_next_progress_report_and_the_store_stays(app, tmp_path: Path):
    data_dir = app.state.settings.data_dir
    core.add_dataset("baci", baci_files(tmp_path / "y2022"), data_dir=data_dir)
    (before,) = DataStore(data_dir).list()
    jobs, steps = app.state.jobs, []

    def work(job):
        def progress(step: str, done: int, total: int | None) -> None:
            steps.append(step)
            if step.startswith("parse"):  # the user cancels while the store is staging
                assert (data_dir / "staging").is_dir() and any((data_dir / "staging").iterdir())
                jobs.cancel(job.id)
            job.report(step, done, total)

        files = baci_files(tmp_path / "y2023", 2023)
        reports = core.add_dataset("baci", files, data_dir=data_dir, progress=progress)
        return {"datasets": [r.dataset for r in reports]}

    job = jobs.wait(jobs.submit("add", "alice", work).id)
    assert job.state == "cancelled" and job.error is None and job.result is None, job
    assert steps[-1].startswith("parse")  # stopped at the report after the cancel
    (after,) = DataStore(data_dir).list()
    assert after.manifest == before.manifest  # the same version, still 2022 only
    assert after.manifest.attributes["years"] == [2022]
    staging = data_dir / "staging"
    assert not staging.exists() or list(staging.iterdir()) == []  # staging removed


def test_a_job_is_seen_and_cancelled_by_its_owner_or_an_admin(app, tmp_path: Path):
    release = threading.Event()
    blocker = app.state.jobs.submit("add", "ann", lambda job: {"waited": release.wait(30)})
    try:
        alice = signed_in(app, "alice")
        job_id = upload(alice, baci_files(tmp_path / "u")).json()["id"]
        path = f"/api/v1/jobs/{job_id}"
        anon, vic, bob, ann = (
            TestClient(app),
            signed_in(app, "vic"),
            signed_in(app, "bob"),
            signed_in(app, "ann"),
        )
        assert anon.get(path).status_code == 401
        assert vic.get(path).status_code == 404 and bob.get(path).status_code == 404
        assert alice.get(path).json()["owner"] == "alice" and ann.get(path).status_code == 200
        for c, code in ((anon, 401), (vic, 403), (bob, 404)):
            assert c.post(f"{path}/cancel", headers=csrf_headers(c)).status_code == code
        assert app.state.jobs.get(job_id).state == "queued"  # none of them touched it
        r = ann.post(f"{path}/cancel", headers=csrf_headers(ann))  # an admin may
        assert r.status_code == 202 and r.json()["state"] == "cancelled"
    finally:
        release.set()
    app.state.jobs.wait(blocker.id)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("..", "'..' is not a file name"),
        (".", "'.' is not a file name"),
        ("dir/..", "'dir/..' is not a file name"),
        ("é" * 128 + ".csv", "is longer than 255 bytes"),
        ("x" * 300, "is longer than 255 bytes"),
    ],
)
def test_bad_upload_file_names_are_refused_with_the_reason(app, name: str, reason: str):
    c = signed_in(app, "alice")
    r = c.post(
        "/api/v1/datasets",
        data={"source": "baci"},
        files=[("files", (name, b"t,i,j,k,v,q\n", "text/csv"))],
        headers=csrf_headers(c),
    )
    assert r.status_code == 400 and reason in r.json()["detail"], r.text
    assert list((app.state.settings.data_dir / "uploads").iterdir()) == []


def test_two_files_of_one_name_and_paths_in_names(app, tmp_path: Path):
    c = signed_in(app, "alice")
    files = baci_files(tmp_path / "u")
    r = c.post(
        "/api/v1/datasets",
        data={"source": "baci"},
        files=[("files", (files[0].name, files[0].read_bytes(), "text/csv"))] * 2,
        headers=csrf_headers(c),
    )
    assert r.status_code == 400 and f"two files named '{files[0].name}'" in r.json()["detail"]
    # a client that sends a path: only the base name is kept (no escape from the upload)
    r = c.post(
        "/api/v1/datasets",
        data={"source": "baci"},
        files=[("files", (f"../../{p.name}", p.read_bytes(), "text/csv")) for p in files],
        headers=csrf_headers(c),
    )
    assert r.status_code == 202, r.text
    job = app.state.jobs.wait(r.json()["id"])
    assert job.state == "done", job.error
    assert list((app.state.settings.data_dir / "uploads").iterdir()) == []


def test_upload_needs_the_csrf_header_and_a_multipart_body(app):
    c = signed_in(app, "alice")
    token = csrf_headers(c)["X-CSRF-Token"]
    r = c.post(
        "/api/v1/datasets",
        data={"source": "baci", "csrf_token": token},
        files=[("files", ("a.csv", b"x", "text/csv"))],
    )
    assert r.status_code == 403 and "header 'X-CSRF-Token'" in r.json()["detail"]
    r = c.post("/api/v1/datasets", json={"source": "baci"}, headers=csrf_headers(c))
    assert r.status_code == 400 and "multipart/form-data" in r.json()["detail"]
    r = c.post(
        "/api/v1/datasets",
        content=b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.csv"\r\n\r\nx',
        headers={**csrf_headers(c), "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert r.status_code == 400 and "incomplete upload" in r.json()["detail"]
    assert list((app.state.settings.data_dir / "uploads").iterdir()) == []


def test_the_progress_bar_has_a_cancel_button(app):
    c = signed_in(app, "alice")
    for lang, text in (("en", "Cancel"), ("nl", "Annuleren")):
        page = c.get(f"/{lang}/data").text
        assert f'<button type="button" id="job-cancel" hidden>{text}</button>' in page
    script = c.get("/static/data.js").text
    assert "/cancel'" in script and "job-cancel" in script
