"""Load test of the web application on loopback with a full-scale synthetic trade year loaded.

What it does (every step timed; peak memory of each child process):

1. generates a synthetic, BACI-shaped trade year (``synthetic_baci.py``: ≈ 10 M rows,
   230 countries × 5,400 HS6 codes — **synthetic numbers, for performance only**);
2. loads it into a temporary store with the project's own ingest (``ketenradar data add baci``);
3. derives the live facts from the store (``ketenradar facts build``: screening, supplier
   shares and balance of NLD and EU27 for that year);
4. starts ``ketenradar serve`` on 127.0.0.1 with ``KETENRADAR_DATA_DIR`` set to the store, warms
   it up (each distinct request once: tables are read and indexed on first use), and drives
   **20 concurrent clients** (threads, keep-alive HTTP/1.1, no think time), each sending the
   same fixed mix of 32 requests — every main page and its API: overview, explorer (with
   filters, text search, sorting and pages) and its CSV download, product pages, API and CSV
   for several HS6 codes, materials and one material, the world map and country pages, a
   packaged bill of materials, input-output, data — in its own shuffled order;
5. does the same against two **baselines** in the same run, each a server process on the same
   store serving the same requests with the same code except for the path named:

   * ``unindexed`` — the same application with ``Facts(indexed=False)``: the same fact tables
     in memory, filtered with boolean masks over the whole table on every request, and the
     footer and choice lists recomputed every time (the plain path the app had before);
   * ``raw`` — the unindexed *query* path: no precomputed facts for the trade pages; the
     explorer, overview and product pages compute the screening
     (:func:`ketenradar.modules.trade.api.screen`) and supplier shares
     (:func:`ketenradar.modules.trade.api.supplier_shares`) from the trade Parquet on every request.

   The raw baseline runs fewer rounds (its requests take seconds); every client still sends
   the whole mix at least once at the same concurrency.

It prints p50/p95/max latency and errors per endpoint and overall for each path, the ratio
of p95s (baseline / project), throughput, the server's peak memory (``VmHWM``) and wall
times, checks that the baselines answer the API requests with the same JSON as the project,
and writes everything to ``benchmarks/out/bench_web.json``.

Usage::

    python benchmarks/bench_web.py            # full scale, ≈ 6.5 min (half of it the raw baseline)
    python benchmarks/bench_web.py --quick    # 300,000 rows: a smoke run of a minute or two
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from measure import Measurement, run  # noqa: E402

PY = sys.executable
KETENRADAR = str(Path(PY).with_name("ketenradar"))
YEAR = 2022
TARGET_P95_MS = 200.0


# -- the baselines' servers ---------------------------------------------------------------
def _raw_facts_class() -> type:
    """``Facts`` whose trade tables are computed from the trade Parquet on every call."""
    import pandas as pd

    from ketenradar import api
    from ketenradar.datasets.trade import choose_trade_dataset
    from ketenradar.results import starter
    from ketenradar.results.facts import Facts

    class RawFacts(Facts):
        """The unindexed query path: screening and supplier shares per request."""

        def _years(self) -> list[int]:
            ds = choose_trade_dataset(api.open_store(self.data_dir), None, None)
            return sorted(int(y) for y in ds.manifest.tables["trade"]["years"])

        def rows(self, name: str, **equal: Any) -> pd.DataFrame:
            imp = equal.get("importer")
            if name == "screening" and set(equal) == {"importer", "year"}:
                return api.screen(imp, int(equal["year"]), data_dir=self.data_dir)
            if name == "screening" and set(equal) == {"importer", "product"}:
                parts = [api.screen(imp, y, data_dir=self.data_dir) for y in self._years()]
                df = pd.concat(parts, ignore_index=True)
                return df[df["product"] == equal["product"]]
            if name == "suppliers" and set(equal) == {"importer", "product"}:
                parts = []
                for y in self._years():
                    s = api.supplier_shares(imp, y, [equal["product"]], data_dir=self.data_dir)
                    parts.append(s.assign(year=y, importer=imp))
                return pd.concat(parts, ignore_index=True)
            return super().rows(name, **equal)

        def values(self, name: str, column: str, **equal: Any) -> list[Any]:
            if name == "screening" and column == "importer" and not equal:
                return sorted(starter.IMPORTERS)
            if name == "screening" and column == "year":
                return self._years()
            return super().values(name, column, **equal)

    return RawFacts


def serve_baseline(kind: str, port: int, data_dir: Path) -> None:
    """Run the application with a baseline's facts (the ``--serve`` mode of this script)."""
    import uvicorn

    from ketenradar.interfaces.web.app import create_app
    from ketenradar.interfaces.web.settings import WebSettings
    from ketenradar.results.facts import Facts

    cls = _raw_facts_class() if kind == "raw" else Facts
    facts = cls(data_dir=data_dir, indexed=False)
    app = create_app(facts=facts, settings=WebSettings.from_env(data_dir))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


