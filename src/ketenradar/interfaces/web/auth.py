"""Sign-in, roles and saved work in the web application: dependencies, API and pages.

* ``request.state.user`` is the signed-in :class:`~ketenradar.registry.models.User` or
  ``None`` (session cookie ``kr_session``: random token, HttpOnly, SameSite=Lax; only its
  SHA-256 is stored).
* :func:`require` guards an endpoint: 401 when nobody is signed in, 403 when the role is too
  low (viewer < analyst < admin).
* With ``KETENRADAR_READ_REQUIRES_LOGIN`` every page and API call except sign-in, health and
  static files needs a signed-in user (:func:`read_gate`).
* The client of a request (audit log, sign-in limits) is the direct peer; ``Forwarded`` and
  ``X-Forwarded-For`` count only when the peer is one of ``KETENRADAR_TRUSTED_PROXIES``, and
  then the right-most address that is not a trusted proxy is the client (:func:`client_of`).
* Signing in and out rotates the CSRF token (:func:`ketenradar.interfaces.web.csrf.rotate`).
* Admins manage users on the account page and through ``/api/v1/users``: add, change role,
  deactivate / activate (ends the user's sessions), reset the password, delete; the last
  active admin cannot be demoted, deactivated or deleted.
* Personal API tokens (account page, ``/api/v1/tokens``, ``ketenradar users token``): a script
  sends ``Authorization: Bearer kr_…`` instead of a session cookie and then needs no CSRF
  token. A token acts as its owner with the lower of its own role and the owner's current
  role; an unknown, expired or revoked token is refused with 401 (never read as anonymous).
  Tokens are made from a signed-in session (or the CLI), not with another token.
* First run: while no admin exists, ``/{lang}/setup`` makes the first one (CSRF-protected;
  two at once make one admin); afterwards it is 404.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import sessionmaker

from ketenradar.core.errors import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    UsageError,
)
from ketenradar.core.modules import saved_kinds
from ketenradar.interfaces.web import csrf, errors, pages
from ketenradar.registry import service
from ketenradar.registry.models import ROLES, SavedItem, User

COOKIE = csrf.SESSION_COOKIE
#: Reachable without signing in even when reading requires a login.
OPEN_PATHS = ("/api/v1/health", "/api/v1/session", "/api/v1/login", "/static/", "/vendor/")
#: The scheme of ``Authorization`` that carries a personal API token.
BEARER = "bearer"

api_router = APIRouter(prefix="/api/v1", tags=["accounts"])
page_router = APIRouter(include_in_schema=False)


def db_of(request: Request) -> sessionmaker:
    """The accounts database's session factory of this application."""
    return request.app.state.accounts


def _address(value: str) -> str | None:
    """An address of a forwarding header as an IP (``[v6]:port``, ``v4:port`` and quotes
    allowed), or ``None`` when it is none (``unknown``, ``_hidden``, garbage)."""
    v = value.strip().strip('"').strip()
    if v.startswith("["):
        v = v[1:].split("]", 1)[0]
    elif v.count(":") == 1:
        v = v.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(v)
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped or ip)


def _trusted(address: str | None, proxies: Sequence[Any]) -> bool:
    if address is None:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def forwarded_chain(headers: Any) -> list[str]:
    """The addresses a request passed through, client first: the ``for=`` of every
    ``Forwarded`` element (RFC 7239) or, without that header, ``X-Forwarded-For``."""
    forwarded = headers.getlist("forwarded")
    if forwarded:
        out = []
        for element in ",".join(forwarded).split(","):
            for pair in element.split(";"):
                name, _, value = pair.partition("=")
                if name.strip().lower() == "for":
                    out.append(value)
        return out
    return ",".join(headers.getlist("x-forwarded-for")).split(",")


def client_address(peer: str | None, chain: Iterable[str], proxies: Sequence[Any]) -> str | None:
    """The client: ``peer`` unless it is a trusted proxy; then, walking ``chain`` from the
    right, the first address that is not a trusted proxy (all trusted: the left-most; one
    that is no address: the trusted hop that reported it)."""
    if not _trusted(peer, proxies):
        return peer
    hop = peer
    for entry in reversed(list(chain)):
        ip = _address(entry)
        if ip is None:
            break
        hop = ip
        if not _trusted(ip, proxies):
            break
    return hop


