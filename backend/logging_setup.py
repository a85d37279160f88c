"""Process-wide logging: one format, and citizens' phone numbers, ids and web chat session ids
masked in every record.

Adapters already log ids through `mask_id`; this filter is the safety net for anything else
(a library's error message that quotes a URL with a chat id, an exception text with a phone).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Vietnamese phone numbers (0xxxxxxxxx, +84xxxxxxxxx, 84xxxxxxxxx, with optional spaces or dots),
# and long numeric ids (Telegram chat ids, Zalo user ids) that are not ticket codes.
_PHONE = re.compile(r"(?<![\w-])(?:\+?84|0)(?:[\s.]?\d){9}(?!\d)")
_LONG_ID = re.compile(r"(?<![\w-])\d{8,20}(?!\d)")
_TOKEN_IN_URL = re.compile(r"/bot\d+:[\w-]+")
# Web chat session ids (the conversation's only credential): in a query string (uvicorn's
# "WebSocket /chat/ws?session_id=..." line), whatever their shape, and anywhere else by their shape.
_SESSION_IN_QUERY = re.compile(r"(session_id=)[^&\s\"']*")
_SESSION_ID = re.compile(r"(?<![0-9A-Za-z])w[0-9a-f]{32}(?![0-9a-f])")


def mask_text(text: str) -> str:
    """Mask phone numbers, long numeric ids, web chat session ids and Telegram bot tokens in a log line."""
    text = _TOKEN_IN_URL.sub("/bot***", text)
    text = _SESSION_IN_QUERY.sub(r"\1***", text)
    text = _SESSION_ID.sub("w***", text)
    text = _PHONE.sub(lambda m: _keep_ends(m.group(0)), text)
    return _LONG_ID.sub(lambda m: _keep_ends(m.group(0)), text)


def _keep_ends(value: str) -> str:
    return f"{value[:2]}***{value[-2:]}"


class MaskingFilter(logging.Filter):
    """Rewrite each record's message with `mask_text` (arguments are merged first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and exc_info when there is one
    (the message is masked by MaskingFilter before; the traceback is masked here)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exc_info"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str | int = "INFO", log_format: str = "text") -> None:
    """Log to stderr with masking on every handler of the root and uvicorn loggers; LOG_FORMAT=json
    writes one JSON object per line."""
    logging.basicConfig(level=level.upper() if isinstance(level, str) else level, format=LOG_FORMAT)
    if log_format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "telegram"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskingFilter) for f in logger.filters):
            logger.addFilter(MaskingFilter())
        for handler in logger.handlers:
            if not any(isinstance(f, MaskingFilter) for f in handler.filters):
                handler.addFilter(MaskingFilter())
