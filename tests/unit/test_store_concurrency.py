"""The data store under concurrent writers and after interrupted runs: real processes.

Two ``ketenradar data add`` processes adding different years of one BACI dataset at the same
time must both keep their years; a ``kill -9``'d ingest leaves nothing behind once the next
write (or the server) starts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import write_country_dict, write_product_dict, write_trade

from ketenradar import api
from ketenradar.datasets import DataStore
from ketenradar.datasets.datastore import STALE_UPLOAD_HOURS_ENV, clean_leftovers

NAME = "baci_hs92_v202401b"


def _years_folder(root: Path, years: range, rows_per_year: int = 40) -> Path:
    """A folder of hand-made BACI files: dictionaries and one trade file per year."""
    root.mkdir(parents=True)
    write_country_dict(root)
    write_product_dict(root, [f"{260100 + n}" for n in range(rows_per_year)])
    for y in years:
        rows = [(y, 156, 528, f"{260100 + n}", float(n + 1), "NA") for n in range(rows_per_year)]
        write_trade(root, y, rows)
    return root


def _add_cmd(folder: Path, data_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "ketenradar",
        "data",
        "add",
        "baci",
        str(folder),
        "--data-dir",
        str(data_dir),
    ]


def _env() -> dict[str, str]:
    env = {**os.environ}
    env.pop("KETENRADAR_DATA_DIR", None)
    return env


def _stored_years(data_dir: Path) -> list[int]:
    ds = DataStore(data_dir).get(NAME)
    files = [str(p) for p in ds.table_files("trade")]
    sql = f"SELECT DISTINCT year FROM read_parquet({files}) ORDER BY 1"
    return [r[0] for r in duckdb.sql(sql).fetchall()]


def test_two_concurrent_adds_keep_every_year(tmp_path: Path) -> None:
    """Two real processes add different years to the same dataset at the same moment, three
    times over: every year of both is kept, and both report success."""
    a = _years_folder(tmp_path / "a", range(2001, 2007))
    b = _years_folder(tmp_path / "b", range(2011, 2017))
    for trial in range(3):
        data_dir = tmp_path / f"store{trial}"
        procs = [
            subprocess.Popen(
                _add_cmd(folder, data_dir),
                env=_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for folder in (a, b)
        ]
        results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
        for rc, out, err in results:
            assert rc == 0, (trial, out, err)
            assert f"added {NAME}" in out, (trial, out, err)
        years = _stored_years(data_dir)
        assert years == [*range(2001, 2007), *range(2011, 2017)], (trial, years, results)
        m = DataStore(data_dir).get(NAME).manifest
        assert sorted(int(y) for y in m.tables["trade"]["years"]) == years
        assert sorted(y for i in m.inputs for y in i.years) == years
        assert list((data_dir / "staging").iterdir()) == []


def test_previous_version_is_resolved_inside_the_lock(tmp_path: Path, data_dir: Path) -> None:
    """A writer that waited for the lock builds on the version committed while it waited
    (threads of one process: the lock is per thread, so a second thread really waits)."""
    import threading

    a = _years_folder(tmp_path / "a", range(2001, 2003))
    b = _years_folder(tmp_path / "b", range(2011, 2013))
    store = DataStore(data_dir)
    errors: list[BaseException] = []
    with store.lock():  # hold the writer lock: both adds start, then wait for it

        def add(folder: Path) -> None:
            try:
                api.add_dataset("baci", [folder], data_dir=data_dir)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=add, args=(f,)) for f in (a, b)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        assert all(t.is_alive() for t in threads)  # both wait for the lock
    for t in threads:
        t.join(60)
    assert errors == []
    assert _stored_years(data_dir) == [2001, 2002, 2011, 2012]


def test_stage_refuses_to_build_on_a_version_that_changed(tmp_path: Path, data_dir: Path) -> None:
    """A caller that read the dataset outside the lock and stages after another writer
    committed gets a clear conflict error, not a silent loss of the other writer's years."""
    from ketenradar.core.errors import ConflictError
    from ketenradar.sources.baci import BaciConnector

    api.add_dataset("baci", [_years_folder(tmp_path / "a", range(2001, 2003))], data_dir=data_dir)
    mine = DataStore(data_dir)
    seen = mine.get(NAME)  # read outside the lock
    api.add_dataset("baci", [_years_folder(tmp_path / "b", range(2011, 2012))], data_dir=data_dir)
    with pytest.raises(ConflictError, match="changed while"), mine.stage(NAME):
        pass
    assert seen.manifest.version != DataStore(data_dir).get(NAME).manifest.version
    # the connector called directly (no lock around it) hits the same check only when a
    # writer slipped in; alone it goes through
    BaciConnector().ingest([_years_folder(tmp_path / "c", range(2021, 2022))], DataStore(data_dir))
    assert _stored_years(data_dir) == [2001, 2002, 2011, 2021]


