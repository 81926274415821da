# ruff: noqa: N803, N806  (input-output matrix notation: Z, A, as in tests/unit/test_io_*.py)
"""Every cached computation of the web application under concurrent requests.

The server answers each request from a thread of one pool, and every cache below is shared by
those threads. Each test runs many real threads at once (started together by a barrier) on a
cold cache, over many keys, and checks that every answer equals the one computed serially,
that a value is computed once however many ask for it at the same moment (the caches' own
counters, :class:`ketenradar.core.cache.CacheStats`), and that shared values are not changed by
their callers:

* :class:`ketenradar.core.cache.SingleFlightCache` itself (single flight, errors, bound, recursion);
* the input-output models (:func:`ketenradar.modules.io.api.load_model`) and their solves
  (the shared LU pivots that SciPy's ``getrs`` wrapper used to rewrite in place);
* the views of :class:`ketenradar.results.facts.Facts` (``cached``, ``_memo``, the layers) behind
  the overview, explorer, product, country, world map, material, input-output and BOM views;
* the process-wide ``functools`` caches (vocabulary, ecosystems, country names, map shapes,
  packaged BOMs, the starter layer);
* the what-if: cached per inputs and scenario, computed once for identical concurrent
  requests, at most ``KETENRADAR_MAX_CONCURRENT_WHATIF`` at once (429 beyond the queue);
* a real ``ketenradar serve`` process hit by many clients at once on a cold start: it stays
  up and answers exactly what a fresh application answers one request at a time.

The ICIO-sized crash (heap corruption under concurrent shocks) is reproduced on the real
table in ``tests/realdata/test_io_concurrency.py``.
"""

from __future__ import annotations

import copy
import http.cookiejar
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import csrf_headers, require_shared, running_server, together
from fastapi.testclient import TestClient
from test_io_web import SVC_REGIONS, SVC_SECTORS, services_matrices, write_icio_csv
from typer.testing import CliRunner

from ketenradar.core import countries, modules
from ketenradar.core.cache import SingleFlightCache
from ketenradar.core.vocabularies import materials as vocabulary
from ketenradar.datasets.iotable import IOTable
from ketenradar.interfaces.cli.app import app as cli_app
from ketenradar.interfaces.web import compression, i18n
from ketenradar.interfaces.web import search as site_search
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.modules.io import api as io_api
from ketenradar.modules.io.analysis.model import IOModel
from ketenradar.modules.io.web import views as io_page
from ketenradar.modules.materials.web import views as mp
from ketenradar.modules.trade import ecosystems
from ketenradar.modules.trade.web import compare, content, country, treemap
from ketenradar.results import facts as facts_mod
from ketenradar.results.facts import Facts

THREADS = 16


def canon(value: Any) -> str:
    """A value as canonical JSON (frames by their split form; NaN spelt NaN), to compare."""

    def default(o: Any) -> Any:
        if isinstance(o, pd.DataFrame):
            return o.to_dict("split")
        if isinstance(o, pd.Series):
            return o.to_dict()
        if isinstance(o, (set, frozenset)):
            return sorted(o)
        if isinstance(o, np.generic):
            return o.item()
        return repr(o)

    return json.dumps(value, sort_keys=True, default=default)


def no_errors(results: list[Any]) -> None:
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]


# --- the cache itself -------------------------------------------------------------------------


def test_single_flight_cache_computes_each_key_once():
    cache = SingleFlightCache(8)
    calls: list[int] = []
    lock = threading.Lock()

    def make(k: int) -> Callable[[], dict]:
        def f() -> dict:
            with lock:
                calls.append(k)
            time.sleep(0.05)  # long enough for every other thread to ask meanwhile
            return {"key": k, "square": k * k}

        return f

    keys = [i % 4 for i in range(32)]
    got = together([lambda k=k: cache.get(k, make(k)) for k in keys])
    no_errors(got)
    assert [g["square"] for g in got] == [k * k for k in keys]
    assert sorted(calls) == [0, 1, 2, 3]  # once per key, not once per thread
    assert cache.stats.computed == 4 and cache.stats.joined + cache.stats.hits == 28
    first = {k: cache.peek(k) for k in range(4)}
    assert all(g is first[g["key"]] for g in got)  # one shared value per key


