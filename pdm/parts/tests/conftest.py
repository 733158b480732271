import pytest

from tenants.models import Role


@pytest.fixture
def web(login, member):
    """web(role) -> a test client logged in with that role, talking to the enterprise's host (the fixtures
    shared by the PDM apps: pdm/conftest.py)."""
    def make(role: str = Role.OWNER):
        return login(member(role))
    return make


@pytest.fixture
def assert_queries(django_assert_num_queries):
    """assert_queries(n): django_assert_num_queries, not counting django-tenants' `SET search_path`
    (issued once per connection state, not per row)."""
    from contextlib import contextmanager

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    @contextmanager
    def check(n: int):
        with CaptureQueriesContext(connection) as captured:
            yield
        done = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]
        assert len(done) == n, f"expected {n} queries, {len(done)} were done:\n" + "\n".join(done)
    return check
