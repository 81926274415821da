"""Resumable, verified HTTP downloads for the connectors.

:func:`download` streams a URL into ``<dest>.part``, resumes an interrupted transfer with an
HTTP ``Range`` request, retries transient network errors, verifies the size and (optionally)
the sha256 of the result and only then renames it atomically to ``dest``. So ``dest`` either
does not exist or is complete and verified; a half-finished transfer lives only in the
``.part`` file next to it, which the next call continues.

This module does no rendering: the caller passes a ``progress(stage, done, total)`` callback
(:mod:`ketenradar.core.progress`; the CLI wraps it in a Rich progress bar). Every failure raises
:class:`~ketenradar.core.errors.DownloadError`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from ketenradar.core.errors import DownloadError
from ketenradar.core.progress import Progress

#: progress(bytes done so far, total bytes or None when the server does not say)

#: HTTP statuses worth retrying (the server or a proxy is temporarily unable to answer).
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

#: Errors from ``requests`` that mean the network, not the request, failed.
_TRANSIENT_ERRORS = (
    requests.exceptions.ConnectionError,  # refused, reset, DNS, read timeout mid-stream
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,  # connection cut mid-body (incomplete read)
)

_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)
_UNSATISFIED_RANGE = re.compile(r"^\s*bytes\s+\*/(\d+)\s*$", re.IGNORECASE)

#: Seconds to wait before retry n is ``min(_BACKOFF_BASE * 2 ** (n - 1), _BACKOFF_MAX)``.
_BACKOFF_BASE = 0.25
_BACKOFF_MAX = 8.0

#: How often one call may throw its partial file away and start again before giving up.
_MAX_RESTARTS = 3


@dataclass(frozen=True)
class DownloadResult:
    """The outcome of :func:`download`.

    Attributes
    ----------
    path : Path
        The downloaded, verified file (``dest``).
    size : int
        Its size in bytes.
    sha256 : str
        Its sha256, lowercase hex.
    resumed : bool
        True when an existing partial file (from this or an earlier call) was continued.
    reused : bool
        True when ``dest`` was already there and verified, so nothing was transferred.
    """

    path: Path
    size: int
    sha256: str
    resumed: bool
    reused: bool


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    """Return the sha256 of a file, read in chunks.

    Parameters
    ----------
    path : Path
        The file to hash.
    chunk_size : int
        Bytes read at a time.

    Returns
    -------
    str
        Lowercase hex digest.
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            h.update(chunk)
    return h.hexdigest()


class _TransientError(Exception):
    """Internal: an attempt failed in a way worth retrying."""


class _RestartError(Exception):
    """Internal: the partial file cannot be continued; start again from byte zero."""


