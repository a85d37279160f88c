"""Channel adapters: verify and parse inbound payloads into InboundMessage, send OutboundMessage."""

from channels.config import (
    DEFAULT_TELEGRAM_API_BASE_URL,
    DEFAULT_ZALO_API_BASE_URL,
    DEFAULT_ZALO_OAUTH_BASE_URL,
    TelegramConfig,
    ZaloConfig,
    enabled_channels,
)
from channels.errors import (
    ChannelError,
    DeliveryError,
    InvalidSignature,
    MalformedPayload,
    PermanentError,
    RetryLater,
    TokenExpired,
    Unreachable,
)
from channels.messages import (
    Button,
    Channel,
    Delivered,
    InboundMessage,
    MessageKind,
    OutboundMessage,
)
from channels.telegram import SECRET_HEADER as TELEGRAM_SECRET_HEADER
from channels.telegram import TelegramChannel, register_webhook
from channels.webchat import parse_frame, render_frame
from channels.zalo import SIGNATURE_HEADER as ZALO_SIGNATURE_HEADER
from channels.zalo import ZaloChannel, render_text, resolve_choice
from channels.zalo_tokens import (
    AbstractTokenStore,
    FileTokenStore,
    InMemoryTokenStore,
    TokenPair,
    TokenSlot,
    ZaloTokens,
    read_token_file,
)

__all__ = [
    "DEFAULT_TELEGRAM_API_BASE_URL",
    "DEFAULT_ZALO_API_BASE_URL",
    "DEFAULT_ZALO_OAUTH_BASE_URL",
    "TELEGRAM_SECRET_HEADER",
    "ZALO_SIGNATURE_HEADER",
    "AbstractTokenStore",
    "Button",
    "Channel",
    "ChannelError",
    "Delivered",
    "DeliveryError",
    "FileTokenStore",
    "InMemoryTokenStore",
    "InboundMessage",
    "InvalidSignature",
    "MalformedPayload",
    "MessageKind",
    "OutboundMessage",
    "PermanentError",
    "RetryLater",
    "TelegramChannel",
    "TelegramConfig",
    "TokenExpired",
    "TokenPair",
    "TokenSlot",
    "Unreachable",
    "ZaloChannel",
    "ZaloConfig",
    "ZaloTokens",
    "enabled_channels",
    "parse_frame",
    "read_token_file",
    "register_webhook",
    "render_frame",
    "render_text",
    "resolve_choice",
]
