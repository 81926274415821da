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
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ketenradar.errors import DataError

TRADE_RE = re.compile(r"BACI_.*?HS(?P<hs>\d{2}).*?(?:_Y(?P<year>\d{4}))?.*?_V(?P<rel>\d{6}[a-z]?)")
TRADE_YEAR_RE = re.compile(r"_Y(\d{4})")
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
        return BaciFile(
            path,
            "trade",
            "V" + m["rel"],
            "HS" + m["hs"],
            int(y.group(1)) if y else None,
            origin,
        )
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


def expand_inputs(paths: Iterable[Path], extract_dir: Path) -> tuple[list[BaciFile], list[str]]:
    """Expand files, folders and zips into recognised BACI files.

    Zip members are extracted into ``extract_dir`` (a staging folder). Returns the files and
    the names of files that were not recognised (reported, never silently dropped).
    """
    found: list[BaciFile] = []
    ignored: list[str] = []
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise DataError("no such file or folder", file=p)
        if p.is_dir():
            children = sorted(c for c in p.iterdir() if c.is_file())
            sub, ign = expand_inputs(children, extract_dir)
            found += sub
            ignored += ign
        elif p.suffix.lower() == ".zip":
            found += _extract_zip(p, extract_dir, ignored)
        else:
            f = classify(p)
            if f is None:
                ignored.append(str(p))
            else:
                found.append(f)
    return found, ignored


def _extract_zip(path: Path, extract_dir: Path, ignored: list[str]) -> list[BaciFile]:
    out: list[BaciFile] = []
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                member = Path(info.filename).name
                target = extract_dir / path.stem / member
                f = classify(target, origin=f"{path}!{info.filename}")
                if f is None:
                    if not member.lower().startswith("readme"):
                        ignored.append(f"{path}!{info.filename}")
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                out.append(f)
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        raise DataError(
            f"not a readable zip archive ({exc}); the file may be truncated: download it again",
            file=path,
        ) from exc
    except OSError as exc:  # CRC errors surface as BadZipFile or OSError depending on version
        raise DataError(f"zip archive is corrupt ({exc})", file=path) from exc
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


def read_trade_header(path: Path) -> tuple[list[str], str]:
    """The canonical column names of a trade CSV (in file order) and its delimiter."""
    with open(path, "rb") as fh:
        first = fh.readline().decode("utf-8-sig", errors="replace").strip()
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
