"""Tracking connectors: one interface (base.TrackingConnector), a push/subscribe adapter in the shape of the
Chinese aggregators (aggregator.AggregatorConnector, kuaidi100's HTTP shapes) and a polling adapter over the
same live-query call (polling.PollingConnector); registry.connector_for(parcel) picks one per carrier (own
trucks have none: the driver updates them). subscriptions.py holds the services the Celery tasks run."""
