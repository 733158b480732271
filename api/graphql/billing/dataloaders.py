"""The loaders of billing's rows (plans, subscriptions, schemes, programmes): one query per loader and request
(core/dataloaders.py). Billing lives in the public schema."""

from __future__ import annotations

from api.graphql.core.dataloaders import ByIdLoader
from billing.models import Plan, SubsidyScheme, Subscription
from office.models import Programme


class PlanByIdLoader(ByIdLoader[Plan]):
    model = Plan


class SubscriptionByIdLoader(ByIdLoader[Subscription]):
    model = Subscription


class SubsidySchemeByIdLoader(ByIdLoader[SubsidyScheme]):
    model = SubsidyScheme


class ProgrammeByIdLoader(ByIdLoader[Programme]):
    model = Programme
