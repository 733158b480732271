import graphene

from api.graphql.catalog.mutations.item_create import ItemCreate
from api.graphql.catalog.mutations.item_update import ItemUpdate


class CatalogMutations(graphene.ObjectType):
    item_create = ItemCreate.Field()
    item_update = ItemUpdate.Field()
