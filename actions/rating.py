"""Recording the citizen's rating of a resolved ticket (buttons sent by the backend)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendRejected, BackendSettings, BackendUnavailable
from actions.conversation import contact_of, entity_value, requested_ticket_code

CONFLICT = 409


class ActionRecordRating(Action):
    """POSTs a 1-5 rating and thanks the citizen; explains when the ticket cannot be rated yet."""

    def name(self) -> str:
        """Rasa's name for the action."""
        return "action_record_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Record the rating named by the latest message."""
        code = requested_ticket_code(tracker)
        score = rating_score(entity_value(tracker, "rating") or tracker.get_slot("rating"))
        if not code or score is None:
            dispatcher.utter_message(response="utter_rating_invalid")
        else:
            await _record(dispatcher, tracker, code, score)
        return [SlotSet("ticket_id", None), SlotSet("rating", None)]


def rating_score(value: object) -> int | None:
    """An integer score 1-5 from what the payload or the citizen gave, else None."""
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() and 1 <= number <= 5 else None


async def _record(dispatcher: CollectingDispatcher, tracker: Tracker, code: str, score: int) -> None:
    client = BackendClient(BackendSettings.from_env())
    try:
        rating = await client.rate_ticket(code, contact_of(tracker), score)
    except BackendUnavailable:
        dispatcher.utter_message(response="utter_backend_unavailable")
    except BackendRejected as error:
        response = "utter_rating_not_resolved" if error.status == CONFLICT else "utter_ticket_not_found"
        dispatcher.utter_message(response=response, code=code)
    else:
        dispatcher.utter_message(response="utter_rating_thanks", code=rating.code, rating=rating.score)
