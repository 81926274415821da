"""A straightforward pandas implementation of the screening definitions.

It exists for two reasons: the tests check the DuckDB query against it on random data, and
the benchmarks use it as the baseline. It is written to be obviously right, not fast: one
importer set at a time, the definitions as written in ``docs/methods/dependencies.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ketenradar.modules.trade.analysis.dependencies import (
    DEFAULT_THRESHOLDS,
    ImporterSet,
    Thresholds,
)


def _screen_year(trade: pd.DataFrame, s: ImporterSet, world: pd.DataFrame) -> pd.DataFrame:
    members, ref = set(s.members), set(s.reference)
    if ref != members:  # CEPII's country-level reference: the importer set itself
        own = _screen_year(trade, ImporterSet(s.label, s.members, s.label, s.members), world)
    else:
        own = None
    imp = trade[trade["importer"].isin(members) & (trade["exporter"] != trade["importer"])]
    if imp.empty:
        return pd.DataFrame()
    by_sup = imp.groupby(["product", "exporter"], as_index=False, observed=True)["value_kusd"].sum()
    imports = by_sup.groupby("product", observed=True)["value_kusd"].sum().rename("imports_kusd")
    ext = by_sup[~by_sup["exporter"].isin(ref)].copy()
    ext_total = ext.groupby("product", observed=True)["value_kusd"].sum()
    ext["s"] = ext["value_kusd"] / ext["product"].map(ext_total)
    ext = ext[ext["value_kusd"] > 0]
    g = ext.groupby("product", observed=True)
    top = ext.loc[g["value_kusd"].idxmax(), ["product", "exporter", "s"]].set_index("product")
    out = pd.DataFrame({"imports_kusd": imports})
    out["external_imports_kusd"] = ext_total.reindex(out.index).fillna(0.0)
    out["external_share"] = out["external_imports_kusd"] / out["imports_kusd"]
    out["n_external_suppliers"] = g.size().reindex(out.index).fillna(0).astype("int64")
    out["supplier_hhi"] = (ext["s"] ** 2).groupby(ext["product"], observed=True).sum()
    out["top_supplier"] = top["exporter"]
    out["top_supplier_share"] = top["s"]
    out["top_supplier_kusd"] = g["value_kusd"].max()
    out = out[out["imports_kusd"] > 0].reset_index()
    exp = trade[trade["exporter"].isin(members) & ~trade["importer"].isin(members)]
    exports = exp.groupby("product", observed=True)["value_kusd"].sum().rename("exports_kusd")
    out = out.merge(exports, on="product", how="left")
    out["exports_kusd"] = out["exports_kusd"].fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = out["external_imports_kusd"] / out["exports_kusd"]
    ratio[(out["exports_kusd"] == 0) & (out["external_imports_kusd"] == 0)] = np.nan
    out["import_export_ratio"] = ratio
    out = out.merge(world, on="product", how="left")
    out["importer"] = s.label
    if own is None:
        own = out
    own_cols = {"supplier_hhi": "own_hhi", "import_export_ratio": "own_ratio"}
    own_cols |= {"top_supplier_kusd": "own_top_kusd"}
    out = out.merge(own[["product", *own_cols]].rename(columns=own_cols), on="product", how="left")
    return out


def _world(trade: pd.DataFrame) -> pd.DataFrame:
    x = trade.groupby(["product", "exporter"])["value_kusd"].sum()
    total = x.groupby(level="product").sum()
    hhi = (x**2).groupby(level="product").sum() / total**2
    return pd.DataFrame({"world_exports_kusd": total, "world_export_hhi": hhi}).reset_index()


def screen_pandas(
    trade: pd.DataFrame,
    sets: Sequence[ImporterSet],
    year: int,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    available_years: Sequence[int] = (),
) -> pd.DataFrame:
    """Screen ``sets`` for ``year`` from a trade frame with the canonical columns."""
    th = thresholds
    geo_years = [year - 2, year - 1, year]
    have_geo = all(y in set(available_years) for y in geo_years)
    per_year = {}
    for y in geo_years if have_geo else [year]:
        t = trade[trade["year"] == y]
        world = _world(t)
        parts = [_screen_year(t, s, world) for s in sets]
        parts = [p for p in parts if not p.empty]
        per_year[y] = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    res = per_year[year].copy()
    if res.empty:
        return res

    def material(top: pd.Series) -> pd.Series:
        return (top >= th.min_dependency_kusd) & (
            top >= th.min_dependency_share * res["imports_kusd"]
        )

    res["materiality_met"] = material(res["top_supplier_kusd"])
    res["dependent_eu2021"] = (
        (res["supplier_hhi"] > th.supplier_hhi)
        & (res["external_share"] > th.external_share)
        & (res["import_export_ratio"] > th.import_export_ratio)
        & res["materiality_met"]
    )

    def geo_met(df: pd.DataFrame, hhi: str = "supplier_hhi", ratio: str = "import_export_ratio"):
        return (
            (df[hhi] > th.supplier_hhi)
            & (df["world_export_hhi"] > th.world_export_hhi)
            & (df[ratio] > th.import_export_ratio)
        )

    if have_geo:
        met = pd.concat(
            [
                df.loc[geo_met(df), ["importer", "product"]]
                for df in per_year.values()
                if not df.empty
            ]
        )
        n = met.groupby(["importer", "product"]).size().rename("geodep_criteria_met")
        res = res.merge(n, on=["importer", "product"], how="left")
        res["geodep_criteria_met"] = res["geodep_criteria_met"].fillna(0).astype("int64")
        res["dependent_geodep"] = (res["geodep_criteria_met"] >= th.geodep_min_years) & res[
            "materiality_met"
        ]
        own = pd.concat(
            [
                df.loc[geo_met(df, "own_hhi", "own_ratio"), ["importer", "product"]]
                for df in per_year.values()
                if not df.empty
            ]
        )
        n_own = own.groupby(["importer", "product"]).size().rename("n_own")
        res = res.merge(n_own, on=["importer", "product"], how="left")
        res["dependent_geodep_country"] = (
            res["n_own"].fillna(0) >= th.geodep_min_years
        ) & material(res["own_top_kusd"])
        res = res.drop(columns=["n_own"])
    else:
        res["geodep_criteria_met"] = pd.NA
        res["dependent_geodep"] = pd.NA
        res["dependent_geodep_country"] = pd.NA
    res["year"] = year
    return res
