"""Mutual dependency in value added: the economy in its partners' final demand and back.

With ``M[c, d]`` the value added of region c embodied in the final demand of region d
(``Σ_{i∈c} v_i (L y_d)_i``; Johnson & Noguera 2012's value-added exports), for an economy E
and each partner P:

* ``importer_dependent_va_musd = M[P, E]``: P's value added in E's final demand — what E
  depends on P for; ``importer_dependent_share`` is that over all value added in E's final
  demand;
* ``partner_dependent_va_musd = M[E, P]``: E's value added in P's final demand — what P
  depends on E for; ``partner_dependent_share`` is that over all value added in P's final
  demand;
* ``balance_ratio_va`` = partner-dependent / importer-dependent, and ``balance_ratio_share``
  the same for the shares: above 1 the partner depends more on E than E on the partner.

The columns mirror ``ketenradar balance`` (issue 2's product-level balance: ``partner``,
``importer_dependent_*``, ``partner_dependent_*``, ``balance_ratio_*``) so that both views can
be joined on ``importer``, ``partner`` and ``year``. With basis ``final_output`` (the only one
the ICIO benchmark arrays allow) final demand is replaced by the final output of each region's
industries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ketenradar.core.errors import UsageError
from ketenradar.modules.io.analysis.exposure import BASES
from ketenradar.modules.io.analysis.model import IOModel
from ketenradar.modules.io.analysis.regions import Economy, region_iso3


def va_origin_destination(model: IOModel, basis: str = "final_demand") -> np.ndarray:
    """``M[c, d]``: value added of region c in the final demand (or output) of region d."""
    t = model.table
    R, S = len(t.regions), len(t.sectors)
    if basis not in BASES:
        raise UsageError(f"unknown basis '{basis}' (choose {' or '.join(BASES)})")
    if basis == "final_demand":
        if t.Y is None:
            raise UsageError(
                f"the {t.source} {t.year} table does not split final demand by destination; "
                "use basis 'final_output'"
            )
        Yd = t.Y.sum(axis=2)  # (n, R)
    else:
        Yd = np.zeros((t.n, R))
        Yd[np.arange(t.n), np.repeat(np.arange(R), S)] = t.y_total
    VA = model.embodied_va(Yd)  # (n, R)
    return VA.reshape(R, S, R).sum(axis=1)


def va_balance(
    model: IOModel, econ: Economy, basis: str = "final_demand", partners: list[str] | None = None
) -> pd.DataFrame:
    """One row per partner region outside E: value added each way and the balance ratios."""
    t = model.table
    M = va_origin_destination(model, basis)
    e = econ.region_mask
    into_e = M[:, e].sum(axis=1)  # each region's VA in E's final demand
    from_e = M[e, :].sum(axis=0)  # E's VA in each region's final demand
    total_in_e = into_e.sum()
    total_in = M.sum(axis=0)  # all VA in each region's final demand
    rows = []
    for r, region in enumerate(t.regions):
        if e[r] or (partners is not None and region not in partners):
            continue
        imp, par = into_e[r], from_e[r]
        imp_s = imp / total_in_e if total_in_e else np.nan
        par_s = par / total_in[r] if total_in[r] else np.nan
        rows.append(
            {
                "importer": econ.label,
                "partner": region,
                "partner_iso3": region_iso3(region),
                "partner_name": t.region_names.get(region, region),
                "year": t.year,
                "basis": basis,
                "importer_dependent_va_musd": imp,
                "importer_dependent_share": imp_s,
                "partner_dependent_va_musd": par,
                "partner_dependent_share": par_s,
                "balance_ratio_va": par / imp if imp else np.inf,
                "balance_ratio_share": par_s / imp_s if imp_s else np.inf,
            }
        )
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    order = (df["importer_dependent_va_musd"] + df["partner_dependent_va_musd"]).rank(
        ascending=False, method="first"
    )
    return df.iloc[np.argsort(order.to_numpy())].reset_index(drop=True)
