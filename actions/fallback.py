"""Unclear messages: a likely report goes on with its category confirmed; anything else gets help."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import latest_message

LIKELY_REPORT_SCORE = 0.25


class ActionTriageFallback(Action):
    """Decides whether an unclear message still looks like a report (then its category is confirmed)."""

    def name(self) -> str:
        """Rasa's name for the action."""
        return "action_triage_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Set looks_like_report from the best report intent in the ranking."""
        message = latest_message(tracker)
        name, score, _ = message.best_report()
        best_overall = next((n for n, _ in message.ranking if n != "nlu_fallback"), None)
        likely = bool(name) and name == best_overall and score >= LIKELY_REPORT_SCORE
        return [SlotSet("looks_like_report", likely and not message.is_payload)]
