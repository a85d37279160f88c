"""ticket_status_counts: per-status ticket counts by category, department and unit (PostgreSQL)

Kept exact by statement-level triggers on tickets (insert, update, delete, truncate) in the
writing transaction, so the inbox counts its unfiltered and lightly filtered views without
scanning the tickets. Other databases keep counting with GROUP BY.

Revision ID: console_0004
Revises: console_0003
Create Date: 2026-11-26 18:25:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "console_0004"
down_revision: str | None = "console_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = """
CREATE TABLE ticket_status_counts (
  status varchar(20) NOT NULL,
  category_code varchar NOT NULL,
  department_code varchar NOT NULL,
  unit_code varchar NOT NULL DEFAULT '',
  tickets bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (status, category_code, department_code, unit_code)
)
"""
# Net change per key: -1 per old row, +1 per new row; keys locked in a fixed order.
APPLY = """
CREATE OR REPLACE FUNCTION ioc_apply_status_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_status_counts AS c (status, category_code, department_code, unit_code, tickets)
  SELECT status, category_code, department_code, coalesce(unit_code, ''), sum(delta)
  FROM (
    SELECT status, category_code, department_code, unit_code, 1 AS delta FROM new_rows
    UNION ALL
    SELECT status, category_code, department_code, unit_code, -1 FROM old_rows
  ) changes
  GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4
  ON CONFLICT (status, category_code, department_code, unit_code)
  DO UPDATE SET tickets = c.tickets + excluded.tickets;
  RETURN NULL;
END $$
"""
CLEAR = """
CREATE OR REPLACE FUNCTION ioc_clear_status_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM ticket_status_counts;
  RETURN NULL;
END $$
"""
# A transition table a trigger event lacks is stood in for by an empty one of the same shape.
TRIGGERS = {
    "insert": ("INSERT", "NEW TABLE AS new_rows", "old_rows"),
    "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", None),
    "delete": ("DELETE", "OLD TABLE AS old_rows", "new_rows"),
}
BACKFILL = """
INSERT INTO ticket_status_counts (status, category_code, department_code, unit_code, tickets)
SELECT status, category_code, department_code, coalesce(unit_code, ''), count(*)
FROM tickets GROUP BY 1, 2, 3, 4
"""


def _function(event: str, missing: str | None) -> str:
    body = APPLY.replace("ioc_apply_status_counts", f"ioc_status_counts_{event}")
    if missing:
        empty = f"(SELECT * FROM tickets WHERE false) {missing}"
        body = body.replace(f"FROM {missing}", f"FROM {empty}")
    return body


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(TABLE)
    op.execute(CLEAR)
    for event, (verb, referencing, missing) in TRIGGERS.items():
        op.execute(_function(event, missing))
        op.execute(
            f"CREATE TRIGGER tickets_status_counts_{event} AFTER {verb} ON tickets "
            f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION ioc_status_counts_{event}()"
        )
    op.execute(
        "CREATE TRIGGER tickets_status_counts_truncate AFTER TRUNCATE ON tickets "
        "FOR EACH STATEMENT EXECUTE FUNCTION ioc_clear_status_counts()"
    )
    op.execute("LOCK TABLE tickets IN SHARE MODE")
    op.execute(BACKFILL)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for event in (*TRIGGERS, "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS tickets_status_counts_{event} ON tickets")
    for event in TRIGGERS:
        op.execute(f"DROP FUNCTION IF EXISTS ioc_status_counts_{event}()")
    op.execute("DROP FUNCTION IF EXISTS ioc_clear_status_counts()")
    op.execute("DROP TABLE IF EXISTS ticket_status_counts")
