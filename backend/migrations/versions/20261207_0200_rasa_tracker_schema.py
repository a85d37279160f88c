"""rasa: the schema of Rasa's SQL tracker store (Rasa creates its `events` table there), so the
conversations in progress survive a restart of Rasa and are shared by its replicas (PostgreSQL
only; on SQLite Rasa keeps them in var/rasa_tracker.db)

Revision ID: tracker_0001
Revises: gateway_0003
Create Date: 2026-12-07 23:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "tracker_0001"
down_revision: str | None = "gateway_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SCHEMA IF NOT EXISTS rasa")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SCHEMA IF EXISTS rasa CASCADE")
