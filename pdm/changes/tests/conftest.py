import pytest


@pytest.fixture
def web(login, owner):
    """The test client logged in as the owner (the fixtures shared by the PDM apps: pdm/conftest.py)."""
    return login(owner)
