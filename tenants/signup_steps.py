"""What happens after an enterprise is created by the public sign-up, contributed by the modules above.

The sign-up (tenants.views.signup) creates the enterprise and its owner on the public host, then hands the
owner's session over to the enterprise's own host (a log-in hand-off: sessions are bound to a host). Where
the hand-off lands is asked here: each module that wants the new owner to do something first registers a
step in its AppConfig.ready(), and tenants never imports it::

    signup_next_step_register(key="plan", order=10, step=plan_step)

``step(enterprise, request)`` receives the new enterprise and the sign-up request (public host, the owner
logged in) and returns a path on the enterprise's host ("/billing/welcome/") or None when it has nothing to
ask (e.g. no plan offered). The first path returned, in ``order``, is where the owner lands; when every step
returns None, the dashboard with its welcome message, as before any step existed. The registry is filled at
start-up only, so it is the same in every process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Step = Callable[[object, object], "str | None"]


@dataclass(frozen=True)
class SignupStep:
    key: str
    order: int
    step: Step


_STEPS: dict[str, SignupStep] = {}


def signup_next_step_register(*, key: str, order: int, step: Step) -> None:
    """Register (or replace, by key) a step asked after each sign-up."""
    _STEPS[key] = SignupStep(key=key, order=order, step=step)


def signup_next_step_unregister(*, key: str) -> None:
    _STEPS.pop(key, None)


def signup_next_path(*, enterprise, request) -> str | None:
    """The path on the enterprise's host where the new owner goes first, None for the dashboard."""
    for entry in sorted(_STEPS.values(), key=lambda s: (s.order, s.key)):
        path = entry.step(enterprise, request)
        if path and path.startswith("/") and not path.startswith("//"):
            return path
    return None
