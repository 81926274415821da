"""Benchmark: input-output exposure of NLD and a batch of 100 supply shocks, project vs baseline.

Table: the OECD ICIO 2022 benchmark arrays (80 economies × 50 industries = 4,000
country-industries) from ``$KETENRADAR_SHARED_DATA/icio_oecd_2022`` (default
``../shared/data``), loaded once into a scratch store with ``ketenradar io load``.

Steps, each in its own child process (wall time and peak RSS from ``wait4``; start-up and
reading the table from the store included):

1. **full exposure** — ``ketenradar.modules.io.api.exposure`` for NLD with every view
   (per source country-industry, per source country, per domestic industry, the largest
   links, the summary). Baseline: **pymrio** 0.7 on the same table (``IOSystem.calc_all``
   with a value-added extension, then the same quantities from its ``L``, ``M`` and ``S``).
2. **shocks** — the first shock (factorisation included), then a batch of 100 scenarios
   (random supplier countries and industries, falls of 10–100 %, to the world or to NLD only,
   partial hypothetical extraction in the supply-side model). Baseline: the straightforward
   way, one dense solve ``x*' = v_p'(I − B*)⁻¹`` with numpy per scenario.

Usage::

    python benchmarks/bench_io.py                     # all steps (≈ 5 min)
    python benchmarks/bench_io.py --baseline-shocks 20  # time 20 baseline shocks, extrapolate
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from measure import run  # noqa: E402

PY = sys.executable


def scenarios(n: int = 100, seed: int = 2022) -> list[dict]:
    """The shock batch: reproducible random suppliers, industries, falls and scopes."""
    import numpy as np

    from ketenradar.modules.io.api import load_model

    model, _ = load_model(source="icio", year=2022)
    t = model.table
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        supplier = str(rng.choice([r for r in t.regions if r != "NLD"]))
        inds = [] if k % 3 == 0 else [str(s) for s in rng.choice(t.sectors, 3, replace=False)]
        out.append(
            {
                "name": f"s{k:03d}",
                "model": "extraction",
                "shocks": [
                    {
                        "supplier": supplier,
                        "industries": inds,
                        "fall": round(float(rng.uniform(0.1, 1.0)), 3),
                        "to": "world" if k % 2 else "economy",
                    }
                ],
            }
        )
    return out


def step_exposure(result: Path) -> None:
    """Project: every exposure view for NLD."""
    from ketenradar.modules.io.api import exposure

    t0 = time.perf_counter()
    sizes = {}
    for by in ("source", "country", "industry", "link", "summary"):
        sizes[by] = len(exposure("NLD", source="icio", year=2022, by=by))
    result.write_text(json.dumps({"compute_s": time.perf_counter() - t0, "rows": sizes}))


def step_exposure_pymrio(result: Path) -> None:
    """Baseline: pymrio's calc_all on the same table, then the same quantities."""
    import numpy as np
    import pandas as pd
    import pymrio

    from ketenradar.datasets import DataStore
    from ketenradar.datasets.iotable_store import read_table
    from ketenradar.modules.io.api import choose_table_dataset

    t0 = time.perf_counter()
    t = read_table(choose_table_dataset(DataStore(os.environ["KETENRADAR_DATA_DIR"]), "icio", 2022))
    idx = pd.MultiIndex.from_frame(t.index())
    io = pymrio.IOSystem(
        Z=pd.DataFrame(t.Z, index=idx, columns=idx),
        Y=pd.DataFrame(
            t.y_total[:, None],
            index=idx,
            columns=pd.MultiIndex.from_tuples([("ALL", "FD")], names=["region", "category"]),
        ),
        x=pd.DataFrame(t.x, index=idx, columns=["indout"]),
    )
    io.va = pymrio.Extension(name="va", F=pd.DataFrame([t.va], index=["va"], columns=idx))
    io.calc_all()
    L = io.L.to_numpy()
    nld = (t.index()["region"] == "NLD").to_numpy()
    y = np.where(nld, t.y_total, 0.0)
    S = io.va.S.to_numpy()[0]
    embodied = S * (L @ y)  # VA of every source in NLD's final output
    content = io.va.M.to_numpy()[0]  # VA multipliers
    direct = t.Z[:, nld].sum(axis=1)
    R = len(t.regions)
    by_region = (S[:, None] * L[:, nld]).reshape(R, len(t.sectors), -1).sum(axis=1)
    result.write_text(
        json.dumps(
            {
                "compute_s": time.perf_counter() - t0,
                "check": [float(embodied.sum()), float(content.mean()), float(direct.sum())],
                "by_region_shape": list(by_region.shape),
            }
        )
    )


