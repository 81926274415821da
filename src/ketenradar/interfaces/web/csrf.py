"""CSRF protection: a signed double-submit token, bound to the session, on every
state-changing request.

Every response to a browser carries the cookie ``kr_csrf`` (HttpOnly, SameSite=Lax) holding a
random value and its HMAC under the application's secret key over that value *and the
session* (the SHA-256 of the ``kr_session`` cookie; none when signed out). Pages put the same
token in ``<meta name="csrf-token">`` and in a hidden ``csrf_token`` field of every form;
scripts send it in the ``X-CSRF-Token`` header. A POST, PUT, PATCH or DELETE whose token is
missing, does not match the cookie, or is not signed by this application for this session is
refused with 403. Signing in and out rotates the token (the response sets a new cookie, and
the JSON of ``POST /api/v1/login`` / ``logout`` carries it), so a token obtained before
signing in, or in another session, is refused. Clients outside a browser get a token (and the
cookie) from ``GET /api/v1/session``.

A request with a personal API token (``Authorization: Bearer kr_…``,
:mod:`ketenradar.interfaces.web.auth`) needs no CSRF token: a browser never adds that header
to a request another site makes it send, and the token alone says who is asking.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from ketenradar.core.errors import ErrorCode, ForbiddenError

COOKIE = "kr_csrf"
HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
#: The session cookie (set by :mod:`ketenradar.interfaces.web.auth`) the token is bound to.
SESSION_COOKIE = "kr_session"


class CsrfError(ForbiddenError):
    """A state-changing request without the matching CSRF token (403, code ``csrf_failed``)."""

    code = ErrorCode.CSRF_FAILED


def new_token(secret: str, session: str | None = None) -> str:
    """A fresh random token signed with ``secret`` for the session token ``session``."""
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_sign(secret, nonce, session)}"


def valid(secret: str, token: str | None, session: str | None = None) -> bool:
    """Whether ``token`` was signed by this application for the session ``session``."""
    if not token or token.count(".") != 1:
        return False
    nonce, sig = token.split(".")
    # bytes: compare_digest refuses str with non-ASCII characters (a forged token may have)
    return hmac.compare_digest(sig.encode(), _sign(secret, nonce, session).encode())


def _sign(secret: str, nonce: str, session: str | None) -> str:
    bound = hashlib.sha256(session.encode()).hexdigest() if session else "-"
    msg = f"{nonce}|{bound}".encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()[:32]


def token_for(request: Request) -> str:
    """The request's CSRF token: the cookie's when it is valid for this session, else a new
    one (set on reply)."""
    secret = request.app.state.settings.secret_key
    session = request.cookies.get(SESSION_COOKIE)
    cookie = request.cookies.get(COOKIE)
    return cookie if valid(secret, cookie, session) else new_token(secret, session)


def rotate(request: Request, session: str | None) -> str:
    """A new token for the session this request starts (``None``: signed out); the reply
    must carry it in its cookie (:func:`set_cookie`)."""
    token = new_token(request.app.state.settings.secret_key, session)
    request.state.csrf_token = token
    return token


def set_cookie(request: Request, response: Response, token: str) -> None:
    """Put ``token`` in the ``kr_csrf`` cookie of ``response``."""
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
        path="/",
    )


async def verify(request: Request) -> None:
    """Refuse a state-changing request without the matching token signed for its session
    (:class:`CsrfError`, 403)."""
    if request.method in SAFE_METHODS or getattr(request.state, "via_token", False):
        return
    cookie = request.cookies.get(COOKIE)
    sent = request.headers.get(HEADER)
    if sent is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(FIELD)
            sent = value if isinstance(value, str) else None
    secret = request.app.state.settings.secret_key
    session = request.cookies.get(SESSION_COOKIE)
    if not (
        cookie
        and sent
        and hmac.compare_digest(cookie.encode(), sent.encode())
        and valid(secret, sent, session)
    ):
        raise CsrfError(
            "CSRF check failed: a form or script must send the page's csrf_token "
            f"(form field '{FIELD}' or header '{HEADER}') together with the '{COOKIE}' cookie, "
            "from the same session (signing in or out changes it); reload the page and try "
            "again",
        )
