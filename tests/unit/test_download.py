"""The resumable downloader against a real HTTP server on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import pytest
from fixtures_http import LocalHttpServer

from ketenradar.core.errors import DownloadError
from ketenradar.sources.download import DownloadResult, download, sha256_file

SIZE = 3 * 1024 * 1024 + 12_345  # a few MB, not a multiple of the chunk size
CHUNK = 64 * 1024


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _part(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part")


def _resume_offset(srv: LocalHttpServer, i: int = 1) -> int:
    """The start of the Range header of request ``i``."""
    rng = srv.requests[i].headers["Range"]
    assert rng.startswith("bytes=") and rng.endswith("-")
    return int(rng[len("bytes=") : -1])


@pytest.fixture
def served(http_server: LocalHttpServer) -> tuple[LocalHttpServer, bytes]:
    """The server with one random file ``f.bin`` of SIZE bytes."""
    return http_server, http_server.add_random("f.bin", SIZE)


def test_full_download_and_sha256(served, tmp_path: Path) -> None:
    srv, data = served
    dest = tmp_path / "out" / "f.bin"  # folder is created
    res = download(srv.url("f.bin"), dest, expected_sha256=_sha(data), chunk_size=CHUNK)
    assert isinstance(res, DownloadResult)
    assert res == DownloadResult(dest, SIZE, _sha(data), resumed=False, reused=False)
    assert dest.read_bytes() == data
    assert not _part(dest).exists()
    assert sha256_file(dest) == _sha(data) == sha256_file(dest, chunk_size=1000)
    assert srv.request_count == 1
    assert "Range" not in srv.requests[0].headers


def test_resume_after_cut_connection(served, tmp_path: Path) -> None:
    srv, data = served
    srv.cut_after = 1_000_000
    dest = tmp_path / "f.bin"
    res = download(srv.url("f.bin"), dest, chunk_size=CHUNK, expected_size=SIZE)
    assert res.resumed and not res.reused
    assert dest.read_bytes() == data
    assert res.sha256 == _sha(data)
    assert srv.request_count == 2
    # Resumes from what was written: whole chunks received before the cut.
    offset = _resume_offset(srv)
    assert 0 < offset <= 1_000_000
    assert offset % CHUNK == 0
    assert not _part(dest).exists()


def test_resume_existing_part_from_earlier_run(served, tmp_path: Path) -> None:
    srv, data = served
    dest = tmp_path / "f.bin"
    _part(dest).write_bytes(data[:2_000_000])
    seen: list[tuple[int, int | None]] = []
    res = download(
        srv.url("f.bin"),
        dest,
        expected_sha256=_sha(data),
        progress=lambda _stage, d, t: seen.append((d, t)),
        chunk_size=CHUNK,
    )
    assert res.resumed
    assert dest.read_bytes() == data
    assert srv.request_count == 1
    assert srv.requests[0].headers["Range"] == "bytes=2000000-"
    assert seen[0] == (2_000_000, SIZE)  # already-present bytes count as done
    assert seen[-1] == (SIZE, SIZE)


def test_server_without_range_support_restarts(served, tmp_path: Path) -> None:
    srv, data = served
    srv.range_support = False
    dest = tmp_path / "f.bin"
    _part(dest).write_bytes(b"garbage that must not survive" * 1000)
    res = download(srv.url("f.bin"), dest, expected_sha256=_sha(data), chunk_size=CHUNK)
    assert not res.resumed
    assert dest.read_bytes() == data
    assert srv.request_count == 1
    assert srv.requests[0].headers["Range"].startswith("bytes=")  # asked, was ignored


def test_cut_without_range_support_restarts_from_zero(served, tmp_path: Path) -> None:
    srv, data = served
    srv.range_support = False
    srv.cut_after = 1_500_000
    dest = tmp_path / "f.bin"
    res = download(srv.url("f.bin"), dest, chunk_size=CHUNK)
    assert not res.resumed
    assert dest.read_bytes() == data
    assert srv.request_count == 2


def test_complete_part_answered_416_is_verified(served, tmp_path: Path) -> None:
    srv, data = served
    dest = tmp_path / "f.bin"
    _part(dest).write_bytes(data)
    res = download(srv.url("f.bin"), dest, expected_sha256=_sha(data))
    assert res.resumed and res.sha256 == _sha(data)
    assert dest.read_bytes() == data
    assert srv.request_count == 1  # the 416 only


def test_part_longer_than_file_restarts(served, tmp_path: Path) -> None:
    srv, data = served
    dest = tmp_path / "f.bin"
    _part(dest).write_bytes(data + b"extra")
    res = download(srv.url("f.bin"), dest, chunk_size=CHUNK)
    assert not res.resumed
    assert dest.read_bytes() == data
    assert srv.request_count == 2  # 416, then the whole file


def test_reuse_complete_file_without_request(served, tmp_path: Path) -> None:
    srv, data = served
    dest = tmp_path / "f.bin"
    download(srv.url("f.bin"), dest)
    assert srv.request_count == 1
    seen: list[tuple[int, int | None]] = []
    res = download(
        srv.url("f.bin"),
        dest,
        expected_sha256=_sha(data).upper(),
        expected_size=SIZE,
        progress=lambda _stage, d, t: seen.append((d, t)),
    )
    assert res.reused and not res.resumed
    assert res.sha256 == _sha(data) and res.size == SIZE
    assert srv.request_count == 1  # no second request
    assert seen == [(SIZE, SIZE)]


def test_existing_dest_that_does_not_verify_is_downloaded_again(served, tmp_path: Path) -> None:
    srv, data = served
    dest = tmp_path / "f.bin"
    dest.write_bytes(b"an older, different file")
    res = download(srv.url("f.bin"), dest, expected_sha256=_sha(data))
    assert not res.reused
    assert dest.read_bytes() == data
    assert srv.request_count == 1


def test_404_fails_at_once(http_server: LocalHttpServer, tmp_path: Path) -> None:
    url = http_server.url("missing.zip")
    with pytest.raises(DownloadError, match="HTTP 404") as exc:
        download(url, tmp_path / "missing.zip")
    assert url in str(exc.value)
    assert exc.value.exit_code == 5
    assert http_server.request_count == 1  # not retried
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("status", [403, 404, 410])
def test_client_error_status_fails_at_once(served, tmp_path: Path, status: int) -> None:
    srv, _ = served
    srv.force_status = status
    with pytest.raises(DownloadError, match=f"HTTP {status}"):
        download(srv.url("f.bin"), tmp_path / "f.bin")
    assert srv.request_count == 1


def test_server_error_is_retried_then_fails(served, tmp_path: Path) -> None:
    srv, _ = served
    srv.force_status = 503
    with pytest.raises(DownloadError, match=r"after 2 retries: HTTP 503"):
        download(srv.url("f.bin"), tmp_path / "f.bin", retries=2)
    assert srv.request_count == 3


def test_wrong_sha256_deletes_everything(served, tmp_path: Path) -> None:
    srv, data = served
    dest = tmp_path / "f.bin"
    wrong = "0" * 64
    with pytest.raises(DownloadError, match="checksum mismatch") as exc:
        download(srv.url("f.bin"), dest, expected_sha256=wrong)
    msg = str(exc.value)
    assert wrong in msg and _sha(data) in msg  # expected vs actual
    assert not dest.exists()
    assert not _part(dest).exists()


def test_wrong_expected_size_fails(served, tmp_path: Path) -> None:
    srv, _ = served
    dest = tmp_path / "f.bin"
    with pytest.raises(DownloadError, match="size mismatch") as exc:
        download(srv.url("f.bin"), dest, expected_size=SIZE + 1)
    assert f"{SIZE + 1:,}" in str(exc.value) and f"{SIZE:,}" in str(exc.value)
    assert not dest.exists()
    assert not _part(dest).exists()


def test_wrong_expected_size_without_content_length(served, tmp_path: Path) -> None:
    srv, _ = served
    srv.send_length = False
    dest = tmp_path / "f.bin"
    with pytest.raises(DownloadError, match="size mismatch"):
        download(srv.url("f.bin"), dest, expected_size=SIZE - 1)
    assert not dest.exists()
    assert not _part(dest).exists()


def test_progress_is_monotonic_and_ends_at_total(served, tmp_path: Path) -> None:
    srv, _ = served
    seen: list[tuple[int, int | None]] = []
    download(
        srv.url("f.bin"),
        tmp_path / "f.bin",
        progress=lambda _stage, d, t: seen.append((d, t)),
        chunk_size=CHUNK,
    )
    done = [d for d, _ in seen]
    assert len(seen) > 10
    assert all(t == SIZE for _, t in seen)
    assert done == sorted(done)
    assert done[-1] == SIZE


def test_progress_across_a_resume(served, tmp_path: Path) -> None:
    srv, _ = served
    srv.cut_after = 700_000
    seen: list[tuple[int, int | None]] = []
    res = download(
        srv.url("f.bin"),
        tmp_path / "f.bin",
        progress=lambda _stage, d, t: seen.append((d, t)),
        chunk_size=CHUNK,
    )
    assert res.resumed
    done = [d for d, _ in seen]
    assert done == sorted(done)
    assert done[-1] == SIZE
    # the resumed request starts by reporting the bytes already there
    offset = _resume_offset(srv)
    assert 0 < offset <= 700_000
    assert done.count(offset) == 2  # last chunk before the cut, first report after it


def test_unknown_length_reports_none_total(served, tmp_path: Path) -> None:
    srv, data = served
    srv.send_length = False
    seen: list[tuple[int, int | None]] = []
    res = download(
        srv.url("f.bin"), tmp_path / "f.bin", progress=lambda _s, d, t: seen.append((d, t))
    )
    assert res.sha256 == _sha(data)
    assert {t for _, t in seen} == {None}
    assert seen[-1][0] == SIZE


def test_read_timeout_is_retried_and_resumed(served, tmp_path: Path) -> None:
    srv, data = served
    srv.stall_after = 500_000
    dest = tmp_path / "f.bin"
    res = download(srv.url("f.bin"), dest, timeout=0.5, chunk_size=CHUNK)
    assert res.resumed
    assert dest.read_bytes() == data
    assert srv.request_count == 2
    assert 0 < _resume_offset(srv) <= 500_000


def test_connection_refused_gives_up_after_retries(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/f.bin"
    with pytest.raises(DownloadError, match=r"after 1 retry") as exc:
        download(url, tmp_path / "f.bin", retries=1, timeout=2)
    assert url in str(exc.value)
    assert not (tmp_path / "f.bin").exists()


def test_invalid_url_is_a_download_error(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="not-a-url"):
        download("not-a-url", tmp_path / "f.bin")
