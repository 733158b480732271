"""Government data (public schema, api/govdata): registry records, credit events and ratings, the
credit badge, linked to enterprises by credit code.

`registry` and `credit` need the office role, or the enterprise's own token (scope govdata:read) or
membership; `creditBadge` is the summary the boards show to everyone. `GovRecordFields` gives them to
`Enterprise` (api/graphql/enterprises/types.py) and to `GovRecord` (any credit code).
"""

from __future__ import annotations

import graphene
from django.utils import timezone
from django.utils.translation import gettext as _

from api.govdata.models import Channel, CreditSource, EventKind, RatingScheme, RegistryStatus, Severity
from api.govdata.selectors import credit_badge_build, event_is_active
from api.graphql.core.auth import auth_of
from api.graphql.core.errors import PermissionDenied
from api.graphql.core.types import enum_from_choices
from api.graphql.govdata.dataloaders import CreditEventsByUsccLoader, CreditRatingsByUsccLoader, RegistryByUsccLoader

RegistryStatusEnum = enum_from_choices("RegistryStatusEnum", RegistryStatus)
CreditEventKindEnum = enum_from_choices("CreditEventKindEnum", EventKind)
SeverityEnum = enum_from_choices("CreditSeverityEnum", Severity)
CreditSourceEnum = enum_from_choices("CreditSourceEnum", CreditSource)
RatingSchemeEnum = enum_from_choices("RatingSchemeEnum", RatingScheme)
ChannelEnum = enum_from_choices("GovDataChannelEnum", Channel)


class BadgeLevelEnum(graphene.Enum):
    GOOD = "good"
    WATCH = "watch"
    ALERT = "alert"
    UNKNOWN = "unknown"


class Provenance(graphene.ObjectType):
    channel = ChannelEnum(required=True)
    source_record_id = graphene.String(required=True)
    fetched_at = graphene.DateTime(required=True)
    version = graphene.Int(required=True)
    sync_run_id = graphene.Int()

    @staticmethod
    def resolve_sync_run_id(root, info):
        return root.sync_run_id


def the_record(root, info):
    """The resolver of a government record's `provenance`: the record carries its own source fields."""
    return root


class RegistryRecordType(graphene.ObjectType):
    class Meta:
        name = "RegistryRecord"
        description = "The enterprise's current entry in the registry (企业信息数据库)."

    uscc = graphene.String(required=True)
    name = graphene.String(required=True)
    former_names = graphene.List(graphene.NonNull(graphene.String), required=True)
    reg_no = graphene.String(required=True, description="The 15-digit registration number used before the USCC.")
    enterprise_type = graphene.String(required=True)
    legal_representative = graphene.String(required=True)
    registered_capital = graphene.Decimal(description="In 10,000 units (万元) of capitalCurrency.")
    capital_currency = graphene.String(required=True)
    established_on = graphene.Date()
    term_from = graphene.Date()
    term_to = graphene.Date(description="Null with termIndefinite when the term has no end (9999-09-09).")
    term_indefinite = graphene.Boolean(required=True)
    authority = graphene.String(required=True)
    status = RegistryStatusEnum(required=True)
    status_raw = graphene.String(required=True, description="As published (存续, 吊销，未注销 …).")
    domicile = graphene.String(required=True)
    division_code = graphene.String(required=True)
    business_scope = graphene.String(required=True)
    industry_code = graphene.String(required=True, description="GB/T 4754.")
    employees = graphene.Int()
    provenance = graphene.Field(Provenance, required=True, resolver=the_record)


class CreditEventType(graphene.ObjectType):
    class Meta:
        name = "CreditEvent"

    kind = CreditEventKindEnum(required=True)
    kind_raw = graphene.String(required=True)
    severity = SeverityEnum(required=True)
    source = CreditSourceEnum(required=True)
    document_no = graphene.String(required=True)
    authority = graphene.String(required=True)
    title = graphene.String(required=True)
    reason = graphene.String(required=True)
    amount = graphene.Decimal(description="CNY.")
    listed_on = graphene.Date()
    removed_on = graphene.Date()
    active = graphene.Boolean(required=True, description="In force today.")
    provenance = graphene.Field(Provenance, required=True, resolver=the_record)

    @staticmethod
    def resolve_active(root, info):
        return event_is_active(root, timezone.localdate())


class CreditRatingType(graphene.ObjectType):
    class Meta:
        name = "CreditRating"

    scheme = RatingSchemeEnum(required=True)
    scheme_name = graphene.String(required=True)
    year = graphene.Int()
    grade = graphene.String(required=True)
    score = graphene.Decimal()
    scale = graphene.String(required=True)
    authority = graphene.String(required=True)
    valid_from = graphene.Date()
    valid_to = graphene.Date()
    provenance = graphene.Field(Provenance, required=True, resolver=the_record)


class CreditBadgeType(graphene.ObjectType):
    class Meta:
        name = "CreditBadge"
        description = "The summary shown beside an enterprise on its page and its board listings."

    level = BadgeLevelEnum(required=True)
    label = graphene.String(required=True)
    tax_grade = graphene.String(required=True)
    tax_year = graphene.Int()
    public_score = graphene.String(required=True)
    registry_abnormal = graphene.Boolean(required=True)
    active_negative_kinds = graphene.List(graphene.NonNull(CreditEventKindEnum), required=True)

    @staticmethod
    def resolve_active_negative_kinds(root, info):
        return sorted({e.kind for e in root.active_negative})


class Credit(graphene.ObjectType):
    ratings = graphene.List(graphene.NonNull(CreditRatingType), required=True)
    events = graphene.List(graphene.NonNull(CreditEventType), required=True,
                           active_only=graphene.Boolean(default_value=False))

    @staticmethod
    def resolve_ratings(root, info):
        return CreditRatingsByUsccLoader(info.context).load(root)

    @staticmethod
    def resolve_events(root, info, active_only=False):
        events = CreditEventsByUsccLoader(info.context).load(root)
        if active_only:
            today = timezone.localdate()
            events = [e for e in events if event_is_active(e, today)]
        return events


def _badge(info, uscc: str):
    return credit_badge_build(uscc=uscc, registry=RegistryByUsccLoader(info.context).load(uscc),
                              events=CreditEventsByUsccLoader(info.context).load(uscc),
                              ratings=CreditRatingsByUsccLoader(info.context).load(uscc))


def _guard(info, uscc: str) -> None:
    if not auth_of(info.context).can_read_govdata(uscc):
        raise PermissionDenied(_("Government data needs the informatization office role or the enterprise's own "
                                 "API token (scope govdata:read)."))


class GovRecordFields:
    registry = graphene.Field(RegistryRecordType, description="Office, or the enterprise's own token / members.")
    credit = graphene.Field(Credit, description="Office, or the enterprise's own token / members.")
    credit_badge = graphene.Field(CreditBadgeType, required=True)

    @staticmethod
    def resolve_registry(root, info):
        _guard(info, root.uscc)
        return RegistryByUsccLoader(info.context).load(root.uscc)

    @staticmethod
    def resolve_credit(root, info):
        _guard(info, root.uscc)
        return root.uscc

    @staticmethod
    def resolve_credit_badge(root, info):
        return _badge(info, root.uscc)


class GovRecord(GovRecordFields, graphene.ObjectType):
    class Meta:
        description = "Government data of any credit code (enterprise on the platform or not)."

    uscc = graphene.String(required=True)
