"""Getting started: the steps a new enterprise takes, each ticked from its real data (never by a click).

The dashboard (tenants) shows the list to owners and administrators until every step is done; the modules
that own the data register their steps in their AppConfig.ready(), like the dashboard's cards::

    onboarding_step_register(key="bom", order=40, label=gettext_lazy("Create your first bill of materials"),
                             url=lambda request: reverse("catalog:bom_new"), done=lambda request: Bom.objects.exists())

``done(request)`` runs on the enterprise's host (its schema active, ``request.enterprise`` set) and answers
with one cheap query; ``url(request)`` is where the step is taken. The registry is filled at start-up only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class OnboardingStep:
    key: str
    order: int
    label: object  # a lazy translation
    help: object
    url: Callable[[object], str]
    done: Callable[[object], bool]


_STEPS: dict[str, OnboardingStep] = {}


def onboarding_step_register(*, key: str, order: int, label, url: Callable[[object], str],
                             done: Callable[[object], bool], help="") -> None:
    _STEPS[key] = OnboardingStep(key=key, order=order, label=label, help=help, url=url, done=done)


@dataclass(frozen=True)
class StepState:
    key: str
    label: str
    help: str
    url: str
    done: bool


def onboarding_steps_for(request) -> list[StepState]:
    """Every registered step, in order, with whether the enterprise has done it."""
    return [StepState(key=step.key, label=str(step.label), help=str(step.help), url=step.url(request),
                      done=bool(step.done(request)))
            for step in sorted(_STEPS.values(), key=lambda s: (s.order, s.key))]
