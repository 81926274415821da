"""What every request passes before a route reads a byte of its body (pure ASGI middleware).

FastAPI reads and parses a request body (JSON, or a multipart form spooled to temporary
files) before it runs the route's dependencies, so a role check in a dependency comes after
the upload. :class:`RequestGuard` sits between the application's session middleware (which
knows the signed-in user) and the routes and, for a request that carries a body:

* answers **401/403** before reading the body when the route needs a role the client lacks
  (the role is read from the route's ``require(role)`` dependencies);
* answers **413** when ``Content-Length`` is over the route's limit, and counts what
  arrives (chunked transfer, a ``Content-Length`` that lies) and stops the request with 413
  once over it; the message names the limit ("request body too large: at most 1 MB for a
  BOM upload"). The limits (:func:`policy_for`, settings ``KETENRADAR_MAX_UPLOAD_BYTES``,
  ``KETENRADAR_MAX_BOM_BYTES``, ``KETENRADAR_MAX_JSON_BYTES``) are per route kind;
* refuses (403) a dataset upload without the ``X-CSRF-Token`` header: checking the token in
  a form field means parsing the form, i.e. receiving the whole upload first (a request
  with an API token needs none);
* adds ``Connection: close`` to an answer given before the body was read, so the server
  drops the connection instead of receiving (and discarding) the rest.

A state-changing request without a body (``DELETE``, ``POST …/cancel``) gets the same role
check, so that a client without a session or token hears 401 (sign in) rather than the CSRF
check's 403.

And for every request: ``HEAD`` is answered as the ``GET`` of the same URL without the body
(FastAPI routes declare only GET), and ``Cache-Control: no-store`` is set on what depends on
the signed-in user (account and sign-in pages, ``/api/v1`` session, sign-in, users, audit,
saved work and jobs, and any page or API answer to a signed-in user except static files).

Refusals are logged (logger ``ketenradar.interfaces.web.guard``: method, path, client, status and
reason): 413 (by ``Content-Length`` or once the counted body passes the limit) at WARNING,
401/403 at INFO.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ketenradar.core.errors import KetenradarError
from ketenradar.interfaces.web import auth, csrf, errors
from ketenradar.registry.models import ROLES

log = logging.getLogger(__name__)

#: The routes whose bodies have a limit of their own: (method, path template) → kind. Every
#: other route takes :attr:`~ketenradar.interfaces.web.settings.WebSettings.max_json_bytes`.
ROUTE_KINDS: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/datasets"): "upload",
    ("POST", "/api/v1/bom/exposure"): "bom",
    ("POST", "/api/v1/bom/exposure.{fmt:download}"): "bom",  # its download (file or text)
    ("POST", "/{lang}/bom"): "bom",
    ("POST", "/api/v1/saved/{kind}"): "saved",
}

#: What a multipart BOM upload may carry on top of the file (boundaries, part headers, the
#: supply, save and CSRF fields).
FORM_OVERHEAD = 64 * 1024

# A saved scenario or BOM holds up to 1,000,000 characters (``auth.NewItem``), up to six
# bytes each once escaped in JSON, plus its name: its request may be
# ``KETENRADAR_MAX_SAVED_BYTES`` large (default 8 MB, which fits that), or the JSON limit when
# that is larger.

#: Paths whose answers depend on who is signed in: never stored by a browser or proxy.
NO_STORE_PATHS = re.compile(
    r"^/(?:(?:nl|en)/(?:login|logout|account)(?:/|$)"
    r"|api/v1/(?:session|login|logout|users|audit|auth|saved|jobs)(?:/|$))"
)
STATIC_PATHS = ("/static/", "/vendor/")

ErrorRenderer = Callable[[Request, Exception], Response]


def human_size(n: int) -> str:
    """``n`` bytes as people write it: ``1 MB``, ``4 GiB``, ``1,500 bytes``."""
    for unit, f in (("GiB", 2**30), ("MiB", 2**20), ("GB", 10**9), ("MB", 10**6)):
        if n >= f and n % f == 0:
            return f"{n // f} {unit}"
    for unit, f in (("KiB", 2**10), ("kB", 10**3)):
        if n >= f and n % f == 0:
            return f"{n // f} {unit}"
    return f"{n:,} bytes"


class BodyTooLarge(StarletteHTTPException):
    """The request body is over its route's limit (413, code ``payload_too_large``); the
    message names the limit. An HTTP exception, not a project error: FastAPI turns any other
    exception raised while it reads a body into a 400."""

    def __init__(self, message: str) -> None:
        super().__init__(413, message)


@dataclass(frozen=True)
class Policy:
    """What a route accepts: a body of at most ``limit`` bytes (``shown``, named ``what`` in
    the 413 message), from a user holding ``role`` (``None``: anyone)."""

    limit: int
    shown: int
    what: str
    role: str | None = None
    hint: str = ""
    csrf_header: bool = False

    def too_large(self) -> BodyTooLarge:
        """The 413 for a body over the limit."""
        return BodyTooLarge(
            f"request body too large: at most {human_size(self.shown)} for {self.what}{self.hint}"
        )


def policy_for(kind: str | None, settings: Any, role: str | None = None) -> Policy:
    """The limit of a route ``kind`` (``upload``, ``bom``, ``saved`` or ``None``) under the
    application's ``settings``."""
    if kind == "upload":
        n = settings.max_upload_bytes
        hint = "; load larger files from the command line (`ketenradar data add`)"
        return Policy(n, n, "a dataset upload", role, hint, csrf_header=True)
    if kind == "bom":
        n = settings.max_bom_bytes
        return Policy(n + FORM_OVERHEAD, n, "a BOM upload", role)
    if kind == "saved":
        n = max(settings.max_saved_bytes, settings.max_json_bytes)
        return Policy(n, n, "a saved scenario or BOM", role)
    n = settings.max_json_bytes
    return Policy(n, n, "a JSON or form body", role)


