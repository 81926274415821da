"""Benchmark: kansenkaart matching of 10,000 suppliers against 500 work packages (issue 17:
≤ 1 s), project vs a plain per-work-package, per-supplier Python loop.

Generated, fictional inputs (seeded): 500 work packages each asking 0–4 of 30 certificates;
10,000 suppliers each with 1–6 capabilities, 0–3 ambitions and 0–6 certificates (a quarter
of them expired at the reference date).

Steps, each in its own child process (wall time and peak RSS from ``wait4``; start-up,
imports and generation included):

1. **project** — ``analysis.matching.match_suppliers`` and ``summarise`` (per supplier: its
   certificates held as a set, then only the work packages it names).
2. **baseline** — the obvious loop: per work package, per supplier, the capability looked up
   in the supplier's list and every certificate asked searched for in its certification list.

The two agree on every (work package, supplier, status) triple (checked and printed).

Usage::

    python benchmarks/bench_kansenkaart_matching.py
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from measure import run  # noqa: E402

PY = sys.executable
DAY = date(2030, 1, 1)
N_SUPPLIERS = 10_000
N_PACKAGES = 500


def inputs() -> tuple[list[dict], dict[str, list[str]], dict[str, dict]]:
    """Generated suppliers, certificates asked per work package, certificate time and cost."""
    rng = random.Random(17)
    certs = [f"cert_{i:02d}" for i in range(30)]
    table = {c: {"months": (6.0, 18.0), "cost_eur": (1e4, 5e4)} for c in certs}
    wps = [f"wp_{i:03d}" for i in range(N_PACKAGES)]
    required = {w: rng.sample(certs, rng.randint(0, 4)) for w in wps}
    suppliers = []
    for i in range(N_SUPPLIERS):
        held = [
            {
                "certificate": c,
                "valid_until": None if rng.random() < 0.5 else rng.choice(["2029-06-30", "2035"]),
            }
            for c in rng.sample(certs, rng.randint(0, 6))
        ]
        suppliers.append(
            {
                "id": i,
                "name": f"Fictional supplier {i:05d}",
                "province": "Zeeland",
                "capabilities": rng.sample(wps, rng.randint(1, 6)),
                "certifications": held,
                "ambitions": [
                    {"work_package": w, "from_year": 2032}
                    for w in rng.sample(wps, rng.randint(0, 3))
                ],
            }
        )
    return suppliers, required, table


def step_project(result: Path) -> None:
    """The project's path, timed in-process as well."""
    from ketenradar.modules.kansenkaart.analysis.matching import match_suppliers, summarise

    suppliers, required, table = inputs()
    t0 = time.perf_counter()
    rows = match_suppliers(suppliers, required, table, as_of=DAY)
    summary = summarise(rows, required)
    t1 = time.perf_counter()
    out = {
        "compute_s": t1 - t0,
        "rows": len(rows),
        "bottlenecks": sum(r["bottleneck"] for r in summary),
        "triples": sorted(f"{r['work_package']}|{r['supplier_id']}|{r['status']}" for r in rows),
    }
    result.write_text(json.dumps(out))


def step_baseline(result: Path) -> None:
    """The plain loop: every work package against every supplier."""
    suppliers, required, _ = inputs()
    day = DAY.isoformat()
    t0 = time.perf_counter()
    triples = []
    for wp, asked in required.items():
        for s in suppliers:
            cap = wp in s["capabilities"]
            amb = any(a["work_package"] == wp for a in s["ambitions"])
            if not (cap or amb):
                continue
            ok = cap
            for c in asked:
                found = False
                for h in s["certifications"]:
                    if h["certificate"] == c and (not h["valid_until"] or h["valid_until"] >= day):
                        found = True
                        break
                if not found:
                    ok = False
            triples.append(f"{wp}|{s['id']}|{'qualified_now' if ok else 'after_gaps'}")
    t1 = time.perf_counter()
    result.write_text(json.dumps({"compute_s": t1 - t0, "triples": sorted(triples)}))


def main() -> None:
    """Run both steps in child processes and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--step", help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, default=HERE / "out")
    a = ap.parse_args()
    if a.step:
        {"project": step_project, "baseline": step_baseline}[a.step](a.result)
        return
    a.work.mkdir(parents=True, exist_ok=True)

    def child(step: str) -> tuple:
        res = a.work / f"kansenkaart_matching_{step}.json"
        m = run(step, [PY, __file__, "--step", step, "--result", str(res)])
        if m.returncode:
            raise SystemExit(f"step {step} failed")
        return m, json.loads(res.read_text())

    proj, pr = child("project")
    base, br = child("baseline")
    agree = pr["triples"] == br["triples"]
    print()
    print(
        f"kansenkaart matching: {N_SUPPLIERS:,} fictional suppliers × {N_PACKAGES} work "
        f"packages, {pr['rows']:,} supplier × package rows, {pr['bottlenecks']} bottlenecks"
    )
    print(f"{'step':<44} {'wall s':>8} {'peak MiB':>9} {'compute s':>10}")
    print(
        f"{'project (process, start-up incl.)':<44} {proj.wall_s:>8.2f} "
        f"{proj.peak_mib:>9.0f} {pr['compute_s']:>10.3f}"
    )
    print(
        f"{'baseline loop (process)':<44} {base.wall_s:>8.2f} {base.peak_mib:>9.0f} "
        f"{br['compute_s']:>10.3f}"
    )
    print(
        f"ratio baseline / project: compute {br['compute_s'] / pr['compute_s']:.1f}x, "
        f"process {base.wall_s / proj.wall_s:.2f}x; results agree: {agree}; target ≤ 1 s: "
        f"{'met' if pr['compute_s'] <= 1 else 'NOT met'} (compute)"
    )
    if not agree:
        raise SystemExit("project and baseline disagree")


if __name__ == "__main__":
    main()
