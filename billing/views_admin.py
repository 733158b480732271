"""The platform administrator's billing pages, on the public host under /platform/billing/
(config/urls_public.py): MRR and subscribers by plan over time, the plans editor, every subscription with
filters and an Excel export, the past-due list with its dunning e-mails, open invoices with the recording
of corporate bank transfers (对公转账), and the fapiao queue.

Who: platform administrators only (``User.is_platform_admin``). A visitor gets the log-in page, any other
user (an enterprise's owner, the office) the "not allowed" page (403); on an enterprise's host these URLs
do not exist (404). Views are thin: the writes are the owner helper's services (plans, transfers, fapiao)
and billing.dunning."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from billing import selectors_admin as selectors
from billing.dunning import STEPS, days_past_due, dunning_remind
from billing.forms_admin import BankTransferForm, FapiaoIssueForm, PlanForm
from billing.models import FapiaoRequest, Interval, Invoice, Plan, Subscription
from billing.selectors import module_labels, plan_name
from billing.services.invoices import bank_transfer_record, fapiao_request_issue
from billing.services.plans import plan_create, plan_update
from core.errors import error_messages
from core.forms import form_errors_from
from core.tables import Column, Filter, Table
from office.permissions import login_redirect


def platform_admin_required(view):
    """Platform administrators only, and only on the public host."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if getattr(request, "enterprise", None) is not None:
            raise Http404
        if not request.user.is_authenticated:
            return login_redirect(request)
        if not request.user.is_platform_admin:
            return render(request, "billing/admin/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _plan_choices() -> list[tuple[str, str]]:
    return [(str(p.pk), plan_name(p)) for p in Plan.objects.all()]


# ------------------------------------------------------------------------------------- dashboard

@platform_admin_required
def dashboard(request):
    report = selectors.mrr_by_month(months=12)
    current = report.months[-1]
    return render(request, "billing/admin/dashboard.html", {
        "active": "dashboard", "report": report, "current": current,
        "plan_names": [plan_name(p) for p in report.plans],
        "mrr_chart": report.mrr_chart(name=_("MRR (CNY)")),
        "subscribers_chart": report.subscribers_chart(name_of=plan_name),
        "past_due_count": selectors.past_due_list().count(),
        "fapiao_waiting": selectors.fapiao_queue().filter(status=FapiaoRequest.Status.REQUESTED).count(),
        "open_invoices": Invoice.objects.filter(status=Invoice.Status.OPEN).count(),
    })


# ----------------------------------------------------------------------------------------- plans

class ModulesColumn(Column):
    def value(self, obj):
        return ", ".join(module_labels(obj)) or _("boards only")


class PlanNameColumn(Column):
    """A plan (the attribute named by key) by its name in the reader's language."""

    def value(self, obj):
        return plan_name(getattr(obj, self.key))


def plans_table(request) -> Table:
    return Table(request, selectors.plan_admin_list(), columns=[
        Column("code", gettext_lazy("Code"), sort="code", link=lambda p: reverse("billing_admin:plan_edit",
                                                                                 args=[p.pk])),
        Column("name", gettext_lazy("Name"), sort="name"),
        Column("name_en", gettext_lazy("English name")),
        ModulesColumn("modules", gettext_lazy("Modules")),
        Column("price_month", gettext_lazy("Per month (CNY)"), money=True, sort="price_month"),
        Column("price_year", gettext_lazy("Per year (CNY)"), money=True, sort="price_year"),
        Column("seats_included", gettext_lazy("Seats included"), numeric=True),
        Column("extra_seat_month", gettext_lazy("Extra seat per month (CNY)"), money=True),
        Column("trial_days", gettext_lazy("Trial days"), numeric=True),
        Column("is_active", gettext_lazy("Offered")),
        Column("current_count", gettext_lazy("Current subscriptions"), numeric=True, sort="current_count"),
    ], search_fields=["code", "name", "name_en"], export_name="plans", default_sort="sort_order")


@platform_admin_required
def plan_list(request):
    table = plans_table(request)
    if table.wants_export:
        return table.export_response()
    return render(request, "billing/admin/plan_list.html", {"active": "plans", "table": table})


def _plan_form_page(request, plan: Plan | None):
    form = PlanForm(request.POST or None, plan=plan)
    if request.method == "POST":
        if form.is_valid():
            try:
                if plan is None:
                    saved = plan_create(code=form.cleaned_data["code"], actor=request.user, **form.plan_fields())
                else:
                    saved = plan_update(plan=plan, actor=request.user, **form.plan_fields())
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, (_("Plan %(name)s created.") if plan is None
                                           else _("Plan %(name)s saved.")) % {"name": plan_name(saved)})
                return redirect("billing_admin:plans")
    return render(request, "billing/admin/plan_form.html", {"active": "plans", "form": form, "plan": plan},
                  status=400 if request.method == "POST" else 200)


