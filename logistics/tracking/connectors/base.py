"""The connector interface: subscribe a waybill (the provider pushes later) and query its track now."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from logistics.tracking.services import EventIn


class ConnectorError(Exception):
    """The provider could not be reached or refused the call; ``message`` says why (kept on the subscription).
    ``code``: "unreachable", "bad_answer", INCOMPLETE (nothing to subscribe: not retried) or the provider's
    returnCode."""

    INCOMPLETE = "incomplete"

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message[:300]
        self.code = code


@dataclass(frozen=True)
class QueryResult:
    """A track as the provider has it now: ``state`` a ParcelStatus value ("" when none yet), ``events``
    newest first, ``checked`` when the provider considers it finished (signed for or returned)."""

    state: str = ""
    events: list[EventIn] = field(default_factory=list)
    checked: bool = False


class TrackingConnector(ABC):
    name: str = ""  # Subscription.provider
    mode: str = ""  # Subscription.Mode value

    @abstractmethod
    def subscribe(self, subscription, callback_url: str) -> None:
        """Ask the provider to push this subscription's parcel to ``callback_url`` (signed with its salt).
        Raises ConnectorError."""

    @abstractmethod
    def query(self, parcel) -> QueryResult:
        """The parcel's track now. Raises ConnectorError."""
