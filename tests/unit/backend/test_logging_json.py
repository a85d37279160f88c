"""LOG_FORMAT=json: one JSON object per line, with citizens' numbers masked in the message and
in the traceback, in a real process configured from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = """
import logging
from backend.logging_setup import configure_logging
from backend.settings import get_settings
settings = get_settings()
configure_logging(settings.log_level, settings.log_format)
log = logging.getLogger("ioc.test")
log.info("citizen %s wrote from chat %s", "0905 123 456", 987654321)
try:
    raise ValueError("no reply to 0912345678")
except ValueError:
    log.exception("delivery failed")
"""


def _json_lines(log_format: str) -> list[str]:
    env = {**os.environ, "LOG_FORMAT": log_format}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
    return done.stderr.strip().splitlines()


def test_json_lines_keep_the_masking() -> None:
    lines = [json.loads(line) for line in _json_lines("json") if line.startswith("{")]

    info, failure = lines
    assert set(info) == {"time", "level", "logger", "message"}
    assert (info["level"], info["logger"]) == ("INFO", "ioc.test")
    assert info["message"] == "citizen 09***56 wrote from chat 98***21"
    assert failure["message"] == "delivery failed" and "ValueError" in failure["exc_info"]
    assert "0912345678" not in failure["exc_info"] and "09***78" in failure["exc_info"]


def test_text_stays_the_default() -> None:
    [info, *_] = _json_lines("text")
    assert not info.startswith("{") and "09***56" in info
