"""Ratings from the backend's rating buttons, recorded through the fake backend."""

import pytest
from actions_support import make_tracker, responses, run_action, user_message

from actions.rating import ActionRecordRating, rating_score

pytest_plugins = ["actions_support"]

PAYLOAD = '/rate{"ticket_id": "PA-2026-000123", "rating": 5}'


def rate(domain, rating=5, code="PA-2026-000123"):
    entities = [{"entity": "ticket_id", "value": code}, {"entity": "rating", "value": rating}]
    message = user_message(PAYLOAD, "rate", entities=entities)
    return run_action(ActionRecordRating(), make_tracker(message), domain)


def test_rating_a_resolved_ticket_thanks_the_citizen(backend, domain):
    backend.state.add_ticket("PA-2026-000123", "telegram", "12345", status="resolved")
    _, messages = rate(domain)
    assert responses(messages) == ["utter_rating_thanks"]
    assert (messages[0]["code"], messages[0]["rating"]) == ("PA-2026-000123", 5)
    assert backend.state.tickets["PA-2026-000123"]["rating"] == 5
    assert backend.state.requests[-1]["body"]["channel_user_id"] == "12345"


def test_a_ticket_still_in_progress_cannot_be_rated_yet(backend, domain):
    backend.state.add_ticket("PA-2026-000123", "telegram", "12345")
    _, messages = rate(domain)
    assert responses(messages) == ["utter_rating_not_resolved"]


def test_someone_elses_ticket_is_not_found(backend, domain):
    backend.state.add_ticket("PA-2026-000123", "zalo", "1", status="resolved")
    _, messages = rate(domain)
    assert responses(messages) == ["utter_ticket_not_found"]


def test_an_invalid_rating_is_not_sent(backend, domain):
    _, messages = rate(domain, rating=9)
    assert responses(messages) == ["utter_rating_invalid"]
    assert backend.state.requests == []


@pytest.mark.parametrize(
    ("value", "score"), [(5, 5), ("4", 4), (3.0, 3), ("0", None), ("năm", None), (None, None)]
)
def test_rating_score(value, score):
    assert rating_score(value) == score