def client_of(request: Request) -> str | None:
    """The client's address (for the audit log and the sign-in rate limit): the direct peer,
    or behind a trusted proxy the address it forwarded (see :func:`client_address`)."""
    peer = request.client.host if request.client else None
    proxies = request.app.state.settings.trusted_proxies
    if not proxies:
        return peer
    return client_address(peer, forwarded_chain(request.headers), proxies)


def policy_of(request: Request) -> service.LoginPolicy:
    """The sign-in limits of this application."""
    return request.app.state.settings.login


def user_with_role(request: Request, role: str) -> User:
    """The signed-in user if it holds ``role``: else 401 (anonymous) or 403 (too low)."""
    user: User | None = request.state.user
    if user is None:
        raise AuthError(f"sign in first: this needs the {role} role")
    if not user.can(role):
        raise ForbiddenError(f"'{user.username}' is a {user.role}; this needs the {role} role")
    return user


def require(role: str) -> Callable[[Request], User]:
    """A dependency: the signed-in user if it holds ``role`` (401 / 403 otherwise)."""
    service.check_role(role)

    def dependency(request: Request) -> User:
        return user_with_role(request, role)

    dependency.role = role  # type: ignore[attr-defined]  # read by ketenradar.interfaces.web.guard
    return dependency


Analyst = Annotated[User, Depends(require("analyst"))]
Admin = Annotated[User, Depends(require("admin"))]


def is_open(path: str) -> bool:
    """Whether ``path`` is reachable without signing in when reading requires a login."""
    if path.startswith(OPEN_PATHS) or path in ("/", "/favicon.ico"):
        return True
    parts = path.strip("/").split("/")
    return len(parts) == 2 and parts[0] in ("nl", "en") and parts[1] in ("login", "setup")


def read_gate(request: Request) -> Response | None:
    """When reading requires a login: the 401 or the redirect to sign in, else ``None``."""
    if not request.app.state.settings.read_requires_login or request.state.user is not None:
        return None
    path = request.url.path
    if is_open(path):
        return None
    if path.startswith("/api/") or path in ("/openapi.json", "/docs", "/redoc"):
        return errors.error_response(
            request, AuthError("sign in first: reading requires a login here")
        )
    lang = pages.lang_of(request)
    return RedirectResponse(f"/{lang}/login?next={path}", status_code=303)


def bearer_of(request: Request) -> str | None:
    """The API token of ``Authorization: Bearer <token>`` (``None``: no such header; another
    scheme, e.g. Basic, is not ours and is ignored)."""
    value = request.headers.get("authorization")
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == BEARER else None


def bad_token(request: Request) -> Response:
    """The 401 for a bearer token that is unknown, expired, revoked or of a deactivated user."""
    response = errors.error_response(
        request,
        AuthError(
            "invalid API token: unknown, expired or revoked (make a new one on your account page)"
        ),
    )
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


#: The OpenAPI security schemes: an API token, or a session cookie with the CSRF token.
SECURITY_SCHEMES = {
    "apiToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token (account page, `POST /api/v1/tokens` from a "
        "signed-in session, or `ketenradar users token create`), sent as "
        "`Authorization: Bearer kr_…`. It acts with the lower of its own role and its owner's; "
        "requests with it need no CSRF token.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": COOKIE,
        "description": "The session cookie of `POST /api/v1/login`. With it every POST, PUT, "
        "PATCH and DELETE must also send the CSRF token (`GET /api/v1/session` → "
        "`csrf_token`) in the `X-CSRF-Token` header, together with the `kr_csrf` cookie.",
    },
}


def openapi_with_security(app: Any) -> dict[str, Any]:
    """The application's OpenAPI with :data:`SECURITY_SCHEMES`; every operation that needs a
    role requires one of them (and says which role), the others accept them optionally."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi import FastAPI
    from fastapi.routing import APIRoute, iter_route_contexts

    from ketenradar.interfaces.web import guard

    schema = FastAPI.openapi(app)  # FastAPI's own, cached in app.openapi_schema
    schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    either = [{"apiToken": []}, {"session": []}]
    for rc in iter_route_contexts(app.routes):
        if not isinstance(rc.route, APIRoute) or not rc.route.include_in_schema:
            continue
        role = guard.route_role(rc.dependant)
        for method in rc.methods or ():
            op = schema["paths"].get(rc.path_format, {}).get(method.lower())
            if op is None:
                continue
            op["security"] = either if role else [*either, {}]
            if role:
                op["description"] = (op.get("description") or "") + f"\n\nRole: **{role}**."
    return schema


# --- API ---------------------------------------------------------------------------------


class Credentials(BaseModel):
    """User name and password."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class NewUser(BaseModel):
    """A user an admin adds."""

    username: str = Field(min_length=2, max_length=64)
    password: str = Field(min_length=service.MIN_PASSWORD, max_length=1024)
    role: Literal["viewer", "analyst", "admin"] = "viewer"


