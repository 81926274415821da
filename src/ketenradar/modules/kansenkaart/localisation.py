"""Localisation reference figures of the kansenkaart (issue 17, item 6): the published
localisation targets (anchors; each with its source, *not* the project's computation) and
the ACCERT/IAT localisation assumptions of ``nuclear_costs/accert_2025/iat/lr_localization.csv``
as a reference scenario — the share of a large reactor's cost those assumptions make
domestic per listed country, and per work package of the taxonomy
(docs/methods/kansenkaart.md, "Matching and localisation")."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Any

from ketenradar.core.errors import DataError, NotFoundError

#: Published targets and outcomes: (anchor, share low 0–1, share high 0–1 or None, source).
ANCHORS: tuple[tuple[str, float | None, float | None, str], ...] = (
    (
        "NRG-Pallas research reactor (Petten): Dutch share of project scope",
        None,
        0.43,
        "NRG-Pallas, published statement on Dutch suppliers' share: up to 43 % of the "
        "project's scope (as cited in issue 17)",
    ),
    (
        "Dukovany II (Czechia): local participation target",
        0.60,
        None,
        "KHNP / ČEZ, Dukovany II contract announcement: target of 60 % Czech industry "
        "participation (as cited in issue 17)",
    ),
    (
        "Polish nuclear power programme: local content target",
        0.40,
        None,
        "Polish Nuclear Power Programme (PPEJ, 2020 update): local content of at least 40 % "
        "(as cited in issue 17)",
    ),
    (
        "Hinkley Point C (UK): UK share of construction spend",
        0.60,
        None,
        "EDF Energy, Hinkley Point C socio-economic reports: more than 60 % of construction "
        "spend with UK companies (as cited in issue 17)",
    ),
)

LR_FILE = Path("nuclear_costs") / "accert_2025" / "iat" / "lr_localization.csv"
CATEGORIES = ("equipment", "material", "labor", "land", "catchall")


def _num(text: str | None) -> float:
    """A cell as a number: empty is 0."""
    return float(text) if text not in (None, "") else 0.0


def accert_localisation(
    shared: Path | str | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The ACCERT/IAT large-reactor localisation assumptions per country and work package:
    rows ``country``, ``work_package`` (``None``: the whole plant), ``cost_share`` (the work
    package's share of the plant's cost in the file) and ``domestic_share`` (of that cost,
    domestic under the assumptions: Σ category share × localisation); and the dataset record.

    An account's domestic share is Σ over equipment, material, labour, land and catch-all
    of the category's share of the account times the country's localisation of it (empty
    cells count as 0). Accounts map onto work packages by the taxonomy's ``gncoa`` rules
    (longest prefix); an account none maps goes to ``unmapped``."""
    from ketenradar.modules.kansenkaart.references import load_taxonomy, shared_root

    path = shared_root(shared) / LR_FILE
    if not path.is_file():
        raise NotFoundError(
            f"{LR_FILE} not found under {path.parents[3]} (set KETENRADAR_SHARED_DATA)",
            field="shared",
        )
    raw = path.read_bytes()
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
    if not rows or "coa_breakdown" not in rows[0]:
        raise DataError(f"{path}: no coa_breakdown column", field="shared")
    countries = sorted(
        {k.split("_localization_")[0] for k in rows[0] if "_localization_" in k},
    )
    tax = load_taxonomy()
    cost: dict[str, float] = {}
    domestic: dict[tuple[str, str], float] = {}
    for r in rows:
        weight = _num(r["coa_breakdown"])
        wp = tax.assign(str(r["account"]).strip(), "gncoa") or "unmapped"
        cost[wp] = cost.get(wp, 0.0) + weight
        for c in countries:
            local = sum(
                _num(r.get(f"category_share_{k}")) * _num(r.get(f"{c}_localization_{k}"))
                for k in CATEGORIES
            )
            domestic[(c, wp)] = domestic.get((c, wp), 0.0) + weight * local
    total = sum(cost.values())
    out: list[dict[str, Any]] = []
    for c in countries:
        dom = sum(v for (cc, _), v in domestic.items() if cc == c)
        out.append(
            {
                "country": c,
                "work_package": None,
                "cost_share": 1.0,
                "domestic_share": dom / total if total else None,
            }
        )
        for wp, w in cost.items():
            out.append(
                {
                    "country": c,
                    "work_package": wp,
                    "cost_share": w / total if total else None,
                    "domestic_share": domestic[(c, wp)] / w if w else None,
                }
            )
    record = {
        "dataset": "accert_iat_lr_localization",
        "source": "ACCERT (accert-dev/ACCERT), src/iat/data/lr_localization.csv",
        "release": "commit 141d52f1dab36a20e2b197daece651118a2d027a",
        "version": hashlib.sha256(raw).hexdigest()[:12],
        "licence": "Apache-2.0",
        "citation": "ACCERT: Algorithm for the Capital Cost Estimation of Reactor Technologies, "
        "INL/ANL, international adjustment tool (IAT)",
        "inputs": [{"path": str(LR_FILE), "sha256": hashlib.sha256(raw).hexdigest()}],
    }
    return out, record
