"""The kansenkaart's supplier registry pages (issue 17, item 8):

* ``/{lang}/kansenkaart/suppliers``: the registry as its members may read it (a GET form:
  part of the name, work package, certificate held now, province, COROP region; 50 per page),
  with the export links of the JSON API for matchmaking. Anonymous readers and users without
  a membership see why nothing is listed. The search is
  :func:`~ketenradar.modules.kansenkaart.suppliers.search_suppliers` (an index of the
  registry kept per process, checked against the database on every request: its docstring
  says why), which applies the access rule of ``list_suppliers`` exactly.
* ``/{lang}/kansenkaart/suppliers/{org_id}``: one supplier's profile as the reader may see it
  (conditions only where allowed) and what it could supply: ``supplier_fit``'s table per
  work package. A supplier the reader may not read is not found (404), as an unknown id.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape

from ketenradar.core.errors import DataError, KetenradarError, UsageError
from ketenradar.interfaces.web.auth import db_of
from ketenradar.interfaces.web.errors import error_body
from ketenradar.interfaces.web.i18n import translator
from ketenradar.interfaces.web.pages import check_lang, render
from ketenradar.modules.kansenkaart import suppliers as sp
from ketenradar.modules.kansenkaart.names import work_package_names
from ketenradar.modules.kansenkaart.references import load_taxonomy
from ketenradar.modules.kansenkaart.web.routes import Writer

page_router = APIRouter(include_in_schema=False)

#: Suppliers per page of the registry.
PER_PAGE = 50
#: The query parameters of the registry page's form.
FILTERS = ("q", "work_package", "certificate", "province", "corop")

Search = Callable[..., sp.SupplierSearch]


def _access(request: Request) -> sp.Access:
    return sp.access_of(db_of(request), getattr(request.state, "user", None))


def member(who: sp.Access) -> bool:
    """Whether ``who`` reads anything of the registry (a membership or admin rights)."""
    return who.admin or who.analyst or bool(who.companies) or bool(who.regions)


@functools.cache
def labels(lang: str) -> dict[str, dict[Any, str]]:
    """Names in ``lang`` of work packages, certificates, size classes, sectors, readiness
    levels and statuses (a certificate of a user's own table stays as its id)."""
    t = translator(lang)
    certs = {
        "iso_9001": t("kansenkaart_web_reg_cert_iso_9001"),
        "iso_19443": t("kansenkaart_web_reg_cert_iso_19443"),
        "nqa_1": t("kansenkaart_web_reg_cert_nqa_1"),
        "asme_iii_n": t("kansenkaart_web_reg_cert_asme_iii_n"),
        "asme_iii_npt": t("kansenkaart_web_reg_cert_asme_iii_npt"),
        "asme_iii_ns": t("kansenkaart_web_reg_cert_asme_iii_ns"),
        "rcc_m": t("kansenkaart_web_reg_cert_rcc_m"),
        "kta_1401": t("kansenkaart_web_reg_cert_kta_1401"),
        "iso_3834": t("kansenkaart_web_reg_cert_iso_3834"),
        "asme_ix": t("kansenkaart_web_reg_cert_asme_ix"),
        "iso_9712": t("kansenkaart_web_reg_cert_iso_9712"),
        "vog": t("kansenkaart_web_reg_cert_vog"),
        "aivd_screening": t("kansenkaart_web_reg_cert_aivd_screening"),
    }
    return {
        "wp": work_package_names(load_taxonomy().work_packages, lang),
        "cert": {c: certs.get(c, c) for c in sp.certificate_ids()},
        "size": {
            "micro": t("kansenkaart_web_reg_size_micro"),
            "small": t("kansenkaart_web_reg_size_small"),
            "medium": t("kansenkaart_web_reg_size_medium"),
            "large": t("kansenkaart_web_reg_size_large"),
        },
        "sector": {
            "nuclear": t("kansenkaart_web_reg_sector_nuclear"),
            "offshore": t("kansenkaart_web_reg_sector_offshore"),
            "oil_gas": t("kansenkaart_web_reg_sector_oil_gas"),
            "pharma": t("kansenkaart_web_reg_sector_pharma"),
            "chemicals": t("kansenkaart_web_reg_sector_chemicals"),
            "power": t("kansenkaart_web_reg_sector_power"),
            "aerospace": t("kansenkaart_web_reg_sector_aerospace"),
            "defence": t("kansenkaart_web_reg_sector_defence"),
            "shipbuilding": t("kansenkaart_web_reg_sector_shipbuilding"),
            "rail": t("kansenkaart_web_reg_sector_rail"),
            "semiconductors": t("kansenkaart_web_reg_sector_semiconductors"),
        },
        "readiness": {
            1: t("kansenkaart_web_reg_readiness_1"),
            2: t("kansenkaart_web_reg_readiness_2"),
            3: t("kansenkaart_web_reg_readiness_3"),
            4: t("kansenkaart_web_reg_readiness_4"),
        },
        "demo": (t("kansenkaart_web_reg_demo"), t("kansenkaart_web_reg_demo_hint")),
        "status": {
            "qualified_now": t("kansenkaart_web_reg_status_qualified_now"),
            "after_gaps": t("kansenkaart_web_reg_status_after_gaps"),
        },
    }


def _page_number(value: str | None) -> int:
    if not value:
        return 1
    if not value.strip().isdigit() or not 1 <= int(value) <= 1_000_000:
        raise UsageError(f"page '{value}': a whole number from 1", field="page")
    return int(value)


def registry_view(request: Request, lang: str, search: Search) -> Response:
    """The registry page with the suppliers ``search`` finds (the project's
    :func:`~ketenradar.modules.kansenkaart.suppliers.search_suppliers`; the benchmark passes
    the plain ``list_suppliers`` path too)."""
    db = db_of(request)
    who = _access(request)
    form = {k: v.strip() for k, v in request.query_params.items() if k in FILTERS and v.strip()}
    ctx: dict[str, Any] = {
        "form": form,
        "errors": [],
        "result": None,
        "signed_in": who.signed_in,
        "member": member(who),
        "names": labels(lang),
        "corops": [],
        "today": date.today().isoformat(),
    }
    status = 200
    if who.signed_in and member(who):
        try:
            result = search(
                db,
                who,
                name=form.get("q"),
                work_package=form.get("work_package"),
                certificate=form.get("certificate"),
                province=form.get("province"),
                corop=form.get("corop"),
                page=_page_number(request.query_params.get("page")),
                per_page=PER_PAGE,
            )
            ctx["result"] = result
            ctx["rows"] = [row_view(e, ctx["names"], ctx["today"]) for e in result.entries]
            ctx["rows_html"] = rows_html(ctx["rows"], lang, labels(lang)["demo"])
            ctx["pages"] = _page_links(request, form, result)
            export = {k: form[k] for k in ("work_package", "province") if k in form}
            ctx["export_query"] = ("?" + urlencode(export)) if export else ""
            ctx["export_partial"] = any(k in form for k in ("q", "certificate", "corop"))
        except KetenradarError as exc:
            body = error_body(exc)
            ctx["errors"] = [{"field": body.field, "detail": body.detail}]
            status = body.status
        provinces, corops = sp.registry_places(db)  # after the search's check
        names = ctx["names"]
        ctx["corops"] = corops
        ctx["options"] = {
            "work_package": options(names["wp"].items(), form.get("work_package")),
            "certificate": options(names["cert"].items(), form.get("certificate")),
            "province": options(((p, p) for p in provinces), form.get("province")),
            "corop": options(((c, c) for c in corops), form.get("corop")),
        }
    return render(
        request,
        lang,
        "kansenkaart_suppliers.html",
        "module_kansenkaart",
        status_code=status,
        tab="suppliers",
        **ctx,
    )


def options(choices: Iterable[tuple[str, str]], selected: str | None) -> Markup:
    """The ``<option>`` elements of a select (value, label), ``selected`` marked (built
    here rather than in the template, and kept: the page is rendered under load)."""
    html = _options(tuple(choices))
    if selected:
        mark = f'<option value="{escape(selected)}">'
        html = html.replace(mark, mark[:-1] + " selected>", 1)
    return Markup(html)


@functools.lru_cache(maxsize=64)
def _options(choices: tuple[tuple[str, str], ...]) -> str:
    return "".join(f'<option value="{escape(v)}">{escape(label)}</option>' for v, label in choices)


def row_view(e: sp.IndexEntry, names: dict[str, dict[Any, str]], today: str) -> dict[str, Any]:
    """A row of the registry table as texts (joined here: far cheaper than in the
    template, which matters at 50 rows a page under load)."""
    wp, cert = names["wp"], names["cert"]
    return {
        "id": e.id,
        "name": e.name,
        "demo": e.demo,
        "place": " / ".join(p for p in (e.municipality, e.province) if p) or "–",
        "size": names["size"].get(e.size_class, e.size_class) if e.size_class else "–",
        "capabilities": ", ".join(wp.get(c, c) for c in e.capabilities) or "–",
        "certificates": ", ".join(cert.get(c, c) for c in e.held(today)) or "–",
    }


def rows_html(rows: list[dict[str, Any]], lang: str, demo: tuple[str, str]) -> Markup:
    """The registry table's rows as HTML (each text escaped; built here rather than in the
    template: a third of the page's time under load went to the template's 50 rows)."""
    label, hint = escape(demo[0]), escape(demo[1])
    badge = f' <span class="badge illustrative" title="{hint}">{label}</span>'
    demo_attr = ' data-demo="1"'
    out = []
    for r in rows:
        out.append(
            f'<tr data-id="{r["id"]}"{demo_attr if r["demo"] else ""}>'
            f'<td><a href="/{lang}/kansenkaart/suppliers/{r["id"]}">{escape(r["name"])}</a>'
            f"{badge if r['demo'] else ''}</td><td>{escape(r['place'])}</td>"
            f"<td>{escape(r['size'])}</td><td>{escape(r['capabilities'])}</td>"
            f"<td>{escape(r['certificates'])}</td></tr>\n"
        )
    return Markup("".join(out))


def _page_links(
    request: Request, form: dict[str, str], result: sp.SupplierSearch
) -> list[dict[str, Any]]:
    """Links to the first, last and nearby pages (``gap``: the pages left out before it)."""
    wanted = {1, result.pages, *range(result.page - 2, result.page + 3)}
    shown = sorted(p for p in wanted if 1 <= p <= result.pages)
    out, before = [], 0
    for p in shown:
        query = urlencode({**form, "page": p})
        out.append(
            {
                "page": p,
                "url": f"{request.url.path}?{query}",
                "current": p == result.page,
                "gap": p - before > 1,
            }
        )
        before = p
    return out


@page_router.get("/{lang}/kansenkaart/suppliers", response_class=HTMLResponse)
def suppliers_page(request: Request, lang: str) -> Response:
    """The supplier registry: search, filters, pages and the export links (members only)."""
    lang = check_lang(lang)
    return registry_view(request, lang, sp.search_suppliers)


def fit_rows(db: Any, who: sp.Access, org_id: int, lang: str) -> list[dict[str, Any]]:
    """``supplier_fit``'s table of one supplier as rows (``missing`` as a list of ids)."""
    from ketenradar.modules.kansenkaart import api

    frame = api.supplier_fit(db, who, org_id, lang=lang).frame("fit")
    rows = []
    for r in frame.to_dict("records"):
        r = {k: (None if _missing(v) else v) for k, v in r.items()}
        r["missing"] = [c.strip() for c in (r["missing"] or "").split(",") if c.strip()]
        for year in ("from_year", "earliest_year", "readiness"):  # a column with gaps: floats
            r[year] = None if r[year] is None else int(r[year])
        rows.append(r)
    return rows


def _missing(v: Any) -> bool:
    try:
        return v is None or v != v  # NaN
    except (TypeError, ValueError):
        return False


@page_router.get("/{lang}/kansenkaart/suppliers/{org_id}", response_class=HTMLResponse)
def supplier_page(
    request: Request, lang: str, org_id: Annotated[int, PathParam(ge=-(2**31), le=2**31 - 1)]
) -> Response:
    """One supplier: its profile as the reader may see it and what it could supply
    (``supplier_fit``); not found when the reader may not read it. An anonymous reader is
    sent to the sign-in page (and back here after it), whatever the id: nothing about the
    supplier's existence shows."""
    lang = check_lang(lang)
    db = db_of(request)
    who = _access(request)
    if not who.signed_in:
        target = quote(request.url.path, safe="/")
        return RedirectResponse(f"/{lang}/login?next={target}", status_code=303)
    org = sp.get_supplier(db, who, org_id)  # 404 not readable or unknown
    profile = sp.profile_json(org, who)
    return render(
        request,
        lang,
        "kansenkaart_supplier.html",
        "module_kansenkaart",
        tab="suppliers",
        profile=profile,
        fit=fit_rows(db, who, org_id, lang),
        names=labels(lang),
        saved=request.query_params.get("saved") == "1",
    )


# --- self-service editing ------------------------------------------------------------------


def _lines(text: str | None) -> list[list[str]]:
    """The non-empty lines of a text area, each split at commas (parts stripped)."""
    return [
        [part.strip() for part in line.split(",")]
        for line in (text or "").splitlines()
        if line.strip()
    ]


def change_of_form(form: Any) -> sp.SupplierChange:
    """The profile change a supplier page's edit form asks for: capabilities and experience
    (ticked boxes), certifications (one per line: ``certificate`` or ``certificate,
    YYYY-MM-DD``), ambitions (one per line: ``work package, year``), capacity, conditions and
    the contact e-mail (empty: removed). Refused (422, the field named as in the JSON API,
    e.g. ``certifications[1].valid_until``) when a line does not fit."""
    from pydantic import ValidationError

    certifications = [
        {"certificate": p[0], "valid_until": (p[1] or None) if len(p) > 1 else None}
        for p in _lines(form.get("certifications"))
    ]
    ambitions = []
    for i, p in enumerate(_lines(form.get("ambitions"))):
        if len(p) != 2:
            raise DataError(
                f"line {i + 1}: write a work package and a year, e.g. 'valves, 2030'",
                field=f"ambitions[{i}]",
            )
        ambitions.append({"work_package": p[0], "from_year": p[1]})
    doc = {
        "capabilities": form.getlist("capabilities"),
        "experience": form.getlist("experience"),
        "certifications": certifications,
        "ambitions": ambitions,
        "capacity": (form.get("capacity") or "").strip() or None,
        "contact_email": (form.get("contact_email") or "").strip() or None,
    }
    if "conditions" in form:  # only in the form of those who may read them
        doc["conditions"] = (form.get("conditions") or "").strip() or None
    try:
        return sp.SupplierChange.model_validate(doc)
    except ValidationError as exc:
        e = exc.errors()[0]
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"]).lstrip(".")
        raise DataError(f"{loc}: {e['msg']}", field=loc) from None


@page_router.post("/{lang}/kansenkaart/suppliers/{org_id}", response_class=HTMLResponse)
async def edit_supplier(
    request: Request,
    lang: str,
    org_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    who: Writer,
) -> Response:
    """Save the edit form of a supplier page (the company itself, its regional agency, an
    admin; logged in the audit log like every change): back to the page with "saved", or
    the page again with the form as sent and the reason (the field named). Anonymous: 401;
    no company or agency membership and no admin rights: 403 (before the form is read)."""
    lang = check_lang(lang)
    db = db_of(request)
    form = await request.form()
    try:
        sp.update_supplier(db, who, org_id, change_of_form(form))
    except KetenradarError as exc:
        body = error_body(exc)
        if body.status in (401, 403, 404):
            raise
        org = sp.get_supplier(db, who, org_id)
        return render(
            request,
            lang,
            "kansenkaart_supplier.html",
            "module_kansenkaart",
            status_code=body.status,
            tab="suppliers",
            profile=sp.profile_json(org, who),
            fit=fit_rows(db, who, org_id, lang),
            names=labels(lang),
            edit_errors=[{"field": body.field, "detail": body.detail}],
            sent=form,
        )
    return RedirectResponse(f"/{lang}/kansenkaart/suppliers/{org_id}?saved=1", status_code=303)
