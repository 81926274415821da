"""The supplier registry's JSON API (``/api/v1/kansenkaart/…``): the rules of who may read
and change what are :mod:`ketenradar.modules.kansenkaart.suppliers`'s, enforced there; the
routes add that anonymous callers cannot write (401) and that changing anything needs a
company or agency membership or the admin role (403), before the body is read.

* ``GET /kansenkaart/suppliers`` (``work_package``, ``province``): the suppliers you may read;
  ``supplier``: one by its id;
* ``POST /kansenkaart/suppliers``: add one (an admin, or the agency of its province);
* ``PATCH /kansenkaart/suppliers/{org_id}``: change fields (its company, agency, an admin);
* ``DELETE /kansenkaart/suppliers/{org_id}/contact``: remove the contact e-mail;
* ``DELETE /kansenkaart/suppliers/{org_id}``: remove a supplier (admin);
* ``POST /kansenkaart/suppliers/import``: a CSV text with a column mapping (every bad row
  reported, nothing written unless all are valid);
* ``GET /kansenkaart/suppliers/export.{fmt}``: CSV or XLSX for matchmaking (conditions only
  where you may read them);
* ``GET/POST /kansenkaart/memberships``, ``DELETE /kansenkaart/memberships/{membership_id}``:
  who holds which role (admin; ``GET`` without admin rights: your own, anonymous: none).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ketenradar.interfaces.web.auth import db_of, require
from ketenradar.interfaces.web.errors import openapi_responses
from ketenradar.modules.kansenkaart import suppliers as sp
from ketenradar.registry.models import User

api_router = APIRouter(prefix="/api/v1/kansenkaart", tags=["kansenkaart"])

ERRORS = openapi_responses(
    {
        400: "a parameter the registry refuses (an unknown work package), names the field",
        401: "sign in first",
        403: "your memberships do not allow this, or the CSRF token is missing",
        404: "no such supplier that you can read",
        409: "the KvK number is registered already",
        413: "the body is larger than the limit",
        422: "a profile or import with problems (every one named), or a bad parameter",
    }
)


def _access(request: Request) -> sp.Access:
    return sp.access_of(db_of(request), getattr(request.state, "user", None))


def writer(request: Request, user: Annotated[User, Depends(require("viewer"))]) -> sp.Access:
    """A dependency: the caller's rights if it may change the registry at all (401: not
    signed in; 403: no company or agency membership and not an admin)."""
    who = _access(request)
    sp.need_writer(who)
    return who


def registry_admin(
    request: Request, user: Annotated[User, Depends(require("viewer"))]
) -> sp.Access:
    """A dependency: the caller's rights if it is an admin of the registry (401 / 403)."""
    who = _access(request)
    sp.need_admin(who, "managing memberships")
    return who


Writer = Annotated[sp.Access, Depends(writer)]
RegistryAdmin = Annotated[sp.Access, Depends(registry_admin)]
OrgId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]


