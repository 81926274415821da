"""The kansenkaart's supplier registry (issue 17, items 4, 5 and 9): supplier profiles in the
accounts database (tables ``kk_organisations`` and ``kk_memberships``, migration 0005), who
may read and change them, import from a regional agency's CSV/XLSX with a column mapping,
export for matchmaking, and a fictional demo set.

Access (:class:`Access`, enforced here; the JSON API and the CLI call these functions):

* a **company** member (membership ``company`` of an organisation) reads and edits its own
  profile, conditions included, and nothing else;
* a **regional agency** (membership ``agency`` for a province) reads, adds, edits and imports
  the suppliers located in its province, conditions included;
* a **ministry analyst** (membership ``analyst``) reads every profile and its conditions, and
  changes nothing;
* an **admin** (membership ``admin``, or the account role admin) manages organisations and
  memberships and reads every profile, but not the conditions (unless also an analyst);
* anyone else (anonymous, a signed-in user without a membership) reads nothing and changes
  nothing; the operator at the command line (:meth:`Access.operator`) may do everything.

A profile another caller may not read is *not found* (its existence is not revealed). Every
change is written to the audit log (``supplier_created``, ``supplier_updated``,
``supplier_deleted``, ``suppliers_imported``, ``suppliers_demo_loaded``, ``membership_added``,
``membership_removed``) with the fields changed, never the confidential text itself.
"""

from __future__ import annotations

import csv
import io
import random
import re
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from ketenradar.core.errors import (
    AuthError,
    ConflictError,
    DataError,
    ForbiddenError,
    NotFoundError,
    UsageError,
)
from ketenradar.core.safe_yaml import load_yaml
from ketenradar.registry.models import (
    SUPPLIER_ROLES,
    AuditEvent,
    Membership,
    Organisation,
    User,
)

#: Size classes (employees, as the EU SME definition counts them).
SIZE_CLASSES = ("micro", "small", "medium", "large")
#: Sectors of nuclear and comparable experience.
EXPERIENCE = (
    "nuclear",
    "offshore",
    "oil_gas",
    "pharma",
    "chemicals",
    "power",
    "aerospace",
    "defence",
    "shipbuilding",
    "rail",
    "semiconductors",
)
KVK = r"^[0-9]{8}$"
EMAIL = r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$"

SizeClass = Literal["micro", "small", "medium", "large"]
Sector = Literal[
    "nuclear",
    "offshore",
    "oil_gas",
    "pharma",
    "chemicals",
    "power",
    "aerospace",
    "defence",
    "shipbuilding",
    "rail",
    "semiconductors",
]


class Certification(BaseModel):
    """A certificate held (an id of ``data/certificates.yaml``) and until when it is valid
    (none: no end date); an expired one counts as not held."""

    model_config = ConfigDict(extra="forbid")

    certificate: str = Field(min_length=1, max_length=80)
    valid_until: date | None = None


class Ambition(BaseModel):
    """A work package the company wants to supply, from a year on."""

    model_config = ConfigDict(extra="forbid")

    work_package: str = Field(min_length=1, max_length=80)
    from_year: int = Field(ge=2000, le=2100)


class SupplierProfile(BaseModel):
    """A supplier's profile as a user gives it (the API's body, one row of an import)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    kvk: str | None = Field(None, pattern=KVK, description="KvK number: 8 digits")
    municipality: str | None = Field(None, max_length=100)
    province: str | None = Field(
        None, max_length=40, description="needed only when the municipality is not known"
    )
    size_class: SizeClass | None = None
    capabilities: list[str] = Field(default_factory=list, max_length=100)
    certifications: list[Certification] = Field(default_factory=list, max_length=100)
    experience: list[Sector] = Field(default_factory=list, max_length=20)
    capacity: str | None = Field(None, max_length=2000)
    ambitions: list[Ambition] = Field(default_factory=list, max_length=100)
    conditions: str | None = Field(None, max_length=4000, description="confidential")
    contact_email: str | None = Field(None, max_length=254, pattern=EMAIL)


class SupplierChange(BaseModel):
    """Fields of a profile to change (the others stay); ``contact_email: null`` removes the
    contact e-mail, ``conditions: null`` the conditions."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(None, min_length=1, max_length=200)
    kvk: str | None = Field(None, pattern=KVK)
    municipality: str | None = Field(None, max_length=100)
    province: str | None = Field(None, max_length=40)
    size_class: SizeClass | None = None
    capabilities: list[str] | None = Field(None, max_length=100)
    certifications: list[Certification] | None = Field(None, max_length=100)
    experience: list[Sector] | None = Field(None, max_length=20)
    capacity: str | None = Field(None, max_length=2000)
    ambitions: list[Ambition] | None = Field(None, max_length=100)
    conditions: str | None = Field(None, max_length=4000)
    contact_email: str | None = Field(None, max_length=254, pattern=EMAIL)


#: The profile fields, in the order of exports and reports.
FIELDS = tuple(SupplierProfile.model_fields)
#: Fields that hold lists (a cell of an import holds them separated by the mapping's separator).
LIST_FIELDS = ("capabilities", "certifications", "experience", "ambitions")


# --- what the taxonomy and the certificates table allow ----------------------------------


@cache
def work_package_ids() -> tuple[str, ...]:
    """The work packages of the packaged taxonomy (``data/work_packages.yaml``)."""
    from ketenradar.modules.kansenkaart.references import load_taxonomy

    return tuple(load_taxonomy().work_packages)


