"""EU import reliance (IR) of the EU criticality method, from trade and production data.

European Commission (2017), *Methodology for establishing the EU list of critical raw
materials – Guidelines*, section 3.1.3 (doi:10.2873/769526)::

    IR = (extra-EU imports − extra-EU exports)
         / (EU production + extra-EU imports − extra-EU exports)

the EU's net imports from outside the EU over its apparent consumption, clipped to 0..1 (a
net exporter relies on imports for nothing). Here, per material:

* imports and exports are BACI quantities (metric tons) of the material's HS6 codes, between
  an EU27 member and a country outside the EU27 (intra-EU trade is left out);
* EU production is the sum over the EU27 members of World Mining Data's production of the
  material (kg converted to t; other units as stated);
* the HS codes and the production series are those of World Mining Data's HS-code map (the
  mapping the GeoPolRisk method uses; ``docs/methods/criticality.md`` lists them), one
  stage per material;
* each quantity is averaged over the years both sources hold in the assessment's reference
  period (2016–2020 for the 2023 assessment).

The function here is pure: frames in, a frame out; reading the data is
:mod:`ketenradar.modules.materials.assessment`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

#: Reference period of the EU 2023 assessment's supply data (the EC averaged 2016–2020).
REFERENCE_YEARS = {2023: tuple(range(2016, 2021)), 2020: tuple(range(2012, 2017))}

IR_COLUMNS = [
    "material",
    "ir_stage",
    "hs_codes",
    "ir_years",
    "eu_production_t",
    "extra_eu_imports_t",
    "extra_eu_exports_t",
    "apparent_consumption_t",
    "ir_computed",
    "ir_note",
]


def import_reliance(
    trade: pd.DataFrame,
    production: pd.DataFrame,
    hs_map: pd.DataFrame,
    years: Iterable[int],
) -> pd.DataFrame:
    """EU import reliance per material.

    ``trade``: ``year, product, direction, quantity_t`` with direction ``import`` (extra-EU
    imports of the EU27) or ``export`` (extra-EU exports), summed over partners;
    ``production``: ``material, year, production_t`` (EU27 total, tons);
    ``hs_map``: ``material, stage, hs_codes`` (``;``-separated HS6 codes);
    ``years``: the years to average over (those both sources hold are used).

    Returns :data:`IR_COLUMNS`, one row per material of ``hs_map`` with HS codes.
    """
    wanted = {int(y) for y in years}
    t_years = set(trade["year"].astype(int)) & wanted
    p_years = set(production["year"].astype(int)) & wanted
    use = sorted(t_years & p_years)
    rows = []
    hm = hs_map.dropna(subset=["material", "hs_codes"]).drop_duplicates("material")
    for rec in hm.itertuples(index=False):
        codes = [c.strip() for c in str(rec.hs_codes).split(";") if c.strip()]
        row = {
            "material": rec.material,
            "ir_stage": rec.stage,
            "hs_codes": ";".join(codes),
            "ir_years": f"{use[0]}–{use[-1]}" if use else None,
            "eu_production_t": None,
            "extra_eu_imports_t": None,
            "extra_eu_exports_t": None,
            "apparent_consumption_t": None,
            "ir_computed": None,
            "ir_note": None,
        }
        if not use:
            row["ir_note"] = "no year of the reference period in both trade and production data"
            rows.append(row)
            continue
        n = len(use)
        tr = trade[trade["product"].isin(codes) & trade["year"].astype(int).isin(use)]
        imp = float(tr.loc[tr["direction"] == "import", "quantity_t"].fillna(0).sum()) / n
        exp = float(tr.loc[tr["direction"] == "export", "quantity_t"].fillna(0).sum()) / n
        pr = production[
            (production["material"] == rec.material) & production["year"].astype(int).isin(use)
        ]
        prod = float(pr["production_t"].fillna(0).sum()) / n
        cons = prod + imp - exp
        row.update(
            eu_production_t=prod,
            extra_eu_imports_t=imp,
            extra_eu_exports_t=exp,
            apparent_consumption_t=cons,
        )
        if imp == 0 and exp == 0 and prod == 0:
            row["ir_note"] = "no EU production and no extra-EU trade in the data"
        elif imp - exp <= 0:
            row["ir_computed"] = 0.0
            row["ir_note"] = "net exporter outside the EU: IR 0"
        else:
            # prod ≥ 0 and imp − exp > 0, so cons > 0 and the ratio lies in (0, 1]
            row["ir_computed"] = (imp - exp) / cons
        rows.append(row)
    return pd.DataFrame(rows, columns=IR_COLUMNS)
