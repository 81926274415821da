"""The FastAPI application: JSON API, pages in Dutch and English, static files, headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from ketenradar import __version__
from ketenradar.core import blas
from ketenradar.core import modules as registry
from ketenradar.core.jobs import Jobs
from ketenradar.datasets.datastore import clean_leftovers
from ketenradar.interfaces.web import (
    api,
    auth,
    csrf,
    errors,
    guard,
    routes_data,
)
from ketenradar.interfaces.web.settings import WebSettings
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


def static_files() -> StaticFiles:
    """``/static/``: the shell's files, then every module's (first match wins)."""
    packages: list[str | tuple[str, str]] = [
        (m.package, m.static) for m in registry.modules() if m.static
    ]
    return StaticFiles(directory=str(HERE / "static"), packages=packages)


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
    app.mount("/static", static_files(), name="static")
    app.include_router(api.router)
    for module in registry.modules():  # every module's JSON API and pages
        for router in module.routers:
            app.include_router(module.load(router))
    app.include_router(auth.api_router)
    app.include_router(auth.page_router)
    app.include_router(routes_data.api_router)
    app.include_router(routes_data.page_router)

    # request-body limits, roles before the body, HEAD, no-store (web/guard.py): added before
    # the session middleware below, so that it runs inside it and knows the signed-in user
    app.add_middleware(guard.RequestGuard)

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

    # every error in one shape (JSON under /api/, the error page elsewhere), its own status
    errors.install(app)

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
