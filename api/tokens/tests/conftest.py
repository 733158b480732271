import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are asserted in the English source text, whatever the zh-Hans catalogue holds."""
    with translation.override("en"):
        yield
