"""Depth and cost limits, checked on every operation before it runs (introspection excepted).

Depth: the deepest chain of fields (fragments expanded), at most MAX_DEPTH.
Cost: every field costs 1 multiplied by how many times it may be resolved: inside a connection's
`edges` that is its page size (`first`/`last`, from the query or its variables, else the default
page size); inside another list an estimate of LIST_ESTIMATE. At most MAX_COST.

    {"errors": [{"message": "The query is 14 levels deep; at most 12 are allowed.",
                 "extensions": {"code": "QUERY_TOO_DEEP", "depth": 14, "limit": 12}}]}
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from graphql import (FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLError, GraphQLList,
                     GraphQLNonNull, GraphQLObjectType, InlineFragmentNode, IntValueNode, VariableNode,
                     get_named_type, get_operation_ast)

from api.graphql.core.pagination import DEFAULT_PAGE_SIZE

MAX_DEPTH = 12
MAX_COST = 20000
LIST_ESTIMATE = 10


def _arg_int(field: FieldNode, name: str, variables: dict) -> int | None:
    for arg in field.arguments or ():
        if arg.name.value != name:
            continue
        if isinstance(arg.value, IntValueNode):
            return int(arg.value.value)
        if isinstance(arg.value, VariableNode):
            value = (variables or {}).get(arg.value.name.value)
            return value if isinstance(value, int) else None
    return None


def _is_list(field_type) -> bool:
    while isinstance(field_type, (GraphQLNonNull, GraphQLList)):
        if isinstance(field_type, GraphQLList):
            return True
        field_type = field_type.of_type
    return False


class _Walker:
    def __init__(self, schema, fragments, variables):
        self.schema, self.fragments, self.variables = schema, fragments, variables or {}

    def walk(self, selection_set, parent_type, depth: int, page_size: int | None, visiting: frozenset):
        """(max depth, cost) of a selection set under `parent_type`."""
        max_depth, cost = depth, 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue
                field_def = parent_type.fields.get(name) if isinstance(parent_type, GraphQLObjectType) else None
                if field_def is None:
                    continue  # unknown fields: validation reports them
                named = get_named_type(field_def.type)
                multiplier, child_page = 1, None
                if named.name.endswith("Connection") and "edges" in getattr(named, "fields", {}):
                    first = _arg_int(selection, "first", self.variables)
                    last = _arg_int(selection, "last", self.variables)
                    child_page = first if first is not None else last if last is not None else DEFAULT_PAGE_SIZE
                elif name == "edges" and page_size is not None:
                    multiplier = page_size
                elif _is_list(field_def.type):
                    multiplier = LIST_ESTIMATE
                child_depth, child_cost = depth + 1, 0
                if selection.selection_set is not None:
                    child_depth, child_cost = self.walk(selection.selection_set, named, depth + 1, child_page, visiting)
                max_depth = max(max_depth, child_depth)
                cost += multiplier * (1 + child_cost)
            elif isinstance(selection, InlineFragmentNode):
                type_ = (self.schema.get_type(selection.type_condition.name.value)
                         if selection.type_condition else parent_type)
                d, c = self.walk(selection.selection_set, type_, depth, page_size, visiting)
                max_depth, cost = max(max_depth, d), cost + c
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in visiting:
                    continue
                type_ = self.schema.get_type(fragment.type_condition.name.value)
                d, c = self.walk(fragment.selection_set, type_, depth, page_size, visiting | {name})
                max_depth, cost = max(max_depth, d), cost + c
        return max_depth, cost


def measure(schema, document, operation_name=None, variables=None) -> tuple[int, int]:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0, 0
    root = {"query": schema.query_type, "mutation": schema.mutation_type,
            "subscription": schema.subscription_type}[operation.operation.value]
    if root is None:
        return 0, 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return _Walker(schema, fragments, variables).walk(operation.selection_set, root, 0, None, frozenset())


def limit_errors(schema, document, operation_name=None, variables=None, *, max_depth: int = MAX_DEPTH,
                 max_cost: int = MAX_COST) -> list[GraphQLError]:
    depth, cost = measure(schema, document, operation_name, variables)
    errors = []
    if depth > max_depth:
        errors.append(GraphQLError(
            _("The query is %(depth)d levels deep; at most %(limit)d are allowed. Ask for fewer nested fields.")
            % {"depth": depth, "limit": max_depth},
            extensions={"code": "QUERY_TOO_DEEP", "depth": depth, "limit": max_depth}))
    if cost > max_cost:
        errors.append(GraphQLError(
            _("The query would cost %(cost)d points; at most %(limit)d are allowed. Ask for fewer nodes per page "
              "(first/last) or fewer nested fields.") % {"cost": cost, "limit": max_cost},
            extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": max_cost}))
    return errors
