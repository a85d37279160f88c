"""Resolution times in order within each bucket, per grouping, for the dashboard's exact medians

The medians' middle rank(s) fall in known buckets at known positions (the rollups' bucket counts,
console_0007). These indexes keep each bucket's resolution times in order, overall and per
category, unit and department, so the dashboard reads a group's band from its start up to the
wanted position (`ORDER BY resolution_hours OFFSET … LIMIT …`, an index-only scan that stops
there) instead of every resolution time of the bucket, numbered after a sort. Creation time and
the other keys are included, so periods and filters are checked in the index;
`ix_tickets_resolution_bucket` (bucket, creation time) stays for short periods, where reading
the period's part of the bucket and sorting it costs less. Only resolved tickets are indexed.
PostgreSQL only, like the rollups.

Revision ID: console_0008
Revises: console_0007
Create Date: 2026-12-06 22:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "console_0008"
down_revision: str | None = "console_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = ("category_code", "unit_code", "department_code")
INDEXES = {  # name → (the grouping column before the resolution time, or None for the totals)
    "ix_tickets_resolution_order": None,
    "ix_tickets_resolution_category": "category_code",
    "ix_tickets_resolution_unit": "unit_code",
    "ix_tickets_resolution_department": "department_code",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, grouping in INDEXES.items():
        ordered = ", ".join(c for c in ("resolution_bucket", grouping, "resolution_hours") if c)
        included = ", ".join(("created_at", *(key for key in KEYS if key != grouping)))
        op.execute(
            f"CREATE INDEX {name} ON tickets ({ordered}) INCLUDE ({included})"
            " WHERE resolution_bucket IS NOT NULL"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
