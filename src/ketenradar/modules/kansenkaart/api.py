"""The kansenkaart's Python API: the demand of a reactor programme per work package and year
(issue 17, items 1–2), mirroring ``ketenradar kansenkaart demand``."""

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
    DEMAND_COLUMN_NAMES,
    DEMAND_COLUMNS,
)
from ketenradar.modules.kansenkaart.references import (
    DESIGNS,
    PARSER_VERSION,
    factors,
    load_taxonomy,
    reference_table,
    scaling_table,
    timcat_exponents,
)

__all__ = ["demand", "load_programme", "prepare"]

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
