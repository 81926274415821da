"""One material vocabulary across the EU CRM assessment, USGS MCS and World Mining Data.

The mapping lives in ``ketenradar/data/materials.csv`` (documented in
``docs/methods/materials.md``): one row per harmonised material id with the names each
publisher uses for it. Every connector maps its publisher's names through this table, so an
analysis can join EU supply shares, USGS production and WMD production on ``material``.
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
        keys = [m.material, m.name, *m.eu_crm_names, *m.usgs_codes, *m.wmd_sheets]
        for k in keys:
            idx.setdefault(_norm(k), m)
            idx.setdefault(_norm(k.replace("_", " ")), m)
    return idx


def find_material(name: str) -> Material | None:
    """The material a publisher's name, code or our id stands for, or ``None``."""
    return _index().get(_norm(name))


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
