"""The FastAPI application: JSON API, pages in Dutch and English, static files, headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from ketenradar import __version__
from ketenradar.errors import KetenradarError
from ketenradar.web import api, content
from ketenradar.web.facts import Facts
from ketenradar.web.i18n import LANGUAGES, translator

HERE = Path(__file__).parent

#: Every response carries these. The CSP allows nothing from another host.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(facts: Facts | None = None) -> FastAPI:
    """The application, reading its fact tables from ``facts`` (default: the starter pack)."""
    app = FastAPI(
        title="ketenradar",
        version=__version__,
        description="Dependencies of Dutch and European value chains: trade, critical raw "
        "materials and input-output. Every response says which data and method produced it.",
    )
    app.state.facts = facts or Facts()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    def wants_html(request: Request) -> bool:
        return not request.url.path.startswith("/api/")

    def render_error(request: Request, status: int, message: str) -> Response:
        if wants_html(request):
            lang = _lang_of(request)
            return templates.TemplateResponse(
                request,
                "error.html",
                _ctx(request, lang, "error", status=status, message=message, footer=None),
                status_code=status,
            )
        return JSONResponse({"detail": message}, status_code=status)

    @app.exception_handler(KetenradarError)
    async def project_error(request: Request, exc: KetenradarError) -> Response:
        status = exc.http_status if exc.http_status < 500 else 400
        return render_error(request, status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        parts = [
            f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
            for e in exc.errors()
        ]
        return render_error(request, 422, "invalid parameter — " + "; ".join(parts))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return render_error(request, exc.status_code, str(exc.detail))

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> RedirectResponse:
        accept = request.headers.get("accept-language", "")
        lang = "nl" if accept.lower().startswith("nl") else "en"
        return RedirectResponse(f"/{lang}/", status_code=307)

    @app.get("/{lang}/", response_class=HTMLResponse, include_in_schema=False)
    def overview_page(request: Request, lang: str, economy: str = "NLD", year: int | None = None):
        lang = _check_lang(lang)
        o = content.overview(app.state.facts, economy, year)
        return templates.TemplateResponse(
            request, "overview.html", _ctx(request, lang, "overview", o=o, footer=o["footer"])
        )

    @app.get("/{lang}/dependencies", response_class=HTMLResponse, include_in_schema=False)
    def dependencies_page(request: Request, lang: str, params: api.ExplorerQuery):
        lang = _check_lang(lang)
        sort = params["sort"]
        d = content.dependencies(app.state.facts, **params)
        params["year"] = d["year"]
        clean = {k: v for k, v in params.items() if v not in (None, "")}

        def query(**changes: Any) -> str:
            return urlencode({**clean, **changes})

        def sort_query(col: str) -> str:
            desc = sort != f"-{col}"
            return query(sort=("-" if desc else "") + col, page=1)

        return templates.TemplateResponse(
            request,
            "dependencies.html",
            _ctx(
                request,
                lang,
                "dependencies",
                d=d,
                rows=content.records(d["rows"]),
                columns=content.DEPENDENCY_COLUMNS,
                params=params,
                query=query(),
                sort_query=sort_query,
                page_query=lambda p: query(page=p),
                importers=["NLD", "EU27"],
                methods=content.METHODS,
                footer=d["footer"],
            ),
        )

    @app.get("/{lang}/products/{hs6}", response_class=HTMLResponse, include_in_schema=False)
    def product_page(request: Request, lang: str, hs6: str, importer: str = "NLD"):
        lang = _check_lang(lang)
        p = content.product(app.state.facts, hs6, importer)
        return templates.TemplateResponse(
            request, "product.html", _ctx(request, lang, "product", p=p, footer=p["footer"])
        )

    @app.get("/{lang}/materials", response_class=HTMLResponse, include_in_schema=False)
    def materials_page(request: Request, lang: str):
        lang = _check_lang(lang)
        m = content.materials(app.state.facts)
        return templates.TemplateResponse(
            request, "materials.html", _ctx(request, lang, "materials", m=m, footer=m["footer"])
        )

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        # plotly.js (MIT) as shipped inside the plotly Python package: served from here, so
        # no page loads anything from another host
        import plotly

        path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        return FileResponse(path, media_type="text/javascript")

    return app


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise StarletteHTTPException(404, f"no language '{lang}' (nl or en)")
    return lang


def _lang_of(request: Request) -> str:
    first = request.url.path.strip("/").split("/")[0]
    return first if first in LANGUAGES else "en"


def _ctx(request: Request, lang: str, title_key: str, **extra: Any) -> dict[str, Any]:
    t = translator(lang)
    other = "en" if lang == "nl" else "nl"
    path = request.url.path
    rest = path[len(lang) + 1 :] if path.startswith(f"/{lang}") else "/"
    other_url = f"/{other}{rest or '/'}" + (f"?{request.url.query}" if request.url.query else "")
    return {"lang": lang, "t": t, "page_title": t(title_key), "other_lang_url": other_url, **extra}
