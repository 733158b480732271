"""Billing in the schema: the enterprise's subscription (plan, modules, seats, the subsidy of a pilot
programme), its invoices, and the office's monthly subsidy statement. Subscriptions and invoices need
billing:read (core/scopes.py); the statement is for the informatization office only (checked by its root
field). No card, no payment provider's ids are ever exposed."""

from __future__ import annotations

from decimal import Decimal

import graphene

from api.graphql.billing.dataloaders import (PlanByIdLoader, ProgrammeByIdLoader, SubscriptionByIdLoader,
                                             SubsidySchemeByIdLoader)
from api.graphql.core.dataloaders import loaded_as
from api.graphql.core.pagination import CountableConnection
from api.graphql.core.types import enum_from_choices, resolve_with, want_related
from billing.models import Interval, Invoice, SubsidySettlement, Subscription

BillingIntervalEnum = enum_from_choices("BillingIntervalEnum", Interval)
SubscriptionStatusEnum = enum_from_choices("SubscriptionStatusEnum", Subscription.Status)
PaymentMethodEnum = enum_from_choices("PaymentMethodEnum", Subscription.PaymentMethod)
InvoiceStatusEnum = enum_from_choices("InvoiceStatusEnum", Invoice.Status)
SettlementStatusEnum = enum_from_choices("SubsidySettlementStatusEnum", SubsidySettlement.Status)


@loaded_as(PlanByIdLoader)
class BillingPlanType(graphene.ObjectType):
    class Meta:
        name = "BillingPlan"
        description = "A plan of the platform: the modules it switches on, seats and prices (CNY)."

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    name_en = graphene.String(required=True)
    modules = graphene.List(graphene.NonNull(graphene.String), required=True,
                            description="The modules the plan switches on (erp, pdm, logistics).")
    price_month = graphene.Decimal(required=True)
    price_year = graphene.Decimal(required=True)
    seats_included = graphene.Int(required=True)
    extra_seat_month = graphene.Decimal(required=True)
    extra_seat_year = graphene.Decimal(required=True)
    trial_days = graphene.Int(required=True)


class SubscriptionSubsidyType(graphene.ObjectType):
    class Meta:
        name = "SubscriptionSubsidy"
        description = "A pilot programme pays a share of the subscription's invoices until a date."

    programme_code = graphene.String(required=True)
    programme_name = graphene.String(required=True)
    percent = graphene.Decimal(required=True)
    until = graphene.Date(required=True, description="Invoices of periods starting before this day are subsidised.")


@loaded_as(SubscriptionByIdLoader)
class BillingSubscriptionType(graphene.ObjectType):
    class Meta:
        name = "BillingSubscription"
        description = "The enterprise's subscription."

    plan = graphene.Field(BillingPlanType, required=True)
    modules = graphene.List(graphene.NonNull(graphene.String), required=True, description="Of its plan.")
    interval = BillingIntervalEnum(required=True)
    status = SubscriptionStatusEnum(required=True)
    payment_method = PaymentMethodEnum(required=True)
    extra_seats = graphene.Int(required=True)
    seat_limit = graphene.Int(required=True, description="Seats of the plan plus extra seats.")
    trial_end = graphene.DateTime()
    current_period_start = graphene.DateTime()
    current_period_end = graphene.DateTime()
    cancel_at_period_end = graphene.Boolean(required=True)
    pending_plan = graphene.Field(BillingPlanType, description="A downgrade waiting for the end of the period.")
    past_due_since = graphene.DateTime()
    subsidy = graphene.Field(SubscriptionSubsidyType)

    @staticmethod
    def prepare(context, subscriptions):
        want_related(context, PlanByIdLoader, subscriptions, "plan")
        want_related(context, PlanByIdLoader, subscriptions, "pending_plan")
        want_related(context, SubsidySchemeByIdLoader, subscriptions, "subsidy_scheme")

    resolve_plan = resolve_with(PlanByIdLoader, "plan_id")
    resolve_pending_plan = resolve_with(PlanByIdLoader, "pending_plan_id")

    @staticmethod
    def resolve_modules(root, info):
        return list(PlanByIdLoader(info.context).load(root.plan_id).modules)

    @staticmethod
    def resolve_seat_limit(root, info):
        return PlanByIdLoader(info.context).load(root.plan_id).seats_included + root.extra_seats

    @staticmethod
    def resolve_subsidy(root, info):
        if root.subsidy_scheme_id is None or root.subsidy_until is None:
            return None
        scheme = SubsidySchemeByIdLoader(info.context).load(root.subsidy_scheme_id)
        programme = ProgrammeByIdLoader(info.context).load(scheme.programme_id)
        return SubscriptionSubsidyType(programme_code=programme.code, programme_name=programme.name,
                                       percent=scheme.percent, until=root.subsidy_until)


