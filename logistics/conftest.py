"""Fixtures of the logistics apps' tests (carriers, shipments, tracking, freight, reports)."""

import pytest
from django.utils import translation

from tenants.models import Membership, Role


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in the English source text, whatever the zh-Hans catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def owner(erp):
    """The owner of the `erp` enterprise."""
    return Membership.objects.get(enterprise=erp, role=Role.OWNER).user


@pytest.fixture
def web(client, erp, owner, make_user):
    """web(role) -> the test client logged in with that role on the `erp` enterprise's host, in English."""
    def make(role: str = Role.OWNER):
        user = owner
        if role != Role.OWNER:
            user = make_user()
            Membership.objects.create(user=user, enterprise=erp, role=role)
        client.force_login(user)
        client.defaults["HTTP_HOST"] = f"{erp.slug}.localhost"
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client
    return make
