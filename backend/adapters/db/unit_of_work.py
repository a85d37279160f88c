"""SQLAlchemy unit of work."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from backend.adapters.db.outbox_repository import SqlOutboxRepository
from backend.adapters.db.reference_repository import SqlReferenceRepository
from backend.adapters.db.ticket_repository import SqlTicketRepository
from backend.services.unit_of_work import AbstractUnitOfWork


class SqlAlchemyUnitOfWork(AbstractUnitOfWork):
    """One session per `with` block; repositories bound to it."""

    session: Session

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        self.tickets = SqlTicketRepository(self.session)
        self.reference = SqlReferenceRepository(self.session)
        self.outbox = SqlOutboxRepository(self.session)
        return super().__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back anything uncommitted without expiring loaded objects.
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
