"""Benchmark: the kansenkaart demand model for a 10-reactor programme (issue 17: ≤ 2 s), project
vs a plain per-account, per-month Python loop.

Programme: 4 × TIMCAT PWR12 median experience at 1,600 MWe, 3 × EEDB PWR12-BE at 1,144 MWe and
3 × ACCERT AP1000 at 2,234 MWe, first concrete 2030–2039, 10 % learning, euros of 2024. Real
source tables from ``$KETENRADAR_SHARED_DATA`` (default ``../shared/data``).

Steps, each in its own child process (wall time and peak RSS from ``wait4``; start-up and
imports included):

1. **project** — ``ketenradar.modules.kansenkaart.api.demand``: reads and checks the three
   source tables (sha256 included), builds the leaves, scales, converts, maps to work
   packages and spreads each package over the years (the ``demand`` and ``accounts`` tables).
2. **baseline** — the same model written the obvious way: the leaves as Python dicts (read
   and prepared with the project's readers: the same reading work), then per unit, per leaf
   and per month of its package's window the S-curve increment added to a ``(unit, package,
   year)`` dict.
   The two agree (the largest difference of any unit × package × year total is printed).

Usage::

    python benchmarks/bench_kansenkaart_demand.py
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


def programme() -> dict:
    """The 10-reactor programme (a scenario document)."""
    designs = [("timcat_pwr12_me", 1600)] * 4 + [("eedb_pwr12_be", 1144)] * 3
    designs += [("accert_ap1000", 2234)] * 3
    units = [
        {"design": d, "mwe": mwe, "site": f"site {i % 3}", "first_concrete_year": 2030 + i}
        for i, (d, mwe) in enumerate(designs)
    ]
    return {"name": "ten reactors", "learning_rate": 0.1, "units": units}


def step_project(result: Path) -> None:
    """The project's path, timed in-process as well."""
    t0 = time.perf_counter()
    from ketenradar.modules.kansenkaart.api import demand

    t1 = time.perf_counter()
    res = demand(programme(), currency="EUR", price_year=2024)
    dem = res.frame("demand")
    t2 = time.perf_counter()
    key = dem.groupby(["unit", "work_package", "year"])["total"].sum()
    out = {
        "import_s": t1 - t0,
        "compute_s": t2 - t1,
        "rows": len(dem),
        "accounts_rows": len(res.frame("accounts")),
        "cells": {f"{u}|{w}|{y}": float(v) for (u, w, y), v in key.items()},
    }
    result.write_text(json.dumps(out))


def step_baseline(result: Path) -> None:
    """The plain loop: leaves as dicts, month by month."""
    from ketenradar.modules.kansenkaart.analysis.demand import (
        prepare_design,
        resolve_units,
    )
    from ketenradar.modules.kansenkaart.analysis.scenario import parse_programme
    from ketenradar.modules.kansenkaart.references import (
        factors,
        load_taxonomy,
        reference_table,
        scaling_table,
        timcat_exponents,
    )

    t1 = time.perf_counter()  # from here on, the same work as the project's compute
    prog = parse_programme(programme())
    tax = load_taxonomy()
    timcat, _ = timcat_exponents()
    fac = factors()
    leaves: dict[str, list[dict]] = {}
    refs = {}
    for d in sorted({u.design for u in prog.units}):
        ref = reference_table(d)
        groups = scaling_table()["groups"][ref.code_system]
        exps = {
            k: float(timcat.get(v.get("timcat_parameter", ""), v["b"])) for k, v in groups.items()
        }
        prep = prepare_design(ref, tax, exps, 0.8)
        leaves[d] = prep.leaves[["total", "work_package", "exponent"]].to_dict("records")
        refs[d] = ref
    cells: dict[str, float] = {}
    for plan in resolve_units(prog, refs):
        ref = refs[plan.design]
        conv = fac.deflator[2024] / fac.deflator[ref.price_year] / fac.usd_per_eur[2024]
        learn = plan.order ** math.log2(1 - prog.learning_rate)
        for leaf in leaves[plan.design]:
            amount = leaf["total"] * (plan.mwe / ref.reference_mwe) ** leaf["exponent"]
            amount *= learn * conv
            spec = tax.work_packages[leaf["work_package"]]
            d = plan.construction_months
            start = plan.first_concrete_month + spec["start_fraction"] * d - spec["lead_months"]
            end = plan.first_concrete_month + spec["end_fraction"] * d
            m = math.floor(start)
            while m < end:
                a, b = max(m, start), min(m + 1, end)
                x0, x1 = (a - start) / (end - start), (b - start) / (end - start)
                inc = (math.cos(math.pi * x0) - math.cos(math.pi * x1)) / 2
                key = f"{plan.unit}|{leaf['work_package']}|{m // 12}"
                cells[key] = cells.get(key, 0.0) + amount * inc
                m += 1
    t2 = time.perf_counter()
    result.write_text(json.dumps({"compute_s": t2 - t1, "cells": cells}))


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
        res = a.work / f"kansenkaart_{step}.json"
        m = run(step, [PY, __file__, "--step", step, "--result", str(res)])
        if m.returncode:
            raise SystemExit(f"step {step} failed")
        return m, json.loads(res.read_text())

    proj, pr = child("project")
    base, br = child("baseline")
    keys = set(pr["cells"]) | set(br["cells"])
    diff = max(abs(pr["cells"].get(k, 0.0) - br["cells"].get(k, 0.0)) for k in keys)
    total = sum(pr["cells"].values())
    print()
    print(
        "kansenkaart demand: 10 reactors (4 TIMCAT PWR12 ME, 3 PWR12-BE, 3 AP1000), "
        f"{pr['rows']:,} unit × package × year rows, {pr['accounts_rows']:,} account rows"
    )
    print(f"{'step':<44} {'wall s':>8} {'peak MiB':>9} {'compute s':>10}")
    print(
        f"{'project (process, start-up and reading incl.)':<44} {proj.wall_s:>8.2f} "
        f"{proj.peak_mib:>9.0f} {pr['compute_s']:>10.3f}"
    )
    print(
        f"{'baseline loop (process)':<44} {base.wall_s:>8.2f} {base.peak_mib:>9.0f} "
        f"{br['compute_s']:>10.3f}"
    )
    print(
        f"ratio baseline / project: compute {br['compute_s'] / pr['compute_s']:.1f}x, "
        f"process {base.wall_s / proj.wall_s:.2f}x; largest cell difference {diff:.3g} EUR "
        f"of {total:,.0f} EUR in total; target ≤ 2 s: "
        f"{'met' if pr['compute_s'] <= 2 else 'NOT met'} (compute), "
        f"{'met' if proj.wall_s <= 2 else 'not met'} (process)"
    )


if __name__ == "__main__":
    main()
