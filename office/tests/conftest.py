import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in the English source text, whatever the zh-Hans catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def office(make_user):
    return make_user(email="office@office.test", platform_role="office", full_name="信息化办公室")


@pytest.fixture
def programme():
    from office.tests.builders import make_programme

    return make_programme()
