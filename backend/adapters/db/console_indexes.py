"""Indexes for the console's inbox and statistics queries (declared here, on the tickets table).

PostgreSQL also gets a trigram index on `tickets.search_folded`, a stored generated column of
`ioc_search_text(code, description, location_text, area_text)` (an immutable SQL function folding
case and diacritics with unaccent), so the inbox's free text (LIKE '%...%') neither scans every
ticket nor re-folds the matches; and `ticket_status_counts`, kept by triggers, for the inbox counts.
Both come from migrations only (console_0004, console_0005), as does the dashboard's covering
index `ix_tickets_stats_created` (console_0006: creation time INCLUDE the aggregated columns).
"""

from __future__ import annotations

from sqlalchemy import Index

from backend.adapters.db.ticket_models import Ticket

SEARCH_FUNCTION = "ioc_search_text"

CONSOLE_INDEXES = (
    Index("ix_tickets_department_created", Ticket.department_code, Ticket.created_at),
    Index("ix_tickets_category_created", Ticket.category_code, Ticket.created_at),
    Index("ix_tickets_unit_created", Ticket.unit_code, Ticket.created_at),
)