@cache
def certificate_ids() -> tuple[str, ...]:
    """The certificates of the packaged table (``data/certificates.yaml``)."""
    from ketenradar.modules.kansenkaart.tables import load_certificates

    return tuple(load_certificates().certificates)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a profile: the field, why, and the row of an import file."""

    field: str
    reason: str
    row: int | None = None

    def __str__(self) -> str:
        at = f"row {self.row}, " if self.row is not None else ""
        return f"{at}field '{self.field}': {self.reason}"


def _location(
    municipality: str | None, province: str | None, shared: Path | str | None
) -> tuple[dict[str, str | None], list[Problem]]:
    """The location columns of a municipality (looked up) or a province (as given)."""
    from ketenradar.places.regions import province_name, regions

    table = regions(shared)
    loc: dict[str, str | None] = dict.fromkeys(
        ("municipality", "municipality_code", "corop", "corop_code", "province")
    )
    problems: list[Problem] = []
    if municipality:
        place = table.place(municipality)
        if place is not None:
            loc.update(
                municipality=place.municipality,
                municipality_code=place.municipality_code,
                corop=place.corop,
                corop_code=place.corop_code,
                province=place.province,
            )
        elif table.available:
            problems.append(
                Problem("municipality", f"'{municipality}' is no Dutch municipality (CBS)")
            )
        else:  # no map data: kept as given
            loc["municipality"] = municipality
    if province:
        found = province_name(province, table)
        if found is None:
            problems.append(Problem("province", f"'{province}' is no Dutch province"))
        elif loc["province"] and loc["province"] != found:
            problems.append(
                Problem(
                    "province",
                    f"'{province}' differs from the province of {loc['municipality']} "
                    f"({loc['province']})",
                )
            )
        else:
            loc["province"] = found
    return loc, problems


def check_profile(
    profile: SupplierProfile | SupplierChange, shared: Path | str | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The stored columns of ``profile`` (only the fields it sets, for a change) and what is
    wrong with it: unknown work packages or certificates, a municipality or province that
    does not exist, a work package twice."""
    given = profile.model_fields_set if isinstance(profile, SupplierChange) else set(FIELDS)
    data = profile.model_dump(mode="json")
    problems: list[Problem] = []
    wps, certs = set(work_package_ids()), set(certificate_ids())
    cols: dict[str, Any] = {}
    for name in given - {"municipality", "province"}:
        cols[name] = data[name] if data[name] is not None or name not in LIST_FIELDS else []
    for wp in cols.get("capabilities") or []:
        if wp not in wps:
            problems.append(Problem("capabilities", f"'{wp}' is no work package"))
    for c in cols.get("certifications") or []:
        if c["certificate"] not in certs:
            problems.append(Problem("certifications", f"'{c['certificate']}' is no certificate"))
    for a in cols.get("ambitions") or []:
        if a["work_package"] not in wps:
            problems.append(Problem("ambitions", f"'{a['work_package']}' is no work package"))
    for name in ("capabilities", "experience"):
        if name in cols and len(set(cols[name])) != len(cols[name]):
            problems.append(Problem(name, "an entry is given twice"))
    if given & {"municipality", "province"}:
        loc, where = _location(data.get("municipality"), data.get("province"), shared)
        cols |= loc
        problems += where
    return cols, problems


def _refuse(problems: Sequence[Problem], file: str | None = None) -> None:
    if problems:
        raise RegistryDataError(problems, file=file)


class RegistryDataError(DataError):
    """A profile or an import file with problems (422): ``problems`` lists every one; the
    message names them all (nothing was written)."""

    def __init__(self, problems: Sequence[Problem], *, file: str | None = None) -> None:
        self.problems = list(problems)
        first = self.problems[0]
        rows = {p.row for p in self.problems if p.row is not None}
        head = (
            f"{len(self.problems)} problem(s) in {len(rows)} row(s), nothing imported: "
            if rows
            else ""
        )
        super().__init__(
            head + "; ".join(str(p) for p in self.problems),
            file=file,
            field=first.field,
            line=first.row,
        )
        self.args = (f"{file}: " + self.reason if file else self.reason,)


# --- who may do what ------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """What a caller may do in the registry (the rules: this module's docstring)."""

    username: str | None = None
    companies: frozenset[int] = frozenset()
    regions: frozenset[str] = frozenset()
    analyst: bool = False
    admin: bool = False
    operator: bool = False

    @classmethod
    def cli(cls) -> Access:
        """The operator at the command line: every right (logged as ``cli``)."""
        return cls(username="cli", analyst=True, admin=True, operator=True)

    @property
    def signed_in(self) -> bool:
        """Whether a user (or the operator) is behind the call."""
        return self.username is not None

    @property
    def can_write(self) -> bool:
        """Whether the caller may change anything at all."""
        return self.admin or bool(self.companies) or bool(self.regions)

    def reads(self, org: Organisation) -> bool:
        """Whether the caller may read ``org``'s profile."""
        return (
            self.admin
            or self.analyst
            or org.id in self.companies
            or (org.province is not None and org.province in self.regions)
        )

    def reads_conditions(self, org: Organisation) -> bool:
        """Whether the caller may read ``org``'s confidential conditions."""
        return (
            self.operator
            or self.analyst
            or org.id in self.companies
            or (org.province is not None and org.province in self.regions)
        )

    def edits(self, org: Organisation) -> bool:
        """Whether the caller may change ``org``'s profile."""
        return (
            self.admin
            or org.id in self.companies
            or (org.province is not None and org.province in self.regions)
        )

    def creates_in(self, province: str | None) -> bool:
        """Whether the caller may add a supplier located in ``province``."""
        return self.admin or (province is not None and province in self.regions)


def access_of(db: sessionmaker, user: User | None) -> Access:
    """The rights of ``user`` (``None``: anonymous) from their memberships and account role
    (an account admin is a registry admin)."""
    if user is None:
        return Access()
    with db() as s:
        rows = list(s.scalars(select(Membership).where(Membership.user_id == user.id)))
    return Access(
        username=user.username,
        companies=frozenset(m.organisation_id for m in rows if m.role == "company"),
        regions=frozenset(m.region for m in rows if m.role == "agency" and m.region),
        analyst=any(m.role == "analyst" for m in rows),
        admin=user.can("admin") or any(m.role == "admin" for m in rows),
    )


def need_writer(who: Access) -> None:
    if not who.signed_in:
        raise AuthError("sign in first: changing the supplier registry needs a membership")
    if not who.can_write:
        raise ForbiddenError(
            f"'{who.username}' may not change the supplier registry: this needs a company or "
            "regional agency membership, or the admin role"
        )


def need_admin(who: Access, doing: str) -> None:
    if not who.signed_in:
        raise AuthError(f"sign in first: {doing} needs the admin role")
    if not who.admin:
        raise ForbiddenError(f"{doing} needs the admin role of the supplier registry")


def _log(s: OrmSession, who: Access, action: str, target: str, detail: dict | None) -> None:
    s.add(AuditEvent(username=who.username, action=action, target=target, detail=detail))


