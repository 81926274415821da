"""One exception root for the whole project.

Every error a user can cause derives from :class:`KetenradarError`. Each carries the exit code
the CLI uses (and, later, the HTTP status the web API uses), so that one handler renders them
all the same way.
"""

from __future__ import annotations

from pathlib import Path


class KetenradarError(Exception):
    """Root of all errors a user can cause; ``exit_code`` is what the CLI returns."""

    exit_code: int = 1
    http_status: int = 400


class UsageError(KetenradarError):
    """A parameter or option is invalid (unknown country, year not loaded, ...)."""

    exit_code = 2


class NotFoundError(KetenradarError):
    """A named thing (dataset, country group, year) does not exist."""

    exit_code = 3
    http_status = 404


class DataError(KetenradarError):
    """An input file is malformed. Names the file, line and field when known."""

    exit_code = 4
    http_status = 422

    def __init__(
        self,
        reason: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.reason = reason
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.reason}" if prefix else self.reason


class DownloadError(KetenradarError):
    """A download failed or its result did not verify (size, checksum, zip integrity)."""

    exit_code = 5
    http_status = 502


class AuthError(KetenradarError):
    """Wrong user name or password (401)."""

    http_status = 401
    exit_code = 2


class ForbiddenError(KetenradarError):
    """Signed in, but the role does not allow this (403)."""

    http_status = 403
    exit_code = 2


class RateLimitedError(KetenradarError):
    """Too many failed sign-ins (429); ``retry_after`` seconds until the next try."""

    http_status = 429
    exit_code = 2

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ConflictError(KetenradarError):
    """Another run changed the same thing at the same time (409); nothing was written."""

    http_status = 409
    exit_code = 6
