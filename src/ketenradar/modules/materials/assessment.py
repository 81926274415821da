"""EU criticality from the data store: recomputed components next to the published values.

One row per material and stage (``extraction``, ``processing``). The open data holds supply
shares, t and end uses, but not import reliance (IR), EoL-RIR for every material or the
substitution indices; the parameter table (:mod:`ketenradar.modules.materials.parameters`) supplies
what is known. Where a factor is missing, the published SR/EI *imply* it, and that implied
value is shown (``implied_*`` columns) and, for what-if runs, held constant (calibration).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar.core.errors import NotFoundError
from ketenradar.core.vocabularies.materials import materials
from ketenradar.datasets import DataStore
from ketenradar.modules.materials.analysis import criticality as m
from ketenradar.modules.materials.datasets import choose_dataset, read_table
from ketenradar.modules.materials.parameters import load_parameters, wide

#: The IR used when the parameter table has none: 1.0 weighs global supply and EU sourcing
#: equally (the guidelines' formula at full import reliance). Flagged ``ir_source=assumed``.
IR_ASSUMED = 1.0

#: Published values are rounded to one decimal: a recomputed value within this is "reproduced".
PUBLISHED_ROUNDING = 0.05

STAGES = ("extraction", "processing")

CRITICALITY_COLUMNS = [
    "material",
    "name",
    "stage",
    "assessment_year",
    "crm_2023",
    "strategic_2023",
    "hhi_wgi_t_gs",
    "hhi_wgi_t_eu",
    "top_country_gs",
    "top_share_gs",
    "n_countries_gs",
    "share_sum_gs",
    "share_sum_eu",
    "n_without_wgi",
    "ir",
    "ir_source",
    "eol_rir",
    "si_sr",
    "si_ei",
    "sr_mix",
    "sum_aq_meur",
    "ei_unscaled",
    "end_use_unallocated",
    "sr",
    "ei",
    "critical",
    "sr_published",
    "ei_published",
    "critical_published",
    "bottleneck_stage",
    "implied_sr_factor",
    "implied_sr_factor_ir0",
    "implied_sr_factor_ir1",
    "implied_si_sr",
    "implied_si_ei",
    "reproduced",
    "note",
]


@dataclass
class CriticalityInputs:
    """Everything the EU method needs, already in pandas, plus where it came from."""

    shares: pd.DataFrame  # material, scope, stage, country, share, t
    end_use: pd.DataFrame  # material, application, share, nace, va_meur
    scores: pd.DataFrame  # material, eu_name, year, sr, ei
    wgi: pd.DataFrame  # country, wgi_mean, n_dimensions, wgi_scaled
    wgi_year: int
    parameters: pd.DataFrame  # long: material, parameter, value, source, url, note
    max_va_meur: float
    provenance: list[dict[str, Any]] = field(default_factory=list)


def default_wgi_year(wgi: pd.DataFrame, min_countries: int = 150) -> int:
    """The latest year in which at least ``min_countries`` have all six WGI dimensions."""
    w = wgi.dropna(subset=["estimate"])
    w = w[w["indicator"].isin(m.WGI_DIMENSIONS)]
    per = w.groupby(["year", "country"])["indicator"].nunique().reset_index()
    full = per[per["indicator"] == len(m.WGI_DIMENSIONS)].groupby("year").size()
    ok = full[full >= min_countries]
    if ok.empty:
        raise NotFoundError(
            "the WGI dataset has no year with all six dimensions for most countries"
        )
    return int(ok.index.max())


def load_inputs(
    store: DataStore,
    *,
    crm_dataset: str | None = None,
    wgi_dataset: str | None = None,
    wgi_year: int | None = None,
    parameters_file: Path | None = None,
) -> CriticalityInputs:
    """Read the EU CRM tables, the WGI and the parameter table."""
    crm = choose_dataset(store, "crm_assessment", crm_dataset)
    gov = choose_dataset(store, "governance", wgi_dataset)
    raw_wgi = read_table(gov, "wgi")
    year = wgi_year if wgi_year is not None else default_wgi_year(raw_wgi)
    if year not in set(raw_wgi["year"].astype(int)):
        raise NotFoundError(
            f"WGI year {year} is not in dataset '{gov.name}' "
            f"({int(raw_wgi['year'].min())}–{int(raw_wgi['year'].max())})"
        )
    end_use = read_table(crm, "end_use")
    return CriticalityInputs(
        shares=read_table(crm, "supply_shares"),
        end_use=end_use,
        scores=read_table(crm, "scores"),
        wgi=m.country_wgi_scaled(raw_wgi, year),
        wgi_year=year,
        parameters=load_parameters(parameters_file),
        max_va_meur=float(end_use["va_meur"].max()),
        provenance=[crm.manifest.provenance(), gov.manifest.provenance()],
    )


def _f(x: Any) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def criticality_table(
    inputs: CriticalityInputs, assessment_year: int = 2023, calibrate: bool = True
) -> pd.DataFrame:
    """One row per material and stage with components, published values and implied factors.

    Materials: every material with supply shares, plus every material scored in
    ``assessment_year`` (group-level scores such as HREEs get a row with the reason why the
    open data cannot recompute them).
    """
    comp = m.stage_components(inputs.shares, inputs.wgi)
    vocab = {x.material: x for x in materials()}
    params = wide(inputs.parameters).set_index("material")
    pub = inputs.scores[inputs.scores["year"] == assessment_year].drop_duplicates("material")
    pub = pub.set_index("material")
    eu_mats = set(comp["material"]) | set(pub.index)
    rows: list[dict[str, Any]] = []
    for mat in sorted(eu_mats):
        v = vocab[mat]
        p = params.loc[mat] if mat in params.index else None
        ir = _f(p["ir"]) if p is not None else None
        ir_source = "parameter" if ir is not None else "assumed"
        ir_used = ir if ir is not None else IR_ASSUMED
        eol = _f(p["eol_rir"]) if p is not None else None
        si_sr = _f(p["si_sr"]) if p is not None else None
        si_ei = _f(p["si_ei"]) if p is not None else None
        eu_use = inputs.end_use[inputs.end_use["material"] == mat]
        sum_aq, unalloc = m.ei_unscaled(eu_use) if len(eu_use) else (None, None)
        ei_u = 10.0 * sum_aq / inputs.max_va_meur if sum_aq else None
        sr_pub = _f(pub.loc[mat, "sr"]) if mat in pub.index else None
        ei_pub = _f(pub.loc[mat, "ei"]) if mat in pub.index else None
        mat_rows = []
        for stage in STAGES:
            c = comp[(comp["material"] == mat) & (comp["stage"] == stage)].set_index("scope")
            if c.empty:
                continue
            gs = c.loc["global"] if "global" in c.index else None
            eu = c.loc["eu"] if "eu" in c.index else None
            h_gs = float(gs["hhi_wgi_t"]) if gs is not None else None
            h_eu = float(eu["hhi_wgi_t"]) if eu is not None else None
            mix = m.supply_risk_mix(h_gs, h_eu, ir_used)
            mat_rows.append(
                {
                    "material": mat,
                    "name": v.name,
                    "stage": stage,
                    "assessment_year": assessment_year,
                    "crm_2023": v.crm_2023,
                    "strategic_2023": v.strategic_2023,
                    "hhi_wgi_t_gs": h_gs,
                    "hhi_wgi_t_eu": h_eu,
                    "top_country_gs": gs["top_country"] if gs is not None else None,
                    "top_share_gs": float(gs["top_share"]) if gs is not None else None,
                    "n_countries_gs": int(gs["n_countries"]) if gs is not None else None,
                    "share_sum_gs": float(gs["share_sum"]) if gs is not None else None,
                    "share_sum_eu": float(eu["share_sum"]) if eu is not None else None,
                    "n_without_wgi": int(c["n_without_wgi"].sum()),
                    "ir": ir,
                    "ir_source": ir_source,
                    "eol_rir": eol,
                    "si_sr": si_sr,
                    "si_ei": si_ei,
                    "sr_mix": mix,
                    "sum_aq_meur": sum_aq,
                    "ei_unscaled": ei_u,
                    "end_use_unallocated": unalloc,
                    "sr_published": sr_pub,
                    "ei_published": ei_pub,
                    "_h": (h_gs, h_eu),
                }
            )
        if not mat_rows:
            mat_rows.append(
                {
                    "material": mat,
                    "name": v.name,
                    "stage": None,
                    "assessment_year": assessment_year,
                    "crm_2023": v.crm_2023,
                    "strategic_2023": v.strategic_2023,
                    "n_without_wgi": 0,
                    "ir": ir,
                    "ir_source": ir_source,
                    "eol_rir": eol,
                    "si_sr": si_sr,
                    "si_ei": si_ei,
                    "sum_aq_meur": sum_aq,
                    "ei_unscaled": ei_u,
                    "end_use_unallocated": unalloc,
                    "sr_published": sr_pub,
                    "ei_published": ei_pub,
                    "_h": (None, None),
                }
            )
        _finish_material(mat_rows, ir_used, calibrate)
        rows += mat_rows
    out = pd.DataFrame(rows)
    out = out.drop(columns=["_h"])
    for c in CRITICALITY_COLUMNS:
        if c not in out.columns:
            out[c] = None
    return out[CRITICALITY_COLUMNS].reset_index(drop=True)


def _finish_material(rows: list[dict[str, Any]], ir_used: float, calibrate: bool) -> None:
    """SR/EI per stage, bottleneck, implied factors and the plain-language note."""
    sr_pub = rows[0]["sr_published"]
    ei_pub = rows[0]["ei_published"]
    eol = rows[0]["eol_rir"]
    si_sr = rows[0]["si_sr"]
    si_ei = rows[0]["si_ei"]
    ei_u = rows[0]["ei_unscaled"]
    mixes = [r.get("sr_mix") for r in rows if r.get("sr_mix") is not None]
    best = max(mixes) if mixes else None
    bottleneck = next((r["stage"] for r in rows if r.get("sr_mix") == best), None)
    eol_used = eol if eol is not None else 0.0
    # SI_SR: the parameter, else (calibration) the value the published SR implies.
    implied_factor = sr_pub / best if (sr_pub is not None and best) else None
    implied_si_sr = (
        implied_factor / (1.0 - eol_used) if implied_factor is not None and eol_used < 1.0 else None
    )
    si_sr_used = si_sr if si_sr is not None else (implied_si_sr if calibrate else None)
    implied_si_ei = ei_pub / ei_u if (ei_pub is not None and ei_u) else None
    si_ei_used = si_ei if si_ei is not None else (implied_si_ei if calibrate else None)
    ei = ei_u * si_ei_used if (ei_u is not None and si_ei_used is not None) else None
    if ei is None:
        # No end-use data to recompute EI: the published EI stands (scenarios do not change it).
        ei = ei_pub
    for r in rows:
        mix = r.get("sr_mix")
        h_gs, h_eu = r["_h"]
        r["bottleneck_stage"] = bottleneck
        r["sr"] = (
            mix * (1.0 - eol_used) * si_sr_used
            if mix is not None and si_sr_used is not None
            else None
        )
        r["ei"] = ei
        r["critical"] = m.is_critical(ei, _max_sr(rows, eol_used, si_sr_used))
        r["critical_published"] = m.is_critical(ei_pub, sr_pub)
        r["implied_sr_factor"] = sr_pub / mix if (sr_pub is not None and mix) else None
        lo = m.supply_risk_mix(h_gs, h_eu, 0.0)
        hi = m.supply_risk_mix(h_gs, h_eu, 1.0)
        r["implied_sr_factor_ir0"] = sr_pub / lo if (sr_pub is not None and lo) else None
        r["implied_sr_factor_ir1"] = sr_pub / hi if (sr_pub is not None and hi) else None
        r["implied_si_sr"] = implied_si_sr if r["stage"] == bottleneck else None
        r["implied_si_ei"] = implied_si_ei
        r["reproduced"], r["note"] = _judge(r, si_sr, si_ei, eol, ir_used, bottleneck)


def _max_sr(rows: list[dict[str, Any]], eol: float, si_sr: float | None) -> float | None:
    mixes = [r["sr_mix"] for r in rows if r.get("sr_mix") is not None]
    if not mixes or si_sr is None:
        return None
    return max(mixes) * (1.0 - eol) * si_sr


def _judge(
    r: dict[str, Any],
    si_sr: float | None,
    si_ei: float | None,
    eol: float | None,
    ir_used: float,
    bottleneck: str | None,
) -> tuple[bool | None, str]:
    """Whether the open data reproduces the published values, and why not, in words."""
    notes = []
    if r["sr_published"] is None and r["ei_published"] is None:
        notes.append("not scored in this assessment year (no published SR/EI)")
    if r["stage"] is None:
        notes.append(
            "no supply shares in the open data for this material (the 2023 tables give shares "
            "for individual elements of groups such as HREEs, LREEs and PGMs, not for the group)"
        )
        return None, "; ".join(notes)
    missing = [
        name
        for name, val in (("IR", r["ir"]), ("EoL-RIR", eol), ("SI_SR", si_sr), ("SI_EI", si_ei))
        if val is None
    ]
    if r["hhi_wgi_t_gs"] is None:
        notes.append("no global supply shares for this stage: EU sourcing used for both terms")
    if r["hhi_wgi_t_eu"] is None:
        notes.append("no EU sourcing shares for this stage: global supply used for both terms")
    if r["n_without_wgi"]:
        notes.append(f"{r['n_without_wgi']} supplier(s) without WGI counted at the midpoint 5")
    if missing:
        notes.append(
            "not in the open data: " + ", ".join(missing) + " (SR/EI use the values the published "
            "figures imply)" + (f"; IR assumed {ir_used}" if r["ir"] is None else "")
        )
        reproduced = None
    else:
        sr_ok = r["sr_published"] is None or (
            r["stage"] != bottleneck
            or abs((r["sr"] or 0) - r["sr_published"]) <= PUBLISHED_ROUNDING
        )
        ei_ok = r["ei_published"] is None or (
            r["ei"] is not None and abs(r["ei"] - r["ei_published"]) <= PUBLISHED_ROUNDING
        )
        reproduced = bool(sr_ok and ei_ok)
        if not reproduced:
            notes.append("recomputed value differs from the published one beyond rounding")
    f0, f1 = r["implied_sr_factor_ir0"], r["implied_sr_factor_ir1"]
    if r["stage"] == bottleneck and f0 is not None and f1 is not None and min(f0, f1) > 1.0:
        notes.append(
            "published SR implies (1−EoL_RIR)·SI_SR > 1 for any IR: the open supply shares or "
            "WGI year understate the concentration the EC used"
        )
    if r["implied_si_ei"] is not None and r["implied_si_ei"] > 1.0 + PUBLISHED_ROUNDING:
        notes.append("published EI implies SI_EI > 1: end-use shares or value added differ")
    if r["sum_aq_meur"] is None and r["ei_published"] is not None:
        notes.append("no end-use shares in the open data: EI cannot be recomputed")
    return reproduced, "; ".join(notes)
