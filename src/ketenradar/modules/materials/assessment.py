"""EU criticality from the data store: the project's own computation next to the published
values.

One row per material and stage (``extraction``, ``processing``). The open data holds supply
shares, t and end uses, but not the substitution indices; import reliance (IR) is computed
from the loaded trade (BACI) and production (World Mining Data) data
(:mod:`ketenradar.modules.materials.analysis.import_reliance`); the parameter table
(:mod:`ketenradar.modules.materials.parameters`) supplies EoL-RIR and overrides.

Three sets of results sit side by side:

* ``sr``, ``ei``, ``critical``: the project's own computation. A factor that is not in the
  data is *assumed* (IR 1 without trade data; SI_SR = SI_EI = 1, no substitution) and said
  so in ``ir_source``/``si_source``; EI is empty without end-use data.
* ``sr_published``, ``ei_published``, ``critical_published``: the European Commission's.
* ``sr_calibrated``, ``ei_calibrated``, ``critical_calibrated``: calibrated on the published
  values: the substitution indices the published SR/EI imply (``implied_*``), so these equal
  the published values up to rounding; what-if runs hold that calibration constant.
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
from ketenradar.modules.materials.analysis import import_reliance as ir
from ketenradar.modules.materials.datasets import choose_dataset, read_table
from ketenradar.modules.materials.parameters import load_parameters, wide

#: The IR used when neither the parameter table nor the trade data give one: 1.0 weighs global
#: supply and EU sourcing equally (the guidelines' formula at full import reliance). Flagged
#: ``ir_source=assumed``.
IR_ASSUMED = 1.0

#: The substitution index the own computation uses when the parameter table has none: 1.0
#: (no substitution; an upper bound of SR and EI). Flagged ``si_source=assumed``.
SI_ASSUMED = 1.0

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
    "si_source",
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
    "sr_calibrated",
    "ei_calibrated",
    "critical_calibrated",
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
    #: EU import reliance computed from trade and production (``import_reliance.IR_COLUMNS``);
    #: ``None`` when the store holds no trade or World Mining Data (IR is then assumed).
    import_reliance: pd.DataFrame | None = None
    #: Which WGI release each dimension of the WGI mean comes from, in words.
    wgi_vintage: str = ""


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
    assessment_year: int = 2023,
    compute_ir: bool = True,
) -> CriticalityInputs:
    """Read the EU CRM tables, the WGI, the parameter table and (with ``compute_ir``, when
    the store holds BACI trade and World Mining Data) the EU import reliance."""
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
    inputs = CriticalityInputs(
        shares=read_table(crm, "supply_shares"),
        end_use=end_use,
        scores=read_table(crm, "scores"),
        wgi=m.country_wgi_scaled(raw_wgi, year),
        wgi_year=year,
        parameters=load_parameters(parameters_file),
        max_va_meur=float(end_use["va_meur"].max()),
        provenance=[crm.manifest.provenance(), gov.manifest.provenance()],
        wgi_vintage=wgi_vintage(gov.manifest, year),
    )
    if compute_ir:
        ir, prov = load_import_reliance(store, assessment_year)
        if ir is not None:
            inputs.import_reliance = ir
            inputs.provenance += prov
    return inputs


def wgi_vintage(manifest: Any, year: int) -> str:
    """Which WGI release each dimension of the ``year`` WGI mean comes from, in words.

    A governance dataset made of one World Bank file is one release. Loaded together with
    GeoPolRisk's ``wgi.db`` (political stability, PV, only, from a later release), PV is that
    file's where it is given after the World Bank file (the connector keeps the later file's
    value), while the other five dimensions stay the World Bank file's.
    """
    wb = [i for i in manifest.inputs if i.role in ("wgi_csv", "wgi_xlsx")]
    db = [i for i in manifest.inputs if i.role == "geopolrisk_wgi_db"]
    if not db or not wb:
        files = ", ".join(i.name for i in manifest.inputs)
        return f"WGI {year}: all six dimensions from one release ({manifest.release}; {files})"
    order = [i.name for i in manifest.inputs]
    pv_from = db[-1] if order.index(db[-1].name) > order.index(wb[-1].name) else wb[-1]
    return (
        f"WGI {year}: mixed releases: PV (political stability) from {pv_from.name}, VA, GE, "
        f"RQ, RL and CC from {wb[-1].name}; load the World Bank file alone as the governance "
        "dataset of the criticality to keep one release"
    )


def load_import_reliance(
    store: DataStore, assessment_year: int = 2023
) -> tuple[pd.DataFrame | None, list[dict[str, Any]]]:
    """EU import reliance per material from the store's BACI trade and World Mining Data,
    averaged over the assessment's reference period; ``(None, [])`` without those data."""
    from ketenradar.core.groups import EU27
    from ketenradar.datasets.engine import connect, create_views

    trades = store.list(kind="trade_flows")
    trades = [d for d in trades if d.has_table("trade")]
    wmds = [d for d in store.list(kind="mineral_production") if d.has_table("hs_map")]
    if len(trades) != 1 or len(wmds) != 1:
        return None, []
    trade_ds, wmd = trades[0], wmds[0]
    years = ir.REFERENCE_YEARS.get(
        assessment_year, tuple(range(assessment_year - 7, assessment_year - 2))
    )
    hs_map = read_table(wmd, "hs_map")
    codes = sorted(
        {c.strip() for h in hs_map["hs_codes"].dropna() for c in str(h).split(";") if c.strip()}
    )
    con = create_views(connect(), {"trade": (trade_ds, "trade"), "production": (wmd, "production")})
    try:
        con.execute("CREATE TEMP TABLE eu(country VARCHAR)")
        con.executemany("INSERT INTO eu VALUES (?)", [(c,) for c in EU27])
        con.execute("CREATE TEMP TABLE hs(product VARCHAR)")
        con.executemany("INSERT INTO hs VALUES (?)", [(c,) for c in codes])
        year_list = ", ".join(str(int(y)) for y in years)
        trade = con.execute(
            f"""
            SELECT year, product,
                   CASE WHEN importer IN (SELECT country FROM eu) THEN 'import' ELSE 'export' END
                       AS direction,
                   sum(COALESCE(quantity_t, 0)) AS quantity_t
            FROM trade
            WHERE year IN ({year_list}) AND product IN (SELECT product FROM hs)
              AND ((importer IN (SELECT country FROM eu)) <> (exporter IN (SELECT country FROM eu)))
            GROUP BY ALL
            """
        ).df()
        production = con.execute(
            f"""
            SELECT material, year,
                   sum(CASE WHEN unit = 'kg' THEN COALESCE(value, 0) / 1000.0
                            ELSE COALESCE(value, 0) END) AS production_t
            FROM production
            WHERE row_type <> 'world' AND year IN ({year_list})
              AND country IN (SELECT country FROM eu)
            GROUP BY ALL
            """
        ).df()
    finally:
        con.close()
    out = ir.import_reliance(trade, production, hs_map, years)
    return out, [trade_ds.manifest.provenance(), wmd.manifest.provenance()]


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
    """One row per material and stage: the own computation, the published values, the
    calibrated variant and the implied factors.

    Materials: every material with supply shares, plus every material scored in
    ``assessment_year`` (group-level scores such as HREEs get a row with the reason why the
    open data cannot recompute them). ``calibrate=False`` leaves the calibrated columns empty
    where a substitution index is not in the parameter table (what-if runs put the baseline's
    calibration into the parameters).
    """
    comp = m.stage_components(inputs.shares, inputs.wgi)
    vocab = {x.material: x for x in materials()}
    params = wide(inputs.parameters).set_index("material")
    pub = inputs.scores[inputs.scores["year"] == assessment_year].drop_duplicates("material")
    pub = pub.set_index("material")
    computed_ir: dict[str, float] = {}
    if inputs.import_reliance is not None:
        irt = inputs.import_reliance.dropna(subset=["ir_computed"])
        computed_ir = dict(zip(irt["material"], irt["ir_computed"].astype(float), strict=True))
    eu_mats = set(comp["material"]) | set(pub.index)
    rows: list[dict[str, Any]] = []
    for mat in sorted(eu_mats):
        v = vocab[mat]
        p = params.loc[mat] if mat in params.index else None
        ir_param = _f(p["ir"]) if p is not None else None
        if ir_param is not None:
            ir, ir_source = ir_param, "parameter"
        elif mat in computed_ir:
            ir, ir_source = computed_ir[mat], "trade"
        else:
            ir, ir_source = IR_ASSUMED, "assumed"
        eol = _f(p["eol_rir"]) if p is not None else None
        si_sr = _f(p["si_sr"]) if p is not None else None
        si_ei = _f(p["si_ei"]) if p is not None else None
        assumed = [n for n, val in (("SI_SR", si_sr), ("SI_EI", si_ei)) if val is None]
        si_source = "parameter" if not assumed else "assumed " + ", ".join(assumed)
        eu_use = inputs.end_use[inputs.end_use["material"] == mat]
        sum_aq, unalloc = m.ei_unscaled(eu_use) if len(eu_use) else (None, None)
        ei_u = 10.0 * sum_aq / inputs.max_va_meur if sum_aq else None
        sr_pub = _f(pub.loc[mat, "sr"]) if mat in pub.index else None
        ei_pub = _f(pub.loc[mat, "ei"]) if mat in pub.index else None
        base = {
            "material": mat,
            "name": v.name,
            "assessment_year": assessment_year,
            "crm_2023": v.crm_2023,
            "strategic_2023": v.strategic_2023,
            "ir": ir,
            "ir_source": ir_source,
            "eol_rir": eol,
            "si_sr": si_sr,
            "si_ei": si_ei,
            "si_source": si_source,
            "sum_aq_meur": sum_aq,
            "ei_unscaled": ei_u,
            "end_use_unallocated": unalloc,
            "sr_published": sr_pub,
            "ei_published": ei_pub,
        }
        mat_rows = []
        for stage in STAGES:
            c = comp[(comp["material"] == mat) & (comp["stage"] == stage)].set_index("scope")
            if c.empty:
                continue
            gs = c.loc["global"] if "global" in c.index else None
            eu = c.loc["eu"] if "eu" in c.index else None
            h_gs = float(gs["hhi_wgi_t"]) if gs is not None else None
            h_eu = float(eu["hhi_wgi_t"]) if eu is not None else None
            mat_rows.append(
                {
                    **base,
                    "stage": stage,
                    "hhi_wgi_t_gs": h_gs,
                    "hhi_wgi_t_eu": h_eu,
                    "top_country_gs": gs["top_country"] if gs is not None else None,
                    "top_share_gs": float(gs["top_share"]) if gs is not None else None,
                    "n_countries_gs": int(gs["n_countries"]) if gs is not None else None,
                    "share_sum_gs": float(gs["share_sum"]) if gs is not None else None,
                    "share_sum_eu": float(eu["share_sum"]) if eu is not None else None,
                    "n_without_wgi": int(c["n_without_wgi"].sum()),
                    "sr_mix": m.supply_risk_mix(h_gs, h_eu, ir),
                    "_h": (h_gs, h_eu),
                }
            )
        if not mat_rows:
            mat_rows.append({**base, "stage": None, "n_without_wgi": 0, "_h": (None, None)})
        _finish_material(mat_rows, ir, calibrate)
        rows += mat_rows
    out = pd.DataFrame(rows)
    out = out.drop(columns=["_h"])
    for c in CRITICALITY_COLUMNS:
        if c not in out.columns:
            out[c] = None
    return out[CRITICALITY_COLUMNS].reset_index(drop=True)


