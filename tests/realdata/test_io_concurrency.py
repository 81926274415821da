"""Real data: concurrent input-output requests on the OECD ICIO 2022 table (80 × 50 = 4,000
industries) against a real ``ketenradar serve`` process.

Three or four concurrent shocks or exposure requests used to abort the server with heap
corruption ("malloc(): corrupted size vs. prev_size"): every request thread solved with the
one cached model, and SciPy's ``getrs`` wrapper rewrote the shared LU pivot array in place
while LAPACK ran (see :mod:`ketenradar.modules.io.analysis.model`). The server runs in a subprocess
because the crash kills the process. Many clients hit it on a cold cache (the model not yet
built), then again with the model warm; it must stay up, and every answer must equal the
answer computed serially (the same request sent again one at a time to the same server for
shocks, which are not cached; the Python API in this process for the exposure per industry,
which the server caches).

Reads ``$KETENRADAR_SHARED_DATA`` (default ``../shared/data``); skips when it is missing,
except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import http.cookiejar
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from conftest import require_shared, running_server, together
from threadpoolctl import threadpool_limits
from typer.testing import CliRunner

from ketenradar.interfaces.cli.app import app
from ketenradar.modules.io import api as io_api
from ketenradar.modules.io.web import views as io_page

pytestmark = pytest.mark.realdata

ECONOMIES = ["DEU", "FRA", "USA", "CHN", "JPN", "GBR", "ITA", "NLD"]


class Client:
    """Cookie jar and CSRF token for the real server."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.token = json.loads(self.opener.open(f"{url}/api/v1/session").read())["csrf_token"]

    def call(self, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path,
            data=data,
            headers={"Content-Type": "application/json", "X-CSRF-Token": self.token},
        )
        with self.opener.open(req, timeout=180) as r:
            return r.status, json.loads(r.read())


def up(client: Client) -> bool:
    """Whether the server still answers (the crash aborted the whole process)."""
    try:
        return client.call("/api/v1/health")[0] == 200
    except OSError:
        return False


def shock(i: int) -> dict[str, Any]:
    """A different shock per ``i``: economy, supplier, industries, scope and model vary."""
    economy = ECONOMIES[i % len(ECONOMIES)]
    supplier = ECONOMIES[(i + 3) % len(ECONOMIES)]
    return {
        "economy": economy,
        "supplier": supplier,
        "fall": 0.25 + (i % 3) / 4,
        "industries": [] if i % 2 else ["C26", "B05"],
        "to": "world" if i % 3 else "economy",
        "model": "ghosh" if i % 4 == 3 else "extraction",
        "dataset": "icio",
    }


def without_time(result: dict[str, Any]) -> dict[str, Any]:
    """A result without the moment it was computed (``generated_at``, ``built_at``)."""
    out = {k: v for k, v in result.items() if k not in ("provenance", "footer")}
    prov = {k: v for k, v in result["provenance"].items() if k != "generated_at"}
    return out | {"provenance": prov}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shared = require_shared("icio_oecd_2022")
    d = tmp_path_factory.mktemp("io_conc") / "store"
    r = CliRunner().invoke(app, ["--data-dir", str(d), "io", "load", "icio", str(shared)])
    assert r.exit_code == 0 and "80 regions × 50 sectors" in r.output, r.output
    return d


def test_concurrent_io_requests_keep_the_server_up_and_equal_serial(store: Path):
    with running_server(store) as url:
        client = Client(url)
        # cold: the model is not built yet; exposure for eight economies and eight shocks
        cold = [
            lambda e=e: client.call(f"/api/v1/io/industries?dataset=icio&economy={e}")
            for e in ECONOMIES
        ]
        cold += [lambda i=i: client.call("/api/v1/io/shock", shock(i)) for i in range(8)]
        first = together(cold, timeout=180)
        # warm: the case that crashed 3 times in 3 (concurrent solves on the cached model)
        warm = together(
            [lambda i=i: client.call("/api/v1/io/shock", shock(i)) for i in range(8, 24)],
            timeout=180,
        )
        assert up(client), "the server process died under concurrent input-output requests"
        assert all(isinstance(r, tuple) for r in first + warm), [
            r for r in first + warm if not isinstance(r, tuple)
        ][:3]
        assert all(status == 200 for status, _ in first + warm)
        # shocks are not cached: the same requests one at a time are computed afresh
        for i, (_, body) in zip(range(8), first[8:], strict=True):
            assert without_time(body) == without_time(client.call("/api/v1/io/shock", shock(i))[1])
        for i, (_, body) in zip(range(8, 24), warm, strict=True):
            assert without_time(body) == without_time(client.call("/api/v1/io/shock", shock(i))[1])
    # the exposure per industry, computed serially here with the Python API
    from ketenradar.results.facts import Facts

    facts = Facts()
    with threadpool_limits(1, user_api="blas"):  # as the server runs (same rounding)
        for e, (_, body) in zip(ECONOMIES, first[:8], strict=True):
            serial = io_page.industries(facts, store, economy=e, dataset="icio")
            assert without_time(body) == without_time(json.loads(json.dumps(serial))), e
    io_api._MODELS.clear()  # 400 MB: not kept for the rest of the session
