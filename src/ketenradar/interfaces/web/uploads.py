"""A multipart upload streamed straight into files in a folder.

Starlette's form parser spools every uploaded file to a temporary file (in ``$TMPDIR``)
before the route sees it; a dataset upload of gigabytes would first fill ``/tmp`` and then be
copied again. :func:`receive_files` reads the request stream itself and writes each file part
into ``folder`` as it arrives (in 1 MiB writes off the event loop); the request guard
(:mod:`ketenradar.interfaces.web.guard`) has already bounded the body's size. File names are
reduced to a safe base name; ``.``, ``..``, empty names, names longer than 255 bytes and two
files of one name are refused with a :class:`~ketenradar.core.errors.UsageError` naming the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request

from ketenradar.core.errors import UsageError
from ketenradar.core.settings import settings

#: Characters kept in an uploaded file's name (others become ``_``).
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
#: The longest file name most file systems take, in bytes.
MAX_NAME_BYTES = 255
MAX_FIELDS = 20
MAX_FIELD_BYTES = 10_000
WRITE_CHUNK = 1024 * 1024


@dataclass
class Received:
    """What a multipart request carried: its text fields and the files written."""

    fields: dict[str, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def _shown(raw: str) -> str:
    text = "".join(ch for ch in raw if ch.isprintable())
    return text if len(text) <= 60 else text[:60] + "…"


def safe_file_name(raw: str) -> str:
    """The base name of an uploaded file with unsafe characters replaced by ``_``; a name
    that is no file name (empty, ``.``, ``..``) or longer than 255 bytes is refused."""
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = SAFE_NAME.sub("_", base)
    if name in ("", ".", ".."):
        raise UsageError(
            f"'{_shown(raw)}' is not a file name: give each file its own name", file=_shown(raw)
        )
    if len(base.encode("utf-8", "replace")) > MAX_NAME_BYTES:
        raise UsageError(
            f"the file name '{_shown(raw)}' is longer than {MAX_NAME_BYTES} bytes: rename the file",
            file=_shown(raw),
        )
    return name


class _Stream:
    """The state of one multipart request being written out (callbacks of the parser)."""

    def __init__(self, folder: Path, file_field: str) -> None:
        self.folder = folder
        self.file_field = file_field
        self.max_files = settings().max_upload_files
        self.out = Received()
        self.events: list[tuple[str, Any]] = []
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.part: dict[str, Any] = {}
        self.fh: IO[bytes] | None = None
        self.buffer = bytearray()
        self.ended = False

    # parser callbacks (synchronous: they only record; the writing happens in drain())
    def on_part_begin(self) -> None:
        self.disposition = b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name = self.header_value = b""

    def on_headers_finished(self) -> None:
        self.events.append(("part", self.disposition))

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self.events.append(("data", data[start:end]))

    def on_part_end(self) -> None:
        self.events.append(("end", None))

    def on_end(self) -> None:
        self.ended = True

    def callbacks(self) -> dict[str, Any]:
        """The callbacks for :class:`MultipartParser`."""
        names = "part_begin header_field header_value header_end headers_finished part_data"
        return {f"on_{n}": getattr(self, f"on_{n}") for n in (*names.split(), "part_end", "end")}

    async def drain(self) -> None:
        """Act on what the parser found: open, write and close files; collect fields."""
        events, self.events = self.events, []
        for kind, value in events:
            if kind == "part":
                await self._begin(value)
            elif kind == "data":
                await self._data(value)
            else:
                await self._end()

    async def _begin(self, disposition: bytes) -> None:
        _, options = parse_options_header(disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            if name != self.file_field:
                raise UsageError(
                    f"send the files in the form field '{self.file_field}'", field=_shown(name)
                )
            if len(self.out.files) >= self.max_files:
                raise UsageError(
                    f"more than {self.max_files} files in one upload (KETENRADAR_MAX_UPLOAD_FILES)",
                    field=self.file_field,
                )
            fname = safe_file_name(options[b"filename"].decode("utf-8", "replace"))
            path = self.folder / fname
            if path in self.out.files:
                raise UsageError(f"two files named '{fname}' in one upload", file=fname)
            self.fh = await run_in_threadpool(path.open, "xb")
            self.out.files.append(path)
            self.part = {"file": True}
        else:
            if len(self.out.fields) >= MAX_FIELDS:
                raise UsageError(f"more than {MAX_FIELDS} form fields")
            self.part = {"file": False, "name": name, "value": bytearray()}

    async def _data(self, data: bytes) -> None:
        if self.part.get("file"):
            self.buffer += data
            if len(self.buffer) >= WRITE_CHUNK:
                await self._flush()
            return
        value = self.part.get("value")
        if value is None:
            return
        value += data
        if len(value) > MAX_FIELD_BYTES:
            raise UsageError(
                f"the form field '{_shown(self.part['name'])}' is longer than "
                f"{MAX_FIELD_BYTES:,} bytes",
                field=_shown(self.part["name"]),
            )

    async def _flush(self) -> None:
        if self.fh is not None and self.buffer:
            data, self.buffer = bytes(self.buffer), bytearray()
            await run_in_threadpool(self.fh.write, data)

    async def _end(self) -> None:
        if self.part.get("file"):
            await self._flush()
            if self.fh is not None:
                await run_in_threadpool(self.fh.close)
                self.fh = None
        elif "value" in self.part:
            try:
                self.out.fields[self.part["name"]] = self.part["value"].decode("utf-8")
            except UnicodeDecodeError:
                raise UsageError(
                    f"the form field '{_shown(self.part['name'])}' is not UTF-8 text",
                    field=_shown(self.part["name"]),
                ) from None
        self.part = {}

    def close(self) -> None:
        """Close a file left open by a failed request."""
        if self.fh is not None:
            self.fh.close()
            self.fh = None


async def receive_files(request: Request, folder: Path, file_field: str = "files") -> Received:
    """Stream the multipart body of ``request`` into ``folder``: each part of ``file_field``
    becomes a file there (name made safe), the other parts are text fields.

    Raises :class:`UsageError` for a body that is not multipart or not well-formed, a bad
    or repeated file name, too many files or fields, or an interrupted upload. The caller
    removes ``folder`` when anything fails."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or not params.get(b"boundary"):
        raise UsageError(
            f"send the files as multipart/form-data (the files in the field '{file_field}')"
        )
    stream = _Stream(folder, file_field)
    parser = MultipartParser(params[b"boundary"], stream.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            await stream.drain()
        parser.finalize()
        await stream.drain()
    except FormParserError as exc:
        raise UsageError(f"the upload is not well-formed multipart/form-data: {exc}") from None
    except ClientDisconnect:
        raise UsageError("the upload was interrupted (the client went away)") from None
    finally:
        stream.close()
    if not stream.ended or stream.part:
        raise UsageError("the upload ended before its closing boundary (an incomplete upload)")
    return stream.out