def download(
    url: str,
    dest: Path,
    *,
    expected_sha256: str | None = None,
    expected_size: int | None = None,
    progress: Progress | None = None,
    chunk_size: int = 1 << 20,
    timeout: float = 60.0,
    retries: int = 3,
) -> DownloadResult:
    """Download ``url`` to ``dest``, resuming a partial download and verifying the result.

    Parameters
    ----------
    url : str
        HTTP(S) address of the file.
    dest : Path
        Final location. The transfer goes to ``dest.name + ".part"`` in the same folder and is
        renamed to ``dest`` only after it verifies. Its folder is created when missing. When
        ``dest`` already exists and matches ``expected_size``/``expected_sha256`` (those given)
        it is returned as is, without any request; when it does not match, it is deleted and
        downloaded again.
    expected_sha256 : str, optional
        Hex sha256 the file must have (case-insensitive).
    expected_size : int, optional
        Size in bytes the file must have.
    progress : callable, optional
        ``progress(stage, done_bytes, total_bytes_or_None)``, called as bytes arrive; ``done``
        includes bytes already present when resuming.
    chunk_size : int
        Bytes read from the network and written at a time.
    timeout : float
        Seconds to wait for the connection and between received bytes.
    retries : int
        How many times a transient failure (connection refused/reset, timeout, incomplete
        body, HTTP 408/429/5xx) is retried. The count restarts whenever an attempt made
        progress, so a long transfer over a flaky line can be resumed more than ``retries``
        times in total, but never loops without progress.

    Returns
    -------
    DownloadResult
        Path, size, sha256 and whether the download was resumed or the file reused.

    Raises
    ------
    DownloadError
        On an HTTP error status (404, 403, ...), on running out of retries, on a file that
        does not verify (size or checksum; the bad file is deleted) or on a local I/O error.
    """
    dest = Path(dest)
    part = dest.with_name(dest.name + ".part")
    want_sha = expected_sha256.strip().lower() if expected_sha256 else None
    if chunk_size <= 0:
        raise DownloadError(f"chunk_size must be positive, not {chunk_size}")
    if retries < 0:
        raise DownloadError(f"retries must be zero or more, not {retries}")

    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create download folder {dest.parent}: {exc}") from exc

    reused = _try_reuse(dest, want_sha, expected_size, chunk_size, progress)
    if reused is not None:
        return reused

    job = _Job(
        url=url,
        part=part,
        want_sha=want_sha,
        expected_size=expected_size,
        progress=progress,
        chunk_size=chunk_size,
        timeout=timeout,
    )
    failures = restarts = 0
    with requests.Session() as session:
        session.headers["User-Agent"] = "ketenradar-downloader"
        # Ranges and sizes refer to the bytes on the wire: ask for them unencoded.
        session.headers["Accept-Encoding"] = "identity"
        while True:
            before = job.bytes_received
            try:
                job.attempt(session)
                break
            except _RestartError as exc:
                job.discard_part()
                restarts += 1
                if restarts > _MAX_RESTARTS:
                    raise DownloadError(
                        f"download of {url} failed: had to start over {restarts} times "
                        f"(last reason: {exc}); the file keeps changing on the server?"
                    ) from exc
                continue
            except _TransientError as exc:
                if job.bytes_received > before:
                    failures = 0  # this attempt made progress: do not count it against us
                failures += 1
                if failures > retries:
                    kept = job.part_size()
                    hint = (
                        f" ({_size_str(kept)} kept in {part}; run again to resume)" if kept else ""
                    )
                    raise DownloadError(
                        f"download of {url} failed after {retries} "
                        f"{'retry' if retries == 1 else 'retries'}: {exc}{hint}"
                    ) from exc
                time.sleep(min(_BACKOFF_BASE * 2 ** (failures - 1), _BACKOFF_MAX))

    digest = job.finish_and_verify()
    try:
        os.replace(part, dest)
    except OSError as exc:
        raise DownloadError(f"cannot move {part} to {dest}: {exc}") from exc
    return DownloadResult(
        path=dest, size=dest.stat().st_size, sha256=digest, resumed=job.resumed, reused=False
    )


def _size_str(n: int) -> str:
    return f"{n:,} bytes"


def _try_reuse(
    dest: Path,
    want_sha: str | None,
    expected_size: int | None,
    chunk_size: int,
    progress: Progress | None,
) -> DownloadResult | None:
    """The result for an existing, verifying ``dest``; None (after removing it) otherwise.

    ``dest`` is only ever written by an atomic rename of a verified file, so without
    expectations an existing one is taken as complete (no request to the server is made).
    """
    if not dest.is_file():
        return None
    try:
        size = dest.stat().st_size
        if expected_size is not None and size != expected_size:
            dest.unlink()
            return None
        digest = sha256_file(dest, chunk_size)
        if want_sha is not None and digest != want_sha:
            dest.unlink()
            return None
    except OSError as exc:
        raise DownloadError(f"cannot check existing download {dest}: {exc}") from exc
    if progress is not None:
        progress(f"download {dest.name}", size, size)
    return DownloadResult(path=dest, size=size, sha256=digest, resumed=False, reused=True)