def _role_of_call(call: Any) -> str | None:
    """The role a dependency made by :func:`ketenradar.interfaces.web.auth.require` asks for."""
    role = getattr(call, "role", None)
    return role if role in ROLES else None


def route_role(dependant: Any) -> str | None:
    """The highest role any dependency of a route requires (``None``: open)."""
    roles: list[str] = []

    def walk(d: Any) -> None:
        for sub in getattr(d, "dependencies", []):
            r = _role_of_call(sub.call)
            if r:
                roles.append(r)
            walk(sub)

    walk(dependant)
    return max(roles, key=ROLES.index) if roles else None


class RequestGuard:
    """The ASGI middleware described in the module docstring; ``render`` turns an error into
    the application's error answer (default :func:`ketenradar.interfaces.web.errors.error_response`:
    the JSON error body under ``/api/``, the error page elsewhere)."""

    def __init__(self, app: ASGIApp, render: ErrorRenderer = errors.error_response) -> None:
        self.app = app
        self.render = render
        self._routes: list[tuple[set[str], re.Pattern[str], str, str | None]] | None = None

    def routes(self, application: Any) -> list[tuple[set[str], re.Pattern[str], str, str | None]]:
        """The application's routes: (methods, path regex, path template, role needed),
        found once; a :data:`ROUTE_KINDS` entry naming no route is a programming error."""
        if self._routes is None:
            found = []
            for rc in iter_route_contexts(application.routes):
                path, methods = getattr(rc, "path", None), getattr(rc, "methods", None)
                if not path or not methods:
                    continue
                role = route_role(getattr(rc, "dependant", None))
                found.append((set(methods), compile_path(path)[0], path, role))
            known = {(m, p) for ms, _, p, _ in found for m in ms}
            missing = [k for k in ROUTE_KINDS if k not in known]
            if missing:
                raise RuntimeError(f"guard.ROUTE_KINDS names routes that do not exist: {missing}")
            self._routes = found
        return self._routes

    def policy(self, scope: Scope) -> Policy:
        """The policy of the route a request goes to (the default one when none matches),
        under the application's current settings."""
        application = scope["app"]
        method = scope["method"]
        path = scope["path"][len(scope.get("root_path", "")) :] or "/"
        for methods, regex, template, role in self.routes(application):
            if method in methods and regex.match(path):
                kind = ROUTE_KINDS.get((method, template))
                return policy_for(kind, application.state.settings, role)
        return policy_for(None, application.state.settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:  # routes declare GET only: run the GET, send its headers without the body
            scope = {**scope, "method": "GET"}
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        has_body = "transfer-encoding" in headers or (length not in (None, "", "0"))
        state = {"complete": not has_body, "started": False, "received": 0}

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
                h = MutableHeaders(scope=message)
                if _no_store(scope):
                    h["Cache-Control"] = "no-store"
                if not state["complete"]:  # answered before the body was read: drop the rest
                    h["Connection"] = "close"
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        if not has_body and scope["method"] in csrf.SAFE_METHODS:
            await self.app(scope, receive, guarded_send)
            return

        policy = self.policy(scope)
        request = Request(scope)
        refusal: Exception | None = None
        via_token = scope.get("state", {}).get("via_token", False)
        try:
            if policy.role:
                auth.user_with_role(request, policy.role)
            if policy.csrf_header and not via_token and csrf.HEADER.lower() not in headers:
                raise csrf.CsrfError(
                    f"CSRF check failed: send the page's csrf_token in the header '{csrf.HEADER}' "
                    f"(an upload is not read for a form field: {policy.what} may be large)"
                )
        except KetenradarError as exc:
            refusal = exc
        if refusal is None and length is not None:
            if not length.isdigit():
                refusal = StarletteHTTPException(400, "Content-Length is not a number")
            elif int(length) > policy.limit:
                refusal = policy.too_large()
        if refusal is not None:
            await self._refuse(request, refusal, guarded_send)
            return
        if not has_body:
            await self.app(scope, receive, guarded_send)
            return

        async def counted_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > policy.limit:
                    log.warning(
                        "stopped %s %s from %s: body over %s bytes (%s)",
                        scope["method"],
                        scope["path"],
                        (scope.get("client") or ("?",))[0],
                        policy.limit,
                        policy.what,
                    )
                    raise policy.too_large()
                if not message.get("more_body", False):
                    state["complete"] = True
            return message

        try:
            await self.app(scope, counted_receive, guarded_send)
        except BodyTooLarge as exc:  # raised where no exception handler caught it
            if state["started"]:
                raise
            await self._refuse(request, exc, guarded_send)

    async def _refuse(self, request: Request, exc: Exception, send: Send) -> None:
        status = getattr(exc, "status_code", None) or getattr(exc, "http_status", 400)
        level = logging.WARNING if status == 413 else logging.INFO
        log.log(
            level,
            "refused %s %s from %s: %s %s",
            request.method,
            request.url.path,
            auth.client_of(request) or "?",
            status,
            getattr(exc, "detail", None) or exc,
        )
        response = self.render(request, exc)
        await response(request.scope, _no_receive, send)


async def _no_receive() -> Message:  # the body of a refused request is never read
    return {"type": "http.disconnect"}


def _no_store(scope: Scope) -> bool:
    path = scope["path"]
    if NO_STORE_PATHS.match(path):
        return True
    if path.startswith(STATIC_PATHS):
        return False
    return scope.get("state", {}).get("user") is not None