# --- profiles ---------------------------------------------------------------------------------


def held(certifications: Iterable[dict[str, Any]], today: date | None = None) -> list[str]:
    """The certificates held on ``today`` (default: today): those without an end date or
    valid until today or later."""
    day = (today or date.today()).isoformat()
    return [
        c["certificate"]
        for c in certifications
        if not c.get("valid_until") or str(c["valid_until"]) >= day
    ]


def profile_json(org: Organisation, who: Access) -> dict[str, Any]:
    """A profile as ``who`` may see it: ``conditions`` only for the company, its agency and
    analysts (else ``null`` with ``conditions_hidden: true``)."""
    show = who.reads_conditions(org)
    return {
        "id": org.id,
        "name": org.name,
        "kvk": org.kvk,
        "municipality": org.municipality,
        "municipality_code": org.municipality_code,
        "corop": org.corop,
        "corop_code": org.corop_code,
        "province": org.province,
        "size_class": org.size_class,
        "capabilities": list(org.capabilities or []),
        "certifications": list(org.certifications or []),
        "certifications_held": held(org.certifications or []),
        "experience": list(org.experience or []),
        "capacity": org.capacity,
        "ambitions": list(org.ambitions or []),
        "conditions": org.conditions if show else None,
        "conditions_hidden": not show,
        "contact_email": org.contact_email,
        "demo": org.demo,
        "editable": who.edits(org),
    }


def _readable(s: OrmSession, who: Access, org_id: int) -> Organisation:
    org = s.get(Organisation, org_id)
    if org is None or not who.reads(org):
        raise NotFoundError(f"no supplier {org_id} that you can read", field="org_id")
    return org


def list_suppliers(
    db: sessionmaker,
    who: Access,
    *,
    work_package: str | None = None,
    province: str | None = None,
    supplier: int | None = None,
) -> list[Organisation]:
    """The suppliers ``who`` may read, by name; ``work_package``: those with it as a capability
    or an ambition; ``province``: located there; ``supplier``: that one. Anonymous callers
    and users without a membership read none."""
    if not who.signed_in:
        return []
    if work_package is not None and work_package not in work_package_ids():
        raise UsageError(f"'{work_package}' is no work package", field="work_package")
    with db() as s:
        q = select(Organisation).order_by(Organisation.name, Organisation.id)
        if province:
            q = q.where(Organisation.province == province)
        if supplier is not None:
            q = q.where(Organisation.id == supplier)
        if not (who.admin or who.analyst):
            conds = []
            if who.companies:
                conds.append(Organisation.id.in_(who.companies))
            if who.regions:
                conds.append(Organisation.province.in_(who.regions))
            if not conds:
                return []
            from sqlalchemy import or_

            q = q.where(or_(*conds))
        orgs = list(s.scalars(q))
    if work_package:
        orgs = [
            o
            for o in orgs
            if work_package in (o.capabilities or [])
            or any(a["work_package"] == work_package for a in o.ambitions or [])
        ]
    return orgs


def get_supplier(db: sessionmaker, who: Access, org_id: int) -> Organisation:
    """One supplier, if ``who`` may read it (else not found)."""
    if not who.signed_in:
        raise AuthError("sign in first: the supplier registry is read by its members")
    with db() as s:
        return _readable(s, who, org_id)


