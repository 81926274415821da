"""Hostile-load test: 50 concurrent clients on loopback, every main page and API call in the
mix, the input-output area with a cold cache and the what-if included; against the same mix
served by an earlier commit of the project in the same run.

What it does:

1. builds one store from the real data in ``../shared/data`` with the project's own commands
   (``data add baci`` of the raw-material trade 1995–2024, ``io load icio`` of the OECD ICIO
   2022 table, ``facts build``);
2. starts ``ketenradar serve`` of this work tree on it, warms up the fact-table pages (each
   distinct GET once) but **not** the input-output requests or the what-ifs, so these start
   cold under load, and drives ``--clients`` (default 50) concurrent clients (threads,
   keep-alive HTTP/1.1, no think time), each sending the fixed mix ``--rounds`` times in its
   own shuffled order: overview, explorer (filters, sort, pages, CSV), product pages and
   API, materials and one material, countries and a country, a packaged BOM, the data page
   and datasets, the input-output page and ``/api/v1/io/industries`` for ten economies of the
   loaded table, ``POST /api/v1/io/shock`` for four suppliers, ``POST
   /api/v1/materials/whatif`` with three scenarios (every POST with its CSRF token);
3. does the same with the code of ``--baseline-ref`` (default: the last commit before issue
   13's fixes) checked out in a temporary git worktree, on the same store, with its own
   accounts file;
4. runs both again on the mix without the input-output requests (phase B), so the other
   endpoints can be compared with a baseline that does not survive the full mix;
5. samples each server's resident memory every 0.2 s, notes whether it died, and prints per
   endpoint n, errors, p50, p95 and max of the requests answered with 200 for both, the ratio
   of p95s (baseline / project), the peak memory (``VmHWM``) and throughput; writes
   ``benchmarks/out/bench_load.json``.

Usage::

    python benchmarks/bench_load.py                    # ≈ 6 min on 2 cores
    python benchmarks/bench_load.py --clients 20 --rounds 1 --baseline-ref none   # smoke run
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import bench_web  # noqa: E402
from bench_web import _peak_mib  # noqa: E402
from measure import run  # noqa: E402

PY = sys.executable
KETENRADAR = str(Path(PY).with_name("ketenradar"))
#: the last commit before the fixes of issue 13 (reliability and security)
BEFORE_ISSUE_13 = "f0fa59a"
YEAR = 2022
ECONOMIES = ["NLD", "DEU", "FRA", "BEL", "USA", "CHN", "JPN", "GBR", "ITA", "ESP"]
SHOCK_SUPPLIERS = ["CHN", "USA", "RUS", "TWN"]


def shared_data() -> Path:
    """``$KETENRADAR_SHARED_DATA`` or ``../shared/data`` beside the repository."""
    env = os.environ.get("KETENRADAR_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def build_store(store: Path) -> list[tuple[str, Any]]:
    """Load the real trade and ICIO data into ``store`` and build the facts; the steps."""
    data = shared_data()
    env = {"KETENRADAR_DATA_DIR": str(store)}
    steps = [
        (
            "data add baci",
            [KETENRADAR, "data", "add", "baci", str(data / "baci_raw_materials_hs92")],
        ),
        ("io load icio", [KETENRADAR, "io", "load", "icio", str(data / "icio_oecd_2022")]),
        ("facts build", [KETENRADAR, "facts", "build"]),
    ]
    out = []
    for label, cmd in steps:
        m = run(label, [*cmd, "--data-dir", str(store)], env)
        if m.returncode:
            raise SystemExit(f"{label} failed")
        print(f"{label}: {m.wall_s:.1f} s, peak {m.peak_mib:.0f} MiB", flush=True)
        out.append((label, m))
    return out


def request_mix(store: Path) -> list[tuple[str, str, str, dict[str, Any] | None]]:
    """(endpoint label, method, path, JSON body) of every request a client sends once a round."""
    import pandas as pd

    from ketenradar.results import live

    facts = live.current(store)
    sc = pd.read_parquet(facts / "screening.parquet")
    nld = sc[(sc["importer"] == "NLD") & (sc["year"] == YEAR)]
    top = nld.nlargest(3, "external_imports_kusd")["product"].tolist()
    from ketenradar.datasets import DataStore

    icio = DataStore(store).list(kind="io_table")[0].name

    def q(path: str, **params: Any) -> str:
        return path + ("?" + urlencode(params) if params else "")

    dep = "/api/v1/dependencies"
    mix: list[tuple[str, str, str, dict[str, Any] | None]] = [
        ("overview page", "GET", "/en/", None),
        ("overview page", "GET", q("/nl/", economy="EU27"), None),
        ("overview API", "GET", q("/api/v1/overview", economy="NLD"), None),
        ("explorer page", "GET", q("/en/dependencies", method="all"), None),
        ("explorer API", "GET", q(dep, method="all", page_size=100, sort="-supplier_hhi"), None),
        ("explorer API", "GET", q(dep, importer="EU27", method="eu2021", page=1), None),
        ("explorer CSV", "GET", q(dep + ".csv", importer="NLD", method="all"), None),
        ("product page", "GET", f"/en/products/{top[0]}", None),
        ("product page", "GET", q(f"/nl/products/{top[1]}", importer="EU27"), None),
        ("product API", "GET", f"/api/v1/products/{top[2]}", None),
        ("materials page", "GET", "/en/materials", None),
        ("materials API", "GET", "/api/v1/materials", None),
        ("material page", "GET", "/nl/materials/cobalt", None),
        ("material API", "GET", "/api/v1/materials/gallium", None),
        ("countries page", "GET", "/en/countries", None),
        ("country page", "GET", "/en/countries/CHN", None),
        ("country API", "GET", q("/api/v1/countries/USA", importer="EU27"), None),
        ("BOM page", "GET", "/en/bom", None),
        ("BOM API", "GET", "/api/v1/bom/naval_aesa_radar/exposure", None),
        ("data page", "GET", "/en/data", None),
        ("datasets API", "GET", "/api/v1/datasets", None),
        ("io page", "GET", q("/en/io", dataset=icio, economy="NLD"), None),
    ]
    mix += [
        ("io API (cold)", "GET", q("/api/v1/io/industries", dataset=icio, economy=e), None)
        for e in ECONOMIES
    ]
    mix += [
        (
            "io shock (cold)",
            "POST",
            "/api/v1/io/shock",
            {"economy": "NLD", "supplier": s, "fall": 0.5, "dataset": icio},
        )
        for s in SHOCK_SUPPLIERS
    ]
    for t in (1.2, 1.5, 2.0):
        doc = {
            "name": f"tin restriction t={t}",
            "changes": [
                {"export_restriction": {"material": "tin", "country": "CHN", "t": t}},
                {"wgi": {"country": "MMR", "estimate": -2.5}},
            ],
        }
        mix.append(("what-if (cold)", "POST", "/api/v1/materials/whatif", doc))
    return mix


def summarise(results: list[tuple[str, float, bool]]) -> dict[str, dict[str, float]]:
    """Per endpoint and overall: requests, errors, and p50/p95/max (ms) of the requests that
    were answered with 200 (a refused connection to a dead server is fast, not a latency)."""

    def stats(rs: list[tuple[str, float, bool]]) -> dict[str, float]:
        ok = sorted(r[1] for r in rs if r[2])
        if len(ok) > 1:
            q = statistics.quantiles(ok, n=100, method="inclusive")
        else:
            q = (ok or [float("nan")]) * 99
        return {
            "n": len(rs),
            "ok": len(ok),
            "errors": len(rs) - len(ok),
            "p50_ms": q[49],
            "p95_ms": q[94],
            "max_ms": ok[-1] if ok else float("nan"),
        }

    out = {
        label: stats([r for r in results if r[0] == label])
        for label in sorted({r[0] for r in results})
    }
    out["all requests"] = stats(results)
    return out


class Server(bench_web.Server):
    """A server process on a free loopback port, its memory sampled while it runs."""

    def __init__(self, label: str, cmd: list[str], env: dict[str, str]) -> None:
        super().__init__(label, cmd, env, stderr=subprocess.PIPE)
        self.samples: list[float] = []
        self.peak = 0.0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        while not self._stop.is_set() and self.proc.poll() is None:
            try:
                for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        self.samples.append(int(line.split()[1]) / 1024)
                    elif line.startswith("VmHWM:"):
                        self.peak = int(line.split()[1]) / 1024
            except OSError:
                return
            time.sleep(0.2)

    def stop(self) -> dict[str, Any]:  # type: ignore[override]
        """Stop the server; whether it had died, its exit code and its last error lines."""
        self._stop.set()
        died = self.proc.poll() is not None
        if not died:
            self.peak = max(self.peak, _peak_mib(self.proc.pid))
            self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        tail = err.decode(errors="replace").strip().splitlines()[-3:]
        return {"died": died, "exit_code": self.proc.returncode if died else None, "tail": tail}


class Client:
    """One keep-alive connection with its own CSRF cookie and token."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.cookie = ""
        self.token = ""

    def _session(self) -> None:
        self.conn.request("GET", "/api/v1/session")
        resp = self.conn.getresponse()
        body = json.loads(resp.read())
        self.token = body["csrf_token"]
        cookies = [c.split(";", 1)[0] for k, c in resp.getheaders() if k.lower() == "set-cookie"]
        self.cookie = "; ".join(cookies)

    def send(self, method: str, path: str, body: dict[str, Any] | None) -> int:
        """One request; its status (0 when the connection failed)."""
        try:
            headers = {"Accept-Language": "en"}
            data = None
            if method != "GET":
                if not self.token:
                    self._session()
                headers |= {
                    "Content-Type": "application/json",
                    "X-CSRF-Token": self.token,
                    "Cookie": self.cookie,
                }
                data = json.dumps(body)
            self.conn.request(method, path, body=data, headers=headers)
            resp = self.conn.getresponse()
            resp.read()
            return resp.status
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            self.token = ""
            return 0


