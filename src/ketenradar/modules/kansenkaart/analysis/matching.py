"""Matching suppliers to work packages (issue 17, item 6): who qualifies **now**, who would
**after closing gaps** (the missing certificates, with the typical time and cost to obtain
them), a readiness level on a four-step scale, and the bottlenecks. Pure functions on plain
tables (lists of mappings); no I/O (docs/methods/kansenkaart.md, "Matching and
localisation").

Readiness (the project's own adaptation of the idea behind the Nuclear AMRC "Fit For
Nuclear" programme — a staged view of how far a company is from supplying nuclear work; not
its scoring):

* **1 ambition** — the work package is an ambition only (no capability yet);
* **2 capability** — capability in the work package, none of the certificates asked held;
* **3 partly certified** — capability, some but not all of the certificates asked held;
* **4 qualified** — capability and every certificate asked held and valid at the reference
  date (also: capability where the requirements table asks no certificate).

A certificate counts as held when it has no end date or is valid on the reference date or
later (as :func:`ketenradar.modules.kansenkaart.suppliers.held`). Gaps close in parallel:
the time to close them is the longest of the missing certificates' times, the cost the sum.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

#: Fewer qualified suppliers than this in a work package with demand: a bottleneck.
DEFAULT_MIN_SUPPLIERS = 2

READINESS = {
    1: "ambition",
    2: "capability",
    3: "partly certified",
    4: "qualified",
}

MATCH_FIELDS = (
    "work_package",
    "supplier_id",
    "supplier",
    "province",
    "status",
    "readiness",
    "readiness_name",
    "basis",
    "from_year",
    "missing",
    "missing_count",
    "gap_months_low",
    "gap_months_high",
    "gap_cost_eur_low",
    "gap_cost_eur_high",
)
SUMMARY_FIELDS = (
    "work_package",
    "certificates",
    "qualified_now",
    "after_gaps",
    "demand_eur",
    "bottleneck",
)


def held_on(certifications: Iterable[Mapping[str, Any]], as_of: date) -> set[str]:
    """The certificates held on ``as_of``: no end date, or valid until then or later."""
    day = as_of.isoformat()
    return {
        str(c["certificate"])
        for c in certifications
        if not c.get("valid_until") or str(c["valid_until"])[:10] >= day
    }


def _gap(missing: Sequence[str], certificates: Mapping[str, Mapping[str, Any]]) -> list[Any]:
    """[months low, months high, cost low, cost high] to obtain ``missing`` (in parallel:
    the longest time, the summed cost); ``None`` where a certificate's figure is unknown."""
    if not missing:
        return [0.0, 0.0, 0.0, 0.0]
    months = [certificates.get(c, {}).get("months") for c in missing]
    costs = [certificates.get(c, {}).get("cost_eur") for c in missing]
    out: list[Any] = []
    for values, agg in ((months, max), (costs, sum)):
        for i in (0, 1):
            known = [v for v in values if v is not None]
            out.append(None if len(known) < len(values) else float(agg(v[i] for v in known)))
    return out


#: The fields of :func:`by_region`'s rows.
REGION_FIELDS = [
    "region",
    "region_name",
    "suppliers",
    "candidates",
    "qualified_now",
    "after_gaps",
    "best_readiness",
]


def match_suppliers(
    suppliers: Sequence[Mapping[str, Any]],
    required: Mapping[str, Sequence[str]],
    certificates: Mapping[str, Mapping[str, Any]],
    *,
    as_of: date,
    work_package: str | None = None,
) -> list[dict[str, Any]]:
    """One row per (work package, supplier) with a capability or an ambition in it (fields
    :data:`MATCH_FIELDS`), ordered by work package, readiness (highest first) and name.

    ``suppliers``: mappings with ``id``, ``name``, ``province``, ``capabilities`` (work
    package ids), ``certifications`` (``certificate``, ``valid_until``) and ``ambitions``
    (``work_package``, ``from_year``). ``required``: the certificates asked per work package
    (the requirements table). ``certificates``: per id ``months`` and ``cost_eur`` as
    ``(low, high)`` or ``None``. Work packages outside ``required`` are skipped."""
    rows: list[dict[str, Any]] = []
    need = {wp: tuple(dict.fromkeys(c)) for wp, c in required.items()}
    for s in suppliers:
        has = held_on(s.get("certifications") or (), as_of)
        caps = set(s.get("capabilities") or ())
        wants: dict[str, int] = {}
        for a in s.get("ambitions") or ():
            wp = str(a["work_package"])
            wants[wp] = min(int(a["from_year"]), wants.get(wp, 9999))
        for wp in dict.fromkeys([*caps, *wants]):
            if wp not in need or (work_package is not None and wp != work_package):
                continue
            asked = need[wp]
            missing = [c for c in asked if c not in has]
            if wp in caps:
                if not missing:
                    level = 4
                elif len(missing) < len(asked):
                    level = 3
                else:
                    level = 2
                basis, year = "capability", None
            else:
                level, basis, year = 1, "ambition", wants[wp]
            gap = _gap(missing, certificates)
            rows.append(
                {
                    "work_package": wp,
                    "supplier_id": s.get("id"),
                    "supplier": s.get("name"),
                    "province": s.get("province"),
                    "status": "qualified_now" if level == 4 else "after_gaps",
                    "readiness": level,
                    "readiness_name": READINESS[level],
                    "basis": basis,
                    "from_year": year,
                    "missing": ", ".join(missing),
                    "missing_count": len(missing),
                    "gap_months_low": gap[0],
                    "gap_months_high": gap[1],
                    "gap_cost_eur_low": gap[2],
                    "gap_cost_eur_high": gap[3],
                }
            )
    rows.sort(key=lambda r: (r["work_package"], -r["readiness"], str(r["supplier"])))
    return rows


