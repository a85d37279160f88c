"""Persistence of conversations, inbound messages and conversation threads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Exists, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.adapters.db.gateway_models import Conversation, ConversationMessage, InboundRecord
from backend.adapters.db.models import Ticket
from backend.adapters.db.user_models import ConversationHandoff
from backend.domain.lifecycle import OPEN_STATUSES

PENDING = "pending"
DEAD = "dead"  # parked: failed for its own sake too often (or for good); shown in the console
OPEN_STATUS_VALUES = tuple(status.value for status in OPEN_STATUSES)


class SqlConversationRepository:
    """Conversations and their inbound queue; every method works inside the caller's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_or_create(self, channel: str, user_id: str, display_name: str | None) -> Conversation:
        """The citizen's conversation, created on first contact (safe under concurrency)."""
        found = self.find(channel, user_id)
        if found is None:
            try:
                with self.session.begin_nested():
                    found = Conversation(channel=channel, channel_user_id=user_id, display_name=display_name)
                    self.session.add(found)
            except IntegrityError:
                found = self.find(channel, user_id)
                assert found is not None
        if display_name and found.display_name != display_name:
            found.display_name = display_name
        return found

    def sent_photo(self, channel: str, user_id: str, url_suffix: str) -> bool:
        """Whether this citizen sent a photo whose URL ends with ``url_suffix`` (their own thread)."""
        query = (
            select(ConversationMessage.id)
            .join(Conversation, Conversation.id == ConversationMessage.conversation_id)
            .where(Conversation.channel == channel, Conversation.channel_user_id == user_id)
            .where(
                ConversationMessage.direction == "in",
                ConversationMessage.image_url.endswith(url_suffix, autoescape=True),
            )
            .limit(1)
        )
        return self.session.scalar(query) is not None

    def find(self, channel: str, user_id: str) -> Conversation | None:
        """The conversation of (channel, user id), if any."""
        statement = select(Conversation).where(
            Conversation.channel == channel, Conversation.channel_user_id == user_id
        )
        return self.session.scalars(statement).first()

    def get(self, conversation_id: int) -> Conversation:
        """A conversation by id."""
        return self.session.get_one(Conversation, conversation_id)

    def acquire(self, conversation_id: int, owner: str, until: datetime, now: datetime) -> bool:
        """Take the forwarder's lease on a conversation unless another live process holds it."""
        free = (Conversation.lease_until.is_(None)) | (Conversation.lease_until < now)
        mine = Conversation.lease_owner == owner
        result = self.session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, free | mine)
            .values(lease_owner=owner, lease_until=until)
        )
        return bool(result.rowcount)

    def acquire_many(
        self, conversation_ids: Sequence[int], owner: str, until: datetime, now: datetime
    ) -> list[int]:
        """Take the lease on each of these conversations that no live process holds; the ids taken."""
        free = (Conversation.lease_until.is_(None)) | (Conversation.lease_until < now)
        statement = (
            update(Conversation)
            .where(Conversation.id.in_(sorted(conversation_ids)), free)
            .values(lease_owner=owner, lease_until=until)
            .returning(Conversation.id)
            .execution_options(synchronize_session=False)
        )
        return list(self.session.scalars(statement))

    def release(self, conversation_id: int, owner: str) -> None:
        """Give the lease back."""
        self.session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
        )

    def add_inbound(self, record: InboundRecord) -> bool:
        """Store an inbound message; False if (channel, message_id) was already stored."""
        try:
            with self.session.begin_nested():
                self.session.add(record)
        except IntegrityError:
            return False
        return True

    def next_pending(self, conversation_id: int) -> InboundRecord | None:
        """The oldest inbound message of the conversation still waiting to be processed."""
        statement = (
            select(InboundRecord)
            .where(InboundRecord.conversation_id == conversation_id, InboundRecord.state == PENDING)
            .order_by(InboundRecord.id)
            .limit(1)
        )
        return self.session.scalars(statement).first()

    def next_pending_and_handoff(self, conversation_id: int) -> tuple[InboundRecord, bool] | None:
        """The oldest pending message and whether an official has the conversation (one query)."""
        statement = (
            select(InboundRecord, _handed_off())
            .where(InboundRecord.conversation_id == conversation_id, InboundRecord.state == PENDING)
            .order_by(InboundRecord.id)
            .limit(1)
        )
        found = self.session.execute(statement).first()
        return None if found is None else (found[0], bool(found[1]))

    def next_pending_of_each(self, conversation_ids: Sequence[int]) -> dict[int, tuple[InboundRecord, bool]]:
        """``next_pending_and_handoff`` of several conversations in one query."""
        oldest = (
            select(func.min(InboundRecord.id))
            .where(InboundRecord.conversation_id.in_(conversation_ids), InboundRecord.state == PENDING)
            .group_by(InboundRecord.conversation_id)
        )
        statement = select(InboundRecord, _handed_off()).where(InboundRecord.id.in_(oldest))
        return {row[0].conversation_id: (row[0], bool(row[1])) for row in self.session.execute(statement)}

    def has_pending(self, conversation_id: int) -> bool:
        """Tell whether anything of the conversation waits to be processed."""
        return self.next_pending(conversation_id) is not None

    def with_pending(self, older_than: datetime, limit: int = 100) -> list[int]:
        """Conversations with a pending message received before ``older_than``, oldest first."""
        statement = (
            select(InboundRecord.conversation_id)
            .where(InboundRecord.state == PENDING, InboundRecord.created_at < older_than)
            .group_by(InboundRecord.conversation_id)
            .order_by(InboundRecord.conversation_id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def settle_inbound(self, inbound_id: int, state: str, now: datetime) -> None:
        """Mark an inbound message handled (one UPDATE, nothing loaded)."""
        self.session.execute(
            update(InboundRecord)
            .where(InboundRecord.id == inbound_id)
            .values(state=state, processed_at=now, last_error=None)
            .execution_options(synchronize_session=False)
        )

    def note_failure(self, inbound_id: int, error: str, retry_at: datetime) -> None:
        """The message failed for its own sake: count it, keep the reason, wait until ``retry_at``."""
        self.session.execute(
            update(InboundRecord)
            .where(InboundRecord.id == inbound_id)
            .values(
                attempts=InboundRecord.attempts + 1,
                failures=InboundRecord.failures + 1,
                last_error=error[:2000],
                retry_at=retry_at,
            )  # fmt: skip
            .execution_options(synchronize_session=False)
        )

    def park(self, inbound_id: int, reason: str, now: datetime) -> None:
        """Give up on the message (state ``dead``), keeping why; the queue goes on without it."""
        self.session.execute(
            update(InboundRecord)
            .where(InboundRecord.id == inbound_id)
            .values(
                state=DEAD,
                processed_at=now,
                last_error=reason[:2000],
                retry_at=None,
                attempts=InboundRecord.attempts + 1,
                failures=InboundRecord.failures + 1,
            )  # fmt: skip
            .execution_options(synchronize_session=False)
        )

    def answered(self, conversation_id: int) -> bool:
        """Rasa answered: the next outage gets its acknowledgement again. Returns whether the
        citizen is marked unreachable."""
        statement = (
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(rasa_ack_sent=False)
            .returning(Conversation.unreachable)
            .execution_options(synchronize_session=False)
        )
        return bool(self.session.execute(statement).scalar_one())

    def inbound_by_id(self, inbound_id: int) -> InboundRecord:
        """An inbound message by id."""
        return self.session.get_one(InboundRecord, inbound_id)

    def add_turn(self, conversation_id: int, direction: str, author_kind: str, **fields: Any) -> bool:
        """Append a turn to the thread; False if its ``outbox_key`` is already there."""
        turn = ConversationMessage(
            conversation_id=conversation_id, direction=direction, author_kind=author_kind, **fields
        )
        try:
            with self.session.begin_nested():
                self.session.add(turn)
        except IntegrityError:
            return False
        return True

    def thread(self, conversation_id: int, after: int = 0, limit: int = 200) -> Sequence[ConversationMessage]:
        """Turns of the thread after id ``after``, oldest first."""
        statement = (
            select(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation_id, ConversationMessage.id > after)
            .order_by(ConversationMessage.id)
            .limit(limit)
        )
        return self.session.scalars(statement).all()

    def last_turn_ids(self, channel: str, user_ids: Sequence[str]) -> dict[str, int]:
        """The id of the newest turn of each of these citizens' threads (those that have one)."""
        newest = (
            select(func.max(ConversationMessage.id))
            .where(ConversationMessage.conversation_id == Conversation.id)
            .scalar_subquery()
        )
        statement = select(Conversation.channel_user_id, newest).where(
            Conversation.channel == channel, Conversation.channel_user_id.in_(user_ids)
        )
        return {user_id: last for user_id, last in self.session.execute(statement) if last is not None}

    def offered_buttons(self, conversation_id: int) -> list[dict[str, str]]:
        """The buttons of the latest message sent to the citizen (none if it had none)."""
        statement = (
            select(ConversationMessage.buttons)
            .where(
                ConversationMessage.conversation_id == conversation_id, ConversationMessage.direction == "out"
            )
            .order_by(ConversationMessage.id.desc())
            .limit(1)
        )
        return list(self.session.scalars(statement).first() or [])

    def button_title(self, conversation_id: int, payload: str) -> str | None:
        """The title of a recently offered button with this payload."""
        statement = (
            select(ConversationMessage.buttons)
            .where(
                ConversationMessage.conversation_id == conversation_id, ConversationMessage.direction == "out"
            )
            .order_by(ConversationMessage.id.desc())
            .limit(20)
        )
        for buttons in self.session.scalars(statement):
            for button in buttons or []:
                if button.get("payload") == payload:
                    return str(button.get("title"))
        return None

    def handoff(self, channel: str, user_id: str) -> ConversationHandoff | None:
        """The active hand-off of the citizen's conversation, if an official has taken it over."""
        statement = select(ConversationHandoff).where(
            ConversationHandoff.channel == channel,
            ConversationHandoff.channel_user_id == user_id,
            ConversationHandoff.active.is_(True),
        )
        return self.session.scalars(statement).first()

    def latest_open_ticket(self, channel: str, user_id: str) -> Ticket | None:
        """The citizen's newest ticket that is still open."""
        statement = (
            select(Ticket)
            .where(
                Ticket.citizen_channel == channel,
                Ticket.citizen_user_id == user_id,
                Ticket.status.in_(OPEN_STATUS_VALUES),
            )
            .order_by(Ticket.created_at.desc(), Ticket.id.desc())
            .limit(1)
        )
        return self.session.scalars(statement).first()

    def turn_exists(self, outbox_key: str) -> bool:
        """Tell whether a thread turn already records this outbox row."""
        return bool(self.session.scalar(select(exists().where(ConversationMessage.outbox_key == outbox_key))))


def _handed_off() -> Exists:
    """Whether an official has the inbound message's conversation (an EXISTS on its row)."""
    return exists().where(
        ConversationHandoff.channel == InboundRecord.channel,
        ConversationHandoff.channel_user_id == InboundRecord.channel_user_id,
        ConversationHandoff.active.is_(True),
    )
