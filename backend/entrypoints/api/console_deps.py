"""The console's services, built from the container (cheap objects, one per request)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends

from backend.adapters.db.parked_inbound import SqlParkedInbound
from backend.bootstrap import Container
from backend.domain.access import LockoutPolicy
from backend.entrypoints.api.deps import ContainerDep
from backend.services.auth_service import AuthService
from backend.services.console_actions import ConsoleActions
from backend.services.failed_deliveries import FailedDeliveries
from backend.services.figures_cache import CachedStatistics
from backend.services.handoff import HandoffService
from backend.services.parked_messages import ParkedMessages
from backend.services.statistics import Statistics
from backend.services.ticket_details import TicketDetails
from backend.services.ticket_queries import TicketQueries
from backend.services.user_service import UserService


def auth_service(container: Container) -> AuthService:
    """Log-in with the configured lock-out policy."""
    settings = container.settings
    policy = LockoutPolicy(settings.login_max_failures, timedelta(minutes=settings.login_lockout_minutes))
    return AuthService(container.session_factory, container.clock, policy, container.login_throttle)


def get_queries(container: ContainerDep) -> TicketQueries:
    """The inbox queries."""
    return TicketQueries(container.session_factory, container.clock, container.settings.inbox_count_cap)


def get_details(container: ContainerDep) -> TicketDetails:
    """The ticket page's data."""
    return TicketDetails(container.session_factory, container.clock, container.media.url_of)


def get_actions(container: ContainerDep) -> ConsoleActions:
    """Officials' actions over the core workflow."""
    return ConsoleActions(container.session_factory, container.workflow)


def get_failed_deliveries(container: ContainerDep) -> FailedDeliveries:
    """Failed deliveries: the list, its count and sending again."""
    return FailedDeliveries(container.session_factory, container.clock, container.settings.inbox_count_cap)


def get_parked_messages(container: ContainerDep) -> ParkedMessages:
    """Inbound messages the gateway gave up on: the list and its count."""
    return ParkedMessages(SqlParkedInbound(container.session_factory), container.settings.inbox_count_cap)


def get_handoffs(container: ContainerDep) -> HandoffService:
    """Take over / hand back."""
    return HandoffService(container.session_factory, container.clock)


def get_statistics(container: ContainerDep) -> CachedStatistics:
    """Dashboard statistics, behind the short per-filter cache (DASHBOARD_CACHE_SECONDS)."""
    statistics = Statistics(container.session_factory, container.clock)
    return CachedStatistics(statistics, container.figures_cache, container.settings.dashboard_cache_seconds)


def get_users(container: ContainerDep) -> UserService:
    """Account administration."""
    return UserService(container.session_factory)


QueriesDep = Annotated[TicketQueries, Depends(get_queries)]
DetailsDep = Annotated[TicketDetails, Depends(get_details)]
ActionsDep = Annotated[ConsoleActions, Depends(get_actions)]
HandoffsDep = Annotated[HandoffService, Depends(get_handoffs)]
FailedDeliveriesDep = Annotated[FailedDeliveries, Depends(get_failed_deliveries)]
ParkedMessagesDep = Annotated[ParkedMessages, Depends(get_parked_messages)]
StatisticsDep = Annotated[CachedStatistics, Depends(get_statistics)]
UsersDep = Annotated[UserService, Depends(get_users)]