# -- the request mix -----------------------------------------------------------------------
def request_mix(facts_dir: Path) -> list[tuple[str, str]]:
    """The fixed list of (endpoint label, path) every client sends, from the built facts."""
    import pandas as pd

    sc = pd.read_parquet(facts_dir / "screening.parquet")
    nld = sc[(sc["importer"] == "NLD") & (sc["year"] == YEAR)]
    eu = sc[(sc["importer"] == "EU27") & (sc["year"] == YEAR)]
    top_nld = nld.nlargest(2, "external_imports_kusd")["product"].tolist()
    top_eu = eu.nlargest(1, "external_imports_kusd")["product"].tolist()
    rng = random.Random(5)
    others = rng.sample(sorted(set(nld["product"]) - set(top_nld)), 2)
    supplier = nld["top_supplier"].value_counts().index[0]

    def q(path: str, **params: Any) -> str:
        return path + ("?" + urlencode(params) if params else "")

    api_dep = "/api/v1/dependencies"
    mix = [
        ("overview page", "/en/"),
        ("overview page", q("/nl/", economy="EU27")),
        ("overview API", q("/api/v1/overview", economy="NLD")),
        ("explorer page", "/en/dependencies"),
        ("explorer page", q("/nl/dependencies", importer="EU27", method="all", page=3)),
        ("explorer API", q(api_dep, method="all", page_size=100, sort="-supplier_hhi")),
        ("explorer API", q(api_dep, importer="EU27", method="eu2021", page=2)),
        ("explorer API", q(api_dep, importer="NLD", method="all", q="product 0012")),
        ("explorer API", q(api_dep, method="all", supplier=supplier, sort="product")),
        ("explorer API", q(api_dep, importer="EU27", method="all", q="0001", page=2, page_size=50)),
        ("explorer CSV", q(api_dep + ".csv", importer="NLD", method="all", page_size=500)),
        ("product page", f"/en/products/{top_nld[0]}"),
        ("product page", q(f"/nl/products/{others[0]}", importer="EU27")),
        ("product API", f"/api/v1/products/{top_nld[1]}"),
        ("product API", q(f"/api/v1/products/{top_eu[0]}", importer="EU27")),
        ("product API", f"/api/v1/products/{others[1]}"),
        ("product CSV", f"/api/v1/products/{top_nld[0]}.csv"),
        ("materials page", "/en/materials"),
        ("materials API", "/api/v1/materials"),
        ("countries page", "/en/countries"),
        ("countries API", q("/api/v1/countries", importer="EU27")),
        ("country page", "/en/countries/CHN"),
        ("country page", q("/nl/countries/USA", importer="EU27")),
        ("country API", "/api/v1/countries/CHN"),
        ("material page", "/en/materials/cobalt"),
        ("material API", "/api/v1/materials/gallium"),
        ("BOM page", "/en/bom"),
        ("BOM API", "/api/v1/bom/naval_aesa_radar/exposure"),
        ("io page", "/en/io"),
        ("io API", "/api/v1/io/industries"),
        ("data page", "/en/data"),
        ("datasets API", "/api/v1/datasets"),
    ]
    return mix


# -- the load ------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers={"Accept-Language": "en"})
    resp = conn.getresponse()
    return resp.status, resp.read()


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """A server process on a free loopback port."""

    def __init__(
        self, label: str, cmd: list[str], env: dict[str, str], stderr: int | None = None
    ) -> None:
        self.label = label
        self.port = _free_port()
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [*cmd, "--port", str(self.port)],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        deadline = time.time() + 120
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                if _get(conn, "/api/v1/health")[0] == 200:
                    break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise SystemExit(f"{label}: the server did not start") from None
                time.sleep(0.2)
        self.start_s = time.perf_counter() - t0

    def stop(self) -> float:
        """Stop the server; its peak resident memory in MiB."""
        peak = _peak_mib(self.proc.pid)
        self.proc.terminate()
        self.proc.wait(timeout=30)
        return peak


