import pytest

from tenants.models import Membership, Role


@pytest.fixture
def owner(erp):
    """The owner of the `erp` enterprise."""
    return Membership.objects.get(enterprise=erp, role=Role.OWNER).user


@pytest.fixture
def web(client, erp, owner):
    """A test client logged in as the owner, talking to the enterprise's host."""
    client.force_login(owner)
    client.defaults["HTTP_HOST"] = f"{erp.slug}.localhost"
    return client