def test_remove_during_add_is_clean(tmp_path: Path, data_dir: Path) -> None:
    """``data remove`` while an add waits for the lock: the add then builds on nothing (a new
    dataset of its own years), never on the removed version's half-deleted files."""
    import threading

    api.add_dataset("baci", [_years_folder(tmp_path / "a", range(2001, 2003))], data_dir=data_dir)
    b = _years_folder(tmp_path / "b", range(2011, 2013))
    errors: list[BaseException] = []
    store = DataStore(data_dir)
    with store.lock():

        def add() -> None:
            try:
                api.add_dataset("baci", [b], data_dir=data_dir)
            except BaseException as exc:
                errors.append(exc)

        t = threading.Thread(target=add)
        t.start()
        time.sleep(0.3)
        store.remove(NAME)  # re-entrant: this thread holds the lock
    t.join(60)
    assert errors == []
    assert _stored_years(data_dir) == [2011, 2012]


def test_reader_of_the_previous_version_survives_a_commit(tmp_path: Path, data_dir: Path) -> None:
    """A query (or a facts build, which reads the same way) that opened the live version
    keeps working when an add commits a new version meanwhile: the version before the live
    one is kept until the next commit; older ones go."""
    from ketenradar.datasets.trade import open_trade

    api.add_dataset("baci", [_years_folder(tmp_path / "a", range(2001, 2003))], data_dir=data_dir)
    with open_trade(DataStore(data_dir).get(NAME)) as session:
        api.add_dataset(
            "baci", [_years_folder(tmp_path / "b", range(2011, 2012))], data_dir=data_dir
        )
        n = session.con.execute("SELECT count(DISTINCT year) FROM trade").fetchone()[0]
        assert n == 2
    api.add_dataset("baci", [_years_folder(tmp_path / "c", range(2021, 2022))], data_dir=data_dir)
    versions = [p for p in (data_dir / "datasets" / NAME).iterdir() if p.is_dir()]
    assert len(versions) == 2  # the live one and the one before
    assert _stored_years(data_dir) == [2001, 2002, 2011, 2021]


def _one_supplier(root: Path, exporter: int) -> Path:
    """One year (2022) in which the Netherlands imports product 260100 from ``exporter``."""
    root.mkdir(parents=True)
    write_country_dict(root)
    write_product_dict(root, ["260100"])
    write_trade(root, 2022, [(2022, exporter, 528, "260100", 100.0, "1")])
    return root


def test_facts_build_reads_one_version_while_an_add_runs(tmp_path: Path, data_dir: Path) -> None:
    """A facts build reads the store several times (screening, then suppliers, balance …).
    An add of a new version started during the build waits for it, so that every fact table
    comes from the version the build's manifest names (China as the supplier here), not a
    mix of the two (the add replaces China by the USA)."""
    import threading

    import pandas as pd

    from ketenradar.results import live

    api.add_dataset("baci", [_one_supplier(tmp_path / "chn", 156)], data_dir=data_dir)
    first = DataStore(data_dir).get(NAME).manifest.version
    usa = _one_supplier(tmp_path / "usa", 842)
    waiting, finished = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def add() -> None:
        def progress(step: str, done: int, total: int | None) -> None:
            if step.startswith("waiting"):
                waiting.set()

        try:
            api.add_dataset("baci", [usa], data_dir=data_dir, progress=progress)
        except BaseException as exc:
            errors.append(exc)
        finally:
            finished.set()

    adder = threading.Thread(target=add)

    def progress(what: str, done: int, total: int) -> None:
        if what.startswith("screening") and not adder.is_alive() and not finished.is_set():
            adder.start()  # an add starts after the build read the screening's version
            while not (waiting.is_set() or finished.is_set()):
                time.sleep(0.01)

    m = live.build(data_dir, importers=["NLD"], years=[2022], progress=progress)
    adder.join(60)
    assert errors == []
    assert [d["version"] for d in m["datasets"] if d["dataset"] == NAME] == [first]
    screening = pd.read_parquet(live.current(data_dir) / "screening.parquet")
    assert set(screening["top_supplier"]) == {"CHN"}
    sup = pd.read_parquet(live.current(data_dir) / "suppliers.parquet")
    assert set(sup["supplier"]) == {"CHN"}, sup  # read after the add started
    assert waiting.is_set()  # the add waited for the build
    # and the add went through afterwards
    assert DataStore(data_dir).get(NAME).manifest.version != first


