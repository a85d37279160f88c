"""Filing a report against a fake backend that speaks the documented API."""

from actions_fake_backend import SERVICE_TOKEN
from actions_support import make_tracker, responses, run_action, slot_updates, user_message

from actions.report_submission import ActionSubmitReport

pytest_plugins = ["actions_support"]

DRAFT = {
    "category": "environment",
    "description": "Rác đổ trộm ở đường Hùng Vương",
    "location": "đường Hùng Vương",
    "area": "Cẩm Châu",
    "latitude": 15.57,
    "longitude": 108.47,
    "photo_urls": ["http://media/a.jpg"],
    "nlu_category": "environment",
    "nlu_confidence": 0.93,
    "place": "đường Hùng Vương, Cẩm Châu",
    "photo_answer": "attached",
    "confirmed": True,
}
FORM_STARTED = [{"event": "active_loop", "name": "report_form", "timestamp": 1_790_000_000.5}]


def confirmed_tracker(metadata=None, sender_id="telegram:12345", events=FORM_STARTED):
    return make_tracker(user_message("/affirm", "affirm", metadata=metadata), DRAFT, events, sender_id)


def test_confirmed_report_creates_a_ticket_and_tells_code_department_and_due_date(backend, domain):
    events, messages = run_action(ActionSubmitReport(), confirmed_tracker(), domain)
    assert messages[0]["response"] == "utter_ticket_created"
    assert messages[0]["code"] == "PA-2026-000001"
    assert messages[0]["department"] == "Phòng Tài nguyên và Môi trường Tam Kỳ"
    assert messages[0]["due_date"] == "03/12/2026"
    updates = slot_updates(events)
    assert updates["submission_failed"] is False
    assert updates["description"] is None and updates["photo_urls"] is None


def test_the_request_follows_the_contract(backend, domain):
    run_action(ActionSubmitReport(), confirmed_tracker(), domain)
    request = backend.state.requests[-1]
    assert request["headers"]["Authorization"] == f"Bearer {SERVICE_TOKEN}"
    assert request["headers"]["Idempotency-Key"]
    body = request["body"]
    assert body["category"] == "environment"
    assert body["location_text"] == "đường Hùng Vương" and body["area"] == "Cẩm Châu"
    assert (body["latitude"], body["longitude"]) == (15.57, 108.47)
    assert body["photo_urls"] == ["http://media/a.jpg"]
    assert body["contact"] == {
        "channel": "telegram",
        "channel_user_id": "12345",
        "display_name": "Nguyễn Văn A",
        "phone": None,
    }


def test_a_retry_of_the_same_report_never_creates_a_second_ticket(backend, domain):
    first, _ = run_action(ActionSubmitReport(), confirmed_tracker(), domain)
    _, messages = run_action(ActionSubmitReport(), confirmed_tracker(), domain)
    assert len(backend.state.tickets) == 1
    assert messages[0]["code"] == "PA-2026-000001"
    keys = {request["headers"]["Idempotency-Key"] for request in backend.state.requests}
    assert len(keys) == 1


def test_a_new_report_in_the_same_conversation_gets_a_new_ticket(backend, domain):
    run_action(ActionSubmitReport(), confirmed_tracker(), domain)
    later = FORM_STARTED + [{"event": "active_loop", "name": "report_form", "timestamp": 1_790_000_900.0}]
    _, messages = run_action(ActionSubmitReport(), confirmed_tracker(events=later), domain)
    assert messages[0]["code"] == "PA-2026-000002"


def test_contact_falls_back_to_the_sender_id(backend, domain):
    run_action(ActionSubmitReport(), confirmed_tracker(metadata={}, sender_id="zalo:8841"), domain)
    contact = backend.state.requests[-1]["body"]["contact"]
    assert (contact["channel"], contact["channel_user_id"]) == ("zalo", "8841")


def test_backend_error_keeps_the_report_and_apologises(backend, domain):
    backend.state.fail_with = 503
    events, messages = run_action(ActionSubmitReport(), confirmed_tracker(), domain)
    assert responses(messages) == ["utter_submit_failed"]
    assert slot_updates(events) == {"submission_failed": True}


def test_backend_down_keeps_the_report_and_apologises(backend_down, domain):
    events, messages = run_action(ActionSubmitReport(), confirmed_tracker(), domain)
    assert responses(messages) == ["utter_submit_failed"]
    assert slot_updates(events) == {"submission_failed": True}


def test_retry_after_the_backend_is_back_files_it_once(backend, domain):
    backend.state.fail_with = 500
    run_action(ActionSubmitReport(), confirmed_tracker(), domain)
    backend.state.fail_with = None
    _, messages = run_action(ActionSubmitReport(), confirmed_tracker(), domain)
    assert responses(messages) == ["utter_ticket_created"]
    assert len(backend.state.tickets) == 1


def test_a_rejected_report_gets_a_polite_explanation(backend, domain):
    tracker = make_tracker(user_message("/affirm", "affirm"), {**DRAFT, "description": None}, FORM_STARTED)
    events, messages = run_action(ActionSubmitReport(), tracker, domain)
    assert responses(messages) == ["utter_submit_rejected"]
    assert slot_updates(events)["submission_failed"] is False
    assert backend.state.tickets == {}
