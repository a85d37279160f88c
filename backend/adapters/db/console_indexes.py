"""Indexes for the console's inbox and statistics queries (declared here, on the tickets table).

PostgreSQL also gets a trigram index on `ioc_search_text(code, description, location_text,
area_text)`: an immutable SQL function folding case and diacritics (unaccent), created by the
migration, so the inbox's free text (LIKE '%...%') does not scan every ticket.
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