class _Job:
    """State of one download across attempts: the partial file, its running hash, the total."""

    def __init__(
        self,
        *,
        url: str,
        part: Path,
        want_sha: str | None,
        expected_size: int | None,
        progress: Progress | None,
        chunk_size: int,
        timeout: float,
    ) -> None:
        self.url = url
        self.part = part
        self.want_sha = want_sha
        self.expected_size = expected_size
        self.progress = progress
        self.chunk_size = chunk_size
        self.timeout = timeout
        self.total: int | None = None  # size announced by the server
        self.resumed = False
        self.bytes_received = 0  # over the network, all attempts
        self._hash: hashlib._Hash | None = None  # sha256 of the first _hashed bytes of part
        self._hashed = 0

    # -- the partial file ------------------------------------------------------------------
    def part_size(self) -> int:
        try:
            return self.part.stat().st_size
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise DownloadError(f"cannot read partial download {self.part}: {exc}") from exc

    def discard_part(self) -> None:
        try:
            self.part.unlink(missing_ok=True)
        except OSError as exc:
            raise DownloadError(f"cannot delete partial download {self.part}: {exc}") from exc
        self._hash, self._hashed = None, 0
        self.resumed = False

    def _hash_upto(self, offset: int) -> None:
        """Make the running hash cover exactly the first ``offset`` bytes of the part."""
        if self._hash is not None and self._hashed == offset:
            return
        h = hashlib.sha256()
        try:
            with open(self.part, "rb") as fh:
                left = offset
                while left > 0 and (chunk := fh.read(min(self.chunk_size, left))):
                    h.update(chunk)
                    left -= len(chunk)
        except OSError as exc:
            raise DownloadError(f"cannot read partial download {self.part}: {exc}") from exc
        self._hash, self._hashed = h, offset

    def _report(self, done: int) -> None:
        if self.progress is not None:
            self.progress(f"download {self.part.name.removesuffix('.part')}", done, self.total)

    def _set_total(self, total: int | None) -> None:
        if total is None:
            return
        if self.total is not None and total != self.total:
            # The file changed on the server between attempts: what we have is useless.
            old, self.total = self.total, total
            raise _RestartError(f"the file size changed from {old:,} to {total:,} bytes")
        self.total = total
        if self.expected_size is not None and total != self.expected_size:
            self.discard_part()
            raise DownloadError(
                f"size mismatch for {self.url}: expected {_size_str(self.expected_size)}, "
                f"the server announces {_size_str(total)}"
            )

    # -- one HTTP request ------------------------------------------------------------------
    def attempt(self, session: requests.Session) -> None:
        """One request: continue or (re)start the part. Raises _TransientError / _RestartError."""
        offset = self.part_size()
        headers = {"Range": f"bytes={offset}-"} if offset > 0 else {}
        try:
            with session.get(self.url, headers=headers, stream=True, timeout=self.timeout) as resp:
                self._handle(resp, offset)
        except requests.exceptions.SSLError as exc:
            raise DownloadError(f"cannot download {self.url}: TLS error: {exc}") from exc
        except _TRANSIENT_ERRORS as exc:
            raise _TransientError(f"{type(exc).__name__}: {exc}") from exc
        except requests.exceptions.RequestException as exc:
            raise DownloadError(f"cannot download {self.url}: {exc}") from exc

    def _handle(self, resp: requests.Response, offset: int) -> None:
        status = resp.status_code
        if status == 416 and offset > 0:
            m = _UNSATISFIED_RANGE.match(resp.headers.get("Content-Range", ""))
            self._check_part_complete(offset, int(m.group(1)) if m else None)
            return
        if status in TRANSIENT_STATUSES:
            raise _TransientError(f"HTTP {status} {resp.reason}")
        if status == 206 and offset > 0:
            m = _CONTENT_RANGE.match(resp.headers.get("Content-Range", ""))
            if m is None or int(m.group(1)) != offset:
                # A range we did not ask for (or cannot read): start over without Range.
                raise _RestartError(
                    f"unexpected Content-Range {resp.headers.get('Content-Range')!r}"
                )
            self._set_total(None if m.group(3) == "*" else int(m.group(3)))
            self._hash_upto(offset)
            self.resumed = True
            self._stream(resp, offset, "ab")
            return
        if status == 200:
            # Full body: either a fresh download or a server that ignores Range.
            self.resumed = False
            self._set_total(_content_length(resp))
            self._hash, self._hashed = hashlib.sha256(), 0
            self._stream(resp, 0, "wb")
            return
        raise DownloadError(f"download of {self.url} failed: HTTP {status} {resp.reason}".rstrip())

    def _check_part_complete(self, offset: int, total: int | None) -> None:
        """416 on a Range request: the part may already hold the whole file."""
        if total is not None:
            if offset == total:
                self._set_total(total)
                self._hash_upto(offset)
                self.resumed = True
                self._report(offset)
                return
            raise _RestartError(
                f"HTTP 416: partial file of {offset:,} bytes does not fit a file of {total:,}"
            )
        # No size from the server: accept the part only if it meets the caller's expectations.
        why = "HTTP 416 for a partial file that cannot be verified"
        if self.expected_size is None and self.want_sha is None:
            raise _RestartError(why)
        if self.expected_size is not None and offset != self.expected_size:
            raise _RestartError(why)
        self._hash_upto(offset)
        assert self._hash is not None
        if self.want_sha is not None and self._hash.hexdigest() != self.want_sha:
            raise _RestartError(why)
        self.resumed = True
        self._report(offset)

    def _stream(self, resp: requests.Response, offset: int, mode: str) -> None:
        assert self._hash is not None
        done = offset
        self._report(done)
        try:
            with open(self.part, mode) as fh:
                for chunk in resp.iter_content(chunk_size=self.chunk_size):
                    if not chunk:
                        continue
                    fh.write(chunk)
                    self._hash.update(chunk)
                    self._hashed += len(chunk)
                    self.bytes_received += len(chunk)
                    done += len(chunk)
                    self._report(done)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            if isinstance(exc, requests.exceptions.RequestException):
                raise  # network errors are handled by attempt()
            raise DownloadError(f"cannot write {self.part}: {exc}") from exc
        if self.total is not None and done < self.total:
            raise _TransientError(
                f"connection closed after {_size_str(done)} of {_size_str(self.total)}"
            )

    # -- verification ----------------------------------------------------------------------
    def finish_and_verify(self) -> str:
        """Check size and checksum of the finished part; delete it and raise when bad."""
        size = self.part_size()
        if self._hash is None or self._hashed != size:
            self._hash_upto(size)
        assert self._hash is not None
        digest = self._hash.hexdigest()
        if self.total is not None and size != self.total:
            self.discard_part()
            raise DownloadError(
                f"size mismatch for {self.url}: the server announced {_size_str(self.total)}, "
                f"received {_size_str(size)}; the partial file was deleted"
            )
        if self.expected_size is not None and size != self.expected_size:
            self.discard_part()
            raise DownloadError(
                f"size mismatch for {self.url}: expected {_size_str(self.expected_size)}, "
                f"received {_size_str(size)}; the file was deleted"
            )
        if self.want_sha is not None and digest != self.want_sha:
            self.discard_part()
            raise DownloadError(
                f"checksum mismatch for {self.url}: expected sha256 {self.want_sha}, "
                f"got {digest}; the file was deleted"
            )
        return digest


def _content_length(resp: requests.Response) -> int | None:
    """The body size from Content-Length, or None when absent or not the raw byte count."""
    encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        return None
    value = resp.headers.get("Content-Length")
    if value is None:
        return None
    with contextlib.suppress(ValueError):
        n = int(value)
        if n >= 0:
            return n
    return None