def run_path(
    label: str, cmd: list[str], env: dict[str, str], mix: list, clients: int, rounds: int
) -> dict[str, Any]:
    """Start a server, warm up the fact-table GETs only, load it with the whole mix, stop it."""
    print(f"\n== {label}: {clients} clients × {rounds} round(s) of {len(mix)} requests", flush=True)
    server = Server(label, cmd, env)
    warm = Client(server.port)
    t0 = time.perf_counter()
    for _, method, path, _body in dict.fromkeys((m[0], m[1], m[2], None) for m in mix):
        if method == "GET" and "/io" not in path:
            warm.send("GET", path, None)
    warm_s = time.perf_counter() - t0
    results: list[tuple[str, float, bool]] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(i: int) -> None:
        rng = random.Random(i)
        order = [m for _ in range(rounds) for m in rng.sample(mix, len(mix))]
        c = Client(server.port)
        mine = []
        start.wait()
        for ep, method, path, body in order:
            t = time.perf_counter()
            status = c.send(method, path, body)
            mine.append((ep, (time.perf_counter() - t) * 1000, status == 200))
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
    end = server.stop()
    summary = summarise(results)
    n = len(results)
    print(
        f"   warm-up {warm_s:.1f} s; {n} requests in {wall:.1f} s ({n / wall:.1f} req/s), "
        f"p95 {summary['all requests']['p95_ms']:.0f} ms, errors "
        f"{summary['all requests']['errors']}, server peak {server.peak:.0f} MiB"
        + (f", DIED (exit {end['exit_code']}): {' | '.join(end['tail'])}" if end["died"] else ""),
        flush=True,
    )
    return {
        "label": label,
        "requests": n,
        "load_wall_s": wall,
        "throughput_rps": n / wall,
        "server_peak_mib": server.peak,
        "rss_last_mib": server.samples[-1] if server.samples else None,
        "server_died": end["died"],
        "exit_code": end["exit_code"],
        "stderr_tail": end["tail"],
        "endpoints": summary,
    }


