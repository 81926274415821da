"""Guards for the compressed containers the connectors read: zip archives (BACI release zips,
Excel workbooks, numpy ``.npz`` files) and compressed R data files.

A small file can expand to gigabytes (a "zip bomb"; in a workbook also a sheet whose cells
claim coordinates far apart). Before a container is handed to ``zipfile``, openpyxl, numpy or
rdata its directory is checked against the limits below, so a hostile file is refused in
milliseconds with a :class:`~ketenradar.core.errors.DataError` naming the file and the member.
The limits are settings read at each use (:mod:`ketenradar.core.settings`, a bad value is a
usage error): ``KETENRADAR_ZIP_MAX_TOTAL_BYTES`` (bytes a zip may expand to, all members read
together, default 20 GiB; also bounds a compressed R data file), ``KETENRADAR_ZIP_MAX_RATIO``
(expansion ratio allowed for a member larger than 8 MiB and for the archive as a whole,
default 200), ``KETENRADAR_ZIP_MAX_MEMBERS`` (entries, default 10000) and
``KETENRADAR_XLSX_MAX_CELLS`` (cells read from one workbook, all sheets together, empty cells
included, default 20 million).

Only stored and deflate-compressed zip members are accepted (all that Excel, numpy and
CEPII write): Python's ``zipfile`` stops a deflate member at its declared size, but inflates
a whole read buffer of a bzip2 or LZMA member at once, so a member lying about its size
could fill the memory before any check.
"""

from __future__ import annotations

import bz2
import lzma
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ketenradar.core.errors import DataError
from ketenradar.core.settings import settings

ZIP_MAX_TOTAL_ENV = "KETENRADAR_ZIP_MAX_TOTAL_BYTES"
ZIP_MAX_RATIO_ENV = "KETENRADAR_ZIP_MAX_RATIO"
ZIP_MAX_MEMBERS_ENV = "KETENRADAR_ZIP_MAX_MEMBERS"
XLSX_MAX_CELLS_ENV = "KETENRADAR_XLSX_MAX_CELLS"
#: Zip members (and archives) below this size are not held to the ratio limit.
ZIP_RATIO_FLOOR = 8 << 20
_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
_METHOD_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA", 9: "deflate64"}


@dataclass(frozen=True)
class ZipLimits:
    """What one zip may expand to (see the module docstring for the variables)."""

    max_total_bytes: int
    max_ratio: float
    max_members: int

    @classmethod
    def from_env(cls) -> ZipLimits:
        """The limits from the settings (the environment), with their defaults."""
        s = settings()
        return cls(s.zip_max_total_bytes, s.zip_max_ratio, s.zip_max_members)


def size_text(n: float) -> str:
    """``n`` bytes as MiB or GiB, for messages."""
    return f"{n / (1 << 30):.2f} GiB" if n >= 1 << 30 else f"{n / (1 << 20):.1f} MiB"


def check_ratio(
    size: int, packed: int, limits: ZipLimits, origin: str | Path, what: str = "member"
) -> None:
    """Refuse ``size`` expanded bytes from ``packed`` bytes beyond :attr:`ZipLimits.max_ratio`.

    Sizes up to :data:`ZIP_RATIO_FLOOR` are not held to the ratio. ``origin`` names the member
    (``archive!member``) in the :class:`DataError`, ``what`` says what it is."""
    if size > ZIP_RATIO_FLOOR and size > limits.max_ratio * max(packed, 1):
        raise DataError(
            f"{what} expands {size / max(packed, 1):.0f}-fold (to {size_text(size)} or more "
            f"from {packed} bytes), more than the limit of {limits.max_ratio:g}:1 "
            f"({ZIP_MAX_RATIO_ENV}): a zip bomb?",
            file=origin,
        )


def check_zip_members(
    zf: zipfile.ZipFile,
    path: str | Path,
    members: Sequence[zipfile.ZipInfo] | None = None,
    *,
    limits: ZipLimits | None = None,
) -> ZipLimits:
    """Check a zip's directory before any member is read, and return the limits applied.

    Refused with a :class:`DataError` naming ``path`` (and ``path!member`` where one member is
    to blame): more entries than ``max_members``; among ``members`` (default: every file
    entry), a compression method other than stored or deflate, a member expanding beyond the
    ratio limit, members together beyond the total limit or (above 8 MiB) the ratio limit.
    Declared sizes can lie: a reader must still stop at them, as ``zipfile`` does for deflate
    (and a CRC error follows), or count what it reads (see ``baci_files._extract_zip``).
    """
    limits = limits or ZipLimits.from_env()
    entries = [i for i in zf.infolist() if not i.is_dir()]
    if len(entries) > limits.max_members:
        raise DataError(
            f"zip archive holds {len(entries)} entries, more than the limit of "
            f"{limits.max_members} ({ZIP_MAX_MEMBERS_ENV})",
            file=path,
        )
    members = entries if members is None else members
    for info in members:
        if info.compress_type not in _METHODS:
            method = _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
            raise DataError(
                f"member is compressed with {method}; only stored and deflate members are "
                "accepted (their expansion can be bounded while reading)",
                file=f"{path}!{info.filename}",
            )
        check_ratio(info.file_size, info.compress_size, limits, f"{path}!{info.filename}")
    declared = sum(i.file_size for i in members)
    if declared > limits.max_total_bytes:
        raise DataError(
            f"zip archive would expand to {size_text(declared)}, more than the limit of "
            f"{size_text(limits.max_total_bytes)} ({ZIP_MAX_TOTAL_ENV})",
            file=path,
        )
    packed = sum(i.compress_size for i in members)
    if declared > ZIP_RATIO_FLOOR and declared > limits.max_ratio * max(packed, 1):
        raise DataError(
            f"zip archive expands {declared / max(packed, 1):.0f}-fold (to "
            f"{size_text(declared)} from {packed} bytes in {len(members)} members), more "
            f"than the limit of {limits.max_ratio:g}:1 ({ZIP_MAX_RATIO_ENV}): a zip bomb?",
            file=path,
        )
    return limits


