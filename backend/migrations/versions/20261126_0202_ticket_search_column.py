"""tickets.search_folded: the folded free-text column (stored, filled on write) under the trigram index

The inbox's free text matched `ioc_search_text(code, description, location_text, area_text)`, an
expression index: every re-check and count re-ran unaccent on each matching row. The folded text is
now a stored generated column (computed on insert and update, backfilled by this migration), and
the trigram index moves onto it. PostgreSQL with unaccent and pg_trgm only.

Revision ID: console_0005
Revises: console_0004
Create Date: 2026-11-26 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "console_0005"
down_revision: str | None = "console_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLDED = "ioc_search_text(code, description, location_text, area_text)"


def _has_search_function(bind: sa.Connection) -> bool:
    query = sa.text("SELECT 1 FROM pg_proc WHERE proname = 'ioc_search_text'")
    return bind.execute(query).scalar() is not None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not _has_search_function(bind):
        return
    op.execute("DROP INDEX IF EXISTS ix_tickets_search_trgm")
    op.execute(f"ALTER TABLE tickets ADD COLUMN search_folded text GENERATED ALWAYS AS ({FOLDED}) STORED")
    op.execute("CREATE INDEX ix_tickets_search_trgm ON tickets USING gin (search_folded gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not _has_search_function(bind):
        return
    op.execute("DROP INDEX IF EXISTS ix_tickets_search_trgm")
    op.execute("ALTER TABLE tickets DROP COLUMN IF EXISTS search_folded")
    op.execute(f"CREATE INDEX ix_tickets_search_trgm ON tickets USING gin (({FOLDED}) gin_trgm_ops)")
