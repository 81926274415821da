"""The FastAPI application: JSON API, pages in Dutch and English, static files, headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ketenradar import __version__
from ketenradar.core.errors import KetenradarError, RateLimitedError
from ketenradar.core.jobs import Jobs
from ketenradar.datasets.datastore import clean_leftovers
from ketenradar.interfaces.web import (
    api,
    auth,
    csrf,
    guard,
    pages,
    routes_data,
)
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.modules.io import blas
from ketenradar.modules.io.web import routes as routes_io
from ketenradar.modules.materials.web import routes as routes_materials
from ketenradar.modules.trade.web import routes as routes_country
from ketenradar.registry import db as accounts_db
from ketenradar.registry import service
from ketenradar.results.facts import Facts

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


def create_app(facts: Facts | None = None, settings: WebSettings | None = None) -> FastAPI:
    """The application, reading its fact tables from ``facts`` (default: the user's own facts
    in the settings' data dir where built, else the starter pack).

    ``settings`` default to :meth:`WebSettings.from_env`.
    """
    app = FastAPI(
        dependencies=[Depends(csrf.verify)],
        responses=api.ERROR_RESPONSES,
        title="ketenradar",
        version=__version__,
        description="Dependencies of Dutch and European value chains: trade, critical raw "
        "materials and input-output. Every response says which data and method produced it.",
    )
    app.state.settings = settings = settings or WebSettings.from_env()
    blas.limit_for_server()  # requests are the concurrency: one BLAS thread each
    clean_leftovers(settings.data_dir)  # what interrupted ingests and uploads left behind
    accounts_db.upgrade(settings.database_url)
    app.state.accounts = accounts_db.sessions(settings.database_url)
    app.state.facts = facts or Facts(data_dir=app.state.settings.data_dir)
    app.state.jobs = Jobs()
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.router)
    app.include_router(routes_io.api_router)
    app.include_router(routes_io.page_router)
    app.include_router(routes_materials.api_router)
    app.include_router(routes_materials.page_router)
    app.include_router(routes_country.api_router)
    app.include_router(routes_country.page_router)
    app.include_router(pages.router)
    app.include_router(auth.api_router)
    app.include_router(auth.page_router)
    app.include_router(routes_data.api_router)
    app.include_router(routes_data.page_router)

    # request-body limits, roles before the body, HEAD, no-store (web/guard.py): added before
    # the session middleware below, so that it runs inside it and knows the signed-in user
    app.add_middleware(guard.RequestGuard, render=lambda request, exc: guard_error(request, exc))

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        token = csrf.token_for(request)
        request.state.csrf_token = token
        session = request.cookies.get(auth.COOKIE)
        request.state.user = (
            await run_in_threadpool(service.session_user, app.state.accounts, session)
            if session
            else None
        )
        response = auth.read_gate(request) or await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        if request.cookies.get(csrf.COOKIE) != token:
            csrf.set_cookie(request, response, token)
        return response

    def wants_html(request: Request) -> bool:
        return not request.url.path.startswith("/api/")

    def render_error(
        request: Request, status: int, message: str, headers: dict[str, str] | None = None
    ) -> Response:
        if wants_html(request):
            response = pages.render(
                request,
                pages.lang_of(request),
                "error.html",
                "error",
                status_code=status,
                status=status,
                message=message,
                footer=None,
            )
            response.headers.update(headers or {})
            return response
        return JSONResponse({"detail": message}, status_code=status, headers=headers)

    def project_error_response(request: Request, exc: KetenradarError) -> Response:
        status = exc.http_status if exc.http_status < 500 else 400
        headers = None
        if isinstance(exc, RateLimitedError):
            headers = {"Retry-After": str(exc.retry_after)}
        elif status == 401 and request.url.path.startswith("/api/"):
            headers = {"WWW-Authenticate": 'Cookie realm="ketenradar"'}
        return render_error(request, status, str(exc), headers)

    @app.exception_handler(KetenradarError)
    async def project_error(request: Request, exc: KetenradarError) -> Response:
        return project_error_response(request, exc)

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

    def guard_error(request: Request, exc: Exception) -> Response:
        # a refusal of the request guard (before any route ran), answered as the handlers do
        if isinstance(exc, KetenradarError):
            return project_error_response(request, exc)
        if isinstance(exc, StarletteHTTPException):
            return render_error(request, exc.status_code, str(exc.detail))
        raise exc

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> RedirectResponse:
        accept = request.headers.get("accept-language", "")
        lang = "nl" if accept.lower().startswith("nl") else "en"
        return RedirectResponse(f"/{lang}/", status_code=307)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        # plotly.js (MIT) as shipped inside the plotly Python package: served from here, so
        # no page loads anything from another host
        import plotly

        path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        return FileResponse(path, media_type="text/javascript")

    return app
