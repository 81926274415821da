"""Benchmark: the stockpile Monte Carlo, 100,000 paths × 120 months × 50 items, project vs a
per-path Python loop.

Model (synthetic, fixed seed 2024; the sizes of issue 16's benchmark): 50 items and 12
disruptions (one per supplier country), each item exposed to 1–4 of them (correlated: one
country's halt hits every item it supplies), yearly onset probabilities 5–20 %, geometric
durations of 3–24 months (three fixed ones), ramp-ups of 6–24 months (two never), demand
responses of 0–10 %, a stock of 2–6 months of demand per item released at most 0.5–1.0 of
monthly demand a month; the fan chart over the first 10,000 paths (the default).

Steps, each in its own child process (wall time and peak RSS from ``wait4``; start-up and
imports included):

1. **project** — ``ketenradar.modules.stockpile.analysis.simulate.simulate`` over all paths,
   then the service-level stock (95 %) and the summary table.
2. **baseline** — the same model as a straightforward Python loop, path by path, month by
   month, disruption by disruption and item by item (plain floats), on the first
   ``--baseline-paths`` paths with the same random numbers; its time is scaled to all paths.
   The two agree on those paths (the largest difference of any per-path total is printed).

Usage::

    python benchmarks/bench_stockpile.py                       # ≈ 1 min
    python benchmarks/bench_stockpile.py --paths 20000 --baseline-paths 50   # quicker
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from measure import run  # noqa: E402

PY = sys.executable
ITEMS, SOURCES, MONTHS, SEED = 50, 12, 120, 7


def model() -> tuple:
    """The synthetic 50-item, 12-disruption model, the stocks and the release rates (numpy is
    imported here: the parent process does not load it before the children run)."""
    import numpy as np

    from ketenradar.modules.stockpile.analysis.scenario import SupplyModel, monthly_probability

    rng = np.random.default_rng(2024)
    loss = np.zeros((ITEMS, SOURCES))
    for i in range(ITEMS):
        k = int(rng.integers(1, 5))
        sources = rng.choice(SOURCES, size=k, replace=False)
        shares = rng.dirichlet(np.ones(k + 1))[:k] * 0.95  # the rest: other suppliers
        loss[i, sources] = shares
    fixed = np.zeros(SOURCES, bool)
    fixed[:3] = True
    ramp = rng.uniform(6, 24, SOURCES)
    ramp[-2:] = math.inf
    return (
        SupplyModel(
            items=tuple(f"item{i:02d}" for i in range(ITEMS)),
            sources=tuple(f"country{s:02d}" for s in range(SOURCES)),
            loss=loss,
            onset=np.array([monthly_probability(p) for p in rng.uniform(0.05, 0.2, SOURCES)]),
            onset_month=np.zeros(SOURCES, int),
            fixed=fixed,
            duration=np.where(fixed, rng.integers(3, 13, SOURCES), rng.uniform(3, 24, SOURCES)),
            ramp_up=ramp,
            demand_response=rng.uniform(0, 0.1, ITEMS),
        ),
        rng.uniform(2, 6, ITEMS),
        rng.uniform(0.5, 1.0, ITEMS),
    )


def step_project(result: Path, paths: int) -> None:
    """Project: the vectorised simulation, the 95 % stock and the summary."""
    from ketenradar.modules.stockpile.analysis.simulate import simulate
    from ketenradar.modules.stockpile.analysis.sizing import stock_for_service_level

    m, stock, rate = model()
    t0 = time.perf_counter()
    res = simulate(m, paths=paths, months=MONTHS, seed=SEED, stock=stock, release_rate=rate)
    sim_s = time.perf_counter() - t0
    sized = stock_for_service_level(res.capped, 0.95, res.excess)
    summary = res.summary()
    result.write_text(
        json.dumps(
            {
                "compute_s": time.perf_counter() - t0,
                "simulate_s": sim_s,
                "first": {
                    "shortfall": res.shortfall[:1000].tolist(),
                    "unserved": res.unserved[:1000].tolist(),
                },
                "mean_shortfall": float(summary["expected_shortfall_months"].mean()),
                "stock_95_months": float(sized[sized < math.inf].mean()),
                "disrupted": float(res.disrupted.mean()),
            }
        )
    )


def step_baseline(result: Path, paths: int) -> None:
    """Baseline: the same model, one path at a time in plain Python (same random numbers)."""
    import numpy as np

    from ketenradar.modules.stockpile.analysis.simulate import ramp_gap

    m, stock, rate = model()
    # the project's first chunk draws its uniforms path by path: the first `paths` are these
    rng = np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(0, 0)))
    uniforms = rng.random((paths, MONTHS, SOURCES), dtype=np.float32).tolist()
    q = [float(np.float32(v)) for v in m.onset]
    p_exit = [0.0 if f else 1.0 / d for f, d in zip(m.fixed, m.duration, strict=True)]
    stay = [float(np.float32(1.0 - (1.0 - qq) * pp)) for qq, pp in zip(q, p_exit, strict=True)]
    ramp = [float(r) for r in m.ramp_up]
    duration = [float(d) for d in m.duration]
    loss = m.loss.tolist()
    response = m.demand_response.tolist()
    stock_l, rate_l = stock.tolist(), rate.tolist()

    def gap(s: int, a: int) -> float:
        return float(ramp_gap(ramp[s], np.array([a]))[0]) if a > 0 else 0.0

    # the gap per disruption and age, as a lookup (the ramp itself is not what is timed)
    gaps = [[gap(s, a) for a in range(MONTHS + 30)] for s in range(SOURCES)]
    t0 = time.perf_counter()
    shortfall, unserved = [], []
    for path in range(paths):
        age = [0] * SOURCES
        on = [False] * SOURCES
        left = list(stock_l)
        total = [0.0] * ITEMS
        servable = [0.0] * ITEMS
        for t in range(MONTHS):
            u = uniforms[path][t]
            level = [0.0] * SOURCES
            for s in range(SOURCES):
                onset = u[s] < q[s]
                age[s] = 1 if onset else (age[s] + 1 if age[s] > 0 else 0)
                on[s] = onset or (on[s] and u[s] < stay[s])
                if m.fixed[s] and age[s] > duration[s]:
                    on[s] = False
                level[s] = gaps[s][age[s]] if on[s] else 0.0
            for i in range(ITEMS):
                lost = 0.0
                for s in range(SOURCES):
                    lost += loss[i][s] * level[s]
                x = max(0.0, min(1.0, lost) - response[i])
                total[i] += x
                xc = min(x, rate_l[i])
                servable[i] += xc
                left[i] -= min(xc, left[i])
        shortfall.append(total)
        unserved.append(
            [
                max(0.0, total[i] - servable[i]) + max(0.0, servable[i] - stock_l[i])
                for i in range(ITEMS)
            ]
        )
    result.write_text(
        json.dumps(
            {
                "compute_s": time.perf_counter() - t0,
                "paths": paths,
                "shortfall": shortfall,
                "unserved": unserved,
            }
        )
    )


def main() -> None:
    """Run both steps in child processes and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--step", help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--baseline-paths", type=int, default=200, help="paths the loop runs")
    ap.add_argument("--work", type=Path, default=HERE / "out")
    a = ap.parse_args()
    if a.step:
        {"project": step_project, "baseline": step_baseline}[a.step](
            a.result, a.paths if a.step == "project" else a.baseline_paths
        )
        return
    a.work.mkdir(parents=True, exist_ok=True)

    def child(step: str) -> tuple:
        res = a.work / f"stockpile_{step}.json"
        m = run(
            step,
            [
                *(PY, __file__, "--step", step, "--result", str(res)),
                *("--paths", str(a.paths), "--baseline-paths", str(a.baseline_paths)),
            ],
        )
        if m.returncode:
            raise SystemExit(f"step {step} failed")
        return m, json.loads(res.read_text())

    proj, proj_r = child("project")
    base, base_r = child("baseline")
    import numpy as np

    k = min(base_r["paths"], len(proj_r["first"]["shortfall"]))
    diff = max(
        float(np.abs(np.array(base_r[key][:k]) - np.array(proj_r["first"][key][:k])).max())
        for key in ("shortfall", "unserved")
    )
    per_path = base_r["compute_s"] / base_r["paths"]
    scaled = per_path * a.paths
    print()
    print(
        f"stockpile Monte Carlo: {a.paths:,} paths × {MONTHS} months × {ITEMS} items, "
        f"{SOURCES} correlated disruptions, stock + release rule, fan chart (10,000 paths)"
    )
    print(f"{'step':<40} {'wall s':>8} {'peak MiB':>9} {'compute s':>10}")
    print(
        f"{'project (process, start-up incl.)':<40} {proj.wall_s:>8.2f} {proj.peak_mib:>9.0f} "
        f"{proj_r['compute_s']:>10.2f}"
    )
    print(f"{'  of which simulate()':<40} {'':>8} {'':>9} {proj_r['simulate_s']:>10.2f}")
    print(
        f"{'baseline loop, ' + str(base_r['paths']) + ' paths':<40} {base.wall_s:>8.2f} "
        f"{base.peak_mib:>9.0f} {base_r['compute_s']:>10.2f}"
    )
    print(
        f"baseline per path {per_path * 1000:.1f} ms → {a.paths:,} paths {scaled:,.0f} s "
        f"({scaled / 3600:.1f} h); ratio baseline / project (compute): "
        f"{scaled / proj_r['compute_s']:,.0f}x, (process): {scaled / proj.wall_s:,.0f}x"
    )
    print(
        f"largest difference of a per-path total over the first {k} paths: {diff:.2e} months "
        f"of demand; mean expected shortfall {proj_r['mean_shortfall']:.3f} months, mean "
        f"95 % stock {proj_r['stock_95_months']:.2f} months, share disrupted "
        f"{proj_r['disrupted']:.3f}"
    )
    (a.work / "bench_stockpile.json").write_text(
        json.dumps(
            {
                "paths": a.paths,
                "project": {**vars(proj), "compute_s": proj_r["compute_s"]},
                "baseline": {**vars(base), "compute_s": base_r["compute_s"], "paths": k},
                "baseline_scaled_s": scaled,
                "max_abs_diff": diff,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