def _audit_detail(cols: dict[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of a change: the fields, the values of the public ones (not
    the conditions' text, nor the e-mail)."""
    secret = {"conditions", "contact_email"}
    return {
        "fields": sorted(cols),
        "values": {k: v for k, v in cols.items() if k not in secret},
    }


def create_supplier(
    db: sessionmaker,
    who: Access,
    profile: SupplierProfile,
    *,
    shared: Path | str | None = None,
) -> Organisation:
    """Add a supplier (an admin, or the agency of its province); logged."""
    need_writer(who)
    cols, problems = check_profile(profile, shared)
    _refuse(problems)
    if not who.creates_in(cols.get("province")):
        raise ForbiddenError(
            "a regional agency adds suppliers of its own province only "
            f"({', '.join(sorted(who.regions)) or 'none'})",
            field="municipality",
        )
    with db() as s:
        org = Organisation(**cols, demo=False)
        s.add(org)
        try:
            s.flush()
        except IntegrityError:
            raise ConflictError(
                f"KvK number {profile.kvk} is registered already", field="kvk"
            ) from None
        _log(s, who, "supplier_created", f"supplier/{org.id}", _audit_detail(cols))
        s.commit()
        s.refresh(org)
        return org


def update_supplier(
    db: sessionmaker,
    who: Access,
    org_id: int,
    change: SupplierChange,
    *,
    shared: Path | str | None = None,
) -> Organisation:
    """Change a supplier's profile (its company, its agency, an admin); logged with the
    fields changed. An agency cannot move a supplier out of its province."""
    need_writer(who)
    cols, problems = check_profile(change, shared)
    _refuse(problems)
    if "name" in cols and cols["name"] is None:
        raise UsageError("a supplier keeps its name", field="name")
    with db() as s:
        org = _readable(s, who, org_id)
        if not who.edits(org):
            raise ForbiddenError(
                f"'{who.username}' may read supplier {org_id} but not change it", field="org_id"
            )
        moved = "province" in cols and cols["province"] not in who.regions
        if moved and not who.admin and org.id not in who.companies:
            raise ForbiddenError(
                "a regional agency cannot move a supplier out of its province",
                field="municipality",
            )
        changed = {k: v for k, v in cols.items() if getattr(org, k) != v}
        for k, v in changed.items():
            setattr(org, k, v)
        if changed:
            try:
                s.flush()
            except IntegrityError:
                raise ConflictError(
                    f"KvK number {change.kvk} is registered already", field="kvk"
                ) from None
            _log(s, who, "supplier_updated", f"supplier/{org.id}", _audit_detail(changed))
        s.commit()
        s.refresh(org)
        return org


def remove_contact(db: sessionmaker, who: Access, org_id: int) -> Organisation:
    """Remove the personal contact data of a supplier (whoever may edit it); logged."""
    return update_supplier(db, who, org_id, SupplierChange(contact_email=None))


def delete_supplier(db: sessionmaker, who: Access, org_id: int) -> None:
    """Remove a supplier with its memberships (admin); logged."""
    need_admin(who, "removing a supplier")
    with db() as s:
        org = _readable(s, who, org_id)
        s.execute(delete(Membership).where(Membership.organisation_id == org.id))
        s.delete(org)
        _log(s, who, "supplier_deleted", f"supplier/{org_id}", {"name": org.name})
        s.commit()


# --- memberships ------------------------------------------------------------------------------


def add_membership(
    db: sessionmaker,
    who: Access,
    username: str,
    role: str,
    *,
    organisation_id: int | None = None,
    region: str | None = None,
) -> Membership:
    """Give ``username`` a role in the registry (admin): ``company`` of ``organisation_id``,
    ``agency`` for the province ``region``, ``analyst`` or ``admin``; logged."""
    from ketenradar.places.regions import province_name

    need_admin(who, "managing memberships")
    if role not in SUPPLIER_ROLES:
        raise UsageError(f"role '{role}' is not one of: {', '.join(SUPPLIER_ROLES)}", field="role")
    if role == "company" and organisation_id is None:
        raise UsageError("a company membership names the organisation", field="organisation_id")
    if role == "agency":
        found = province_name(region or "")
        if found is None:
            raise UsageError(f"'{region}' is no Dutch province", field="region")
        region = found
    else:
        region = None
    if role != "company":
        organisation_id = None
    with db() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFoundError(f"no user '{username}'", field="username")
        if organisation_id is not None and s.get(Organisation, organisation_id) is None:
            raise NotFoundError(f"no supplier {organisation_id}", field="organisation_id")
        same = s.scalar(
            select(Membership).where(
                Membership.user_id == user.id,
                Membership.role == role,
                Membership.organisation_id.is_(None)
                if organisation_id is None
                else Membership.organisation_id == organisation_id,
                Membership.region.is_(None) if region is None else Membership.region == region,
            )
        )
        if same is not None:
            return same
        m = Membership(user_id=user.id, role=role, organisation_id=organisation_id, region=region)
        s.add(m)
        s.flush()
        detail = {"role": role, "organisation_id": organisation_id, "region": region}
        _log(s, who, "membership_added", username, detail)
        s.commit()
        s.refresh(m)
        return m


def list_memberships(
    db: sessionmaker, who: Access, username: str | None = None
) -> list[Membership]:
    """Memberships (admin: everyone's or ``username``'s; others: their own; anonymous:
    none)."""
    if not who.signed_in:
        return []
    with db() as s:
        q = select(Membership).join(User).order_by(User.username, Membership.id)
        if not who.admin:
            username = who.username
        if username:
            q = q.where(User.username == username)
        return list(s.scalars(q))


def remove_membership(db: sessionmaker, who: Access, membership_id: int) -> None:
    """Remove a membership (admin); logged."""
    need_admin(who, "managing memberships")
    with db() as s:
        m = s.get(Membership, membership_id)
        if m is None:
            raise NotFoundError(f"no membership {membership_id}", field="membership_id")
        detail = {"role": m.role, "organisation_id": m.organisation_id, "region": m.region}
        _log(s, who, "membership_removed", m.user.username, detail)
        s.delete(m)
        s.commit()


def membership_json(m: Membership) -> dict[str, Any]:
    """A membership as JSON."""
    return {
        "id": m.id,
        "username": m.user.username,
        "role": m.role,
        "organisation_id": m.organisation_id,
        "region": m.region,
    }


# --- import -----------------------------------------------------------------------------------


class ColumnMapping(BaseModel):
    """How an import file's columns map to profile fields (a YAML/JSON document)::

    columns:              # profile field: the column's header in the file
      name: Bedrijfsnaam
      kvk: KvK-nummer
      municipality: Vestigingsplaats
      capabilities: Werkpakketten      # work-package ids, separated by `separator`
      certifications: Certificaten     # certificate[:valid until], iso_9001:2027-06-30
      ambitions: Ambities              # work_package:from-year, e.g. valves:2030
    separator: ";"
    sheet: Leveranciers                # XLSX: the sheet (default: the first)
    """

    model_config = ConfigDict(extra="forbid")

    columns: dict[
        Literal[
            "name",
            "kvk",
            "municipality",
            "province",
            "size_class",
            "capabilities",
            "certifications",
            "experience",
            "capacity",
            "ambitions",
            "conditions",
            "contact_email",
        ],
        str,
    ] = Field(min_length=1)
    separator: str = Field(";", min_length=1, max_length=3)
    sheet: str | None = None


def load_mapping(path: Path | str) -> ColumnMapping:
    """The column mapping in ``path`` (YAML/JSON), validated."""
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"mapping file {p} not found", field="mapping")
    doc = load_yaml(p.read_text(encoding="utf-8"), file=str(p), kind="YAML/JSON")
    return parse_mapping(doc, file=str(p))


def parse_mapping(doc: Any, *, file: str | None = None) -> ColumnMapping:
    """A mapping document validated (its errors name the node)."""
    from ketenradar.modules.kansenkaart.analysis.requirements import validate

    mapping = validate(ColumnMapping, doc, "mapping", file=file)
    if "name" not in mapping.columns:
        raise DataError("the mapping must name the column of 'name'", file=file, field="columns")
    return mapping


def read_table(path: Path | str, mapping: ColumnMapping) -> tuple[list[dict[str, str]], int]:
    """The rows of a CSV or XLSX file as text (with the sheet's row number of the first data
    row), checked to hold every mapped column."""
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"file {p} not found", field="file")
    suffix = p.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(p, sheet_name=mapping.sheet or 0, dtype=str, keep_default_na=False)
        elif suffix in (".csv", ".txt"):
            df = read_csv_text(p.read_text(encoding="utf-8-sig"), file=str(p))
        else:
            raise UsageError(f"{p.name}: import reads .csv or .xlsx files", field="file")
    except (ValueError, csv.Error) as exc:
        raise DataError(f"cannot read the table: {exc}", file=str(p)) from None
    return read_frame(df, mapping, file=str(p)), 2


def read_csv_text(text: str, *, file: str | None = None) -> pd.DataFrame:
    """A CSV text (``,``, ``;`` or tab separated, a header row) as a table of text cells."""
    try:
        sep = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        sep = ","
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (ValueError, csv.Error, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"cannot read the table: {exc}", file=file) from None


def read_frame(
    df: pd.DataFrame, mapping: ColumnMapping, *, file: str | None = None
) -> list[dict[str, str]]:
    """The rows of ``df`` as text, after checking that every mapped column is there."""
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in mapping.columns.values() if c not in df.columns]
    if missing:
        raise DataError(
            f"column(s) {', '.join(repr(c) for c in missing)} of the mapping not in the file "
            f"(its columns: {', '.join(df.columns)})",
            file=file,
            field="columns",
        )
    return [{k: ("" if v is None else str(v)) for k, v in r.items()} for r in df.to_dict("records")]


