"""Shared fixtures: the real data folder, small BACI files written by hand, a data dir."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[1]

#: BACI numeric codes used in hand-made files (V2024 dictionary layout).
HAND_COUNTRIES = [
    (528, "Netherlands", "NL", "NLD"),
    (276, "Germany", "DE", "DEU"),
    (251, "France", "FR", "FRA"),
    (156, "China", "CN", "CHN"),
    (842, "USA", "US", "USA"),
    (76, "Brazil", "BR", "BRA"),
    (490, "Other Asia, nes", "", "S19"),
    (516, "Namibia", "NA", "NAM"),
]


def shared_data_root() -> Path:
    """``$KETENRADAR_SHARED_DATA`` or ``../shared/data`` next to the repository."""
    env = os.environ.get("KETENRADAR_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def require_shared(sub: str = "") -> Path:
    """The shared data folder (or a subfolder); fail under CI, skip elsewhere, when missing."""
    p = shared_data_root() / sub
    if not p.exists():
        msg = f"shared reference data not found at {p} (set KETENRADAR_SHARED_DATA)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return p


@pytest.fixture
def shared_data() -> Path:
    """The real public data folder (fails under CI when missing)."""
    return require_shared()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data directory, also set as KETENRADAR_DATA_DIR."""
    d = tmp_path / "store"
    monkeypatch.setenv("KETENRADAR_DATA_DIR", str(d))
    monkeypatch.delenv("KETENRADAR_GROUPS_FILE", raising=False)
    return d


def write_country_dict(folder: Path, release: str = "V202401b") -> Path:
    """A BACI country dictionary in the V2024 layout."""
    p = folder / f"country_codes_{release}.csv"
    lines = ["country_code,country_name,country_iso2,country_iso3"]
    lines += [f'{c},"{n}",{i2},{i3}' for c, n, i2, i3 in HAND_COUNTRIES]
    p.write_text("\n".join(lines) + "\n")
    return p


def write_product_dict(
    folder: Path, codes: list[str], hs: str = "HS92", release: str = "V202401b"
) -> Path:
    """A BACI product dictionary."""
    p = folder / f"product_codes_{hs}_{release}.csv"
    p.write_text("code,description\n" + "".join(f'{c},"product {c}"\n' for c in codes))
    return p


def write_trade(
    folder: Path,
    year: int,
    rows: list[tuple],
    hs: str = "HS92",
    release: str = "V202401b",
    header: str = "t,i,j,k,v,q",
) -> Path:
    """A BACI trade CSV from rows (t, i, j, k, v, q)."""
    p = folder / f"BACI_{hs}_Y{year}_{release}.csv"
    body = "".join(",".join(str(x) for x in r) + "\n" for r in rows)
    p.write_text(header + "\n" + body)
    return p


#: The ``http_server`` fixture (tests/fixtures_http.py): local HTTP server for download tests.
pytest_plugins = ["fixtures_http"]


def pymrio_system(t):
    """The same table as a pymrio IOSystem with a value-added extension (not yet computed)."""
    import pandas as pd
    import pymrio

    idx = pd.MultiIndex.from_frame(t.index())
    n_fd = len(t.regions) * len(t.fd_categories)
    ycols = pd.MultiIndex.from_product([t.regions, t.fd_categories], names=["region", "category"])
    io = pymrio.IOSystem(
        Z=pd.DataFrame(t.Z, index=idx, columns=idx),
        Y=pd.DataFrame(t.Y.reshape(t.n, n_fd), index=idx, columns=ycols),
        x=pd.DataFrame(t.x, index=idx, columns=["indout"]),
    )
    io.va = pymrio.Extension(name="va", F=pd.DataFrame([t.va], index=["va"], columns=idx))
    return io


def csrf_headers(client) -> dict[str, str]:
    """The header a test client sends with a POST/PUT/PATCH/DELETE (and sets the cookie)."""
    token = client.get("/api/v1/session").json()["csrf_token"]
    return {"X-CSRF-Token": token}


