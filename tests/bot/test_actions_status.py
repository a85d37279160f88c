"""Status questions against a fake backend: owners see their ticket, others a polite non-answer."""

from actions_support import make_tracker, responses, run_action, slot_updates, user_message

from actions.status import ActionCheckStatus
from actions.ticket_codes import current_year

pytest_plugins = ["actions_support"]


def ask(text, domain, entities=None, slots=None, sender_id="telegram:12345"):
    message = user_message(text, "ask_status", entities=entities, metadata={})
    return run_action(ActionCheckStatus(), make_tracker(message, slots, sender_id=sender_id), domain)


def test_owner_gets_the_status_in_vietnamese(backend, domain):
    ticket = backend.state.add_ticket("PA-2026-000123", "telegram", "12345")
    ticket["last_reply"] = "Đã cử đội thu gom đến xử lý."
    entities = [{"entity": "ticket_id", "value": "PA-2026-000123"}]
    events, messages = ask("phản ánh PA-2026-000123 sao rồi", domain, entities)
    status, reply = messages
    assert status["response"] == "utter_ticket_status"
    assert (status["code"], status["status"]) == ("PA-2026-000123", "Đã chuyển đơn vị xử lý")
    assert status["category"] == "Vệ sinh môi trường"
    assert status["due_date"] == "03/12/2026"
    assert reply == {**reply, "response": "utter_ticket_last_reply", "reply": "Đã cử đội thu gom đến xử lý."}
    assert slot_updates(events) == {"ticket_id": None}


def test_the_code_is_normalised_from_how_the_citizen_typed_it(backend, domain):
    backend.state.add_ticket(f"PA-{current_year()}-000123", "telegram", "12345")
    _, messages = ask("cho hỏi phản ánh số 123", domain)
    assert messages[0]["code"] == f"PA-{current_year()}-000123"


def test_someone_else_gets_the_same_answer_as_for_a_wrong_code(backend, domain):
    backend.state.add_ticket("PA-2026-000123", "telegram", "12345")
    _, messages = ask("PA2026000123", domain, sender_id="zalo:999")
    assert responses(messages) == ["utter_ticket_not_found"]
    assert messages[0]["code"] == "PA-2026-000123"


def test_without_a_code_the_recent_tickets_are_listed_with_buttons(backend, domain):
    backend.state.add_ticket("PA-2026-000001", "telegram", "12345")
    backend.state.add_ticket("PA-2026-000002", "telegram", "12345", status="resolved")
    backend.state.add_ticket("PA-2026-000003", "zalo", "777")
    _, messages = ask("phản ánh của tôi tới đâu rồi", domain)
    assert responses(messages) == ["utter_recent_tickets"]
    assert messages[0]["tickets"].splitlines() == [
        "• PA-2026-000002: Đã xử lý xong",
        "• PA-2026-000001: Đã chuyển đơn vị xử lý",
    ]
    assert messages[0]["buttons"][0] == {
        "title": "PA-2026-000002",
        "payload": '/ask_status{"ticket_id": "PA-2026-000002"}',
    }


def test_without_a_code_or_tickets_the_bot_asks_for_the_code(backend, domain):
    _, messages = ask("tra cứu phản ánh", domain)
    assert responses(messages) == ["utter_ask_ticket_code"]


def test_backend_down_gets_a_polite_reply(backend_down, domain):
    _, messages = ask("PA-2026-000123", domain)
    assert responses(messages) == ["utter_backend_unavailable"]
