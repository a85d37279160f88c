"""The one HTTP client of the backend API (docs/ARCHITECTURE.md, "Bot ↔ backend API")."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_BACKEND_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT_SECONDS = 10.0
MAX_PHOTOS = 10
MAX_DESCRIPTION_CHARS = 4000
MAX_LOCATION_CHARS = 500


class BackendUnavailable(Exception):
    """The backend could not be reached, timed out, or answered 5xx."""


class BackendRejected(Exception):
    """The backend answered 4xx; `status` and `detail` say why."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class BackendSettings:
    """Where the backend is and how to authenticate."""

    base_url: str = DEFAULT_BACKEND_URL
    service_token: str = ""
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS

    @classmethod
    def from_env(cls) -> BackendSettings:
        """Settings from BACKEND_URL, SERVICE_TOKEN and BACKEND_TIMEOUT_SECONDS."""
        return cls(
            base_url=os.environ.get("BACKEND_URL", DEFAULT_BACKEND_URL).rstrip("/"),
            service_token=os.environ.get("SERVICE_TOKEN", ""),
            timeout_seconds=float(os.environ.get("BACKEND_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)),
        )


@dataclass(frozen=True)
class Contact:
    """Who reported: the channel and the citizen's id on it."""

    channel: str
    channel_user_id: str
    display_name: str | None = None
    phone: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The contact object of the API."""
        return {
            "channel": self.channel,
            "channel_user_id": self.channel_user_id,
            "display_name": self.display_name,
            "phone": self.phone,
        }


@dataclass(frozen=True)
class NewReport:
    """What the citizen reported, as POST /api/v1/tickets wants it."""

    category: str
    description: str
    contact: Contact
    location_text: str | None = None
    area: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    photo_urls: list[str] = field(default_factory=list)
    nlu_category: str | None = None
    nlu_confidence: float | None = None

    def as_json(self) -> dict[str, Any]:
        """The request body; optional fields only when known."""
        body: dict[str, Any] = {
            "category": self.category,
            "description": self.description[:MAX_DESCRIPTION_CHARS],
            "contact": self.contact.as_json(),
        }
        optional = {
            "location_text": self.location_text[:MAX_LOCATION_CHARS] if self.location_text else None,
            "area": self.area,
            "photo_urls": self.photo_urls[-MAX_PHOTOS:] or None,
            "nlu_category": self.nlu_category,
            "nlu_confidence": self.nlu_confidence,
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        if self.latitude is not None and self.longitude is not None:
            body.update(latitude=self.latitude, longitude=self.longitude)
        return body


@dataclass(frozen=True)
class CreatedTicket:
    """The backend's answer to a new report."""

    code: str
    status: str
    department_name: str
    due_at: str | None
    possible_duplicate_of: str | None
    replayed: bool


@dataclass(frozen=True)
class TicketStatus:
    """A ticket's public status, as its owner may see it."""

    code: str
    status: str
    status_vi: str
    category: str
    department_name: str
    due_at: str | None
    last_reply: str | None


@dataclass(frozen=True)
class Rating:
    """A recorded rating."""

    code: str
    score: int


class BackendClient:
    """Typed calls to the backend's bot API; raises BackendUnavailable or BackendRejected."""

    def __init__(self, settings: BackendSettings) -> None:
        self._settings = settings

    async def create_ticket(self, report: NewReport, idempotency_key: str) -> CreatedTicket:
        """File a report; a retry with the same key returns the same ticket."""
        status, body = await self._request(
            "POST", "/api/v1/tickets", json=report.as_json(), headers={"Idempotency-Key": idempotency_key}
        )
        return CreatedTicket(
            code=body["code"],
            status=body.get("status", ""),
            department_name=(body.get("department") or {}).get("name", ""),
            due_at=body.get("due_at"),
            possible_duplicate_of=body.get("possible_duplicate_of"),
            replayed=status == 200,
        )

    async def get_ticket(self, code: str, contact: Contact) -> TicketStatus | None:
        """The ticket's status if this citizen owns it, else None."""
        params = {"channel": contact.channel, "channel_user_id": contact.channel_user_id}
        try:
            _, body = await self._request("GET", f"/api/v1/tickets/{quote(code)}", params=params)
        except BackendRejected as error:
            if error.status == 404:
                return None
            raise
        return _ticket_status(body)

    async def list_tickets(self, contact: Contact) -> list[TicketStatus]:
        """The citizen's tickets, newest first."""
        path = f"/api/v1/citizens/{quote(contact.channel)}/{quote(contact.channel_user_id)}/tickets"
        _, body = await self._request("GET", path)
        return [_ticket_status(item) for item in body.get("items", [])]

    async def rate_ticket(
        self, code: str, contact: Contact, score: int, comment: str | None = None
    ) -> Rating:
        """Record the citizen's 1-5 rating of a resolved ticket."""
        payload = {**_owner(contact), "score": score, "comment": comment}
        _, body = await self._request("POST", f"/api/v1/tickets/{quote(code)}/rating", json=payload)
        return Rating(code=body.get("code", code), score=int(body.get("score", score)))

    async def _request(self, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self._settings.service_token}", **kwargs.pop("headers", {})}
        timeout = aiohttp.ClientTimeout(total=self._settings.timeout_seconds)
        url = self._settings.base_url + path
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.request(method, url, headers=headers, **kwargs) as response,
            ):
                return _checked(method, path, response.status, await _json_body(response))
        except (aiohttp.ClientError, TimeoutError) as error:
            logger.warning("backend %s %s failed: %s", method, path, type(error).__name__)
            raise BackendUnavailable(str(error)) from error


def _owner(contact: Contact) -> dict[str, str]:
    return {"channel": contact.channel, "channel_user_id": contact.channel_user_id}


async def _json_body(response: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        body = await response.json(content_type=None)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _checked(method: str, path: str, status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    if status >= 500:
        logger.warning("backend %s %s answered %s", method, path, status)
        raise BackendUnavailable(f"HTTP {status}")
    if status >= 400:
        raise BackendRejected(status, str(body.get("detail", "")))
    return status, body


def _ticket_status(body: dict[str, Any]) -> TicketStatus:
    department = body.get("department")
    department_name = (
        department.get("name", "") if isinstance(department, dict) else body.get("department_name")
    )
    return TicketStatus(
        code=body["code"],
        status=body.get("status", ""),
        status_vi=body.get("status_vi") or body.get("status", ""),
        category=body.get("category", ""),
        department_name=department_name or "",
        due_at=body.get("due_at"),
        last_reply=body.get("last_official_reply") or body.get("last_reply"),
    )
