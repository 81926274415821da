"""Benchmark: the kansenkaart's supplier registry page ``/en/kansenkaart/suppliers`` with
10,000 suppliers, 20 concurrent clients signed in as a ministry analyst (issue 17, item 8;
target p95 ≤ 200 ms on 2 cores), project vs the plain ``list_suppliers`` path.

What it does:

1. builds a SQLite accounts database in ``--work`` with ``--suppliers`` (default 10,000)
   generated **fictional** suppliers (``suppliers.load_demo``: "Demo Supplier 00001
   (fictitious)", …, in real municipalities when ``$KETENRADAR_SHARED_DATA`` holds the map
   data) and an analyst account; generation is not timed;
2. **project**: serves the app with uvicorn in a child process (this script's ``--serve``
   mode) and drives ``--clients`` concurrent clients (threads, keep-alive HTTP/1.1, no think
   time, each signed in through ``POST /api/v1/login``), each sending a fixed mix of registry
   pages ``--rounds`` times in its own shuffled order: no filter (pages 1, 2, 10, 100, the
   last), a part of the name, a work package, a certificate held now, a province, a COROP
   region, combinations and later pages. The page searches the process's registry index
   (``suppliers.search_suppliers``), checked against the database on every request;
3. **baseline**: the same server and the same URLs with the page's search replaced by the
   plain path: ``list_suppliers`` (every ORM object of the readable suppliers loaded per
   request, the work package filtered in Python), then the name, certificate and COROP
   filters in Python and the page sliced out; the COROP choices by ``SELECT DISTINCT``;
4. checks that both answer every URL of the mix with the same suppliers in the same order
   (the ``data-id`` of the rows) and the same count, and prints per path n, errors, p50, p95,
   max, requests/s, wall time of the load, the server's peak memory (``VmHWM``) and the first
   (cold) request, with the ratio baseline / project; writes
   ``benchmarks/out/bench_kansenkaart_registry_page.json``.

Usage::

    KETENRADAR_SHARED_DATA=/work/shared/data \\
        .venv/bin/python benchmarks/bench_kansenkaart_registry_page.py
    .venv/bin/python benchmarks/bench_kansenkaart_registry_page.py --suppliers 2000 --rounds 1
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_load import Server  # noqa: E402

PY = sys.executable
PASSWORD = "correct horse battery staple"
ANALYST = "analyst"
#: cheap password hashing for the benchmark's accounts (the login is not what is measured)
FAST_HASH = {
    "KETENRADAR_ARGON2_TIME_COST": "1",
    "KETENRADAR_ARGON2_MEMORY_KIB": "64",
    "KETENRADAR_ARGON2_PARALLELISM": "1",
}
PAGE = "/en/kansenkaart/suppliers"
ROW = re.compile(rb'<tr data-id="(\d+)"')
COUNT = re.compile(rb'<p id="registry-count" role="status">([^<]*)</p>')


# -- the child process: the app with the project's or the plain search -----------------------


def plain_search(db: Any, who: Any, **f: Any) -> Any:
    """The registry page's search the plain way: ``list_suppliers`` (every ORM object per
    request), the other filters in Python, then the page sliced out."""
    from datetime import date

    from ketenradar.modules.kansenkaart import suppliers as sp

    sp.check_search(f.get("work_package"), f.get("certificate"))
    page, per_page = max(1, f.get("page") or 1), f.get("per_page") or 50
    orgs = sp.list_suppliers(
        db, who, work_package=f.get("work_package"), province=f.get("province")
    )
    if f.get("corop"):
        orgs = [o for o in orgs if o.corop == f["corop"]]
    if f.get("certificate"):
        orgs = [o for o in orgs if f["certificate"] in sp.held(o.certifications, date.today())]
    if f.get("name"):
        part = f["name"].casefold()
        orgs = [o for o in orgs if part in o.name.casefold()]
    pages = max(1, -(-len(orgs) // per_page))
    page = min(page, pages)
    shown = orgs[(page - 1) * per_page : page * per_page]
    return sp.SupplierSearch(tuple(sp.index_entry(o) for o in shown), len(orgs), page, per_page)


def plain_places(db: Any) -> tuple[list[str], list[str]]:
    """The location choices the plain way: the provinces, ``SELECT DISTINCT corop``."""
    from sqlalchemy import select

    from ketenradar.places.regions import PROVINCES
    from ketenradar.registry.models import Organisation

    with db() as s:
        corops = s.scalars(select(Organisation.corop).distinct()).all()
    return sorted(PROVINCES), sorted(c for c in corops if c)


def serve(kind: str, port: int, work: Path) -> None:
    """Run the app on ``port`` over the benchmark's database (``kind``: project or plain)."""
    import uvicorn

    from ketenradar.interfaces.web.app import create_app
    from ketenradar.interfaces.web.settings import WebSettings
    from ketenradar.modules.kansenkaart import suppliers as sp

    if kind == "plain":
        sp.search_suppliers = plain_search  # the page looks it up on each request
        sp.registry_places = plain_places
    app = create_app(settings=WebSettings.from_env(work / "store"))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# -- set-up -----------------------------------------------------------------------------------