def summarise(
    matches: Sequence[Mapping[str, Any]],
    required: Mapping[str, Sequence[str]],
    *,
    demand: Mapping[str, float] | None = None,
    min_suppliers: int = DEFAULT_MIN_SUPPLIERS,
    work_package: str | None = None,
) -> list[dict[str, Any]]:
    """Per work package (fields :data:`SUMMARY_FIELDS`): the suppliers qualified now, those
    qualified after closing gaps (now included), the demand (``None`` without one) and
    ``bottleneck``: demand above zero (every work package when no demand is given) and fewer
    than ``min_suppliers`` qualified now."""
    now: dict[str, int] = {}
    later: dict[str, int] = {}
    for m in matches:
        wp = m["work_package"]
        later[wp] = later.get(wp, 0) + 1
        if m["status"] == "qualified_now":
            now[wp] = now.get(wp, 0) + 1
    rows = []
    for wp, asked in required.items():
        if work_package is not None and wp != work_package:
            continue
        d = None if demand is None else float(demand.get(wp, 0.0))
        has_demand = d is None or d > 0
        rows.append(
            {
                "work_package": wp,
                "certificates": ", ".join(asked),
                "qualified_now": now.get(wp, 0),
                "after_gaps": later.get(wp, 0),
                "demand_eur": d,
                "bottleneck": bool(has_demand and now.get(wp, 0) < min_suppliers),
            }
        )
    return rows


def by_region(
    matches: Sequence[Mapping[str, Any]],
    region_of: Mapping[Any, tuple[str | None, str | None]],
) -> list[dict[str, Any]]:
    """Per region (fields :data:`REGION_FIELDS`): the suppliers located there
    (``suppliers``), those with a row in ``matches`` (``candidates``: a capability or an
    ambition in the work packages matched), those qualified now in at least one
    (``qualified_now``), those qualified now or after closing gaps in at least one
    (``after_gaps``) and the highest readiness level there (``best_readiness``, empty without
    candidates). ``region_of``: supplier id → (region key, region name); a supplier without
    a region counts under the key ``None``, so nobody is dropped. Ordered by region name,
    the unlocated last."""
    best: dict[Any, int] = {}
    now: set[Any] = set()
    for m in matches:
        sid = m["supplier_id"]
        best[sid] = max(best.get(sid, 0), int(m["readiness"]))
        if m["status"] == "qualified_now":
            now.add(sid)
    rows: dict[str | None, dict[str, Any]] = {}
    for sid, (key, name) in region_of.items():
        r = rows.setdefault(
            key,
            {
                "region": key,
                "region_name": name,
                "suppliers": 0,
                "candidates": 0,
                "qualified_now": 0,
                "after_gaps": 0,
                "best_readiness": None,
            },
        )
        r["suppliers"] += 1
        if sid in best:
            r["candidates"] += 1
            r["after_gaps"] += 1
            r["qualified_now"] += sid in now
            r["best_readiness"] = max(r["best_readiness"] or 0, best[sid])
    return sorted(rows.values(), key=lambda r: (r["region"] is None, str(r["region_name"])))


def bottlenecks(summary: Sequence[Mapping[str, Any]]) -> list[str]:
    """The work packages :func:`summarise` marks as bottlenecks."""
    return [str(r["work_package"]) for r in summary if r["bottleneck"]]


def supplier_fit(
    supplier: Mapping[str, Any],
    required: Mapping[str, Sequence[str]],
    certificates: Mapping[str, Mapping[str, Any]],
    *,
    as_of: date,
) -> list[dict[str, Any]]:
    """What one company could supply, when and what it lacks: its rows of
    :func:`match_suppliers` plus ``earliest_year`` — the reference year when qualified now;
    else the later of its ambition's year and the reference date plus the longest time to
    close its gaps (high estimate), as the calendar year of that month (``None`` when a
    time is unknown)."""
    rows = match_suppliers([supplier], required, certificates, as_of=as_of)
    for r in rows:
        months = r["gap_months_high"]
        if months is None:
            r["earliest_year"] = None
            continue
        year = (as_of.year * 12 + as_of.month - 1 + math.ceil(months)) // 12
        r["earliest_year"] = max(year, r["from_year"] or 0)
    return rows


def localisation_share(
    demand: Mapping[str, float],
    summary: Sequence[Mapping[str, Any]],
    *,
    min_qualified: int = 1,
) -> dict[str, float | None]:
    """The demand Dutch suppliers could deliver: a work package counts as localisable
    **now** when at least ``min_qualified`` suppliers qualify now, **after gaps** when that
    many would after closing gaps; its whole demand counts (no capacity cap). Returns the
    total demand, the localisable demand and the shares (``None`` when there is no demand)."""
    by = {r["work_package"]: r for r in summary}
    total = now = later = 0.0
    for wp, d in demand.items():
        d = float(d)
        total += d
        r = by.get(wp)
        if r is None:
            continue
        if r["qualified_now"] >= min_qualified:
            now += d
        if r["after_gaps"] >= min_qualified:
            later += d
    return {
        "demand_eur": total,
        "localisable_now_eur": now,
        "localisable_after_gaps_eur": later,
        "share_now": now / total if total else None,
        "share_after_gaps": later / total if total else None,
    }
