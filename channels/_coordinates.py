"""Read a latitude/longitude pair from untrusted JSON."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from channels.errors import MalformedPayload


def read_coordinates(data: Mapping[str, Any], source: str) -> tuple[float, float]:
    """Return (latitude, longitude) from ``data``; raise MalformedPayload naming ``source``."""
    try:
        latitude = float(data["latitude"])
        longitude = float(data["longitude"])
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedPayload(f"{source} needs numeric latitude and longitude") from exc
    finite = math.isfinite(latitude) and math.isfinite(longitude)
    if not (finite and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise MalformedPayload(f"{source}: coordinates out of range")
    return latitude, longitude
