"""What the materials pages show beyond the overview: one material, the what-if, BOM exposure.

Pure functions of the fact tables (:class:`~ketenradar.results.facts.Facts`), the criticality
inputs and plain parameters; no web framework here. The pages and the JSON API both call them.

* :func:`material_detail`: one material's stage concentration (EU CRM global supply, EU
  sourcing, USGS world production over the years), CRMA flags and the reconciliation of the
  recomputed EU criticality with the published 2023 assessment.
* :func:`whatif`: a scenario document (``ketenradar.modules.materials.scenario``) run on the EU
  criticality method; baseline and scenario per material and stage, with the deltas and the
  materials whose critical status changes. :func:`run_whatif` is what the web API calls: the
  same, with the inputs of the data dir, cached and rationed (below).
* :func:`bom_exposure_from_text`: the exposure of a system's bill of materials
  (``ketenradar.modules.materials.bom``, format in ``docs/methods/bom.md``) from an uploaded text.

The inputs come from the user's data store when it holds them (:func:`criticality_inputs_for`,
:func:`bom_supply`), else from the starter pack, so everything works on a fresh install.

A what-if costs about a second of CPU (the method runs twice over every material and stage)
and anyone may post one, so :func:`run_whatif` keeps the results of the last
``KETENRADAR_WHATIF_CACHE_SIZE`` scenarios per version of the inputs (an identical request,
also one arriving while the first is computed, is answered from that one computation) and
computes at most ``KETENRADAR_MAX_CONCURRENT_WHATIF`` different ones at once, with at most
``KETENRADAR_MAX_QUEUED_WHATIF`` waiting for a turn; beyond that the request is refused with
429 and ``Retry-After`` (:class:`WhatifBusyError`, logged as a warning) rather than parking
the server's threads:

=====================================  ======================================================
``KETENRADAR_MAX_CONCURRENT_WHATIF``   what-ifs computed at once (default 2)
``KETENRADAR_MAX_QUEUED_WHATIF``       what-ifs waiting for one of those (default 8)
``KETENRADAR_WHATIF_CACHE_SIZE``       what-if results kept, least recently used dropped
                                       (default 64)
=====================================  ======================================================
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar.core.cache import BusyError, ConcurrencyLimit, SingleFlightCache
from ketenradar.core.errors import (
    DataError,
    ErrorCode,
    MissingDataError,
    NotFoundError,
    RateLimitedError,
    UsageError,
)
from ketenradar.core.safe_yaml import load_yaml
from ketenradar.core.settings import settings
from ketenradar.core.vocabularies.materials import Material, resolve_material
from ketenradar.core.vocabularies.materials import materials as vocabulary
from ketenradar.datasets import DataStore
from ketenradar.interfaces.web.frames import records
from ketenradar.interfaces.web.pages import store_footer
from ketenradar.modules.materials.analysis import concentration
from ketenradar.modules.materials.assessment import CriticalityInputs, load_inputs
from ketenradar.modules.materials.bom import (
    SPOF_THRESHOLD,
    UNIT_COLUMNS,
    Bom,
    decode_text,
    exposure,
    note_items,
    packaged_boms,
    parse_bom,
)
from ketenradar.modules.materials.scenario import parse_scenario, run_scenario
from ketenradar.results import starter
from ketenradar.results.facts import Facts

#: Thresholds of the EU method: critical when EI ≥ 2.8 and SR ≥ 1.0.
THRESHOLDS = {"ei": 2.8, "sr": 1.0}

#: A what-if document may hold at most this many changes (each one re-runs part of the method).
MAX_CHANGES = 25

#: An uploaded BOM file may be at most this large (bytes; the web app passes its setting
#: ``KETENRADAR_MAX_BOM_BYTES``). How far a document may expand (YAML aliases, ``use:`` and
#: nesting) is the engine's limit, the same in the CLI and the Python API:
#: ``KETENRADAR_MAX_YAML_NODES``, ``KETENRADAR_MAX_BOM_LINES`` (:mod:`ketenradar.core.settings`).
MAX_BOM_BYTES = 1_000_000

#: The supply bases a BOM's exposure can use.
SUPPLY_BASES = ("eu_crm", "usgs")

#: What a BOM exposure says of each supply dataset (``via_*``: the fact table it was read from).
SUPPLY_DATASET_KEYS = ("dataset", "source", "release", "licence", "via", "via_origin", "via_table")

#: Concentration sources as the concentration table names them, and what they are.
CONCENTRATION_SOURCES = {
    "eu_crm": "global_supply",
    "eu_crm_eu": "eu_sourcing",
    "usgs": "world_production",
}

RECONCILIATION_COLUMNS = [
    "stage",
    "sr",
    "sr_published",
    "ei",
    "ei_published",
    "critical",
    "critical_published",
    "bottleneck_stage",
    "hhi_wgi_t_gs",
    "hhi_wgi_t_eu",
    "top_country_gs",
    "top_share_gs",
    "ir",
    "ir_source",
    "eol_rir",
    "implied_sr_factor",
    "implied_si_sr",
    "implied_si_ei",
    "reproduced",
    "note",
]
CONCENTRATION_COLUMNS = [
    "basis",
    "stage",
    "year",
    "top_country",
    "top_share",
    "hhi",
    "n_countries",
    "eu27_share",
    "crma_65_flag",
    "top_is_third_country",
    "unit",
    "description",
    "trend",
]
WHATIF_COLUMNS = [
    "material",
    "name",
    "stage",
    "hhi_wgi_t_gs",
    "hhi_wgi_t_gs_scenario",
    "hhi_wgi_t_eu",
    "hhi_wgi_t_eu_scenario",
    "eol_rir",
    "eol_rir_scenario",
    "sr_calibrated",
    "sr_scenario",
    "sr_delta",
    "ei_calibrated",
    "ei_scenario",
    "ei_delta",
    "critical_calibrated",
    "critical_scenario",
    "critical_change",
]


log = logging.getLogger(__name__)

#: Seconds a refused what-if is told to wait (``Retry-After``).
WHATIF_RETRY_AFTER = 5


# --------------------------------------------------------------------------------------------
# One material


def with_group_values(rows: list[dict[str, Any]], crit: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of materials without published values of their own (individual rare earths,
    platinum-group metals) get their group's published SR, EI and critical status, marked:
    ``group`` (the group's id), ``group_name``, ``sr_group``, ``ei_group``, ``critical_group``.
    """
    parents = {x.material: x.parent for x in vocabulary() if x.parent}
    names = {x.material: x.name for x in vocabulary()}
    pub = crit.dropna(subset=["sr_published"]).drop_duplicates("material").set_index("material")

    def group_of(mat: str) -> str | None:
        p = parents.get(mat)
        while p is not None:
            if p in pub.index:
                return p
            p = parents.get(p)
        return None

    for r in rows:
        g = group_of(r["material"]) if r.get("sr_published") is None else None
        r["group"] = g
        if g is not None:
            r["group_name"] = names.get(g, g)
            r["sr_group"] = float(pub.loc[g, "sr_published"])
            ei = pub.loc[g, "ei_published"]
            r["ei_group"] = None if pd.isna(ei) else float(ei)
            cp = pub.loc[g, "critical_published"]
            r["critical_group"] = None if pd.isna(cp) else bool(cp)
    return rows


