"""Relay cursor connections with a maximum page size.

`first`/`after` (or `last`/`before`) page through a queryset; at most MAX_PAGE_SIZE (100) nodes per
page, DEFAULT_PAGE_SIZE (20) when neither is given. A page costs one query (it reads one row more
than asked to know whether there is a next page); `totalCount` costs a COUNT only when asked for.
Cursors are opaque offsets (base64 "arrayconnection:N").
"""

from __future__ import annotations

import graphene
from django.utils.translation import gettext as _
from graphql_relay import cursor_to_offset, offset_to_cursor

from api.graphql.core.dataloaders import prepare_nodes
from api.graphql.core.errors import ApiError, PageSizeExceeded

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_OFFSET = 10 ** 9  # a cursor past it was not made by us (and would overflow the database's OFFSET)


class CountableConnection(graphene.relay.Connection):
    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="All nodes matching the filters (costs a COUNT).")

    @staticmethod
    def resolve_total_count(root, info):
        if getattr(root, "_total", None) is None:
            root._total = root.queryset.count()
        return root._total


def connection_args(**extra) -> dict:
    return {"first": graphene.Int(description=f"Page size from the start (at most {MAX_PAGE_SIZE})."),
            "after": graphene.String(), "last": graphene.Int(description=f"Page size from the end (at most {MAX_PAGE_SIZE})."),
            "before": graphene.String(), **extra}


def connection_field(connection_type, description: str = "", **filters) -> graphene.Field:
    return graphene.Field(graphene.NonNull(connection_type), description=description, args=connection_args(**filters))


def _offset(cursor: str | None, name: str) -> int | None:
    if cursor is None:
        return None
    offset = cursor_to_offset(cursor)
    if offset is None or offset < 0 or offset > MAX_OFFSET:
        raise ApiError(_("“%(name)s” is not a cursor of this connection.") % {"name": name}, code="INVALID_CURSOR")
    return offset


def _size(value: int | None, name: str) -> int | None:
    if value is None:
        return None
    if value < 0:
        raise ApiError(_("“%(name)s” cannot be negative.") % {"name": name}, code="INVALID_PAGE_SIZE")
    if value > MAX_PAGE_SIZE:
        raise PageSizeExceeded(_("“%(name)s” asks for %(n)d nodes; a page has at most %(max)d.")
                               % {"name": name, "n": value, "max": MAX_PAGE_SIZE})
    return value


def paginate(queryset, connection_type, info, *, first=None, after=None, last=None, before=None, node_type=None,
             **_filters):
    """A page of `queryset` (already filtered and ordered) as `connection_type`."""
    first, last = _size(first, "first"), _size(last, "last")
    if first is not None and last is not None:
        raise ApiError(_("Use either “first” or “last”, not both."), code="INVALID_PAGE_SIZE")
    after_offset, before_offset = _offset(after, "after"), _offset(before, "before")
    start = after_offset + 1 if after_offset is not None else 0
    total = None
    if last is not None:
        end = before_offset
        if end is None:
            total = queryset.count()
            end = total
        start = max(start, end - last)
        rows = list(queryset[start:end]) if end > start else []
        has_next = before_offset is not None
        has_previous = start > 0
    else:
        limit = first if first is not None else DEFAULT_PAGE_SIZE
        if before_offset is not None:
            limit = max(0, min(limit, before_offset - start))
        rows = list(queryset[start:start + limit + 1]) if limit else []
        has_next = len(rows) > limit
        rows = rows[:limit]
        has_previous = start > 0
    prepare_nodes(info.context, node_type or connection_type._meta.node, rows)
    edges = [connection_type.Edge(node=row, cursor=offset_to_cursor(start + i)) for i, row in enumerate(rows)]
    page_info = graphene.relay.PageInfo(
        start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None,
        has_previous_page=has_previous, has_next_page=has_next)
    connection = connection_type(edges=edges, page_info=page_info)
    connection.queryset = queryset
    connection._total = total
    return connection