def check_zip_file(path: str | Path, unreadable: str = "not a readable zip archive") -> None:
    """Open ``path`` as a zip and :func:`check_zip_members` all of it.

    A file that is no readable zip is refused as ``"{unreadable} ({reason})"``."""
    try:
        with zipfile.ZipFile(path) as zf:
            check_zip_members(zf, path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise DataError(f"{unreadable} ({exc})", file=path) from exc


# -- Excel workbooks ---------------------------------------------------------------------------


class Workbook:
    """An Excel workbook opened for reading within the limits of this module.

    Use as a context manager; :meth:`sheets` gives each sheet's title and its rows as lists of
    cell values (padded to the sheet's width, as openpyxl gives them). The zip directory is
    checked before openpyxl opens the file; the cells read are counted against
    ``KETENRADAR_XLSX_MAX_CELLS`` (all sheets together), so a sheet whose cells claim
    far-apart coordinates cannot make openpyxl fill billions of empty cells.
    """

    def __init__(self, path: str | Path) -> None:
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        self.path = Path(path)
        self.max_cells = settings().xlsx_max_cells
        self.cells = 0
        check_zip_file(self.path, "cannot read as an Excel workbook")
        try:
            self._wb = load_workbook(self.path, read_only=True, data_only=True)
        except (
            InvalidFileException,
            zipfile.BadZipFile,
            KeyError,
            OSError,
            EOFError,
            zlib.error,
            SyntaxError,  # malformed XML in the workbook's parts
            ValueError,
        ) as exc:
            raise DataError(f"cannot read as an Excel workbook ({exc})", file=self.path) from exc

    def sheets(self) -> Iterator[tuple[str, list[list[Any]]]]:
        """Each worksheet's title and rows, in the workbook's order.

        A sheet that declares its dimension as the single cell ``A1`` (Eurostat's exports do,
        whatever they hold) would be read as that one cell in read-only mode: its dimension is
        reset so that every row is read (still counted against the cell limit)."""
        for ws in self._wb.worksheets:
            if ws.max_row == 1 and ws.max_column == 1 and hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()
            yield ws.title, self._rows(ws)

    def _rows(self, ws: Any) -> list[list[Any]]:
        rows: list[list[Any]] = []
        try:
            for row in ws.iter_rows(values_only=True):
                self.cells += max(len(row), 1)
                if self.cells > self.max_cells:
                    raise DataError(
                        f"the workbook holds more than {self.max_cells:,} cells "
                        f"({XLSX_MAX_CELLS_ENV}), counting the empty cells up to each sheet's "
                        f"last row and column: reached at row {len(rows) + 1} of this sheet, "
                        f"{len(row):,} cells wide",
                        file=f"{self.path} [{ws.title}]",
                    )
                rows.append(list(row))
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error, SyntaxError) as exc:
            # CRC errors, cut members, malformed XML
            raise DataError(
                f"sheet cannot be read: the workbook is corrupt ({exc})",
                file=f"{self.path} [{ws.title}]",
            ) from exc
        return rows

    def close(self) -> None:
        """Close the file."""
        self._wb.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- compressed single files (R data) ----------------------------------------------------------

_STREAMS = (
    (b"\x1f\x8b", "gzip", lambda: zlib.decompressobj(16 + zlib.MAX_WBITS)),
    (b"BZh", "bzip2", bz2.BZ2Decompressor),
    (b"\xfd7zXZ\x00", "xz", lzma.LZMADecompressor),
)
_STEP = 16 << 20


def decompress_limited(data: bytes, path: str | Path) -> bytes:
    """``data`` with every layer of gzip, bzip2 or xz compression undone, within the limits.

    R data files are usually compressed, and ``rdata`` inflates them whole in memory. Here
    each layer is inflated in steps of at most 16 MiB and refused as soon as it exceeds
    ``KETENRADAR_ZIP_MAX_TOTAL_BYTES``, or (above 8 MiB) the ratio limit to its compressed
    size. Data that is not compressed is returned as it is.
    """
    limits = ZipLimits.from_env()
    for _ in range(4):
        kind = next((k for k in _STREAMS if data.startswith(k[0])), None)
        if kind is None:
            return data
        try:
            data = _inflate(data, kind[0], kind[1], kind[2], limits, path)
        except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError) as exc:
            raise DataError(f"{kind[1]} data is corrupt ({exc})", file=path) from exc
    raise DataError("more than 4 layers of compression", file=path)


def _inflate(
    data: bytes, magic: bytes, name: str, make: Any, limits: ZipLimits, path: str | Path
) -> bytes:
    out = bytearray()
    rest = data
    while rest.startswith(magic):  # one stream after another, as gzip/bz2.decompress do
        dec = make()
        pending = rest
        while not dec.eof:
            chunk = dec.decompress(pending, _STEP)
            out += chunk
            if len(out) > limits.max_total_bytes:
                raise DataError(
                    f"{name} data expands to more than the limit of "
                    f"{size_text(limits.max_total_bytes)} ({ZIP_MAX_TOTAL_ENV})",
                    file=path,
                )
            check_ratio(len(out), len(data), limits, path, f"{name} data")
            if name == "gzip":
                pending = dec.unconsumed_tail
                cut = not pending and not chunk
            else:
                pending = b""
                cut = dec.needs_input
            if cut and not dec.eof:
                raise DataError(f"{name} data is truncated (a cut download?)", file=path)
        rest = dec.unused_data
    return bytes(out)