def reconciliation_notes(crit: pd.DataFrame) -> list[list[dict[str, Any]]]:
    """The reconciliation notes of a material's rows of the ``criticality`` fact table, one
    list per row: ``{"key", "params"}`` (keys of
    :data:`~ketenradar.modules.materials.assessment.NOTE_TEXTS`; the pages show the message
    ``mat_note_<key>`` with the numbers in the page's language). The same notes as the
    English ``note`` column, rebuilt from the row's values."""
    from ketenradar.modules.materials.assessment import note_items

    out = []
    sr_max = crit["sr"].max() if len(crit) else None
    for r in crit.to_dict(orient="records"):
        _, items = note_items(r, sr_max, r.get("eol_rir"), r.get("bottleneck_stage"))
        out.append([{"key": k, "params": params} for k, params in items])
    return out


#: The CRMA table's notes (``crma.note``, joined with ``"; "``): English wording → key of the
#: message ``mat_crma_note_<key>`` the pages show.
CRMA_NOTE_KEYS = {text: key for key, text in concentration.CRMA_NOTES.items()}


def crma_notes(note: str | None) -> list[dict[str, str]]:
    """A CRMA row's ``note`` as ``{"key"}`` items (a part with no known wording as
    ``{"text"}``, shown as English)."""
    parts = [p for p in (note or "").split("; ") if p]
    return [{"key": CRMA_NOTE_KEYS[p]} if p in CRMA_NOTE_KEYS else {"text": p} for p in parts]


