"""The base of every mutation (after Saleor): permissions declared in Meta, checked before anything
else; input problems returned as typed errors `[{field, message, code}]` of the domain's error type
(Meta.error_type: `code` is the domain's enum, core/error_codes.py; a Django ValidationError raised by a
service is mapped to them); everything a mutation writes is one transaction.

    class ItemCreate(BaseMutation):
        item = graphene.Field(ItemNode)

        class Arguments:
            input = ItemCreateInput(required=True)

        class Meta:
            description = "Create an item."
            permissions = (Scope.CATALOG_WRITE,)
            host = Host.ENTERPRISE
            error_type = CatalogError

        @classmethod
        def perform_mutation(cls, root, info, input):
            ...
            return cls(item=item)
"""

from __future__ import annotations

from dataclasses import replace

import graphene
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from graphene.types.mutation import MutationOptions
from graphql_relay import from_global_id

from api.graphql.core.error_codes import code_in
from api.graphql.core.errors import errors_from_validation
from api.graphql.core.permissions import Host, check_permissions
from core.errors import field_error


class BaseMutationOptions(MutationOptions):
    permissions: tuple = ()
    host: Host = Host.ANY
    field_map: dict | None = None
    error_type: type | None = None


class BaseMutation(graphene.Mutation):
    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(cls, permissions=(), host=Host.ANY, field_map=None, error_type=None, _meta=None,
                                    **options):
        if not callable(getattr(cls, "perform_mutation", None)):  # the work of every concrete mutation
            raise TypeError(f"{cls.__name__} must define perform_mutation(cls, root, info, **arguments)")
        if error_type is None or not hasattr(error_type, "code_enum"):
            raise TypeError(f"{cls.__name__} must declare Meta.error_type: its domain's error type (core/error_codes.py)")
        if _meta is None:
            _meta = BaseMutationOptions(cls)
        _meta.permissions = tuple(permissions)
        _meta.host = host
        _meta.field_map = field_map or {}
        _meta.error_type = error_type
        # the payload's first field, before those the mutation declares
        _meta.fields = {"errors": graphene.List(
            graphene.NonNull(error_type), required=True,
            description="Empty when the mutation succeeded; nothing was written otherwise.").mount_as(graphene.Field)}
        super().__init_subclass_with_meta__(_meta=_meta, **options)

    @classmethod
    def mutate(cls, root, info, **data):
        check_permissions(info, scopes=cls._meta.permissions, host=cls._meta.host)
        try:
            with transaction.atomic():
                result = cls.perform_mutation(root, info, **data)
        except ValidationError as exc:
            code_enum = cls._meta.error_type.code_enum
            return cls(errors=[replace(error, code=code_in(code_enum, error.code))
                               for error in errors_from_validation(exc, field_map=cls._meta.field_map)])
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


def one_or_not_found(queryset, global_id: str, type_name: str, message: str, *, field: str = "id"):
    """The row of `queryset` (already narrowed to what the caller may act on) with the primary key in a
    global ID of `type_name`. A missing row and another enterprise's get the same ValidationError
    (not_found on `field`, with the mutation's own `message`): existence is never revealed across tenants."""
    obj = queryset.filter(pk=pk_from_global_id(global_id, type_name, field)).first()
    if obj is None:
        raise field_error(field, message, "not_found")
    return obj
