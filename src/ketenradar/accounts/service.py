"""Account operations: users, sign-in with rate limiting, sessions, audit log, saved work.

Every function takes a SQLAlchemy session factory (:func:`ketenradar.accounts.db.sessions`),
so the same code runs on SQLite and PostgreSQL, from the web application and the CLI.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from ketenradar.accounts.models import ROLES, AuditEvent, SavedItem, Session, User, utcnow
from ketenradar.errors import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    UsageError,
)

#: Argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4).
HASHER = PasswordHasher()
SESSION_LIFETIME = timedelta(hours=12)
#: Sign-in rate limit: this many failures for a user name or a client in the window → 429.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 10
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
SAVED_KINDS = ("scenario", "bom")


def _aware(dt: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def check_role(role: str) -> str:
    """``role`` if it is one of :data:`ROLES`, else a :class:`UsageError`."""
    if role not in ROLES:
        raise UsageError(f"role '{role}' is not one of: {', '.join(ROLES)}")
    return role


def create_user(
    db: sessionmaker, username: str, password: str, role: str, *, by: str | None = None
) -> User:
    """Add a user (Argon2id hash of the password) and log who added it."""
    check_role(role)
    if not USERNAME.match(username):
        raise UsageError(
            f"user name '{username}' must be 2–64 letters, digits or _ . @ - (no spaces)"
        )
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password must have at least {MIN_PASSWORD} characters")
    with db() as s:
        user = User(username=username, password_hash=HASHER.hash(password), role=role, active=True)
        s.add(user)
        try:
            s.flush()
        except IntegrityError:
            raise UsageError(f"user '{username}' exists already") from None
        s.add(
            AuditEvent(username=by, action="user_created", target=username, detail={"role": role})
        )
        s.commit()
        return user


def set_role(db: sessionmaker, username: str, role: str, *, by: str | None = None) -> User:
    """Change a user's role (logged)."""
    check_role(role)
    with db() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFoundError(f"no user '{username}'")
        old, user.role = user.role, role
        s.add(
            AuditEvent(
                username=by,
                action="role_changed",
                target=username,
                detail={"from": old, "to": role},
            )
        )
        s.commit()
        return user


def list_users(db: sessionmaker) -> list[User]:
    """All users, by name."""
    with db() as s:
        return list(s.scalars(select(User).order_by(User.username)))


def count_users(db: sessionmaker) -> int:
    """How many users exist."""
    with db() as s:
        return int(s.scalar(select(func.count(User.id))) or 0)