def usgs_source(facts: Facts) -> str:
    """The USGS source of the world-production figures as people cite it
    (``USGS MCS 2022–2024``), from the release of the served ``usgs`` dataset."""
    for d in facts.manifest().get("datasets", []):
        if d.get("source") == "usgs" and d.get("release"):
            years = re.findall(r"\d{4}", str(d["release"]))
            span = "–".join(dict.fromkeys([years[0], years[-1]])) if years else d["release"]
            return f"USGS MCS {span}"
    return "USGS MCS"


def material_detail(facts: Facts, material: str) -> dict[str, Any]:
    """One material: vocabulary, stage concentration, CRMA flags and the reconciliation.

    ``material`` is an id or a name in any publisher's spelling (``Tin``, ``tin``); an unknown
    one raises :class:`NotFoundError` with the closest known names.
    """
    m = resolve_material(material)
    return facts.cached(("material", m.material), lambda: _material_detail(facts, m))


def _material_detail(facts: Facts, m: Material) -> dict[str, Any]:
    mat = m.material
    conc = facts.table("concentration")
    conc = conc[conc["material"] == mat].copy()
    conc["basis"] = conc["basis"].map(CONCENTRATION_SOURCES)
    conc = conc.sort_values(["stage", "basis", "year"], ignore_index=True)
    crma = facts.table("crma")
    crma = crma[crma["material"] == mat].drop(columns=["source", "licence", "material", "name"])
    crit = facts.table("criticality")
    crit = crit[crit["material"] == mat]
    shares = facts.table("criticality_shares")
    shares = shares[shares["material"] == mat].dropna(subset=["share"])
    shares = shares.sort_values(["scope", "stage", "share"], ascending=[False, True, False])
    top = shares.groupby(["scope", "stage"], sort=False).head(8)
    children = [x.name for x in vocabulary() if x.parent == mat]
    reconciliation = records(crit[RECONCILIATION_COLUMNS])
    for row, notes in zip(reconciliation, reconciliation_notes(crit), strict=True):
        row["notes"] = notes
    crma_rows = records(crma)
    for row in crma_rows:
        row["notes"] = crma_notes(row.get("note"))
    return {
        "material": mat,
        "name": m.name,
        "crm_2023": m.crm_2023,
        "strategic_2023": m.strategic_2023,
        "parent": m.parent,
        "parent_name": next((x.name for x in vocabulary() if x.material == m.parent), m.parent),
        "children": children,
        "eu_crm_names": list(m.eu_crm_names),
        "usgs_codes": list(m.usgs_codes),
        "usgs_source": usgs_source(facts) if m.usgs_codes else None,
        "note": m.note,
        "thresholds": THRESHOLDS,
        "reconciliation": reconciliation,
        "concentration": records(conc[CONCENTRATION_COLUMNS]),
        "crma": crma_rows,
        "supply_shares": records(top[["scope", "stage", "country", "country_label", "share", "t"]]),
        "crma_single_country_max": concentration.CRMA_SINGLE_COUNTRY_MAX,
        "footer": facts.footer(["criticality", "concentration", "crma", "criticality_shares"]),
    }


# --------------------------------------------------------------------------------------------
# What-if


