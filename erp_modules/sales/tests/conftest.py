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
def web(client, erp, owner):
    """A test client logged in as the owner, talking to the enterprise's host."""
    client.force_login(owner)
    client.defaults["HTTP_HOST"] = f"{erp.slug}.localhost"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def two_enterprises(enterprise_pair):
    """make(prefix) -> (a, b, alice, bob): enterprises `<prefix>-a` and `<prefix>-b` (conftest's
    enterprise_pair), for the tenant isolation tests."""
    return lambda prefix: enterprise_pair(f"{prefix}-a", f"{prefix}-b")
