"""The base of every mutation (after Saleor): permissions declared in Meta, checked before anything
else; input problems returned as typed errors `[{field, message, code}]` (a Django ValidationError
raised by a service is mapped to them); everything a mutation writes is one transaction.

    class ItemCreate(BaseMutation):
        item = graphene.Field(ItemNode)

        class Arguments:
            input = ItemCreateInput(required=True)

        class Meta:
            description = "Create an item."
            permissions = (Scope.CATALOG_WRITE,)
            host = Host.ENTERPRISE

        @classmethod
        def perform_mutation(cls, root, info, input):
            ...
            return cls(item=item)
"""

from __future__ import annotations

import graphene
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from graphene.types.mutation import MutationOptions
from graphql_relay import from_global_id

from api.graphql.core.errors import Error, errors_from_validation
from api.graphql.core.permissions import Host, check_permissions
from core.errors import field_error


class BaseMutationOptions(MutationOptions):
    permissions: tuple = ()
    host: Host = Host.ANY
    field_map: dict | None = None


class BaseMutation(graphene.Mutation):
    errors = graphene.List(graphene.NonNull(Error), required=True,
                           description="Empty when the mutation succeeded; nothing was written otherwise.")

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(cls, permissions=(), host=Host.ANY, field_map=None, _meta=None, **options):
        if not callable(getattr(cls, "perform_mutation", None)):  # the work of every concrete mutation
            raise TypeError(f"{cls.__name__} must define perform_mutation(cls, root, info, **arguments)")
        if _meta is None:
            _meta = BaseMutationOptions(cls)
        _meta.permissions = tuple(permissions)
        _meta.host = host
        _meta.field_map = field_map or {}
        super().__init_subclass_with_meta__(_meta=_meta, **options)

    @classmethod
    def mutate(cls, root, info, **data):
        check_permissions(info, scopes=cls._meta.permissions, host=cls._meta.host)
        try:
            with transaction.atomic():
                result = cls.perform_mutation(root, info, **data)
        except ValidationError as exc:
            return cls(errors=errors_from_validation(exc, field_map=cls._meta.field_map))
        if getattr(result, "errors", None) is None:
            result.errors = []
        return result



def pk_from_global_id(value: str, type_name: str, field: str = "id") -> int:
    """The primary key in a global ID of `type_name`; a ValidationError (not_found) otherwise."""
    try:
        kind, pk = from_global_id(value)
        if kind != type_name:
            raise ValueError
        return int(pk)
    except Exception:
        raise field_error(field, _("No %(type)s has this ID.") % {"type": type_name}, "not_found")