def criticality_inputs(folder: Path | None = None) -> CriticalityInputs:
    """The EU criticality method's inputs (for the what-if) from a fact build's tables: the
    shipped starter pack by default, else the build in ``folder``."""
    from ketenradar.modules.materials.parameters import load_parameters

    def read(table: str) -> pd.DataFrame:
        return starter.read(table, folder).drop(columns=["source", "licence"])

    end_use, wgi = read("criticality_end_use"), read("criticality_wgi")
    by_source = {d["source"]: d for d in starter.manifest(folder)["datasets"]}
    try:
        import_reliance = read("criticality_ir")
    except (NotFoundError, FileNotFoundError):  # a build without trade or WMD: IR assumed
        import_reliance = None
    return CriticalityInputs(
        shares=read("criticality_shares"),
        end_use=end_use,
        scores=read("criticality_scores"),
        wgi=wgi.drop(columns=["year"]),
        wgi_year=int(wgi["year"].iloc[0]),
        parameters=load_parameters(),
        max_va_meur=float(end_use["va_meur"].max()),
        provenance=[by_source["eu_crm"], by_source["wgi"]],
        import_reliance=import_reliance,
    )


def criticality_inputs_for(data_dir: Path | str) -> tuple[CriticalityInputs, str]:
    """The EU criticality inputs: the store's when it holds an EU CRM and a WGI dataset, else
    the starter pack's. Returns ``(inputs, origin)`` with ``origin`` ``store`` or ``starter``."""
    store = DataStore(data_dir)
    if store.list(kind="crm_assessment") and store.list(kind="governance"):
        inputs, origin = load_inputs(store), "store"
    else:
        inputs, origin = criticality_inputs(), "starter"
    # the frames are this call's own; their provenance is in inputs.provenance. Left in
    # ``attrs``, pandas deep-copies it into every frame the method derives (thousands of
    # times): four fifths of a what-if's time went there
    for frame in (inputs.shares, inputs.end_use, inputs.scores, inputs.wgi, inputs.parameters):
        frame.attrs = {}
    return inputs, origin


def _status(before: Any, after: Any) -> str:
    if bool(before) == bool(after):
        return ""
    return "becomes critical" if after else "no longer critical"


