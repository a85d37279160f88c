"""Daily and monthly rollups of the dashboard's additive figures (PostgreSQL)

ticket_daily_figures / ticket_monthly_figures, per local creation day (monthly: the month's first
day) × category × unit × department: tickets created, open now, resolved, resolved on time, rated,
the sum of the ratings, the count per rating (1-5) and the resolved tickets per resolution-time
bucket (`ioc_resolution_bucket`: 106 fixed buckets, each 9 % wider than the one before);
ticket_daily_channels / ticket_monthly_channels: tickets created per the same keys × channel.
Kept exact by statement-level triggers on tickets (insert, update, delete with transition tables;
truncate clears them) inside the writing transaction, like ticket_status_counts, and backfilled
here by `ioc_rebuild_ticket_rollups()`, which also repairs them after tickets were written with the
triggers disabled. The dashboard sums these rows (whole months from the monthly tables) instead of scanning
the period's tickets. Medians stay exact: the bucket counts tell which bucket holds the middle
rank(s), and `ix_tickets_resolution_bucket` fetches just those buckets' resolution times. It is
on two stored generated columns, `tickets.resolution_hours` (the value the medians are taken of,
as the direct computation's percentile_cont) and `tickets.resolution_bucket`, so reading it
computes nothing per row. `ix_tickets_open_created` serves "overdue now" (open tickets only).

"Open" here is status new, assigned or in_progress (OPEN_STATUSES of backend/domain/lifecycle.py):
change both together. Other databases compute the figures from the tickets.

Revision ID: console_0007
Revises: console_0006
Create Date: 2026-12-06 20:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "console_0007"
down_revision: str | None = "console_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Resolution-time buckets, in hours: bucket 0 is under 0.25 h, bucket i from THRESHOLDS[i-1] up to
# THRESHOLDS[i] (each 9 % wider than the one before), the last one 2048 h (85 days) and more.
THRESHOLDS = tuple(0.25 * 2 ** (i / 8) for i in range(105))
BUCKETS = [f"resolved_b{i:03d}" for i in range(len(THRESHOLDS) + 1)]
OPEN = "('new', 'assigned', 'in_progress')"
KEYS = "day, category_code, unit_code, department_code"
LOCAL_DAY = "(created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
SPANS = {"daily": LOCAL_DAY, "monthly": f"date_trunc('month', {LOCAL_DAY})::date"}  # table → its day

BUCKET_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ioc_resolution_bucket(created timestamptz, resolved timestamptz)
RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT width_bucket(date_part('epoch', resolved - created) / 3600.0,
                      '{{{", ".join(repr(t) for t in THRESHOLDS)}}}'::float8[])::smallint
$$
"""
FIGURES = ", ".join(
    ["created", "open", "resolved", "on_time", "rated", "rating_sum"]
    + [f"stars_{s}" for s in range(1, 6)]
    + BUCKETS
)
COLUMNS = ", ".join(f"{column} integer NOT NULL DEFAULT 0" for column in FIGURES.split(", "))
TABLE = """
CREATE TABLE {table} (
  day date NOT NULL,
  category_code varchar NOT NULL,
  unit_code varchar NOT NULL DEFAULT '',
  department_code varchar NOT NULL,
  {columns},
  PRIMARY KEY ({keys})
)
"""
TABLES = [
    TABLE.format(table=f"ticket_{span}_figures", columns=COLUMNS, keys=KEYS) for span in SPANS
] + [
    TABLE.format(
        table=f"ticket_{span}_channels",
        columns="channel varchar(20) NOT NULL, created integer NOT NULL DEFAULT 0",
        keys=f"{KEYS}, channel",
    )
    for span in SPANS
]
# What one ticket row adds to its day's (or month's) figures.
CONTRIBUTION = f"""
  {{day}} AS day, category_code, coalesce(unit_code, '') AS unit_code, department_code,
  citizen_channel AS channel, (status IN {OPEN})::int AS is_open,
  (resolved_at IS NOT NULL)::int AS is_resolved, coalesce(resolved_at <= due_at, false)::int AS is_on_time,
  rating_score, ioc_resolution_bucket(created_at, resolved_at) AS bucket
"""
SUMS = [
    "sum(n)",
    "sum(n * is_open)",
    "sum(n * is_resolved)",
    "sum(n * is_on_time)",
    "sum(n) FILTER (WHERE rating_score IS NOT NULL)",
    "sum(n * rating_score)",
    *(f"sum(n) FILTER (WHERE rating_score = {s})" for s in range(1, 6)),
    *(f"sum(n) FILTER (WHERE bucket = {i})" for i in range(len(BUCKETS))),
]
ADD = ", ".join(f"{c} = f.{c} + excluded.{c}" for c in FIGURES.split(", "))