def warm_up(port: int, mix: list[tuple[str, str]]) -> tuple[float, dict[str, bytes]]:
    """Each distinct request once, in order; the wall time and each API answer's body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    t0 = time.perf_counter()
    bodies = {}
    for _, path in dict.fromkeys(mix):
        status, body = _get(conn, path)
        if status != 200:
            raise SystemExit(f"warm-up: {path} answered {status}: {body[:300]!r}")
        bodies[path] = body
    return time.perf_counter() - t0, bodies


def load(port: int, mix: list[tuple[str, str]], clients: int, rounds: int) -> dict[str, Any]:
    """``clients`` threads, each sending the mix ``rounds`` times in its own order."""
    results: list[tuple[str, float, bool]] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(i: int) -> None:
        rng = random.Random(i)
        order = [m for _ in range(rounds) for m in rng.sample(mix, len(mix))]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        mine = []
        start.wait()
        for label, path in order:
            t0 = time.perf_counter()
            try:
                status, _ = _get(conn, path)
                ok = status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            mine.append((label, (time.perf_counter() - t0) * 1000, ok))
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "results": results}


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return (
            isinstance(a, int | float)
            and isinstance(b, int | float)
            and (a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b)))
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _cells(body: bytes) -> list[list[Any]]:
    def num(x: str) -> Any:
        try:
            return float(x)
        except ValueError:
            return x

    return [[num(c) for c in row] for row in csv.reader(io.StringIO(body.decode()))]


def _same_answer(a: bytes, b: bytes) -> bool:
    """The same JSON or CSV, numbers equal to 1e-9 relative (DuckDB's parallel sums may add
    up in another order from one query to the next)."""
    try:
        return _close(json.loads(a), json.loads(b))
    except ValueError:
        return _close(_cells(a), _cells(b))


def summarise(results: list[tuple[str, float, bool]]) -> dict[str, dict[str, float]]:
    """p50/p95/max (ms), requests and errors per endpoint label and overall."""

    def stats(xs: list[float], errors: int) -> dict[str, float]:
        xs = sorted(xs)
        q = statistics.quantiles(xs, n=100, method="inclusive") if len(xs) > 1 else xs * 99
        return {
            "n": len(xs),
            "p50_ms": q[49],
            "p95_ms": q[94],
            "max_ms": xs[-1],
            "errors": errors,
        }

    out = {}
    labels = sorted({r[0] for r in results})
    for label in labels:
        rs = [r for r in results if r[0] == label]
        out[label] = stats([r[1] for r in rs], sum(not r[2] for r in rs))
    out["all requests"] = stats([r[1] for r in results], sum(not r[2] for r in results))
    return out


def run_path(
    label: str,
    cmd: list[str],
    env: dict[str, str],
    mix: list[tuple[str, str]],
    clients: int,
    rounds: int,
) -> dict[str, Any]:
    """Start a server, warm it up, load it, stop it."""
    print(f"\n== {label}: {clients} clients × {rounds} round(s) of {len(mix)} requests", flush=True)
    server = Server(label, cmd, env)
    try:
        warm, bodies = warm_up(server.port, mix)
        print(f"   started in {server.start_s:.1f} s, warm-up {warm:.1f} s; loading …", flush=True)
        res = load(server.port, mix, clients, rounds)
    finally:
        peak = server.stop()
    summary = summarise(res["results"])
    n = len(res["results"])
    print(
        f"   {n} requests in {res['wall_s']:.1f} s ({n / res['wall_s']:.1f} req/s), "
        f"p95 {summary['all requests']['p95_ms']:.0f} ms, "
        f"errors {summary['all requests']['errors']}, server peak {peak:.0f} MiB",
        flush=True,
    )
    return {
        "label": label,
        "rounds": rounds,
        "requests": n,
        "start_s": server.start_s,
        "warm_up_s": warm,
        "load_wall_s": res["wall_s"],
        "throughput_rps": n / res["wall_s"],
        "server_peak_mib": peak,
        "endpoints": summary,
        "_bodies": bodies,
    }


def table(project: dict[str, Any], baselines: list[dict[str, Any]]) -> str:
    """Per endpoint: p50/p95/errors of the project and each baseline, and the p95 ratio."""
    head = f"{'endpoint':<16} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'err':>4}"
    for b in baselines:
        head += f" | {b['label'][:14]:>14} {'p50':>8} {'p95':>8} {'err':>4} {'p95 ratio':>9}"
    lines = [head]
    for ep, s in project["endpoints"].items():
        line = (
            f"{ep:<16} {s['n']:>6} {s['p50_ms']:>8.1f} {s['p95_ms']:>8.1f} {s['max_ms']:>8.1f} "
            f"{s['errors']:>4}"
        )
        for b in baselines:
            bs = b["endpoints"][ep]
            line += (
                f" | {bs['n']:>14} {bs['p50_ms']:>8.1f} {bs['p95_ms']:>8.1f} {bs['errors']:>4} "
                f"{bs['p95_ms'] / s['p95_ms']:>8.1f}x"
            )
        lines.append(line)
    return "\n".join(lines)


def main() -> None:
    """Run the load test and print (and save) the tables."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="300,000 rows, fewer rounds")
    ap.add_argument("--rows", type=int, default=None, help="rows of the synthetic year")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=None, help="rounds per client (project)")
    ap.add_argument("--baseline-rounds", type=int, default=None, help="rounds (unindexed)")
    ap.add_argument("--raw-rounds", type=int, default=1, help="rounds (raw)")
    ap.add_argument("--baselines", default="unindexed,raw", help="comma-separated, or 'none'")
    ap.add_argument("--work", type=Path, default=HERE / "out" / "web")
    ap.add_argument("--serve", choices=["unindexed", "raw"], help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.serve:
        serve_baseline(a.serve, a.port, a.data_dir)
        return
    rows = a.rows or (300_000 if a.quick else 10_000_000)
    products = 1_000 if a.quick else 5_400
    rounds = a.rounds or (3 if a.quick else 10)
    base_rounds = a.baseline_rounds or rounds
    baselines = [b for b in a.baselines.split(",") if b and b != "none"]
    t_all = time.perf_counter()

    src = a.work / f"synthetic_{rows}"
    csv = src / f"BACI_HS17_Y{YEAR}_V209901_synthetic.csv"
    steps: list[tuple[str, Measurement]] = []
    if not csv.is_file():
        gen = [PY, str(HERE / "synthetic_baci.py"), "--out", str(src), "--rows", str(rows)]
        gen += ["--years", str(YEAR), "--products", str(products)]
        steps.append(("generate synthetic year", run("generate", gen)))
    store = a.work / f"store_{rows}"
    shutil.rmtree(store, ignore_errors=True)
    dicts = [src / "country_codes_V209901_synthetic.csv"]
    dicts += [src / "product_codes_HS17_V209901_synthetic.csv"]
    env = {"KETENRADAR_DATA_DIR": str(store)}
    add = [KETENRADAR, "data", "add", "baci", str(csv), *map(str, dicts), "--data-dir", str(store)]
    steps.append(("ingest (data add baci)", run("ingest", add, env)))
    build = [KETENRADAR, "facts", "build", "--data-dir", str(store)]
    steps.append(("facts build", run("facts build", build, env)))
    for name, m in steps:
        if m.returncode:
            raise SystemExit(f"{name} failed")
        print(f"{name}: {m.wall_s:.1f} s, peak {m.peak_mib:.0f} MiB", flush=True)

    from ketenradar.results import live

    mix = request_mix(live.current(store))
    # the project path is the real command, `ketenradar serve`
    project = run_path("project", [KETENRADAR, "serve"], env, mix, a.clients, rounds)
    results = []
    rounds_of = {"unindexed": base_rounds, "raw": a.raw_rounds}
    for kind in baselines:
        cmd = [PY, str(Path(__file__).resolve()), "--serve", kind, "--data-dir", str(store)]
        results.append(run_path(kind, cmd, env, mix, a.clients, rounds_of[kind]))

    # the baselines must answer the API requests as the project does
    api_paths = [p for _, p in dict.fromkeys(mix) if p.startswith("/api/")]
    same = {
        b["label"]: all(_same_answer(project["_bodies"][p], b["_bodies"][p]) for p in api_paths)
        for b in results
    }
    overall = project["endpoints"]["all requests"]
    print()
    print(
        f"synthetic BACI-shaped year, {rows:,} rows (synthetic, performance only); "
        f"{a.clients} concurrent clients on loopback; latencies in ms"
    )
    print(table(project, results))
    print()
    for b in results:
        ratio = b["endpoints"]["all requests"]["p95_ms"] / overall["p95_ms"]
        print(
            f"{b['label']}: same API answers as the project: "
            f"{'yes' if same[b['label']] else 'NO'}; p95 ratio (all requests) {ratio:.1f}x; "
            f"throughput {b['throughput_rps']:.1f} req/s vs {project['throughput_rps']:.1f}; "
            f"server peak {b['server_peak_mib']:.0f} MiB vs {project['server_peak_mib']:.0f} MiB"
        )
    worst = max(s["p95_ms"] for s in project["endpoints"].values())
    errors = overall["errors"]
    met = worst <= TARGET_P95_MS and errors == 0
    print(
        f"target p95 ≤ {TARGET_P95_MS:.0f} ms on every endpoint, no errors: "
        f"{'met' if met else 'NOT met'} (worst endpoint p95 {worst:.0f} ms, {errors} errors)"
    )
    wall = time.perf_counter() - t_all
    print(f"total wall time {wall:.0f} s")
    out = {
        "rows": rows,
        "clients": a.clients,
        "steps": {n: vars(m) for n, m in steps},
        "mix": mix,
        "paths": [{k: v for k, v in r.items() if k != "_bodies"} for r in [project, *results]],
        "same_api_answers": same,
        "target_met": met,
        "total_wall_s": wall,
    }
    out_file = HERE / "out" / ("bench_web_quick.json" if a.quick else "bench_web.json")
    out_file.write_text(json.dumps(out, indent=2))
    print(f"wrote {out_file}")


if __name__ == "__main__":
    main()
