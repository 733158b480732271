"""Fixtures of the freight board's tests: the seeded boards, Celery in this process, shipments."""

import pytest
from celery import current_app

from ecommerce.models import Board
from ecommerce.seed import boards_ensure


@pytest.fixture(autouse=True)
def _boards(request):
    """The seeded boards (a transactional test elsewhere in the run may have flushed them)."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("_django_db_helper")
    if not Board.objects.filter(code="freight").exists():
        boards_ensure()


@pytest.fixture
def tasks_run_here():
    """Celery runs what is queued after a commit in this process (matching, notification mails)."""
    conf = current_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved
