"""Constant-time checks of the shared secrets that keep Rasa and the action server private (used by
the action server and by Rasa's gateway channel, bot/gateway_channel.py)."""

from __future__ import annotations

import hmac

MIN_SECRET_LENGTH = 16


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header ("" for anything else)."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def is_secret(given: str, secret: str) -> bool:
    """True when ``given`` equals ``secret``, compared in constant time; never for an empty secret."""
    expected = secret.encode("utf-8", "replace")
    return bool(secret) and hmac.compare_digest(given.encode("utf-8", "replace"), expected)


def required_secret(value: str | None, name: str) -> str:
    """``value`` when it is long enough to guard a port; otherwise raise ValueError naming ``name``."""
    secret = (value or "").strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(f"{name} must be set to a secret of at least {MIN_SECRET_LENGTH} characters")
    return secret