class BillingInvoiceLineType(graphene.ObjectType):
    class Meta:
        name = "BillingInvoiceLine"
        description = "A line of an invoice; the programme's share is a line of kind “subsidy” (negative), and " \
                      "a refused subsidy a line of kind “subsidy_refused” (0) saying why."

    kind = graphene.String(required=True, description="'' for a charge, 'subsidy' or 'subsidy_refused'.")
    description = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    amount = graphene.Decimal(required=True)

    @staticmethod
    def resolve_kind(root, info):
        return root.get("kind") or ""

    @staticmethod
    def resolve_description(root, info):
        return str(root.get("description") or "")

    @staticmethod
    def resolve_quantity(root, info):
        try:
            return int(root.get("quantity") or 1)
        except (TypeError, ValueError):
            return 1

    @staticmethod
    def resolve_amount(root, info):
        return Decimal(str(root.get("amount") or "0"))


class BillingInvoiceNode(graphene.ObjectType):
    class Meta:
        name = "BillingInvoice"
        interfaces = (graphene.relay.Node,)
        description = "An invoice of the platform to the enterprise: total = subsidy share + enterprise share."

    number = graphene.String(required=True)
    status = InvoiceStatusEnum(required=True)
    currency = graphene.String(required=True)
    period_start = graphene.Date()
    period_end = graphene.Date()
    amount_total = graphene.Decimal(required=True)
    subsidy_amount = graphene.Decimal(required=True, description="The pilot programme's share.")
    amount_due = graphene.Decimal(required=True, description="The enterprise's share.")
    amount_paid = graphene.Decimal(required=True)
    outstanding = graphene.Decimal(required=True)
    lines = graphene.List(graphene.NonNull(BillingInvoiceLineType), required=True)
    issued_at = graphene.DateTime(required=True)
    due_on = graphene.Date()
    paid_at = graphene.DateTime()
    plan = graphene.Field(BillingPlanType, description="The plan of the subscription the invoice is for.")

    @staticmethod
    def prepare(context, invoices):
        want_related(context, SubscriptionByIdLoader, invoices, "subscription")

    @staticmethod
    def resolve_lines(root, info):
        return [line for line in root.lines if isinstance(line, dict)]

    @staticmethod
    def resolve_plan(root, info):
        subscription = SubscriptionByIdLoader(info.context).load(root.subscription_id)
        return PlanByIdLoader(info.context).load(subscription.plan_id) if subscription else None


class BillingInvoiceConnection(CountableConnection):
    class Meta:
        node = BillingInvoiceNode


class SubsidyStatementLineType(graphene.ObjectType):
    class Meta:
        name = "SubsidyStatementLine"
        description = "One invoice's subsidy share in a programme's monthly statement."

    enterprise = graphene.String(required=True)
    uscc = graphene.String(required=True)
    invoice_number = graphene.String(required=True)
    plan = graphene.String(required=True)
    period_start = graphene.Date()
    period_end = graphene.Date()
    amount_total = graphene.Decimal(required=True)
    percent = graphene.Decimal()
    subsidy_amount = graphene.Decimal(required=True)
    enterprise_share = graphene.Decimal(required=True)
    granted_on = graphene.Date(required=True)
    paid = graphene.Decimal(required=True)


class SubsidyStatementType(graphene.ObjectType):
    class Meta:
        name = "SubsidyStatement"
        description = "A programme's monthly statement of subsidy shares (informatization office only)."

    programme_code = graphene.String(required=True)
    programme_name = graphene.String(required=True)
    month = graphene.String(required=True, description="YYYY-MM")
    total = graphene.Decimal(required=True)
    status = SettlementStatusEnum(description="None while no statement was issued for the month.")
    paid_on = graphene.Date()
    bank_reference = graphene.String()
    lines = graphene.List(graphene.NonNull(SubsidyStatementLineType), required=True)

    @staticmethod
    def of(statement) -> "SubsidyStatementType":
        settlement = statement.settlement
        return SubsidyStatementType(
            programme_code=statement.programme.code, programme_name=statement.programme.name,
            month=statement.month.strftime("%Y-%m"), total=statement.total,
            status=settlement.status if settlement else None, paid_on=settlement.paid_on if settlement else None,
            bank_reference=(settlement.bank_reference or None) if settlement else None,
            lines=[SubsidyStatementLineType(**vars(line)) for line in statement.lines])
