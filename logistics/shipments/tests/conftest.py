import pytest


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def web(client, erp, owner):
    """Here: the test client itself, logged in as the owner on the enterprise's host, in English."""
    client.force_login(owner)
    client.defaults["HTTP_HOST"] = f"{erp.slug}.localhost"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