@api_router.get("/suppliers", responses=ERRORS)
def suppliers(
    request: Request,
    work_package: Annotated[str | None, Query(max_length=80)] = None,
    province: Annotated[str | None, Query(max_length=40)] = None,
    supplier: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[dict[str, Any]]:
    """The suppliers you may read (a company: its own; an agency: its province's; analysts
    and admins: all; anonymous callers: none), by name; conditions only where you may read
    them. ``supplier``: only that one (an empty list when you may not read it)."""
    who = _access(request)
    orgs = sp.list_suppliers(
        db_of(request), who, work_package=work_package, province=province, supplier=supplier
    )
    return [sp.profile_json(o, who) for o in orgs]


@api_router.get(
    "/suppliers/export.{fmt}",
    response_class=Response,
    responses={
        200: {
            "description": "The suppliers you may read as a CSV or XLSX file",
            "content": {"text/csv": {}, sp.XLSX: {}},
        }
    }
    | ERRORS,
)
def export(
    request: Request,
    fmt: Literal["csv", "xlsx"],
    work_package: Annotated[str | None, Query(max_length=80)] = None,
    province: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """The suppliers you may read as CSV or XLSX for a matchmaking event; the conditions
    column only when you may read conditions (and then only theirs)."""
    who = _access(request)
    df = sp.export_frame(db_of(request), who, work_package=work_package, province=province)
    media = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": sp.XLSX,
    }[fmt]
    return Response(
        sp.export_bytes(df, fmt),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="suppliers.{fmt}"'},
    )


@api_router.post("/suppliers", status_code=201, responses=ERRORS)
def create(request: Request, body: sp.SupplierProfile, who: Writer) -> dict[str, Any]:
    """Add a supplier (an admin, or the regional agency of its province); logged."""
    return sp.profile_json(sp.create_supplier(db_of(request), who, body), who)


@api_router.patch("/suppliers/{org_id}", responses=ERRORS)
def change(request: Request, org_id: OrgId, body: sp.SupplierChange, who: Writer) -> Any:
    """Change fields of a profile (its company, its agency, an admin); logged."""
    return sp.profile_json(sp.update_supplier(db_of(request), who, org_id, body), who)


@api_router.delete("/suppliers/{org_id}/contact", responses=ERRORS)
def remove_contact(request: Request, org_id: OrgId, who: Writer) -> dict[str, Any]:
    """Remove the supplier's contact e-mail (personal data); logged."""
    return sp.profile_json(sp.remove_contact(db_of(request), who, org_id), who)


@api_router.delete("/suppliers/{org_id}", status_code=204, responses=ERRORS)
def remove(request: Request, org_id: OrgId, who: Writer) -> Response:
    """Remove a supplier (admin); logged."""
    sp.delete_supplier(db_of(request), who, org_id)
    return Response(status_code=204)


class ImportBody(BaseModel):
    """An import: the CSV text (``,``, ``;`` or tab separated, a header row) and its column
    mapping."""

    model_config = ConfigDict(extra="forbid")

    csv: str = Field(min_length=1, max_length=5_000_000)
    mapping: sp.ColumnMapping
    region: str | None = Field(None, max_length=40)
    dry_run: bool = False


@api_router.post("/suppliers/import", responses=ERRORS)
def import_csv(request: Request, body: ImportBody, who: Writer) -> dict[str, Any]:
    """Import suppliers (a regional agency: of its province; an admin). Every row is checked
    first; with any problem the answer is 422 listing every bad row (row, field, why) and
    nothing is written; else all rows are written in one transaction; logged."""
    df = sp.read_csv_text(body.csv, file="csv")
    rows = sp.read_frame(df, sp.parse_mapping(body.mapping.model_dump()), file="csv")
    report = sp.import_rows(
        db_of(request), who, rows, body.mapping, region=body.region, dry_run=body.dry_run
    )
    return report.as_dict()


class NewMembership(BaseModel):
    """A role in the supplier registry for a user."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    role: Literal["company", "agency", "analyst", "admin"]
    organisation_id: int | None = Field(None, ge=1, le=2**31 - 1)
    region: str | None = Field(None, max_length=40)


@api_router.get("/memberships", responses=ERRORS)
def memberships(request: Request) -> list[dict[str, Any]]:
    """Memberships: everyone's for an admin, else your own (anonymous: none)."""
    who = _access(request)
    return [sp.membership_json(m) for m in sp.list_memberships(db_of(request), who)]


@api_router.post("/memberships", status_code=201, responses=ERRORS)
def add_membership(request: Request, body: NewMembership, who: RegistryAdmin) -> dict[str, Any]:
    """Give a user a role in the registry (admin); logged."""
    m = sp.add_membership(
        db_of(request),
        who,
        body.username,
        body.role,
        organisation_id=body.organisation_id,
        region=body.region,
    )
    return sp.membership_json(m)


@api_router.delete("/memberships/{membership_id}", status_code=204, responses=ERRORS)
def remove_membership(
    request: Request,
    membership_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    who: RegistryAdmin,
) -> Response:
    """Remove a membership (admin); logged."""
    sp.remove_membership(db_of(request), who, membership_id)
    return Response(status_code=204)