def step_shocks(result: Path, scen_file: Path) -> None:
    """Project: the first shock (factorisation included), then the batch of 100."""
    from ketenradar.modules.io.api import shock

    t0 = time.perf_counter()
    shock("NLD", supplier="CHN", fall="50%", source="icio", year=2022)
    first = time.perf_counter() - t0
    t1 = time.perf_counter()
    shock("NLD", supplier="DEU", fall=0.3, source="icio", year=2022)
    second = time.perf_counter() - t1
    t2 = time.perf_counter()
    df = shock("NLD", scenario_file=scen_file, source="icio", year=2022)
    batch = time.perf_counter() - t2
    totals = df[df["industry"] == "TOTAL"].set_index("scenario")["output_loss_musd"]
    result.write_text(
        json.dumps(
            {
                "first_s": first,
                "second_s": second,
                "batch_s": batch,
                "scenarios": len(totals),
                "totals": totals.to_dict(),
            }
        )
    )


def step_shocks_numpy(result: Path, scen_file: Path, limit: int) -> None:
    """Baseline: B* built and one dense solve per scenario."""
    import numpy as np
    import yaml

    from ketenradar.datasets import DataStore
    from ketenradar.datasets.iotable_store import read_table
    from ketenradar.modules.io.api import choose_table_dataset

    t = read_table(choose_table_dataset(DataStore(os.environ["KETENRADAR_DATA_DIR"]), "icio", 2022))
    x = t.x
    B = np.zeros_like(t.Z)
    act = x > 0
    B[act] = t.Z[act] / x[act, None]
    vp = x - t.Z.sum(axis=0)
    idx = t.index()
    nld = (idx["region"] == "NLD").to_numpy()
    docs = yaml.safe_load(scen_file.read_text())["scenarios"][:limit]
    t0 = time.perf_counter()
    totals = {}
    for d in docs:
        s = d["shocks"][0]
        rows = (idx["region"] == s["supplier"]).to_numpy()
        if s["industries"]:
            rows &= idx["sector"].isin(s["industries"]).to_numpy()
        cols = nld if s["to"] == "economy" else np.ones(t.n, bool)
        Bs = B.copy()
        Bs[np.ix_(rows, cols)] *= 1 - s["fall"]
        xs = np.linalg.solve((np.eye(t.n) - Bs).T, vp)
        totals[d["name"]] = float((x - xs)[nld].sum())
    result.write_text(
        json.dumps({"compute_s": time.perf_counter() - t0, "n": len(docs), "totals": totals})
    )


