"""Responses travel compressed (issue 15, point 19): plotly.js pre-compressed and cached for a
year under its versioned URL, pages and JSON gzipped on the fly, compressed formats left alone.

Sizes are read from the raw bytes on the wire (``stream=True`` + ``iter_raw``), not the body
the client decodes."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ketenradar.interfaces.web import compression
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    data_dir = tmp_path_factory.mktemp("compression") / "store"
    return TestClient(create_app(settings=WebSettings.from_env(data_dir)))


def wire(client: TestClient, url: str, headers: dict[str, str]) -> tuple[object, bytes]:
    """The response and the bytes as sent (still compressed)."""
    with client.stream("GET", url, headers=headers) as res:
        return res, b"".join(res.iter_raw())


def test_chart_pages_load_plotly_from_the_versioned_url(client: TestClient):
    for page in ("/en/materials", "/nl/countries", "/en/products/271111", "/en/io"):
        html = client.get(page).text
        urls = re.findall(r'<script src="(/vendor/plotly[^"]*)"', html)
        assert urls == [compression.plotly_url()], (page, urls)
    assert re.fullmatch(r"/vendor/plotly-\d+\.\d+\.\d+\.min\.js", compression.plotly_url())


def test_plotly_travels_gzipped_and_is_cached_for_a_year(client: TestClient):
    original = compression.plotly_path().read_bytes()
    res, body = wire(client, compression.plotly_url(), GZIP)
    assert res.status_code == 200
    assert res.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in res.headers["vary"].lower()
    assert res.headers["content-type"].startswith("text/javascript")
    assert "max-age=31536000" in res.headers["cache-control"]
    assert "immutable" in res.headers["cache-control"]
    assert int(res.headers["content-length"]) == len(body)
    assert gzip.decompress(body) == original  # the same library, byte for byte
    assert len(original) > 4_000_000 and len(body) < len(original) / 3  # 4.8 MB -> ~1.4 MB


def test_plotly_without_gzip_and_revalidation(client: TestClient):
    original = compression.plotly_path().read_bytes()
    res, body = wire(client, compression.plotly_url(), IDENTITY)
    assert "content-encoding" not in res.headers and body == original
    old, old_body = wire(client, "/vendor/plotly.min.js", GZIP)  # the old URL still works
    assert old.headers["content-encoding"] == "gzip" and gzip.decompress(old_body) == original
    assert "immutable" not in old.headers["cache-control"]
    again = client.get(
        "/vendor/plotly.min.js", headers={**GZIP, "If-None-Match": old.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    assert client.get("/vendor/plotly-0.0.1.min.js").status_code == 404


@pytest.mark.parametrize(
    "url", ["/en/dependencies", "/nl/materials", "/api/v1/dependencies", "/static/style.css"]
)
def test_pages_json_and_css_are_gzipped(client: TestClient, url: str):
    plain, plain_body = wire(client, url, IDENTITY)
    zipped, zipped_body = wire(client, url, GZIP)
    assert plain.status_code == zipped.status_code == 200
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in zipped.headers["vary"].lower()
    assert len(zipped_body) < len(plain_body) / 2, (len(zipped_body), len(plain_body))
    if url.startswith("/static/"):
        assert gzip.decompress(zipped_body) == plain_body
    # the security headers survive the compression layer
    assert zipped.headers["x-content-type-options"] == "nosniff"


def test_compressed_formats_are_sent_as_they_are(client: TestClient):
    html = client.get("/en/dependencies").text
    link = re.search(r'id="download-xlsx" href="([^"]+)"', html)
    assert link, "the explorer offers an XLSX download"
    res, body = wire(client, link[1].replace("&amp;", "&"), GZIP)
    assert res.status_code == 200 and len(body) > compression.MINIMUM_SIZE
    assert "spreadsheetml" in res.headers["content-type"]
    assert "content-encoding" not in res.headers
    assert body[:2] == b"PK"  # a ZIP container, as sent


def test_small_answers_are_not_compressed(client: TestClient):
    res, body = wire(client, "/api/v1/health", GZIP)
    assert res.status_code == 200 and len(body) < compression.MINIMUM_SIZE
    assert "content-encoding" not in res.headers


def test_the_vendored_world_map_travels_gzipped(client: TestClient):
    path = "/static/vendor/plotly.js/world_110m.json"
    res, body = wire(client, path, GZIP)
    on_disk = (
        Path(compression.__file__).parent / "static/vendor/plotly.js/world_110m.json"
    ).read_bytes()
    assert res.headers["content-encoding"] == "gzip" and gzip.decompress(body) == on_disk
