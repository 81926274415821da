"""Which of a table's regions make up an economy or bloc, and which industries are services."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np

from ketenradar.core.errors import UsageError
from ketenradar.core.groups import GroupRegistry
from ketenradar.datasets.iotable import IOTable

#: Publisher region codes that are not ISO3 (WIOD 2013 uses ROM for Romania).
REGION_ISO3 = {"ROM": "ROU", "RoW": None, "ROW": None}


def region_iso3(code: str) -> str | None:
    """The ISO3 code of a table region (None for rest-of-world aggregates)."""
    return REGION_ISO3.get(code, code)


@dataclass(frozen=True)
class Economy:
    """An economy (one region) or bloc (several) of a table."""

    label: str
    regions: tuple[str, ...]
    mask: np.ndarray  # (n,) True for the economy's industries
    region_mask: np.ndarray  # (R,) True for the economy's regions

    def industries(self) -> np.ndarray:
        """Positions of the economy's industries."""
        return np.flatnonzero(self.mask)


def resolve_economy(table: IOTable, spec: str, registry: GroupRegistry) -> Economy:
    """``NLD``, ``EU27``, ``DEU,FRA`` or a table code like ``RoW`` → the table's regions.

    A bloc keeps the members the table has; members the table lacks are named in the error
    only when none is present. Unknown names get the closest known ones.
    """
    spec = spec.strip()
    if spec in table.regions:
        return _economy(table, spec, (spec,))
    try:
        group = registry.resolve(spec)
    except Exception as exc:  # NotFoundError, UsageError: add the table's own codes
        raise UsageError(_unknown(table, spec)) from exc
    by_iso = {region_iso3(r): r for r in table.regions}
    regions = tuple(by_iso[m] for m in sorted(group.members) if m in by_iso)
    if not regions:
        raise UsageError(_unknown(table, spec))
    return _economy(table, group.name, regions)


def _economy(table: IOTable, label: str, regions: tuple[str, ...]) -> Economy:
    region_mask = np.isin(np.array(table.regions), regions)
    mask = np.repeat(region_mask, len(table.sectors))
    return Economy(label, tuple(r for r in table.regions if r in regions), mask, region_mask)


def _unknown(table: IOTable, spec: str) -> str:
    close = difflib.get_close_matches(spec.upper(), [r.upper() for r in table.regions], n=3)
    hint = f"; closest: {', '.join(close)}" if close else ""
    return (
        f"'{spec}' is not a region of the {table.source} {table.year} table nor a group with "
        f"members in it{hint} (regions: {', '.join(table.regions)})"
    )


def sector_kinds(table: IOTable) -> dict[str, str]:
    """``goods`` or ``services`` per sector code of the table.

    Goods are ISIC rev.4 sections A–F (agriculture, mining, manufacturing, utilities,
    construction) and, for WIOD 2013's ``c1``–``c35``, ``c1``–``c18``; everything else is
    services.
    """
    out = {}
    for s in table.sectors:
        if s.startswith("c") and s[1:].isdigit():
            out[s] = "goods" if int(s[1:]) <= 18 else "services"
        else:
            out[s] = "goods" if s[:1].upper() in "ABCDEF" else "services"
    return out
