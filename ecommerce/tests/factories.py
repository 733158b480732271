"""Small builders for the boards' tests (everything through the services)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from ecommerce import services
from ecommerce.models import Category, Listing
from tenants.models import Membership, Role

D = Decimal


def member(make_user, enterprise, role=Role.CLERK, **extra):
    user = make_user(**extra)
    Membership.objects.create(user=user, enterprise=enterprise, role=role)
    return user


def owner_of(enterprise):
    return Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user


def category(code: str) -> Category:
    return Category.objects.select_related("board").get(code=code)


def post(enterprise, *, user=None, kind="supply", category_code="appl-parts-motor", title="交流电机 220V",
         **fields) -> Listing:
    cat = category(category_code)
    if fields.get("is_rfq") and "rfq_deadline" not in fields:
        fields["rfq_deadline"] = timezone.now() + timedelta(days=3)
    return services.listing_create(enterprise=enterprise, user=user or owner_of(enterprise), kind=kind,
                                   board=cat.board, category=cat, title=title, **fields)
