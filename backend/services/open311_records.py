"""A ticket as a GeoReport service request: the full record for API-key clients, and the public
record for everyone else.

The public record is what we choose to publish: the service (category), status, dates and the
department, and the place no finer than the ward and town. It leaves out the citizen's text
(`description`), the official's answer (`status_notes`: free text that often quotes the citizen
or names a house), coordinates, photos and the exact address. Tickets of a confidential category
(security tip-offs) are never public at all; the query leaves them out before this module.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.adapters.db.models import Ticket
from backend.domain.lifecycle import is_open
from backend.domain.sla import LOCAL_TZ


def w3c(value: datetime | None) -> str | None:
    """ISO 8601 with the local offset, e.g. 2026-11-26T09:30:00+07:00."""
    return value.astimezone(LOCAL_TZ).isoformat(timespec="seconds") if value else None


def status_of(ticket_status: str) -> str:
    """new/assigned/in_progress → open; resolved/closed/rejected/duplicate → closed."""
    return "open" if is_open(ticket_status) else "closed"


def full_record(ticket: Ticket, media_url: str | None) -> dict[str, Any]:
    """Every GeoReport field we keep (never the citizen's contact details)."""
    return {
        **_common(ticket),
        "status_notes": _status_notes(ticket),
        "description": ticket.description,
        "address": ticket.location_text or ticket.area_text or (ticket.unit.name if ticket.unit else None),
        "lat": ticket.latitude,
        "long": ticket.longitude,
        "media_url": media_url,
    }


def public_record(ticket: Ticket, town_name: str | None) -> dict[str, Any]:
    """What anyone may read: no citizen text, answer, coordinates or photos; the ward at most."""
    unit = ticket.unit
    places: list[str | None] = [unit.name, unit.town.name] if unit else [town_name]
    return {**_common(ticket), "address": ", ".join(p for p in places if p) or None}


def _common(ticket: Ticket) -> dict[str, Any]:
    return {
        "service_request_id": ticket.code,
        "status": status_of(ticket.status),
        "service_name": ticket.category.name_vi,
        "service_code": ticket.category_code,
        "agency_responsible": ticket.department.name,
        "service_notice": None,
        "requested_datetime": w3c(ticket.created_at),
        "updated_datetime": w3c(ticket.updated_at),
        "expected_datetime": w3c(ticket.due_at),
        "address_id": None,
        "zipcode": None,
    }


def _status_notes(ticket: Ticket) -> str | None:
    if ticket.duplicate_of is not None:
        return f"Trùng với phản ánh {ticket.duplicate_of.code}"
    return ticket.resolution_text or ticket.referral_text
