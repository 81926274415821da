"""The kansenkaart's supplier registry: organisations (supplier profiles) and memberships
(a user's role per organisation or region: company, agency, analyst, admin).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``kk_organisations`` and ``kk_memberships``."""
    op.create_table(
        "kk_organisations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kvk", sa.String(8), unique=True),
        sa.Column("municipality", sa.String(100)),
        sa.Column("municipality_code", sa.String(8)),
        sa.Column("corop", sa.String(100)),
        sa.Column("corop_code", sa.String(8)),
        sa.Column("province", sa.String(40)),
        sa.Column("size_class", sa.String(16)),
        sa.Column("capabilities", sa.JSON, nullable=False),
        sa.Column("certifications", sa.JSON, nullable=False),
        sa.Column("experience", sa.JSON, nullable=False),
        sa.Column("capacity", sa.Text),
        sa.Column("ambitions", sa.JSON, nullable=False),
        sa.Column("conditions", sa.Text),
        sa.Column("contact_email", sa.String(254)),
        sa.Column("demo", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_kk_organisations_province", "kk_organisations", ["province"])
    op.create_table(
        "kk_memberships",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column(
            "organisation_id",
            sa.Integer,
            sa.ForeignKey("kk_organisations.id", ondelete="CASCADE"),
        ),
        sa.Column("region", sa.String(40)),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "role IN ('company', 'agency', 'analyst', 'admin')", name="ck_kk_memberships_role"
        ),
    )
    op.create_index("ix_kk_memberships_user_id", "kk_memberships", ["user_id"])


def downgrade() -> None:
    """Drop the supplier registry (its organisations and memberships are lost)."""
    op.drop_index("ix_kk_memberships_user_id", table_name="kk_memberships")
    op.drop_table("kk_memberships")
    op.drop_index("ix_kk_organisations_province", table_name="kk_organisations")
    op.drop_table("kk_organisations")