def _finish_material(rows: list[dict[str, Any]], ir_used: float, calibrate: bool) -> None:
    """SR/EI per stage (own and calibrated), bottleneck, implied factors and the note."""
    r0 = rows[0]
    sr_pub, ei_pub, eol = r0["sr_published"], r0["ei_published"], r0["eol_rir"]
    si_sr, si_ei, ei_u = r0["si_sr"], r0["si_ei"], r0["ei_unscaled"]
    mixes = [r.get("sr_mix") for r in rows if r.get("sr_mix") is not None]
    best = max(mixes) if mixes else None
    bottleneck = next((r["stage"] for r in rows if r.get("sr_mix") == best), None)
    eol_used = eol if eol is not None else 0.0
    # Own computation: substitution indices from the parameter table, else assumed 1.
    si_sr_own = si_sr if si_sr is not None else SI_ASSUMED
    si_ei_own = si_ei if si_ei is not None else SI_ASSUMED
    ei_own = ei_u * si_ei_own if ei_u is not None else None
    # Calibrated: the substitution indices the published values imply.
    implied_factor = sr_pub / best if (sr_pub is not None and best) else None
    implied_si_sr = (
        implied_factor / (1.0 - eol_used) if implied_factor is not None and eol_used < 1.0 else None
    )
    si_sr_cal = si_sr if si_sr is not None else (implied_si_sr if calibrate else None)
    implied_si_ei = ei_pub / ei_u if (ei_pub is not None and ei_u) else None
    si_ei_cal = si_ei if si_ei is not None else (implied_si_ei if calibrate else None)
    ei_cal = ei_u * si_ei_cal if (ei_u is not None and si_ei_cal is not None) else None
    if ei_cal is None and ei_u is None:
        # No end-use data to recompute EI: the calibrated EI is the published one.
        ei_cal = ei_pub
    sr_own_max = _max_sr(rows, eol_used, si_sr_own)
    sr_cal_max = _max_sr(rows, eol_used, si_sr_cal)
    for r in rows:
        mix = r.get("sr_mix")
        h_gs, h_eu = r["_h"]
        r["bottleneck_stage"] = bottleneck
        r["sr"] = mix * (1.0 - eol_used) * si_sr_own if mix is not None else None
        r["ei"] = ei_own
        r["critical"] = m.is_critical(ei_own, sr_own_max)
        r["sr_calibrated"] = (
            mix * (1.0 - eol_used) * si_sr_cal
            if mix is not None and si_sr_cal is not None
            else None
        )
        r["ei_calibrated"] = ei_cal
        r["critical_calibrated"] = m.is_critical(ei_cal, sr_cal_max)
        r["critical_published"] = m.is_critical(ei_pub, sr_pub)
        r["implied_sr_factor"] = sr_pub / mix if (sr_pub is not None and mix) else None
        lo = m.supply_risk_mix(h_gs, h_eu, 0.0)
        hi = m.supply_risk_mix(h_gs, h_eu, 1.0)
        r["implied_sr_factor_ir0"] = sr_pub / lo if (sr_pub is not None and lo) else None
        r["implied_sr_factor_ir1"] = sr_pub / hi if (sr_pub is not None and hi) else None
        r["implied_si_sr"] = implied_si_sr if r["stage"] == bottleneck else None
        r["implied_si_ei"] = implied_si_ei
        r["reproduced"], r["note"] = _judge(r, sr_own_max, eol, bottleneck)