def test_single_flight_cache_errors_bound_and_recursion():
    cache = SingleFlightCache(3)
    n = {"calls": 0}

    def boom() -> None:
        n["calls"] += 1
        time.sleep(0.05)
        raise ValueError("bad input")

    got = together([lambda: cache.get("k", boom) for _ in range(8)])
    assert all(isinstance(g, ValueError) for g in got) and n["calls"] == 1
    assert "k" not in cache and cache.stats.failed == 1
    assert cache.get("k", lambda: 5) == 5  # an error is not stored: the next call computes
    got = together([lambda i=i: cache.get(("many", i), lambda i=i: i) for i in range(40)])
    assert got == list(range(40)) and len(cache) == 3  # bounded under concurrency
    assert cache.stats.evicted == 41 - 3

    def recurse() -> int:  # a make that asks for its own key computes, not waits for itself
        return cache.get("self", lambda: 7) + 1

    assert together([lambda: cache.get("self", recurse)])[0] == 8


# --- input-output models ----------------------------------------------------------------------


def synthetic_table(R: int = 20, S: int = 50, seed: int = 7) -> IOTable:
    """A productive random table of R·S industries (column sums of A at most 0.6)."""
    rng = np.random.default_rng(seed)
    n = R * S
    x = rng.uniform(100, 1000, n)
    A = rng.random((n, n))
    A *= rng.uniform(0.2, 0.6, n) / A.sum(axis=0)
    Z = A * x[None, :]
    va = x - Z.sum(axis=0)
    return IOTable(
        source="test",
        year=2022,
        regions=[f"R{r:02d}" for r in range(R)],
        sectors=[f"S{s:02d}" for s in range(S)],
        Z=Z,
        x=x,
        va=va,
        other=np.zeros(n),
        y_total=x - Z.sum(axis=1),
    )


def test_solves_leave_the_shared_pivots_alone():
    """SciPy's getrs wrapper rewrote the pivots it was handed in place while LAPACK ran: with
    one pivot array per model, concurrent solves corrupted each other (and the heap). A
    watcher thread sees every change to the model's pivots during a run of solves."""
    model = IOModel(synthetic_table(R=12))
    piv = model._piv
    before = piv.copy()
    changed, stop = [], threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if not np.array_equal(piv, before):
                changed.append(True)
                return

    watcher = threading.Thread(target=watch)
    watcher.start()
    b = np.ones((model.table.n, 8))
    for _ in range(60):
        model.leontief_solve(b)
        model.leontief_left(b)
    stop.set()
    watcher.join()
    assert not changed, "a solve rewrote the shared pivot array"
    # and concurrent solves on the shared model equal the serial ones
    rhs = [np.random.default_rng(i).random((model.table.n, 3)) for i in range(THREADS)]
    serial = [model.leontief_solve(r) for r in rhs]
    got = together([lambda r=r: model.leontief_solve(r) for r in rhs])
    no_errors(got)
    assert all(np.array_equal(g, s) for g, s in zip(got, serial, strict=True))


