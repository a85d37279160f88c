"""gateway: inbound_messages.failures and retry_at, so a message that keeps failing for its own
sake (a photo that cannot be fetched) is retried with backoff and then parked (state 'dead')
instead of blocking its citizen's queue for ever

Revision ID: gateway_0003
Revises: security_0001
Create Date: 2026-12-07 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0003"
down_revision: str | None = "security_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.add_column(sa.Column("failures", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.drop_column("retry_at")
        batch.drop_column("failures")
