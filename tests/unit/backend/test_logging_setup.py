"""Citizens' phone numbers and ids, and bot tokens, never reach the logs in clear."""

from __future__ import annotations

import logging

import pytest

from backend.logging_setup import MaskingFilter, mask_text


@pytest.mark.parametrize(
    ("raw", "hidden"),
    [
        ("gọi lại 0935777888 giúp", "0935777888"),
        ("phone +84935777888", "+84935777888"),
        ("sdt 0935.777.888", "0935.777.888"),
        ("sending to chat 123456789012", "123456789012"),
        ("POST https://api.telegram.org/bot123456:AA-bcdEF_gh/sendMessage", "AA-bcdEF_gh"),
    ],
)
def test_mask_text_hides_contact_details(raw: str, hidden: str) -> None:
    assert hidden not in mask_text(raw)


def test_ticket_codes_and_short_numbers_stay_readable() -> None:
    line = "ticket PA-2026-000123 moved after 3 attempts"
    assert mask_text(line) == line


def test_filter_masks_formatted_arguments(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.masking")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="test.masking"):
        logger.info("delivered to %s on %s", "0905123456", "zalo")
    assert "0905123456" not in caplog.text
    assert "zalo" in caplog.text