def authenticate(db: sessionmaker, username: str, password: str, client: str | None) -> User:
    """The user if the password is right; failures are logged and rate limited per user name
    and per client (:data:`MAX_FAILURES` in :data:`FAILURE_WINDOW`)."""
    now = utcnow()
    with db() as s:
        since = now - FAILURE_WINDOW
        recent = s.scalars(
            select(AuditEvent.at)
            .where(AuditEvent.action == "login_failed", AuditEvent.at >= since)
            .where(or_(AuditEvent.target == username, AuditEvent.client == client))
            .order_by(AuditEvent.at)
        ).all()
        if len(recent) >= MAX_FAILURES:
            wait = int((_aware(recent[-MAX_FAILURES]) + FAILURE_WINDOW - now).total_seconds()) + 1
            raise RateLimitedError(
                f"too many failed sign-ins for this user name or client: try again in "
                f"{max(wait, 1)} s",
                retry_after=max(wait, 1),
            )
        user = s.scalar(select(User).where(User.username == username))
        ok = False
        if user is not None and user.active:
            try:
                ok = HASHER.verify(user.password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                ok = False
        else:
            HASHER.hash(password)  # same work whether or not the user exists
        if not ok:
            s.add(AuditEvent(username=None, action="login_failed", target=username, client=client))
            s.commit()
            raise AuthError("wrong user name or password")
        if HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = HASHER.hash(password)
        s.add(AuditEvent(username=username, action="login", target=username, client=client))
        s.commit()
        return user


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: sessionmaker, user: User) -> str:
    """A new session for ``user``; returns the token for the cookie (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with db() as s:
        s.execute(delete(Session).where(Session.expires_at < now))
        s.add(
            Session(
                token_hash=_hash_token(token), user_id=user.id, expires_at=now + SESSION_LIFETIME
            )
        )
        s.commit()
    return token


def session_user(db: sessionmaker, token: str | None) -> User | None:
    """The active user of a session token, or ``None`` (unknown, expired, deactivated)."""
    if not token:
        return None
    with db() as s:
        sess = s.scalar(select(Session).where(Session.token_hash == _hash_token(token)))
        if sess is None or _aware(sess.expires_at) < utcnow() or not sess.user.active:
            return None
        return sess.user


def end_session(db: sessionmaker, token: str | None) -> None:
    """Sign out: forget the session."""
    if token:
        with db() as s:
            s.execute(delete(Session).where(Session.token_hash == _hash_token(token)))
            s.commit()


def audit(
    db: sessionmaker,
    username: str | None,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    client: str | None = None,
) -> None:
    """Record that ``username`` did ``action`` to ``target``."""
    with db() as s:
        s.add(
            AuditEvent(
                username=username, action=action, target=target, detail=detail, client=client
            )
        )
        s.commit()


def audit_log(db: sessionmaker, limit: int = 200) -> list[AuditEvent]:
    """The latest audit events, newest first."""
    with db() as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))


def save_item(
    db: sessionmaker, user: User, kind: str, name: str, body: str, private: bool = True
) -> SavedItem:
    """Save a scenario or BOM for ``user`` (analysts and admins); logged."""
    if not user.can("analyst"):
        raise ForbiddenError(f"saving needs the analyst role; '{user.username}' is a {user.role}")
    if kind not in SAVED_KINDS:
        raise UsageError(f"kind '{kind}' is not one of: {', '.join(SAVED_KINDS)}")
    if not name.strip():
        raise UsageError("a saved item needs a name")
    with db() as s:
        item = SavedItem(owner_id=user.id, kind=kind, name=name.strip(), body=body, private=private)
        s.add(item)
        s.flush()
        s.add(
            AuditEvent(
                username=user.username,
                action=f"{kind}_saved",
                target=f"{kind}/{item.id}",
                detail={"name": item.name, "private": private},
            )
        )
        s.commit()
        s.refresh(item)
        return item


def visible_items(db: sessionmaker, user: User | None, kind: str | None = None) -> list[SavedItem]:
    """Saved items ``user`` may read: their own, and everyone's shared (non-private) ones."""
    with db() as s:
        q = select(SavedItem).order_by(SavedItem.id)
        if kind:
            q = q.where(SavedItem.kind == kind)
        if user is None:
            q = q.where(SavedItem.private.is_(False))
        else:
            q = q.where(or_(SavedItem.private.is_(False), SavedItem.owner_id == user.id))
        return list(s.scalars(q))


def get_item(db: sessionmaker, user: User | None, item_id: int) -> SavedItem:
    """One saved item, if ``user`` may read it (a private one of someone else: not found)."""
    with db() as s:
        item = s.get(SavedItem, item_id)
        if item is None or (item.private and (user is None or item.owner_id != user.id)):
            raise NotFoundError(f"no saved item {item_id} that you can read")
        return item


def delete_item(db: sessionmaker, user: User, item_id: int) -> None:
    """Delete a saved item: its owner, or an admin; logged."""
    with db() as s:
        item = s.get(SavedItem, item_id)
        if item is None or (item.private and item.owner_id != user.id and not user.can("admin")):
            raise NotFoundError(f"no saved item {item_id} that you can read")
        if item.owner_id != user.id and not user.can("admin"):
            raise ForbiddenError("only the owner or an admin may delete a saved item")
        s.delete(item)
        s.add(
            AuditEvent(
                username=user.username,
                action=f"{item.kind}_deleted",
                target=f"{item.kind}/{item_id}",
            )
        )
        s.commit()
