"""Webhook endpoints of the payment providers, on the public host (config/urls_public.py includes these
under "billing/webhooks/"; core.runner points localstripe's webhook at /billing/webhooks/stripe/)."""

from django.urls import path

from billing import webhooks

app_name = "billing_webhooks"
urlpatterns = [
    path("stripe/", webhooks.stripe_webhook, name="stripe"),
]