class UserChange(BaseModel):
    """A new role for a user and/or whether the user may sign in."""

    role: Literal["viewer", "analyst", "admin"] | None = None
    active: bool | None = None


class NewPassword(BaseModel):
    """A new password an admin gives a user."""

    password: str = Field(min_length=service.MIN_PASSWORD, max_length=1024)


class NewItem(BaseModel):
    """A scenario or BOM to save (``body``: the YAML/JSON document)."""

    name: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=1_000_000)
    private: bool = True


def _user_json(u: User) -> dict[str, Any]:
    return {"username": u.username, "role": u.role, "active": u.active}


def item_json(i: Any, with_body: bool = False) -> dict[str, Any]:
    """A saved item as JSON (``body``, the document, only when asked)."""
    out = {
        "id": i.id,
        "kind": i.kind,
        "name": i.name,
        "owner": i.owner.username,
        "private": i.private,
        "created_at": i.created_at.isoformat() if i.created_at else None,
    }
    return out | ({"body": i.body} if with_body else {})


def _set_session(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
        max_age=int(service.session_lifetime().total_seconds()),
        path="/",
    )


def _sign_in(request: Request, username: str, password: str) -> tuple[User, str]:
    user = service.authenticate(
        db_of(request), username, password, client_of(request), policy_of(request)
    )
    return user, service.start_session(db_of(request), user)


@api_router.post("/login")
def login(request: Request, body: Credentials) -> JSONResponse:
    """Sign in: sets the session cookie and a new CSRF token (also in the reply). Too many
    failures of this client for this user name, or of this client → 429 with
    ``Retry-After``; so are sign-ins while the server is busy checking other passwords."""
    user, token = _sign_in(request, body.username, body.password)
    new_csrf = csrf.rotate(request, token)
    response = JSONResponse({"user": _user_json(user), "csrf_token": new_csrf})
    _set_session(request, response, token)
    csrf.set_cookie(request, response, new_csrf)
    return response


@api_router.post("/logout")
def logout(request: Request) -> JSONResponse:
    """Sign out: ends the session, clears its cookie and sets a new CSRF token."""
    service.end_session(db_of(request), request.cookies.get(COOKIE))
    new_csrf = csrf.rotate(request, None)
    response = JSONResponse({"user": None, "csrf_token": new_csrf})
    response.delete_cookie(COOKIE, path="/")
    csrf.set_cookie(request, response, new_csrf)
    return response


@api_router.get("/users")
def users(request: Request, admin: Admin) -> list[dict[str, Any]]:
    """All users and their roles (admin)."""
    return [_user_json(u) for u in service.list_users(db_of(request))]


@api_router.post("/users", status_code=201)
def add_user(request: Request, body: NewUser, admin: Admin) -> dict[str, Any]:
    """Add a user (admin); logged."""
    u = service.create_user(
        db_of(request),
        body.username,
        body.password,
        body.role,
        by=admin.username,
        policy=policy_of(request),
    )
    return _user_json(u)


UserName = Annotated[str, PathParam(max_length=64)]


@api_router.patch("/users/{username}")
def change_user(
    request: Request, username: UserName, body: UserChange, admin: Admin
) -> dict[str, Any]:
    """Change a user's role and/or deactivate or activate the user (admin); logged.
    Deactivating ends the user's sessions. The last active admin cannot be demoted or
    deactivated (400)."""
    if body.role is None and body.active is None:
        raise UsageError("nothing to change: give 'role' and/or 'active'")
    user = service.update_user(
        db_of(request), username, role=body.role, active=body.active, by=admin.username
    )
    return _user_json(user)


@api_router.post("/users/{username}/password")
def reset_password(
    request: Request, username: UserName, body: NewPassword, admin: Admin
) -> dict[str, Any]:
    """Give a user a new password (admin; the same rules as for a new user); the user's
    sessions end; logged."""
    user = service.reset_password(
        db_of(request), username, body.password, by=admin.username, policy=policy_of(request)
    )
    return _user_json(user)


