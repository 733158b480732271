"""Payment providers behind one interface (base.PaymentProvider). ``provider()`` gives the configured one:
Stripe (against localstripe offline, or Stripe itself with STRIPE_API_KEY)."""

from __future__ import annotations

from functools import cache

from billing.providers.base import PaymentProvider


@cache
def provider() -> PaymentProvider:
    from billing.providers.stripe import StripeProvider

    return StripeProvider()
