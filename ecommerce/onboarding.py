"""The boards' getting-started step (core.onboarding): post a first listing on the supply-and-demand boards."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.onboarding import onboarding_step_register
from ecommerce.models import Listing
from tenants.selectors import site_base_url


def onboarding_steps_register() -> None:
    onboarding_step_register(
        key="boards", order=60, label=_("Post on the supply-and-demand boards"),
        help=_("What you make or what you need to buy: other enterprises of the city answer with quotations."),
        url=lambda request: f"{site_base_url(request=request)}/boards/new/",
        done=lambda request: Listing.objects.filter(enterprise_id=request.enterprise.pk).exists())
