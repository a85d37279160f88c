"""security: categories.confidential, a category whose tickets are never published (Open311 feed)

Revision ID: security_0001
Revises: gateway_0002
Create Date: 2026-12-07 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "security_0001"
down_revision: str | None = "gateway_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "categories",
        sa.Column("confidential", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute("UPDATE categories SET confidential = true WHERE code = 'security'")


def downgrade() -> None:
    with op.batch_alter_table("categories") as batch:
        batch.drop_column("confidential")