@platform_admin_required
def plan_new(request):
    return _plan_form_page(request, None)


@platform_admin_required
def plan_edit(request, pk: int):
    return _plan_form_page(request, selectors.plan_admin_get(pk=pk))


# --------------------------------------------------------------------------------- subscriptions

def subscriptions_table(request) -> Table:
    return Table(request, selectors.subscription_admin_list(), columns=[
        Column("enterprise.name", gettext_lazy("Enterprise"), sort="enterprise__name"),
        Column("enterprise.uscc", gettext_lazy("Credit code")),
        PlanNameColumn("plan", gettext_lazy("Plan"), sort="plan__sort_order"),
        Column("interval", gettext_lazy("Interval"), sort="interval"),
        Column("extra_seats", gettext_lazy("Extra seats"), numeric=True),
        Column("status", gettext_lazy("Status"), sort="status"),
        Column("payment_method", gettext_lazy("Payment method"), sort="payment_method"),
        Column("current_period_end", gettext_lazy("Period end"), sort="current_period_end"),
        Column("trial_end", gettext_lazy("Trial ends")),
        Column("cancel_at_period_end", gettext_lazy("Cancels at period end")),
        PlanNameColumn("pending_plan", gettext_lazy("Next plan")),
        Column("past_due_since", gettext_lazy("Past due since"), sort="past_due_since"),
        Column("subsidy_scheme.percent", gettext_lazy("Subsidy (%)")),
        Column("outstanding", gettext_lazy("Outstanding (CNY)"), money=True, sort="outstanding"),
        Column("created_at", gettext_lazy("Created"), sort="created_at"),
    ], search_fields=["enterprise__name", "enterprise__uscc", "enterprise__slug"], filters=[
        Filter("plan", gettext_lazy("Plan"), _plan_choices(), lookup="plan_id"),
        Filter("status", gettext_lazy("Status"), Subscription.Status.choices),
        Filter("interval", gettext_lazy("Interval"), Interval.choices),
        Filter("payment_method", gettext_lazy("Payment method"), Subscription.PaymentMethod.choices),
    ], export_name="subscriptions", default_sort="-created_at")


@platform_admin_required
def subscription_list(request):
    table = subscriptions_table(request)
    if table.wants_export:
        return table.export_response()
    return render(request, "billing/admin/subscription_list.html", {"active": "subscriptions", "table": table})


# -------------------------------------------------------------------------------------- past due

class StepColumn(Column):
    def value(self, obj):
        if obj.last_step is None:
            return _("none yet")
        return _("sent by hand") if obj.last_step == 0 else _("day %(n)s") % {"n": obj.last_step}


class DaysColumn(Column):
    def value(self, obj):
        return days_past_due(obj)


def past_due_table(request) -> Table:
    return Table(request, selectors.past_due_list(), columns=[
        Column("enterprise.name", gettext_lazy("Enterprise"), sort="enterprise__name"),
        PlanNameColumn("plan", gettext_lazy("Plan")),
        Column("status", gettext_lazy("Status")),
        Column("payment_method", gettext_lazy("Payment method")),
        Column("past_due_since", gettext_lazy("Past due since"), sort="past_due_since"),
        DaysColumn("days", gettext_lazy("Days past due"), numeric=True),
        Column("outstanding", gettext_lazy("Outstanding (CNY)"), money=True, sort="outstanding"),
        StepColumn("last_step", gettext_lazy("Last reminder")),
        Column("last_sent_at", gettext_lazy("Sent at")),
        Column("notices_sent", gettext_lazy("Reminders sent"), numeric=True),
    ], search_fields=["enterprise__name", "enterprise__uscc"], filters=[
        Filter("payment_method", gettext_lazy("Payment method"), Subscription.PaymentMethod.choices),
    ], export_name="past-due", default_sort="past_due_since")


@platform_admin_required
def past_due(request):
    table = past_due_table(request)
    if table.wants_export:
        return table.export_response()
    return render(request, "billing/admin/past_due.html", {"active": "past_due", "table": table, "steps": STEPS})


