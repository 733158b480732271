"""Fixtures of the PDM apps' tests (parts, vault, changes)."""

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
def member(erp, owner, make_user):
    """member(role) -> a user holding that role in the `erp` enterprise (the owner for "owner")."""
    def make(role: str):
        if role == Role.OWNER:
            return owner
        user = make_user()
        Membership.objects.create(user=user, enterprise=erp, role=role)
        return user
    return make


@pytest.fixture
def login(client, erp):
    """login(user) -> the test client logged in as that user, talking to the enterprise's host in English."""
    def make(user):
        client.force_login(user)
        client.defaults["HTTP_HOST"] = f"{erp.slug}.localhost"
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client
    return make