def _max_sr(rows: list[dict[str, Any]], eol: float, si_sr: float | None) -> float | None:
    mixes = [r["sr_mix"] for r in rows if r.get("sr_mix") is not None]
    if not mixes or si_sr is None:
        return None
    return max(mixes) * (1.0 - eol) * si_sr


def material_level(df: pd.DataFrame) -> pd.DataFrame:
    """One row per material: the bottleneck stage's SR (own, published, calibrated) and EI.

    ``df`` is :func:`criticality_table`'s output.
    """
    g = df.groupby("material", sort=True)
    out = g.agg(
        sr=("sr", "max"),
        sr_calibrated=("sr_calibrated", "max"),
        ei=("ei", "first"),
        sr_published=("sr_published", "first"),
        ei_published=("ei_published", "first"),
        ir_source=("ir_source", "first"),
    )
    return out.reset_index()


def reproduction_counts(df: pd.DataFrame) -> dict[str, dict[str, int]]:
    """How many materials the own SR and EI reproduce within ±10 % and ±20 % of the
    published values (``{"sr": {"n", "within_10", "within_20"}, "ei": {…}}``); ``n`` counts
    the materials with both an own and a published value."""
    mat = material_level(df)
    out: dict[str, dict[str, int]] = {}
    for k in ("sr", "ei"):
        both = mat.dropna(subset=[k, f"{k}_published"])
        both = both[both[f"{k}_published"] > 0]
        rel = (both[k] / both[f"{k}_published"] - 1.0).abs()
        out[k] = {
            "n": len(both),
            "within_10": int((rel <= 0.10 + 1e-9).sum()),
            "within_20": int((rel <= 0.20 + 1e-9).sum()),
        }
    return out


