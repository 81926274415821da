"""The kansenkaart's Python API: the demand of a reactor programme per work package and year
(issue 17, items 1–2), mirroring ``ketenradar kansenkaart demand``; the requirements per work
package (item 3, ``kansenkaart requirements``) and the SMR energy fit (item 7,
``kansenkaart smr-fit``)."""

from __future__ import annotations

from collections.abc import Mapping
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

__all__ = ["demand", "load_programme", "prepare", "requirements", "smr_fit"]

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
    without it they stay empty and a note says why. ``lang``: the work packages' names in
    ``en`` or ``nl``."""
    from ketenradar.core.errors import NotFoundError
    from ketenradar.modules.kansenkaart.analysis.requirements import (
        nqa1_shares,
        requirement_tables,
    )
    from ketenradar.modules.kansenkaart.tables import load_certificates, load_requirements

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
    tables = requirement_tables(rules_table, certs, shares, names, work_package=work_package)
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
