"""Small shared pieces for the domain types."""

from __future__ import annotations

import graphene


def enum_from_choices(name: str, choices, description: str = "") -> type[graphene.Enum]:
    """A GraphQL enum of a Django TextChoices (member NAME = stored value). Built on the choices enum
    itself, so a field answers alike whether it holds the stored string (read from the database) or
    the member (just set by a service)."""
    return graphene.Enum.from_enum(choices, name=name, description=description or None)


def want_related(context, loader_cls, objects, field_name: str) -> None:
    """Announce the foreign keys `field_name` of `objects` to a *ById loader; a relation that was
    already fetched (select_related) primes the loader instead of costing a query."""
    if not objects:
        return
    loader = loader_cls(context)
    field = type(objects[0])._meta.get_field(field_name)
    primed = []
    for obj in objects:
        key = getattr(obj, field.attname)
        if key is None:
            continue
        if field.is_cached(obj):
            value = getattr(obj, field_name)
            if key not in loader._cache:
                loader.prime(key, value)
                primed.append(value)
        else:
            loader.want([key])
    if primed:
        loader.after_batch(primed)  # the primed objects announce what their own fields need


def resolve_with(loader_cls, key: str = "pk"):
    """The resolver of a field a loader answers: `loader_cls(info.context).load(root.<key>)` — a related
    row by its foreign key (`resolve_item = resolve_with(ItemByIdLoader, "item_id")`) or a row's children
    by its own key (`resolve_lines = resolve_with(SalesOrderLinesByOrderIdLoader)`). The type's `prepare`
    still announces the keys, so a page costs one query per loader."""

    def resolve(root, info):
        return loader_cls(info.context).load(getattr(root, key))

    return staticmethod(resolve)


def enum_value(value):
    """The stored value of an enum input (graphene passes the member)."""
    return getattr(value, "value", value)
