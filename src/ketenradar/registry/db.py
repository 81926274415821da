"""The accounts database: engine, sessions and Alembic migrations (run programmatically)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import sessionmaker

from ketenradar.core.errors import UsageError

MIGRATIONS = Path(__file__).parent / "migrations"


def _private_sqlite_file(url: str) -> None:
    """Create the SQLite file of ``url`` readable by its owner only (0600: it holds password
    hashes and sessions), with its folder; tighten an existing file that others could read.
    SQLite gives its journal and WAL files the database file's mode."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


@cache
def engine(url: str) -> Engine:
    """One engine per database URL (SQLite: foreign keys on, its file created 0600)."""
    if url.startswith("sqlite:///"):
        _private_sqlite_file(url)
        eng = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(eng, "connect")
        def _fk_on(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_conn.execute("PRAGMA foreign_keys=ON")

        return eng
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:  # the URL's driver is not installed
        hint = (
            "pip install 'ketenradar[postgres]'"
            if make_url(url).get_backend_name() == "postgresql"
            else f"install the Python package {exc.name!r}"
        )
        raise UsageError(
            f"the database URL {make_url(url).render_as_string(hide_password=True)} needs the "
            f"driver {exc.name!r}, which is not installed: {hint}"
        ) from exc


def sessions(url: str) -> sessionmaker:
    """A session factory bound to the database at ``url``."""
    return sessionmaker(engine(url), expire_on_commit=False)


def alembic_config(url: str) -> Config:
    """Alembic's configuration for the shipped migrations and ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision`` (creating it when empty)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Migrate the database at ``url`` down to ``revision`` (``base``: no tables left)."""
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The revision the database is at (``None``: not migrated)."""
    with engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
