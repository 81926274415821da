"""Smaller answers on slow networks: gzip for every compressible response, and plotly.js
(4.8 MB, the chart library of every chart page) pre-compressed once and cached for a year
under a versioned URL.

- :func:`install` adds Starlette's :class:`~starlette.middleware.gzip.GZipMiddleware` around
  the routes (inside the session middleware, which streams what it passes on): pages, JSON,
  CSS, JavaScript and CSV downloads travel gzipped to every client that sends
  ``Accept-Encoding: gzip`` (with ``Vary: Accept-Encoding``); formats that are already
  compressed (XLSX, Parquet, images, archives) are sent as they are.
- :data:`router` serves plotly.js from the plotly Python package (MIT), as before, at
  ``/vendor/plotly-<version>.min.js`` (``Cache-Control: public, max-age=31536000, immutable``:
  a new plotly.js gets a new URL) and at the old ``/vendor/plotly.min.js`` (one day, then
  revalidated by its ETag). The gzip body is computed once per process at the highest level
  (about 1.4 MB) instead of on every request.

Pages name the versioned URL through the template global ``plotly_js_url``
(:func:`plotly_url`).
"""

from __future__ import annotations

import gzip
import hashlib
from functools import cache
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from ketenradar.core.errors import NotFoundError

#: Smaller bodies are sent as they are (the gzip header would not pay for itself).
MINIMUM_SIZE = 1024
#: zlib level for responses compressed on the fly: 6 is zlib's default balance of time and size.
LEVEL = 6
#: Already compressed (ZIP containers, Parquet pages): compressing again costs time, saves nothing.
EXCLUDED = (
    *DEFAULT_EXCLUDED_CONTENT_TYPES,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.apache.parquet",
)
#: A versioned asset never changes under its URL.
IMMUTABLE = "public, max-age=31536000, immutable"
#: The unversioned URL: kept a day, then revalidated with its ETag.
ONE_DAY = "public, max-age=86400"

router = APIRouter(include_in_schema=False)


def install(app: FastAPI) -> None:
    """Compress the app's responses. Add it where it sees each answer whole (a streamed
    body has no known size, so even a small one would be compressed): inside any middleware
    that streams (``@app.middleware("http")``), outside the routes."""
    app.add_middleware(
        GZipMiddleware,
        minimum_size=MINIMUM_SIZE,
        compresslevel=LEVEL,
        exclude_content_types=EXCLUDED,
    )


def plotly_path() -> Path:
    """plotly.min.js as shipped inside the plotly Python package."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@cache
def plotly_version() -> str:
    """The version of plotly.js inside the installed plotly package (``4.1.1``)."""
    from plotly.offline import get_plotlyjs_version

    return str(get_plotlyjs_version())


def plotly_url() -> str:
    """The versioned URL pages load plotly.js from."""
    return f"/vendor/plotly-{plotly_version()}.min.js"


@cache
def _plotly_bodies() -> tuple[bytes, bytes, str]:
    """plotly.js as it is, gzipped (level 9, no timestamp: the same bytes every time), and
    its ETag."""
    raw = plotly_path().read_bytes()
    return raw, gzip.compress(raw, compresslevel=9, mtime=0), hashlib.sha256(raw).hexdigest()[:32]


def _plotly(request: Request, cache_control: str) -> Response:
    raw, gz, digest = _plotly_bodies()
    zipped = "gzip" in request.headers.get("accept-encoding", "").lower()
    etag = f'"{digest}{"-gz" if zipped else ""}"'
    headers = {"Cache-Control": cache_control, "ETag": etag, "Vary": "Accept-Encoding"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if zipped:
        headers["Content-Encoding"] = "gzip"
    return Response(gz if zipped else raw, media_type="text/javascript", headers=headers)


@router.get("/vendor/plotly.min.js")
def plotly_js(request: Request) -> Response:
    """plotly.js (MIT) under its old, unversioned URL."""
    return _plotly(request, ONE_DAY)


@router.get("/vendor/plotly-{version}.min.js")
def plotly_js_versioned(request: Request, version: str) -> Response:
    """plotly.js under its versioned URL; another version is not here (404)."""
    if version != plotly_version():
        raise NotFoundError(f"plotly.js {version} is not served here (this is {plotly_version()})")
    return _plotly(request, IMMUTABLE)
