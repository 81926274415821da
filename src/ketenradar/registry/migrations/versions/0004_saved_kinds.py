"""Saved work of every registered module's kinds: ``saved_items.kind`` no longer limited to
``scenario`` and ``bom`` by a CHECK (the registry checks it against the modules' declared
kinds, :func:`ketenradar.core.modules.saved_kinds`) and 40 characters long
(``stockpile_scenario``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Drop the CHECK on ``saved_items.kind`` and widen the column to 40 characters."""
    with op.batch_alter_table("saved_items", recreate="auto") as batch:
        batch.drop_constraint("ck_saved_items_kind", type_="check")
        batch.alter_column("kind", type_=sa.String(40), existing_nullable=False)


def downgrade() -> None:
    """Back to ``scenario`` and ``bom`` only: saved items of other kinds are deleted."""
    op.execute("DELETE FROM saved_items WHERE kind NOT IN ('scenario', 'bom')")
    with op.batch_alter_table("saved_items", recreate="auto") as batch:
        batch.alter_column("kind", type_=sa.String(16), existing_nullable=False)
        batch.create_check_constraint("ck_saved_items_kind", "kind IN ('scenario', 'bom')")
