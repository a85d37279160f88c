"""Typed failures of channel adapters: the outbox worker decides by type, not by message."""

from __future__ import annotations


class ChannelError(Exception):
    """Base class of every error raised by channels."""


class InvalidSignature(ChannelError):
    """The webhook's signature or secret token does not match: answer 401."""


class MalformedPayload(ChannelError):
    """The inbound payload cannot be understood: answer 400 with the reason."""


class DeliveryError(ChannelError):
    """Sending an outbound message failed."""


class RetryLater(DeliveryError):
    """Transient failure: try again after ``retry_after`` seconds (a lower bound)."""

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(f"{reason} (retry after {retry_after:g}s)")
        self.reason = reason
        self.retry_after = retry_after


class Unreachable(DeliveryError):
    """The citizen cannot be reached (blocked the bot, outside Zalo's 7-day window): never retry."""


class TokenExpired(DeliveryError):
    """The channel's credentials are no longer accepted and could not be refreshed."""


class PermanentError(DeliveryError):
    """The platform rejected the message itself; retrying the same message will not help."""
