"""One exception root for the whole project.

Every error a user can cause derives from :class:`KetenradarError`. Each class carries a stable,
machine-readable :attr:`~KetenradarError.code` (an :class:`ErrorCode`), the exit code the CLI
returns and the HTTP status the web app answers with, so that one handler per interface renders
them all the same way (the web's is :mod:`ketenradar.interfaces.web.errors`). A raiser that knows
where the problem sits passes it as fields (``field``, ``file``, ``line``, ``column``, ``node``):
the message names them too, and the web's error answer carries them as structured fields.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any


class ErrorCode(StrEnum):
    """The stable codes of error answers: what a client may branch on (the message is for
    people and may change)."""

    ERROR = "error"  #: a project error of no more specific kind
    USAGE = "usage"  #: a parameter or option is invalid
    INVALID_DATA = "invalid_data"  #: an input (file, document, body) is malformed
    NOT_FOUND = "not_found"  #: a named thing does not exist (or the URL names no route)
    MISSING_DATA = "missing_data"  #: needs a dataset that is not loaded (says how to load it)
    DOWNLOAD_FAILED = "download_failed"  #: a download failed or did not verify
    UNAUTHORIZED = "unauthorized"  #: sign in first, or wrong user name or password
    FORBIDDEN = "forbidden"  #: signed in, but the role does not allow it
    CSRF_FAILED = "csrf_failed"  #: a state-changing request without the matching CSRF token
    RATE_LIMITED = "rate_limited"  #: too many tries: wait ``Retry-After`` seconds
    BUSY = "busy"  #: too many computations at once: wait ``Retry-After`` seconds
    CONFLICT = "conflict"  #: another run changed the same thing, or the state does not allow it
    CANCELLED = "cancelled"  #: the job was cancelled
    PAYLOAD_TOO_LARGE = "payload_too_large"  #: a request body or file over its limit
    VALIDATION = "validation"  #: a parameter out of range or of the wrong type (the schema's)
    BAD_REQUEST = "bad_request"  #: a request the HTTP layer could not read
    METHOD_NOT_ALLOWED = "method_not_allowed"  #: the URL exists, the method does not
    INTERNAL = "internal"  #: a bug: the server could not answer (logged)


#: Where an error sits, as the keyword arguments every project error takes.
LOCATION_FIELDS = ("field", "file", "line", "column", "node")


class KetenradarError(Exception):
    """Root of all errors a user can cause.

    ``code`` is the stable machine-readable kind, ``exit_code`` what the CLI returns,
    ``http_status`` what the web app answers with. ``field`` (a parameter, form field or
    column), ``file`` (a file name as the user gave it), ``line``, ``column`` and ``node`` (the
    path to the offending node of a document, e.g. ``toy > board > materials[0]`` or
    ``changes[0].wgi``) say where the problem is when the raiser knows.
    """

    code: ErrorCode = ErrorCode.ERROR
    exit_code: int = 1
    http_status: int = 400

    def __init__(
        self,
        message: str = "",
        *,
        field: str | None = None,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        node: str | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.node = node

    @property
    def where(self) -> dict[str, Any]:
        """The location fields (``None`` where not known)."""
        return {k: getattr(self, k, None) for k in LOCATION_FIELDS}


class UsageError(KetenradarError):
    """A parameter or option is invalid (unknown country, year not loaded, ...)."""

    code = ErrorCode.USAGE
    exit_code = 2


class NotFoundError(KetenradarError):
    """A named thing (dataset, country group, year) does not exist."""

    code = ErrorCode.NOT_FOUND
    exit_code = 3
    http_status = 404


class MissingDataError(NotFoundError):
    """The computation needs a dataset that is neither in the starter pack nor loaded (409);
    the message names the command that loads it."""

    code = ErrorCode.MISSING_DATA
    http_status = 409


class DataError(KetenradarError):
    """An input file or document is malformed (422). Names the file, line, column, field and
    the path to the bad node when known; ``reason`` is the message without them."""

    code = ErrorCode.INVALID_DATA
    exit_code = 4
    http_status = 422

    def __init__(
        self,
        reason: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        node: str | None = None,
    ) -> None:
        self.reason = reason
        super().__init__("", field=field, file=file, line=line, column=column, node=node)
        self.args = (self._message(),)

    def _message(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        reason = f"{self.node}: {self.reason}" if self.node else self.reason
        return f"{prefix}: {reason}" if prefix else reason


class DownloadError(KetenradarError):
    """A download failed or its result did not verify (size, checksum, zip integrity): the
    server upstream failed us (502)."""

    code = ErrorCode.DOWNLOAD_FAILED
    exit_code = 5
    http_status = 502


class AuthError(KetenradarError):
    """Sign in first, or wrong user name or password (401)."""

    code = ErrorCode.UNAUTHORIZED
    http_status = 401
    exit_code = 2


class ForbiddenError(KetenradarError):
    """Signed in, but the role does not allow this (403)."""

    code = ErrorCode.FORBIDDEN
    http_status = 403
    exit_code = 2


class RateLimitedError(KetenradarError):
    """Too many failed sign-ins (429); ``retry_after`` seconds until the next try."""

    code = ErrorCode.RATE_LIMITED
    http_status = 429
    exit_code = 2

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ConflictError(KetenradarError):
    """Another run changed the same thing at the same time, or the thing is in a state that
    does not allow the change (409); nothing was written."""

    code = ErrorCode.CONFLICT
    http_status = 409
    exit_code = 6


class PayloadTooLargeError(KetenradarError):
    """A request body or an uploaded file is over its limit (413); the message names it."""

    code = ErrorCode.PAYLOAD_TOO_LARGE
    http_status = 413
    exit_code = 2