@pytest.fixture(scope="module")
def io_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the 4-region × 3-sector table of tests/web/test_io_web.py."""
    d = tmp_path_factory.mktemp("io_conc")
    Z, Y = services_matrices()
    csv = write_icio_csv(d / "2022_SML.csv", SVC_REGIONS, SVC_SECTORS, Z, Y)
    r = CliRunner().invoke(
        cli_app, ["--data-dir", str(d / "store"), "io", "load", "icio", str(csv)]
    )
    assert r.exit_code == 0, r.output
    return d / "store"


def io_calls(store: Path, facts: Facts) -> list[Callable[[], Any]]:
    """Industries, exposure and shocks for every economy and supplier of the table."""
    out: list[Callable[[], Any]] = []
    for e in [*SVC_REGIONS, "EU27"]:
        out.append(lambda e=e: io_page.industries(facts, store, economy=e))
        out.append(lambda e=e: io_api.exposure(e, by="source", dataset="icio", data_dir=store))
        for s in SVC_REGIONS:
            if s != e:
                req = {"economy": e, "supplier": s, "fall": 0.4, "industries": ["C26"]}
                out.append(lambda req=req: io_page.run_shock(store, req))
    return out


def _io_canon(value: Any) -> str:
    if isinstance(value, pd.DataFrame):
        value = value.to_dict("split")
    if isinstance(value, dict) and "provenance" in value:  # generated_at differs per call
        value = {k: v for k, v in value.items() if k not in ("provenance", "footer")}
    return canon(value)


def test_io_models_built_once_and_answers_equal_serial(io_store: Path):
    io_api._MODELS.clear()
    serial = [_io_canon(f()) for f in io_calls(io_store, Facts())]
    io_api._MODELS.clear()  # cold again: every thread asks for the model at once
    models = together([lambda: io_api.load_model(dataset="icio", data_dir=io_store)[0]] * THREADS)
    assert all(m is models[0] for m in models)  # one model object, not one per thread
    io_api._MODELS.clear()
    facts = Facts()
    calls = io_calls(io_store, facts)
    got = together(calls + calls)  # each key asked twice at the same moment
    no_errors(got)
    assert [_io_canon(g) for g in got] == serial + serial
    assert io_api._MODELS.stats.computed == 1  # one model, built once for 2 × 30 requests
    model, _ = io_api.load_model(dataset="icio", data_dir=io_store)
    with pytest.raises(ValueError, match="read-only"):
        model.table.Z[0, 0] = 1.0  # the shared model cannot be changed by an analysis
    views = facts.cache_stats()["views"]
    assert views["computed"] == len(SVC_REGIONS) + 1  # one industries view per economy


# --- the fact views ---------------------------------------------------------------------------


def fact_views(facts: Facts, data_dir: Path) -> list[Callable[[], Any]]:
    """One call per view the pages and the API cache, over several keys each."""
    products = ["270900", "271111", "760110", "270119"]
    partners = ["USA", "NOR", "BRA", "CHN"]
    supply = mp.bom_supply(facts, data_dir, "eu_crm")
    out: list[Callable[[], Any]] = [
        lambda: facts.manifest(),
        lambda: facts.footer(["screening", "crma"]),
        lambda: mp.overview(facts),
        lambda: io_page.exposure_table(facts),
        lambda: io_page.industries(facts, data_dir),
        lambda: mp.packaged_bom_list(),
    ]
    for imp in ("NLD", "EU27"):
        out.append(lambda imp=imp: content.overview(facts, imp))
        out.append(lambda imp=imp: content.dependencies(facts, importer=imp, q="ore"))
        out.append(lambda imp=imp: country.world_map(facts, imp))
        for p in products:
            out.append(lambda imp=imp, p=p: content.product(facts, p, imp))
        for c in partners:
            out.append(lambda imp=imp, c=c: country.country(facts, c, imp))
    for m in ("tin", "lithium", "cobalt", "gallium"):
        out.append(lambda m=m: mp.material_detail(facts, m))
    # the site search (its index is one cached view), the comparison and the treemap
    for q, lang in (("cobalt", "en"), ("kobalt", "nl"), ("CHN", "en"), ("2603", "nl")):
        out.append(lambda q=q, lang=lang: site_search.search(facts, q, lang))
    for p in ("810510", "260300"):
        out.append(lambda p=p: compare.compare(facts, product=p))
    out.append(lambda: compare.compare(facts, material="cobalt", lang="nl"))
    for by in ("product", "supplier"):
        out.append(lambda by=by: treemap.treemap(facts, "NLD", by=by))
    out.append(lambda: content.served_thresholds(facts))
    out.append(lambda: content.threshold_changes(facts))
    for name in sorted(mp.packaged_bom_list(), key=lambda b: b["name"])[:3]:
        out.append(lambda n=name["name"]: mp.packaged_bom_exposure(facts, n, supply))
    return out


def test_fact_views_computed_once_and_equal_serial(tmp_path: Path):
    data_dir = tmp_path / "empty"
    serial_facts = Facts(data_dir=data_dir)
    serial_calls = fact_views(serial_facts, data_dir)
    serial = [canon(f()) for f in serial_calls]
    computed_serially = serial_facts.cache_stats()
    cached = [f() is f() for f in serial_calls]  # the views returned as cached (shared)
    facts = Facts(data_dir=data_dir)  # cold: nothing derived yet
    calls = fact_views(facts, data_dir)
    # every view asked by three threads at the same moment, in three orders
    got = together(calls + calls[::-1] + calls[len(calls) // 2 :] + calls[: len(calls) // 2])
    no_errors(got)
    n = len(calls)
    expect = serial + serial[::-1] + serial[n // 2 :] + serial[: n // 2]
    assert [canon(g) for g in got] == expect
    for i in range(n):  # a view asked at the same moment is computed once: one shared object
        same = (got[i], got[2 * n - 1 - i], got[2 * n + (i - n // 2) % n])
        assert not cached[i] or same[0] is same[1] is same[2], i
    stats = facts.cache_stats()
    # single flight: each view (and each memo) computed once, as in the serial run
    assert stats["views"]["computed"] == computed_serially["views"]["computed"]
    assert stats["memo"]["computed"] == computed_serially["memo"]["computed"]
    assert stats["views"]["joined"] + stats["views"]["hits"] > 0


def test_process_wide_caches_cold_under_concurrency():
    cached = [
        vocabulary.materials,
        vocabulary._index,
        country._registry,
        country._converter_names,
        country.drawable,
        ecosystems._default_index,
        mp._packaged_bom_list,
        facts_mod._starter_layer_cached,
        countries._iso2_of,
        countries._territories,
        i18n._data_texts,
        compression._plotly_bodies,
        modules.fact_tables,
        modules.saved_kinds,
    ]
    products = ["260300", "810590", "280461", "711011", "999999", "8541"]

    def calls() -> list[Callable[[], Any]]:
        return [
            lambda: [m.material for m in vocabulary.materials()],
            lambda: vocabulary.resolve_material("Rare earths").material,
            lambda: sorted(vocabulary._index()),
            lambda: country.country_name("CHN") + country.country_name("NLD"),
            lambda: sorted(country.drawable()),
            lambda: ecosystems.ecosystem_frame(products).to_dict("split"),
            lambda: [ecosystems.ecosystems_for(p) for p in products],
            lambda: mp.packaged_bom_list(),
            lambda: [countries.country_name(c, "nl") for c in ("CHN", "NLD", "DEU", "XKX")],
            lambda: [
                str(i18n.data_text(t.description, "nl", "fact_"))
                for _, t in modules.fact_tables().values()
            ],
            lambda: compression._plotly_bodies()[2],  # the digest of the gzipped library
            lambda: sorted(modules.fact_tables()),
            lambda: sorted(modules.saved_kinds()),
        ]

    serial = [canon(f()) for f in calls()]
    for c in cached:
        c.cache_clear()
    got = together(calls() * 4)
    no_errors(got)
    assert [canon(g) for g in got] == serial * 4
    facts_mod._starter_layer_cached.cache_clear()
    layers = together([lambda: facts_mod._starter_layer(None) for _ in range(THREADS)])
    assert all(layer is layers[0] for layer in layers)  # one starter layer, read once


def test_a_cached_footer_is_not_changed_by_its_callers(tmp_path: Path):
    """bom_supply added the store's WGI dataset to the footer dict that Facts.footer shares
    with every request: the next page showed it twice, then three times."""
    from ketenradar import api

    shared = require_shared("wgi")
    store = tmp_path / "store"
    api.add_dataset(
        "wgi", [shared / "2020_Worldwide_Governance_Indicators_1996-2019.csv"], data_dir=store
    )
    facts = Facts(data_dir=store)
    before = copy.deepcopy(facts.footer(["criticality_shares"]))
    got = together([lambda: mp.bom_supply(facts, store, "eu_crm") for _ in range(8)])
    no_errors(got)
    assert facts.footer(["criticality_shares"]) == before
    assert all(g.footer == got[0].footer for g in got)
    assert any("wgi" in s.lower() for s in got[0].footer["sources"])


# --- the what-if ------------------------------------------------------------------------------


def scenario(i: int, *, shuffled: bool = False) -> dict[str, Any]:
    """A what-if document (different per ``i``; ``shuffled`` spells the same with keys in
    another order)."""
    doc = {
        "name": f"concurrency {i}",
        "changes": [
            {"export_restriction": {"material": "tin", "country": "CHN", "t": 1.0 + i / 10}},
            {"wgi": {"country": "MMR", "estimate": -2.5}},
        ],
    }
    if shuffled:
        doc = {"changes": [dict(reversed(list(c.items()))) for c in doc["changes"]], **doc}
        doc = dict(reversed(list(doc.items())))
    return doc


@pytest.fixture
def whatif_env(monkeypatch: pytest.MonkeyPatch) -> Callable[..., mp.WhatifService]:
    """Set the what-if limits and return a fresh service for them."""

    def set_limits(slots: int = 2, queue: int = 8, cache: int = 64) -> mp.WhatifService:
        monkeypatch.setenv("KETENRADAR_MAX_CONCURRENT_WHATIF", str(slots))
        monkeypatch.setenv("KETENRADAR_MAX_QUEUED_WHATIF", str(queue))
        monkeypatch.setenv("KETENRADAR_WHATIF_CACHE_SIZE", str(cache))
        mp._WHATIF.clear()
        return mp.whatif_service()

    yield set_limits
    mp._WHATIF.clear()


def direct_whatif(data_dir: Path, doc: dict) -> dict:
    inputs, origin = mp.criticality_inputs_for(data_dir)
    return mp.whatif(inputs, doc, origin=origin)


def test_whatif_second_identical_request_is_served_from_the_cache(tmp_path: Path, whatif_env):
    svc = whatif_env()
    t0 = time.perf_counter()
    first = mp.run_whatif(tmp_path, scenario(1))
    t1 = time.perf_counter()
    second = mp.run_whatif(tmp_path, scenario(1, shuffled=True))  # same scenario, other order
    t2 = time.perf_counter()
    assert second is first
    assert svc.cache.stats.computed == 1 and svc.cache.stats.hits == 1
    assert t2 - t1 < (t1 - t0) / 10, (t1 - t0, t2 - t1)
    assert canon(first) == canon(direct_whatif(tmp_path, scenario(1)))
    other = mp.run_whatif(tmp_path, scenario(2))  # another scenario is computed
    assert svc.cache.stats.computed == 2 and canon(other) != canon(first)


def test_whatif_identical_concurrent_requests_compute_once(tmp_path: Path, whatif_env):
    svc = whatif_env(slots=1, queue=0)  # no queue: only single flight lets them all through
    got = together(
        [lambda i=i: mp.run_whatif(tmp_path, scenario(3, shuffled=i % 2)) for i in range(12)]
    )
    no_errors(got)
    assert svc.cache.stats.computed == 1 and svc.limit.refused == 0
    assert all(g is got[0] for g in got)
    assert canon(got[0]) == canon(direct_whatif(tmp_path, scenario(3)))


def test_whatif_computations_are_rationed(tmp_path: Path, whatif_env):
    svc = whatif_env(slots=1, queue=1)
    docs = [scenario(10 + i) for i in range(6)]
    got = together([lambda d=d: mp.run_whatif(tmp_path, d) for d in docs])
    busy = [g for g in got if isinstance(g, mp.WhatifBusyError)]
    done = [(d, g) for d, g in zip(docs, got, strict=True) if isinstance(g, dict)]
    assert len(busy) + len(done) == len(docs), [g for g in got if isinstance(g, Exception)]
    assert svc.limit.peak_running == 1  # never two at once
    assert len(busy) == svc.limit.refused >= 1  # the crowd beyond one waiting is refused
    assert len(done) >= 2  # the one running and the one waiting
    assert all(b.http_status == 429 and b.retry_after > 0 for b in busy)
    assert "at once" in str(busy[0])
    for d, g in done:
        assert canon(g) == canon(direct_whatif(tmp_path, d))


# --- a real server, many clients, cold start --------------------------------------------------


class Client:
    """An HTTP client with its cookie jar and the CSRF token, for a real server."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.token = json.loads(self.opener.open(f"{url}/api/v1/session").read())["csrf_token"]

    def call(self, path: str, body: Any = None) -> tuple[int, Any, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path,
            data=data,
            headers={"Content-Type": "application/json", "X-CSRF-Token": self.token},
        )
        try:
            with self.opener.open(req, timeout=120) as r:
                return r.status, json.loads(r.read()), r.headers
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read()), e.headers


