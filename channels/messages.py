"""Value objects shared by every channel: what comes in, what goes out, what delivery returned."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


class Channel(StrEnum):
    """The platforms a citizen can write from."""

    TELEGRAM = "telegram"
    ZALO = "zalo"
    WEBCHAT = "webchat"


class MessageKind(StrEnum):
    """What an inbound message is; the gateway decides how to answer each kind."""

    TEXT = "text"
    PHOTO = "photo"
    LOCATION = "location"
    START = "start"
    CALLBACK = "callback"
    FOLLOW = "follow"
    UNFOLLOW = "unfollow"
    UNSUPPORTED = "unsupported"
    EDITED = "edited"


def utc_now() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One thing a citizen did on a channel, normalised.

    ``message_id`` is unique per channel and stable when the platform re-delivers the same
    event, so (channel, message_id) de-duplicates webhook retries.
    ``photo_refs`` are the platform's handles (Telegram file_id, Zalo URL); ``photo_urls`` are
    fetchable URLs; ``photo_paths`` are files stored in the media directory.
    """

    channel: Channel
    channel_user_id: str
    message_id: str
    kind: MessageKind
    text: str = ""
    display_name: str | None = None
    photo_refs: tuple[str, ...] = ()
    photo_urls: tuple[str, ...] = ()
    photo_paths: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    callback_data: str | None = None
    callback_id: str | None = None
    received_at: datetime = field(default_factory=utc_now)

    @property
    def sender_id(self) -> str:
        """Return the conversation id used towards Rasa: ``<channel>:<channel_user_id>``."""
        return f"{self.channel.value}:{self.channel_user_id}"

    @property
    def has_location(self) -> bool:
        """Tell whether the message carries coordinates."""
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True, slots=True)
class Button:
    """A quick-reply choice: the citizen sees ``title``; ``payload`` comes back when chosen."""

    title: str
    payload: str


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A reply or notification to deliver to one citizen on one channel."""

    channel: Channel
    channel_user_id: str
    text: str = ""
    buttons: tuple[Button, ...] = ()
    image_url: str | None = None
    image_path: str | None = None
    idempotency_key: str | None = None

    @property
    def has_image(self) -> bool:
        """Tell whether an image is attached."""
        return bool(self.image_url or self.image_path)


@dataclass(frozen=True, slots=True)
class Delivered:
    """The channel accepted the message; ``channel_message_id`` is the platform's id, if any."""

    channel_message_id: str | None = None
