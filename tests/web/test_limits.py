"""Request bodies against a real server (``ketenradar serve`` in its own process, raw sockets):
a role is checked and a size limit applied before a byte of the body is read; a body that
streams past its limit (chunked, or more than it announced) is stopped with 413; an upload
streams into the data dir, never through ``$TMPDIR``; a huge what-if neither waits for its
body nor stalls other requests; ``HEAD`` is answered like ``GET`` without the body.

In process: every GET route answers HEAD; what depends on the signed-in user carries
``Cache-Control: no-store``; deleting a saved item checks its kind; the size settings."""

from __future__ import annotations

import json
import os
import re
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from conftest import csrf_headers, running_server
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from ketenradar.core.errors import UsageError
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.registry import db as accounts_db
from ketenradar.registry import service

PASSWORD = "correct horse battery staple"
UPLOAD_LIMIT = 8_000_000  # KETENRADAR_MAX_UPLOAD_BYTES of the server under test
BOUNDARY = "ketenradar-test-boundary"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("limits")
    data_dir, tmpdir = root / "store", root / "tmp"
    tmpdir.mkdir()
    url = f"sqlite:///{data_dir / 'ketenradar.db'}"
    data_dir.mkdir()
    accounts_db.upgrade(url)
    service.create_user(accounts_db.sessions(url), "alice", PASSWORD, "analyst")
    env = {"TMPDIR": str(tmpdir), "KETENRADAR_MAX_UPLOAD_BYTES": "8M"}
    with running_server(data_dir, env=env) as base:
        yield {"url": base, "data_dir": data_dir, "tmpdir": tmpdir, "pid": _pid_with(tmpdir)}


def _pid_with(tmpdir: Path) -> int:
    """The server process: the one whose environment holds our TMPDIR."""
    needle = f"TMPDIR={tmpdir}".encode()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if needle in (d / "environ").read_bytes().split(b"\0"):
                    return int(d.name)
            except OSError:
                continue
    raise AssertionError("server process not found")


def _open_files(pid: int) -> list[str]:
    out = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            out.append(os.readlink(fd))
        except OSError:
            continue
    return out


def _no_temp_files(server: dict) -> None:
    tmp = str(server["tmpdir"])
    assert list(server["tmpdir"].iterdir()) == []
    assert [f for f in _open_files(server["pid"]) if f.startswith(tmp)] == []


def _session(base: str, username: str | None) -> tuple[str, str]:
    """(Cookie header, CSRF token) of a client signed in as ``username`` (None: anonymous)."""
    with httpx.Client(base_url=base) as c:
        token = c.get("/api/v1/session").json()["csrf_token"]
        if username:
            r = c.post(
                "/api/v1/login",
                json={"username": username, "password": PASSWORD},
                headers={"X-CSRF-Token": token},
            )
            assert r.status_code == 200, r.text
            token = c.get("/api/v1/session").json()["csrf_token"]
        cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
    return cookie, token


def _error(status: int, code: str, detail: str) -> dict:
    """The app's one error body for an error that names no field, file, line or node."""
    where = dict.fromkeys(("field", "file", "line", "column", "node"))
    return {"status": status, "code": code, "detail": detail} | where


