"""ix_tickets_stats_created: tickets by creation time with every column the dashboard aggregates

The dashboard's passes over a period (60 days: ~80,000 tickets at 1M) read the tickets through the
creation-time index, one heap row at a time. This index carries the aggregated columns (INCLUDE),
so the passes are index-only scans of a narrow index (~105 MB at 1M tickets, the heap ~545 MB).
PostgreSQL only (INCLUDE); other databases keep the plain creation-time index.

Revision ID: console_0006
Revises: console_0005
Create Date: 2026-11-26 19:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "console_0006"
down_revision: str | None = "console_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INCLUDED = (
    "status, category_code, unit_code, department_code, citizen_channel, rating_score, due_at, resolved_at"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX ix_tickets_stats_created ON tickets (created_at) INCLUDE ({INCLUDED})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_tickets_stats_created")
