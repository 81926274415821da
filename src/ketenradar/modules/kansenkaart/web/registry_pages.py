"""The kansenkaart's supplier registry pages (to be filled in)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ketenradar.interfaces.web.pages import check_lang, render

page_router = APIRouter(include_in_schema=False)


@page_router.get("/{lang}/kansenkaart/suppliers", response_class=HTMLResponse)
def suppliers_page(request: Request, lang: str) -> Response:
    """The page (placeholder)."""
    lang = check_lang(lang)
    return render(
        request, lang, "kansenkaart_suppliers.html", "module_kansenkaart", tab="suppliers"
    )


@page_router.get("/{lang}/kansenkaart/suppliers/{org_id}", response_class=HTMLResponse)
def supplier_page(request: Request, lang: str, org_id: int) -> Response:
    """The page (placeholder)."""
    lang = check_lang(lang)
    return render(request, lang, "kansenkaart_supplier.html", "module_kansenkaart", tab="suppliers")
