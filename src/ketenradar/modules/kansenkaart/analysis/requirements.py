"""Requirements per work package (issue 17, item 3): pure functions, no I/O.

- :func:`parse_certificates` and :func:`parse_requirements` validate the editable tables
  (``data/certificates.yaml``, ``data/requirements.yaml``) with pydantic; every error is one
  :class:`~ketenradar.core.errors.DataError` whose ``field`` is the first bad field's path
  (``work_packages.pumps.requirements[2].certificate``).
- :func:`nqa1_shares`: per work package, the share of its cost in accounts the EEDB flags
  NQA-1 (safety-related), from the demand model's account table; a leaf without a flag of its
  own takes its nearest flagged ancestor's.
- :func:`requirement_tables`: the tables the command and the API show.

The method and its sources: ``docs/methods/kansenkaart.md``, "Requirements per work package".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ketenradar.core.errors import DataError
from ketenradar.core.safe_yaml import field_path

#: The safety classes of the requirements table, most to least safety-related.
SAFETY_CLASSES: tuple[str, ...] = (
    "safety_related",
    "partly_safety_related",
    "not_safety_related",
)
#: The design origins a requirement can be limited to: the code family the design's vendor
#: builds to (US: ASME III and NQA-1, e.g. Westinghouse's AP1000; FR: RCC-M, EDF's EPR; DE:
#: KTA, asked in German-origin supply chains).
ORIGINS: tuple[str, ...] = ("US", "FR", "DE")
#: The origin matching uses when none is given: the reference designs (PWR12, AP1000) are US.
DEFAULT_ORIGIN = "US"
#: The kinds of certificate (``data/certificates.yaml``).
CERTIFICATE_KINDS: tuple[str, ...] = ("certificate", "code", "personnel", "screening")
#: The columns of the tables of :func:`requirement_tables`.
WORK_PACKAGE_FIELDS = [
    "work_package",
    "work_package_name",
    "safety_class",
    "nqa1_share",
    "flag_coverage",
    "safety_basis",
    "certificates",
]
REQUIREMENT_FIELDS = [
    "work_package",
    "work_package_name",
    "safety_class",
    "certificate",
    "certificate_name",
    "applies_to",
    "origins",
    "basis",
    "standard",
]
CERTIFICATE_FIELDS = [
    "certificate",
    "certificate_name",
    "kind",
    "standard",
    "issuing_body",
    "months_low",
    "months_high",
    "cost_eur_low",
    "cost_eur_high",
    "figures",
]
#: What ``basis`` says where the table's choice is the project's own.
PROJECT_JUDGEMENT = "project judgement"


def _range(v: tuple[float, float] | None, name: str) -> None:
    if v is not None and not 0 <= v[0] <= v[1]:
        raise ValueError(f"{name} is [low, high] with 0 <= low <= high, got {list(v)}")


class Certificate(BaseModel):
    """One certificate, code compliance, qualification or screening a supplier may need."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=300)
    kind: Literal["certificate", "code", "personnel", "screening"]
    standard: str = Field(min_length=1, max_length=500, description="Title of the standard")
    issuing_body: str = Field(min_length=1, max_length=500)
    months: tuple[float, float] | None = Field(None, description="Time to obtain, [low, high]")
    cost_eur: tuple[float, float] | None = Field(None, description="Cost to obtain, [low, high]")
    figures: str = Field(min_length=1, max_length=300, description="Source of months, cost")
    note: str = Field("", max_length=1000)

    @model_validator(mode="after")
    def _check(self) -> Certificate:
        _range(self.months, "months")
        _range(self.cost_eur, "cost_eur")
        return self


class CertificateTable(BaseModel):
    """``data/certificates.yaml``: certificate id → :class:`Certificate`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    certificates: dict[str, Certificate] = Field(min_length=1)


class Requirement(BaseModel):
    """One certificate asked of (part of) a work package's suppliers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    certificate: str = Field(min_length=1, max_length=80)
    applies_to: str = Field(min_length=1, max_length=300)
    basis: str = Field(PROJECT_JUDGEMENT, min_length=1, max_length=500)
    origins: tuple[Literal["US", "FR", "DE"], ...] | None = Field(
        None, min_length=1, description="The design origins it is asked for; None: every one"
    )

    def asked_for(self, origin: str | None) -> bool:
        """Whether it is asked for a design of ``origin`` (``None``: any origin)."""
        return origin is None or self.origins is None or origin in self.origins


