"""A bill of materials as stockpile items (``ketenradar stockpile plan --bom NAME``).

A BOM (the materials module's format, ``docs/methods/bom.md``) names the materials of one
unit of a system and the components they sit in. As stockpile items it gives:

- its **materials** (summed over the tree, kg per unit of the system): planned like any
  material, on the importer's data; with ``units_per_year`` their annual demand is the
  programme's (units a year × kg per unit), not the country's;
- its **components** (the system's direct parts, e.g. the radar's array faces): item
  ``<bom>/<component>``, kind ``component``. A component is short when any of its materials is
  short (its materials are used in fixed proportions, as in a Leontief technology), so its
  exposure to a supplier is the **largest** exposure of its materials to that supplier: exact
  when one supplier halts at a time and the materials' gaps close at the same pace; when
  several halt at once their gaps add up (capped at the whole demand), which can overstate the
  component's shortfall (an upper bound). Its demand and stock are in tonnes of its material
  content (the component count a year × its kg); there is no trade price for a component, so
  its costs need the user's ``price_usd_per_t``. A component is by default **specific** (made
  for one system), **certified** and bought by **one** firm (the letter's "very specific
  components used by one or a few firms"); an analyst overrides any of these in the item
  inputs.

``docs/methods/stockpile.md``, section *Bills of materials*, documents these choices.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.core.errors import DataError, NotFoundError, UsageError
from ketenradar.core.vocabularies.materials import find_material

# the materials module's public API (tests/unit/test_import_rules.py)
from ketenradar.modules.materials.api import (
    BOM_PATH_SEPARATOR,
    Bom,
    bom_lines,
    load_bom,
    packaged_boms,
)
from ketenradar.modules.stockpile import candidates as cand

#: What a component is assumed to be unless the item inputs say otherwise (see above).
COMPONENT_DEFAULTS: dict[str, Any] = {
    "specificity": "specific",
    "certification_required": True,
    "n_buyers": 1,
}

KG_PER_T = 1000.0


@dataclass(frozen=True)
class BomItems:
    """A BOM read as stockpile items: its materials (kg per unit of the system) and its
    components (their materials, kg per unit of the system, and counts per system)."""

    name: str  #: the packaged name or the file's stem
    path: str
    system: str
    illustrative: bool
    materials: dict[str, float]  #: material id → kg per unit of the system, largest first
    components: dict[str, dict[str, float]]  #: component → material → kg per unit of system
    counts: dict[str, float]  #: component → how many per system

    def component_id(self, component: str) -> str:
        """The item id of a component: ``<bom>/<component>``."""
        return f"{self.name}/{component}"


def read_bom_items(bom: str | Path) -> BomItems:
    """A packaged BOM by name (``naval_aesa_radar``, ``naval_ship_hull``, ``mri_scanner``) or a
    BOM file, as stockpile items. Its unit must be ``mass_kg`` (a stock is in tonnes)."""
    packaged = packaged_boms()
    path = Path(packaged[str(bom)]) if str(bom) in packaged else Path(bom)
    if not path.exists():
        raise NotFoundError(
            f"no BOM '{bom}': neither a packaged BOM ({', '.join(sorted(packaged))}) nor a file",
            field="bom",
        )
    doc: Bom = load_bom(path)
    if doc.unit != "mass_kg":
        raise DataError(
            f"BOM {path.name} gives its materials in '{doc.unit}'; a stock plan needs masses "
            "(unit: mass_kg)",
            field="bom.unit",
            file=str(path),
        )
    df = bom_lines(doc)
    if df.empty:
        raise DataError(f"BOM {path.name} lists no material", field="bom", file=str(path))
    mats = df.groupby("material", sort=False)["quantity"].sum().sort_values(ascending=False)
    top = df["path"].str.split(BOM_PATH_SEPARATOR, n=2, regex=False).str[1]
    components: dict[str, dict[str, float]] = {}
    for comp, part in df.assign(component=top).groupby("component", sort=False):
        kg = part.groupby("material", sort=False)["quantity"].sum()
        components[str(comp)] = {str(m): float(q) for m, q in kg.items() if q > 0}
    counts = {c.name: float(c.quantity) for c in doc.root.children}
    name = next((k for k, p in packaged.items() if Path(p) == path), path.stem)
    return BomItems(
        name=name,
        path=str(path),
        system=doc.system,
        illustrative=doc.illustrative,
        materials={str(m): float(q) for m, q in mats.items() if q > 0},
        components=components,
        counts=counts,
    )


def shortage_costs_from_system_value(bom: BomItems, system_value_eur: float) -> dict[str, float]:
    """The value at stake per tonne short of each BOM item, from the value of one system: a
    tonne of material m short stops ``1000 / kg_m`` systems (its kg per system; fixed
    proportions), so ``c_u = system value × 1000 / kg_m`` euros per tonne; the same for a
    component with its kg of content. The newsvendor's shortage cost (an upper bound: it
    assumes no other use for the material and no substitute)."""
    if not (math.isfinite(float(system_value_eur)) and float(system_value_eur) > 0):
        raise UsageError(
            f"system value is {system_value_eur}; allowed: euros above 0 (one unit's value)",
            field="system_value_eur",
        )
    out = {m: float(system_value_eur) * KG_PER_T / kg for m, kg in bom.materials.items()}
    for comp, mats in bom.components.items():
        out[bom.component_id(comp)] = float(system_value_eur) * KG_PER_T / sum(mats.values())
    return out


def _material_key(key: str) -> str:
    m = None if (key.isdigit() and len(key) == 6) else find_material(key)
    return m.material if m is not None else key


def split_inputs(
    bom: BomItems,
    inputs: Mapping[str, Any] | None,
    units_per_year: float | None,
) -> tuple[dict[str, Any], dict[str, cand.ItemInputs]]:
    """The item inputs split in two: those of the candidates (materials and products), with the
    programme's annual demand added to each BOM material when ``units_per_year`` is given and
    the user set none; and those of the components (``<bom>/<component>`` keys), validated,
    with :data:`COMPONENT_DEFAULTS` where the user set nothing."""
    if units_per_year is not None and not (
        math.isfinite(float(units_per_year)) and float(units_per_year) > 0
    ):
        raise UsageError(
            f"units per year is {units_per_year}; allowed: a number above 0 (e.g. 2)",
            field="units_per_year",
        )
    ids = {bom.component_id(c): c for c in bom.components}
    mine: dict[str, cand.ItemInputs] = {}
    rest: dict[str, Any] = {}
    for key, value in (inputs or {}).items():
        if str(key) in ids:
            try:
                given = (
                    value.model_dump(exclude_unset=True)
                    if isinstance(value, cand.ItemInputs)
                    else dict(value)
                )
                mine[str(key)] = cand.ItemInputs.model_validate({**COMPONENT_DEFAULTS, **given})
            except (TypeError, ValueError) as e:
                raise DataError(
                    f"bad inputs for component {key}: {e}", field=f"inputs.{key}"
                ) from None
        else:
            rest[str(key)] = value
    for cid in ids:
        mine.setdefault(cid, cand.ItemInputs.model_validate(COMPONENT_DEFAULTS))
    if units_per_year is not None:
        by_id = {_material_key(str(k)): k for k in rest}
        for material, kg in bom.materials.items():
            demand = float(units_per_year) * kg / KG_PER_T
            key = by_id.get(material)
            if key is None:
                rest[material] = {"annual_demand_t": demand}
                continue
            value = rest[key]
            given = (
                value.model_dump(exclude_unset=True)
                if isinstance(value, cand.ItemInputs)
                else dict(value)
            )
            given.setdefault("annual_demand_t", demand)
            rest[key] = given
    return rest, mine


def component_rows(
    bom: BomItems,
    table: pd.DataFrame,
    exposure: Mapping[str, Mapping[str, float]],
    inputs: Mapping[str, cand.ItemInputs],
    units_per_year: float | None,
    usd_per_eur: float | None,
) -> tuple[pd.DataFrame, dict[str, dict[str, float]], dict[str, str]]:
    """The components' rows (the candidates table's columns), their exposures (supplier → the
    largest exposure of their materials) and, per component without one, the reason."""
    by_item = table.set_index("item")
    first = table.iloc[0] if len(table) else None
    rows: list[dict[str, Any]] = []
    exp_out: dict[str, dict[str, float]] = {}
    why: dict[str, str] = {}
    for comp, mats in bom.components.items():
        cid = bom.component_id(comp)
        inp = inputs[cid]
        kg = sum(mats.values())
        notes = [
            f"component of {bom.system}: {bom.counts.get(comp, 1):g} per system, "
            f"{kg:,.4g} kg of materials per system; demand and stock in tonnes of that content"
        ]
        exp: dict[str, float] = {}
        missing = []
        for m in mats:
            e = exposure.get(m) or {}
            if not e:
                missing.append(m)
            for sup, share in e.items():
                exp[sup] = max(exp.get(sup, 0.0), float(share))
        if missing:
            notes.append(
                "materials without an exposure (no data, or no supplier outside the "
                f"importer): {', '.join(missing)}"
            )
        if inp.annual_demand_t is not None:
            demand, source = float(inp.annual_demand_t), "user"
        elif units_per_year is not None:
            demand, source = float(units_per_year) * kg / KG_PER_T, "user"
        else:
            demand, source = math.nan, "none"
            notes.append("no demand: give the units per year (--units-per-year)")
        top = max(exp, key=lambda s: (exp[s], s)) if exp else None
        row: dict[str, Any] = dict.fromkeys(table.columns, np.nan)
        row.update(
            item=cid,
            name=f"{comp} ({bom.system})",
            item_kind="component",
            importer=first["importer"] if first is not None else None,
            year=first["year"] if first is not None else None,
            annual_demand_t=demand,
            demand_source=source,
            import_reliance=max(
                (
                    float(by_item.at[m, "import_reliance"])
                    for m in mats
                    if m in by_item.index and pd.notna(by_item.at[m, "import_reliance"])
                ),
                default=np.nan,
            ),
            top_supplier=top,
            top_supplier_share=np.nan,
        )
        resolved = inp.model_copy(
            update={
                "special_storage": bool(inp.special_storage),
                "exchange_traded": bool(inp.exchange_traded),
            }
        )
        for c in cand.INPUT_COLUMNS:
            row[c] = getattr(resolved, c)
        if inp.price_usd_per_t is not None:
            from ketenradar.modules.stockpile import prices as px

            rate = px.usd_per_eur(int(row["year"]), usd_per_eur) if row["year"] else None
            row["price_usd_per_t"] = inp.price_usd_per_t
            row["price_eur_per_t"] = inp.price_usd_per_t / rate if rate else np.nan
            notes.append("price: the user's")
        if top is not None:
            notes.append(
                "exposure: per supplier the largest of its materials' (they are used together)"
            )
        row["note"] = "; ".join(notes)
        rows.append(row)
        if demand > 0 and exp:
            exp_out[cid] = exp
        else:
            exp_out[cid] = {}
            why[cid] = (
                "no annual demand: no stock computed"
                if not demand > 0
                else "no material of it has a supplier outside the importer"
            )
    return pd.DataFrame(rows, columns=table.columns), exp_out, why
