"""The tables of the accounts database (SQLAlchemy 2 declarative models)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

#: Roles, least to most privileged: each role may do what the ones before it may.
ROLES = ("viewer", "analyst", "admin")


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


def clip(value: str | None, width: int) -> str | None:
    """``value`` cut to at most ``width`` characters (the last one "…" when cut)."""
    if value is None or len(value) <= width:
        return value
    return value[: width - 1] + "…"


class Base(DeclarativeBase):
    """Declarative base of the accounts tables."""


class User(Base):
    """A person who signs in. ``role`` is one of :data:`ROLES`."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def can(self, role: str) -> bool:
        """Whether this user holds ``role`` or a more privileged one."""
        return self.active and ROLES.index(self.role) >= ROLES.index(role)


class Session(Base):
    """A signed-in browser or client. Only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    user: Mapped[User] = relationship(lazy="joined")


class AuditEvent(Base):
    """Who did what to which data, and when (also failed logins, for rate limiting)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    target: Mapped[str | None] = mapped_column(String(255))
    client: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict | None] = mapped_column(JSON)

    @validates("username", "action", "target", "client")
    def _fit(self, key: str, value: str | None) -> str | None:
        # the log takes what a request brought (a typed user name, a client address): what is
        # longer than the column is cut, marked with "…", rather than failing the request
        return clip(value, self.__table__.c[key].type.length)


class SavedItem(Base):
    """A saved what-if scenario or bill of materials; private ones only their owner reads."""

    __tablename__ = "saved_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40), nullable=False)  # a module's SavedKind
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    private: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    owner: Mapped[User] = relationship(lazy="joined")


class LoginThrottle(Base):
    """Sign-in attempts of one key: ``u|<client>|<user name>`` or ``c|<client>`` (see
    :mod:`ketenradar.registry.service`). ``failures`` counts attempts of this round (an attempt
    is counted before its password is checked and taken back when it succeeds);
    ``lockouts`` how often the key was locked (each lock twice as long as the one before)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    lockouts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A personal API token: a script signs in with ``Authorization: Bearer <token>``. Only
    the SHA-256 of the token is stored (the token itself is shown once, when it is made);
    ``prefix`` (its first characters) tells tokens apart in lists. A token acts with
    ``role`` or its owner's current role, whichever is lower."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship(lazy="joined")


# --- the kansenkaart's supplier registry (issue 17; ketenradar.modules.kansenkaart.suppliers) --

#: Roles in the supplier registry, held per organisation (``company``) or region (``agency``):
#: a company member edits its own profile; a regional agency sees and edits the suppliers of
#: its province; a ministry analyst reads everything; an admin manages organisations.
SUPPLIER_ROLES = ("company", "agency", "analyst", "admin")


class Organisation(Base):
    """A supplier in the kansenkaart's registry: its profile. ``conditions`` are confidential
    (the company, its regional agency and ministry analysts read them); ``contact_email`` is
    the only personal data and can be removed; ``demo`` marks the fictional demo set."""

    __tablename__ = "kk_organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kvk: Mapped[str | None] = mapped_column(String(8), unique=True)
    municipality: Mapped[str | None] = mapped_column(String(100))
    municipality_code: Mapped[str | None] = mapped_column(String(8))
    corop: Mapped[str | None] = mapped_column(String(100))
    corop_code: Mapped[str | None] = mapped_column(String(8))
    province: Mapped[str | None] = mapped_column(String(40), index=True)
    size_class: Mapped[str | None] = mapped_column(String(16))
    capabilities: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    certifications: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    experience: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    capacity: Mapped[str | None] = mapped_column(Text)
    ambitions: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    conditions: Mapped[str | None] = mapped_column(Text)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    demo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class Membership(Base):
    """A user's role in the supplier registry (one of :data:`SUPPLIER_ROLES`): ``company``
    for ``organisation_id``, ``agency`` for the province ``region``; ``analyst`` and ``admin``
    for the whole registry."""

    __tablename__ = "kk_memberships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("kk_organisations.id", ondelete="CASCADE")
    )
    region: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user: Mapped[User] = relationship(lazy="joined")