@api_router.delete("/users/{username}", status_code=204)
def delete_user(request: Request, username: UserName, admin: Admin) -> Response:
    """Delete a user with their sessions and saved work (admin); logged. The last active
    admin cannot be deleted (400)."""
    service.delete_user(db_of(request), username, by=admin.username)
    return Response(status_code=204)


@api_router.get("/audit")
def audit(
    request: Request, admin: Admin, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[dict[str, Any]]:
    """The audit log, newest first (admin): who changed which data, sign-ins."""
    return [
        {
            "at": e.at.isoformat() if e.at else None,
            "username": e.username,
            "action": e.action,
            "target": e.target,
            "client": e.client,
            "detail": e.detail,
        }
        for e in service.audit_log(db_of(request), limit)
    ]


#: the kinds of saved work the registered modules store (scenario, bom, …)
KINDS = tuple(saved_kinds())
Kind = Annotated[
    Literal[KINDS],  # type: ignore[valid-type]
    PathParam(description=", ".join(f"{k} ({v.description})" for k, v in saved_kinds().items())),
]


@api_router.get("/saved/{kind}")
def saved_items(request: Request, kind: Kind) -> list[dict[str, Any]]:
    """Saved scenarios or BOMs you may read: yours and the shared ones."""
    return [item_json(i) for i in service.visible_items(db_of(request), request.state.user, kind)]


@api_router.post("/saved/{kind}", status_code=201)
def save(request: Request, kind: Kind, body: NewItem, user: Analyst) -> dict[str, Any]:
    """Save a scenario or BOM (analyst or admin); private by default; logged."""
    item = service.save_item(db_of(request), user, kind, body.name, body.body, body.private)
    return item_json(item, with_body=True)


ItemId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]


def saved_item_of(request: Request, kind: str, item_id: int) -> Any:
    """The saved ``kind`` ``item_id`` if the signed-in user (or an anonymous reader) may
    read it; another user's private item, or one of another kind, is not found."""
    item = service.get_item(db_of(request), request.state.user, item_id)
    if item.kind != kind:
        raise NotFoundError(f"no saved {kind} {item_id}")
    return item


@api_router.get("/saved/{kind}/{item_id}")
def saved_item(request: Request, kind: Kind, item_id: ItemId) -> dict[str, Any]:
    """One saved item with its document, if you may read it (others' private ones: 404)."""
    return item_json(saved_item_of(request, kind, item_id), with_body=True)


@api_router.delete("/saved/{kind}/{item_id}", status_code=204)
def delete_saved(request: Request, kind: Kind, item_id: ItemId, user: Analyst) -> Response:
    """Delete a saved item (its owner, or an admin); logged. An item of the other kind than
    the path says is not found (404)."""
    with db_of(request)() as s:
        stored = s.get(SavedItem, item_id)
        if stored is not None and stored.kind != kind:
            raise NotFoundError(f"no saved {kind} {item_id}")
    service.delete_item(db_of(request), user, item_id)
    return Response(status_code=204)


# --- personal API tokens -----------------------------------------------------------------

Viewer = Annotated[User, Depends(require("viewer"))]


class NewToken(BaseModel):
    """A personal API token to make."""

    name: str = Field(
        min_length=1, max_length=service.TOKEN_NAME_WIDTH, description="what it is for"
    )
    role: Literal["viewer", "analyst", "admin"] | None = Field(
        None, description="at most your own role (default: your role)"
    )
    days: int | None = Field(None, ge=1, le=3660, description="expires after (default: never)")


def token_json(t: Any, secret: str | None = None) -> dict[str, Any]:
    """A token as JSON: never its secret, except ``token`` right after it was made."""
    out = {
        "id": t.id,
        "name": t.name,
        "owner": t.user.username if t.user else None,
        "role": t.role,
        "prefix": t.prefix,
        "created_at": t.created_at.isoformat() if t.created_at else None,
        "expires_at": t.expires_at.isoformat() if t.expires_at else None,
        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
    }
    return out | ({"token": secret} if secret else {})


def _not_with_token(request: Request, doing: str) -> None:
    if getattr(request.state, "via_token", False):
        raise ForbiddenError(
            f"{doing} needs a signed-in session (the account page or POST /api/v1/login) or "
            "the CLI: an API token cannot make other tokens"
        )


