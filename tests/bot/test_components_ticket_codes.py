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
    assert entity["entity"] == "ticket_id" and text[entity["start"] : entity["end"]] == "000123"


def _extract(text: str, intent: str, entities: list[dict] | None = None) -> list[str]:
    extractor = TicketCodeExtractor(TicketCodeExtractor.get_default_config())
    message = Message(
        {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    )
    extractor.process([message])
    return [f"{e['entity']}:{text[e['start'] : e['end']]}" for e in message.get("entities")]


@pytest.mark.parametrize(
    "text, span",
    [
        ("phản ánh số 451 đến đâu rồi", "451"),
        ("phan anh so 88 den dau roi", "88"),
        ("cho hoi ma so 000505 xu ly chua", "000505"),
        ("ad ơi mã #731 xong chưa z", "#731"),
        ("phiếu 1203 của tôi sao rồi", "1203"),
    ],
)
def test_a_number_in_a_status_question_is_the_ticket(text, span):
    assert _extract(text, "ask_status") == [f"ticket_id:{span}"]


def test_a_house_number_in_a_report_is_not_a_ticket():
    text = "rác đổ trước số 12 Phan Chu Trinh"
    location = {
        "entity": "location",
        "start": text.index("số"),
        "end": len(text),
        "value": "số 12 Phan Chu Trinh",
    }
    assert _extract(text, "report_environment", [location]) == ["location:số 12 Phan Chu Trinh"]


def test_a_partial_ticket_span_from_the_model_is_replaced_by_the_whole_code():
    text = "phản ánh PA-2026-000812 sao rồi"
    start = text.index("PA")
    partial = {"entity": "ticket_id", "start": start, "end": start + 7, "value": "PA-2026"}
    assert _extract(text, "ask_status", [partial]) == ["ticket_id:PA-2026-000812"]
