"""The GraphQL tests' fixtures (api/graphql/tests/conftest.py): /graphql/ routed, tokens, English messages."""

from api.graphql.tests.conftest import _english_messages, graphql_routes, make_token

__all__ = ["_english_messages", "graphql_routes", "make_token"]
