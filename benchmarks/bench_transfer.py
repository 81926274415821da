"""Bytes on the wire per page, before and after compression (issue 15, point 19).

What it does:

1. starts two ``ketenradar serve`` processes over the same empty store (the pages show the
   starter pack): ``before`` is asked with ``Accept-Encoding: identity`` — exactly the bytes the
   app sent before compression existed (it ignored the header, and still sends the same bodies
   uncompressed to a client that does not accept gzip) — and ``after`` with
   ``Accept-Encoding: gzip, deflate`` (what every browser sends);
2. opens every page of the list in Chromium (Playwright) once, to learn what a browser really
   fetches for it: the page, its CSS and scripts, plotly.js, the JSON its charts ask for, the
   world map geometry;
3. fetches each page's resources, cold (nothing cached), from each server with ``http.client``
   and counts the bytes of the bodies as sent (compressed where compressed; HTTP headers not
   counted, the same on both sides);
4. prints per page: bytes before/after, the modelled transfer time at 10 Mbit/s (bytes × 8 /
   10⁷ s: bandwidth only, no latency), the ratio (before / after), and overall the measured
   wall time of all fetches on loopback and each server's peak memory (``VmHWM``).

Usage::

    .venv/bin/python benchmarks/bench_transfer.py          # ≈ 1 minute

Writes ``benchmarks/out/bench_transfer.json`` too.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).parent))
from bench_web import Server  # a server process on a free loopback port

PAGES = [
    "/en/",
    "/en/dependencies",
    "/en/products/271111",
    "/en/countries",
    "/en/countries/CHN",
    "/en/materials",
    "/en/materials/cobalt",
    "/en/bom",
    "/en/io",
    "/en/data",
]
MBIT = 10  # the modelled link: 10 Mbit/s
OUT = Path(__file__).parent / "out" / "bench_transfer.json"


def resources(base: str, pages: list[str]) -> dict[str, list[str]]:
    """For each page, the same-origin URLs (path + query) Chromium fetches to show it."""
    from playwright.sync_api import sync_playwright

    exe = os.environ.get("KETENRADAR_CHROMIUM") or shutil.which("chromium") or "chromium"
    out: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        for page_path in pages:
            ctx = browser.new_context()  # a cold cache for every page
            page = ctx.new_page()
            seen: list[str] = []

            def note(req, seen=seen) -> None:
                if req.url.startswith(base):
                    u = urlsplit(req.url)
                    path = u.path + (f"?{u.query}" if u.query else "")
                    if path not in seen:
                        seen.append(path)

            page.on("request", note)
            page.goto(base + page_path, wait_until="networkidle")
            page.wait_for_timeout(3000)  # the charts ask for their data once plotly.js is parsed
            page.wait_for_load_state("networkidle")
            out[page_path] = seen
            ctx.close()
        browser.close()
    return out


def fetch(port: int, paths: list[str], encoding: str) -> tuple[int, float]:
    """Bytes of the bodies as sent, and the wall time, for ``paths`` on one connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    total = 0
    t0 = time.perf_counter()
    for path in paths:
        conn.request("GET", path, headers={"Accept-Encoding": encoding})
        res = conn.getresponse()
        body = res.read()  # http.client does not decode: these are the bytes on the wire
        if res.status != 200:
            raise SystemExit(f"{path}: {res.status}")
        total += len(body)
    conn.close()
    return total, time.perf_counter() - t0


def seconds(n: int) -> float:
    """Modelled transfer time of ``n`` bytes at :data:`MBIT` Mbit/s."""
    return n * 8 / (MBIT * 1_000_000)


def main() -> None:
    """Measure and print the table."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"KETENRADAR_DATA_DIR": str(Path(tmp) / "store")}
        cmd = [sys.executable, "-m", "ketenradar", "serve"]
        before, after = Server("before", cmd, env), Server("after", cmd, env)
        try:
            found = resources(f"http://127.0.0.1:{after.port}", PAGES)
            for page_path in PAGES:  # warm both (first reads of the fact tables)
                fetch(before.port, found[page_path], "identity")
                fetch(after.port, found[page_path], "gzip, deflate")
            rows = []
            for page_path in PAGES:
                b, bt = fetch(before.port, found[page_path], "identity")
                a, at = fetch(after.port, found[page_path], "gzip, deflate")
                rows.append(
                    {
                        "page": page_path,
                        "requests": len(found[page_path]),
                        "bytes_before": b,
                        "bytes_after": a,
                        "s_10mbit_before": seconds(b),
                        "s_10mbit_after": seconds(a),
                        "wall_s_before": bt,
                        "wall_s_after": at,
                    }
                )
        finally:
            peak_before, peak_after = before.stop(), after.stop()

    print(
        f"{'page (cold cache)':<24} {'req':>4} {'before B':>11} {'after B':>10} "
        f"{'before s':>9} {'after s':>8} {'ratio':>6}   (s: modelled at {MBIT} Mbit/s)"
    )
    for r in rows:
        print(
            f"{r['page']:<24} {r['requests']:>4} {r['bytes_before']:>11,} {r['bytes_after']:>10,} "
            f"{r['s_10mbit_before']:>9.2f} {r['s_10mbit_after']:>8.2f} "
            f"{r['bytes_before'] / r['bytes_after']:>5.1f}x"
        )
    tb = sum(r["bytes_before"] for r in rows)
    ta = sum(r["bytes_after"] for r in rows)
    wb = sum(r["wall_s_before"] for r in rows)
    wa = sum(r["wall_s_after"] for r in rows)
    print(
        f"{'all pages':<24} {sum(r['requests'] for r in rows):>4} {tb:>11,} {ta:>10,} "
        f"{seconds(tb):>9.2f} {seconds(ta):>8.2f} {tb / ta:>5.1f}x"
    )
    print(
        f"wall time of all fetches on loopback: before {wb:.2f} s, after {wa:.2f} s; "
        f"server peak memory (VmHWM): before {peak_before:.0f} MiB, after {peak_after:.0f} MiB"
    )
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(
        json.dumps(
            {"mbit": MBIT, "pages": rows, "peak_mib": {"before": peak_before, "after": peak_after}},
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