class WorkPackageRequirements(BaseModel):
    """A work package's safety class (the table's judgement) and requirements."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    safety_class: Literal["safety_related", "partly_safety_related", "not_safety_related"]
    basis: str = Field(min_length=1, max_length=1000)
    requirements: list[Requirement] = Field(default_factory=list, max_length=100)


class RequirementTable(BaseModel):
    """``data/requirements.yaml``: work package id → :class:`WorkPackageRequirements`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    work_packages: dict[str, WorkPackageRequirements] = Field(min_length=1)


def _reason(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    if kind == "missing":
        return "is required"
    msg = str(err["msg"])
    if "input" in err and kind not in ("model_type", "list_type", "dict_type"):
        msg += f", got {err['input']!r}"
    return msg


def validate(model: type[BaseModel], doc: Any, what: str, *, file: str | None = None) -> Any:
    """``doc`` validated as ``model``; every problem in one :class:`DataError` naming the first
    bad field (``field``) and listing all of them."""
    if not isinstance(doc, Mapping):
        raise DataError(f"{what}: must be a mapping", field=what, file=file)
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        errors = exc.errors()
        first = field_path(tuple(errors[0]["loc"])) or what
        parts = [f"{field_path(tuple(e['loc'])) or what}: {_reason(e)}" for e in errors]
        raise DataError(f"invalid {what}: " + "; ".join(parts), field=first, file=file) from None


def parse_certificates(doc: Any, *, file: str | None = None) -> CertificateTable:
    """Validate a certificates document (``data/certificates.yaml``'s layout)."""
    return validate(CertificateTable, doc, "certificates", file=file)


def parse_requirements(
    doc: Any,
    certificates: CertificateTable,
    work_packages: Mapping[str, Any] | None = None,
    *,
    file: str | None = None,
) -> RequirementTable:
    """Validate a requirements document; every certificate must be in ``certificates`` and,
    when ``work_packages`` (the taxonomy's) is given, every work package in it."""
    table: RequirementTable = validate(RequirementTable, doc, "requirements", file=file)
    for wp, spec in table.work_packages.items():
        if work_packages is not None and wp not in work_packages:
            raise DataError(
                f"unknown work package {wp!r} (the taxonomy's: {', '.join(work_packages)})",
                field=f"work_packages.{wp}",
                file=file,
            )
        for i, req in enumerate(spec.requirements):
            if req.certificate not in certificates.certificates:
                raise DataError(
                    f"unknown certificate {req.certificate!r} (known: "
                    f"{', '.join(certificates.certificates)})",
                    field=f"work_packages.{wp}.requirements[{i}].certificate",
                    file=file,
                )
    return table


def certificates_asked(rules: RequirementTable, origin: str | None) -> dict[str, list[str]]:
    """Per work package, the certificates asked of its suppliers for a design of ``origin``
    (``None``: every certificate listed, whatever the origin)."""
    return {
        wp: [r.certificate for r in spec.requirements if r.asked_for(origin)]
        for wp, spec in rules.work_packages.items()
    }


def nqa1_shares(accounts: pd.DataFrame) -> pd.DataFrame:
    """Per work package, from the demand model's account table (columns ``unit``,
    ``account``, ``parent``, ``nqa1``, ``leaf``, ``work_package``, ``total``; rows with an
    ``excluded`` reason are skipped): the cost of its leaves (``cost``), of the leaves whose
    flag is known (``cost_flagged``: the leaf's own 0/1 flag, else its nearest ancestor's), of
    those flagged 1 (``cost_nqa1``), ``nqa1_share`` = cost_nqa1 / cost_flagged (empty when no
    leaf has a flag) and ``flag_coverage`` = cost_flagged / cost."""
    acc = accounts
    if "excluded" in acc:
        acc = acc[acc["excluded"].isna()]
    rows: dict[str, list[float]] = {}
    for _, part in acc.groupby("unit", sort=False):
        parent = dict(zip(part["account"], part["parent"], strict=True))
        flag = dict(zip(part["account"], part["nqa1"], strict=True))
        leaves = part[part["leaf"].astype(bool) & part["work_package"].notna()]
        for account, wp, total in zip(
            leaves["account"], leaves["work_package"], leaves["total"].astype(float), strict=True
        ):
            f: Any = flag.get(account)
            a: Any = account
            seen = 0
            while (f is None or pd.isna(f)) and parent.get(a) is not None and seen < 100:
                a = parent[a]
                f = flag.get(a)
                seen += 1
            r = rows.setdefault(str(wp), [0.0, 0.0, 0.0])
            r[0] += total
            if f is not None and not pd.isna(f):
                r[1] += total
                r[2] += total * float(f)
    out = pd.DataFrame(
        [(wp, *v) for wp, v in rows.items()],
        columns=["work_package", "cost", "cost_flagged", "cost_nqa1"],
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        flagged = out["cost_flagged"].to_numpy(float)
        out["nqa1_share"] = np.where(
            flagged != 0, out["cost_nqa1"] / np.where(flagged, flagged, 1), np.nan
        )
        cost = out["cost"].to_numpy(float)
        out["flag_coverage"] = np.where(cost != 0, flagged / np.where(cost, cost, 1), np.nan)
    return out.sort_values("work_package", ignore_index=True)


def requirement_tables(
    rules: RequirementTable,
    certificates: CertificateTable,
    shares: pd.DataFrame | None,
    names: Mapping[str, str],
    *,
    work_package: str | None = None,
    origin: str | None = None,
) -> dict[str, pd.DataFrame]:
    """The tables ``work_packages`` (one row per work package: safety class next to the NQA-1
    share, the codes asked), ``requirements`` (work package × certificate) and
    ``certificates``; ``work_package`` keeps one work package (an unknown id is an error);
    ``origin`` keeps the requirements asked for a design of that origin (``None``: all)."""
    wps = dict(rules.work_packages)
    if work_package is not None:
        if work_package not in wps:
            raise DataError(
                f"unknown work package {work_package!r} (known: {', '.join(wps)})",
                field="work_package",
            )
        wps = {work_package: wps[work_package]}
    share = {} if shares is None else shares.set_index("work_package").to_dict("index")
    certs = certificates.certificates
    summary, reqs = [], []
    for wp, spec in wps.items():
        s = share.get(wp, {})
        asked = [r for r in spec.requirements if r.asked_for(origin)]
        summary.append(
            {
                "work_package": wp,
                "work_package_name": names.get(wp, wp),
                "safety_class": spec.safety_class,
                "nqa1_share": s.get("nqa1_share", np.nan),
                "flag_coverage": s.get("flag_coverage", np.nan),
                "safety_basis": spec.basis,
                "certificates": ", ".join(r.certificate for r in asked),
            }
        )
        for r in asked:
            c = certs[r.certificate]
            reqs.append(
                {
                    "work_package": wp,
                    "work_package_name": names.get(wp, wp),
                    "safety_class": spec.safety_class,
                    "certificate": r.certificate,
                    "certificate_name": c.name,
                    "applies_to": r.applies_to,
                    "origins": ", ".join(r.origins) if r.origins else "",
                    "basis": r.basis,
                    "standard": c.standard,
                }
            )
    cert_rows = [
        {
            "certificate": cid,
            "certificate_name": c.name,
            "kind": c.kind,
            "standard": c.standard,
            "issuing_body": c.issuing_body,
            "months_low": c.months[0] if c.months else np.nan,
            "months_high": c.months[1] if c.months else np.nan,
            "cost_eur_low": c.cost_eur[0] if c.cost_eur else np.nan,
            "cost_eur_high": c.cost_eur[1] if c.cost_eur else np.nan,
            "figures": c.figures,
        }
        for cid, c in certs.items()
    ]
    return {
        "work_packages": pd.DataFrame(summary, columns=WORK_PACKAGE_FIELDS),
        "requirements": pd.DataFrame(reqs, columns=REQUIREMENT_FIELDS),
        "certificates": pd.DataFrame(cert_rows, columns=CERTIFICATE_FIELDS),
    }
