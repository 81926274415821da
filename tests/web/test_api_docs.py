"""/docs: Swagger UI from the package's vendored copy (swagger-ui-dist), within the app's own
CSP: local URLs only, no inline script, the files as SOURCE.txt records them, with licences."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ketenradar.interfaces.web import app as web_app
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings

VENDOR = Path(web_app.__file__).parent / "static" / "vendor" / "swagger-ui"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    store = tmp_path_factory.mktemp("docs") / "store"
    return TestClient(create_app(settings=WebSettings.from_env(store)))


def test_docs_page_loads_only_local_assets_and_no_inline_script(client: TestClient):
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1][:20]
    html = r.text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith(("/", "data:")) for u in urls), urls
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script is a file
    for u in urls:
        if u.startswith("/"):
            got = client.get(u)
            assert got.status_code == 200, u
    assert "cdn" not in html.lower()
    assert client.get("/redoc").status_code == 404
    init = client.get("/static/swagger-init.js").text
    assert "url: '/openapi.json'" in init and "validatorUrl: null" in init


def test_vendored_files_match_source_txt_and_carry_licences():
    source = (VENDOR / "SOURCE.txt").read_text()
    assert "swagger-ui-dist@" in source and "Apache-2.0" in source
    listed = dict(re.findall(r"^  (\S+)  sha256 ([0-9a-f]{64})$", source, re.M))
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"} <= set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert "Apache License" in (VENDOR / "LICENSE").read_text()
    # the script that writes them writes them here (not the old src/ketenradar/web path)
    script = (REPO / "scripts" / "vendor-web-assets.sh").read_text()
    assert 'vendor="$repo/src/ketenradar/interfaces/web/static/vendor"' in script
    assert "swagger-ui-dist" in script