def _cell_list(text: str, sep: str) -> list[str]:
    return [p.strip() for p in text.split(sep) if p.strip()]


def row_profile(
    row: dict[str, str], mapping: ColumnMapping, number: int
) -> tuple[SupplierProfile | None, list[Problem], SupplierProfile | None]:
    """One import row as a profile, or ``None`` and its problems (each naming the row and
    the field); the third item is the row without its bad fields (to check the rest too)."""
    doc: dict[str, Any] = {}
    problems: list[Problem] = []
    for fieldname, column in mapping.columns.items():
        text = row.get(column, "").strip()
        if fieldname not in LIST_FIELDS:
            doc[fieldname] = text or None
            continue
        items = _cell_list(text, mapping.separator)
        if fieldname == "certifications":
            out = []
            for item in items:
                cert, _, until = item.partition(":")
                out.append({"certificate": cert.strip(), "valid_until": until.strip() or None})
            doc[fieldname] = out
        elif fieldname == "ambitions":
            out = []
            for item in items:
                wp, _, year = item.partition(":")
                if not year.strip().isdigit():
                    problems.append(
                        Problem(fieldname, f"'{item}': give work_package:from-year", number)
                    )
                    continue
                out.append({"work_package": wp.strip(), "from_year": int(year)})
            doc[fieldname] = out
        else:
            doc[fieldname] = items
    if doc.get("kvk"):  # a KvK number read as a number lost its leading zeros
        kvk = re.sub(r"[\s.]", "", doc["kvk"])
        doc["kvk"] = kvk.zfill(8) if kvk.isdigit() and 6 <= len(kvk) < 8 else kvk
    try:
        profile = SupplierProfile.model_validate(doc)
        return (None if problems else profile), problems, profile
    except ValidationError as exc:
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        rest = {k: v for k, v in doc.items() if k not in bad} | (
            {"name": "?"} if "name" in bad else {}
        )
        try:
            partial: SupplierProfile | None = SupplierProfile.model_validate(rest)
        except ValidationError:
            partial = None
        for e in exc.errors():
            loc = [str(p) for p in e["loc"]]
            where = mapping.columns.get(loc[0], loc[0]) if loc else "row"  # type: ignore[call-overload]
            reason = "is empty (required)" if e.get("input") is None else e["msg"]
            if len(loc) > 1:
                reason = f"entry {int(loc[1]) + 1}: {reason}" if loc[1].isdigit() else reason
            if e.get("input") not in (None, {}, []) and not isinstance(e.get("input"), dict):
                reason += f" (got {str(e['input'])[:60]!r})"
            name = loc[0] if loc else "row"
            problems.append(Problem(name, f"column '{where}': {reason}", number))
        return None, problems, partial


