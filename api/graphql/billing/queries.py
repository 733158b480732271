"""Billing's root fields: the enterprise's own subscription and invoices (billing:read, on its own host; a
session needs the owner's or an administrator's role, as the billing pages do) and the office's subsidy
statement of a programme's month (informatization office and platform administrators only)."""

from __future__ import annotations

import graphene
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from api.graphql.billing.types import (BillingInvoiceConnection, BillingSubscriptionType, InvoiceStatusEnum,
                                       SubsidyStatementType)
from api.graphql.core.auth import auth_of
from api.graphql.core.errors import ApiError, NotFound, PermissionDenied, Unauthenticated
from api.graphql.core.pagination import connection_field, paginate
from api.graphql.core.permissions import Host, check_permissions, permission_required
from api.graphql.core.types import enum_value
from billing import selectors_subsidies
from billing.models import Invoice, Subscription
from billing.services.subsidies import month_clean
from office.models import Programme
from tenants.models import ROLE_RANK, Role

BILLING_READ = "billing:read"


def _billing_enterprise(info):
    """The enterprise whose billing the caller reads: the host's. A token has billing:read; a session is the
    owner's or an administrator's."""
    auth = auth_of(info.context)
    if auth.kind == "session" and (auth.membership is None
                                   or ROLE_RANK[auth.membership.role] < ROLE_RANK[Role.ADMIN]):
        error = PermissionDenied(_("Only the enterprise's owner and administrators read its billing."))
        error.extensions.update({"reason": "role_too_low"})
        raise error
    return auth.enterprise


class BillingQueries(graphene.ObjectType):
    billing_subscription = graphene.Field(
        BillingSubscriptionType, description="The enterprise's current subscription (null when it has none).")
    billing_invoices = connection_field(BillingInvoiceConnection, "The enterprise's invoices, newest first.",
                                        status=InvoiceStatusEnum())
    subsidy_statement = graphene.Field(
        graphene.NonNull(SubsidyStatementType),
        description="A programme's monthly statement of subsidy shares (informatization office only).",
        programme=graphene.String(required=True, description="The programme's code."),
        month=graphene.String(required=True, description="YYYY-MM"))

    @staticmethod
    @permission_required(BILLING_READ, host=Host.ENTERPRISE)
    def resolve_billing_subscription(root, info):
        enterprise = _billing_enterprise(info)
        subscription = (Subscription.objects.filter(enterprise=enterprise)
                        .exclude(status=Subscription.Status.CANCELED).select_related("plan").first())
        if subscription is not None:
            BillingSubscriptionType.prepare(info.context, [subscription])
        return subscription

    @staticmethod
    @permission_required(BILLING_READ, host=Host.ENTERPRISE)
    def resolve_billing_invoices(root, info, status=None, **page):
        enterprise = _billing_enterprise(info)
        qs = Invoice.objects.filter(enterprise=enterprise)
        if status:
            qs = qs.filter(status=enum_value(status))
        return paginate(qs.order_by("-issued_at", "-id"), BillingInvoiceConnection, info, **page)

    @staticmethod
    def resolve_subsidy_statement(root, info, programme, month):
        check_permissions(info)
        auth = auth_of(info.context)
        if auth.kind == "anonymous":
            raise Unauthenticated(_("Log in or send an API token (Authorization: Bearer …)."))
        if not auth.is_office:
            raise PermissionDenied(_("Only the informatization office reads subsidy statements."))
        try:
            month_day = month_clean(month)
        except ValidationError:
            raise ApiError(_("“month” must be a month as YYYY-MM."), code="BAD_USER_INPUT") from None
        found = Programme.objects.filter(code=programme).first()
        if found is None:
            raise NotFound(_("No programme has this code."))
        return SubsidyStatementType.of(selectors_subsidies.statement(programme=found, month=month_day))
