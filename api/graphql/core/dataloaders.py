"""Per-request DataLoaders that batch without an event loop.

graphql-core runs this schema synchronously, resolving one list element after another, so the
classic "collect keys until the next tick" cannot happen. Instead, whoever produces a set of
objects in bulk (a page of a connection, the lines loaded for a page of orders) announces the keys
their fields may need with `want(keys)` — see `prepare_nodes` — and the first `load(key)` fetches
every wanted key in ONE query. A field nobody asks for costs nothing: announced keys are only read
when something loads. So every list field costs a constant number of queries, whatever its size.

    class ItemByIdLoader(DataLoader[int, Item]):
        def batch_load(self, keys):
            items = Item.objects.in_bulk(keys)
            return [items.get(k) for k in keys]

    ItemByIdLoader(info.context).load(line.item_id)

One instance per loader class per request (kept on the request), so results are cached for the
request only.

Loaders return rows and know no GraphQL type: a node type names the loaders whose rows it presents with
`@loaded_as(ItemByIdLoader)`, and every batch such a loader fetches (or primes) then goes through the
type's `prepare`, which announces what the rows' own fields will load. Types import loaders; a loader
never imports a type.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, Iterable, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class DataLoader(ABC, Generic[K, V]):
    default = None  # the value for a key the batch did not return
    node_type = None  # the type that presents the rows (set by @loaded_as): its `prepare` sees every batch

    def __new__(cls, context):
        store = getattr(context, "_dataloaders", None)
        if store is None:
            store = {}
            setattr(context, "_dataloaders", store)
        loader = store.get(cls)
        if loader is None:
            loader = super().__new__(cls)
            loader.context = context
            loader._cache = {}
            loader._wanted = {}
            store[cls] = loader
        return loader

    @abstractmethod
    def batch_load(self, keys: list[K]) -> list[V]:
        """Return one value per key, in order, with one query."""

    def after_batch(self, values: list[V]) -> None:
        """Announce what the loaded objects' own fields will need: the node type's `prepare` (see
        prepare_nodes); a loader may add wants of its own."""
        if self.node_type is not None:
            prepare_nodes(self.context, self.node_type, self.rows_of(values))

    def rows_of(self, values: list[V]) -> list:
        """The rows in a batch's values: a value that is a list gives each of its rows."""
        rows = []
        for value in values:
            if isinstance(value, list):
                rows.extend(value)
            elif value is not None:
                rows.append(value)
        return rows

    def want(self, keys: Iterable[K]) -> None:
        for key in keys:
            if key is not None and key not in self._cache:
                self._wanted[key] = None

    def _flush(self) -> None:
        keys = list(self._wanted)
        self._wanted.clear()
        if not keys:
            return
        values = self.batch_load(keys)
        if len(values) != len(keys):
            raise RuntimeError(f"{type(self).__name__}.batch_load returned {len(values)} values for {len(keys)} keys")
        self._cache.update(zip(keys, values))
        self.after_batch(values)

    def load(self, key: K) -> V:
        if key is None:
            return self.default
        if key not in self._cache:
            self._wanted[key] = None
            self._flush()
        return self._cache.get(key, self.default)

    def load_many(self, keys: Iterable[K]) -> list[V]:
        keys = list(keys)
        self.want(keys)
        if any(k is not None and k not in self._cache for k in keys):
            self._flush()
        return [self._cache.get(k, self.default) if k is not None else self.default for k in keys]

    def prime(self, key: K, value: V) -> None:
        self._cache.setdefault(key, value)


class ByIdLoader(DataLoader[int, V]):
    """Rows of ``model`` by primary key (each concrete loader names its model)."""

    model = None

    def batch_load(self, keys):
        rows = self.model.objects.in_bulk(keys)
        return [rows.get(k) for k in keys]


def loaded_as(*loader_classes: type[DataLoader]):
    """Class decorator of a node type: the rows these loaders fetch are presented by it, so each batch
    goes through its `prepare(context, rows)`. One type per loader."""

    def register(node_type):
        for loader_class in loader_classes:
            if loader_class.__dict__.get("node_type") not in (None, node_type):
                raise TypeError(f"{loader_class.__name__} already presents {loader_class.node_type.__name__}")
            loader_class.node_type = node_type
        return node_type

    return register


def prepare_nodes(context, node_type, objects) -> None:
    """Let a type announce the keys its fields will load for these objects (`prepare(context, objects)`)."""
    objects = [o for o in objects if o is not None]
    prepare = getattr(node_type, "prepare", None)
    if objects and prepare is not None:
        prepare(context, objects)


def group_by(rows, key) -> dict:
    result: dict = {}
    for row in rows:
        result.setdefault(key(row), []).append(row)
    return result
