"""HS 6-digit products → the 14 EU industrial ecosystems (project's own mapping).

The table ``data/hs_ecosystems.csv`` maps HS prefixes (2, 4 or 6 digits) to the industrial
ecosystems of the 2021 update of the EU Industrial Strategy (COM(2021) 350). A product belongs
to the ecosystems of its **longest** matching prefix; several rows with the same prefix give
several ecosystems. See ``docs/methods/ecosystems.md`` for the method and its limits.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import pandas as pd

from ketenradar.core.errors import DataError

#: The 14 industrial ecosystems of COM(2021) 350, with the names used in the table.
ECOSYSTEMS: tuple[str, ...] = (
    "Aerospace & Defence",
    "Agri-food",
    "Construction",
    "Cultural & Creative Industries",
    "Digital",
    "Electronics",
    "Energy-Intensive Industries",
    "Energy-Renewables",
    "Health",
    "Mobility-Transport-Automotive",
    "Proximity, Social Economy & Civil Security",
    "Retail",
    "Textile",
    "Tourism",
)

#: Header of the table file, in this order.
COLUMNS: tuple[str, ...] = ("hs_prefix", "ecosystem", "rationale")

#: Separator used by :func:`ecosystem_frame` when a product has several ecosystems.
SEPARATOR = "; "

_PREFIX = re.compile(r"\d{2}(\d{2}){0,2}")
_PREFIX_LENGTHS = (6, 4, 2)

Table = Sequence[tuple[str, str]]


def packaged_table_path() -> Path:
    """Return the path of the table shipped with the package."""
    return Path(str(files("ketenradar") / "data" / "hs_ecosystems.csv"))


def load_ecosystem_table(path: Path | None = None) -> list[tuple[str, str]]:
    """Read and validate an HS-prefix → ecosystem table.

    Parameters
    ----------
    path
        CSV file with header ``hs_prefix,ecosystem,rationale``; default: the packaged table.

    Returns
    -------
    list of (hs_prefix, ecosystem)
        One pair per row, in file order.

    Raises
    ------
    DataError
        If the file cannot be read, the header is wrong, a prefix is not 2, 4 or 6 digits, an
        ecosystem is not one of :data:`ECOSYSTEMS`, the rationale is empty or a row repeats.
    """
    path = Path(path) if path is not None else packaged_table_path()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read the ecosystem table: {exc}", file=path) from exc

    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != COLUMNS:
        raise DataError(
            f"expected the header {','.join(COLUMNS)!r}, found {','.join(header or [])!r}",
            file=path,
            line=1,
        )
    known = set(ECOSYSTEMS)
    seen: set[tuple[str, str]] = set()
    rows: list[tuple[str, str]] = []
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(COLUMNS):
            raise DataError(
                f"expected {len(COLUMNS)} fields, found {len(record)}", file=path, line=line
            )
        prefix, ecosystem, rationale = (cell.strip() for cell in record)
        if not _PREFIX.fullmatch(prefix):
            raise DataError(
                f"HS prefix {prefix!r} must be 2, 4 or 6 digits",
                file=path,
                line=line,
                field="hs_prefix",
            )
        if ecosystem not in known:
            raise DataError(
                f"unknown ecosystem {ecosystem!r}; expected one of: {', '.join(ECOSYSTEMS)}",
                file=path,
                line=line,
                field="ecosystem",
            )
        if not rationale:
            raise DataError("rationale is empty", file=path, line=line, field="rationale")
        if (prefix, ecosystem) in seen:
            raise DataError(
                f"duplicate row for prefix {prefix!r} and ecosystem {ecosystem!r}",
                file=path,
                line=line,
            )
        seen.add((prefix, ecosystem))
        rows.append((prefix, ecosystem))
    if not rows:
        raise DataError("the ecosystem table has no rows", file=path)
    return rows


@dataclass
class _Index:
    """Prefix lookup for one table, with a memo of product → ecosystems."""

    by_prefix: dict[str, tuple[str, ...]]
    memo: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def lookup(self, product: str) -> tuple[str, ...]:
        hit = self.memo.get(product)
        if hit is None:
            hit = ()
            for n in _PREFIX_LENGTHS:
                if len(product) >= n and product[:n] in self.by_prefix:
                    hit = self.by_prefix[product[:n]]
                    break
            self.memo[product] = hit
        return hit


@lru_cache(maxsize=32)
def _build_index(rows: tuple[tuple[str, str], ...]) -> _Index:
    grouped: dict[str, set[str]] = {}
    for prefix, ecosystem in rows:
        grouped.setdefault(prefix, set()).add(ecosystem)
    return _Index({p: tuple(sorted(e)) for p, e in grouped.items()})


@lru_cache(maxsize=1)
def _default_index() -> _Index:
    return _build_index(tuple(load_ecosystem_table()))


def _index(table: Table | None) -> _Index:
    if table is None:
        return _default_index()
    return _build_index(tuple((str(p), str(e)) for p, e in table))


def _normalise(product: object) -> str:
    """HS code as a string; integers and 5-digit strings lost a leading zero."""
    code = str(product).strip()
    if code.isdigit() and (isinstance(product, int) or len(code) == 5):
        code = code.zfill(6)
    return code


def ecosystems_for(product: str, table: Table | None = None) -> tuple[str, ...]:
    """Ecosystems of one HS product by the longest-prefix rule.

    Parameters
    ----------
    product
        HS code (normally 6 digits, as a string with leading zeros).
    table
        Pairs ``(hs_prefix, ecosystem)`` as returned by :func:`load_ecosystem_table`;
        default: the packaged table.

    Returns
    -------
    tuple of str
        Sorted, unique ecosystem names of the longest prefix (6, then 4, then 2 digits) that
        the table holds for ``product``; empty when no prefix matches (e.g. chapter 99).
    """
    return _index(table).lookup(_normalise(product))


def ecosystem_frame(products: Iterable[str], table: Table | None = None) -> pd.DataFrame:
    """Annotate HS products with their ecosystems.

    Parameters
    ----------
    products
        HS codes; order and duplicates are kept.
    table
        As in :func:`ecosystems_for`; the lookup is built once per table and cached.

    Returns
    -------
    pandas.DataFrame
        Columns ``product`` (normalised code) and ``ecosystem`` (names joined with ``"; "``,
        the empty string when no prefix matches).
    """
    index = _index(table)
    codes = [_normalise(p) for p in products]
    labels = {code: SEPARATOR.join(index.lookup(code)) for code in set(codes)}
    return pd.DataFrame(
        {"product": codes, "ecosystem": [labels[c] for c in codes]},
        columns=["product", "ecosystem"],
    )
