"""The unit-of-work port: one transaction around one use case."""

from __future__ import annotations

import abc
from types import TracebackType
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from backend.adapters.db.outbox_repository import SqlOutboxRepository
    from backend.adapters.db.reference_repository import SqlReferenceRepository
    from backend.adapters.db.ticket_repository import SqlTicketRepository


class AbstractUnitOfWork(abc.ABC):
    """Repositories sharing one transaction; rolled back unless committed."""

    tickets: SqlTicketRepository
    reference: SqlReferenceRepository
    outbox: SqlOutboxRepository

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None:
        """Make every change of this unit durable."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Discard uncommitted changes."""
