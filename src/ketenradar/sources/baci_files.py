"""Recognise and read BACI's files: trade CSVs, release zips, country and product dictionaries.

BACI (CEPII, Gaulier & Zignago 2010) ships one zip per HS edition and release, e.g.
``BACI_HS92_V202401b.zip`` holding ``BACI_HS92_Y{year}_V202401b.csv`` (``t,i,j,k,v,q``),
``country_codes_V202401b.csv`` and ``product_codes_HS92_V202401b.csv``. The dictionaries
changed layout over releases; this module reads all layouts seen so far:

* V202201: ``country_code,country_name_abbreviation,country_name_full,iso_2digit_alpha,
  iso_3digit_alpha`` (comma, UTF-8 with BOM, ``N/A`` for special codes);
* V202301 as distributed with ``;`` separators and product codes with lost leading zeros;
* V2024xx: ``country_code,country_name,country_iso2,country_iso3`` (special codes get
  CEPII's own three-character codes such as ``S19``).

Hostile or damaged input is refused before it can cost much time, memory or disk. The limits
are settings read at each ingest (:mod:`ketenradar.core.settings`; a bad value is a usage
error): ``KETENRADAR_BACI_MAX_LINE_BYTES``, the longest line accepted in a trade CSV (default
4096; a BACI row is under 100 bytes), checked by a byte scan before DuckDB reads the file,
together with the field count, NUL bytes and UTF-8, so one bad line costs no more than one
good one; the zip limits ``KETENRADAR_ZIP_MAX_TOTAL_BYTES`` (checked on the declared sizes
and again on the bytes actually written), ``KETENRADAR_ZIP_MAX_RATIO`` and
``KETENRADAR_ZIP_MAX_MEMBERS``; ``KETENRADAR_BACI_ROW_DROP_WARN`` (``sources/baci.py``).

The zip limits are shared with the other connectors' zip containers (workbooks, ``.npz``) and
checked by :func:`ketenradar.sources.archives.check_zip_members`; zip members compressed
otherwise than stored or deflate are refused there.

A trade file whose last line has no line break is accepted with a warning (legal CSV, but a
download cut inside the last field looks the same); one whose last line lacks fields is
refused as truncated. Years outside 1988..next year are refused, in file names and in ``t``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ketenradar.core.errors import DataError
from ketenradar.core.settings import settings
from ketenradar.sources.archives import (  # noqa: F401 (re-exported: sources/baci.py, tests)
    ZIP_MAX_MEMBERS_ENV,
    ZIP_MAX_RATIO_ENV,
    ZIP_MAX_TOTAL_ENV,
    ZIP_RATIO_FLOOR,
    ZipLimits,
    check_ratio,
    check_zip_members,
    size_text,
)

TRADE_RE = re.compile(r"BACI_.*?HS(?P<hs>\d{2}).*?(?:_Y(?P<year>\d+))?.*?_V(?P<rel>\d{6}[a-z]?)")
TRADE_YEAR_RE = re.compile(r"_Y(\d+)")

#: The first year a trade file may hold: the Harmonized System came into force in 1988
#: (BACI itself starts in 1995). The last is next year (a release may hold a first estimate).
FIRST_YEAR = 1988

MAX_LINE_BYTES_ENV = "KETENRADAR_BACI_MAX_LINE_BYTES"
_SCAN_CHUNK = 4 << 20


def last_plausible_year() -> int:
    """The latest year a trade file may hold: next year."""
    return datetime.now(UTC).year + 1


def check_year(year: int, *, file: str | Path, line: int | None = None, field: str | None = None):
    """Refuse a year outside :data:`FIRST_YEAR` .. next year (a typo such as ``Y20222``)."""
    last = last_plausible_year()
    if not FIRST_YEAR <= year <= last:
        raise DataError(
            f"year {year} is outside the plausible range {FIRST_YEAR}–{last}",
            file=file,
            line=line,
            field=field,
        )


COUNTRY_RE = re.compile(r"country_codes(?:_V(?P<rel>\d{6}[a-z]?))?", re.IGNORECASE)
PRODUCT_RE = re.compile(
    r"product_codes(?:_HS(?P<hs>\d{2}))?(?:_V(?P<rel>\d{6}[a-z]?))?", re.IGNORECASE
)

TRADE_COLUMNS = ("t", "i", "j", "k", "v", "q")
#: Header aliases accepted for trade files (a few third-party exports rename them).
TRADE_ALIASES = {
    "year": "t",
    "exporter": "i",
    "importer": "j",
    "product": "k",
    "hs6": "k",
    "value": "v",
    "quantity": "q",
}

COUNTRY_FIELDS = {
    "code": ("country_code", "code"),
    "name": ("country_name", "country_name_abbreviation", "name"),
    "name_full": ("country_name_full",),
    "iso2": ("country_iso2", "iso_2digit_alpha", "iso2"),
    "iso3": ("country_iso3", "iso_3digit_alpha", "iso3"),
}
PRODUCT_FIELDS = {
    "code": ("code", "product_code", "k", "hs6"),
    "description": ("description", "product_description", "desc"),
}


@dataclass(frozen=True)
class BaciFile:
    """One recognised BACI file (on disk; zip members are extracted first)."""

    path: Path
    role: str  # "trade" | "countries" | "products"
    release: str | None  # "V202401b"
    hs: str | None  # "HS92"
    year: int | None
    origin: str  # path as given by the user (zip!member for zip members)


def classify(path: Path, origin: str | None = None) -> BaciFile | None:
    """Recognise a BACI file by its name; ``None`` when it is not one."""
    name = path.name
    origin = origin or str(path)
    if not name.lower().endswith(".csv"):
        return None
    if m := TRADE_RE.search(name):
        y = TRADE_YEAR_RE.search(name)
        year = int(y.group(1)) if y else None
        if year is not None:
            check_year(year, file=origin, field="file name")
        return BaciFile(path, "trade", "V" + m["rel"], "HS" + m["hs"], year, origin)
    if m := COUNTRY_RE.search(name):
        return BaciFile(path, "countries", "V" + m["rel"] if m["rel"] else None, None, None, origin)
    if m := PRODUCT_RE.search(name):
        return BaciFile(
            path,
            "products",
            "V" + m["rel"] if m["rel"] else None,
            "HS" + m["hs"] if m["hs"] else None,
            None,
            origin,
        )
    return None


def _not_regular(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file (``None`` for a regular file or a folder).

    Uses ``stat`` only, so a named pipe is never opened (opening one blocks until a writer
    comes)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            return f"broken symbolic link (its target {os.readlink(path)} does not exist)"
        return "no such file or folder"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "not a regular file but a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "not a regular file but a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "not a regular file but a device"
    return "not a regular file"


def expand_inputs(paths: Iterable[Path], extract_dir: Path) -> tuple[list[BaciFile], list[str]]:
    """Expand files, folders and zips into recognised BACI files.

    Zip members are extracted into ``extract_dir`` (a staging folder). Returns the files and
    one warning per entry that was skipped: files not recognised as BACI, sub-folders, broken
    symbolic links, named pipes and other special files in a folder (reported, never silently
    dropped). A path given explicitly that cannot be read as a file is an error.
    """
    found: list[BaciFile] = []
    ignored: list[str] = []
    for p in paths:
        p = Path(p)
        why = _not_regular(p)
        if why is not None:
            raise DataError(why, file=p)
        if p.is_dir():
            children = []
            for c in sorted(p.iterdir()):
                why = _not_regular(c)
                if why is not None:
                    ignored.append(f"skipped {c}: {why}")
                elif c.is_dir():
                    ignored.append(f"skipped sub-folder {c} (pass it explicitly to read it)")
                else:
                    children.append(c)
            sub, ign = expand_inputs(children, extract_dir)
            found += sub
            ignored += ign
        elif p.suffix.lower() == ".zip":
            found += _extract_zip(p, extract_dir, ignored)
        else:
            f = classify(p)
            if f is None:
                ignored.append(f"ignored file not recognised as BACI: {p}")
            else:
                found.append(f)
    return found, ignored


def _extract_zip(path: Path, extract_dir: Path, ignored: list[str]) -> list[BaciFile]:
    """Extract the recognised members of a zip, within :class:`ZipLimits`.

    The declared sizes are checked before anything is written, and the bytes written are
    counted while extracting (declared sizes can lie). On any error the members extracted so
    far are removed and a :class:`DataError` names the zip and the member.
    """
    out: list[BaciFile] = []
    extract_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{path.stem}-", dir=extract_dir))
    member = ""
    try:
        with zipfile.ZipFile(path) as zf:
            limits = check_zip_members(zf, path, ())  # the entry count, before classifying
            infos = [i for i in zf.infolist() if not i.is_dir()]
            wanted: list[tuple[zipfile.ZipInfo, BaciFile]] = []
            for info in infos:
                name = Path(info.filename).name
                f = classify(folder / name, origin=f"{path}!{info.filename}")
                if f is None:
                    if not name.lower().startswith("readme"):
                        ignored.append(
                            f"ignored file not recognised as BACI: {path}!{info.filename}"
                        )
                    continue
                twin = next((i for i, g in wanted if g.path == f.path), None)
                if twin is not None:
                    raise DataError(
                        f"two members are named {name} ({twin.filename} and {info.filename})",
                        file=path,
                    )
                wanted.append((info, f))
            check_zip_members(zf, path, [i for i, _ in wanted], limits=limits)
            total = 0
            for info, f in wanted:
                member = info.filename
                f.path.parent.mkdir(parents=True, exist_ok=True)
                written = 0
                with zf.open(info) as src, open(f.path, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        total += len(chunk)
                        if written > info.file_size:
                            raise DataError(
                                f"member expands beyond its declared size of {info.file_size} "
                                "bytes: the archive is corrupt or forged",
                                file=f.origin,
                            )
                        check_ratio(written, info.compress_size, limits, f.origin)
                        if total > limits.max_total_bytes:
                            raise DataError(
                                f"zip archive expands to more than the limit of "
                                f"{size_text(limits.max_total_bytes)} ({ZIP_MAX_TOTAL_ENV})",
                                file=f.origin,
                            )
                        dst.write(chunk)
                out.append(f)
    except BaseException as exc:
        shutil.rmtree(folder, ignore_errors=True)
        where = f"{path}!{member}" if member else path
        if isinstance(exc, (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile)):
            raise DataError(
                f"not a readable zip archive ({exc}); the file may be truncated: download it again",
                file=where,
            ) from exc
        if isinstance(exc, OSError):
            # CRC errors surface as BadZipFile or OSError depending on the Python version
            raise DataError(f"zip archive is corrupt ({exc})", file=where) from exc
        if isinstance(exc, (RuntimeError, NotImplementedError)):
            # encrypted members, unsupported compression methods
            raise DataError(f"cannot extract ({exc})", file=where) from exc
        raise
    return out


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _dict_rows(path: Path, fields: dict[str, tuple[str, ...]], required: tuple[str, ...]):
    text = _read_text(path)
    first = text.split("\n", 1)[0]
    delim = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise DataError("file is empty", file=path, line=1) from None
    idx: dict[str, int] = {}
    for key, names in fields.items():
        for n in names:
            if n in header:
                idx[key] = header.index(n)
                break
    for key in required:
        if key not in idx:
            raise DataError(
                f"missing column (expected one of {', '.join(fields[key])}; "
                f"found {', '.join(header)})",
                file=path,
                line=1,
                field=fields[key][0],
            )
    for lineno, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise DataError(
                f"expected {len(header)} fields, found {len(row)}", file=path, line=lineno
            )
        yield lineno, {k: row[i].strip() for k, i in idx.items()}


def read_country_dictionary(path: Path) -> list[dict]:
    """Rows ``code, name, iso2, iso3`` of a BACI country dictionary (any known layout).

    ``iso3`` is ``None`` where BACI gives none (``N/A`` or empty). ``NA`` is Namibia's ISO2
    code, not a missing value.
    """
    out = []
    seen: dict[int, int] = {}
    for lineno, row in _dict_rows(path, COUNTRY_FIELDS, ("code", "name", "iso3")):
        try:
            code = int(row["code"])
        except ValueError:
            raise DataError(
                f"country code '{row['code']}' is not a number",
                file=path,
                line=lineno,
                field="country_code",
            ) from None
        if code in seen:
            raise DataError(
                f"country code {code} appears twice (first on line {seen[code]})",
                file=path,
                line=lineno,
                field="country_code",
            )
        seen[code] = lineno
        iso3 = row.get("iso3") or None
        if iso3 in ("N/A", "NA", ""):
            iso3 = None
        out.append(
            {
                "code": code,
                "name": row["name"],
                "name_full": row.get("name_full") or row["name"],
                "iso2": row.get("iso2") or None,
                "iso3": iso3,
            }
        )
    if not out:
        raise DataError("country dictionary has no rows", file=path)
    return out


def read_product_dictionary(path: Path) -> list[dict]:
    """Rows ``product, description`` of a BACI product dictionary; codes as 6 characters."""
    out = []
    seen: dict[str, int] = {}
    for lineno, row in _dict_rows(path, PRODUCT_FIELDS, ("code", "description")):
        code = row["code"]
        if not (code.isdigit() and len(code) <= 6) and not (len(code) == 6 and code.isalnum()):
            raise DataError(
                f"product code '{code}' is not an HS code of at most 6 digits "
                "(or a 6-character special code such as 9999AA)",
                file=path,
                line=lineno,
                field="code",
            )
        code = code.zfill(6)
        if code in seen:
            raise DataError(
                f"product code {code} appears twice (first on line {seen[code]})",
                file=path,
                line=lineno,
                field="code",
            )
        seen[code] = lineno
        out.append({"product": code, "description": row["description"]})
    if not out:
        raise DataError("product dictionary has no rows", file=path)
    return out


def max_line_bytes() -> int:
    """The longest line accepted in a trade CSV (``KETENRADAR_BACI_MAX_LINE_BYTES``)."""
    return settings().baci_max_line_bytes


def _too_long(limit: int) -> str:
    return (
        f"line longer than {limit} bytes (a BACI row is under 100 bytes; the limit is "
        f"{MAX_LINE_BYTES_ENV}): not a BACI trade file, or its line breaks are lost"
    )


def read_trade_header(path: Path) -> tuple[list[str], str]:
    """The canonical column names of a trade CSV (in file order) and its delimiter."""
    limit = max_line_bytes()
    with open(path, "rb") as fh:
        raw = fh.readline(limit + 1)
    if len(raw) > limit and not raw.endswith(b"\n"):
        raise DataError(_too_long(limit), file=path, line=1)
    if b"\0" in raw:
        raise DataError("binary content (NUL byte): not a CSV text file", file=path, line=1)
    try:
        first = raw.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text: not a CSV text file", file=path, line=1) from None
    if not first:
        raise DataError("file is empty", file=path, line=1)
    delim = ";" if first.count(";") > first.count(",") else ","
    cols = [c.strip().strip('"').lower() for c in first.split(delim)]
    canon = [TRADE_ALIASES.get(c, c) for c in cols]
    for need in TRADE_COLUMNS:
        if need not in canon:
            raise DataError(
                f"missing column '{need}' (BACI trade files have columns "
                f"{','.join(TRADE_COLUMNS)}; found {','.join(cols)})",
                file=path,
                line=1,
                field=need,
            )
    extra = [c for c in canon if c not in TRADE_COLUMNS]
    if extra:
        raise DataError(
            f"unexpected column(s) {', '.join(extra)} (expected {','.join(TRADE_COLUMNS)})",
            file=path,
            line=1,
            field=extra[0],
        )
    if len(set(canon)) != len(canon):
        raise DataError("duplicate column names in header", file=path, line=1)
    return canon, delim


@dataclass(frozen=True)
class LineScan:
    """What :func:`scan_trade_lines` found in a trade CSV that passed it."""

    lines: int  # physical lines, the header included
    ends_with_newline: bool


def scan_trade_lines(
    path: Path, columns: list[str], delim: str, origin: str | None = None
) -> LineScan:
    """Check a trade CSV line by line, in bytes, before any CSV parser sees it.

    Refuses, naming the first offending line, a line longer than :func:`max_line_bytes`,
    binary content (NUL bytes), text that is not UTF-8, an unterminated quote and a line
    without one field per column of ``columns`` (blank lines are allowed, as the parser skips them).
    The work is linear in the file size and the memory bounded by the chunk size, whatever
    the content: one malformed line cannot make the parser quadratic.
    """
    where = origin or str(path)
    limit = max_line_bytes()
    lineno = 1  # number of the first line in the buffer
    carry = b""
    last = b""
    with open(path, "rb") as fh:
        while True:
            block = fh.read(_SCAN_CHUNK)
            buf = carry + block if carry else block
            if not block:  # end of file: what is left is a last line without a line break
                if buf:
                    _scan_block(buf, lineno, columns, delim, limit, where, final=True)
                    lineno += buf.count(b"\n")
                    last = buf
                break
            cut = buf.rfind(b"\n")
            if cut < 0:
                if len(buf) > limit:
                    raise DataError(_too_long(limit), file=where, line=lineno)
                carry = buf
                continue
            complete, carry = buf[: cut + 1], buf[cut + 1 :]
            _scan_block(complete, lineno, columns, delim, limit, where, final=False)
            lineno += complete.count(b"\n")
            last = complete
            if len(carry) > limit:
                raise DataError(_too_long(limit), file=where, line=lineno)
    ends = not last or last.endswith(b"\n")
    return LineScan(lineno - 1 if ends else lineno, ends)


def _scan_block(
    buf: bytes, first: int, columns: list[str], delim: str, limit: int, where: str, *, final: bool
) -> None:
    """Check whole lines ``buf`` (numbered from ``first``); raise on the first bad one."""
    n_fields = len(columns)
    a = np.frombuffer(buf, dtype=np.uint8)
    nl = np.flatnonzero(a == 10)
    ends = nl if buf.endswith(b"\n") else np.append(nl, len(a))
    starts = np.concatenate(([0], nl + 1))[: len(ends)]
    lengths = ends - starts
    problems: list[tuple[int, int, str, str | None]] = []  # (line index, rank, reason, field)

    def line_of(pos: np.ndarray) -> np.ndarray:
        return np.searchsorted(ends, pos, side="left")

    zero = np.flatnonzero(a == 0)
    if len(zero):
        problems.append((int(line_of(zero[:1])[0]), 0, "binary content (NUL byte)", None))
    if not buf.isascii():
        try:
            buf.decode("utf-8")
        except UnicodeDecodeError as exc:
            i = int(line_of(np.array([exc.start]))[0])
            byte = buf[exc.start]
            problems.append((i, 1, f"not UTF-8 text (byte 0x{byte:02x}): binary content?", None))
    over = np.flatnonzero(lengths > limit)
    if len(over):
        problems.append((int(over[0]), 2, _too_long(limit), None))
    # per-line counts as segment sums (uint16 holds the count of any line within the limit)
    count_type = np.uint16 if limit < 65535 else np.int64
    d = a == ord(delim)
    if b'"' in buf:
        q = a == 34
        odd = np.flatnonzero(np.add.reduceat(q.astype(count_type), starts) % 2)
        if len(odd):
            problems.append((int(odd[0]), 3, "unterminated quoted value", None))
        # A delimiter after an odd number of quotes is data inside a quoted value. Counted
        # from the block's start: exact up to the first line with unbalanced quotes, which is
        # reported before any later line.
        d &= (np.cumsum(q, dtype=np.int64) - q) % 2 == 0
    fields = np.add.reduceat(d.astype(count_type), starts).astype(np.int64) + 1
    blank = (lengths == 0) | ((lengths == 1) & (a[np.maximum(ends - 1, 0)] == 13))
    wrong = np.flatnonzero((fields != n_fields) & ~blank)
    if len(wrong):
        i = int(wrong[0])
        n = int(fields[i])
        if n > n_fields:
            reason = f"too many columns: expected {n_fields} fields, found {n}"
        else:
            reason = f"missing columns: expected {n_fields} fields, found {n}"
            if final and i == len(ends) - 1:
                reason += (
                    "; the file ends in the middle of this line without a line break: it "
                    "looks truncated (an interrupted download?)"
                )
        problems.append((i, 4, reason, columns[n] if n < n_fields else None))
    if problems:
        i, _, reason, field = min(problems)
        raise DataError(reason, file=where, line=first + i, field=field)