@api_router.get("/tokens")
def tokens(request: Request, user: Viewer) -> list[dict[str, Any]]:
    """Your personal API tokens (name, role, prefix, created, expires, last used; never the
    secret)."""
    return [token_json(t) for t in service.list_tokens(db_of(request), user)]


@api_router.post("/tokens", status_code=201)
def create_token(request: Request, body: NewToken, user: Viewer) -> dict[str, Any]:
    """Make a personal API token (any signed-in user, from a session, not with a token). The
    reply's ``token`` is shown this once; send it as ``Authorization: Bearer <token>``. Its
    role is at most yours; logged."""
    _not_with_token(request, "making an API token")
    row, secret = service.create_token(db_of(request), user, body.name, body.role, days=body.days)
    return token_json(row, secret)


TokenId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]


@api_router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(request: Request, token_id: TokenId, user: Viewer) -> Response:
    """Revoke one of your tokens (admins: anyone's); it stops working at once; logged."""
    service.revoke_token(db_of(request), user, token_id)
    return Response(status_code=204)


# --- pages -------------------------------------------------------------------------------


def _safe_next(target: str | None, lang: str) -> str:
    # only local paths: no open redirect to another host
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return f"/{lang}/"


@page_router.get("/{lang}/login", response_class=HTMLResponse)
def login_page(request: Request, lang: str, next: str | None = None) -> Response:
    """The sign-in form."""
    lang = pages.check_lang(lang)
    return pages.render(
        request,
        lang,
        "login.html",
        "sign_in",
        next=_safe_next(next, lang),
        error=None,
        footer=None,
        setup_open=not service.has_admin(db_of(request)),
    )