@dataclass
class ImportReport:
    """What an import did (or would do): rows read, suppliers added and updated, and every
    problem (when any, nothing was written)."""

    rows: int = 0
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON."""
        return {
            "rows": self.rows,
            "created": len(self.created),
            "updated": len(self.updated),
            "dry_run": self.dry_run,
            "problems": [
                {"row": p.row, "field": p.field, "reason": p.reason} for p in self.problems
            ],
        }


def _write_rows(
    s: OrmSession,
    who: Access,
    checked: list[tuple[int, dict[str, Any]]],
    existing: dict[str | None, Organisation],
    report: ImportReport,
    file: str | None,
) -> None:
    """Add or update (by KvK number) the checked rows of an import, each logged."""
    for _number, cols in checked:
        org = existing.get(cols.get("kvk"))
        if org is None:
            org = Organisation(**cols, demo=False)
            s.add(org)
            s.flush()
            report.created.append(org.id)
            action = "supplier_created"
        else:
            cols = {k: v for k, v in cols.items() if getattr(org, k) != v}
            for k, v in cols.items():
                setattr(org, k, v)
            report.updated.append(org.id)
            action = "supplier_updated"
        _log(s, who, action, f"supplier/{org.id}", _audit_detail(cols) | {"import": file})


def import_rows(
    db: sessionmaker,
    who: Access,
    rows: Sequence[dict[str, str]],
    mapping: ColumnMapping,
    *,
    first_row: int = 2,
    region: str | None = None,
    dry_run: bool = False,
    file: str | None = None,
    shared: Path | str | None = None,
) -> ImportReport:
    """Import supplier rows (a regional agency: of its province; an admin: anywhere; the
    operator). Every row is checked first; with any problem, a :class:`RegistryDataError`
    lists every bad row (row number, field, why) and nothing is written. Otherwise all rows
    are written in one transaction: a row whose KvK number is registered updates that
    supplier, the others are added. ``region``: every row must lie in that province.
    Logged per supplier and as ``suppliers_imported``."""
    from ketenradar.places.regions import province_name

    need_writer(who)
    if region is not None:
        found = province_name(region)
        if found is None:
            raise UsageError(f"'{region}' is no Dutch province", field="region")
        region = found
        if not who.admin and region not in who.regions:
            raise ForbiddenError(f"'{who.username}' is no regional agency of {region}")
    report = ImportReport(rows=len(rows), dry_run=dry_run)
    checked: list[tuple[int, dict[str, Any]]] = []
    kvks: dict[str, int] = {}
    for i, row in enumerate(rows):
        number = first_row + i
        profile, problems, partial = row_profile(row, mapping, number)
        if profile is None and partial is not None:  # the other fields' problems too
            more = check_profile(partial, shared)[1]
            problems += [Problem(p.field, p.reason, number) for p in more]
        if profile is not None:
            cols, more = check_profile(profile, shared)
            problems += [Problem(p.field, p.reason, number) for p in more]
            prov = cols.get("province")
            if not more:
                if prov is None:
                    problems.append(
                        Problem("municipality", "no location: give a municipality", number)
                    )
                elif region is not None and prov != region:
                    problems.append(Problem("municipality", f"in {prov}, not in {region}", number))
                elif not who.creates_in(prov):
                    problems.append(
                        Problem("municipality", f"in {prov}: not a province you manage", number)
                    )
            kvk = cols.get("kvk")
            if kvk:
                if kvk in kvks:
                    problems.append(Problem("kvk", f"{kvk} also in row {kvks[kvk]}", number))
                kvks.setdefault(kvk, number)
            if not problems:
                checked.append((number, cols))
        report.problems += problems
    if report.problems:
        raise RegistryDataError(report.problems, file=file)
    with db() as s:
        existing: dict[str | None, Organisation] = {
            o.kvk: o
            for o in s.scalars(select(Organisation).where(Organisation.kvk.in_(list(kvks))))
        }
        bad = [
            Problem("kvk", f"{kvk} is registered to a supplier you cannot change", number)
            for number, cols in checked
            if (kvk := cols.get("kvk")) in existing and not who.edits(existing[kvk])
        ]
        if bad:
            raise RegistryDataError(bad, file=file)
        try:
            _write_rows(s, who, checked, existing, report, file)
            detail = {
                "file": file,
                "rows": report.rows,
                "created": len(report.created),
                "updated": len(report.updated),
                "region": region,
            }
            _log(s, who, "suppliers_imported", file or "import", detail)
            if dry_run:
                s.rollback()
                return report
            s.commit()
        except IntegrityError:
            s.rollback()
            raise ConflictError(
                "another change registered the same KvK number meanwhile: nothing imported",
                field="kvk",
            ) from None
    return report


def import_file(
    db: sessionmaker,
    who: Access,
    path: Path | str,
    mapping: ColumnMapping,
    *,
    region: str | None = None,
    dry_run: bool = False,
    shared: Path | str | None = None,
) -> ImportReport:
    """Import a CSV or XLSX file (see :func:`import_rows`)."""
    rows, first = read_table(path, mapping)
    return import_rows(
        db,
        who,
        rows,
        mapping,
        first_row=first,
        region=region,
        dry_run=dry_run,
        file=Path(path).name,
        shared=shared,
    )


# --- export -----------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: The columns of a matchmaking export (``conditions`` only for callers who may read them).
EXPORT_COLUMNS = (
    "id",
    "name",
    "kvk",
    "municipality",
    "corop",
    "province",
    "size_class",
    "capabilities",
    "certifications_held",
    "certifications_expired",
    "experience",
    "capacity",
    "ambitions",
    "contact_email",
    "demo",
    "conditions",
)


def export_frame(
    db: sessionmaker,
    who: Access,
    *,
    work_package: str | None = None,
    province: str | None = None,
    conditions: bool = True,
) -> pd.DataFrame:
    """The suppliers ``who`` may read as a table for matchmaking (lists joined with "; ").
    The ``conditions`` column is there only when asked and ``who`` may read the conditions
    of every supplier in it (those it may not read stay empty)."""
    orgs = list_suppliers(db, who, work_package=work_package, province=province)
    today = date.today()
    rows = []
    for o in orgs:
        certs = o.certifications or []
        valid = held(certs, today)
        rows.append(
            {
                "id": o.id,
                "name": o.name,
                "kvk": o.kvk,
                "municipality": o.municipality,
                "corop": o.corop,
                "province": o.province,
                "size_class": o.size_class,
                "capabilities": "; ".join(o.capabilities or []),
                "certifications_held": "; ".join(valid),
                "certifications_expired": "; ".join(
                    c["certificate"] for c in certs if c["certificate"] not in valid
                ),
                "experience": "; ".join(o.experience or []),
                "capacity": o.capacity,
                "ambitions": "; ".join(
                    f"{a['work_package']}:{a['from_year']}" for a in o.ambitions or []
                ),
                "contact_email": o.contact_email,
                "demo": o.demo,
                "conditions": o.conditions if who.reads_conditions(o) else None,
            }
        )
    cols = list(EXPORT_COLUMNS)
    if not conditions or not any(who.reads_conditions(o) for o in orgs):
        cols.remove("conditions")
    return pd.DataFrame(rows, columns=cols)


def write_export(df: pd.DataFrame, output: Path | str, fmt: str | None = None) -> Path:
    """Write an export as CSV or XLSX (``fmt``; default: by the file's suffix)."""
    p = Path(output)
    fmt = fmt or p.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise UsageError(f"{p.name}: export writes .csv or .xlsx files", field="output")
    if fmt == "csv":
        df.to_csv(p, index=False)
    else:
        df.to_excel(p, index=False, sheet_name="suppliers")
    return p


def export_bytes(df: pd.DataFrame, fmt: str) -> bytes:
    """An export as the bytes of a CSV or XLSX file."""
    if fmt == "csv":
        return df.to_csv(index=False).encode("utf-8")
    buf = io.BytesIO()
    df.to_excel(buf, index=False, sheet_name="suppliers")
    return buf.getvalue()


# --- the fictional demo set --------------------------------------------------------------------

DEMO_LABEL = "(fictitious)"


def demo_profiles(count: int = 40, seed: int = 17) -> list[SupplierProfile]:
    """``count`` **fictional** supplier profiles ("Demo Supplier 001 (fictitious)", …): made
    up by a seeded random generator, never real companies; no KvK number (a made-up one could
    be a real company's) and no contact e-mail."""
    from ketenradar.places.regions import regions

    rng = random.Random(seed)
    wps = list(work_package_ids())
    certs = list(certificate_ids())
    table = regions()
    places = [p for p in table.places.values() if p.province]
    current = [p for p in places if p.current]
    towns = sorted({p.municipality for p in current or places}) or [None]
    from ketenradar.places.regions import PROVINCES

    out = []
    for i in range(1, count + 1):
        town = rng.choice(towns)
        caps = rng.sample(wps, rng.randint(1, 4))
        held_certs = [
            Certification(
                certificate=c,
                valid_until=date(rng.randint(2024, 2030), rng.randint(1, 12), 28),
            )
            for c in rng.sample(certs, rng.randint(0, 4))
        ]
        out.append(
            SupplierProfile(
                name=f"Demo Supplier {i:03d} {DEMO_LABEL}",
                municipality=town,
                province=None if town else rng.choice(PROVINCES),
                size_class=rng.choice(SIZE_CLASSES),
                capabilities=caps,
                certifications=held_certs,
                experience=rng.sample(EXPERIENCE, rng.randint(0, 3)),
                capacity=f"fictitious: about {rng.randint(5, 400)} fte for nuclear work",
                ambitions=[
                    Ambition(work_package=wp, from_year=rng.randint(2027, 2035))
                    for wp in rng.sample([w for w in wps if w not in caps], rng.randint(0, 2))
                ],
                conditions="fictitious demo conditions: "
                + rng.choice(
                    (
                        "a framework contract of five years or more",
                        "support with ISO 19443 certification",
                        "advance payment for long-lead material",
                        "a partner for ASME III welding qualification",
                    )
                ),
            )
        )
    return out


def load_demo(
    db: sessionmaker, who: Access, count: int = 40, *, remove: bool = False
) -> tuple[int, int]:
    """Replace the demo set by ``count`` fictional suppliers (admin or operator); ``remove``:
    only remove it. Returns (removed, added); logged."""
    need_admin(who, "loading the demo suppliers")
    if not 0 <= count <= 10_000:
        raise UsageError("--count: 0 to 10,000 demo suppliers", field="count")
    added = []
    if not remove:
        for p in demo_profiles(count):
            cols, problems = check_profile(p)
            _refuse(problems)
            added.append(cols)
    with db() as s:
        gone = s.execute(delete(Organisation).where(Organisation.demo.is_(True))).rowcount
        for cols in added:
            s.add(Organisation(**cols, demo=True))
        detail = {"removed": gone, "added": len(added), "fictional": True}
        _log(s, who, "suppliers_demo_loaded", "supplier/demo", detail)
        s.commit()
    return int(gone or 0), len(added)


# --- the registry page's search (web/registry_pages.py) ------------------------------------
#
# Why an in-memory index and not SQL: of the page's filters only the name, the province, the
# COROP region and the access rule are plain columns; the work package (a capability *or* an
# ambition) and "certificate held now" (an entry of a JSON list with a validity date) live in
# JSON columns, which SQLite and PostgreSQL query in different dialects (json_each against
# jsonb operators, and the column is JSON, not JSONB, on PostgreSQL), so a portable SQL search
# would still load and filter those in Python, as :func:`list_suppliers` does with every ORM
# object of every request (about 10,000 at 10,000 suppliers). Here each process keeps one
# small index of the registry per database: only the columns the page shows and filters on
# (never the conditions, the capacity or the e-mail), in the database's own order by name and
# id (the order of :func:`list_suppliers`, whatever the collation), with a position list per
# work package, certificate, province and COROP region. A search intersects those lists and
# scans only the names; every request first checks with one small query,
# :func:`registry_version`, that the index is current.

#: The audit-log actions of every write to the suppliers table (each write path logs one in
#: the same transaction).
REGISTRY_WRITES = (
    "supplier_created",
    "supplier_updated",
    "supplier_deleted",
    "suppliers_imported",
    "suppliers_demo_loaded",
)


def registry_version(s: OrmSession) -> tuple[Any, ...]:
    """The version of the registry's profiles: the number and the latest time of the audit
    log's registry writes (:data:`REGISTRY_WRITES`) and the largest supplier id. Every write
    path of this module logs its event in the transaction of the change (adding, changing,
    removing a supplier, an import, the demo set; a dry run rolls both back), so the count
    grows with every committed write, in whatever order concurrent transactions commit; the
    largest id also catches a supplier added without this module. Both aggregates read the
    audit log's index on (action, at) and the primary key only: well under a millisecond,
    however large the registry."""
    row = s.connection().exec_driver_sql(_VERSION_SQL).one()  # plain SQL: no compiling
    return (row[0], str(row[1]), row[2])


#: :func:`registry_version`'s query (the same SQL on SQLite and PostgreSQL).
_VERSION_SQL = (
    f"SELECT count(*), max(at), (SELECT max(id) FROM {Organisation.__tablename__}) "
    f"FROM {AuditEvent.__tablename__} WHERE action IN "
    f"({', '.join(repr(a) for a in REGISTRY_WRITES)})"
)


@dataclass(frozen=True)
class IndexEntry:
    """One supplier in the registry index: what the registry page shows and filters on
    (never the conditions, the capacity or the contact e-mail)."""

    id: int
    name: str
    folded: str
    municipality: str | None
    corop: str | None
    province: str | None
    size_class: str | None
    capabilities: tuple[str, ...]
    work_packages: frozenset[str]
    certifications: tuple[tuple[str, str | None], ...]
    demo: bool

    def held(self, day: str) -> list[str]:
        """The certificates held on ``day`` (ISO date), as :func:`held` counts them."""
        return [c for c, until in self.certifications if not until or until >= day]


@dataclass(frozen=True)
class RegistryIndex:
    """The registry's suppliers at one :func:`registry_version`, ordered as
    :func:`list_suppliers` orders them (by the database: name, id), with the positions of
    the suppliers per work package (capability or ambition), province, COROP region and id,
    and per certificate the positions with the certificate's end date."""

    version: tuple[Any, ...]
    entries: tuple[IndexEntry, ...]
    folded: tuple[str, ...]
    by_work_package: dict[str, frozenset[int]]
    by_certificate: dict[str, list[tuple[int, str | None]]]
    by_province: dict[str, frozenset[int]]
    by_corop: dict[str, frozenset[int]]
    by_id: dict[int, int]

    @classmethod
    def build(cls, version: tuple[Any, ...], entries: tuple[IndexEntry, ...]) -> RegistryIndex:
        """The index of ``entries`` (in their order)."""
        wps: dict[str, list[int]] = {}
        certs: dict[str, list[tuple[int, str | None]]] = {}
        provinces: dict[str, list[int]] = {}
        corops: dict[str, list[int]] = {}
        for i, e in enumerate(entries):
            for wp in e.work_packages:
                wps.setdefault(wp, []).append(i)
            for c, until in e.certifications:
                certs.setdefault(c, []).append((i, until))
            if e.province:
                provinces.setdefault(e.province, []).append(i)
            if e.corop:
                corops.setdefault(e.corop, []).append(i)
        by_id = {e.id: i for i, e in enumerate(entries)}
        return cls(
            version,
            entries,
            tuple(e.folded for e in entries),
            {k: frozenset(v) for k, v in wps.items()},
            certs,
            {k: frozenset(v) for k, v in provinces.items()},
            {k: frozenset(v) for k, v in corops.items()},
            by_id,
        )


_INDEXES: weakref.WeakKeyDictionary[Any, RegistryIndex] = weakref.WeakKeyDictionary()
_INDEX_LOCK = threading.Lock()


def index_entry(row: Any) -> IndexEntry:
    """The index entry of an organisation (an ORM object or a row with its columns)."""
    caps = tuple(row.capabilities or ())
    wants = {a["work_package"] for a in row.ambitions or ()}
    return IndexEntry(
        id=row.id,
        name=row.name,
        folded=row.name.casefold(),
        municipality=row.municipality,
        corop=row.corop,
        province=row.province,
        size_class=row.size_class,
        capabilities=caps,
        work_packages=frozenset(caps) | frozenset(wants),
        certifications=tuple(
            (c["certificate"], str(c["valid_until"]) if c.get("valid_until") else None)
            for c in row.certifications or ()
        ),
        demo=bool(row.demo),
    )


def registry_index(db: sessionmaker) -> RegistryIndex:
    """The registry index of ``db``, rebuilt when :func:`registry_version` changed since it
    was built (the version is read before the rows: a write in between only causes one more
    rebuild, never a stale index). One rebuild at a time per process."""
    key = db.kw.get("bind") or db
    with db() as s:
        version = registry_version(s)
        cached = _INDEXES.get(key)
        if cached is not None and cached.version == version:
            return cached
        with _INDEX_LOCK:
            cached = _INDEXES.get(key)
            if cached is not None and cached.version == version:
                return cached
            cols = (
                Organisation.id,
                Organisation.name,
                Organisation.municipality,
                Organisation.corop,
                Organisation.province,
                Organisation.size_class,
                Organisation.capabilities,
                Organisation.certifications,
                Organisation.ambitions,
                Organisation.demo,
            )
            rows = s.execute(select(*cols).order_by(Organisation.name, Organisation.id))
            index = RegistryIndex.build(version, tuple(index_entry(r) for r in rows))
            _INDEXES[key] = index
            return index


@dataclass(frozen=True)
class SupplierSearch:
    """One page of a registry search: the entries shown, how many matched in all, the page
    (1-based, kept within the pages there are) and the 1-based positions shown."""

    entries: tuple[IndexEntry, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """The number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The position of the first entry shown (0 when none is)."""
        return (self.page - 1) * self.per_page + 1 if self.entries else 0

    @property
    def last(self) -> int:
        """The position of the last entry shown (0 when none is)."""
        return self.first + len(self.entries) - 1 if self.entries else 0


def check_search(work_package: str | None, certificate: str | None) -> None:
    """Refuse an unknown work package or certificate (400, naming the field)."""
    if work_package is not None and work_package not in work_package_ids():
        raise UsageError(f"'{work_package}' is no work package", field="work_package")
    if certificate is not None and certificate not in certificate_ids():
        raise UsageError(f"'{certificate}' is no certificate", field="certificate")


def search_suppliers(
    db: sessionmaker,
    who: Access,
    *,
    name: str | None = None,
    work_package: str | None = None,
    certificate: str | None = None,
    province: str | None = None,
    corop: str | None = None,
    page: int = 1,
    per_page: int = 50,
    today: date | None = None,
) -> SupplierSearch:
    """The suppliers ``who`` may read (exactly those of :func:`list_suppliers`, in its
    order), filtered and paged for the registry page: ``name`` a part of the name (any
    case), ``work_package`` a capability or an ambition (as :func:`list_suppliers`),
    ``certificate`` held on ``today`` (as :func:`held`), ``province`` and ``corop`` the
    location; page ``page`` of ``per_page`` (a page past the last shows the last). Reads the
    process's :func:`registry_index`, not the ORM objects."""
    check_search(work_package, certificate)
    page, per_page = max(1, page), max(1, per_page)
    if not who.signed_in or not (who.admin or who.analyst or who.companies or who.regions):
        return SupplierSearch((), 0, 1, per_page)
    index = registry_index(db)
    sets: list[frozenset[int] | set[int]] = []
    if not (who.admin or who.analyst):  # the access rule of list_suppliers
        mine = {index.by_id[i] for i in who.companies if i in index.by_id}
        for region in who.regions:
            mine.update(index.by_province.get(region, ()))
        sets.append(mine)
    if province:
        sets.append(index.by_province.get(province, frozenset()))
    if corop:
        sets.append(index.by_corop.get(corop, frozenset()))
    if work_package:
        sets.append(index.by_work_package.get(work_package, frozenset()))
    if certificate:
        day = (today or date.today()).isoformat()
        held_on = index.by_certificate.get(certificate, ())
        sets.append({i for i, until in held_on if not until or until >= day})
    # positions in the index's order (None: all of them)
    positions: list[int] | None = None
    if sets:
        sets.sort(key=len)
        positions = sorted(sets[0].intersection(*sets[1:]))
    if name and name.strip():
        part, folded = name.strip().casefold(), index.folded
        if positions is None:
            positions = [i for i, n in enumerate(folded) if part in n]
        else:
            positions = [i for i in positions if part in folded[i]]
    total = len(index.entries) if positions is None else len(positions)
    page = min(page, max(1, -(-total // per_page)))
    start = (page - 1) * per_page
    if positions is None:
        shown = index.entries[start : start + per_page]
    else:
        shown = tuple(index.entries[i] for i in positions[start : start + per_page])
    return SupplierSearch(shown, total, page, per_page)


def registry_places(db: sessionmaker) -> tuple[list[str], list[str]]:
    """The registry page's choices of location: the twelve provinces and the COROP regions
    where the registry has suppliers (public geography, the same for every reader), sorted."""
    from ketenradar.places.regions import PROVINCES

    index = _INDEXES.get(db.kw.get("bind") or db) or registry_index(db)  # checked by the search
    return sorted(PROVINCES), sorted(index.by_corop)
