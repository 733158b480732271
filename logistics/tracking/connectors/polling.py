"""The polling adapter: nothing to subscribe; Celery beat (tracking_poll_due) asks the provider's live query
(kuaidi100 /poll/query.do) for each due parcel, with backoff and a per-carrier rate limit."""

from __future__ import annotations

from logistics.tracking.connectors import kuaidi100
from logistics.tracking.connectors.base import QueryResult, TrackingConnector


class PollingConnector(TrackingConnector):
    name = "polling"
    mode = "poll"

    def subscribe(self, subscription, callback_url: str) -> None:
        """Polled parcels need no subscription at the provider."""

    def query(self, parcel) -> QueryResult:
        return kuaidi100.query(parcel)
