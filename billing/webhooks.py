"""The payment provider's webhook endpoint (public host, no log-in, no CSRF: the signature is the key).

POST /billing/webhooks/stripe/ with a ``Stripe-Signature: t=…,v1=…`` header. The signature is checked with
the endpoint secret (settings.STRIPE_WEBHOOK_SECRET) and a 300 s tolerance (STRIPE_WEBHOOK_TOLERANCE):
forged, unsigned, stale or unreadable requests get 400 and are logged (RejectedWebhook). A verified event
is stored once (ProviderEvent, unique on the event id) and processed by a Celery task after the commit;
a redelivery or a replay of a stored event gets 200 (the provider stops retrying) and does nothing.
The reply is immediate: nothing is read from the provider here."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.http import HttpResponseNotAllowed, JsonResponse
from django.http.request import RawPostDataException
from django.views.decorators.csrf import csrf_exempt

from billing.providers import provider
from billing.providers.base import SignatureError
from billing.services import sync
from billing.tasks import provider_event_process
from core.throttle import client_ip, throttle_hit

MAX_BODY = 512 * 1024  # Stripe's events are a few kB
RATE_LIMIT = 600  # requests per minute and address


@csrf_exempt
def stripe_webhook(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    backend = provider()
    address = client_ip(request) or ""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        sync.webhook_reject(provider_name=backend.name, reason="body too large", remote_addr=address, body=b"")
        return JsonResponse({"error": "body too large"}, status=413)
    if not throttle_hit(scope="billing-webhook", key=address, limit=RATE_LIMIT, window=timedelta(minutes=1)):
        return JsonResponse({"error": "too many requests"}, status=429, headers={"Retry-After": "60"})
    try:
        body = request.body
    except RawPostDataException:  # a multipart form, already parsed by core.input_guard: not a provider's event
        sync.webhook_reject(provider_name=backend.name, reason="not a signed JSON body", remote_addr=address,
                            body=b"")
        return JsonResponse({"error": "signature refused"}, status=400)
    try:
        event = backend.event_verify(body=body, signature_header=request.headers.get("Stripe-Signature", ""))
    except SignatureError as exc:
        sync.webhook_reject(provider_name=backend.name, reason=str(exc), remote_addr=address, body=body)
        return JsonResponse({"error": "signature refused"}, status=400)
    with transaction.atomic():
        stored, created = sync.event_store(provider_name=backend.name, event=event)
        if created:
            transaction.on_commit(lambda: provider_event_process.delay(stored.pk))
    return JsonResponse({"received": True, "duplicate": not created})
