"""Answering "what happened to my report?" for the citizen who filed it."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendSettings, BackendUnavailable, TicketStatus
from actions.categories import category_for_code
from actions.conversation import contact_of, requested_ticket_code
from actions.formatting import vietnamese_date

RECENT_TICKETS_SHOWN = 5


class ActionCheckStatus(Action):
    """Tells the status of the ticket the citizen names, or lists their recent tickets."""

    def name(self) -> str:
        """Rasa's name for the action."""
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Look the ticket up as its owner; a non-owner gets the same answer as a wrong code."""
        client = BackendClient(BackendSettings.from_env())
        code = requested_ticket_code(tracker)
        try:
            if code:
                await _tell_status(dispatcher, client, tracker, code)
            else:
                await _list_recent(dispatcher, client, tracker)
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
        return [SlotSet("ticket_id", None)]


async def _tell_status(
    dispatcher: CollectingDispatcher, client: BackendClient, tracker: Tracker, code: str
) -> None:
    ticket = await client.get_ticket(code, contact_of(tracker))
    if ticket is None:
        dispatcher.utter_message(response="utter_ticket_not_found", code=code)
        return
    category = category_for_code(ticket.category)
    dispatcher.utter_message(
        response="utter_ticket_status",
        code=ticket.code,
        status=ticket.status_vi,
        category=category.name_vi if category else ticket.category,
        department=ticket.department_name,
        due_date=vietnamese_date(ticket.due_at),
    )
    if ticket.last_reply:
        dispatcher.utter_message(response="utter_ticket_last_reply", reply=ticket.last_reply)


async def _list_recent(dispatcher: CollectingDispatcher, client: BackendClient, tracker: Tracker) -> None:
    tickets = (await client.list_tickets(contact_of(tracker)))[:RECENT_TICKETS_SHOWN]
    if not tickets:
        dispatcher.utter_message(response="utter_ask_ticket_code")
        return
    dispatcher.utter_message(
        response="utter_recent_tickets",
        tickets="\n".join(_ticket_line(ticket) for ticket in tickets),
        buttons=[_status_button(ticket) for ticket in tickets],
    )


def _ticket_line(ticket: TicketStatus) -> str:
    return f"• {ticket.code}: {ticket.status_vi}"


def _status_button(ticket: TicketStatus) -> dict[str, str]:
    return {"title": ticket.code, "payload": f'/ask_status{{"ticket_id": "{ticket.code}"}}'}
