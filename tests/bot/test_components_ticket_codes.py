"""ticket_id values: every way a citizen refers to a ticket -> PA-YYYY-NNNNNN."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.components.ticket_code_extractor import TicketCodeExtractor
from bot.components.ticket_codes import current_year, normalize_ticket_code


@pytest.mark.parametrize(
    "typed, code",
    [
        ("PA-2026-000123", "PA-2026-000123"),
        ("PA2026000123", "PA-2026-000123"),
        ("pa 2025 45", "PA-2025-000045"),
        ("2026000123", "PA-2026-000123"),
        ("#123", "PA-2030-000123"),
        ("số 123", "PA-2030-000123"),
        ("mã 000123", "PA-2030-000123"),
    ],
)
def test_normalize_ticket_code(typed, code):
    assert normalize_ticket_code(typed, year=2030) == code


def test_bare_number_means_the_current_year():
    assert normalize_ticket_code("#7") == f"PA-{current_year()}-000007"


@pytest.mark.parametrize("typed", ["abc", "#0", ""])
def test_no_code(typed):
    assert normalize_ticket_code(typed) is None


def test_normalizer_rewrites_ticket_values_and_keeps_offsets(entity_normalizer):
    text = "hồ sơ PA2026000123 sao rồi"
    start = text.index("PA")
    entity = {"entity": "ticket_id", "start": start, "end": start + 12, "value": "PA2026000123"}
    message = Message({"text": text, "entities": [entity]})
    entity_normalizer.process([message])
    result = message.get("entities")[0]
    assert result["value"] == "PA-2026-000123"
    assert text[result["start"] : result["end"]] == "PA2026000123"


def test_extractor_finds_codes_the_model_missed():
    extractor = TicketCodeExtractor(TicketCodeExtractor.get_default_config())
    text = "cho hỏi PA-2026-000045 và #12 thế nào"
    start = text.index("#12")
    found = {"entity": "ticket_id", "start": start, "end": start + 3, "value": "#12"}
    message = Message({"text": text, "entities": [found]})
    extractor.process([message])
    values = sorted(text[e["start"] : e["end"]] for e in message.get("entities"))
    assert values == ["#12", "PA-2026-000045"]


def test_extractor_turns_a_code_mistaken_for_another_entity_into_a_ticket_id():
    extractor = TicketCodeExtractor(TicketCodeExtractor.get_default_config())
    text = "cho hỏi mã 000123 xử lý chưa"
    start = text.index("000123")
    wrong = {"entity": "rating", "start": start, "end": start + 6, "value": "000123"}
    message = Message({"text": text, "entities": [wrong]})
    extractor.process([message])
    [entity] = message.get("entities")
    assert entity["entity"] == "ticket_id" and text[entity["start"] : entity["end"]] == "mã 000123"
