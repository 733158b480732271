"""PUBLIC schema: plans, subscriptions, invoices, payments (cards through a provider, 对公转账 recorded by
the platform's finance staff), fapiao requests, subsidy schemes of the office's pilot programmes, and the
events the payment provider sends.

The core is provider-neutral: a provider (billing.providers: Stripe first) keeps its own ids in
``provider_refs`` / ``provider_*_id`` fields, and what an enterprise may use is decided here and written to
the enterprise (tenants: modules, seat limit, access), where it is enforced in one place. Billing never
deletes an enterprise's data: it only switches modules off and writes off."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from office.models import Programme, Subsidy
from tenants.models import Enterprise

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0")


class Interval(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Yearly")


class Plan(models.Model):
    """What an enterprise subscribes to: the modules it switches on, seats, prices per interval, a trial.
    Each plan is a product at the provider with one recurring price per interval (and one per extra seat)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    modules = ArrayField(models.CharField(max_length=20, choices=Enterprise.Module.choices), default=list, blank=True,
                         verbose_name=_("modules"))
    price_month = models.DecimalField(_("price per month (CNY)"), default=ZERO, **MONEY)
    price_year = models.DecimalField(_("price per year (CNY)"), default=ZERO, **MONEY)
    seats_included = models.PositiveIntegerField(_("seats included"), default=3)
    extra_seat_month = models.DecimalField(_("extra seat per month (CNY)"), default=ZERO, **MONEY)
    extra_seat_year = models.DecimalField(_("extra seat per year (CNY)"), default=ZERO, **MONEY)
    trial_days = models.PositiveIntegerField(_("trial days"), default=14)
    is_active = models.BooleanField(_("offered"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    # {"stripe": {"product": "prod_…", "month": "plan_…", "year": "plan_…", "seat_month": "…", "seat_year": "…"}}
    provider_refs = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["sort_order", "price_month", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(price_month__gte=0) & Q(price_year__gte=0) & Q(extra_seat_month__gte=0)
                                   & Q(extra_seat_year__gte=0), name="billing_plan_prices_not_negative"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_free(self) -> bool:
        return not self.price_month and not self.price_year

    def price(self, interval: str) -> Decimal:
        return self.price_year if interval == Interval.YEAR else self.price_month

    def extra_seat_price(self, interval: str) -> Decimal:
        return self.extra_seat_year if interval == Interval.YEAR else self.extra_seat_month


class SubsidyScheme(models.Model):
    """A pilot programme of the office pays part of a plan: ``percent`` of each invoice for ``months`` months
    from the start of the subscription, for at most ``max_enterprises`` enterprises. The subsidy share of an
    invoice becomes a grant (office.Subsidy) of the programme, checked against its budget like every grant."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="subsidy_schemes",
                                  verbose_name=_("programme"))
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subsidy_schemes", verbose_name=_("plan"))
    percent = models.DecimalField(_("subsidy (%)"), max_digits=5, decimal_places=2)
    months = models.PositiveIntegerField(_("for months"), default=12)
    max_enterprises = models.PositiveIntegerField(_("at most (enterprises)"))
    is_active = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subsidy scheme")
        verbose_name_plural = _("subsidy schemes")
        constraints = [
            models.CheckConstraint(condition=Q(percent__gt=0) & Q(percent__lte=100), name="billing_scheme_percent_range"),
            models.UniqueConstraint(fields=["programme", "plan"], name="billing_scheme_one_per_programme_plan"),
        ]

    def __str__(self):
        return f"{self.programme} · {self.plan} · {self.percent}%"


class Subscription(models.Model):
    """An enterprise's subscription. At most one is current (not cancelled) per enterprise; cancelled ones
    stay as history. ``status`` follows the provider's (trialing, active, past_due, canceled, …)."""

    class Status(models.TextChoices):
        TRIALING = "trialing", _("Trial")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Past due")
        UNPAID = "unpaid", _("Unpaid")
        INCOMPLETE = "incomplete", _("Incomplete")
        CANCELED = "canceled", _("Cancelled")

    class PaymentMethod(models.TextChoices):
        CARD = "card", _("Card (Stripe)")
        BANK_TRANSFER = "bank_transfer", _("Corporate bank transfer (对公转账)")
        NONE = "none", _("None (free plan)")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="subscriptions",
                                   verbose_name=_("enterprise"))
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("plan"))
    interval = models.CharField(_("billing interval"), max_length=5, choices=Interval.choices, default=Interval.MONTH)
    extra_seats = models.PositiveIntegerField(_("extra seats"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.TRIALING)
    payment_method = models.CharField(_("payment method"), max_length=14, choices=PaymentMethod.choices,
                                      default=PaymentMethod.CARD)
    provider = models.CharField(_("provider"), max_length=20, blank=True)  # "stripe"; "" for bank transfer / free
    provider_customer_id = models.CharField(max_length=100, blank=True)
    provider_subscription_id = models.CharField(max_length=100, blank=True)
    trial_end = models.DateTimeField(_("trial ends"), null=True, blank=True)
    current_period_start = models.DateTimeField(_("period start"), null=True, blank=True)
    current_period_end = models.DateTimeField(_("period end"), null=True, blank=True)
    cancel_at_period_end = models.BooleanField(_("cancels at period end"), default=False)
    # A downgrade waits for the end of the period.
    pending_plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("next plan"))
    pending_interval = models.CharField(max_length=5, choices=Interval.choices, blank=True)
    past_due_since = models.DateTimeField(_("past due since"), null=True, blank=True)
    canceled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    subsidy_scheme = models.ForeignKey(SubsidyScheme, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="subscriptions", verbose_name=_("subsidy"))
    subsidy_until = models.DateField(_("subsidised until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise"], condition=~Q(status="canceled"),
                                    name="billing_one_current_subscription"),
            models.UniqueConstraint(fields=["provider", "provider_subscription_id"],
                                    condition=~Q(provider_subscription_id=""), name="billing_subscription_provider_id"),
        ]
        indexes = [models.Index(fields=["status", "past_due_since"], name="billing_sub_status_idx")]

    def __str__(self):
        return f"{self.enterprise} · {self.plan}"

    @property
    def seat_limit(self) -> int:
        return self.plan.seats_included + self.extra_seats


