"""The FastAPI application: JSON API, pages in Dutch and English, static files, headers."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ketenradar import __version__
from ketenradar.core import blas
from ketenradar.core import modules as registry
from ketenradar.core.jobs import Jobs
from ketenradar.datasets.datastore import clean_leftovers
from ketenradar.interfaces.web import (
    api,
    auth,
    compression,
    csrf,
    downloads,
    errors,
    guard,
    pages,
    routes_data,
    search,
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


#: :data:`SECURITY_HEADERS` as raw ASGI header pairs (lower-case names, as Starlette's own).
_RAW_SECURITY_HEADERS = [
    (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()
]


class SessionHeaders:
    """Pure ASGI middleware (no body streaming through a task, unlike ``@app.middleware``):
    for every HTTP request it sets ``request.state`` ``csrf_token``, ``via_token`` and
    ``user`` (from the session cookie or a bearer token), answers a bad token (401) or a
    read that needs a login itself, and adds :data:`SECURITY_HEADERS` (where absent) and,
    when the request's cookie does not hold the token, the CSRF cookie to the answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection; only ``http`` scopes are touched."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        accounts = request.app.state.accounts
        token = csrf.token_for(request)
        request.state.csrf_token = token
        session = request.cookies.get(auth.COOKIE)
        bearer = auth.bearer_of(request)
        request.state.via_token = bearer is not None
        refused: Response | None = None
        if bearer is not None:  # a script with a personal API token: no session, no CSRF
            request.state.user = await run_in_threadpool(service.token_user, accounts, bearer)
            if request.state.user is None:
                refused = auth.bad_token(request)
        else:
            request.state.user = (
                await run_in_threadpool(service.session_user, accounts, session)
                if session
                else None
            )
        cookie: list[tuple[bytes, bytes]] = []
        if request.cookies.get(csrf.COOKIE) != token:
            holder = Response()
            csrf.set_cookie(request, holder, token)
            cookie = [(k, v) for k, v in holder.raw_headers if k == b"set-cookie"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {k for k, _ in headers}
                headers += [(k, v) for k, v in _RAW_SECURITY_HEADERS if k not in present]
                headers += cookie
                message = {**message, "headers": headers}
            await send(message)

        early = refused or auth.read_gate(request)
        if early is not None:
            await early(scope, receive, send_with_headers)
        else:
            await self.app(scope, receive, send_with_headers)


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
        docs_url=None,  # /docs below: Swagger UI from vendored files (the CSP allows no CDN)
        redoc_url=None,
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
    app.include_router(downloads.router)  # before /datasets/{name}
    app.include_router(routes_data.api_router)
    app.include_router(routes_data.page_router)
    app.include_router(search.api_router)
    app.include_router(search.page_router)

    # request-body limits, roles before the body, HEAD, no-store (web/guard.py): added before
    # the session middleware below, so that it runs inside it and knows the signed-in user
    app.add_middleware(guard.RequestGuard)
    # gzip (web/compression.py): outside the guard, inside the session middleware below, so
    # that it sees each answer whole (sizes known: small ones are sent as they are)
    compression.install(app)

    # the signed-in user, the CSRF token and the security headers: outermost (see above)
    app.add_middleware(SessionHeaders)

    # every error in one shape (JSON under /api/, the error page elsewhere), its own status
    errors.install(app)

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> RedirectResponse:
        accept = request.headers.get("accept-language", "")
        lang = "nl" if accept.lower().startswith("nl") else "en"
        return RedirectResponse(f"/{lang}/", status_code=307)

    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        # Swagger UI from static/vendor/swagger-ui (swagger-ui-dist, Apache-2.0), started by
        # static/swagger-init.js: no inline script, nothing from another host
        return pages.templates.TemplateResponse(
            request, "api_docs.html", {"csrf_token": request.state.csrf_token}
        )

    app.openapi = lambda: auth.openapi_with_security(app)  # type: ignore[method-assign]

    # plotly.js (MIT) as shipped inside the plotly Python package: served from here, so no
    # page loads anything from another host; pre-compressed, cached under a versioned URL
    app.include_router(compression.router)
    pages.templates.env.globals["plotly_js_url"] = compression.plotly_url()

    return app