def _check_number(value: Any, where: str) -> None:
    """A number (not a boolean, not text) or :class:`DataError` naming where it sits."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok:
        try:
            float(value)
            ok = not isinstance(value, bool)
        except (TypeError, ValueError):
            ok = False
    if not ok:
        raise DataError(f"not a number: {value!r}", file="what-if", node=where)


def whatif(
    inputs: CriticalityInputs,
    doc: Any,
    *,
    assessment_year: int = 2023,
    origin: str = "starter",
) -> dict[str, Any]:
    """Run a scenario document (a mapping like ``examples/scenarios/*.yaml``) on the method.

    Returns every material and stage (baseline, scenario, deltas, critical change), which
    rows changed, and per material whether its critical status (critical at any stage)
    changes. An invalid document raises :class:`DataError` naming the change and the field.
    """
    changes = doc.get("changes") if isinstance(doc, dict) else None
    if isinstance(changes, list) and len(changes) > MAX_CHANGES:
        raise DataError(
            f"at most {MAX_CHANGES} changes per what-if, not {len(changes)}", field="changes"
        )
    if isinstance(changes, list):
        for i, ch in enumerate(changes):
            body = ch.get("wgi") if isinstance(ch, dict) else None
            if isinstance(body, dict) and "estimate" in body:
                _check_number(body["estimate"], f"changes[{i}].wgi.estimate")
    try:
        sc = parse_scenario(doc, source="what-if")
    except (TypeError, ValueError) as exc:  # a value the validator did not foresee
        raise DataError(f"invalid value in the scenario: {exc}", file="what-if") from None
    df = run_scenario(inputs, sc, assessment_year)[WHATIF_COLUMNS].copy()
    eps = 1e-9
    moved = (df["sr_delta"].abs() > eps) | (df["ei_delta"].abs() > eps)
    for col in ("hhi_wgi_t_gs", "hhi_wgi_t_eu", "eol_rir"):
        a, b = df[col], df[f"{col}_scenario"]
        moved |= ((a - b).abs() > eps) | (a.isna() != b.isna())
    df["changed"] = moved | (df["critical_change"] != "")
    status = []
    for mat, g in df.groupby("material", sort=True):
        before = bool(g["critical_calibrated"].eq(True).any())
        after = bool(g["critical_scenario"].eq(True).any())
        if change := _status(before, after):
            status.append({"material": mat, "name": g["name"].iloc[0], "change": change})
    datasets = inputs.provenance
    return {
        "scenario": {"name": sc.name, "description": sc.description, **sc.provenance()},
        "assessment_year": assessment_year,
        "thresholds": THRESHOLDS,
        "rows": records(df),
        "n_changed": int(df["changed"].sum()),
        "status_changes": status,
        "inputs": {
            "origin": origin,
            "wgi_year": inputs.wgi_year,
            "datasets": [
                {k: d.get(k) for k in ("dataset", "source", "release", "licence")} for d in datasets
            ],
        },
        "method": "EU criticality method (European Commission 2017; Blengini et al. 2017); "
        "baseline and scenario calibrated on the published 2023 values: the substitution "
        "indices the published SR/EI imply are held constant",
    }


class WhatifBusyError(RateLimitedError):
    """Too many different what-ifs are being computed and waiting (429, ``Retry-After``)."""

    code = ErrorCode.BUSY


@dataclass
class WhatifService:
    """The what-if's result cache and its ration of computations (one per process and limits)."""

    cache: SingleFlightCache
    limit: ConcurrencyLimit


_WHATIF: dict[tuple[int, int, int], WhatifService] = {}
_WHATIF_LOCK = threading.Lock()


def whatif_service() -> WhatifService:
    """The what-if cache and ration for the limits set in the environment now."""
    s = settings()
    limits = (s.max_concurrent_whatif, s.max_queued_whatif, s.whatif_cache_size)
    with _WHATIF_LOCK:
        svc = _WHATIF.get(limits)
        if svc is None:
            _WHATIF.clear()
            svc = _WHATIF[limits] = WhatifService(
                SingleFlightCache(limits[2], name="what-if"), ConcurrencyLimit(*limits[:2])
            )
        return svc


def _inputs_version(data_dir: Path | str) -> tuple[Any, ...]:
    """What the inputs :func:`criticality_inputs_for` would read are: the store's EU CRM and
    WGI datasets with their versions, or the starter pack."""
    store = DataStore(data_dir)
    crm, gov = store.list(kind="crm_assessment"), store.list(kind="governance")
    if crm and gov:
        return ("store", str(store.root), *((d.name, d.manifest.version) for d in crm + gov))
    return ("starter",)


def _scenario_key(doc: Any) -> str | None:
    """The scenario document in one canonical spelling (keys sorted), hashed; ``None`` when it
    has no JSON spelling (then it is not cached)."""
    try:
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def run_whatif(data_dir: Path | str, doc: Any, *, assessment_year: int = 2023) -> dict[str, Any]:
    """:func:`whatif` on the inputs of ``data_dir`` (:func:`criticality_inputs_for`), as the
    web API runs it: cached per version of the inputs and scenario document, each result
    computed once however many ask for it at the same moment, at most
    ``KETENRADAR_MAX_CONCURRENT_WHATIF`` computed at once and
    ``KETENRADAR_MAX_QUEUED_WHATIF`` waiting (beyond: :class:`WhatifBusyError`, 429).
    Do not modify the result (it is shared)."""
    svc = whatif_service()

    def compute() -> dict[str, Any]:
        try:
            with svc.limit:
                inputs, origin = criticality_inputs_for(data_dir)
                return whatif(inputs, doc, assessment_year=assessment_year, origin=origin)
        except BusyError as exc:
            log.warning(
                "what-if refused: %s (KETENRADAR_MAX_CONCURRENT_WHATIF=%d, "
                "KETENRADAR_MAX_QUEUED_WHATIF=%d)",
                exc,
                svc.limit.slots,
                svc.limit.queue,
            )
            raise WhatifBusyError(
                f"the server is computing as many what-ifs as it allows ({svc.limit.slots} at "
                f"once, {svc.limit.queue} waiting): try again in {WHATIF_RETRY_AFTER} seconds",
                WHATIF_RETRY_AFTER,
            ) from None

    key = _scenario_key(doc)
    if key is None:
        return compute()
    return svc.cache.get((_inputs_version(data_dir), assessment_year, key), compute)


# --------------------------------------------------------------------------------------------
# Bill of materials


@dataclass
class BomSupply:
    """Supply shares and governance a BOM's exposure is computed with, and where they are from."""

    basis: str
    shares: pd.DataFrame  # material, stage, country, share
    wgi_scaled: dict[str, float] | None
    origin: str  # 'starter', 'store' or 'store + starter'
    datasets: list[dict[str, Any]] = field(default_factory=list)
    footer: dict[str, Any] = field(default_factory=dict)


def _facts_origin(facts: Facts, table: str) -> str:
    """``store`` when the user's own build serves ``table``, else ``starter``."""
    return (
        "store" if getattr(facts, "origin", None) and facts.origin(table) == "store" else "starter"
    )


def _global_shares(shares: pd.DataFrame) -> pd.DataFrame:
    s = shares[shares["scope"] == "global"].dropna(subset=["country", "share"])
    return s[["material", "stage", "country", "share"]].reset_index(drop=True)


def bom_supply(facts: Facts, data_dir: Path | str, basis: str = "eu_crm") -> BomSupply:
    """The supply data for BOM exposure, as ``ketenradar bom exposure`` reads it.

    ``eu_crm``: global supply shares per stage (EU CRM 2023) and the WGI, each from the user's
    store when it holds the dataset, else from the starter pack (the same tables).
    ``usgs``: world production of the latest year (only from the store: the starter pack does
    not ship the country shares).
    """
    from ketenradar.modules.materials.analysis.criticality import country_wgi_scaled
    from ketenradar.modules.materials.assessment import default_wgi_year
    from ketenradar.modules.materials.datasets import LOAD_HINT, choose_dataset, read_table

    if basis not in SUPPLY_BASES:
        raise UsageError(f"supply '{basis}' is not available (choose one of: eu_crm, usgs)")
    store = DataStore(data_dir)
    datasets: list[dict[str, Any]] = []
    origins: list[str] = []
    starter_tables: list[str] = []
    if basis == "eu_crm":
        if store.list(kind="crm_assessment"):
            crm = choose_dataset(store, "crm_assessment")
            shares = _global_shares(read_table(crm, "supply_shares"))
            datasets.append(crm.manifest.provenance())
            origins.append("store")
        else:
            shares = _global_shares(facts.table("criticality_shares"))
            starter_tables.append("criticality_shares")
            origins.append(_facts_origin(facts, "criticality_shares"))
    else:
        usgs = [d for d in store.list(kind="mineral_production") if d.manifest.source == "usgs"]
        if not usgs:
            # only USGS counts here (World Mining Data, the hint's alternative, does not)
            usgs_load = LOAD_HINT["mineral_production"].split(" (or:")[0]
            raise MissingDataError(
                "USGS world production is not in the starter pack and no USGS dataset is "
                f"loaded: load one with `{usgs_load}`, or use the EU CRM global supply shares "
                "(supply=eu_crm), which work on a fresh install"
            )
        ds = choose_dataset(store, "mineral_production", source="usgs")
        us = concentration.usgs_shares(read_table(ds, "production")).dropna(subset=["country"])
        us = us[us["year"] == int(us["year"].max())]
        shares = us.groupby(["material", "stage", "country"], as_index=False)["share"].sum()
        datasets.append(ds.manifest.provenance())
        origins.append("store")
    gov = store.list(kind="governance")
    if gov:
        raw = read_table(gov[0], "wgi")
        w = country_wgi_scaled(raw, default_wgi_year(raw))
        datasets.append(gov[0].manifest.provenance())
        origins.append("store")
    else:
        w = facts.table("criticality_wgi")
        starter_tables.append("criticality_wgi")
        origins.append(_facts_origin(facts, "criticality_wgi"))
    wgi = {str(c): float(v) for c, v in zip(w["country"], w["wgi_scaled"], strict=True)}
    # a copy: facts.footer's dict is shared by every request (the lines below change it)
    footer = dict(facts.footer(starter_tables)) if starter_tables else store_footer(datasets)
    if starter_tables and datasets:
        extra = store_footer(datasets)
        footer["tables"] = {**footer["tables"], **extra["tables"]}
        footer["sources"] = footer["sources"] + extra["sources"]
        footer["licences"] = sorted(set(footer["licences"]) | set(extra["licences"]))
    if starter_tables:
        shipped = {d["source"]: d for d in facts.manifest()["datasets"]}
        for t in starter_tables:
            src = "wgi" if t == "criticality_wgi" else "eu_crm"
            origin = _facts_origin(facts, t)
            where = "your facts" if origin == "store" else "starter pack"
            datasets.append(
                {
                    **shipped.get(src, {"dataset": src}),
                    "via": f"{where}: {t}",
                    "via_origin": origin,
                    "via_table": t,
                }
            )
    return BomSupply(
        basis=basis,
        shares=shares,
        wgi_scaled=wgi,
        origin=" + ".join(dict.fromkeys(origins)),
        datasets=datasets,
        footer=footer,
    )


def packaged_bom_list() -> list[dict[str, Any]]:
    """The BOMs shipped with ketenradar: name, system, description, whether illustrative."""
    return list(_packaged_bom_list())


@functools.cache
def _packaged_bom_list() -> tuple[dict[str, Any], ...]:
    # the packaged files do not change while the process runs: parsed once
    from ketenradar.modules.materials.bom import load_bom

    out = []
    for name, path in packaged_boms().items():
        b = load_bom(path)
        out.append(
            {
                "name": name,
                "system": b.system,
                "description": b.description,
                "illustrative": b.illustrative,
                "unit": b.unit,
            }
        )
    return tuple(out)


def _exposure_result(bom: Bom, supply: BomSupply) -> dict[str, Any]:
    critical = {m.material for m in vocabulary() if m.crm_2023}
    res = exposure(bom, supply.shares, wgi_scaled=supply.wgi_scaled, critical=critical)
    summary = records(res.summary)[0]
    materials = records(res.materials)
    spof = [
        {k: r[k] for k in ("material", "name", "stage", "top_country", "top_share")}
        for r in materials
        if r["single_point_of_failure"]
    ]
    unit = UNIT_COLUMNS[bom.unit]
    used = {r["material"] for r in materials} | {r["supply_material_used"] for r in materials}
    return {
        "bom": {
            "system": bom.system,
            "description": bom.description,
            "illustrative": bom.illustrative,
            "unit": bom.unit,
            "note": bom.note,
            "file": bom.file,
            "sources": [
                {"id": s.id, "citation": s.citation, "url": s.url} for s in bom.sources.values()
            ],
        },
        "supply": {
            "basis": supply.basis,
            "origin": supply.origin,
            "datasets": [{k: d.get(k) for k in SUPPLY_DATASET_KEYS} for d in supply.datasets],
        },
        "summary": summary,
        # the summary's lists, structured (the pages name materials, stages and countries)
        "single_points_of_failure": spof,
        "critical_list": [
            {"material": r["material"], "name": r["name"]} for r in materials if r["is_critical"]
        ],
        "no_supply_list": [
            {k: r[k] for k in ("material", "name", "stage")}
            for r in materials
            if r["supply_stage_used"] is None
        ],
        "material_notes": [note_items(r) for r in materials],
        "names": {m.material: m.name for m in vocabulary() if m.material in used},
        "quantity_column": {
            "label": unit.label,
            "unit": unit.unit,
            "description": unit.description,
        },
        "materials": materials,
        "countries": records(res.countries),
        "single_point_of_failure_threshold": SPOF_THRESHOLD,
        "method": "Bill-of-materials exposure (docs/methods/bom.md); CRMA 65 % benchmark "
        "(Regulation (EU) 2024/1252, Art. 5)",
        "footer": supply.footer,
    }


def packaged_bom_exposure(facts: Facts, name: str, supply: BomSupply) -> dict[str, Any]:
    """Exposure of a packaged BOM (``naval_aesa_radar``, …); unknown → :class:`NotFoundError`.

    The packaged files do not change, so the result is cached per build of the facts and the
    versions of the store's datasets the supply came from (do not modify it)."""
    from ketenradar.modules.materials.bom import load_bom

    boms = packaged_boms()
    if name not in boms:
        raise NotFoundError(f"no packaged BOM '{name}' (packaged BOMs: {', '.join(sorted(boms))})")
    versions = tuple(d.get("version") for d in supply.datasets)
    key = ("bom_exposure", name, supply.basis, supply.origin, versions)
    return facts.cached(key, lambda: _exposure_result(load_bom(boms[name]), supply))


def clean_filename(filename: str | None) -> str:
    """The base name of an uploaded file, safe to show (at most 100 characters)."""
    name = Path(str(filename or "upload.yaml").replace("\\", "/")).name or "upload.yaml"
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:100] or "upload.yaml"


def decode_upload(data: bytes, max_bytes: int = MAX_BOM_BYTES, file: str | None = None) -> str:
    """An uploaded file's bytes as text; too large (over ``max_bytes``, the setting
    ``KETENRADAR_MAX_BOM_BYTES`` in the web app), empty or not UTF-8 → :class:`DataError`
    naming the file (``file``: its shown name) and, when not UTF-8, the line."""
    if len(data) > max_bytes:
        raise DataError(f"the file is larger than {max_bytes / 1e6:g} MB", file=file)
    if not data.strip():
        raise DataError("the file is empty", file=file)
    return decode_text(data, file)


def saved_scenario_document(text: str, label: str) -> dict[str, Any]:
    """A saved scenario's document (YAML or JSON) for the what-if form to run again.

    Refuses YAML that does not parse or would explode (:func:`~ketenradar.core.safe_yaml.load_yaml`)
    and a document that is not a mapping with a list of ``changes`` (:class:`DataError`); the
    what-if checks the changes themselves when it runs them.
    """
    doc = load_yaml(text, file=label, kind="YAML/JSON")
    if not isinstance(doc, dict) or not isinstance(doc.get("changes"), list):
        raise DataError("not a scenario document (a mapping with a list of 'changes')", file=label)
    return doc


def bom_exposure_from_text(text: str, filename: str, supply: BomSupply) -> dict[str, Any]:
    """Validate a BOM document given as text and compute its exposure; nothing is stored.

    An invalid document raises :class:`DataError` naming the file, line, field and the path
    to the bad node (``system > subsystem > component > materials[0]``); so does one that
    would explode (:func:`~ketenradar.modules.materials.bom.parse_bom` refuses those before building
    them).
    """
    return _exposure_result(parse_bom(text, file=clean_filename(filename)), supply)


def overview(facts: Facts) -> dict[str, Any]:
    """EU criticality per material and stage (for the EI × SR chart) and the CRMA flags."""
    return facts.cached(("materials",), lambda: _materials(facts))


def _materials(facts: Facts) -> dict[str, Any]:
    crit = facts.table("criticality")
    cols = [
        "material",
        "name",
        "stage",
        "sr",
        "ei",
        "critical",
        "sr_published",
        "ei_published",
        "critical_published",
        "bottleneck_stage",
    ]
    rows = records(crit[[*cols, "crm_2023", "strategic_2023", "reproduced"]])
    return {
        "thresholds": {"ei": 2.8, "sr": 1.0},
        "criticality": with_group_values(rows, crit),
        "crma": records(facts.table("crma").drop(columns=["source", "licence"])),
        "footer": facts.footer(["criticality", "crma"]),
    }