def _apply(new_rows: str, old_rows: str) -> str:
    """Add the net change of (new rows - old rows) to the four tables; keys locked in a fixed order."""
    sums = ", ".join(f"coalesce({s}, 0)" for s in SUMS)
    statements = []
    for span, day in SPANS.items():
        contribution = CONTRIBUTION.format(day=day)
        net = f"""
          SELECT {KEYS}, channel, is_open, is_resolved, is_on_time, rating_score, bucket, sum(delta) AS n
          FROM (SELECT {contribution}, 1 AS delta FROM {new_rows}
                UNION ALL SELECT {contribution}, -1 FROM {old_rows}) changes
          GROUP BY {KEYS}, channel, is_open, is_resolved, is_on_time, rating_score, bucket
          HAVING sum(delta) <> 0
        """
        statements.append(f"""
  INSERT INTO ticket_{span}_figures AS f ({KEYS}, {FIGURES})
  SELECT {KEYS}, {sums} FROM ({net}) net GROUP BY {KEYS} ORDER BY {KEYS}
  ON CONFLICT ({KEYS}) DO UPDATE SET {ADD};
  INSERT INTO ticket_{span}_channels AS f ({KEYS}, channel, created)
  SELECT {KEYS}, channel, sum(n) FROM ({net}) net GROUP BY {KEYS}, channel
  HAVING sum(n) <> 0 ORDER BY {KEYS}, channel
  ON CONFLICT ({KEYS}, channel) DO UPDATE SET created = f.created + excluded.created;""")
    return "".join(statements)


EMPTY = "(SELECT * FROM tickets WHERE false) AS {}"
TRIGGERS = {
    "insert": ("INSERT", "NEW TABLE AS new_rows", "new_rows", EMPTY.format("old_rows")),
    "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "new_rows", "old_rows"),
    "delete": ("DELETE", "OLD TABLE AS old_rows", EMPTY.format("new_rows"), "old_rows"),
}
ROLLUPS = [f"ticket_{span}_{kind}" for span in SPANS for kind in ("figures", "channels")]
CLEAR = f"""
CREATE OR REPLACE FUNCTION ioc_clear_daily_figures() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {" ".join(f"DELETE FROM {table};" for table in ROLLUPS)}
  RETURN NULL;
END $$
"""
# Recompute every rollup from the tickets: the backfill, and the repair after tickets were written
# with the triggers disabled (e.g. a restore with session_replication_role = replica).
REBUILD = f"""
CREATE OR REPLACE FUNCTION ioc_rebuild_ticket_rollups() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  {" ".join(f"DELETE FROM {table};" for table in ROLLUPS)}
  {_apply("tickets", EMPTY.format("old_rows"))}
END $$
"""
INDEXES = f"""
ALTER TABLE tickets
  ADD COLUMN resolution_hours float8
    GENERATED ALWAYS AS (date_part('epoch', resolved_at - created_at) / 3600.0) STORED,
  ADD COLUMN resolution_bucket smallint
    GENERATED ALWAYS AS (ioc_resolution_bucket(created_at, resolved_at)) STORED;
CREATE INDEX ix_tickets_resolution_bucket ON tickets (resolution_bucket, created_at)
  INCLUDE (category_code, unit_code, department_code, resolution_hours) WHERE resolution_bucket IS NOT NULL;
CREATE INDEX ix_tickets_open_created ON tickets (created_at)
  INCLUDE (due_at, category_code, unit_code, department_code) WHERE status IN {OPEN}
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(BUCKET_FUNCTION)
    for table in TABLES:
        op.execute(table)
    op.execute(CLEAR)
    for event, (verb, referencing, new_rows, old_rows) in TRIGGERS.items():
        op.execute(
            f"CREATE OR REPLACE FUNCTION ioc_daily_figures_{event}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN {_apply(new_rows, old_rows)} RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER tickets_daily_figures_{event} AFTER {verb} ON tickets "
            f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION ioc_daily_figures_{event}()"
        )
    op.execute(
        "CREATE TRIGGER tickets_daily_figures_truncate AFTER TRUNCATE ON tickets "
        "FOR EACH STATEMENT EXECUTE FUNCTION ioc_clear_daily_figures()"
    )
    op.execute(REBUILD)
    op.execute("LOCK TABLE tickets IN SHARE MODE")
    op.execute("SELECT ioc_rebuild_ticket_rollups()")
    op.execute(INDEXES)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for event in (*TRIGGERS, "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS tickets_daily_figures_{event} ON tickets")
    for event in TRIGGERS:
        op.execute(f"DROP FUNCTION IF EXISTS ioc_daily_figures_{event}()")
    op.execute("DROP FUNCTION IF EXISTS ioc_clear_daily_figures()")
    op.execute("DROP FUNCTION IF EXISTS ioc_rebuild_ticket_rollups()")
    op.execute("DROP INDEX IF EXISTS ix_tickets_resolution_bucket")
    op.execute("DROP INDEX IF EXISTS ix_tickets_open_created")
    op.execute(
        "ALTER TABLE tickets DROP COLUMN IF EXISTS resolution_hours, DROP COLUMN IF EXISTS resolution_bucket"
    )
    op.execute(f"DROP TABLE IF EXISTS {', '.join(ROLLUPS)}")
    op.execute("DROP FUNCTION IF EXISTS ioc_resolution_bucket(timestamptz, timestamptz)")
