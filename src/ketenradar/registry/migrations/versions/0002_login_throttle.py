"""Sign-in throttle: failed attempts per (client, user name) and per client.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``login_throttle``."""
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("lockouts", sa.Integer, nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True)),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    """Drop ``login_throttle`` (the counts start afresh after the next upgrade)."""
    op.drop_table("login_throttle")
