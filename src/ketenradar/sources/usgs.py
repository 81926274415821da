"""USGS Mineral Commodity Summaries (MCS) world production files into ``mineral_production``.

Source: U.S. Geological Survey, *Mineral Commodity Summaries* 2022, 2023 and 2024 data
releases: one CSV per commodity, ``mcs2024-<code>_world.csv`` (MCS 2022:
``<name>_mcs2022-<code>_world.csv``), world production by country. ``<code>`` is the USGS
commodity code (``cobal``, ``zirco-hafni``, ``raree``) and maps to our material id through
``ketenradar/data/materials.csv`` (column ``usgs_codes``).

Reading rules (each checked on all 166 real files of MCS 2022, 2023 and 2024):

* UTF-8 with a byte-order mark, CRLF line ends; blank rows (also dozens at the end) and
  dozens of unnamed empty trailing columns are skipped; text in unnamed columns is ignored.
* Only ``Prod_[<qualifier>_]<unit>_[est_|Est_]<year>`` columns are production
  (``Prod_t_2020``, ``Prod_kt_Est_2021``, ``Prod_kg_est_2022``, ``Prod_Sponge_t_Est_2023``).
  The unit stays as stated (``t``, ``kt``, ``kg``, ``Mt``, ``mct`` million carats, ``kct``
  thousand carats, ``mcm`` million cubic metres; ``mmt`` is written ``Mt``); values are not
  converted. ``est`` in the column name sets ``estimated``. ``Cap_*`` (capacity),
  ``Reserves_*`` and the notes columns are not production; ``Prod_notes`` (or ``Prod_note``)
  is the row's ``note``. A file with capacity columns only (abrasives) yields no rows and a
  warning; a file with neither raises :class:`DataError`.
* Rows whose ``Type`` is a capacity (``Clinker capacity, estimated`` in the cement file) are
  not production: they are left out and counted in a warning.
* ``Type`` is the ``description``; MCS 2024 fluorspar has no ``Type`` header (the column is
  headed ``Mine production, fluorspar``): the column after ``Country`` is then read as the
  type. The stage comes from the type text by :data:`STAGE_RULES` (see :func:`stage_of`).
  An empty type (or ``XX``, ``NA``: MCS 2024 iron oxide pigments, two world-total rows) gives
  ``description`` NULL and the stage of the file's other rows where they agree, else NULL;
  a type no rule matches gets stage NULL. Both are reported as warnings.
* ``release`` (``MCS2024``) comes from the ``Source`` column (``MCS 2024`` normalised) or,
  where it is empty (MCS 2024 iron oxide pigments, garnet, zeolites), from the file name.
* Country names: whitespace normalised (``United\\xa0States``); footnote digits stripped
  (``New Caledonia11``); a trailing ``e`` is the USGS "estimated" mark (``Japane``,
  ``Other countriese``) and is stripped only where the name without it is a known country
  (or ``Other ...``) and the name with it is not; that row is then ``estimated``.
  Qualifiers stay in ``country_label`` (``Brazil (beneficiated)``, ``Kazakhstan,
  concentrate``) and are ignored for the ISO3 code. ``World total ...`` rows have
  ``row_type = world``, ``Other countries``/``Other`` rows ``other``; a name without an
  ISO3 code is kept with ``country`` NULL and ``row_type = other`` and named in a warning.
* Values: ``1,200`` → 1200; ``e5,000`` → 5000 and estimated; ``NA``, ``W`` (withheld),
  ``XX`` (not applicable), ``Less than ½ unit.``, ``<100``, ``Included with ilmenite`` and an
  empty cell → NULL, the marker noted in ``note``; anything else raises :class:`DataError`
  naming file, line and column.

:func:`world_total_check` compares each world total with the sum of its rows; the connector
reports totals outside the rounding the USGS applies as warnings (it does not fail).
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from ketenradar.core.countries import exact_country_names, names_to_iso3
from ketenradar.core.errors import DataError, UsageError
from ketenradar.core.vocabularies.materials import find_material
from ketenradar.datasets import DataStore
from ketenradar.sources.base import CANONICAL_TABLES, IngestReport, Progress
from ketenradar.sources.tables import ParsedSource, expand_paths, write_tables_dataset

PARSER_VERSION = "usgs-1.0"
LICENCE = "US public domain (U.S. Geological Survey)"
CITATION = (
    "U.S. Geological Survey (2022, 2023, 2024). Mineral Commodity Summaries 2022, 2023 and "
    "2024 data releases (world production by country per commodity). U.S. Geological Survey, "
    "Reston, VA."
)

COLUMNS: list[str] = list(CANONICAL_TABLES["mineral_production"]["production"])

#: How the type text (``Type`` column) maps to a stage: the first pattern that matches wins
#: (case-insensitive). Mine production is extraction even where the text names a metal
#: content; refinery, smelter, plant and metal output is processing; ores, concentrates and
#: crude minerals named without "mine" are extraction. Sulfur "all forms" is counted as
#: processing (mostly recovered at refineries, gas plants and smelters).
STAGE_RULES: tuple[tuple[str, str], ...] = (
    (r"\b(mine|mne|mined|mining)\b", "extraction"),
    (
        r"\b(refinery|refined|smelter|smelting|metal|sponge|plant|primary production"
        r"|primary and secondary|synthetic|pig iron|steel|cement|clinker|alumina|ammonia"
        r"|trioxide|compounds?|ferrosilicon|all forms)\b",
        "processing",
    ),
    (
        r"\b(ores?|concentrates?|crude|natural|borates?|boron|boric|ulexite|datolite"
        r"|kyanite|minerals)\b",
        "extraction",
    ),
)

#: Units as the USGS writes them in column names → the unit we store (value unconverted).
UNITS: dict[str, str] = {
    "t": "t",
    "kt": "kt",
    "mt": "Mt",  # Prod_Mt_ (million metric tons, MCS 2023 iron and steel)
    "mmt": "Mt",  # Prod_mmt_ (million metric tons, MCS 2024 iron and steel)
    "kg": "kg",
    "g": "g",
    "mct": "mct",  # million carats
    "kct": "kct",  # thousand carats
    "mcm": "mcm",  # million cubic metres (helium)
}

#: Cell values that mean "no number" and what they mean (MCS conventions).
MARKERS: dict[str, str] = {
    "NA": "NA: not available",
    "W": "W: withheld to avoid disclosing company proprietary data",
    "XX": "XX: not applicable",
}
_MARKER_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"less than ½ unit\.?", re.I), "less than ½ unit"),
    (re.compile(r"<\s*[\d,.]+"), "{text}"),
    (re.compile(r"included with .+", re.I), "{text}"),
)
_NUMBER = re.compile(r"(?P<e>e\s*)?(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)")
_FILE_NAME = re.compile(
    r"mcs(?P<edition>\d{4})-(?P<code>[a-z0-9]+(?:-[a-z0-9]+)*)_world\.csv$", re.I
)
_SOURCE = re.compile(r"mcs\s*(\d{4})", re.I)
_PROD_COLUMN = re.compile(r"prod_(?:.*_)?(\d{4})", re.I)
_DATA_COLUMN = re.compile(r"^(prod|cap|reserves)_|notes?$", re.I)
_CAPACITY_TYPE = re.compile(r"\bcapacity\b", re.I)
_PRODUCTION_WORD = re.compile(r"\bproduction\b", re.I)
_WORLD = re.compile(r"world\b", re.I)
_OTHER = re.compile(r"other\b", re.I)
_EXCLUDES_US_LABEL = re.compile(r"exclud\w*\s+(u\.\s?s\.|united states)", re.I)
_EXCLUDES_US_NOTE = re.compile(r"exclud\w*\s+(u\.\s?s\.|united states)( production)?\.?", re.I)
#: Exact country spellings of the MCS, with the packaged name table's (used to tell ``Japane``
#: = Japan + "estimated" from ``Ukraine``); both are in that table too, they are kept here so
#: that this rule does not depend on it.
USGS_SPELLINGS: tuple[str, ...] = ("Korea, Republic of", "Turkey")

#: Type cells that are no type text (MCS 2023 boron and kyanite world totals).
_TYPE_MARKERS = {"", "XX", "NA"}


def _clean(text: str | None) -> str:
    """Whitespace normalised (non-breaking spaces included), stripped."""
    return " ".join((text or "").split())


def stage_of(type_text: str | None) -> str | None:
    """``extraction`` or ``processing`` for a USGS ``Type`` text by :data:`STAGE_RULES`.

    ``None`` when the text is empty or no rule matches.
    """
    text = _clean(type_text)
    if not text:
        return None
    for pattern, stage in STAGE_RULES:
        if re.search(pattern, text, re.I):
            return stage
    return None


@dataclass(frozen=True)
class ProdColumn:
    """One production column: its position, year, unit, estimate flag and header text."""

    index: int
    header: str
    year: int
    unit: str
    estimated: bool
    qualifier: str | None


def parse_prod_column(header: str, index: int, *, file: Path) -> ProdColumn | None:
    """``Prod_kt_est_2023`` → year 2023, unit ``kt``, estimated; ``None`` if not a year column."""
    name = _clean(header)
    if not _PROD_COLUMN.fullmatch(name):
        return None
    parts = name.split("_")
    year = int(parts[-1])
    middle = parts[1:-1]
    estimated = bool(middle) and middle[-1].casefold() == "est"
    if estimated:
        middle = middle[:-1]
    if not middle or not all(p.isalpha() for p in middle):
        raise DataError(
            "production column without a unit (expected Prod_<unit>_[est_]<year>)",
            file=file,
            line=1,
            field=header,
        )
    unit_text = middle[-1]
    if unit_text.casefold() not in UNITS:
        raise DataError(
            f"unknown unit {unit_text!r} in column name", file=file, line=1, field=header
        )
    unit = UNITS[unit_text.casefold()]
    if not 1900 <= year <= 2100:
        raise DataError(f"implausible year {year}", file=file, line=1, field=header)
    qualifier = "_".join(middle[:-1]) or None
    return ProdColumn(index, header, year, unit, estimated, qualifier)


def parse_value(text: str) -> tuple[float | None, bool, str | None]:
    """A cell → (value, estimated, marker note). Raises ``ValueError`` for anything unknown.

    ``'1,200'`` → (1200.0, False, None); ``'e5,000'`` → (5000.0, True, None);
    ``'W'`` → (None, False, 'W: withheld ...'); ``''`` → (None, False, None).
    """
    s = "".join(text.split())  # drops spaces and non-breaking spaces everywhere
    if not s:
        return None, False, None
    if s.upper() in MARKERS and s == s.upper():
        return None, False, MARKERS[s]
    m = _NUMBER.fullmatch(s)
    if m:
        return float(m["num"].replace(",", "")), m["e"] is not None, None
    spaced = _clean(text)
    for pattern, note in _MARKER_PATTERNS:
        if pattern.fullmatch(spaced):
            return None, False, note.format(text=spaced)
    raise ValueError(f"not a number nor a known marker: {text!r}")


# -- country names --------------------------------------------------------------------------


def _fold(name: str) -> str:
    n = unicodedata.normalize("NFKD", name.replace("’", "'"))
    n = "".join(c for c in n if not unicodedata.combining(c))
    return _clean(n).casefold()


@cache
def _exact_names() -> frozenset[str]:
    """Country names written out exactly (the packaged name table's spellings), folded."""
    names = exact_country_names() | set(USGS_SPELLINGS)
    return frozenset(_fold(str(n)) for n in names)


def _without_qualifier(label: str) -> list[str]:
    """The label, without parenthesised qualifiers, and before a ``, qualifier``."""
    out = [label]
    bare = _clean(re.sub(r"\([^)]*\)", " ", label))
    if bare and bare not in out:
        out.append(bare)
    if "," in bare:
        head = bare.split(",")[0].strip()
        if head and head not in out:
            out.append(head)
    return out


def _is_special(label: str) -> str | None:
    if _WORLD.match(label):
        return "world"
    if _OTHER.match(label):
        return "other"
    return None


def _strip_estimate_mark(label: str, iso: dict[str, str | None]) -> tuple[str, bool]:
    """``Japane`` → (``Japan``, True); ``Ukraine`` → (``Ukraine``, False)."""
    if len(label) < 3 or not label.endswith("e"):
        return label, False
    base = label[:-1]
    if base.endswith(")"):
        return base, True
    if _is_special(label):
        return (
            (base, True) if re.search(r"(countries|total|other)$", base, re.I) else (label, False)
        )
    exact = _exact_names()
    if _fold(label) in exact:
        return label, False
    if _fold(base) in exact or (iso.get(label) is None and iso.get(base) is not None):
        return base, True
    return label, False


def _footnotes_off(label: str) -> str:
    return re.sub(r"(?<=\D)\d+$", "", _clean(label)).rstrip()


def resolve_countries(labels: Sequence[str]) -> dict[str, tuple[str, str | None, str, bool]]:
    """Raw country cells → (clean label, ISO3 or None, row_type, estimated mark).

    ``row_type`` is ``world``, ``other`` or ``country``; a name without ISO3 gets ``other``.
    """
    raw = list(dict.fromkeys(labels))
    first = {r: _footnotes_off(r) for r in raw}
    probe: set[str] = set()
    for lab in first.values():
        probe.add(lab)
        if lab.endswith("e"):
            probe.add(lab[:-1])
    iso = names_to_iso3(sorted(probe))
    cleaned = {r: _strip_estimate_mark(first[r], iso) for r in raw}
    candidates: dict[str, list[str]] = {}
    for lab, _ in cleaned.values():
        if not _is_special(lab):
            candidates[lab] = _without_qualifier(lab)
    need = sorted({c for cs in candidates.values() for c in cs})
    iso_all = names_to_iso3(need) if need else {}
    exact = _exact_names()
    out: dict[str, tuple[str, str | None, str, bool]] = {}
    for r in raw:
        lab, est = cleaned[r]
        special = _is_special(lab)
        if special:
            out[r] = (lab, None, special, est)
            continue
        cands = candidates[lab]
        code = next((iso_all[c] for c in cands if _fold(c) in exact and iso_all[c]), None)
        if code is None:
            code = next((iso_all[c] for c in cands if iso_all[c]), None)
        out[r] = (lab, code, "country" if code else "other", est)
    return out


# -- files ----------------------------------------------------------------------------------


def production_files(paths: Sequence[Path]) -> list[Path]:
    """Files given, plus the ``*_world.csv`` files inside given folders (sorted, unique).

    Other CSVs in a folder (``_salient.csv``, the MCS trends tables) are not production
    files and are passed over; a file named explicitly is always read.
    """
    explicit = {Path(p).resolve() for p in paths if Path(p).is_file()}
    seen: set[Path] = set()
    out: list[Path] = []
    for f in expand_paths(paths, (".csv",)):
        key = f.resolve()
        if key in seen:
            continue
        if key in explicit or f.name.casefold().endswith("_world.csv"):
            seen.add(key)
            out.append(f)
    if not out:
        raise DataError(
            "no MCS world production files (*_world.csv) found",
            file=", ".join(str(p) for p in paths),
        )
    return out


def _read_csv(path: Path) -> list[tuple[int, list[str]]]:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for rec in reader:
            rows.append((start, rec))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(f"not a readable CSV: {exc}", file=path, line=reader.line_num) from None
    return rows


@dataclass
class _FileResult:
    rows: list[dict[str, Any]]
    edition: str  # from the file name, e.g. MCS2024
    code: str
    warnings: list[str]
    capacity_only: bool = False


def _file_identity(path: Path) -> tuple[str, str]:
    m = _FILE_NAME.search(path.name)
    if not m:
        raise DataError(
            "cannot tell the commodity from the file name (expected mcs<YYYY>-<code>_world.csv)",
            file=path,
        )
    return f"MCS{m['edition']}", m["code"].casefold()


def _parse_file(path: Path) -> _FileResult:
    """One MCS world file → rows (country cells still raw) and warnings."""
    records = _read_csv(path)
    if not records:
        raise DataError("empty file", file=path)
    header = [_clean(h) for h in records[0][1]]
    folded = [h.casefold() for h in header]
    if "country" not in folded:
        raise DataError(
            "no 'Country' column (not an MCS world production table)",
            file=path,
            line=1,
            field="Country",
        )
    edition, code = _file_identity(path)
    material = find_material(code)
    if material is None:
        raise DataError(
            f"USGS commodity code {code!r} is not in the vocabulary "
            "(ketenradar/data/materials.csv, column usgs_codes)",
            file=path,
        )
    i_country = folded.index("country")
    i_source = folded.index("source") if "source" in folded else None
    warnings: list[str] = []
    if "type" in folded:
        i_type: int | None = folded.index("type")
    elif (
        i_country + 1 < len(header)
        and header[i_country + 1]
        and not _DATA_COLUMN.search(header[i_country + 1])
    ):
        i_type = i_country + 1
        warnings.append(
            f"{path.name}: no 'Type' column; column {header[i_type]!r} read as the type"
        )
    else:
        i_type = None
    notes = [i for i, h in enumerate(folded) if h in ("prod_notes", "prod_note")]
    i_note = notes[0] if notes else None
    prod = [c for i, h in enumerate(header) if (c := parse_prod_column(h, i, file=path))]
    if not prod:
        if any(h.startswith("cap_") for h in folded):
            return _FileResult(
                [],
                edition,
                code,
                [f"{path.name}: capacity columns only, no production (Prod_*) columns: skipped"],
                capacity_only=True,
            )
        raise DataError(
            "no production columns (expected Prod_<unit>_[est_]<year>)", file=path, line=1
        )
    years = Counter(c.year for c in prod)
    if dup := [y for y, n in years.items() if n > 1]:
        raise DataError(f"several production columns for year {dup[0]}", file=path, line=1)

    rows: list[dict[str, Any]] = []
    releases: set[str] = set()
    capacity_rows = 0
    untyped: list[dict[str, Any]] = []
    unknown_types: Counter[str] = Counter()
    for line, rec in records[1:]:
        if not any(c.strip() for c in rec):
            continue
        rec = rec + [""] * (len(header) - len(rec))
        country = rec[i_country]
        if not _clean(country):
            raise DataError("row without a country name", file=path, line=line, field="Country")
        source = _clean(rec[i_source]) if i_source is not None else ""
        if source:
            m = _SOURCE.fullmatch(source)
            if not m:
                raise DataError(
                    f"unrecognised Source {source!r} (expected MCS<YYYY>)",
                    file=path,
                    line=line,
                    field="Source",
                )
            release = f"MCS{m[1]}"
        else:  # MCS 2024 iron oxide pigments, garnet, zeolites: Source left empty
            release = edition
        releases.add(release)
        type_text = _clean(rec[i_type]) if i_type is not None else ""
        description = None if type_text in _TYPE_MARKERS else type_text
        if (
            description
            and _CAPACITY_TYPE.search(description)
            and not _PRODUCTION_WORD.search(description)
        ):
            capacity_rows += 1
            continue
        stage = stage_of(description)
        if description and stage is None:
            unknown_types[description] += 1
        note_text = _clean(rec[i_note]) if i_note is not None else ""
        group: list[dict[str, Any]] = []
        for col in prod:
            try:
                value, est_mark, marker = parse_value(rec[col.index])
            except ValueError as exc:
                raise DataError(str(exc), file=path, line=line, field=col.header) from None
            row = {
                "material": material.material,
                "source_name": code,
                "stage": stage,
                "description": description,
                "country": None,
                "country_label": country,  # raw for now; resolved across all files
                "row_type": None,
                "year": col.year,
                "value": value,
                "unit": col.unit,
                "estimated": col.estimated or est_mark,
                "note": "; ".join(t for t in (marker, note_text) if t) or None,
                "release": release,
            }
            rows.append(row)
            group.append(row)
        if description is None:
            untyped += group
    if capacity_rows:
        warnings.append(
            f"{path.name}: {capacity_rows} capacity rows (Type '... capacity ...') are not "
            "production: left out"
        )
    if untyped:
        stages = {r["stage"] for r in rows if r["description"] is not None} - {None}
        inherited = stages.pop() if len(stages) == 1 else None
        for r in untyped:
            r["stage"] = inherited
        n = len({(r["country_label"], r["release"]) for r in untyped})
        what = f"stage {inherited} as the file's other rows" if inherited else "stage NULL"
        warnings.append(f"{path.name}: {n} rows without a Type: {what}")
    for text, n in sorted(unknown_types.items()):
        warnings.append(f"{path.name}: type {text!r} matches no stage rule: stage NULL ({n} rows)")
    if releases and releases != {edition}:
        warnings.append(
            f"{path.name}: Source says {', '.join(sorted(releases))}, the file name {edition}"
        )
    return _FileResult(rows, edition, code, warnings)


# -- world totals ---------------------------------------------------------------------------


def rounding_tolerance(total: float) -> float:
    """Half a unit of the last significant non-zero digit: 170000 → 5000, 142000 → 500."""
    if total is None or not math.isfinite(total) or total == 0:
        return 0.0
    exponent = Decimal(format(abs(total), ".12g")).normalize().as_tuple().exponent
    return 0.5 * 10.0 ** int(exponent)


def _description_key(text: Any) -> str:
    if not isinstance(text, str) or not text:
        return ""
    t = re.sub(r"\b(world|total|rounded)\b", " ", text.casefold())
    return " ".join(re.sub(r"[^a-z0-9]+", " ", t).split())


CHECK_COLUMNS = [
    "release",
    "material",
    "description",
    "year",
    "unit",
    "world_label",
    "sum_countries",
    "world_total",
    "gap",
    "tolerance",
    "within_rounding",
    "n_rows",
    "n_missing",
]


def world_total_check(production: pd.DataFrame) -> pd.DataFrame:
    """Each stated world total against the sum of its country and ``other`` rows.

    One row per world total with a value, i.e. per (release, material, description, year),
    with ``world_label`` (the total's row label), ``sum_countries`` (sum of the known values;
    NaN when nothing matches), ``world_total``, ``gap`` = world_total − sum_countries,
    ``tolerance`` (:func:`rounding_tolerance`), ``within_rounding``, ``n_rows`` summed and
    ``n_missing`` of them without a value (W, NA: a reason for a gap).

    Which rows a total covers (within one release, material, year and unit):

    * one world total: every country and ``other`` row;
    * several (mine and refinery production; ilmenite and rutile; palladium and platinum):
      the rows whose type text equals the total's, ignoring "World", "total", "rounded" and
      punctuation, or else starts with it (``Ilmenite and rutile`` goes to ``Ilmenite``);
    * a total over other totals (its label has "and": ``World total (ilmenite and rutile,
      rounded)``, ``World total, natural and synthetic``, with two or more other totals)
      is compared with the sum of those totals;
    * a total "excluding U.S." (in its label, or a note saying only that) leaves out USA.
    """
    if production.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    p = production.copy()
    p["match_key"] = p["description"].map(_description_key)
    keys = ["release", "material", "year", "unit"]
    parts = p[p["row_type"].isin(["country", "other"])]
    by_group = dict(list(parts.groupby(keys)))
    out = []
    for k, world in p[p["row_type"] == "world"].groupby(keys):
        rows_all = by_group.get(k, parts.iloc[0:0])
        labels = world["country_label"].fillna("").str.casefold()
        # A total over other totals: 'World total (ilmenite and rutile, rounded)'.
        grand = (
            set(world.index[labels.str.contains(" and ", regex=False)]) if len(world) > 2 else set()
        )
        covered: dict[int, pd.DataFrame] = {}
        if len(world) == 1:
            covered[world.index[0]] = rows_all
        else:
            wkeys = {i: key for i, key in world["match_key"].items() if key and i not in grand}

            def assign(key: str, wkeys: dict[int, str] = wkeys) -> int | None:
                hits = [i for i, w in wkeys.items() if key == w or key.startswith(w + " ")]
                return max(hits, key=lambda i: len(wkeys[i])) if hits else None

            target = rows_all["match_key"].map(assign)
            for i in world.index:
                covered[i] = world.drop(index=[i, *grand]) if i in grand else rows_all[target == i]
        for i, w in world.iterrows():
            if pd.isna(w["value"]):
                continue
            rows = covered[i]
            label = w["country_label"] if isinstance(w["country_label"], str) else ""
            wdesc = w["description"] if isinstance(w["description"], str) else ""
            note = w["note"] if isinstance(w["note"], str) else ""
            if _EXCLUDES_US_LABEL.search(label) or _EXCLUDES_US_NOTE.fullmatch(note):
                rows = rows[rows["country"] != "USA"]
            descs = rows["description"].dropna().unique()
            description = wdesc or (descs[0] if len(descs) == 1 else None)
            total = float(w["value"])
            summed = float(rows["value"].sum()) if rows["value"].notna().any() else math.nan
            tol = rounding_tolerance(total)
            gap = total - summed
            out.append(
                {
                    "release": w["release"],
                    "material": w["material"],
                    "description": description,
                    "year": int(w["year"]),
                    "unit": w["unit"],
                    "world_label": label,
                    "sum_countries": summed,
                    "world_total": total,
                    "gap": gap,
                    "tolerance": tol,
                    "within_rounding": bool(math.isfinite(gap) and abs(gap) <= tol * (1 + 1e-9)),
                    "n_rows": len(rows),
                    "n_missing": int(rows["value"].isna().sum()),
                }
            )
    df = pd.DataFrame(out, columns=CHECK_COLUMNS)
    df["within_rounding"] = df["within_rounding"].astype(bool)
    return df.sort_values(["release", "material", "year", "world_label"], ignore_index=True)


def _check_warnings(check: pd.DataFrame, limit: int = 10) -> list[str]:
    def num(v: float) -> str:
        return f"{v:.15g}"

    bad = check[~check["within_rounding"]]
    msgs = []
    for r in bad.itertuples(index=False):
        if r.n_rows == 0:
            why = "no rows of that type to compare"
        else:
            why = (
                f"rows sum to {num(r.sum_countries)}, gap {num(r.gap)}, "
                f"rounding ±{num(r.tolerance)}"
            )
            if r.n_missing:
                why += f", {r.n_missing} rows without a value"
        msgs.append(
            f"{r.release} {r.material} {r.year} '{r.world_label}' = {num(r.world_total)} "
            f"{r.unit}: {why}"
        )
    if len(msgs) <= limit:
        return msgs
    return [
        f"{len(msgs)} of {len(check)} world totals differ from the sum of their rows by more "
        f"than the rounding (see world_total_check); first {limit}: " + " | ".join(msgs[:limit])
    ]


# -- parse and connector --------------------------------------------------------------------


def parse_usgs(paths: Sequence[Path], progress: Progress | None = None) -> ParsedSource:
    """Parse MCS world production files (or folders of them) into the ``production`` table.

    Raises :class:`DataError` on a malformed file; nothing is returned then.
    """
    files = production_files([Path(p) for p in paths])
    rows: list[dict[str, Any]] = []
    inputs: list[tuple[Path, str]] = []
    warnings: list[str] = []
    seen: dict[tuple[str, str], Path] = {}
    skipped: list[str] = []
    for n, path in enumerate(files):
        if progress:
            progress(f"parse {path.name}", n, len(files))
        res = _parse_file(path)
        ident = (res.edition, res.code)
        if ident in seen:
            raise DataError(
                f"{ident[0]} {ident[1]} is supplied by two files: {seen[ident]} and {path}",
                file=path,
            )
        seen[ident] = path
        rows += res.rows
        warnings += res.warnings
        inputs.append((path, "capacity_only" if res.capacity_only else "production"))
        if res.capacity_only:
            skipped.append(path.name)
    if progress:
        progress("countries and world totals", len(files), len(files))
    df = pd.DataFrame(rows, columns=COLUMNS)
    if len(df):
        resolved = resolve_countries(df["country_label"].tolist())
        lab = df["country_label"].map(lambda r: resolved[r][0])
        df["country"] = df["country_label"].map(lambda r: resolved[r][1])
        df["row_type"] = df["country_label"].map(lambda r: resolved[r][2])
        df["estimated"] = df["estimated"] | df["country_label"].map(lambda r: resolved[r][3])
        df["country_label"] = lab
        unknown = df[
            (df["row_type"] == "other") & ~df["country_label"].map(lambda s: bool(_OTHER.match(s)))
        ]
        if len(unknown):
            counts = unknown.groupby("country_label").size()
            warnings.append(
                f"{len(counts)} country names without ISO3 kept with country NULL and "
                "row_type 'other': " + ", ".join(f"{name} ({k} rows)" for name, k in counts.items())
            )
        df["year"] = df["year"].astype("int16")
        df["estimated"] = df["estimated"].astype(bool)
        df["value"] = df["value"].astype("float64")
    dup = df.duplicated(["release", "material", "description", "country_label", "year"], keep=False)
    if dup.any():
        d = df[dup].drop_duplicates(["release", "material", "description", "country_label"])
        warnings.append(
            f"{int(dup.sum())} rows repeat a (release, material, type, country, year): "
            + ", ".join(f"{r.release} {r.material} {r.country_label}" for r in d.itertuples())
        )
    check = world_total_check(df)
    warnings += _check_warnings(check)
    editions = sorted(df["release"].dropna().unique().tolist())
    release = (
        editions[0] if len(editions) == 1 else f"{editions[0]}-{editions[-1]}" if editions else ""
    )
    return ParsedSource(
        tables={"production": df},
        inputs=inputs,
        release=release,
        attributes={
            "years": sorted(int(y) for y in df["year"].unique()),
            "editions": editions,
            "materials": sorted(df["material"].unique().tolist()),
            "files": len(files),
            "skipped_files": skipped,
            "world_total_check": {
                "groups": len(check),
                "within_rounding": int(check["within_rounding"].sum()),
            },
        },
        warnings=warnings,
    )


class UsgsConnector:
    """USGS Mineral Commodity Summaries world production files (MCS 2022–2024 layouts)."""

    name: ClassVar[str] = "usgs"
    kind: ClassVar[str] = "mineral_production"
    description: ClassVar[str] = (
        "USGS Mineral Commodity Summaries: world mine and refinery production by country"
    )

    def ingest(
        self,
        paths: Sequence[Path],
        store: DataStore,
        *,
        dataset_name: str | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> IngestReport:
        """Parse the files strictly and write dataset ``usgs_mcs`` (or ``dataset_name``)."""
        if options:
            raise UsageError(f"unknown option(s) for usgs: {', '.join(options)}")
        parsed = parse_usgs(paths, progress=progress)
        if parsed.tables["production"].empty:
            raise DataError(
                "no production rows in the given files", file=", ".join(map(str, paths))
            )
        return write_tables_dataset(
            store,
            name=dataset_name or "usgs_mcs",
            source=self.name,
            kind=self.kind,
            parsed=parsed,
            licence=LICENCE,
            citation=CITATION,
            parser_version=PARSER_VERSION,
        )


__all__ = [
    "STAGE_RULES",
    "UsgsConnector",
    "parse_usgs",
    "parse_value",
    "rounding_tolerance",
    "stage_of",
    "world_total_check",
]
