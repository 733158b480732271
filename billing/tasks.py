"""Celery tasks of billing's provider sync. The webhook view stores an event and queues
``provider_event_process`` after its transaction commits; the task re-reads the object from the provider
(billing.services.sync.event_process) and retries with a growing delay when the provider does not answer
or the event names a subscription whose row is not committed yet. The work is in the services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from billing.providers.base import ProviderError
from billing.services import sync

log = logging.getLogger(__name__)
NOT_KNOWN_RETRIES = 3  # an object that is still unknown after these is not ours (ignored)


@shared_task(bind=True, name="billing.provider_event_process", ignore_result=True, acks_late=True,
             max_retries=None)
def provider_event_process(self, event_pk: int) -> str:
    retries = self.request.retries
    try:
        return sync.event_process(event_pk=event_pk).status
    except sync.NotKnownYet as exc:
        if retries >= NOT_KNOWN_RETRIES:
            sync.event_ignore(event_pk=event_pk, note=f"{exc} is not a subscription or invoice of the platform")
            return "ignored"
        raise self.retry(countdown=2 * (retries + 1)) from exc
    except ProviderError as exc:
        final = retries >= settings.STRIPE_EVENT_MAX_RETRIES
        sync.event_failed(event_pk=event_pk, error=f"{exc.code}: {exc}", final=final)
        if final:
            log.error("provider event %s failed for good after %s retries: %s", event_pk, retries, exc)
            return "failed"
        raise self.retry(countdown=min(600, 5 * 2 ** retries)) from exc