# -- leftovers of interrupted runs ---------------------------------------------------------
def _kill_mid_ingest(tmp_path: Path, data_dir: Path) -> None:
    """Start a real ``data add`` and ``kill -9`` it while it writes its staging version."""
    big = _years_folder(tmp_path / "big", range(1990, 2020), rows_per_year=400)
    proc = subprocess.Popen(
        _add_cmd(big, data_dir), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    staging = data_dir / "staging"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            entries = list(staging.iterdir()) if staging.is_dir() else []
            # killed once its version folder holds trade files (mid-parse)
            if any(n.name.startswith(NAME) and any(n.glob("trade/*.parquet")) for n in entries):
                break
            assert proc.poll() is None, "the ingest finished before it could be interrupted"
            time.sleep(0.01)
        else:
            pytest.fail("the ingest did not start writing")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert any(staging.iterdir()), "the killed run left nothing to clean"


def test_killed_ingest_leftovers_are_cleaned_at_next_add(tmp_path: Path, data_dir: Path) -> None:
    _kill_mid_ingest(tmp_path, data_dir)
    left = sorted(p.name for p in (data_dir / "staging").iterdir())
    assert any(n.startswith(NAME) for n in left)  # its half-written version (and scratch)
    small = _years_folder(tmp_path / "small", range(2001, 2002))
    subprocess.run(_add_cmd(small, data_dir), env=_env(), check=True, capture_output=True)
    assert list((data_dir / "staging").iterdir()) == []
    assert _stored_years(data_dir) == [2001]


def test_leftovers_are_cleaned_at_server_start(tmp_path: Path, data_dir: Path) -> None:
    """A killed ingest's staging folders and an abandoned upload folder (older than the age
    rule) go at ``create_app``; a fresh upload folder (a request in progress) stays."""
    from ketenradar.interfaces.web.app import create_app

    _kill_mid_ingest(tmp_path, data_dir)
    uploads = data_dir / "uploads"
    old, fresh = uploads / "upload-old", uploads / "upload-fresh"
    for d in (old, fresh):
        d.mkdir(parents=True)
        (d / "BACI_HS92_Y2022_V202401b.csv").write_text("t,i,j,k,v,q\n")
    week_ago = time.time() - 7 * 86400
    for p in (*old.iterdir(), old):
        os.utime(p, (week_ago, week_ago))
    create_app()
    assert list((data_dir / "staging").iterdir()) == []
    assert sorted(p.name for p in uploads.iterdir()) == ["upload-fresh"]


def test_upload_age_rule_is_configurable(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    up = data_dir / "uploads" / "upload-x"
    up.mkdir(parents=True)
    hour_ago = time.time() - 3600
    os.utime(up, (hour_ago, hour_ago))
    clean_leftovers(data_dir)
    assert up.is_dir()  # default: a day
    monkeypatch.setenv(STALE_UPLOAD_HOURS_ENV, "0.5")
    clean_leftovers(data_dir)
    assert not up.exists()
    monkeypatch.setenv(STALE_UPLOAD_HOURS_ENV, "soon")
    from ketenradar.core.errors import UsageError

    with pytest.raises(UsageError, match=STALE_UPLOAD_HOURS_ENV):
        clean_leftovers(data_dir)
