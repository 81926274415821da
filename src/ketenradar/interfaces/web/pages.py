"""The HTML pages of the monitor (Dutch and English) and the helper every page renders with.

Each area of the application (overview and trade, country, materials, input-output, data,
accounts) has its pages on a :class:`fastapi.APIRouter`; they all render through
:func:`render`, which adds the language, the translator, the link to the other language, the
signed-in user and the CSRF token every form carries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from ketenradar.interfaces.web import api
from ketenradar.interfaces.web.i18n import LANGUAGES, translator
from ketenradar.modules.trade.web import content

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)


def check_lang(lang: str) -> str:
    """The language of a page URL, or 404 when it is not one the interface speaks."""
    if lang not in LANGUAGES:
        raise StarletteHTTPException(404, f"no language '{lang}' (nl or en)")
    return lang


def lang_of(request: Request) -> str:
    """The language a request's path asks for (English when it names none)."""
    first = request.url.path.strip("/").split("/")[0]
    return first if first in LANGUAGES else "en"


def render(
    request: Request,
    lang: str,
    template: str,
    title_key: str,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """Render ``template`` with the context every page shares plus ``extra``."""
    t = translator(lang)
    other = "en" if lang == "nl" else "nl"
    path = request.url.path
    rest = path[len(lang) + 1 :] if path.startswith(f"/{lang}") else "/"
    other_url = f"/{other}{rest or '/'}" + (f"?{request.url.query}" if request.url.query else "")
    ctx = {
        "lang": lang,
        "t": t,
        "page_title": t(title_key),
        "other_lang_url": other_url,
        "user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        **extra,
    }
    return templates.TemplateResponse(request, template, ctx, status_code=status_code)


@router.get("/{lang}/", response_class=HTMLResponse)
def overview_page(request: Request, lang: str, economy: str = "NLD", year: int | None = None):
    """Overview of an economy: headline counts and the largest dependencies."""
    lang = check_lang(lang)
    o = content.overview(request.app.state.facts, economy, year)
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
        rows=content.records(d["rows"]),
        columns=content.DEPENDENCY_COLUMNS,
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
