"""`enterprises(search:)` finds an enterprise by its credit code as people type it: full-width (a Chinese
input method), in groups with spaces or dashes, lower case — through core.uscc.normalize_uscc, like the pages."""

import pytest
from django.test import Client

from api.graphql.tests.conftest import gql
from core.uscc import uscc_make

pytestmark = pytest.mark.django_db

CODE = uscc_make(org_body="MA2H7Q9B")
QUERY = "query($q: String) { enterprises(search: $q) { edges { node { uscc } } } }"


def _full_width(code: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in code)


@pytest.mark.parametrize("typed", [
    CODE,
    CODE.lower(),
    f"{_full_width(CODE[:8])}\u3000{_full_width(CODE[8:])}",
    f"{CODE[:6]}-{CODE[6:12]} {CODE[12:]}",
    f"{CODE[:9]}\uff0d{CODE[9:]}",  # a full-width hyphen
])
def test_enterprises_search_finds_the_credit_code_as_typed(make_enterprise, typed):
    make_enterprise(slug="search-wide", uscc=CODE)
    make_enterprise(slug="search-other")

    result = gql(Client(), QUERY, {"q": typed})

    assert result == {"data": {"enterprises": {"edges": [{"node": {"uscc": CODE}}]}}}