#: The reconciliation's notes: key → English wording, ``{placeholders}`` filled from the
#: note's parameters (numbers as plain values). The fact table's ``note`` column joins them with
#: ``"; "``; the web pages show the message ``mat_note_<key>`` of the module's catalogs instead
#: (:func:`note_items` rebuilds the keys and parameters from a fact-table row).
NOTE_TEXTS: dict[str, str] = {
    "not_scored": "not scored in this assessment year (no published SR/EI)",
    "no_shares": "no supply shares in the open data for this material (the 2023 tables give "
    "shares for individual elements of groups such as HREEs, LREEs and PGMs, not for the group)",
    "no_global_shares": "no global supply shares for this stage: EU sourcing used for both terms",
    "no_eu_shares": "no EU sourcing shares for this stage: global supply used for both terms",
    "without_wgi": "{n} supplier(s) without WGI counted at the midpoint 5",
    "ir_assumed": "IR assumed {ir:g}: no trade and production data for it",
    "ir_trade": "IR {ir:.2f} computed from BACI trade and World Mining Data",
    "si_assumed": "not in the open data: {which} (assumed {si:g}, no substitution, in sr/ei; the "
    "*_calibrated columns use the values the published figures imply)",
    "no_eol": "no EoL-RIR: 0 used",
    "not_reproduced": "own value differs from the published one beyond rounding (±{rounding:g})",
    "sr_above_factor": "published SR implies (1−EoL_RIR)·SI_SR > 1 for any IR: the open supply "
    "shares or WGI year understate the concentration the EC used",
    "ei_above_si": "published EI implies SI_EI > 1: end-use shares or value added differ",
    "no_end_use": "no end-use shares in the open data: EI cannot be recomputed",
}


