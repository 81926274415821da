"""Issue 15 point 21: on a fresh install the input-output page's shock form needs no command
line. An admin loads the OECD ICIO table from a server folder (by default
``icio_oecd_2022`` of the shared data) as one background job with progress (``POST
/api/v1/io/load``: add to the store, rebuild the facts); afterwards the page shows the shock
form and a shock runs on the loaded table. A folder that is missing or holds no ICIO table is
refused in the one error envelope and the store stays empty; viewers, analysts and anonymous
visitors cannot start the job and see the command instead.

The job runs on the real OECD ICIO 2022 table in /work/shared/data (it loads in seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import csrf_headers, record_job_steps, require_shared, signed_in, web_app
from fastapi.testclient import TestClient

from ketenradar.datasets import DataStore
from ketenradar.modules.io import api as io_api
from ketenradar.registry import service
from ketenradar.results import live

ENVELOPE = {"status", "code", "detail", "field", "file", "line", "column", "node"}


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    return web_app(tmp_path, monkeypatch, {"ann": "admin", "alice": "analyst", "vic": "viewer"})


@pytest.fixture
def shared_icio(monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = require_shared("icio_oecd_2022")
    monkeypatch.setenv("KETENRADAR_SHARED_DATA", str(folder.parent))
    return folder


def store_of(app) -> Path:
    return app.state.settings.data_dir


@pytest.mark.realdata
def test_admin_loads_the_shared_icio_table_then_a_shock_runs(
    app, shared_icio: Path, monkeypatch: pytest.MonkeyPatch
):
    steps = record_job_steps(monkeypatch)
    admin = signed_in(app, "ann")

    # fresh install: no table, the page offers the load button with the shared folder
    page = admin.get("/en/io").text
    assert 'id="io-no-table"' in page and 'id="shock-form"' not in page
    assert 'id="io-load-form"' in page
    assert f"Load the OECD ICIO table from {shared_icio.absolute()}" in page
    r = admin.post("/api/v1/io/shock", json={"supplier": "CHN", "fall": 0.5},
                   headers=csrf_headers(admin))  # fmt: skip
    assert r.status_code == 409

    # the job: empty folder field = the shared data's icio_oecd_2022
    r = admin.post("/api/v1/io/load", json={"folder": ""}, headers=csrf_headers(admin))
    assert r.status_code == 202, r.text
    assert r.json()["kind"] == "load" and r.json()["owner"] == "ann"
    job = app.state.jobs.wait(r.json()["id"], timeout=600)
    assert job.state == "done", job.error
    shown = admin.get(f"/api/v1/jobs/{job.id}").json()
    res = shown["result"]
    assert res["phases"] == ["add", "facts"]
    assert res["datasets"] == ["icio"]
    firsts = [next(i for i, s in enumerate(steps) if s.startswith(p)) for p in ("1/2", "2/2")]
    assert firsts == sorted(firsts), steps
    assert str(shared_icio) not in str(shown)  # no server path in what the job shows

    # the store holds the table, as `ketenradar io load icio` would have written it
    (ds,) = DataStore(store_of(app)).list(kind="io_table")
    assert ds.manifest.attributes["regions"] == 80 and ds.manifest.attributes["sectors"] == 50
    assert ds.manifest.attributes["years"] == [2022]
    # the facts were rebuilt from the store: the input-output tables come from it now
    assert res["facts_rebuilt"] is True and "io_exposure_industry" in res["fact_tables"]
    assert live.current(store_of(app)) is not None
    assert "dataset_added" in [e.action for e in service.audit_log(app.state.accounts)]

    # the page now shows the shock form, and a shock runs on the loaded table
    page = admin.get("/en/io").text
    assert 'id="shock-form"' in page and 'id="io-no-table"' not in page
    body = {"economy": "NLD", "supplier": "CHN", "fall": 0.5, "industries": ["C26"]}
    r = admin.post("/api/v1/io/shock", json=body, headers=csrf_headers(admin))
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["dataset"] == "icio" and got["rows"][0]["industry"] == "TOTAL"
    want = io_api.shock(
        "NLD", supplier="CHN", fall=0.5, industries=("C26",), data_dir=store_of(app)
    )
    total = want[want["industry"] == "TOTAL"]["output_loss_musd"].item()
    assert got["rows"][0]["output_loss_musd"] == pytest.approx(total, rel=1e-9)
    assert total > 0


def test_a_bad_folder_is_refused_in_the_envelope_and_the_store_stays_empty(
    app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("KETENRADAR_SHARED_DATA", str(tmp_path / "nothing-here"))
    admin = signed_in(app, "ann")
    not_icio = tmp_path / "not-icio"
    not_icio.mkdir()
    (not_icio / "OECD_ICIO_2025_country_code_mapping.csv").write_text("Code,Country\nNLD,NL\n")
    (not_icio / "notes.csv").write_text("a,b\n1,2\n")
    a_file = not_icio / "notes.csv"
    cases = [
        (str(tmp_path / "missing"), 404, "no folder"),
        (str(not_icio), 400, "not an OECD ICIO folder"),
        (str(a_file), 400, "is a file, not a folder"),
        ("", 404, "no folder"),  # the default folder is missing from this shared data
        ("/tmp/" + "a" * 400, 400, "not a usable folder name"),
        ("bad\x00name", 400, "not a folder name"),
    ]
    for folder, status, words in cases:
        r = admin.post("/api/v1/io/load", json={"folder": folder}, headers=csrf_headers(admin))
        assert r.status_code == status, (folder, r.text)
        err = r.json()
        assert set(err) == ENVELOPE and err["field"] == "folder"
        assert err["status"] == status and words in err["detail"], err
    r = admin.post("/api/v1/io/load", json={"folder": "x", "extra": 1},
                   headers=csrf_headers(admin))  # fmt: skip
    assert r.status_code == 422 and set(r.json()) == ENVELOPE
    assert DataStore(store_of(app)).list() == [] and live.current(store_of(app)) is None
    # the page says the shared folder holds no table and leaves the field to the admin
    page = admin.get("/en/io").text
    assert 'id="io-load-not-found"' in page and 'id="io-load-form"' in page


def test_a_broken_table_fails_the_job_and_leaves_the_store_as_it_was(app, tmp_path: Path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bench_cache.npz").write_bytes(b"not a zip at all")
    admin = signed_in(app, "ann")
    r = admin.post("/api/v1/io/load", json={"folder": str(broken)}, headers=csrf_headers(admin))
    assert r.status_code == 202, r.text
    job = app.state.jobs.wait(r.json()["id"], timeout=120)
    assert job.state == "failed" and "npz" in job.error
    assert str(tmp_path) not in admin.get(f"/api/v1/jobs/{job.id}").text
    assert DataStore(store_of(app)).list() == [] and live.current(store_of(app)) is None


@pytest.mark.realdata
def test_only_admins_load_and_the_others_see_the_command(app, shared_icio: Path):
    for name, status in (("vic", 403), ("alice", 403)):
        c = signed_in(app, name)
        r = c.post("/api/v1/io/load", json={}, headers=csrf_headers(c))
        assert r.status_code == status and r.json()["code"] == "forbidden", r.text
        page = c.get("/en/io").text
        assert 'id="io-load-form"' not in page and 'id="io-load-need-admin"' in page
        assert io_api.LOAD_HINT["icio"] in page
    anon = TestClient(app)
    r = anon.post("/api/v1/io/load", json={}, headers=csrf_headers(anon))
    assert r.status_code == 401 and set(r.json()) == ENVELOPE
    page = anon.get("/nl/io").text
    assert 'id="io-load-form"' not in page and io_api.LOAD_HINT["icio"] in page
    # an admin without the CSRF token is refused too
    admin = signed_in(app, "ann")
    assert admin.post("/api/v1/io/load", json={}).status_code == 403
    assert "De OECD ICIO-tabel laden uit" in admin.get("/nl/io").text
    assert DataStore(store_of(app)).list() == []
