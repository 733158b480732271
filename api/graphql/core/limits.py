"""Limits checked on every operation before it runs: depth, cost, aliases and mutations.

Depth: the deepest chain of fields (fragments expanded), at most MAX_DEPTH (introspection fields excepted).
Cost: every field costs 1 multiplied by how many times it may be resolved: inside a connection's
`edges` that is its page size (`first`/`last`), inside another list an estimate of LIST_ESTIMATE. At most
MAX_COST. The page size is the argument's value as execution will see it: a literal, or a variable coerced
exactly as graphql-core coerces it (its default when the request gives none, `100.0` → 100), so
`query($n: Int = 100) { a: items(first: $n) … }` costs what `items(first: 100)` costs; without the argument,
the default page size. Variables that cannot be coerced are refused here with execution's own errors.
Aliases: at most MAX_ALIASES fields with an alias per operation (fragments counted each time they are
spread; introspection too). Mutations: at most MAX_MUTATIONS root fields in a mutation operation.

    {"errors": [{"message": "The query is 14 levels deep; at most 12 are allowed.",
                 "extensions": {"code": "QUERY_TOO_DEEP", "depth": 14, "limit": 12}}]}
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from graphql import (FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLError, GraphQLInterfaceType,
                     GraphQLList, GraphQLNonNull, GraphQLObjectType, InlineFragmentNode, OperationType,
                     get_named_type, get_operation_ast)
from graphql.execution.values import get_variable_values
from graphql.pyutils import Undefined
from graphql.utilities import value_from_ast

from api.graphql.core.pagination import DEFAULT_PAGE_SIZE

MAX_DEPTH = 12
MAX_COST = 20000
LIST_ESTIMATE = 10
MAX_ALIASES = 30
MAX_MUTATIONS = 10


@dataclass
class Measure:
    depth: int = 0
    cost: int = 0
    aliases: int = 0
    mutations: int = 0


def _arg_int(field: FieldNode, field_def, name: str, variables: dict) -> int | None:
    """The integer value of argument `name` as execution will coerce it (None when absent or not an int)."""
    arg_def = field_def.args.get(name)
    if arg_def is None:
        return None
    for arg in field.arguments or ():
        if arg.name.value == name:
            value = value_from_ast(arg.value, arg_def.type, variables)
            return value if isinstance(value, int) and value is not Undefined else None
    return arg_def.default_value if isinstance(arg_def.default_value, int) else None


def _is_list(field_type) -> bool:
    while isinstance(field_type, (GraphQLNonNull, GraphQLList)):
        if isinstance(field_type, GraphQLList):
            return True
        field_type = field_type.of_type
    return False


def _is_connection(named) -> bool:
    return isinstance(named, GraphQLObjectType) and named.name.endswith("Connection") and "edges" in named.fields


class _Walker:
    def __init__(self, schema, fragments, variables):
        self.schema, self.fragments, self.variables = schema, fragments, variables
        self.aliases = 0

    def walk(self, selection_set, parent_type, depth: int, page_size: int | None, visiting: frozenset):
        """(max depth, cost) of a selection set under `parent_type`; counts aliases on the way."""
        max_depth, cost = depth, 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.alias is not None:
                    self.aliases += 1
                name = selection.name.value
                if name.startswith("__"):
                    if selection.selection_set is not None:
                        self.walk(selection.selection_set, None, depth + 1, None, visiting)  # aliases only
                    continue
                fields = getattr(parent_type, "fields", None) if isinstance(
                    parent_type, (GraphQLObjectType, GraphQLInterfaceType)) else None
                field_def = fields.get(name) if fields else None
                if field_def is None:
                    continue  # unknown fields: validation reports them
                named = get_named_type(field_def.type)
                multiplier, child_page = 1, None
                if _is_connection(named):
                    first = _arg_int(selection, field_def, "first", self.variables)
                    last = _arg_int(selection, field_def, "last", self.variables)
                    child_page = first if first is not None else last if last is not None else DEFAULT_PAGE_SIZE
                    child_page = max(0, child_page)
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

    def root_fields(self, selection_set, visiting=frozenset()) -> int:
        """How many fields the root selection runs (fragments on the root expanded)."""
        count = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                count += 0 if selection.name.value.startswith("__") else 1
            elif isinstance(selection, InlineFragmentNode):
                count += self.root_fields(selection.selection_set, visiting)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and selection.name.value not in visiting:
                    count += self.root_fields(fragment.selection_set, visiting | {selection.name.value})
        return count


def _operation(schema, document, operation_name):
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None, None
    root = {"query": schema.query_type, "mutation": schema.mutation_type,
            "subscription": schema.subscription_type}[operation.operation.value]
    return operation, root


def measure(schema, document, operation_name=None, variables=None) -> Measure:
    """Depth, cost, aliases and mutations of the operation; `variables` already coerced (see limit_errors)."""
    operation, root = _operation(schema, document, operation_name)
    if operation is None or root is None:
        return Measure()
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    walker = _Walker(schema, fragments, variables or {})
    depth, cost = walker.walk(operation.selection_set, root, 0, None, frozenset())
    mutations = walker.root_fields(operation.selection_set) if operation.operation == OperationType.MUTATION else 0
    return Measure(depth=depth, cost=cost, aliases=walker.aliases, mutations=mutations)


def coerce_variables(schema, document, operation_name, variables) -> dict | list[GraphQLError]:
    """The operation's variables as execution will see them (defaults applied), or its coercion errors."""
    operation, _root = _operation(schema, document, operation_name)
    if operation is None:
        return {}
    return get_variable_values(schema, operation.variable_definitions or (), variables or {}, max_errors=10)


def limit_errors(schema, document, operation_name=None, variables=None, *, max_depth: int = MAX_DEPTH,
                 max_cost: int = MAX_COST, max_aliases: int = MAX_ALIASES,
                 max_mutations: int = MAX_MUTATIONS) -> list[GraphQLError]:
    coerced = coerce_variables(schema, document, operation_name, variables)
    if isinstance(coerced, list):
        return coerced  # the errors execution would give; nothing runs
    found = measure(schema, document, operation_name, coerced)
    errors = []
    if found.depth > max_depth:
        errors.append(GraphQLError(
            _("The query is %(depth)d levels deep; at most %(limit)d are allowed. Ask for fewer nested fields.")
            % {"depth": found.depth, "limit": max_depth},
            extensions={"code": "QUERY_TOO_DEEP", "depth": found.depth, "limit": max_depth}))
    if found.cost > max_cost:
        errors.append(GraphQLError(
            _("The query would cost %(cost)d points; at most %(limit)d are allowed. Ask for fewer nodes per page "
              "(first/last) or fewer nested fields.") % {"cost": found.cost, "limit": max_cost},
            extensions={"code": "QUERY_TOO_COSTLY", "cost": found.cost, "limit": max_cost}))
    if found.aliases > max_aliases:
        errors.append(GraphQLError(
            _("The request uses %(count)d aliases; at most %(limit)d are allowed.")
            % {"count": found.aliases, "limit": max_aliases},
            extensions={"code": "TOO_MANY_ALIASES", "count": found.aliases, "limit": max_aliases}))
    if found.mutations > max_mutations:
        errors.append(GraphQLError(
            _("The request runs %(count)d mutations; at most %(limit)d are allowed in one request.")
            % {"count": found.mutations, "limit": max_mutations},
            extensions={"code": "TOO_MANY_MUTATIONS", "count": found.mutations, "limit": max_mutations}))
    return errors