def main() -> None:
    """Run every step in a child process and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--step", help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--scenarios", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--baseline-shocks", type=int, default=100, help="baseline shocks to time")
    ap.add_argument("--work", type=Path, default=HERE / "out")
    a = ap.parse_args()
    if a.step:
        {
            "exposure": lambda: step_exposure(a.result),
            "exposure_pymrio": lambda: step_exposure_pymrio(a.result),
            "shocks": lambda: step_shocks(a.result, a.scenarios),
            "shocks_numpy": lambda: step_shocks_numpy(a.result, a.scenarios, a.baseline_shocks),
        }[a.step]()
        return
    shared = Path(os.environ.get("KETENRADAR_SHARED_DATA", HERE.parent.parent / "shared" / "data"))
    a.work.mkdir(parents=True, exist_ok=True)
    store = a.work / "store_io"
    shutil.rmtree(store, ignore_errors=True)
    env = {"KETENRADAR_DATA_DIR": str(store)}
    os.environ.update(env)
    ketenradar = str(Path(PY).with_name("ketenradar"))
    load = run("load", [ketenradar, "io", "load", "icio", str(shared / "icio_oecd_2022")], env)
    if load.returncode:
        raise SystemExit("loading the ICIO table failed")
    import yaml

    scen_file = a.work / "io_shocks_100.yaml"
    scen_file.write_text(yaml.safe_dump({"scenarios": scenarios()}, sort_keys=False))

    def child(step: str) -> tuple:
        res = a.work / f"io_{step}.json"
        m = run(
            step,
            [
                *(PY, __file__, "--step", step, "--result", str(res)),
                *("--scenarios", str(scen_file), "--baseline-shocks", str(a.baseline_shocks)),
            ],
            env,
        )
        if m.returncode:
            raise SystemExit(f"step {step} failed")
        return m, json.loads(res.read_text())

    exp, exp_r = child("exposure")
    expb, expb_r = child("exposure_pymrio")
    sho, sho_r = child("shocks")
    shob, shob_r = child("shocks_numpy")
    # the baseline and the project agree on every scenario timed
    worst = max(
        abs(shob_r["totals"][k] - sho_r["totals"][k]) / max(abs(shob_r["totals"][k]), 1e-9)
        for k in shob_r["totals"]
    )
    per_base = shob_r["compute_s"] / shob_r["n"]
    per_proj = sho_r["batch_s"] / sho_r["scenarios"]
    print()
    print(f"load ICIO 2022 (4,000 industries) into the store: {load.wall_s:.1f} s")
    print(f"{'step':<44} {'project s':>10} {'MiB':>7} {'baseline s':>11} {'MiB':>7} {'ratio':>7}")
    print(
        f"{'full exposure NLD (process, start-up incl.)':<44} {exp.wall_s:>10.2f} "
        f"{exp.peak_mib:>7.0f} {expb.wall_s:>11.2f} {expb.peak_mib:>7.0f} "
        f"{expb.wall_s / exp.wall_s:>6.1f}x"
    )
    print(
        f"{'  of which computation':<44} {exp_r['compute_s']:>10.2f} {'':>7} "
        f"{expb_r['compute_s']:>11.2f}"
    )
    print(f"{'first shock (factorisation incl.)':<44} {sho_r['first_s']:>10.3f}")
    print(f"{'one shock after the first':<44} {sho_r['second_s']:>10.3f}")
    base_100 = per_base * 100
    print(
        f"{'100 shocks (batch)':<44} {sho_r['batch_s']:>10.2f} {sho.peak_mib:>7.0f} "
        f"{base_100:>11.2f} {shob.peak_mib:>7.0f} {base_100 / sho_r['batch_s']:>6.1f}x"
    )
    print(
        f"per shock: project {per_proj * 1000:.0f} ms, numpy baseline {per_base * 1000:.0f} ms "
        f"({shob_r['n']} timed{'' if shob_r['n'] == 100 else ', extrapolated to 100'}); "
        f"largest relative difference of NLD's output loss: {worst:.2e}"
    )
    (a.work / "bench_io.json").write_text(
        json.dumps(
            {
                "exposure": [exp.wall_s, exp.peak_mib, exp_r],
                "exposure_pymrio": [expb.wall_s, expb.peak_mib, expb_r["compute_s"]],
                "shocks": [
                    sho.wall_s,
                    sho.peak_mib,
                    {k: v for k, v in sho_r.items() if k != "totals"},
                ],
                "shocks_numpy": [shob.wall_s, shob.peak_mib, shob_r["compute_s"], shob_r["n"]],
                "max_rel_diff": worst,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