# --- accounts in the web app: one password, sign-in through the API ------------------------

#: the password of every account the tests create
PASSWORD = "correct horse battery staple"


def web_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, users: dict[str, str]):
    """The web app over the data dir ``tmp_path / "data"`` with an account per user name (its
    role the value, the password ``PASSWORD``), hashed with Argon2id's cheapest settings."""
    from ketenradar.interfaces.web.app import create_app
    from ketenradar.interfaces.web.settings import WebSettings
    from ketenradar.registry import service

    for name, value in (("TIME_COST", "1"), ("MEMORY_KIB", "64"), ("PARALLELISM", "1")):
        monkeypatch.setenv(f"KETENRADAR_ARGON2_{name}", value)
    application = create_app(settings=WebSettings.from_env(tmp_path / "data"))
    for name, role in users.items():
        service.create_user(application.state.accounts, name, PASSWORD, role)
    return application


def signed_in(app, username: str) -> TestClient:
    """A test client of ``app`` signed in as ``username`` (password ``PASSWORD``) through
    ``POST /api/v1/login``."""
    from fastapi.testclient import TestClient

    c = TestClient(app)
    r = c.post(
        "/api/v1/login", json={"username": username, "password": PASSWORD}, headers=csrf_headers(c)
    )
    assert r.status_code == 200
    return c


