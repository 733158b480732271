"""The GraphQL schema (graphene-django): api/graphql/<domain>/ modules are joined here."""

import graphene


class Query(graphene.ObjectType):
    ping = graphene.String(description="Answers 'pong' (health of the API).")

    def resolve_ping(root, info):
        return "pong"


schema = graphene.Schema(query=Query)