def table(project: dict[str, Any], base: dict[str, Any] | None) -> str:
    """Per endpoint: n, p50, p95, max, errors of the project and the baseline (latencies of
    the answered requests); p95 ratio (baseline / project)."""
    head = f"{'endpoint':<18} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'err':>4}"
    if base:
        head += f" | {'base p50':>9} {'base p95':>9} {'base err':>8} {'p95 ratio':>9}"
    lines = [head]
    for ep, s in project["endpoints"].items():
        line = (
            f"{ep:<18} {s['n']:>5} {s['p50_ms']:>8.1f} {s['p95_ms']:>8.1f} {s['max_ms']:>8.1f} "
            f"{s['errors']:>4}"
        )
        if base and ep in base["endpoints"]:
            b = base["endpoints"][ep]
            line += (
                f" | {b['p50_ms']:>9.1f} {b['p95_ms']:>9.1f} {b['errors']:>8} "
                f"{b['p95_ms'] / s['p95_ms']:>8.1f}x"
            )
        lines.append(line)
    return "\n".join(lines)


def baseline_tree(ref: str, where: Path) -> Path:
    """A detached git worktree of ``ref`` (its ``src`` goes first on ``PYTHONPATH``)."""
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "--force", str(where), ref],
        check=True,
        capture_output=True,
    )
    return where