def build(work: Path, count: int) -> float:
    """The benchmark's database: ``count`` fictional suppliers and the analyst; seconds."""
    from ketenradar.interfaces.web.app import create_app
    from ketenradar.interfaces.web.settings import WebSettings
    from ketenradar.modules.kansenkaart import suppliers as sp
    from ketenradar.registry import service

    t0 = time.perf_counter()
    shutil.rmtree(work, ignore_errors=True)
    (work / "store").mkdir(parents=True)
    os.environ.update(FAST_HASH)
    app = create_app(settings=WebSettings.from_env(work / "store"))
    db, op = app.state.accounts, sp.Access.cli()
    service.create_user(db, ANALYST, PASSWORD, "viewer")
    sp.add_membership(db, op, ANALYST, "analyst")
    sp.load_demo(db, op, count)
    return time.perf_counter() - t0


def request_mix(count: int) -> list[str]:
    """The registry URLs every client sends (mixed filters and pages)."""
    last = max(1, -(-count // 50))

    def q(**params: Any) -> str:
        return f"{PAGE}?{urlencode(params)}" if params else PAGE

    return [
        q(),
        q(page=2),
        q(page=10),
        q(page=min(100, last)),
        q(page=last),
        q(q="supplier 1"),
        q(q="00", page=3),
        q(q="SUPPLIER 0123"),
        q(q="no such name"),
        q(work_package="valves"),
        q(work_package="pumps", page=2),
        q(work_package="civil_structures", page=5),
        q(work_package="steam_generators", province="Noord-Brabant"),
        q(certificate="iso_9001"),
        q(certificate="iso_19443", page=4),
        q(certificate="asme_iii_n", work_package="piping"),
        q(province="Zuid-Holland"),
        q(province="Zeeland", page=2),
        q(province="Gelderland", q="supplier 2"),
        q(corop="Groot-Amsterdam"),
        q(corop="Zuidoost-Noord-Brabant", certificate="iso_9001"),
        q(q="5", work_package="valves", certificate="iso_3834", province="Noord-Holland"),
    ]


# -- the clients ------------------------------------------------------------------------------


class Client:
    """One keep-alive connection signed in as the analyst."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self._sign_in()

    def _cookies(self, resp: http.client.HTTPResponse) -> None:
        jar = dict(c.split("=", 1) for c in self.cookie.split("; ") if "=" in c)
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie":
                name, _, value = v.split(";", 1)[0].partition("=")
                jar[name] = value
        self.cookie = "; ".join(f"{k}={v}" for k, v in jar.items())

    def _sign_in(self) -> None:
        self.conn.request("GET", "/api/v1/session")
        resp = self.conn.getresponse()
        token = json.loads(resp.read())["csrf_token"]
        self._cookies(resp)
        body = json.dumps({"username": ANALYST, "password": PASSWORD})
        headers = {
            "Content-Type": "application/json",
            "X-CSRF-Token": token,
            "Cookie": self.cookie,
        }
        self.conn.request("POST", "/api/v1/login", body=body, headers=headers)
        resp = self.conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise SystemExit(f"sign-in failed: {resp.status}")
        self._cookies(resp)

    def get(self, path: str) -> tuple[int, bytes]:
        """One page; its status (0 when the connection failed) and body."""
        try:
            self.conn.request("GET", path, headers={"Cookie": self.cookie})
            resp = self.conn.getresponse()
            return resp.status, resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            return 0, b""


def answer(body: bytes) -> tuple[list[int], str]:
    """What a registry page lists: its rows' ids and the count line."""
    m = COUNT.search(body)
    return [int(i) for i in ROW.findall(body)], (m.group(1).decode() if m else "")


def run_path(
    kind: str, work: Path, mix: list[str], clients: int, rounds: int, label: str | None = None
) -> dict[str, Any]:
    """Start a server, time its first page, load it with the mix, stop it."""
    label = label or kind
    print(f"\n== {label}: {clients} clients × {rounds} round(s) of {len(mix)} pages", flush=True)
    cmd = [PY, __file__, "--serve", kind, "--work", str(work)]
    env = {**FAST_HASH, "KETENRADAR_DATA_DIR": str(work / "store")}
    server = Server(kind, cmd, env)
    try:
        first = Client(server.port)
        t = time.perf_counter()
        status, _ = first.get(mix[0])
        cold_ms = (time.perf_counter() - t) * 1000
        assert status == 200, status
        answers = {}
        for path in mix:  # every URL once (the answers compared between the two paths)
            status, body = first.get(path)
            assert status == 200, (path, status)
            answers[path] = answer(body)
        results: list[tuple[float, bool]] = []
        lock = threading.Lock()
        conns = [Client(server.port) for _ in range(clients)]  # signed in before the clock
        start = threading.Barrier(clients + 1)

        def client(i: int) -> None:
            rng = random.Random(i)
            order = [p for _ in range(rounds) for p in rng.sample(mix, len(mix))]
            c, mine = conns[i], []
            start.wait()
            for path in order:
                t = time.perf_counter()
                status, _ = c.get(path)
                mine.append(((time.perf_counter() - t) * 1000, status == 200))
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
        stopped = server.stop()
    ok = sorted(ms for ms, good in results if good)
    q = statistics.quantiles(ok, n=100) if len(ok) > 1 else ok * 99
    out = {
        "n": len(results),
        "errors": sum(1 for _, good in results if not good),
        "p50_ms": statistics.median(ok),
        "p95_ms": q[94],
        "max_ms": ok[-1],
        "requests_per_s": len(results) / wall,
        "wall_s": wall,
        "cold_first_page_ms": cold_ms,
        "peak_mib": server.peak,
        "died": stopped["died"],
        "answers": answers,
    }
    print(
        f"{label}: p50 {out['p50_ms']:.1f} ms, p95 {out['p95_ms']:.1f} ms, "
        f"{out['requests_per_s']:.1f} requests/s, errors {out['errors']}",
        flush=True,
    )
    return out


def table(project: dict[str, Any], base: dict[str, Any]) -> str:
    """Project and baseline side by side with the ratio baseline / project."""
    rows = [
        ("p50 (ms)", "p50_ms", True),
        ("p95 (ms)", "p95_ms", True),
        ("max (ms)", "max_ms", True),
        ("requests/s", "requests_per_s", False),
        ("wall time of the load (s)", "wall_s", None),
        ("first page, cold (ms)", "cold_first_page_ms", True),
        ("server peak memory (MiB)", "peak_mib", True),
        ("requests", "n", None),
        ("errors", "errors", None),
    ]
    lines = [f"{'':<28} {'project':>10} {'baseline':>10} {'ratio':>8}"]
    for label, key, lower_better in rows:
        p, b = project[key], base[key]
        if lower_better is None:
            ratio = ""
        elif lower_better:
            ratio = f"{b / p:.1f}x" if p else "-"
        else:
            ratio = f"{p / b:.1f}x" if b else "-"
        lines.append(f"{label:<28} {p:>10.1f} {b:>10.1f} {ratio:>8}")
    return "\n".join(lines)


def main() -> None:
    """Build, load both paths, compare and print (and save) the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--suppliers", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5, help="rounds of the mix per client")
    ap.add_argument(
        "--baseline-rounds", type=int, default=1, help="rounds per client of the (slow) baseline"
    )
    ap.add_argument("--no-build", action="store_true", help="reuse the database in --work")
    ap.add_argument("--work", type=Path, default=HERE / "out" / "registry_page")
    ap.add_argument("--serve", choices=("project", "plain"), help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.serve:
        serve(a.serve, a.port, a.work)
        return
    if not a.no_build:
        built = build(a.work, a.suppliers)
        print(f"{a.suppliers} fictional suppliers generated in {built:.1f} s (not timed)")
    mix = request_mix(a.suppliers)
    project = run_path("project", a.work, mix, a.clients, a.rounds)
    # the floor: the app's lightest HTML page (sign-in form) under the same load, same server
    floor = run_path("project", a.work, ["/en/login"] * 22, a.clients, a.rounds, "sign-in page")
    if a.baseline_rounds == 0:
        return
    base = run_path("plain", a.work, mix, a.clients, a.baseline_rounds)
    same = all(project["answers"][p] == base["answers"][p] for p in mix)
    listed = sum(len(project["answers"][p][0]) for p in mix)
    print(f"\nsame suppliers, order and count on all {len(mix)} URLs: {same} ({listed} rows)")
    print(
        f"{a.suppliers} suppliers, {a.clients} clients, {len(mix)} pages a round: "
        f"{a.rounds} round(s) each (baseline {a.baseline_rounds})"
    )
    print(table(project, base))
    print(
        f"floor, the sign-in page under the same load: p50 {floor['p50_ms']:.1f} ms, "
        f"p95 {floor['p95_ms']:.1f} ms, {floor['requests_per_s']:.1f} requests/s"
    )
    target = project["p95_ms"] <= 200 and project["errors"] == 0
    print(f"target p95 ≤ 200 ms: {'met' if target else 'NOT met'}")
    out = HERE / "out" / "bench_kansenkaart_registry_page.json"
    out.parent.mkdir(exist_ok=True)
    strip = {k: v for k, v in project.items() if k != "answers"}
    doc = {
        "suppliers": a.suppliers,
        "clients": a.clients,
        "rounds": a.rounds,
        "baseline_rounds": a.baseline_rounds,
        "pages_per_round": len(mix),
        "cpus": os.cpu_count(),
        "same_answers": same,
        "project": strip,
        "baseline": {k: v for k, v in base.items() if k != "answers"},
        "floor_sign_in_page": {k: v for k, v in floor.items() if k != "answers"},
    }
    out.write_text(json.dumps(doc, indent=2))
    print(f"written: {out}")
    if not same:
        raise SystemExit("the project and the baseline list different suppliers")


if __name__ == "__main__":
    main()