def record_job_steps(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The list every background job's progress steps are appended to, in order, from now on
    (``Job.report`` still reports them)."""
    from ketenradar.core.jobs import Job

    steps: list[str] = []
    original = Job.report

    def recording(self: Job, step: str, done: int, total: int | None) -> None:
        steps.append(step)
        original(self, step, done, total)

    monkeypatch.setattr(Job, "report", recording)
    return steps


# --- the real materials sources (the shared data) -------------------------------------------


def materials_store(store: Path, *, wgi_db: bool = False, supply: bool = True) -> Path:
    """``store`` with the shared data's materials sources added: the EU CRM tables, the WGI 2020
    release (and geopolrisk's ``wgi.db`` after it, when ``wgi_db``) and, when ``supply``, World
    Mining Data and BACI raw materials. Skips (under CI fails) without the shared data."""
    from ketenradar import api

    shared = require_shared()
    wgi = [shared / "wgi" / "2020_Worldwide_Governance_Indicators_1996-2019.csv"]
    if wgi_db:
        wgi.append(shared / "geopolrisk" / "wgi.db")
    api.add_dataset("eu_crm", [shared / "eu_crm"], data_dir=store)
    api.add_dataset("wgi", wgi, data_dir=store)
    if supply:
        api.add_dataset("wmd", [shared / "geopolrisk" / "world_mining_data.db"], data_dir=store)
        api.add_dataset("baci", [shared / "baci_raw_materials_hs92"], data_dir=store)
    return store


# --- the accounts database: SQLite and PostgreSQL ------------------------------------------

PG_ADMIN = os.environ.get(
    "KETENRADAR_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the local server (dropped afterwards); skips
    when the server is missing, fails instead when ``CI`` is set."""
    import uuid

    from sqlalchemy import create_engine, text

    from ketenradar.registry import db

    name = f"ketenradar_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server is missing
        msg = f"PostgreSQL at {PG_ADMIN} is not reachable: {exc}"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        db.engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def accounts_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty accounts database: SQLite in ``tmp_path``, then PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'accounts' / 'ketenradar.db'}"
    return request.getfixturevalue("postgres_url")


# --- browser tests (tests/browser): a real server process and Debian's Chromium -------------
# (here rather than in tests/browser/conftest.py: two modules named `conftest` would shadow
# each other for the `from conftest import …` the test modules use)

ARTIFACTS = REPO / "test-artifacts"


def _chromium() -> str:
    path = os.environ.get("KETENRADAR_CHROMIUM") or shutil.which("chromium")
    if not path:
        msg = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@contextmanager
def running_server(data_dir: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """A real ``ketenradar serve`` process on a free loopback port over ``data_dir`` (with
    ``env`` added to its environment, e.g. ``TMPDIR`` or a limit); yields its base URL once
    it answers, and stops it afterwards."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "KETENRADAR_DATA_DIR": str(data_dir), **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ketenradar", "serve", "--port", str(port)], env=env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/api/v1/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server over an empty store (the pages show the starter pack)."""
    with running_server(tmp_path_factory.mktemp("web") / "store") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    exe = _chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    external = []
    pg.on(
        "request",
        lambda r: (
            external.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:")) else None
        ),
    )
    pg.external = external
    yield pg
    ctx.close()


def together(calls: list[Callable[[], Any]], timeout: float = 120) -> list[Any]:
    """Run every call in its own thread, all released at once; the results in order (an
    exception is returned in place of its result)."""
    barrier = threading.Barrier(len(calls))
    out: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            out[i] = calls[i]()
        except BaseException as exc:  # returned: the test inspects it
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
        assert not t.is_alive(), "a thread is stuck (deadlock?)"
    return out


#: A hand-made BOM (YAML): gallium 2 × 1.5 kg in a chip, copper 4 kg (extraction) and tin
#: 0.5 kg in a cable.
HAND_BOM = """\
system: toy radar
illustrative: false
unit: mass_kg
sources:
  - {id: s1, citation: "hand-made for the test"}
subsystems:
  - name: board
    quantity: 2
    components:
      - name: chip
        materials:
          - {material: Gallium, mass_kg: 1.5, source: s1}
  - name: cable
    materials:
      - {material: copper, mass_kg: 4, stage: extraction, source: s1}
      - {material: tin, mass_kg: 0.5, source: s1}
"""


# -- engines (ketenradar.core.engines): every engine-parametrised test runs on each ----------

#: The engines the relational analyses are tested on, with the same expected values.
ENGINES = ("duckdb", "spark")
#: Spark in local mode on this machine's two cores. One process holds one Spark context, so
#: the analyses' default master (KETENRADAR_SPARK_MASTER) is this one too, whichever test
#: starts Spark first.
SPARK_TEST_MASTER = "local[2]"
os.environ["KETENRADAR_SPARK_MASTER"] = SPARK_TEST_MASTER

TRADE_SCHEMA = {
    "year": "int16",
    "exporter": "string",
    "importer": "string",
    "product": "string",
    "value_kusd": "float64",
    "quantity_t": "float64",
}


def open_test_engine(name: str):
    """A new engine of ``name`` (Spark on :data:`SPARK_TEST_MASTER`)."""
    from ketenradar.datasets.engine import open_engine

    return open_engine(name, **({"master": SPARK_TEST_MASTER} if name == "spark" else {}))


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Each engine in turn (the Spark session starts once per test process, ~5 s)."""
    eng = open_test_engine(request.param)
    yield eng
    eng.close()


def load_trade(engine: Any, trade: Any, products: Any = None) -> Any:
    """Register a trade frame (canonical columns; ``quantity_t`` may be left out) and a
    products frame (default: one row per product, description 'test good') on ``engine``."""
    import pandas as pd
    import pyarrow as pa

    df = pd.DataFrame(trade).copy()
    if "quantity_t" not in df:
        df["quantity_t"] = None
    schema = pa.schema([(c, pa.from_numpy_dtype(t) if t != "string" else pa.string())
                        for c, t in TRADE_SCHEMA.items()])  # fmt: skip
    engine.register("trade", pa.Table.from_pandas(df[list(TRADE_SCHEMA)], schema=schema,
                                                  preserve_index=False))  # fmt: skip
    if products is None:
        products = pd.DataFrame({"product": sorted(df["product"].unique())})
        products["description"] = "test good"
    engine.register("products", pa.Table.from_pandas(products, preserve_index=False))
    return engine
