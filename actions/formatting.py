"""Values shown to citizens: dates in dd/mm/yyyy (Vietnam time)."""

from __future__ import annotations

from datetime import datetime

from actions.ticket_codes import VIETNAM_TZ


def vietnamese_date(iso_timestamp: str | None) -> str:
    """'2026-12-03T17:00:00+07:00' -> '03/12/2026'; empty for a missing or odd value."""
    if not iso_timestamp:
        return ""
    try:
        moment = datetime.fromisoformat(iso_timestamp.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(VIETNAM_TZ)
    return moment.strftime("%d/%m/%Y")
