"""Account operations: users, sign-in with rate limiting, sessions, audit log, saved work.

Every function takes a SQLAlchemy session factory (:func:`ketenradar.registry.db.sessions`),
so the same code runs on SQLite and PostgreSQL, from the web application and the CLI.

Sign-in limits (:class:`LoginPolicy`, set from the environment by
:class:`ketenradar.interfaces.web.settings.WebSettings`):

* Attempts are counted per **(client, user name)** and per **client** (across user names) in
  the table ``login_throttle``. An attempt is counted *before* its password is checked, in one
  serialized transaction (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the rows ``SELECT … FOR
  UPDATE``), so however many arrive at once, at most ``max_failures`` passwords of one
  (client, user name) are ever checked. A right password takes its attempt back: the
  (client, user name) count starts afresh, the client's count drops by one.
* The ``max_failures``-th attempt of a (client, user name) locks that pair for ``lockout``;
  each further lock of the same pair lasts twice as long, up to ``lockout_max``. The client
  alone is locked the same way after ``client_max_failures`` attempts across user names.
  A key that saw no attempt for ``window`` after its last attempt or lock is forgotten.
* So an attacker locks only itself: the owner signing in from another client (whose pair
  and client have no failures) is let in, whatever the attacker does.
* At most ``max_concurrent_hashing`` Argon2 computations (64 MiB each) run at once in the
  process; a sign-in that finds them all busy waits up to ``hashing_wait`` seconds, then gets
  429 with ``Retry-After`` (its attempt taken back: its password was never checked).
* Logged in the audit log: ``login``, ``login_failed`` (target: the user name typed; client),
  ``login_locked`` (detail: which key, its failures, until when). Attempts refused while
  locked or busy are not logged one by one.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from ketenradar.core.errors import (
    AuthError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    UsageError,
)
from ketenradar.core.modules import saved_kinds
from ketenradar.core.settings import settings
from ketenradar.registry.models import (
    ROLES,
    ApiToken,
    AuditEvent,
    LoginThrottle,
    SavedItem,
    Session,
    User,
    clip,
    utcnow,
)

#: Sign-in rate limit of the default policy: failures of one (client, user name) → 429.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 10
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
#: Widths of the columns that hold what a request brings.
CLIENT_WIDTH = 64
USERNAME_WIDTH = 64
SAVED_NAME_WIDTH = 200


@dataclass(frozen=True)
class LoginPolicy:
    """The sign-in limits (the scheme: this module's docstring)."""

    #: attempts of one (client, user name) before that pair is locked
    max_failures: int = MAX_FAILURES
    #: attempts of one client across all user names before the client is locked
    client_max_failures: int = 20
    #: a key with no attempt (and no lock) for this long is forgotten
    window: timedelta = FAILURE_WINDOW
    #: the first lock of a key; each further one twice as long …
    lockout: timedelta = timedelta(minutes=1)
    #: … up to this
    lockout_max: timedelta = timedelta(hours=1)
    #: Argon2 computations at once in this process (64 MiB of memory each)
    max_concurrent_hashing: int = 4
    #: seconds a sign-in waits for a free Argon2 slot before 429
    hashing_wait: float = 5.0


DEFAULT_POLICY = LoginPolicy()


def password_hasher() -> PasswordHasher:
    """Argon2id with the cost of the settings ``KETENRADAR_ARGON2_TIME_COST``,
    ``KETENRADAR_ARGON2_MEMORY_KIB`` and ``KETENRADAR_ARGON2_PARALLELISM`` (defaults:
    argon2-cffi's, the RFC 9106 low-memory profile t=3, m=64 MiB, p=4). A stored hash made with
    other parameters still verifies, and is rehashed at the next sign-in."""
    s = settings()
    return _hasher(s.argon2_time_cost, s.argon2_memory_kib, s.argon2_parallelism)


@cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def session_lifetime() -> timedelta:
    """How long a sign-in lasts (``KETENRADAR_SESSION_HOURS``, default 12 hours)."""
    return timedelta(hours=settings().session_hours)


class HashGate:
    """Bounds how many password hashes run at once (Argon2 takes 64 MiB each) and counts
    them: ``evaluations`` (passwords checked at sign-in), ``in_flight`` and its ``peak``."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.in_flight = 0
        self.peak = 0
        self.evaluations = 0

    def reset_counts(self) -> None:
        """Start the counters afresh (``peak``: the current ``in_flight``)."""
        with self._cond:
            self.peak = self.in_flight
            self.evaluations = 0

    @contextmanager
    def slot(self, limit: int, wait: float) -> Iterator[None]:
        """Hold one of ``limit`` slots; waits up to ``wait`` seconds for one, else
        :class:`RateLimitedError` (429 with ``Retry-After``)."""
        deadline = time.monotonic() + wait
        with self._cond:
            while self.in_flight >= limit:
                left = deadline - time.monotonic()
                if left <= 0:
                    retry = max(1, math.ceil(wait))
                    raise RateLimitedError(
                        f"the server is busy checking other passwords ({limit} at once): "
                        f"try again in {retry} s",
                        retry_after=retry,
                    )
                self._cond.wait(left)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            yield
        finally:
            with self._cond:
                self.in_flight -= 1
                self._cond.notify()

    def count_evaluation(self) -> None:
        """One password checked at sign-in."""
        with self._cond:
            self.evaluations += 1


#: The process's one gate around Argon2: sign-in, adding users, resetting passwords.
HASH_GATE = HashGate()


def _hash(password: str, policy: LoginPolicy) -> str:
    with HASH_GATE.slot(policy.max_concurrent_hashing, policy.hashing_wait):
        return password_hasher().hash(password)


def _aware(dt: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def check_role(role: str) -> str:
    """``role`` if it is one of :data:`ROLES`, else a :class:`UsageError`."""
    if role not in ROLES:
        raise UsageError(f"role '{role}' is not one of: {', '.join(ROLES)}")
    return role


@cache
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords (lower case) shipped in ``common_passwords.txt``."""
    text = resources.files("ketenradar.registry").joinpath("common_passwords.txt").read_text()
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def check_password(password: str, username: str) -> None:
    """A :class:`UsageError` saying why ``password`` is too weak for ``username``: shorter
    than :data:`MIN_PASSWORD`, one of the most common passwords, or containing the user name
    (names of 3 characters or more; shorter ones: equal to it), all compared ignoring case."""
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password must have at least {MIN_PASSWORD} characters")
    low, name = password.lower(), username.lower()
    if low.strip() in common_passwords():
        raise UsageError("the password is one of the 10,000 most common passwords: choose another")
    if low == name or (len(name) >= 3 and name in low):
        raise UsageError("the password must not contain the user name")


def create_user(
    db: sessionmaker,
    username: str,
    password: str,
    role: str,
    *,
    by: str | None = None,
    policy: LoginPolicy = DEFAULT_POLICY,
) -> User:
    """Add a user (Argon2id hash of the password) and log who added it."""
    check_role(role)
    if not USERNAME.match(username):
        raise UsageError(
            f"user name '{clip(username, USERNAME_WIDTH)}' must be 2–64 letters, digits or "
            "_ . @ - (no spaces)"
        )
    check_password(password, username)
    hashed = _hash(password, policy)
    with db() as s:
        user = User(username=username, password_hash=hashed, role=role, active=True)
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


@contextmanager
def _serialized(db: sessionmaker) -> Iterator[OrmSession]:
    """A write transaction that concurrent callers run one after another where it matters:
    on SQLite it takes the database's write lock up front (``BEGIN IMMEDIATE``); elsewhere the
    caller locks the rows it reads with ``FOR UPDATE``. Committed at the end."""
    with db() as s:
        conn = s.connection()
        if conn.dialect.name == "sqlite":
            raw = conn.connection.dbapi_connection
            if raw is not None and not raw.in_transaction:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield s
        s.commit()


def _admins_locked(s: OrmSession) -> list[User]:
    """The active admins, their rows locked until the transaction ends (PostgreSQL)."""
    return list(
        s.scalars(
            select(User)
            .where(User.role == "admin", User.active.is_(True))
            .order_by(User.id)
            .with_for_update()
        )
    )


def _user_locked(s: OrmSession, username: str) -> tuple[User, list[User]]:
    """The user and the active admins, their rows locked (the admins first, always in the
    same order, so that two changes at once cannot deadlock)."""
    admins = _admins_locked(s)
    user = s.scalar(select(User).where(User.username == username).with_for_update())
    if user is None:
        raise NotFoundError(f"no user '{clip(username, USERNAME_WIDTH)}'")
    return user, admins


def _refuse_last_admin(user: User, admins: list[User], doing: str) -> None:
    if user.role == "admin" and user.active and [a.id for a in admins] == [user.id]:
        raise UsageError(
            f"refused: '{user.username}' is the last active admin and cannot be {doing}; "
            "make another user an admin first"
        )


def update_user(
    db: sessionmaker,
    username: str,
    *,
    role: str | None = None,
    active: bool | None = None,
    by: str | None = None,
) -> User:
    """Change a user's role and/or whether the user may sign in, in one transaction (each
    change logged). Deactivating ends all of the user's sessions. The last active admin
    cannot be demoted or deactivated."""
    if role is not None:
        check_role(role)
    with _serialized(db) as s:
        user, admins = _user_locked(s, username)
        if role not in (None, "admin"):
            _refuse_last_admin(user, admins, "demoted")
        if active is False:
            _refuse_last_admin(user, admins, "deactivated")
            s.execute(delete(Session).where(Session.user_id == user.id))
        if role is not None:
            old, user.role = user.role, role
            detail = {"from": old, "to": role}
            s.add(AuditEvent(username=by, action="role_changed", target=username, detail=detail))
        if active is not None and user.active != active:
            user.active = active
            action = "user_activated" if active else "user_deactivated"
            s.add(AuditEvent(username=by, action=action, target=username))
    return user


def set_role(db: sessionmaker, username: str, role: str, *, by: str | None = None) -> User:
    """Change a user's role (logged); the last active admin cannot be demoted."""
    return update_user(db, username, role=role, by=by)


def set_active(db: sessionmaker, username: str, active: bool, *, by: str | None = None) -> User:
    """Activate or deactivate a user (logged). Deactivating ends all of the user's sessions
    and is refused for the last active admin."""
    return update_user(db, username, active=active, by=by)


def reset_password(
    db: sessionmaker,
    username: str,
    password: str,
    *,
    by: str | None = None,
    policy: LoginPolicy = DEFAULT_POLICY,
) -> User:
    """Give a user a new password (same rules as a new user's; logged). The user's sessions
    end, and the sign-in limits of the user name start afresh."""
    check_password(password, username)
    hashed = _hash(password, policy)
    with _serialized(db) as s:
        user, _ = _user_locked(s, username)
        user.password_hash = hashed
        s.execute(delete(Session).where(Session.user_id == user.id))
        s.execute(
            delete(LoginThrottle).where(
                LoginThrottle.key.startswith("u|"),
                LoginThrottle.key.endswith(f"|{username}", autoescape=True),
            )
        )
        s.add(AuditEvent(username=by, action="password_reset", target=username))
    return user


def delete_user(db: sessionmaker, username: str, *, by: str | None = None) -> None:
    """Remove a user with their sessions and saved work (logged); refused for the last active
    admin."""
    with _serialized(db) as s:
        user, admins = _user_locked(s, username)
        _refuse_last_admin(user, admins, "deleted")
        s.execute(delete(Session).where(Session.user_id == user.id))
        s.execute(delete(SavedItem).where(SavedItem.owner_id == user.id))
        s.delete(user)
        s.add(AuditEvent(username=by, action="user_deleted", target=username))


def list_users(db: sessionmaker) -> list[User]:
    """All users, by name."""
    with db() as s:
        return list(s.scalars(select(User).order_by(User.username)))


def count_users(db: sessionmaker) -> int:
    """How many users exist."""
    with db() as s:
        return int(s.scalar(select(func.count(User.id))) or 0)


# --- sign-in limits ----------------------------------------------------------------------


@dataclass
class _Claim:
    """What counting one attempt changed, to take it back."""

    pair: str
    client: str
    locked_pair: datetime | None = None  # the lock this attempt set (None: none)
    locked_client: datetime | None = None
    before_client: datetime | None = None  # the client's lock before it


def client_key(client: str | None) -> str:
    """The client as the throttle and the audit log keep it (at most 64 characters)."""
    return clip(client or "unknown", CLIENT_WIDTH) or "unknown"


def _throttle_rows(s: OrmSession, keys: list[str], now: datetime) -> dict[str, LoginThrottle]:
    """The rows of ``keys`` (created when missing), locked for this transaction."""
    dialect = s.get_bind().dialect.name
    ins = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    for key in sorted(keys):
        values = {"key": key, "failures": 0, "lockouts": 0, "last_at": None, "locked_until": None}
        if ins is not None:
            s.execute(ins(LoginThrottle).values(values).on_conflict_do_nothing())
        elif s.get(LoginThrottle, key) is None:
            s.add(LoginThrottle(**values))
            s.flush()
    rows = s.scalars(
        select(LoginThrottle)
        .where(LoginThrottle.key.in_(keys))
        .order_by(LoginThrottle.key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {r.key: r for r in rows}


def _count_attempt(
    row: LoginThrottle, limit: int, policy: LoginPolicy, now: datetime
) -> tuple[int | None, datetime | None]:
    """Count one attempt on ``row``: ``(seconds to wait, None)`` when the key is locked, else
    ``(None, the lock this attempt set or None)``."""
    locked = _aware(row.locked_until) if row.locked_until else None
    if locked is not None and now < locked:
        return max(1, math.ceil((locked - now).total_seconds())), None
    moments = [t for t in (row.last_at and _aware(row.last_at), locked) if t is not None]
    if not moments or now - max(moments) > policy.window:
        row.failures, row.lockouts = 0, 0  # quiet long enough: forgotten
    elif locked is not None and row.failures >= limit:
        row.failures = 0  # the lock is over: a new round (the next lock lasts longer)
    row.failures += 1
    row.last_at = now
    if row.failures < limit:
        return None, None
    lock = min(policy.lockout * 2 ** min(row.lockouts, 30), policy.lockout_max)
    row.locked_until = now + lock
    row.lockouts += 1
    return None, row.locked_until


#: About one claim in this many first deletes the throttle rows that are forgotten anyway.
PURGE_EVERY = 64


def _purge_throttle(db: sessionmaker, policy: LoginPolicy, now: datetime) -> None:
    """Delete the keys quiet for longer than the window (a missing row means the same)."""
    quiet = now - policy.window
    with db() as s:
        s.execute(
            delete(LoginThrottle).where(
                or_(LoginThrottle.last_at.is_(None), LoginThrottle.last_at < quiet),
                or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < quiet),
            )
        )
        s.commit()


def _claim_attempt(db: sessionmaker, username: str, client: str, policy: LoginPolicy) -> _Claim:
    """Count a sign-in attempt before its password is checked, or refuse it (429) while the
    (client, user name) or the client is locked."""
    claim = _Claim(pair=f"u|{client}|{username}", client=f"c|{client}")
    now = utcnow()
    if secrets.randbelow(PURGE_EVERY) == 0:
        _purge_throttle(db, policy, now)
    with _serialized(db) as s:
        rows = _throttle_rows(s, [claim.pair, claim.client], now)
        pair, whole = rows[claim.pair], rows[claim.client]
        claim.before_client = whole.locked_until
        # the client first: a locked client counts nothing more for any user name
        wait, claim.locked_client = _count_attempt(whole, policy.client_max_failures, policy, now)
        if wait is None:
            wait, claim.locked_pair = _count_attempt(pair, policy.max_failures, policy, now)
            if wait is not None:  # the pair is locked: the client's count taken back
                whole.failures -= 1
                if claim.locked_client is not None:
                    whole.locked_until, whole.lockouts = claim.before_client, whole.lockouts - 1
                claim.locked_client = None
        for key, row, until in (
            (claim.pair, pair, claim.locked_pair),
            (claim.client, whole, claim.locked_client),
        ):
            if until is not None:
                s.add(
                    AuditEvent(
                        action="login_locked",
                        target=username,
                        client=client,
                        detail={
                            "key": "client" if key == claim.client else "user+client",
                            "failures": row.failures,
                            "until": until.isoformat(),
                        },
                    )
                )
        if wait is not None:
            s.commit()
            raise RateLimitedError(
                f"too many failed sign-ins for this user name or client: try again in {wait} s",
                retry_after=wait,
            )
    return claim


def _take_back(db: sessionmaker, claim: _Claim, *, forget_pair: bool) -> None:
    """Undo a claimed attempt: its password was right (``forget_pair``: the (client, user
    name) count starts afresh) or was never checked."""
    with _serialized(db) as s:
        rows = _throttle_rows(s, [claim.pair, claim.client], utcnow())
        for key, set_lock in ((claim.pair, claim.locked_pair), (claim.client, claim.locked_client)):
            row = rows[key]
            if key == claim.pair and forget_pair:
                s.delete(row)
                continue
            row.failures = max(0, row.failures - 1)
            if set_lock is not None and row.locked_until and _aware(row.locked_until) == set_lock:
                row.locked_until = claim.before_client if key == claim.client else None
                row.lockouts = max(0, row.lockouts - 1)


def authenticate(
    db: sessionmaker,
    username: str,
    password: str,
    client: str | None,
    policy: LoginPolicy = DEFAULT_POLICY,
) -> User:
    """The user if the password is right. Rate limited per (client, user name) and per
    client, counted before the password is checked (see this module's docstring); failures
    are logged."""
    client = client_key(client)
    name = clip(username, USERNAME_WIDTH) or ""
    claim = _claim_attempt(db, name, client, policy)
    with db() as s:
        user = s.scalar(select(User).where(User.username == username))
    ok, new_hash = False, None
    hasher = password_hasher()
    try:
        with HASH_GATE.slot(policy.max_concurrent_hashing, policy.hashing_wait):
            HASH_GATE.count_evaluation()
            if user is not None and user.active:
                try:
                    ok = hasher.verify(user.password_hash, password)
                except (VerifyMismatchError, VerificationError, InvalidHashError):
                    ok = False
                rehash = ok and hasher.check_needs_rehash(user.password_hash)
                new_hash = hasher.hash(password) if rehash else None
            else:
                hasher.hash(password)  # same work whether or not the user exists
    except RateLimitedError:  # busy: the password was never checked
        _take_back(db, claim, forget_pair=False)
        raise
    if not ok:
        audit(db, None, "login_failed", target=name, client=client)
        raise AuthError("wrong user name or password")
    assert user is not None
    _take_back(db, claim, forget_pair=True)
    with db() as s:
        if new_hash:
            s.get(User, user.id).password_hash = new_hash
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
                token_hash=_hash_token(token),
                user_id=user.id,
                expires_at=now + session_lifetime(),
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
    kinds = saved_kinds()  # every registered module's kinds of saved work
    if kind not in kinds:
        raise UsageError(f"kind '{kind}' is not one of: {', '.join(kinds)}")
    if not name.strip():
        raise UsageError("a saved item needs a name")
    if len(name.strip()) > SAVED_NAME_WIDTH:
        raise UsageError(f"the name of a saved item has at most {SAVED_NAME_WIDTH} characters")
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


# --- first-run set-up --------------------------------------------------------------------


def has_admin(db: sessionmaker) -> bool:
    """Whether any admin exists (active or not): then the first-run set-up is closed."""
    with db() as s:
        return s.scalar(select(func.count(User.id)).where(User.role == "admin")) != 0


def create_first_admin(
    db: sessionmaker,
    username: str,
    password: str,
    *,
    client: str | None = None,
    policy: LoginPolicy = DEFAULT_POLICY,
) -> User:
    """Create the first admin of a new installation (the web's first-run set-up page).

    Refused (:class:`ForbiddenError`) once any admin exists. Two set-ups at once make one
    admin: the check and the insert run in one serialized transaction (SQLite: ``BEGIN
    IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock), so the second sees the
    first's admin and is refused. Logged as ``first_admin_created``."""
    if not USERNAME.match(username):
        raise UsageError(
            f"user name '{clip(username, USERNAME_WIDTH)}' must be 2–64 letters, digits or "
            "_ . @ - (no spaces)",
            field="username",
        )
    check_password(password, username)
    hashed = _hash(password, policy)
    with _serialized(db) as s:
        if s.get_bind().dialect.name == "postgresql":
            s.execute(select(func.pg_advisory_xact_lock(FIRST_ADMIN_LOCK)))
        if s.scalar(select(func.count(User.id)).where(User.role == "admin")):
            raise ForbiddenError("set-up is closed: an admin exists already; sign in instead")
        user = User(username=username, password_hash=hashed, role="admin", active=True)
        s.add(user)
        try:
            s.flush()
        except IntegrityError:
            raise UsageError(f"user '{username}' exists already", field="username") from None
        s.add(
            AuditEvent(
                username=username, action="first_admin_created", target=username, client=client
            )
        )
    return user


#: The PostgreSQL advisory-lock key that serializes first-run set-ups ("KRSETUP1").
FIRST_ADMIN_LOCK = 0x4B52534554555031


# --- personal API tokens -----------------------------------------------------------------

#: Every token starts with this, so that a leaked one is recognisable (secret scanners).
TOKEN_PREFIX = "kr_"
TOKEN_NAME_WIDTH = 100
#: A token's ``last_used_at`` is written at most this often.
TOKEN_TOUCH = timedelta(minutes=1)


def create_token(
    db: sessionmaker,
    user: User,
    name: str,
    role: str | None = None,
    *,
    days: int | None = None,
    by: str | None = None,
) -> tuple[ApiToken, str]:
    """A new personal API token for ``user``: ``(its row, the token)``. The token (a random
    256-bit secret) is returned once; only its SHA-256 is stored. ``role`` (default: the
    user's) may not be above the user's role; ``days``: it expires after so many days (none:
    until revoked). Logged as ``token_created``."""
    role = check_role(role) if role else user.role
    if not user.active:
        raise ForbiddenError(
            f"'{user.username}' is deactivated: activate the user before making a token",
            field="username",
        )
    if not user.can(role):
        raise ForbiddenError(
            f"'{user.username}' is a {user.role}: a token cannot have the {role} role",
            field="role",
        )
    name = name.strip()
    if not name or len(name) > TOKEN_NAME_WIDTH:
        raise UsageError(f"a token needs a name of 1–{TOKEN_NAME_WIDTH} characters", field="name")
    if days is not None and not 1 <= days <= 3660:
        raise UsageError("a token expires after 1 to 3660 days", field="days")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    with db() as s:
        row = ApiToken(
            user_id=user.id,
            name=name,
            token_hash=_hash_token(token),
            prefix=token[:10],
            role=role,
            created_at=now,
            expires_at=now + timedelta(days=days) if days else None,
        )
        s.add(row)
        s.flush()
        s.add(
            AuditEvent(
                username=by or user.username,
                action="token_created",
                target=f"token/{row.id}",
                detail={"owner": user.username, "name": name, "role": role},
            )
        )
        s.commit()
        s.refresh(row)
        return row, token


def list_tokens(db: sessionmaker, user: User | None = None) -> list[ApiToken]:
    """The API tokens of ``user`` (``None``: everyone's), oldest first (no secrets: only
    their prefixes)."""
    with db() as s:
        q = select(ApiToken).order_by(ApiToken.id)
        if user is not None:
            q = q.where(ApiToken.user_id == user.id)
        return list(s.scalars(q))


def revoke_token(
    db: sessionmaker, user: User | None, token_id: int, *, by: str | None = None
) -> None:
    """Revoke (delete) a token: its owner, an admin, or the operator (``user`` ``None``: the
    CLI); it stops working at once. Another user's token is not found for a non-admin.
    Logged as ``token_revoked``."""
    with db() as s:
        row = s.get(ApiToken, token_id)
        mine = user is None or row is None or row.user_id == user.id or user.can("admin")
        if row is None or not mine:
            raise NotFoundError(f"no API token {token_id}" + (" of yours" if user else ""))
        owner = row.user.username
        s.delete(row)
        s.add(
            AuditEvent(
                username=by or (user.username if user else None),
                action="token_revoked",
                target=f"token/{token_id}",
                detail={"owner": owner, "name": row.name},
            )
        )
        s.commit()


def token_user(db: sessionmaker, token: str | None) -> User | None:
    """The user a bearer token acts as, or ``None`` (unknown, revoked, expired, its owner
    deactivated). The user is returned with the lower of the token's role and the owner's
    current role, detached (a copy never written back)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    now = utcnow()
    with db() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token)))
        if row is None or not row.user.active:
            return None
        if row.expires_at is not None and _aware(row.expires_at) <= now:
            return None
        if row.last_used_at is None or now - _aware(row.last_used_at) > TOKEN_TOUCH:
            row.last_used_at = now
            s.commit()
        owner = row.user
        role = min(row.role, owner.role, key=ROLES.index)
        return User(
            id=owner.id,
            username=owner.username,
            password_hash="",
            role=role,
            active=owner.active,
            created_at=owner.created_at,
        )
