"""Browser fixtures: a real server process and Debian's Chromium driven by Playwright.

`.ci/run` installs Chromium (Debian package ``chromium``) and Playwright (test extra). Without
Chromium the browser tests skip locally and fail under CI. Screenshots land in
``test-artifacts/`` (kept by CI as artefacts, ignored by git): use :func:`shot`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest
from browser_support import ARTIFACTS


def _chromium() -> str:
    path = os.environ.get("KETENRADAR_CHROMIUM") or shutil.which("chromium")
    if not path:
        msg = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "KETENRADAR_DATA_DIR": str(tmp_path_factory.mktemp("web") / "store")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ketenradar", "serve", "--port", str(port)], env=env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/api/v1/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    exe = _chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    external = []
    pg.on(
        "request",
        lambda r: (
            external.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:")) else None
        ),
    )
    pg.external = external
    yield pg
    ctx.close()