SERVER_GETS = [
    "/api/v1/overview?economy=NLD",
    "/api/v1/overview?economy=EU27",
    "/api/v1/dependencies?importer=NLD&q=ore",
    "/api/v1/dependencies?importer=EU27&sort=-top_supplier_share",
    "/api/v1/products/270900",
    "/api/v1/products/760110?importer=EU27",
    "/api/v1/countries/CHN",
    "/api/v1/countries/USA?importer=EU27",
    "/api/v1/countries?importer=NLD",
    "/api/v1/countries?importer=EU27&measure=balance_ratio_kusd",
    "/api/v1/materials/tin",
    "/api/v1/materials/gallium",
    "/api/v1/io/industries",
    "/api/v1/bom/packaged",
]


def test_real_server_many_clients_cold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KETENRADAR_MAX_CONCURRENT_WHATIF", "1")
    monkeypatch.setenv("KETENRADAR_MAX_QUEUED_WHATIF", "0")
    fresh = TestClient(create_app(settings=WebSettings.from_env(tmp_path / "serial")))
    gets = [p for p in SERVER_GETS if fresh.get(p).status_code == 200]
    assert len(gets) >= 10, "the paths above have changed: update SERVER_GETS"
    bom = mp.packaged_bom_list()[0]["name"]
    gets.append(f"/api/v1/bom/{bom}/exposure")
    with running_server(tmp_path / "store") as url:
        client = Client(url)
        calls = [lambda p=p: client.call(p) for p in gets] * 3
        calls += [lambda: client.call("/api/v1/materials/whatif", scenario(20))] * 6
        t0 = time.perf_counter()
        got = together(calls)
        cold = time.perf_counter() - t0
        no_errors(got)
        assert all(status == 200 for status, _, _ in got), [g[:2] for g in got if g[0] != 200]
        # a second identical what-if comes from the cache
        t1 = time.perf_counter()
        status, again, _ = client.call("/api/v1/materials/whatif", scenario(20))
        assert status == 200 and time.perf_counter() - t1 < cold / 5
        # different what-ifs beyond one running: refused with 429 and Retry-After
        many = together(
            [
                lambda i=i: client.call("/api/v1/materials/whatif", scenario(30 + i))
                for i in range(4)
            ]
        )
        no_errors(many)
        statuses = sorted(s for s, _, _ in many)
        assert statuses[0] == 200 and statuses[-1] == 429, statuses
        refused = next(m for m in many if m[0] == 429)
        assert "at once" in refused[1]["detail"] and int(refused[2].get("Retry-After")) > 0
        assert client.call("/api/v1/health")[0] == 200  # still up
    # every answer equals what a fresh application answers one request at a time
    headers = csrf_headers(fresh)
    expect = {p: canon(fresh.get(p).json()) for p in gets}
    for (_, body, _), p in zip(got[: len(gets) * 3], gets * 3, strict=True):
        assert canon(body) == expect[p], p
    whatif = fresh.post("/api/v1/materials/whatif", json=scenario(20), headers=headers).json()
    assert all(canon(body) == canon(whatif) for _, body, _ in got[len(gets) * 3 :])
    assert canon(again) == canon(whatif)
    for status, body, _ in many:
        if status == 200:
            name = body["scenario"]["name"]
            doc = scenario(int(name.split()[-1]))
            assert canon(body) == canon(
                fresh.post("/api/v1/materials/whatif", json=doc, headers=headers).json()
            )


def test_the_server_runs_one_blas_thread_per_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Requests are the server's concurrency: 40 request threads each starting BLAS threads
    on 2 cores ran 16 ICIO shocks 7 times slower (5.6 s against 0.8 s)."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from ketenradar.core import blas
    from ketenradar.core.errors import UsageError

    def blas_threads() -> set[int]:
        return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}

    with threadpool_limits(limits=2, user_api="blas"):  # as on a 2-core machine; restored after
        monkeypatch.setenv("KETENRADAR_BLAS_THREADS", "0")  # 0: the libraries' own
        create_app(settings=WebSettings.from_env(tmp_path / "a"))
        assert blas_threads() == {2}
        monkeypatch.delenv("KETENRADAR_BLAS_THREADS")
        create_app(settings=WebSettings.from_env(tmp_path / "b"))
        assert blas_threads() == {1}
        monkeypatch.setenv("KETENRADAR_BLAS_THREADS", "many")
        with pytest.raises(UsageError, match="KETENRADAR_BLAS_THREADS='many'"):
            blas.limit_for_server()
