"""How an economy depends on foreign country-industries: direct inputs and embodied value added.

For an economy E (a region or a bloc) of a table with n country-industries:

* **direct dependency** of E's industry j on source i: ``Z_ij / Σ_k Z_kj`` — the share of j's
  intermediate inputs bought from i;
* **value added embodied in E's final demand** (consumption basis, the OECD TiVA "FDVA"
  view): ``v̂ L y_E`` where ``y_E`` is the final demand of E's residents for every
  country-industry's output (all categories); entry i is the value added of source i that
  ends up in E's final demand;
* **value added embodied in E's final output** (production basis, Timmer et al. 2014's
  "GVC income" view): ``v̂ L ŷ_E^prod`` with ``ŷ_E^prod`` the final output of E's industries
  (whoever buys it); the only basis the ICIO benchmark arrays allow, because they do not say
  where final demand goes;
* **value added embodied in E's exports**: ``v̂ L e_E`` with ``e_E`` E's gross exports
  (intermediate and final) to regions outside E; the foreign part over ``1'e_E`` is the
  foreign value-added share of exports (Hummels et al. 2001's vertical specialisation,
  computed with the full Leontief inverse as in the OECD TiVA indicator EXGR_FVA);
* **foreign value-added content** of E's industry j: ``Σ_{i∉E} v_i L_ij``, value added from
  abroad per unit of j's final output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ketenradar.core.errors import UsageError
from ketenradar.datasets.iotable import IOTable
from ketenradar.modules.io.analysis.model import IOModel
from ketenradar.modules.io.analysis.regions import Economy, sector_kinds

BASES = ("final_demand", "final_output")


def final_demand_vector(table: IOTable, econ: Economy, basis: str) -> np.ndarray:
    """The final-demand vector whose embodied value added is measured (see module doc)."""
    if basis not in BASES:
        raise UsageError(f"unknown basis '{basis}' (choose {' or '.join(BASES)})")
    if basis == "final_output":
        return np.where(econ.mask, table.y_total, 0.0)
    if table.Y is None:
        raise UsageError(
            f"the {table.source} {table.year} table does not split final demand by "
            "destination, so value added in the economy's final demand cannot be computed; "
            "use basis 'final_output' (value added in the final output of the economy's "
            "industries) or a table with final demand by country (WIOD, the OECD ICIO CSV)"
        )
    return table.Y[:, econ.region_mask, :].sum(axis=(1, 2))


def exports_vector(table: IOTable, econ: Economy) -> np.ndarray | None:
    """Gross exports of E's industries to regions outside E; None without final demand by
    destination (then final-goods exports are unknown)."""
    if table.Y is None:
        return None
    inter = table.Z[:, ~econ.mask].sum(axis=1)
    final = table.Y[:, ~econ.region_mask, :].sum(axis=(1, 2))
    return np.where(econ.mask, inter + final, 0.0)


def _labels(table: IOTable) -> pd.DataFrame:
    idx = table.index()
    kinds = sector_kinds(table)
    idx["region_name"] = idx["region"].map(table.region_names).fillna(idx["region"])
    idx["sector_name"] = idx["sector"].map(table.sector_names).fillna("")
    idx["kind"] = idx["sector"].map(kinds)
    return idx


def exposure_by_source(model: IOModel, econ: Economy, basis: str = "final_demand") -> pd.DataFrame:
    """One row per source country-industry: direct inputs and embodied value added in E."""
    t = model.table
    e = exports_vector(t, econ)
    demand = np.column_stack(
        [
            final_demand_vector(t, econ, basis),
            np.where(econ.mask, t.y_total, 0.0),
            e if e is not None else np.zeros(t.n),
        ]
    )
    va = model.embodied_va(demand)  # one solve for the three final-demand vectors
    va_fd, va_out = va[:, 0], va[:, 1]
    va_exp = va[:, 2] if e is not None else np.full(t.n, np.nan)
    direct = t.Z[:, econ.mask].sum(axis=1)
    lab = _labels(t)
    df = pd.DataFrame(
        {
            "economy": econ.label,
            "year": t.year,
            "source_country": lab["region"],
            "source_country_name": lab["region_name"],
            "source_industry": lab["sector"],
            "source_industry_name": lab["sector_name"],
            "source_kind": lab["kind"],
            "domestic": econ.mask,
            "direct_inputs_musd": direct,
            "direct_input_share": direct / direct.sum() if direct.sum() else np.nan,
            "embodied_va_musd": va_fd,
            "embodied_va_share": va_fd / va_fd.sum() if va_fd.sum() else np.nan,
            "va_in_final_output_musd": va_out,
            "va_in_exports_musd": va_exp,
            "basis": basis,
        }
    )
    df = df.sort_values(["domestic", "embodied_va_musd"], ascending=[True, False], kind="stable")
    df.insert(2, "rank", np.nan)
    foreign = ~df["domestic"]
    df.loc[foreign, "rank"] = np.arange(1, int(foreign.sum()) + 1)
    df["rank"] = df["rank"].astype("Int64")
    return df.reset_index(drop=True)


def exposure_by_country(by_source: pd.DataFrame) -> pd.DataFrame:
    """The source rows summed per source country, with the goods/services split."""
    cols = [
        "direct_inputs_musd",
        "embodied_va_musd",
        "va_in_final_output_musd",
        "va_in_exports_musd",
    ]
    keys = ["economy", "year", "source_country", "source_country_name", "domestic"]
    g = by_source.groupby(keys, sort=False, dropna=False)[cols].sum(min_count=1).reset_index()
    svc = (
        by_source[by_source["source_kind"] == "services"]
        .groupby("source_country", sort=False)["embodied_va_musd"]
        .sum()
    )
    g["services_va_musd"] = g["source_country"].map(svc).fillna(0.0)
    total_direct = by_source["direct_inputs_musd"].sum()
    total_va = by_source["embodied_va_musd"].sum()
    g["direct_input_share"] = g["direct_inputs_musd"] / total_direct if total_direct else np.nan
    g["embodied_va_share"] = g["embodied_va_musd"] / total_va if total_va else np.nan
    g["basis"] = by_source["basis"].iat[0]
    g = g.sort_values(["domestic", "embodied_va_musd"], ascending=[True, False], kind="stable")
    return g.reset_index(drop=True)


def exposure_by_industry(model: IOModel, econ: Economy) -> pd.DataFrame:
    """One row per industry of E: its direct and total (value-added) foreign dependency."""
    t = model.table
    R, S = len(t.regions), len(t.sectors)
    cols = econ.industries()
    Zin = t.Z[:, cols]  # (n, m)
    by_region = Zin.reshape(R, S, len(cols)).sum(axis=1)  # (R, m)
    inputs = Zin.sum(axis=0)
    foreign_regions = ~econ.region_mask
    foreign_in = by_region[foreign_regions].sum(axis=0)
    # value-added content per source region: W[j, r] = Σ_{i in r} v_i L_ij
    V = np.zeros((t.n, R))
    V[np.arange(t.n), np.repeat(np.arange(R), S)] = model.v
    W = model.leontief_left(V)[cols]  # (m, R)
    Wf = np.where(foreign_regions[None, :], W, -np.inf)
    top_va = Wf.argmax(axis=1)
    Bf = np.where(foreign_regions[:, None], by_region, -np.inf)
    top_in = Bf.argmax(axis=0)
    e = exports_vector(t, econ)
    lab = _labels(t).iloc[cols]
    regions = np.array(t.regions)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = pd.DataFrame(
            {
                "economy": econ.label,
                "year": t.year,
                "region": lab["region"].to_numpy(),
                "industry": lab["sector"].to_numpy(),
                "industry_name": lab["sector_name"].to_numpy(),
                "kind": lab["kind"].to_numpy(),
                "output_musd": t.x[cols],
                "intermediate_inputs_musd": inputs,
                "foreign_inputs_musd": foreign_in,
                "foreign_input_share": np.where(inputs > 0, foreign_in / inputs, np.nan),
                "top_foreign_input_country": regions[top_in],
                "top_foreign_input_share": np.where(
                    inputs > 0, by_region[top_in, np.arange(len(cols))] / inputs, np.nan
                ),
                "foreign_va_content": W[:, foreign_regions].sum(axis=1),
                "top_foreign_va_country": regions[top_va],
                "top_foreign_va_content": W[np.arange(len(cols)), top_va],
                "exports_musd": e[cols] if e is not None else np.nan,
            }
        )
    dead = df["output_musd"] <= 0
    df.loc[dead, ["foreign_va_content", "top_foreign_va_content"]] = np.nan
    df.loc[dead, "top_foreign_va_country"] = None
    df.loc[df["intermediate_inputs_musd"] <= 0, "top_foreign_input_country"] = None
    if e is not None:
        df["foreign_va_in_exports_musd"] = df["exports_musd"] * df["foreign_va_content"]
    else:
        df["foreign_va_in_exports_musd"] = np.nan
    return df


def exposure_links(model: IOModel, econ: Economy, top: int = 50) -> pd.DataFrame:
    """The largest direct links from a foreign country-industry to an industry of E.

    Ranked by intermediate inputs bought (``Z_ij``); each link also shows the total
    requirement ``L_ij`` and the value-added multiplier ``v_i L_ij`` (source value added per
    unit of the domestic industry's final output), and whether the source is a service.
    """
    t = model.table
    cols = econ.industries()
    block = t.Z[:, cols].copy()
    block[econ.mask, :] = 0.0
    flat = np.argsort(block, axis=None)[::-1][:top]
    src, k = np.unravel_index(flat, block.shape)
    keep = block[src, k] > 0
    src, k = src[keep], k[keep]
    dst = cols[k]
    Lcols = model.leontief_columns(np.unique(dst))
    pos = {d: i for i, d in enumerate(np.unique(dst))}
    Lij = np.array([Lcols[s, pos[d]] for s, d in zip(src, dst, strict=True)])
    lab = _labels(t)
    inputs = t.Z[:, dst].sum(axis=0)
    return pd.DataFrame(
        {
            "economy": econ.label,
            "year": t.year,
            "rank": np.arange(1, len(src) + 1),
            "source_country": lab["region"].to_numpy()[src],
            "source_industry": lab["sector"].to_numpy()[src],
            "source_industry_name": lab["sector_name"].to_numpy()[src],
            "source_kind": lab["kind"].to_numpy()[src],
            "services_link": lab["kind"].to_numpy()[src] == "services",
            "industry_region": lab["region"].to_numpy()[dst],
            "industry": lab["sector"].to_numpy()[dst],
            "industry_name": lab["sector_name"].to_numpy()[dst],
            "direct_inputs_musd": block[src, k],
            "direct_input_share": block[src, k] / inputs,
            "total_requirement": Lij,
            "va_multiplier": model.v[src] * Lij,
        }
    )


def exposure_summary(model: IOModel, econ: Economy, by_source: pd.DataFrame) -> pd.DataFrame:
    """One row of headline shares for E (foreign shares of inputs, final demand, exports)."""
    f = ~by_source["domestic"]
    s = by_source
    tot = s[["direct_inputs_musd", "embodied_va_musd", "va_in_final_output_musd"]].sum()
    e = exports_vector(model.table, econ)
    exports = float(e.sum()) if e is not None else np.nan
    fva_exp = float(s.loc[f, "va_in_exports_musd"].sum(min_count=1))
    svc = f & (s["source_kind"] == "services")
    return pd.DataFrame(
        [
            {
                "economy": econ.label,
                "year": model.table.year,
                "basis": s["basis"].iat[0],
                "intermediate_inputs_musd": tot["direct_inputs_musd"],
                "foreign_input_share": s.loc[f, "direct_inputs_musd"].sum()
                / tot["direct_inputs_musd"],
                "embodied_va_musd": tot["embodied_va_musd"],
                "foreign_va_share": s.loc[f, "embodied_va_musd"].sum() / tot["embodied_va_musd"],
                "foreign_services_va_share": s.loc[svc, "embodied_va_musd"].sum()
                / tot["embodied_va_musd"],
                "foreign_va_share_final_output": s.loc[f, "va_in_final_output_musd"].sum()
                / tot["va_in_final_output_musd"],
                "exports_musd": exports,
                "foreign_va_share_exports": fva_exp / exports if exports else np.nan,
            }
        ]
    )
