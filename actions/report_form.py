"""The report form: validation of every answer, and collecting photos and GPS from metadata."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions.conversation import entity_value, latest_message, metadata
from actions.report_draft import CONTEXT_SLOTS, FORM_SLOTS, absorb


class ValidateReportForm(FormValidationAction):
    """Fills the report slots from each message; re-asks when an answer does not fit."""

    def name(self) -> str:
        """Rasa's name for the form's validation action."""
        return "validate_report_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Slot events for the latest message; none when it belongs to another flow."""
        slots = {name: tracker.get_slot(name) for name in FORM_SLOTS + CONTEXT_SLOTS}
        change = absorb(slots, latest_message(tracker), tracker.get_slot(REQUESTED_SLOT))
        if change is None:
            return []
        if change.response:
            dispatcher.utter_message(response=change.response)
        return [SlotSet(name, value) for name, value in change.updates.items()]


class ActionCollectMedia(Action):
    """Takes in photos and a shared location from any user message (entities or metadata)."""

    def name(self) -> str:
        """Rasa's name for the action (a custom slot mapping of photo_urls, latitude, longitude)."""
        return "action_collect_media"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """SlotSet events for new photos and coordinates."""
        return _photo_events(tracker) + _location_events(tracker)


class ActionResetReport(Action):
    """Forgets the report being drafted (after a cancel)."""

    def name(self) -> str:
        """Rasa's name for the action."""
        return "action_reset_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """SlotSet(None) for every report slot."""
        return reset_report_events()


def reset_report_events() -> list[EventType]:
    """Events that clear the draft and its context."""
    return [SlotSet(name, None) for name in FORM_SLOTS + CONTEXT_SLOTS]


def _photo_events(tracker: Tracker) -> list[EventType]:
    urls = metadata(tracker).get("photo_urls") or []
    if isinstance(urls, str):
        urls = [urls]
    known = list(tracker.get_slot("photo_urls") or [])
    fresh = [url for url in urls if isinstance(url, str) and url and url not in known]
    return [SlotSet("photo_urls", known + fresh)] if fresh else []


def _location_events(tracker: Tracker) -> list[EventType]:
    meta = metadata(tracker)
    latitude = _coordinate(entity_value(tracker, "latitude"), meta.get("latitude"), 90)
    longitude = _coordinate(entity_value(tracker, "longitude"), meta.get("longitude"), 180)
    if latitude is None or longitude is None:
        return []
    return [SlotSet("latitude", latitude), SlotSet("longitude", longitude)]


def _coordinate(from_entity: Any, from_metadata: Any, bound: float) -> float | None:
    for value in (from_entity, from_metadata):
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if -bound <= number <= bound:
            return number
    return None