def _connect(base: str, method: str, path: str, headers: dict[str, str]) -> socket.socket:
    """A socket that has sent the request line and headers (not the body)."""
    u = urlsplit(base)
    s = socket.create_connection((u.hostname, u.port), timeout=10)
    lines = [f"{method} {path} HTTP/1.1", f"Host: {u.netloc}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return s


def _read_response(s: socket.socket, timeout: float) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of the response on ``s``."""
    s.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed before a response: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def _closed_by_server(s: socket.socket) -> bool:
    s.settimeout(5)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True


def _multipart_head(field: str, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{field}"' + (f'; filename="{filename}"' if filename else "")
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()


def _send_chunk(s: socket.socket, data: bytes) -> None:
    s.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n")


def _stream_until_answered(s: socket.socket, prefix: bytes, limit: int) -> int:
    """Send ``prefix`` then 64 KiB chunks (chunked encoding) until the server answers or
    ``limit`` bytes went out; returns the bytes sent."""
    _send_chunk(s, prefix)
    sent = len(prefix)
    block = b"x" * 65536
    while sent < limit:
        if select.select([s], [], [], 0.005)[0]:
            break
        try:
            _send_chunk(s, block)
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += len(block)
    return sent


def test_anonymous_upload_is_refused_before_a_byte_of_its_body(server):
    cookie, token = _session(server["url"], None)
    s = _connect(
        server["url"],
        "POST",
        "/api/v1/datasets",
        {
            "Cookie": cookie,
            "X-CSRF-Token": token,
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Content-Length": str(300_000_000),
            "Expect": "100-continue",
        },
    )
    with s:
        # nothing of the 300 MB was sent: the answer comes without it, and the server hangs up
        status, headers, body = _read_response(s, timeout=10)
        assert status == 401, body
        assert json.loads(body) == _error(
            401, "unauthorized", "sign in first: this needs the analyst role"
        )
        assert headers.get("connection") == "close"
        assert _closed_by_server(s)
    _no_temp_files(server)
    assert not (server["data_dir"] / "uploads").exists()


def test_upload_over_the_limit_is_413_before_its_body(server):
    cookie, token = _session(server["url"], "alice")
    s = _connect(
        server["url"],
        "POST",
        "/api/v1/datasets",
        {
            "Cookie": cookie,
            "X-CSRF-Token": token,
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Content-Length": str(UPLOAD_LIMIT + 1),
        },
    )
    with s:
        status, headers, body = _read_response(s, timeout=10)
        assert status == 413, body
        assert json.loads(body) == _error(
            413,
            "payload_too_large",
            "request body too large: at most 8 MB for a dataset upload; load larger "
            "files from the command line (`ketenradar data add`)",
        )
        assert headers.get("connection") == "close" and _closed_by_server(s)
    _no_temp_files(server)


def _chunked_upload(server, cookie: str, token: str):
    """A socket with the headers of a chunked multipart upload to /api/v1/datasets sent."""
    return _connect(
        server["url"],
        "POST",
        "/api/v1/datasets",
        {
            "Cookie": cookie,
            "X-CSRF-Token": token,
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Transfer-Encoding": "chunked",
        },
    )


def test_upload_streams_into_the_data_dir_and_the_job_names_no_server_path(server):
    cookie, token = _session(server["url"], "alice")
    name = "BACI_HS92_Y2022_V202401b.csv"
    s = _chunked_upload(server, cookie, token)
    with s:
        _send_chunk(s, _multipart_head("source") + b"baci\r\n" + _multipart_head("files", name))
        _send_chunk(s, b"t,i,j,k,v,q\n" + b"not,a,baci,row,at,all\n" * 150_000)  # 3.3 MB
        uploads = server["data_dir"] / "uploads"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the part is written where it will be read
            open_uploads = [f for f in _open_files(server["pid"]) if f.startswith(str(uploads))]
            if open_uploads and Path(open_uploads[0]).stat().st_size >= 2**20:
                break
            time.sleep(0.05)
        assert [Path(f).name for f in open_uploads] == [name]
        assert Path(open_uploads[0]).stat().st_size >= 2**20  # written while it arrives
        _no_temp_files(server)
        _send_chunk(s, f"\r\n--{BOUNDARY}--\r\n".encode())
        s.sendall(b"0\r\n\r\n")
        status, _, body = _read_response(s, timeout=30)
    assert status == 202, body
    job_id = json.loads(body)["id"]
    with httpx.Client(base_url=server["url"], headers={"Cookie": cookie}) as c:
        deadline = time.monotonic() + 60
        while (job := c.get(f"/api/v1/jobs/{job_id}").json())["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
        assert job["state"] == "failed" and name in job["error"], job
        assert str(server["data_dir"]) not in json.dumps(job) and "/tmp" not in json.dumps(job)
        assert "upload-" not in json.dumps(job)  # names relative to the upload
        # the job is its owner's: anonymous 401, and the cancel of a finished job is 409
        assert httpx.get(f"{server['url']}/api/v1/jobs/{job_id}").status_code == 401
        r = c.post(f"/api/v1/jobs/{job_id}/cancel", headers={"X-CSRF-Token": token})
        assert r.status_code == 409 and "already finished (failed)" in r.json()["detail"]
    assert list(uploads.iterdir()) == []  # the upload folder went with the job


def test_chunked_upload_past_the_limit_is_stopped_with_413(server):
    cookie, token = _session(server["url"], "alice")
    s = _chunked_upload(server, cookie, token)
    with s:
        head = _multipart_head("source") + b"baci\r\n" + _multipart_head("files", "big.csv")
        sent = _stream_until_answered(s, head, 4 * UPLOAD_LIMIT)
        status, headers, body = _read_response(s, timeout=10)
    assert status == 413 and "at most 8 MB for a dataset upload" in json.loads(body)["detail"]
    assert headers.get("connection") == "close"
    assert sent < 2 * UPLOAD_LIMIT  # stopped near the limit, not at the end of the stream
    assert list((server["data_dir"] / "uploads").iterdir()) == []
    _no_temp_files(server)


def test_chunked_bom_over_1mb_is_413(server):
    cookie, token = _session(server["url"], None)  # the BOM exposure is open to anyone
    s = _connect(
        server["url"],
        "POST",
        "/api/v1/bom/exposure",
        {
            "Cookie": cookie,
            "X-CSRF-Token": token,
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Transfer-Encoding": "chunked",
        },
    )
    with s:
        sent = _stream_until_answered(s, _multipart_head("file", "bom.yaml"), 20_000_000)
        status, headers, body = _read_response(s, timeout=10)
    assert status == 413, body
    assert json.loads(body) == _error(
        413, "payload_too_large", "request body too large: at most 1 MB for a BOM upload"
    )
    assert headers.get("connection") == "close" and sent < 10_000_000  # of 20 MB


def test_huge_whatif_is_413_at_once_and_does_not_stall_others(server):
    cookie, token = _session(server["url"], None)
    latencies: list[float] = []
    stop = threading.Event()

    def probe() -> None:  # another client, reading all the while
        with httpx.Client(base_url=server["url"]) as c:
            while not stop.is_set():
                t = time.monotonic()
                assert c.get("/api/v1/health").status_code == 200
                latencies.append(time.monotonic() - t)
                time.sleep(0.02)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        headers = {"Cookie": cookie, "X-CSRF-Token": token, "Content-Type": "application/json"}
        t = time.monotonic()
        s = _connect(
            server["url"],
            "POST",
            "/api/v1/materials/whatif",
            headers | {"Content-Length": str(200_000_000)},
        )
        with s:
            s.sendall(b'{"name": "' + b"x" * 100_000)  # a start; the rest never comes
            status, _, body = _read_response(s, timeout=10)
        assert status == 413 and time.monotonic() - t < 3  # not after 200 MB
        assert json.loads(body) == _error(
            413, "payload_too_large", "request body too large: at most 1 MB for a JSON or form body"
        )
        s = _connect(
            server["url"],
            "POST",
            "/api/v1/materials/whatif",
            headers | {"Transfer-Encoding": "chunked"},
        )
        with s:
            sent = _stream_until_answered(s, b'{"name": "', 50_000_000)
            status, _, body = _read_response(s, timeout=10)
        assert status == 413 and sent < 10_000_000  # of 50 MB
    finally:
        stop.set()
        prober.join()
    assert latencies and max(latencies) < 2.0, max(latencies)


def test_head_is_answered_like_get_without_the_body(server):
    with httpx.Client(base_url=server["url"]) as c:
        for path in ("/api/v1/health", "/en/", "/en/data", "/api/v1/datasets"):
            get, head = c.get(path), c.head(path)
            assert head.status_code == get.status_code == 200, path
            assert (
                head.content == b"" and head.headers["content-type"] == get.headers["content-type"]
            )


# --- in process: every GET answers HEAD; no-store; settings -----------------------------------

PATH_VALUES = {
    "lang": "en",
    "hs6": "260111",
    "iso3": "CHN",
    "material": "tin",
    "name": "naval_aesa_radar",
    "kind": "scenario",
    "item_id": "1",
    "job_id": "0" * 12,
}


def _path_values() -> dict[str, str]:
    """:data:`PATH_VALUES`, the version of the plotly.js served (``/vendor/plotly-{version}
    .min.js``) and for the modules' other path parameters (the download format
    ``{fmt:download}``…) the example values they declare (``Module.examples``)."""
    from ketenradar.core import modules as registry
    from ketenradar.interfaces.web.compression import plotly_version

    examples = {k: v for m in registry.modules() for k, v in m.examples.items()}
    return examples | PATH_VALUES | {"version": plotly_version()}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    application = create_app(settings=WebSettings.from_env(tmp_path_factory.mktemp("inproc")))
    service.create_user(application.state.accounts, "alice", PASSWORD, "analyst")
    return application


def _signed_in(app, username: str | None):

    c = TestClient(app)
    if username:
        r = c.post(
            "/api/v1/login",
            json={"username": username, "password": PASSWORD},
            headers=csrf_headers(c),
        )
        assert r.status_code == 200
    return c


def test_every_get_route_answers_head(app):

    c = _signed_in(app, "alice")
    values = _path_values()
    paths = []
    for rc in iter_route_contexts(app.routes):
        if rc.methods and "GET" in rc.methods:
            # a parameter with its convertor ({fmt:download}) takes the parameter's value
            path = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m[1], m[0]), rc.path)
            assert "{" not in path, path
            paths.append(path)
    assert "/en/data" in paths and "/api/v1/health" in paths and len(paths) > 30
    assert "/api/v1/dependencies.csv" in paths  # the download routes too
    for path in paths:
        get, head = c.get(path, follow_redirects=False), c.head(path, follow_redirects=False)
        assert head.status_code == get.status_code != 405, (path, head.status_code)
        assert head.content == b"", path
        assert head.headers.get("content-type") == get.headers.get("content-type"), path


def test_what_depends_on_the_user_is_never_stored(app):
    anon, alice = _signed_in(app, None), _signed_in(app, "alice")
    for c, path in (
        (anon, "/en/login"),
        (anon, "/nl/account"),  # the redirect to sign in
        (anon, "/api/v1/session"),
        (anon, "/api/v1/saved/scenario"),
        (anon, "/api/v1/jobs/000000000000"),
        (alice, "/en/account"),
        (alice, "/api/v1/session"),
        (alice, "/api/v1/saved/bom"),
        (alice, "/en/"),  # any page to a signed-in user shows who it is
        (alice, "/api/v1/overview"),
    ):
        r = c.get(path, follow_redirects=False)
        assert r.headers.get("cache-control") == "no-store", (path, r.status_code, r.headers)

    r = anon.post(
        "/api/v1/login", json={"username": "x", "password": "y"}, headers=csrf_headers(anon)
    )
    assert r.headers.get("cache-control") == "no-store"
    # what is the same for everyone may be cached
    assert anon.get("/en/").headers.get("cache-control") != "no-store"
    assert alice.get("/static/style.css").headers.get("cache-control") != "no-store"


def test_deleting_a_saved_item_checks_its_kind(app):

    c = _signed_in(app, "alice")
    h = csrf_headers(c)
    r = c.post(
        "/api/v1/saved/scenario", json={"name": "s", "body": "name: s\nchanges: []"}, headers=h
    )
    assert r.status_code == 201, r.text
    item = r.json()["id"]
    r = c.delete(f"/api/v1/saved/bom/{item}", headers=h)
    assert r.status_code == 404 and r.json() == _error(404, "not_found", f"no saved bom {item}")
    assert c.get(f"/api/v1/saved/scenario/{item}").status_code == 200  # still there
    assert c.delete(f"/api/v1/saved/scenario/{item}", headers=h).status_code == 204
    assert c.get(f"/api/v1/saved/scenario/{item}").status_code == 404


def test_role_is_checked_before_the_body_in_process_too(app):
    """A body the route would refuse anyway is not parsed first: a viewer's or an anonymous
    dataset upload gets 401/403 whatever it carries (here: not even valid multipart)."""

    anon = _signed_in(app, None)
    r = anon.post(
        "/api/v1/datasets",
        content=b"garbage" * 1000,
        headers={**csrf_headers(anon), "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Cookie")
    assert r.headers["connection"] == "close"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1000000", 1_000_000), ("1M", 1_000_000), ("4Gi", 4 * 2**30), ("512KiB", 512 * 1024)],
)
def test_size_settings_are_read_from_the_environment(monkeypatch, tmp_path, value, expected):

    for name in ("UPLOAD", "BOM", "JSON"):
        monkeypatch.setenv(f"KETENRADAR_MAX_{name}_BYTES", value)
    s = WebSettings.from_env(tmp_path)
    assert s.max_upload_bytes == s.max_bom_bytes == s.max_json_bytes == expected


def test_a_bad_size_setting_is_refused(monkeypatch, tmp_path):

    monkeypatch.setenv("KETENRADAR_MAX_JSON_BYTES", "lots")
    with pytest.raises(UsageError, match="KETENRADAR_MAX_JSON_BYTES='lots' is not a size"):
        WebSettings.from_env(tmp_path)
