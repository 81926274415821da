"""CSRF protection: a signed double-submit token on every state-changing request.

Every response to a browser carries the cookie ``kr_csrf`` (HttpOnly, SameSite=Lax) holding a
random value and its HMAC under the application's secret key. Pages put the same token in
``<meta name="csrf-token">`` and in a hidden ``csrf_token`` field of every form; scripts send
it in the ``X-CSRF-Token`` header. A POST, PUT, PATCH or DELETE whose token is missing, does
not match the cookie or is not signed by this application is refused with 403. Clients
outside a browser get a token (and the cookie) from ``GET /api/v1/session``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request

COOKIE = "kr_csrf"
HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def new_token(secret: str) -> str:
    """A fresh random token signed with ``secret``."""
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_sign(secret, nonce)}"


def valid(secret: str, token: str | None) -> bool:
    """Whether ``token`` was signed by this application."""
    if not token or token.count(".") != 1:
        return False
    nonce, sig = token.split(".")
    return hmac.compare_digest(sig, _sign(secret, nonce))


def _sign(secret: str, nonce: str) -> str:
    return hmac.new(secret.encode(), nonce.encode(), hashlib.sha256).hexdigest()[:32]


def token_for(request: Request) -> str:
    """The request's CSRF token: the cookie's when it is valid, else a new one (set on reply)."""
    secret = request.app.state.settings.secret_key
    cookie = request.cookies.get(COOKIE)
    return cookie if valid(secret, cookie) else new_token(secret)


async def verify(request: Request) -> None:
    """Refuse a state-changing request without the matching, signed token (403)."""
    if request.method in SAFE_METHODS:
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
    if not (cookie and sent and hmac.compare_digest(cookie, sent) and valid(secret, sent)):
        raise HTTPException(
            403,
            "CSRF check failed: a form or script must send the page's csrf_token "
            f"(form field '{FIELD}' or header '{HEADER}') together with the '{COOKIE}' cookie; "
            "reload the page and try again",
        )
