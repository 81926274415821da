"""The trade module's pages: the overview of an economy, the dependency explorer and products."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ketenradar.core.modules import columns as columns_of
from ketenradar.interfaces.web.frames import records
from ketenradar.interfaces.web.pages import check_lang, render
from ketenradar.modules.trade.web import api, content

router = APIRouter(include_in_schema=False)


@router.get("/{lang}/", response_class=HTMLResponse)
def overview_page(
    request: Request,
    lang: str,
    economy: str = "NLD",
    year: int | None = None,
    method: str = content.DEFAULT_METHOD,
):
    """Overview of an economy: headline counts and the largest dependencies (``method``)."""
    lang = check_lang(lang)
    o = content.overview(request.app.state.facts, economy, year, method)
    return render(request, lang, "overview.html", "overview", o=o, footer=o["footer"])


@router.get("/{lang}/dependencies", response_class=HTMLResponse)
def dependencies_page(request: Request, lang: str, params: api.ExplorerQuery):
    """The dependency explorer: filters, sortable columns, pages, CSV download."""
    lang = check_lang(lang)
    sort = params["sort"]
    d = content.dependencies(request.app.state.facts, **params)
    params["year"] = d["year"]
    clean = {k: v for k, v in params.items() if v not in (None, "")}

    def query(**changes: Any) -> str:
        return urlencode({**clean, **changes})

    def sort_query(col: str) -> str:
        desc = sort != f"-{col}"
        return query(sort=("-" if desc else "") + col, page=1)

    return render(
        request,
        lang,
        "dependencies.html",
        "dependencies",
        d=d,
        rows=records(d["rows"]),
        columns=content.DEPENDENCY_COLUMNS,
        # the headers a person reads: the screening's column schema (its message keys)
        labels={c.name: c.label for c in columns_of("screening")},
        params=params,
        query=query(),
        sort_query=sort_query,
        page_query=lambda p: query(page=p),
        importers=["NLD", "EU27"],
        ecosystems=sorted(
            {
                e
                for v in request.app.state.facts.values("screening", "ecosystem")
                if isinstance(v, str)
                for e in v.split("; ")
            }
        ),
        methods=content.METHODS,
        footer=d["footer"],
    )


@router.get("/{lang}/products/{hs6}", response_class=HTMLResponse)
def product_page(request: Request, lang: str, hs6: str, importer: str = "NLD"):
    """One product: indicators and supplier shares over the years."""
    lang = check_lang(lang)
    p = content.product(request.app.state.facts, hs6, importer)
    return render(request, lang, "product.html", "product", p=p, footer=p["footer"])
