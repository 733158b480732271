"""Demo data contributed by the modules that own it.

``manage.py seed_demo`` (tenants) makes the platform's users and the demo enterprises, then runs the
seeders that modules register in their AppConfig.ready(), in ``order``; tenants imports none of them::

    demo_seeder_register(key="office", order=90, seed=seed_programme_demo)

A seeder takes no arguments, is idempotent (seed_demo runs again on every start of `make run`) and
returns whether it created anything. The registry is filled at start-up only, like core.dashboard's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoSeeder:
    key: str
    order: int
    seed: Callable[[], object]


_SEEDERS: dict[str, DemoSeeder] = {}


def demo_seeder_register(*, key: str, order: int, seed: Callable[[], object]) -> None:
    _SEEDERS[key] = DemoSeeder(key=key, order=order, seed=seed)


def demo_seeders() -> list[Callable[[], object]]:
    """The registered seeders, in order."""
    return [s.seed for s in sorted(_SEEDERS.values(), key=lambda s: (s.order, s.key))]