@platform_admin_required
@require_POST
def past_due_remind(request, pk: int):
    subscription = selectors.past_due_get(pk=pk)
    try:
        notice = dunning_remind(subscription=subscription, actor=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Reminder sent to %(to)s.") % {"to": notice.recipients})
    return redirect("billing_admin:past_due")


# -------------------------------------------------------------------------------------- invoices

def invoices_table(request) -> Table:
    return Table(request, selectors.invoice_admin_list(), columns=[
        Column("number", gettext_lazy("Invoice"), sort="number",
               link=lambda i: reverse("billing_admin:invoice", args=[i.pk])),
        Column("enterprise.name", gettext_lazy("Enterprise"), sort="enterprise__name"),
        Column("status", gettext_lazy("Status"), sort="status"),
        Column("subscription.payment_method", gettext_lazy("Payment method")),
        Column("issued_at", gettext_lazy("Issued"), sort="issued_at"),
        Column("due_on", gettext_lazy("Due"), sort="due_on"),
        Column("amount_total", gettext_lazy("Total (CNY)"), money=True, sort="amount_total"),
        Column("subsidy_amount", gettext_lazy("Subsidy share (CNY)"), money=True),
        Column("amount_due", gettext_lazy("Enterprise share (CNY)"), money=True),
        Column("amount_paid", gettext_lazy("Paid (CNY)"), money=True),
        Column("outstanding", gettext_lazy("Outstanding (CNY)"), money=True),
        Column("transfers", gettext_lazy("Transfers"), numeric=True),
    ], search_fields=["number", "enterprise__name", "enterprise__uscc"], filters=[
        Filter("status", gettext_lazy("Status"), Invoice.Status.choices),
        Filter("method", gettext_lazy("Payment method"), Subscription.PaymentMethod.choices,
               lookup="subscription__payment_method"),
    ], export_name="invoices", default_sort="-issued_at")


@platform_admin_required
def invoice_list(request):
    table = invoices_table(request)
    if table.wants_export:
        return table.export_response()
    return render(request, "billing/admin/invoice_list.html", {"active": "invoices", "table": table})


@platform_admin_required
def invoice_detail(request, pk: int):
    invoice = selectors.invoice_admin_get(pk=pk)
    form = BankTransferForm(request.POST or None, invoice=invoice)
    if request.method == "POST":
        if form.is_valid():
            try:
                transfer = bank_transfer_record(invoice=invoice, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                invoice.refresh_from_db()
                if invoice.status == Invoice.Status.PAID:
                    messages.success(request, _("Transfer %(ref)s recorded: invoice %(number)s is paid.") % {
                        "ref": transfer.bank_reference, "number": invoice.number})
                else:
                    messages.success(request, _("Transfer %(ref)s recorded: %(left)s still outstanding.") % {
                        "ref": transfer.bank_reference, "left": f"¥{invoice.outstanding:,.2f}"})
                return redirect("billing_admin:invoice", pk=invoice.pk)
    return render(request, "billing/admin/invoice_detail.html", {
        "active": "invoices", "invoice": invoice, "form": form,
        "transfers": invoice.bank_transfers.select_related("recorded_by").order_by("received_on", "pk"),
        "fapiao": FapiaoRequest.objects.filter(invoice=invoice).first(),
        "plan": plan_name(invoice.subscription.plan) if invoice.subscription_id else "",
    }, status=400 if request.method == "POST" else 200)


# --------------------------------------------------------------------------------------- fapiao

def fapiao_table(request) -> Table:
    return Table(request, selectors.fapiao_queue(), columns=[
        Column("invoice.number", gettext_lazy("Invoice")),
        Column("invoice.enterprise.name", gettext_lazy("Enterprise")),
        Column("kind", gettext_lazy("Kind")),
        Column("title", gettext_lazy("Buyer name (抬头)")),
        Column("tax_number", gettext_lazy("Taxpayer number")),
        Column("address", gettext_lazy("Address")),
        Column("phone", gettext_lazy("Phone")),
        Column("bank_name", gettext_lazy("Bank")),
        Column("bank_account", gettext_lazy("Account")),
        Column("invoice.amount_due", gettext_lazy("Amount (CNY)"), money=True),
        Column("requested_at", gettext_lazy("Requested"), sort="requested_at"),
        Column("status", gettext_lazy("Status"), sort="status"),
        Column("fapiao_number", gettext_lazy("Fapiao number")),
        Column("issued_at", gettext_lazy("Issued")),
    ], search_fields=["invoice__number", "title", "tax_number", "fapiao_number"], filters=[
        Filter("status", gettext_lazy("Status"), FapiaoRequest.Status.choices),
    ], export_name="fapiao-requests")


@platform_admin_required
def fapiao_list(request):
    table = fapiao_table(request)
    if table.wants_export:
        return table.export_response()
    return render(request, "billing/admin/fapiao_list.html", {"active": "fapiao", "table": table,
                                                             "issue_form": FapiaoIssueForm()})


@platform_admin_required
@require_POST
def fapiao_issue(request, pk: int):
    fapiao = selectors.fapiao_get(pk=pk)
    form = FapiaoIssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the fapiao number."))
        return redirect("billing_admin:fapiao")
    try:
        fapiao_request_issue(request=fapiao, fapiao_number=form.cleaned_data["fapiao_number"], actor=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Fapiao %(fapiao)s issued for invoice %(number)s.") % {
            "fapiao": form.cleaned_data["fapiao_number"].strip(), "number": fapiao.invoice.number})
    return redirect("billing_admin:fapiao")