class Invoice(models.Model):
    """An invoice of the platform to an enterprise (mirrors the provider's invoice when paid by card).
    ``amount_total`` is the full price; ``subsidy_amount`` the programme's share (a receivable of the
    programme: ``subsidy`` is its grant); the enterprise owes ``amount_due`` = total − subsidy."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        VOID = "void", _("Void")
        UNCOLLECTIBLE = "uncollectible", _("Uncollectible")

    number = models.CharField(_("number"), max_length=30, unique=True)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="invoices",
                                   verbose_name=_("enterprise"))
    subscription = models.ForeignKey(Subscription, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="invoices", verbose_name=_("subscription"))
    provider = models.CharField(max_length=20, blank=True)
    provider_invoice_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.OPEN)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    amount_total = models.DecimalField(_("total"), default=ZERO, **MONEY)
    subsidy_amount = models.DecimalField(_("subsidy share"), default=ZERO, **MONEY)
    amount_due = models.DecimalField(_("enterprise share"), default=ZERO, **MONEY)
    amount_paid = models.DecimalField(_("paid"), default=ZERO, **MONEY)
    lines = models.JSONField(_("lines"), default=list, blank=True)  # [{"description", "quantity", "amount"}]
    subsidy = models.OneToOneField(Subsidy, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice",
                                   verbose_name=_("subsidy grant"))
    issued_at = models.DateTimeField(_("issued"))
    due_on = models.DateField(_("due"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_invoice_id"], condition=~Q(provider_invoice_id=""),
                                    name="billing_invoice_provider_id"),
            models.CheckConstraint(condition=Q(amount_due=models.F("amount_total") - models.F("subsidy_amount")),
                                   name="billing_invoice_shares_add_up"),
            models.CheckConstraint(condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=models.F("amount_due")),
                                   name="billing_invoice_paid_within_due"),
            models.CheckConstraint(condition=Q(subsidy_amount__gte=0) & Q(subsidy_amount__lte=models.F("amount_total")),
                                   name="billing_invoice_subsidy_within_total"),
        ]

    def __str__(self):
        return self.number

    @property
    def outstanding(self) -> Decimal:
        return self.amount_due - self.amount_paid


class BankTransfer(models.Model):
    """A corporate bank transfer (对公转账) received for an invoice, recorded by the platform's finance staff.
    Several may pay one invoice (partial payments); the bank reference is unique."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="bank_transfers",
                                verbose_name=_("invoice"))
    amount = models.DecimalField(_("amount"), **MONEY)
    received_on = models.DateField(_("received on"))
    bank_reference = models.CharField(_("bank reference"), max_length=60, unique=True)
    payer_name = models.CharField(_("payer"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bank transfer")
        verbose_name_plural = _("bank transfers")
        ordering = ["-received_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="billing_transfer_positive")]


class FapiaoRequest(models.Model):
    """The enterprise asks for a VAT fapiao (发票) for an invoice; the platform's finance staff issue it."""

    class Kind(models.TextChoices):
        NORMAL = "normal", _("General VAT fapiao (普票)")
        SPECIAL = "special", _("Special VAT fapiao (专票)")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ISSUED = "issued", _("Issued")

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="fapiao_request",
                                   verbose_name=_("invoice"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.NORMAL)
    title = models.CharField(_("buyer name (抬头)"), max_length=200)
    tax_number = models.CharField(_("taxpayer number"), max_length=20)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("account"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    fapiao_number = models.CharField(_("fapiao number"), max_length=40, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("fapiao request")
        verbose_name_plural = _("fapiao requests")
        ordering = ["-requested_at"]


class SubsidySettlement(models.Model):
    """The monthly statement of a programme's subsidy shares, settled by one bank transfer from the fund."""

    class Status(models.TextChoices):
        OPEN = "open", _("To be paid")
        PAID = "paid", _("Paid")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="subsidy_settlements",
                                  verbose_name=_("programme"))
    month = models.DateField(_("month"))  # the first day of the month
    amount = models.DecimalField(_("amount"), default=ZERO, **MONEY)
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.OPEN)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subsidy settlement")
        verbose_name_plural = _("subsidy settlements")
        ordering = ["-month", "programme_id"]
        constraints = [models.UniqueConstraint(fields=["programme", "month"], name="billing_settlement_one_per_month")]


class ProviderEvent(models.Model):
    """An event a payment provider sent (a webhook), stored once: the unique (provider, event_id) makes a
    redelivery or a replay a no-op. Processed by a Celery task with retries, which re-reads the object
    from the provider instead of trusting the event's order."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="billing_event_once")]


class RejectedWebhook(models.Model):
    """A webhook request refused (bad or missing signature, stale timestamp, unreadable body): logged, never
    processed."""

    provider = models.CharField(max_length=20)
    reason = models.CharField(max_length=200)
    remote_addr = models.CharField(max_length=45, blank=True)
    body_sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]


class DunningNotice(models.Model):
    """A dunning e-mail sent to an enterprise's owner about a past-due subscription: the automatic ones on
    day 1, 7 and 13 of being past due (billing.dunning), each once per episode of being past due (the
    unique constraint: a second run, or two workers at once, send nothing twice), and reminders sent by
    hand by the platform administrator (step 0, as many as they like)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="dunning_notices",
                                     verbose_name=_("subscription"))
    past_due_since = models.DateTimeField(_("past due since"))  # the episode the notice belongs to
    step = models.PositiveSmallIntegerField(_("day"))  # 1, 7, 13; 0 = sent by hand
    recipients = models.CharField(_("sent to"), max_length=500, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dunning notice")
        verbose_name_plural = _("dunning notices")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "past_due_since", "step"], condition=Q(step__gt=0),
                                    name="billing_dunning_once_per_step"),
        ]
