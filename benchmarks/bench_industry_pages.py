"""Benchmark: the industry pages (issue 18: "the dashboard's main views p95 ≤ 200 ms at 20
clients; the cost calculator answers a profile in ≤ 100 ms"), project vs the plain path.

What it does:

1. loads the real EUTL export, Eurostat nrg_pc_205 and Ember's prices from
   ``$KETENRADAR_SHARED_DATA`` into a store in ``--work`` (not timed);
2. **calculator, in process**: ``api.costs`` for ``--profiles`` different consumer profiles
   (consumption 600 MWh … 500 GWh, load factors, with and without the compensation), each
   profile computed afresh (the yearly prices of a dataset version, read once per band, are
   kept): wall time per profile, p50 / p95 / max, and the first profile of each band (the
   Parquet files read) apart; the baseline: the same profiles with nothing kept (every file
   read and parsed again);
3. **pages under load**: serves the app with uvicorn in a child process (this script's
   ``--serve`` mode) and drives ``--clients`` concurrent clients (threads, keep-alive, no
   think time), each sending the mix ``--rounds`` times in its own order: the dashboard in
   English and Dutch, an installation page and a company page, and the calculator for eight
   profiles in both languages (every URL is
   requested once before the clock starts, the first page timed apart). **project**:
   the pages as shipped (results cached per dataset version and profile, the pages' content
   per language, dataset versions and query); **baseline**: the same server with the pages'
   caches off (every request recomputes the API results and renders the whole page);
4. prints per path n, errors, p50, p95, max, requests/s, the server's peak memory and the
   ratio; writes ``benchmarks/out/bench_industry_pages.json``.

Usage::

    KETENRADAR_SHARED_DATA=/work/shared/data .venv/bin/python benchmarks/bench_industry_pages.py
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_load import Server  # noqa: E402

PY = sys.executable
PROFILES = [
    "consumption_mwh=1000&load_factor=0.5",
    "consumption_mwh=10000&load_factor=0.7",
    "consumption_mwh=50000&load_factor=0.8",
    "consumption_mwh=100000&load_factor=0.85",
    "consumption_mwh=200000&load_factor=0.9",
    "consumption_mwh=500000&load_factor=0.95&ikc=1&co2_price=80",
    "consumption_mwh=50000&load_factor=0.8&ikc=1&co2_price=65&year=2023",
    "consumption_mwh=200000&load_factor=0.9&first_year=2021&last_year=2025",
]


def mix() -> list[str]:
    """The URLs every client sends."""
    pages = ["/en/industry", "/nl/industry"]
    # an installation and a company page (Tata Steel IJmuiden: NL_144, KvK 34040331)
    pages += ["/en/industry/installations/NL_144", "/nl/industry/companies/34040331"]
    for p in PROFILES:
        pages += [f"/en/industry/costs?{p}&run=1", f"/nl/industry/costs?{p}&run=1"]
    return pages


def shared() -> Path:
    return Path(os.environ.get("KETENRADAR_SHARED_DATA", HERE.parent.parent / "shared" / "data"))


def build(work: Path) -> float:
    """The store with the three real sources; seconds."""
    from ketenradar import api

    t0 = time.perf_counter()
    shutil.rmtree(work, ignore_errors=True)
    store = work / "store"
    api.add_dataset("ets_eutl", [shared() / "ets_eutl"], data_dir=store)
    api.add_dataset("eurostat_prices", [shared() / "electricity_prices_eurostat"], data_dir=store)
    api.add_dataset("ember", [shared() / "ember"], data_dir=store)
    return time.perf_counter() - t0


def calculator(work: Path, n: int, plain: bool = False) -> dict[str, Any]:
    """``api.costs`` for ``n`` different profiles: ms per profile (``plain``: nothing kept
    between calls); the first profile of each band apart."""
    from ketenradar.modules.industry import api, cost_profile
    from ketenradar.modules.industry.analysis.cost_stack import band_of

    per_version, parsed = api._per_version, cost_profile._parsed
    if plain:
        api._per_version = lambda ds, what, compute: compute(ds)
        cost_profile._parsed = parsed.__wrapped__
    try:
        api.costs({"consumption_mwh": 1000, "load_factor": 0.5}, data_dir=work / "store")
        rng = random.Random(7)
        warm, first, seen = [], [], {"IC"}
        for _ in range(n):
            profile: dict[str, Any] = {
                "consumption_mwh": round(10 ** rng.uniform(2.8, 5.7)),
                "load_factor": round(rng.uniform(0.3, 0.98), 2),
            }
            if rng.random() < 0.5:
                profile |= {"ikc_eligible": True, "co2_price_eur_t": round(rng.uniform(20, 99))}
            band = band_of(profile["consumption_mwh"])
            t = time.perf_counter()
            api.costs(profile, data_dir=work / "store")
            ms = (time.perf_counter() - t) * 1000
            (warm if band in seen or plain else first).append(ms)
            seen.add(band)
    finally:
        api._per_version, cost_profile._parsed = per_version, parsed
    q = statistics.quantiles(warm, n=100)
    return {
        "n": len(warm),
        "p50_ms": statistics.median(warm),
        "p95_ms": q[94],
        "max_ms": max(warm),
        "first_of_a_band_ms": first,
    }


def serve(kind: str, port: int, work: Path) -> None:
    """Run the app on ``port`` (``kind`` plain: the pages' caches off)."""
    import uvicorn

    from ketenradar.interfaces.web.app import create_app
    from ketenradar.interfaces.web.settings import WebSettings
    from ketenradar.modules.industry.web import views

    if kind == "plain":  # every request recomputes: no result, view or table caches
        from ketenradar.core.errors import NotFoundError
        from ketenradar.datasets import open_store
        from ketenradar.datasets.kinds import choose_dataset
        from ketenradar.interfaces.web import pages
        from ketenradar.modules.industry import api, cost_profile

        def looked_up(data_dir: Path, kind: str) -> tuple[str, str, str] | None:
            try:  # every manifest read on every request, as before the lookup was kept
                ds = choose_dataset(open_store(data_dir), kind)
            except NotFoundError:
                return None
            return str(data_dir), ds.name, str(ds.manifest.version)

        pages.FRAGMENTS_MAX = 0  # no page content kept
        views.dataset_key = looked_up
        views._dashboard = views._dashboard.__wrapped__
        views._company = views._company.__wrapped__
        views._costs = views._costs.__wrapped__
        views._cost_page = views._cost_page.__wrapped__
        views.instrument_rows = views.instrument_rows.__wrapped__
        api._per_version = lambda ds, what, compute: compute(ds)
        cost_profile._parsed = cost_profile._parsed.__wrapped__
    app = create_app(settings=WebSettings.from_env(work / "store"))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def run_path(kind: str, work: Path, urls: list[str], clients: int, rounds: int) -> dict[str, Any]:
    """Start a server, load it with the mix, stop it."""
    print(f"\n== {kind}: {clients} clients × {rounds} round(s) of {len(urls)} pages", flush=True)
    cmd = [PY, __file__, "--serve", kind, "--work", str(work)]
    env = {"KETENRADAR_DATA_DIR": str(work / "store"), "KETENRADAR_SHARED_DATA": str(shared())}
    server = Server(kind, cmd, env)
    try:
        first = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        t = time.perf_counter()
        first.request("GET", urls[0])
        resp = first.getresponse()
        resp.read()
        cold = (time.perf_counter() - t) * 1000
        assert resp.status == 200, resp.status
        for u in urls:  # every URL once before the clock (as a visitor before the load)
            first.request("GET", u)
            r = first.getresponse()
            r.read()
            assert r.status == 200, (u, r.status)
        results: list[tuple[float, bool]] = []
        lock = threading.Lock()
        start = threading.Barrier(clients + 1)

        def client(i: int) -> None:
            rng = random.Random(i)
            order = [u for _ in range(rounds) for u in rng.sample(urls, len(urls))]
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
            mine = []
            start.wait()
            for u in order:
                t = time.perf_counter()
                conn.request("GET", u)
                r = conn.getresponse()
                r.read()
                mine.append(((time.perf_counter() - t) * 1000, r.status == 200))
            with lock:
                results.extend(mine)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for th in threads:
            th.start()
        start.wait()
        t0 = time.perf_counter()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
    finally:
        server.stop()
    ok = sorted(ms for ms, good in results if good)
    q = statistics.quantiles(ok, n=100)
    out = {
        "n": len(results),
        "errors": sum(1 for _, good in results if not good),
        "p50_ms": statistics.median(ok),
        "p95_ms": q[94],
        "max_ms": ok[-1],
        "requests_per_s": len(results) / wall,
        "cold_first_page_ms": cold,
        "peak_mib": server.peak,
    }
    print(
        f"{kind}: p50 {out['p50_ms']:.1f} ms, p95 {out['p95_ms']:.1f} ms, "
        f"{out['requests_per_s']:.1f} requests/s, errors {out['errors']}, "
        f"peak {out['peak_mib']:.0f} MiB",
        flush=True,
    )
    return out


def main() -> None:
    """Build, measure the calculator and both paths under load, print and save."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--baseline-rounds", type=int, default=1)
    ap.add_argument("--profiles", type=int, default=50)
    ap.add_argument("--work", type=Path, default=HERE / "out" / "industry_pages")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--serve", choices=("project", "plain"), help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.serve:
        serve(a.serve, a.port, a.work)
        return
    if not a.no_build:
        print(f"store built in {build(a.work):.1f} s (not timed)")
    calc = calculator(a.work, a.profiles)
    calc_plain = calculator(a.work, a.profiles, plain=True)
    first = ", ".join(f"{ms:.0f}" for ms in calc["first_of_a_band_ms"])
    print(
        f"\ncalculator (api.costs, new profiles): p50 {calc['p50_ms']:.1f} ms, "
        f"p95 {calc['p95_ms']:.1f} ms, max {calc['max_ms']:.1f} ms (n {calc['n']}; the first "
        f"profile of a band: {first} ms); baseline (nothing kept): p50 "
        f"{calc_plain['p50_ms']:.1f} ms, p95 {calc_plain['p95_ms']:.1f} ms; ratio p95 "
        f"{calc_plain['p95_ms'] / calc['p95_ms']:.1f}x; target ≤ 100 ms: "
        f"{'met' if calc['p95_ms'] <= 100 and calc['max_ms'] <= 100 else 'NOT met'}"
    )
    urls = mix()
    project = run_path("project", a.work, urls, a.clients, a.rounds)
    if a.baseline_rounds == 0:
        return
    base = run_path("plain", a.work, urls, a.clients, a.baseline_rounds)
    print(f"\n{'':<22} {'project':>10} {'baseline':>10} {'ratio':>8}")
    for label, key in (("p50 (ms)", "p50_ms"), ("p95 (ms)", "p95_ms"), ("max (ms)", "max_ms")):
        ratio = base[key] / project[key]
        print(f"{label:<22} {project[key]:>10.1f} {base[key]:>10.1f} {ratio:>7.1f}x")
    print(
        f"{'requests/s':<22} {project['requests_per_s']:>10.1f} {base['requests_per_s']:>10.1f}"
        f" {project['requests_per_s'] / base['requests_per_s']:>7.1f}x"
    )
    print(f"{'peak memory (MiB)':<22} {project['peak_mib']:>10.0f} {base['peak_mib']:>10.0f}")
    met = project["p95_ms"] <= 200 and project["errors"] == 0
    print(f"pages: target p95 ≤ 200 ms at {a.clients} clients: {'met' if met else 'NOT met'}")
    out = HERE / "out" / "bench_industry_pages.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "calculator": calc,
                "calculator_baseline": calc_plain,
                "project": project,
                "baseline": base,
                "urls": urls,
            },
            indent=2,
        )
    )
    print(f"written: {out}")


if __name__ == "__main__":
    main()
