import graphene

from api.graphql.accounts.mutations.api_token_create import ApiTokenCreate
from api.graphql.accounts.mutations.api_token_revoke import ApiTokenRevoke


class AccountMutations(graphene.ObjectType):
    api_token_create = ApiTokenCreate.Field()
    api_token_revoke = ApiTokenRevoke.Field()