def main() -> None:
    """Run the load test on both code versions and print (and save) the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=2, help="rounds of the mix per client")
    ap.add_argument(
        "--baseline-ref",
        default=BEFORE_ISSUE_13,
        help="git ref served as the baseline ('none': no baseline)",
    )
    ap.add_argument("--work", type=Path, default=HERE / "out" / "load")
    a = ap.parse_args()
    t_all = time.perf_counter()
    store = a.work / "store"
    shutil.rmtree(store, ignore_errors=True)
    store.mkdir(parents=True)
    steps = build_store(store)
    mix = request_mix(store)
    env = {
        "KETENRADAR_DATA_DIR": str(store),
        "KETENRADAR_DATABASE_URL": f"sqlite:///{a.work / 'accounts_project.db'}",
    }
    for f in a.work.glob("accounts_*.db"):
        f.unlink()
    # phase A: the whole mix; phase B: the mix without the input-output requests, so that the
    # other endpoints can be compared with a baseline that does not survive phase A
    phases = {"full mix": mix, "mix without input-output": [m for m in mix if "io" not in m[0]]}
    results: dict[str, dict[str, Any]] = {}
    tmp = Path(tempfile.mkdtemp(prefix="ketenradar-baseline-"))
    tree = None
    try:
        if a.baseline_ref != "none":
            tree = baseline_tree(a.baseline_ref, tmp / "tree")
        for phase, m in phases.items():
            for f in a.work.glob("accounts_*.db"):
                f.unlink()
            project = run_path(
                f"project ({phase})", [KETENRADAR, "serve"], env, m, a.clients, a.rounds
            )
            base = None
            if tree is not None:
                benv = {
                    **env,
                    "PYTHONPATH": str(tree / "src"),
                    "KETENRADAR_DATABASE_URL": f"sqlite:///{a.work / 'accounts_baseline.db'}",
                }
                cmd = [PY, "-m", "ketenradar", "serve"]
                label = f"baseline {a.baseline_ref} ({phase})"
                base = run_path(label, cmd, benv, m, a.clients, a.rounds)
            results[phase] = {"requests_per_round": len(m), "project": project, "baseline": base}
    finally:
        if tree is not None:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                capture_output=True,
            )
        shutil.rmtree(tmp, ignore_errors=True)
    for phase, r in results.items():
        print()
        print(
            f"{phase}: real data (BACI raw materials 1995–2024, OECD ICIO 2022); {a.clients} "
            f"concurrent clients × {a.rounds} round(s) of {r['requests_per_round']} requests on "
            "loopback; latencies in ms of the requests answered with 200"
        )
        print(table(r["project"], r["baseline"]))
        for x in (r["project"], r["baseline"]):
            if x is None:
                continue
            print(
                f"{x['label']}: {x['endpoints']['all requests']['errors']} errors, "
                f"{'DIED' if x['server_died'] else 'alive'}, peak {x['server_peak_mib']:.0f} "
                f"MiB, {x['throughput_rps']:.1f} req/s"
            )
    wall = time.perf_counter() - t_all
    print(f"total wall time {wall:.0f} s")
    out = {
        "clients": a.clients,
        "rounds": a.rounds,
        "baseline_ref": a.baseline_ref,
        "steps": {n: vars(m) for n, m in steps},
        "mix": mix,
        "phases": results,
        "total_wall_s": wall,
    }
    (HERE / "out").mkdir(exist_ok=True)
    out_file = HERE / "out" / "bench_load.json"
    out_file.write_text(json.dumps(out, indent=2))
    print(f"wrote {out_file}")


if __name__ == "__main__":
    main()
