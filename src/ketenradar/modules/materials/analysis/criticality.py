"""The EU criticality method (European Commission 2017 guidelines; Blengini et al. 2017).

Formulas (``docs/methods/criticality.md`` gives the references, scales and every choice):

* ``WGI_scaled = 2·(2.5 − WGI)``, clipped to 0..10 (10 = worst governance), where ``WGI`` is
  the mean of the six Worldwide Governance Indicators of a country in one year.
* ``HHI_WGI,t = Σ_c S_c² · WGI_scaled,c · t_c`` with ``S_c`` the country's share as a
  fraction, for global supply (GS) and for EU sourcing, per stage.
* ``SR = [HHI_GS·IR/2 + HHI_EU·(1 − IR/2)] · (1 − EoL_RIR) · SI_SR``, per stage; the stage
  with the higher SR is the material's SR.
* ``EI = 10 · Σ_s(A_s·Q_s) / max_s Q_s · SI_EI``: end-use shares times the EU value added of
  the NACE 2-digit sector of each use, scaled by the largest sector's value added.
* Critical when ``EI ≥ 2.8`` and ``SR ≥ 1.0``.

The functions here are the method on plain numbers and small DataFrames; assembling them from
the data store is :mod:`ketenradar.modules.materials.assessment`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

#: Thresholds of the EU method (2017, 2020, 2023 lists).
EI_THRESHOLD = 2.8
SR_THRESHOLD = 1.0

#: The six WGI dimensions the EU method averages.
WGI_DIMENSIONS = ("VA", "PV", "GE", "RQ", "RL", "CC")

#: Scaled WGI used for a country without WGI data (the midpoint of the 0..10 scale).
WGI_SCALED_MISSING = 5.0


def wgi_scaled(estimate: float | None) -> float:
    """Rescale a WGI estimate (−2.5 best … worst +2.5 reversed) to 0..10, 10 = worst.

    ``2.5 → 0``, ``0 → 5``, ``−2.5 → 10``; values beyond ±2.5 are clipped. ``None``/NaN
    gives :data:`WGI_SCALED_MISSING`.
    """
    if estimate is None or (isinstance(estimate, float) and math.isnan(estimate)):
        return WGI_SCALED_MISSING
    return min(10.0, max(0.0, 2.0 * (2.5 - float(estimate))))


def hhi_wgi_t(shares: Iterable[float], wgi: Iterable[float], t: Iterable[float]) -> float:
    """``Σ S_c² · WGI_scaled,c · t_c`` (shares as fractions, WGI on 0..10)."""
    return float(sum(s * s * w * tt for s, w, tt in zip(shares, wgi, t, strict=True)))


def hhi(shares: Iterable[float]) -> float:
    """Herfindahl-Hirschman index of shares given as fractions (0..1)."""
    return float(sum(s * s for s in shares))


def supply_risk_mix(hhi_gs: float | None, hhi_eu: float | None, ir: float) -> float | None:
    """``HHI_GS·IR/2 + HHI_EU·(1 − IR/2)``: the concentration part of SR.

    A missing HHI (no shares for that scope) counts as the other scope's value, so that a
    material assessed on one scope only still gets an SR (the guidelines' fallback when EU
    sourcing is unknown is global supply).
    """
    if hhi_gs is None and hhi_eu is None:
        return None
    gs = hhi_gs if hhi_gs is not None else hhi_eu
    eu = hhi_eu if hhi_eu is not None else hhi_gs
    return gs * ir / 2.0 + eu * (1.0 - ir / 2.0)


def supply_risk(
    hhi_gs: float | None, hhi_eu: float | None, ir: float, eol_rir: float, si_sr: float
) -> float | None:
    """SR of one stage: the mix times ``(1 − EoL_RIR)·SI_SR``."""
    mix = supply_risk_mix(hhi_gs, hhi_eu, ir)
    return None if mix is None else mix * (1.0 - eol_rir) * si_sr


def ei_unscaled(end_use: pd.DataFrame) -> tuple[float, float]:
    """``Σ A_s·Q_s`` over end uses with a sector value added, and the share left unallocated.

    ``end_use`` has columns ``share`` (fraction) and ``va_meur``.
    """
    known = end_use.dropna(subset=["share", "va_meur"])
    s = float((known["share"] * known["va_meur"]).sum())
    unallocated = float(end_use.loc[end_use["va_meur"].isna(), "share"].fillna(0).sum())
    return s, unallocated


def economic_importance(sum_aq: float, max_va: float, si_ei: float) -> float:
    """``EI = 10 · Σ(A·Q) / max Q · SI_EI``."""
    return 10.0 * sum_aq / max_va * si_ei


def is_critical(ei: float | None, sr: float | None) -> bool | None:
    """``EI ≥ 2.8 and SR ≥ 1.0``; ``None`` when either is unknown."""
    if ei is None or sr is None or _nan(ei) or _nan(sr):
        return None
    # A tolerance for floating-point round trips (published 1.0 recomputed as 0.9999999).
    return ei >= EI_THRESHOLD - 1e-9 and sr >= SR_THRESHOLD - 1e-9


def _nan(x: float) -> bool:
    return isinstance(x, float) and math.isnan(x)


def country_wgi_scaled(wgi: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per country: mean of the six WGI estimates in ``year``, scaled 0..10.

    ``wgi`` has the canonical columns ``country, year, indicator, estimate``. Returns columns
    ``country, wgi_mean, n_dimensions, wgi_scaled``.
    """
    w = wgi[(wgi["year"] == year) & wgi["indicator"].isin(WGI_DIMENSIONS)]
    w = w.dropna(subset=["estimate"])
    g = w.groupby("country")["estimate"].agg(["mean", "count"]).reset_index()
    g.columns = ["country", "wgi_mean", "n_dimensions"]
    g["wgi_scaled"] = g["wgi_mean"].map(wgi_scaled)
    return g


def stage_components(shares: pd.DataFrame, wgi: pd.DataFrame) -> pd.DataFrame:
    """HHI_WGI,t per material, stage and scope.

    ``shares``: ``material, scope, stage, country, share, t``; ``wgi``: ``country,
    wgi_scaled`` (from :func:`country_wgi_scaled`). Countries without WGI use
    :data:`WGI_SCALED_MISSING` and are counted. Returns ``material, stage, scope, hhi_wgi_t,
    hhi, share_sum, n_countries, n_without_wgi, top_country, top_share``.
    """
    df = shares.dropna(subset=["share"]).merge(
        wgi[["country", "wgi_scaled"]], on="country", how="left"
    )
    df["no_wgi"] = df["wgi_scaled"].isna()
    df["wgi_scaled"] = df["wgi_scaled"].fillna(WGI_SCALED_MISSING)
    df["t"] = df["t"].fillna(1.0)
    df["term"] = df["share"] ** 2 * df["wgi_scaled"] * df["t"]
    df["sq"] = df["share"] ** 2
    df = df.sort_values(
        ["material", "stage", "scope", "share"], ascending=[True, True, True, False]
    )
    g = df.groupby(["material", "stage", "scope"], sort=True)
    out = g.agg(
        hhi_wgi_t=("term", "sum"),
        hhi=("sq", "sum"),
        share_sum=("share", "sum"),
        n_countries=("share", "size"),
        n_without_wgi=("no_wgi", "sum"),
        top_country=("country", "first"),
        top_share=("share", "first"),
    ).reset_index()
    out["n_without_wgi"] = out["n_without_wgi"].astype(int)
    return out
