"""Alembic environment for the accounts database (URL set by ketenradar.registry.db)."""

from __future__ import annotations

from alembic import context

from ketenradar.registry.db import engine
from ketenradar.registry.models import Base

url = context.config.get_main_option("sqlalchemy.url")
with engine(url).connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
