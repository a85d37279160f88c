"""console indexes: inbox and statistics filters, trigram free-text search on PostgreSQL

Revision ID: console_0003
Revises: gateway_0001
Create Date: 2026-11-26 17:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "console_0003"
down_revision: str | None = "gateway_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_tickets_department_created": ["department_code", "created_at"],
    "ix_tickets_category_created": ["category_code", "created_at"],
    "ix_tickets_unit_created": ["unit_code", "created_at"],
}
# Lower case, no diacritics (đ → d), code + description + location + area: what free text searches.
SEARCH_FUNCTION = """
CREATE OR REPLACE FUNCTION ioc_search_text(code text, description text, location text, area text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT public.unaccent('public.unaccent'::regdictionary,
    lower(coalesce(code, '') || ' ' || coalesce(description, '') || ' ' ||
          coalesce(location, '') || ' ' || coalesce(area, '')))
$$
"""
SEARCH_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_tickets_search_trgm ON tickets USING gin "
    "(ioc_search_text(code, description, location_text, area_text) gin_trgm_ops)"
)


def _available(bind: sa.Connection, extension: str) -> bool:
    query = sa.text("SELECT 1 FROM pg_available_extensions WHERE name = :name")
    return bind.execute(query, {"name": extension}).scalar() is not None


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "tickets", columns, unique=False)
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not all(_available(bind, e) for e in ("unaccent", "pg_trgm")):
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(SEARCH_FUNCTION)
    op.execute(SEARCH_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_tickets_search_trgm")
        op.execute("DROP FUNCTION IF EXISTS ioc_search_text(text, text, text, text)")
    for name in INDEXES:
        op.drop_index(name, table_name="tickets")
