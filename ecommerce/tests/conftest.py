"""Fixtures of the boards' tests (the root conftest provides make_user / make_enterprise)."""

import pytest

from ecommerce.models import Board
from ecommerce.seed import boards_ensure


@pytest.fixture(autouse=True)
def _boards(request):
    """The seeded boards: there after migrations, but a transactional test elsewhere in the run
    may have flushed them, so make sure they are there."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames))
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    if Board.objects.count() < 4:
        boards_ensure()