@page_router.post("/{lang}/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    lang: str,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    """Sign in from the form; on failure the form again with the reason."""
    lang = pages.check_lang(lang)
    try:
        _, token = _sign_in(request, username, password)
    except (AuthError, RateLimitedError) as exc:
        limited = isinstance(exc, RateLimitedError)
        response = pages.render(
            request,
            lang,
            "login.html",
            "sign_in",
            status_code=429 if limited else 401,
            next=_safe_next(next, lang),
            error=str(exc),
            footer=None,
        )
        if limited:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    response = RedirectResponse(_safe_next(next, lang), status_code=303)
    _set_session(request, response, token)
    csrf.set_cookie(request, response, csrf.rotate(request, token))
    return response


@page_router.post("/{lang}/logout")
def logout_form(request: Request, lang: str) -> Response:
    """Sign out from the page header's button."""
    lang = pages.check_lang(lang)
    service.end_session(db_of(request), request.cookies.get(COOKIE))
    response = RedirectResponse(f"/{lang}/", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    csrf.set_cookie(request, response, csrf.rotate(request, None))
    return response


@page_router.get("/{lang}/account", response_class=HTMLResponse)
def account_page(request: Request, lang: str) -> Response:
    """Your role, your API tokens and the saved scenarios and BOMs you can read; for admins,
    users and the audit log."""
    return _account(request, pages.check_lang(lang))


def _account(request: Request, lang: str, new_token: dict[str, Any] | None = None) -> Response:
    """The account page (``new_token``: a token just made, shown this once)."""
    user: User | None = request.state.user
    if user is None:
        return RedirectResponse(f"/{lang}/login?next=/{lang}/account", status_code=303)
    db = db_of(request)
    return pages.render(
        request,
        lang,
        "account.html",
        "account",
        items=[item_json(i) for i in service.visible_items(db, user)],
        users=service.list_users(db) if user.can("admin") else [],
        events=service.audit_log(db, 50) if user.can("admin") else [],
        roles=ROLES,
        tokens=[token_json(t) for t in service.list_tokens(db, user)],
        token_roles=[r for r in ROLES if user.can(r)],
        new_token=new_token,
        footer=None,
    )


@page_router.post("/{lang}/account/saved/{item_id}/delete", response_class=HTMLResponse)
def delete_saved_form(request: Request, lang: str, item_id: ItemId, user: Analyst) -> Response:
    """Delete a saved item from the account page (its owner, or an admin); back to the page."""
    lang = pages.check_lang(lang)
    service.delete_item(db_of(request), user, item_id)
    return RedirectResponse(f"/{lang}/account", status_code=303)


@page_router.post("/{lang}/account/users", response_class=HTMLResponse)
def add_user_form(
    request: Request,
    lang: str,
    admin: Admin,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    role: Annotated[str, Form(max_length=16)] = "viewer",
) -> Response:
    """Add a user from the account page (admin); back to the page."""
    lang = pages.check_lang(lang)
    service.create_user(
        db_of(request), username, password, role, by=admin.username, policy=policy_of(request)
    )
    return RedirectResponse(f"/{lang}/account", status_code=303)


@page_router.post("/{lang}/account/users/{username}", response_class=HTMLResponse)
def change_user_form(
    request: Request,
    lang: str,
    username: UserName,
    admin: Admin,
    action: Annotated[Literal["role", "deactivate", "activate", "password", "delete"], Form()],
    role: Annotated[str | None, Form(max_length=16)] = None,
    password: Annotated[str | None, Form(max_length=1024)] = None,
    confirm: Annotated[str | None, Form(max_length=1)] = None,
) -> Response:
    """Change a user from the account page (admin): role, deactivate, activate, a new
    password, delete (with the ``confirm`` box ticked); back to the page. Errors (e.g. the
    last admin): the error page."""
    lang = pages.check_lang(lang)
    db, by = db_of(request), admin.username
    if action == "delete" and confirm != "1":
        raise UsageError(f"tick the box to confirm deleting '{username}' and their saved work")
    if action == "role":
        service.set_role(db, username, role or "", by=by)
    elif action in ("deactivate", "activate"):
        service.set_active(db, username, action == "activate", by=by)
    elif action == "password":
        service.reset_password(db, username, password or "", by=by, policy=policy_of(request))
    else:
        service.delete_user(db, username, by=by)
    return RedirectResponse(f"/{lang}/account", status_code=303)


@page_router.post("/{lang}/account/tokens", response_class=HTMLResponse)
def create_token_form(
    request: Request,
    lang: str,
    user: Viewer,
    name: Annotated[str, Form(max_length=service.TOKEN_NAME_WIDTH)],
    role: Annotated[str | None, Form(max_length=16)] = None,
    days: Annotated[int | None, Form(ge=1, le=3660)] = None,
) -> Response:
    """Make an API token from the account page: the page again, showing the token once
    (never stored by the browser: no-store)."""
    lang = pages.check_lang(lang)
    _not_with_token(request, "making an API token")
    row, secret = service.create_token(db_of(request), user, name, role or None, days=days)
    return _account(request, lang, new_token=token_json(row, secret))


@page_router.post("/{lang}/account/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token_form(request: Request, lang: str, token_id: TokenId, user: Viewer) -> Response:
    """Revoke a token from the account page; back to the page."""
    lang = pages.check_lang(lang)
    service.revoke_token(db_of(request), user, token_id)
    return RedirectResponse(f"/{lang}/account", status_code=303)


# --- first run ---------------------------------------------------------------------------


def _setup_open(request: Request) -> None:
    """A dependency: 404 once an admin exists (before the form is even validated)."""
    if service.has_admin(db_of(request)):
        raise NotFoundError("set-up is done: an admin exists; sign in instead")


SetupOpen = Depends(_setup_open)


@page_router.get("/{lang}/setup", response_class=HTMLResponse, dependencies=[SetupOpen])
def setup_page(request: Request, lang: str) -> Response:
    """First run: the form that makes the first admin, only while no admin exists (404
    afterwards)."""
    lang = pages.check_lang(lang)
    return pages.render(request, lang, "setup.html", "setup_title", error=None, footer=None)


@page_router.post("/{lang}/setup", response_class=HTMLResponse, dependencies=[SetupOpen])
def setup_form(
    request: Request,
    lang: str,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    password2: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Make the first admin and sign in as it (CSRF-protected like every form). Refused (404)
    once an admin exists, also when another set-up got there first."""
    lang = pages.check_lang(lang)
    try:
        if password != password2:
            raise UsageError("the two passwords differ", field="password2")
        user = service.create_first_admin(
            db_of(request), username, password, client=client_of(request), policy=policy_of(request)
        )
    except UsageError as exc:
        return pages.render(
            request, lang, "setup.html", "setup_title", status_code=400, error=str(exc), footer=None
        )
    except ForbiddenError as exc:  # another set-up won the race
        raise NotFoundError(str(exc)) from None
    token = service.start_session(db_of(request), user)
    response = RedirectResponse(f"/{lang}/account", status_code=303)
    _set_session(request, response, token)
    csrf.set_cookie(request, response, csrf.rotate(request, token))
    return response