def note_text(items: list[tuple[str, dict[str, Any]]]) -> str:
    """The English wording of :func:`note_items`' notes, joined with ``"; "``."""
    return "; ".join(NOTE_TEXTS[key].format(**params) for key, params in items)


def _plain(x: float) -> int | float:
    """A whole number as an ``int`` (an assumed 1 reads "1", a computed IR "1.00")."""
    return int(x) if float(x).is_integer() else x


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def note_items(
    r: dict[str, Any], sr_own_max: float | None, eol: float | None, bottleneck: str | None
) -> tuple[bool | None, list[tuple[str, dict[str, Any]]]]:
    """Whether the own computation reproduces the published values, and why not: a list of
    ``(key, parameters)`` (keys of :data:`NOTE_TEXTS`).

    ``r`` is one row of :func:`criticality_table` (a missing value may be ``None`` or NaN, so
    a row of the served fact table works too), ``sr_own_max`` the material's largest own SR
    (the ``sr`` column's maximum), ``eol`` its EoL-RIR and ``bottleneck`` its bottleneck stage.
    """
    r = {k: (None if _missing(v) else v) for k, v in r.items()}
    eol = None if _missing(eol) else eol
    sr_own_max = None if _missing(sr_own_max) else sr_own_max
    notes: list[tuple[str, dict[str, Any]]] = []
    if r["sr_published"] is None and r["ei_published"] is None:
        notes.append(("not_scored", {}))
    if r["stage"] is None:
        notes.append(("no_shares", {}))
        return None, notes
    if r["hhi_wgi_t_gs"] is None:
        notes.append(("no_global_shares", {}))
    if r["hhi_wgi_t_eu"] is None:
        notes.append(("no_eu_shares", {}))
    if r["n_without_wgi"]:
        notes.append(("without_wgi", {"n": int(r["n_without_wgi"])}))
    if r["ir_source"] == "assumed":
        notes.append(("ir_assumed", {"ir": _plain(IR_ASSUMED)}))
    elif r["ir_source"] == "trade":
        notes.append(("ir_trade", {"ir": float(r["ir"])}))
    if r["si_source"] is not None and r["si_source"] != "parameter":
        which = str(r["si_source"]).removeprefix("assumed ")
        notes.append(("si_assumed", {"which": which, "si": _plain(SI_ASSUMED)}))
    if eol is None:
        notes.append(("no_eol", {}))
    reproduced = None
    sr_ok = ei_ok = None
    if r["sr_published"] is not None and sr_own_max is not None:
        sr_ok = bool(abs(sr_own_max - r["sr_published"]) <= PUBLISHED_ROUNDING)
    if r["ei_published"] is not None and r["ei"] is not None:
        ei_ok = bool(abs(r["ei"] - r["ei_published"]) <= PUBLISHED_ROUNDING)
    if sr_ok is not None or ei_ok is not None:
        reproduced = bool((sr_ok is not False) and (ei_ok is not False))
        if not reproduced:
            notes.append(("not_reproduced", {"rounding": PUBLISHED_ROUNDING}))
    f0, f1 = r["implied_sr_factor_ir0"], r["implied_sr_factor_ir1"]
    if r["stage"] == bottleneck and f0 is not None and f1 is not None and min(f0, f1) > 1.0:
        notes.append(("sr_above_factor", {}))
    if r["implied_si_ei"] is not None and r["implied_si_ei"] > 1.0 + PUBLISHED_ROUNDING:
        notes.append(("ei_above_si", {}))
    if r["sum_aq_meur"] is None and r["ei_published"] is not None:
        notes.append(("no_end_use", {}))
    return reproduced, notes


def _judge(
    r: dict[str, Any], sr_own_max: float | None, eol: float | None, bottleneck: str | None
) -> tuple[bool | None, str]:
    """Whether the own computation reproduces the published values, and why not, in words."""
    reproduced, items = note_items(r, sr_own_max, eol, bottleneck)
    return reproduced, note_text(items)
