"""Filing the confirmed report with the backend."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import (
    BackendClient,
    BackendRejected,
    BackendSettings,
    BackendUnavailable,
    CreatedTicket,
    NewReport,
)
from actions.conversation import contact_of, report_idempotency_key
from actions.formatting import vietnamese_date
from actions.report_form import reset_report_events

logger = logging.getLogger(__name__)


class ActionSubmitReport(Action):
    """POSTs the report once (idempotent per report) and tells the citizen the ticket code."""

    def name(self) -> str:
        """Rasa's name for the action."""
        return "action_submit_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Create the ticket; apologise and keep the draft when the backend is down."""
        client = BackendClient(BackendSettings.from_env())
        try:
            ticket = await client.create_ticket(new_report(tracker), report_idempotency_key(tracker))
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_submit_failed")
            return [SlotSet("submission_failed", True)]
        except BackendRejected as error:
            logger.warning("backend rejected a report: %s %s", error.status, error.detail)
            dispatcher.utter_message(response="utter_submit_rejected")
            return reset_report_events() + [SlotSet("submission_failed", False)]
        _announce(dispatcher, ticket)
        return reset_report_events() + [SlotSet("submission_failed", False)]


def new_report(tracker: Tracker) -> NewReport:
    """The report as drafted in the tracker's slots."""
    slot = tracker.get_slot
    return NewReport(
        category=slot("category") or "",
        description=slot("description") or "",
        contact=contact_of(tracker),
        location_text=slot("location"),
        area=slot("area"),
        latitude=slot("latitude"),
        longitude=slot("longitude"),
        photo_urls=list(slot("photo_urls") or []),
        nlu_category=slot("nlu_category"),
        nlu_confidence=slot("nlu_confidence"),
    )


def _announce(dispatcher: CollectingDispatcher, ticket: CreatedTicket) -> None:
    dispatcher.utter_message(
        response="utter_ticket_created",
        code=ticket.code,
        department=ticket.department_name,
        due_date=vietnamese_date(ticket.due_at),
    )
    if ticket.possible_duplicate_of:
        dispatcher.utter_message(
            response="utter_ticket_possible_duplicate", duplicate_of=ticket.possible_duplicate_of
        )
