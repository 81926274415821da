"""The kansenkaart's Python API: the demand of a reactor programme per work package and year
(issue 17, items 1–2), mirroring ``ketenradar kansenkaart demand``; the requirements per work
package (item 3, ``kansenkaart requirements``) and the SMR energy fit (item 7,
``kansenkaart smr-fit``); matching suppliers to work packages, one supplier's fit and the
localisation share (item 6, ``kansenkaart match|supplier-fit|localisation``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from ketenradar.core.errors import UsageError
from ketenradar.core.progress import Progress, Steps
from ketenradar.core.provenance import new_provenance
from ketenradar.core.results import Result
from ketenradar.modules.kansenkaart.analysis.demand import (
    PreparedDesign,
    compute_demand,
    design_exponents,
    prepare_design,
)
from ketenradar.modules.kansenkaart.analysis.scenario import (
    Programme,
    parse_programme,
    programme_from_text,
)
from ketenradar.modules.kansenkaart.facts import (
    ACCOUNT_COLUMN_NAMES,
    ACCOUNT_COLUMNS,
    CERTIFICATE_COLUMNS,
    DEMAND_COLUMN_NAMES,
    DEMAND_COLUMNS,
    REQUIREMENT_COLUMNS,
    SMR_FIT_COLUMNS,
    WORK_PACKAGE_REQUIREMENT_COLUMNS,
)
from ketenradar.modules.kansenkaart.names import work_package_names
from ketenradar.modules.kansenkaart.references import (
    DESIGNS,
    PARSER_VERSION,
    factors,
    load_taxonomy,
    reference_table,
    scaling_table,
    timcat_exponents,
)

__all__ = [
    "demand",
    "load_programme",
    "localisation",
    "match",
    "prepare",
    "requirements",
    "smr_fit",
    "supplier_fit",
]

METHODS = [
    "kansenkaart demand model (docs/methods/kansenkaart.md): source cost accounts scaled by "
    "(P/P_ref)^b per account group, Wright learning per doubling, converted by deflator and "
    "exchange rate, mapped to work packages by code-of-account prefix, spread over years by "
    "a cosine S-curve per work package",
    "EEDB code of accounts (US DOE Energy Economic Data Base, PWR12) as in ACCERT (INL/ANL) "
    "and TIMCAT (Stewart & Shirvan, Renew. Sustain. Energy Rev. 2021, 111880)",
]


def load_programme(scenario: Path | str | Mapping[str, Any] | Programme) -> Programme:
    """A programme from a file (YAML/JSON), a mapping or a :class:`Programme`."""
    if isinstance(scenario, Programme):
        return scenario
    if isinstance(scenario, Mapping):
        return parse_programme(scenario)
    path = Path(scenario)
    if not path.is_file():
        raise UsageError(f"scenario file {path} not found", field="scenario")
    return programme_from_text(path.read_text(encoding="utf-8"), file=str(path))


def prepare(
    designs: list[str], *, shared: Path | str | None = None, taxonomy: Path | None = None
) -> tuple[dict[str, PreparedDesign], Any, dict[str, Any], list[str], list[dict[str, Any]]]:
    """Read and prepare the designs' tables: (prepared per design, taxonomy, exponents per
    design, notes, dataset records)."""
    tax = load_taxonomy(taxonomy)
    timcat, timcat_record = timcat_exponents(shared)
    scaling = scaling_table()
    prepared: dict[str, PreparedDesign] = {}
    exps: dict[str, Any] = {}
    notes: list[str] = []
    datasets: list[dict[str, Any]] = []
    if not timcat_record.get("read"):
        notes.append("TIMCAT input_scaling_exponents.xlsx not read: packaged exponents used")
    for design in designs:
        ref = reference_table(design, shared)
        groups = scaling["groups"][ref.code_system]
        table, enotes = design_exponents(groups, timcat)
        prepared[design] = prepare_design(ref, tax, table, float(scaling["default_exponent"]))
        exps[design] = table
        notes.extend([*ref.notes, *enotes])
        spec = DESIGNS[design]
        datasets.append(
            {
                "dataset": design,
                "source": spec["source"],
                "release": spec["release"],
                "version": str(ref.files[0]["sha256"])[:12],
                "parser_version": PARSER_VERSION,
                "licence": spec["licence"],
                "citation": spec["citation"],
                "inputs": [dict(f) for f in ref.files],
                "title": ref.title,
                "currency": f"{ref.currency}{ref.price_year}",
                "reference_mwe": ref.reference_mwe,
            }
        )
    datasets.append(timcat_record)
    return prepared, tax, exps, notes, datasets


def demand(
    scenario: Path | str | Mapping[str, Any] | Programme,
    *,
    currency: str = "EUR",
    price_year: int | None = None,
    taxonomy: Path | None = None,
    shared: Path | str | None = None,
    command: str | None = None,
    progress: Progress | None = None,
) -> Result:
    """The demand of a programme: tables ``demand`` (unit × work package × year) and
    ``accounts`` (unit × source account, with the source's totals).

    ``currency``: ``source`` (the source table's USD of its price year, or of ``price_year``
    by the deflator) or ``EUR`` (euros of ``price_year``, default the latest year of the factor
    table). ``shared``: the folder holding ``eedb/`` and ``nuclear_costs/`` (default
    ``$KETENRADAR_SHARED_DATA``)."""
    steps = Steps(3, progress)
    steps("scenario")
    programme = load_programme(scenario)
    designs = sorted({u.design for u in programme.units})
    steps("source tables")
    prepared, tax, exps, notes, datasets = prepare(designs, shared=shared, taxonomy=taxonomy)
    steps("demand")
    fac = factors()
    dem, acc = compute_demand(
        programme, prepared, tax, fac, currency=currency, price_year=price_year
    )
    for col in ACCOUNT_COLUMN_NAMES:
        if col not in acc:
            acc[col] = None
    names = work_package_names(tax.work_packages, "en")
    dem["work_package_name"] = dem["work_package"].map(names)
    dem = dem[DEMAND_COLUMN_NAMES]
    acc = acc[ACCOUNT_COLUMN_NAMES]
    if currency == "EUR":
        unverified = [k for k, v in fac.verified.items() if not v]
        if unverified:
            notes.append(
                "unverified conversion factors (typed from the published series, not checked "
                f"against a stored copy): {', '.join(unverified)}"
            )
    if currency == "source" and len({p.ref.price_year for p in prepared.values()}) > 1:
        notes.append("designs of different source price years: amounts are not additive")
    prov = new_provenance(
        analysis="kansenkaart demand",
        methods=METHODS,
        datasets=datasets,
        parameters={
            "scenario": programme.model_dump(),
            "currency": currency,
            "price_year": price_year,
            "scaling_exponents": exps,
            "deflator": {str(k): v for k, v in fac.deflator.items()},
            "usd_per_eur": {str(k): v for k, v in fac.usd_per_eur.items()},
            "factor_sources": dict(fac.sources),
            "designs": {
                d: {
                    k: DESIGNS[d][k] for k in ("price_year", "reference_mwe", "construction_months")
                }
                for d in designs
            },
            "taxonomy": str(taxonomy) if taxonomy else "packaged data/work_packages.yaml",
        },
        command=command,
        notes=notes,
    )
    return Result(
        {"demand": dem, "accounts": acc},
        prov,
        {"demand": DEMAND_COLUMNS, "accounts": ACCOUNT_COLUMNS},
    )


#: The design whose accounts carry the EEDB NQA-1 flags (TIMCAT's PWR12 median experience):
#: the reference unit the NQA-1 shares of :func:`requirements` come from.
NQA1_DESIGN = "timcat_pwr12_me"

REQUIREMENTS_METHODS = [
    "kansenkaart requirements table (docs/methods/kansenkaart.md, 'Requirements per work "
    "package'): safety class and codes asked per work package, the project's own judgement "
    "where marked; standards cited by their bodies' titles",
    "NQA-1 share: cost of a work package's leaf accounts flagged NQA-1 in the EEDB (own flag "
    "or nearest ancestor's) over the cost with a flag, TIMCAT PWR12 median experience "
    "reference unit (source currency)",
]


def _sha256_of(path: Path | str | Mapping[str, Any]) -> str | None:
    """The sha256 of an input file (``None`` for a mapping given in Python)."""
    import hashlib

    if isinstance(path, Mapping):
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _file_record(path: Path | str | None, packaged: str) -> str:
    return str(path) if path is not None else f"packaged data/{packaged}"


def requirements(
    *,
    work_package: str | None = None,
    origin: str | None = None,
    rules: Path | str | None = None,
    certificates: Path | str | None = None,
    taxonomy: Path | None = None,
    shared: Path | str | None = None,
    lang: str = "en",
    command: str | None = None,
    progress: Progress | None = None,
) -> Result:
    """The requirements per work package: tables ``work_packages`` (safety class next to the
    NQA-1 share of its cost, the certificates asked), ``requirements`` (work package ×
    certificate, with the standard as source) and ``certificates`` (issuing body, typical time
    and cost to obtain).

    ``rules``/``certificates``: edited copies of ``data/requirements.yaml`` and
    ``data/certificates.yaml``. The NQA-1 shares come from the demand model's account table
    of the TIMCAT PWR12 reference unit in ``shared`` (default ``$KETENRADAR_SHARED_DATA``);
    without it they stay empty and a note says why. ``origin``: only the requirements asked
    for a design of that origin (``US``, ``FR``, ``DE``; default: all). ``lang``: the work
    packages' names in ``en`` or ``nl``."""
    from ketenradar.core.errors import NotFoundError
    from ketenradar.modules.kansenkaart.analysis.requirements import (
        nqa1_shares,
        requirement_tables,
    )
    from ketenradar.modules.kansenkaart.tables import load_certificates, load_requirements

    check_origin(origin)
    steps = Steps(3, progress)
    steps("requirements tables")
    tax = load_taxonomy(taxonomy)
    certs = load_certificates(certificates)
    rules_table = load_requirements(rules, certs, dict(tax.work_packages))
    if work_package is not None and work_package not in rules_table.work_packages:
        raise NotFoundError(
            f"unknown work package {work_package!r} (known: "
            f"{', '.join(rules_table.work_packages)})",
            field="work_package",
        )
    steps("NQA-1 flags")
    notes: list[str] = []
    datasets: list[dict[str, Any]] = []
    shares = None
    try:
        ref = demand(
            {
                "name": "NQA-1 reference unit",
                "units": [{"design": NQA1_DESIGN, "first_concrete_year": 2030}],
            },
            currency="source",
            taxonomy=taxonomy,
            shared=shared,
        )
        shares = nqa1_shares(ref.frame("accounts"))
        datasets = [dict(d) for d in ref.provenance.datasets]
    except NotFoundError as exc:
        notes.append(f"NQA-1 shares not computed (the source table is missing): {exc}")
    if shares is not None:
        with_flag = set(shares.loc[shares["nqa1_share"].notna(), "work_package"])
        missing = [wp for wp in rules_table.work_packages if wp not in with_flag]
        if missing:
            notes.append(
                "no NQA-1 flag in the data for: " + ", ".join(missing) + " (not in the TIMCAT "
                "PWR12 accounts, or none of their accounts carries the flag)"
            )
    steps("tables")
    names = work_package_names(tax.work_packages, lang)
    tables = requirement_tables(
        rules_table, certs, shares, names, work_package=work_package, origin=origin
    )
    notes.append(
        "certificate time and cost: the project's own rough estimates ('project estimate'), "
        "not sourced figures"
    )
    prov = new_provenance(
        analysis="kansenkaart requirements",
        methods=REQUIREMENTS_METHODS,
        datasets=datasets,
        parameters={
            "work_package": work_package,
            "origin": origin,
            "rules": _file_record(rules, "requirements.yaml"),
            "certificates": _file_record(certificates, "certificates.yaml"),
            "taxonomy": _file_record(taxonomy, "work_packages.yaml"),
            "nqa1_design": NQA1_DESIGN,
            "lang": lang,
        },
        command=command,
        notes=notes,
    )
    return Result(
        tables,
        prov,
        {
            "work_packages": WORK_PACKAGE_REQUIREMENT_COLUMNS,
            "requirements": REQUIREMENT_COLUMNS,
            "certificates": CERTIFICATE_COLUMNS,
        },
    )


SMR_METHODS = [
    "kansenkaart SMR energy fit (docs/methods/kansenkaart.md, 'SMR energy fit'): a design "
    "serves a heat demand when its outlet temperature minus a margin reaches the demand's "
    "temperature; units needed = heat demand / thermal output of one unit, rounded up",
]


def smr_fit(
    demand_file: Path | str | Mapping[str, Any],
    *,
    margin: float | None = None,
    designs: Path | str | None = None,
    command: str | None = None,
    progress: Progress | None = None,
) -> Result:
    """Which SMR designs could serve which cluster heat demand at which temperature, and how
    many units each would need: table ``fit`` (demand × design).

    ``demand_file``: a heat demand file (YAML/JSON) or its mapping: cluster, temperature_c and
    heat_mw or heat_pj_per_year per entry (user input: the industry module that would supply
    it does not exist yet). ``margin``: K between outlet and demand temperature (default
    :data:`~ketenradar.modules.kansenkaart.analysis.smr.DEFAULT_MARGIN_K`). ``designs``: an
    edited copy of ``data/smr_designs.yaml``."""
    from ketenradar.modules.kansenkaart.analysis.smr import (
        DEFAULT_MARGIN_K,
        parse_heat_demand,
    )
    from ketenradar.modules.kansenkaart.analysis.smr import smr_fit as fit
    from ketenradar.modules.kansenkaart.tables import load_designs, load_heat_demand

    steps = Steps(2, progress)
    steps("heat demand and designs")
    if isinstance(demand_file, Mapping):
        heat = parse_heat_demand(demand_file)
    else:
        heat = load_heat_demand(demand_file)
    table = load_designs(designs)
    steps("fit")
    margin_k = DEFAULT_MARGIN_K if margin is None else float(margin)
    out = fit(heat, table, margin_k=margin_k)
    notes = [
        "heat demand from user input: the industry module (cluster heat demand from emissions "
        "data) does not exist yet"
    ]
    if heat.illustrative:
        notes.append("the heat demand file is marked illustrative: made-up figures, no real data")
    unverified = sorted({u for u in out["unverified"] if u})
    if unverified:
        notes.append("some design figures are not checked against their source (column unverified)")
    prov = new_provenance(
        analysis="kansenkaart smr-fit",
        methods=SMR_METHODS,
        datasets=[],
        parameters={
            "demand": str(demand_file) if not isinstance(demand_file, Mapping) else "mapping",
            "demand_sha256": _sha256_of(demand_file),
            "demand_illustrative": heat.illustrative,
            "margin_k": margin_k,
            "designs": _file_record(designs, "smr_designs.yaml"),
            "design_sources": {
                k: {
                    f: getattr(d, f).model_dump() if getattr(d, f) is not None else None
                    for f in ("thermal_mwt", "electric_mwe", "outlet_c")
                }
                for k, d in table.designs.items()
            },
        },
        command=command,
        notes=notes,
    )
    return Result({"fit": out}, prov, {"fit": SMR_FIT_COLUMNS})


MATCH_METHODS = [
    "kansenkaart matching (docs/methods/kansenkaart.md, 'Matching and localisation'): a "
    "supplier qualifies now for a work package with the capability and every certificate "
    "the requirements table asks held and valid at the reference date; after closing gaps "
    "with the capability or an ambition; readiness 1-4 (the project's own scale, after the "
    "idea of the Nuclear AMRC Fit For Nuclear programme); gaps closed in parallel (longest "
    "time, summed cost)",
]


def check_origin(origin: str | None) -> None:
    """Refuse a design origin the requirements table does not know (``field="origin"``)."""
    from ketenradar.modules.kansenkaart.analysis.requirements import ORIGINS

    if origin is not None and origin not in ORIGINS:
        raise UsageError(
            f"unknown design origin {origin!r} (known: {', '.join(ORIGINS)})", field="origin"
        )


def _match_inputs(
    rules: Path | str | None, certificates: Path | str | None, origin: str
) -> tuple[dict[str, list[str]], dict[str, dict[str, Any]]]:
    """The certificates asked per work package for a design of ``origin`` and the
    certificates' time and cost."""
    from ketenradar.modules.kansenkaart.analysis.requirements import certificates_asked
    from ketenradar.modules.kansenkaart.tables import load_certificates, load_requirements

    check_origin(origin)
    tax = load_taxonomy()
    certs = load_certificates(certificates)
    table = load_requirements(rules, certs, dict(tax.work_packages))
    required = certificates_asked(table, origin)
    times = {k: {"months": c.months, "cost_eur": c.cost_eur} for k, c in certs.certificates.items()}
    return required, times


def _supplier_row(org: Any) -> dict[str, Any]:
    """The matching's view of a registry organisation."""
    return {
        "id": org.id,
        "name": org.name,
        "province": org.province,
        "capabilities": list(org.capabilities or []),
        "certifications": list(org.certifications or []),
        "ambitions": list(org.ambitions or []),
    }


def _frame(rows: list[dict[str, Any]], columns: list[str], lang: str) -> Any:
    import pandas as pd

    names = work_package_names(load_taxonomy().work_packages, lang)
    df = pd.DataFrame(rows, columns=[c for c in columns if c != "work_package_name"])
    df.insert(1, "work_package_name", df["work_package"].map(names))
    return df[columns]


def match(
    db: Any,
    who: Any,
    *,
    work_package: str | None = None,
    origin: str = "US",
    as_of: date | None = None,
    min_suppliers: int = 2,
    demand: Mapping[str, float] | None = None,
    level: str = "province",
    rules: Path | str | None = None,
    certificates: Path | str | None = None,
    lang: str = "en",
    command: str | None = None,
) -> Result:
    """Match the registry's suppliers ``who`` may read to the work packages: tables
    ``matches`` (work package × supplier, qualified now or after gaps, readiness, the
    missing certificates with time and cost) and ``work_packages`` (counts and
    ``bottleneck``: fewer than ``min_suppliers`` qualified now). ``origin``: the design
    origin whose certificates are asked (``US``: ASME III, NQA-1; ``FR``: RCC-M; ``DE``:
    KTA); certificates of no origin are asked always. ``db``: the accounts
    database's session factory; ``who``: a
    :class:`~ketenradar.modules.kansenkaart.suppliers.Access`; ``as_of``: the reference
    date of the certificates' validity (default today). ``demand``: euros per work package
    (a programme's, e.g. from :func:`demand`): only work packages with demand can be
    bottlenecks, and ``demand_eur`` shows it. Table ``regions``: per province or COROP region
    (``level``) the suppliers there, the candidates and those qualified now or after gaps
    (:func:`~ketenradar.modules.kansenkaart.analysis.matching.by_region`). An empty registry
    gives empty ``matches`` and a note."""
    import pandas as pd

    from ketenradar.core.errors import NotFoundError
    from ketenradar.modules.kansenkaart import suppliers as sp
    from ketenradar.modules.kansenkaart.analysis import matching
    from ketenradar.modules.kansenkaart.facts import (
        MATCH_COLUMNS,
        MATCH_NAMES,
        MATCH_SUMMARY_COLUMNS,
        MATCH_SUMMARY_NAMES,
        REGION_COLUMNS,
    )

    if min_suppliers < 1:
        raise UsageError("the minimum of qualified suppliers is at least 1", field="min_suppliers")
    if level not in ("province", "corop"):
        raise UsageError(f"unknown map level {level!r} (province or corop)", field="level")
    day = as_of or date.today()
    required, times = _match_inputs(rules, certificates, origin)
    if work_package is not None and work_package not in required:
        raise NotFoundError(
            f"unknown work package {work_package!r} (known: {', '.join(required)})",
            field="work_package",
        )
    orgs = sp.list_suppliers(db, who)
    rows = matching.match_suppliers(
        [_supplier_row(o) for o in orgs], required, times, as_of=day, work_package=work_package
    )
    summary = matching.summarise(
        rows, required, demand=demand, min_suppliers=min_suppliers, work_package=work_package
    )
    region_of = {
        o.id: (o.province, o.province)
        if level == "province"
        else (o.corop_code, o.corop or o.corop_code)
        for o in orgs
    }
    regions = matching.by_region(rows, region_of)
    notes = []
    if not orgs:
        notes.append("the supplier registry holds no suppliers you can read: nothing matched")
    if any(o.demo for o in orgs):
        notes.append("the registry holds the fictional demo set: not real companies")
    prov = new_provenance(
        analysis="kansenkaart match",
        methods=MATCH_METHODS,
        datasets=[],
        parameters={
            "work_package": work_package,
            "origin": origin,
            "as_of": day.isoformat(),
            "min_suppliers": min_suppliers,
            "demand": "given" if demand is not None else None,
            "level": level,
            "suppliers": len(orgs),
            "rules": _file_record(rules, "requirements.yaml"),
            "certificates": _file_record(certificates, "certificates.yaml"),
        },
        command=command,
        notes=notes,
    )
    return Result(
        {
            "matches": _frame(rows, MATCH_NAMES, lang),
            "work_packages": _frame(summary, MATCH_SUMMARY_NAMES, lang),
            "regions": pd.DataFrame(regions, columns=matching.REGION_FIELDS),
        },
        prov,
        {
            "matches": MATCH_COLUMNS,
            "work_packages": MATCH_SUMMARY_COLUMNS,
            "regions": REGION_COLUMNS,
        },
    )


def supplier_fit(
    db: Any,
    who: Any,
    org_id: int,
    *,
    origin: str = "US",
    as_of: date | None = None,
    rules: Path | str | None = None,
    certificates: Path | str | None = None,
    lang: str = "en",
    command: str | None = None,
) -> Result:
    """What one supplier could supply, from when, and what it lacks: table ``fit`` (one row
    per work package of its capabilities and ambitions), asking the certificates of a design
    of ``origin`` (see :func:`match`). Not found when ``who`` may not read it."""
    from ketenradar.modules.kansenkaart import suppliers as sp
    from ketenradar.modules.kansenkaart.analysis import matching
    from ketenradar.modules.kansenkaart.facts import SUPPLIER_FIT_COLUMNS, SUPPLIER_FIT_NAMES

    day = as_of or date.today()
    org = sp.get_supplier(db, who, org_id)
    required, times = _match_inputs(rules, certificates, origin)
    rows = matching.supplier_fit(_supplier_row(org), required, times, as_of=day)
    notes = []
    if not rows:
        notes.append("the supplier has no capability or ambition in a work package")
    if org.demo:
        notes.append("a fictional demo supplier: not a real company")
    prov = new_provenance(
        analysis="kansenkaart supplier-fit",
        methods=MATCH_METHODS,
        datasets=[],
        parameters={
            "supplier": org_id,
            "origin": origin,
            "as_of": day.isoformat(),
            "rules": _file_record(rules, "requirements.yaml"),
            "certificates": _file_record(certificates, "certificates.yaml"),
        },
        command=command,
        notes=notes,
    )
    return Result(
        {"fit": _frame(rows, SUPPLIER_FIT_NAMES, lang)}, prov, {"fit": SUPPLIER_FIT_COLUMNS}
    )


LOCALISATION_METHODS = [
    "kansenkaart localisation share (docs/methods/kansenkaart.md, 'Matching and "
    "localisation'): the programme's demand (euros) in work packages with at least one "
    "supplier of the registry qualified now (after closing gaps: one that would qualify), "
    "over the whole demand; no capacity cap",
    "ACCERT/IAT reference: per account, the cost share (coa_breakdown) times the sum over "
    "cost categories of category share times the country's localisation; accounts mapped "
    "onto work packages by the taxonomy's gncoa rules; applied to the programme's demand per "
    "work package (work packages without an ACCERT account: the country's whole-plant share)",
]


def localisation(
    db: Any,
    who: Any,
    scenario: Path | str | Mapping[str, Any] | Programme,
    *,
    origin: str = "US",
    as_of: date | None = None,
    min_qualified: int = 1,
    shared: Path | str | None = None,
    command: str | None = None,
) -> Result:
    """The localisation share of a programme: table ``shares`` (the share of its demand the
    registry's suppliers could deliver now and after closing gaps — the project's
    computation — next to published targets and the ACCERT/IAT assumptions applied to the
    same demand) and ``accert`` (the ACCERT/IAT assumptions per country and work package).
    Needs the cost accounts and ``nuclear_costs/accert_2025/iat/`` in ``shared`` (default
    ``$KETENRADAR_SHARED_DATA``). ``origin``: the design origin whose certificates are asked
    (see :func:`match`)."""
    import pandas as pd

    from ketenradar.modules.kansenkaart import suppliers as sp
    from ketenradar.modules.kansenkaart.analysis import matching
    from ketenradar.modules.kansenkaart.facts import (
        ACCERT_LOCALISATION_COLUMNS,
        ACCERT_LOCALISATION_NAMES,
        LOCALISATION_COLUMNS,
        LOCALISATION_NAMES,
    )
    from ketenradar.modules.kansenkaart.localisation import ANCHORS, accert_localisation

    if min_qualified < 1:
        raise UsageError("the minimum of qualified suppliers is at least 1", field="min_qualified")
    day = as_of or date.today()
    programme = load_programme(scenario)
    dem = demand(programme, currency="EUR", shared=shared)
    frame = dem.frame("demand")
    currency = str(frame["currency"].iat[0]) if len(frame) else "EUR"
    by_wp = {str(k): float(v) for k, v in frame.groupby("work_package")["total"].sum().items()}
    accert, record = accert_localisation(shared)
    required, times = _match_inputs(None, None, origin)
    orgs = sp.list_suppliers(db, who)
    rows = matching.match_suppliers([_supplier_row(o) for o in orgs], required, times, as_of=day)
    summary = matching.summarise(rows, required, demand=by_wp)
    share = matching.localisation_share(by_wp, summary, min_qualified=min_qualified)
    total = share["demand_eur"]
    own = f"project computation: registry on {day.isoformat()}, {len(orgs)} supplier(s)"
    out = [
        {
            "kind": "computed",
            "label": f"{programme.name}: Dutch suppliers now",
            "share": share["share_now"],
            "demand_eur": total,
            "localisable_eur": share["localisable_now_eur"],
            "source": own,
        },
        {
            "kind": "computed",
            "label": f"{programme.name}: Dutch suppliers after closing gaps",
            "share": share["share_after_gaps"],
            "demand_eur": total,
            "localisable_eur": share["localisable_after_gaps_eur"],
            "source": own,
        },
    ]
    for label, low, high, source in ANCHORS:
        out.append(
            {
                "kind": "published target",
                "label": label,
                "share": low,
                "share_high": high,
                "source": source,
            }
        )
    plant = {r["country"]: r["domestic_share"] for r in accert if r["work_package"] is None}
    per_wp = {
        (r["country"], r["work_package"]): r["domestic_share"]
        for r in accert
        if r["work_package"] is not None
    }
    for country, whole in plant.items():
        local = sum(d * (per_wp.get((country, wp)) or whole or 0.0) for wp, d in by_wp.items())
        out.append(
            {
                "kind": "ACCERT/IAT assumption",
                "label": f"{country}: whole plant (ACCERT/IAT large reactor)",
                "share": whole,
                "source": record["source"],
            }
        )
        out.append(
            {
                "kind": "ACCERT/IAT assumption",
                "label": f"{country}: applied to {programme.name}",
                "share": local / total if total else None,
                "demand_eur": total,
                "localisable_eur": local,
                "source": record["source"] + ", mapped onto the work packages",
            }
        )
    notes = [
        "published targets are the sources' figures (as cited), not the project's computation",
        f"demand in {currency}",
    ]
    if not orgs:
        notes.append("the supplier registry holds no suppliers you can read: shares are 0")
    prov = new_provenance(
        analysis="kansenkaart localisation",
        methods=[*LOCALISATION_METHODS, *MATCH_METHODS],
        datasets=[*dem.provenance.datasets, record],
        parameters={
            "scenario": programme.model_dump(),
            "origin": origin,
            "as_of": day.isoformat(),
            "min_qualified": min_qualified,
            "suppliers": len(orgs),
        },
        command=command,
        notes=notes,
    )
    return Result(
        {
            "shares": pd.DataFrame(out, columns=LOCALISATION_NAMES),
            "accert": pd.DataFrame(accert, columns=ACCERT_LOCALISATION_NAMES),
        },
        prov,
        {"shares": LOCALISATION_COLUMNS, "accert": ACCERT_LOCALISATION_COLUMNS},
    )
