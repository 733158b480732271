from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from core.parsing import parse_month
from office.adoption import CONSECUTIVE_MONTHS_LABELS, CRITERIA_LABELS
from office.metrics import DOCUMENT_KINDS, KIND_LABELS
from office.models import Enrolment, Milestone, Programme
from tenants.models import Enterprise


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class EnrolForm(BootstrapMixin, forms.Form):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=Enterprise.objects.none())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        taken = programme.enrolments.filter(status=Enrolment.Status.ENROLLED).values("enterprise_id")
        qs = Enterprise.objects.filter(status=Enterprise.Status.ACTIVE).exclude(pk__in=taken).order_by("name")
        if programme.cohort_sales_bands:
            qs = qs.filter(sales_band__in=programme.cohort_sales_bands)
        self.fields["enterprise"].queryset = qs
        self.fields["enterprise"].label_from_instance = lambda e: f"{e.name}（{e.town or '—'}）"


class DecisionForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MilestoneForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Milestone"), choices=Milestone.Kind.choices)
    planned_on = forms.DateField(label=_("Planned"), required=False, widget=DateInput())
    done_on = forms.DateField(label=_("Done"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class GrantForm(BootstrapMixin, forms.Form):
    amount = forms.CharField(label=_("Amount (CNY)"), max_length=20)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    granted_on = forms.DateField(label=_("Granted on"), initial=timezone.localdate, widget=DateInput())


class PaymentForm(BootstrapMixin, forms.Form):
    amount = forms.CharField(label=_("Amount (CNY)"), max_length=20)
    paid_on = forms.DateField(label=_("Payment date"), initial=timezone.localdate, widget=DateInput())
    reference = forms.CharField(label=_("Voucher / reference"), max_length=60, required=False)


class CancelForm(BootstrapMixin, forms.Form):
    """The reason is checked by the service (code reason_required), so it is optional here."""

    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    reversed_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())


class ClawbackForm(BootstrapMixin, forms.Form):
    amount = forms.CharField(label=_("Amount paid back (CNY)"), max_length=20, required=False,
                             help_text=_("Blank: everything paid on this grant."))
    reversed_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    reference = forms.CharField(label=_("Voucher / reference"), max_length=60, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


CRITERIA_INT_FIELDS = ("min_active_users_30d", "min_documents_per_month", "min_modules_in_use",
                       "min_parts_under_revision", "min_vault_documents", "min_ecos_completed_90d",
                       "min_tracked_deliveries_pct", "min_shipments_30d")


class ProgrammeForm(BootstrapMixin, forms.Form):
    """Every setting of a programme the office keeps. Plain input: programme_create /
    programme_update validate it and name the field of each error."""

    code = forms.SlugField(label=_("Code"), max_length=40,
                           help_text=_("Letters, digits and hyphens, e.g. erp-pilot. It appears in links and "
                                       "exports and cannot change once enterprises have applied."))
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    module = forms.ChoiceField(label=_("Module"), choices=Programme.Module.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    target_kind = forms.ChoiceField(label=_("Target"), choices=Programme.TargetKind.choices)
    target_count = forms.IntegerField(label=_("Target (enterprises)"), required=False)
    target_share_pct = forms.DecimalField(label=_("Target (share of the cohort, %)"), max_digits=5, decimal_places=2,
                                          required=False)
    cohort_sales_bands = forms.MultipleChoiceField(
        label=_("Eligible annual sales bands"), choices=Enterprise.SalesBand.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: every enterprise may take part."))
    cohort_size = forms.IntegerField(
        label=_("Cohort size in the city"), required=False, min_value=1,
        help_text=_("For a share target: enterprises in the cohort city-wide (statistics bureau). Blank: those on "
                    "the platform."))
    period_start = forms.DateField(label=_("Start"), widget=DateInput())
    period_end = forms.DateField(label=_("End"), widget=DateInput())
    fund = forms.CharField(label=_("Fund"), max_length=100, required=False)
    budget = forms.CharField(label=_("Budget (CNY)"), max_length=20)
    # the adoption criteria (adoption.py), each optional
    min_active_users_30d = forms.IntegerField(label=CRITERIA_LABELS["min_active_users_30d"], required=False,
                                              min_value=0)
    min_documents_per_month = forms.IntegerField(label=CRITERIA_LABELS["min_documents_per_month"], required=False,
                                                 min_value=0)
    consecutive_months = forms.TypedChoiceField(
        label=CRITERIA_LABELS["consecutive_months"], coerce=int, required=False, empty_value=None,
        choices=[(str(n), label) for n, label in CONSECUTIVE_MONTHS_LABELS.items()])
    document_kinds = forms.MultipleChoiceField(
        label=CRITERIA_LABELS["document_kinds"], required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(kind, KIND_LABELS[kind]) for kind in DOCUMENT_KINDS], help_text=_("None ticked: every kind."))
    min_modules_in_use = forms.IntegerField(label=CRITERIA_LABELS["min_modules_in_use"], required=False, min_value=0)
    # PDM programmes: left blank, the PDM demonstration rule (adoption.PDM_DEMONSTRATION) applies
    min_parts_under_revision = forms.IntegerField(label=CRITERIA_LABELS["min_parts_under_revision"], required=False,
                                                  min_value=0)
    min_vault_documents = forms.IntegerField(label=CRITERIA_LABELS["min_vault_documents"], required=False,
                                             min_value=0)
    min_ecos_completed_90d = forms.IntegerField(label=CRITERIA_LABELS["min_ecos_completed_90d"], required=False,
                                                min_value=0)
    # logistics programmes: left blank, the logistics rule (adoption.LOGISTICS_DEMONSTRATION) applies
    min_tracked_deliveries_pct = forms.IntegerField(label=CRITERIA_LABELS["min_tracked_deliveries_pct"],
                                                    required=False, min_value=0, max_value=100)
    min_shipments_30d = forms.IntegerField(label=CRITERIA_LABELS["min_shipments_30d"], required=False, min_value=0)
    min_completeness_pct = forms.DecimalField(label=CRITERIA_LABELS["min_completeness_pct"], max_digits=4,
                                              decimal_places=1, required=False, min_value=0, max_value=100)

    CRITERIA_FIELDS = (*CRITERIA_INT_FIELDS, "consecutive_months", "document_kinds", "min_completeness_pct")

    def __init__(self, *args, code_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if code_locked:  # read-only, still posted: the service refuses a changed code with its own error
            self.fields["code"].widget.attrs["readonly"] = True

    @classmethod
    def initial_for(cls, programme: Programme | None) -> dict:
        if programme is None:
            return {"module": Programme.Module.ERP, "target_kind": Programme.TargetKind.COUNT,
                    "fund": Programme._meta.get_field("fund").default, "consecutive_months": "1"}
        initial = {name: getattr(programme, name) for name in (
            "code", "name", "name_en", "module", "description", "target_kind", "target_count", "target_share_pct",
            "cohort_sales_bands", "cohort_size", "period_start", "period_end", "fund")}
        initial["budget"] = f"{programme.budget:f}"
        for key in cls.CRITERIA_FIELDS:
            initial[key] = programme.criteria.get(key)
        return initial

    def programme_fields(self) -> dict:
        """The cleaned input as programme_create / programme_update take it."""
        data = self.cleaned_data
        criteria = {key: data[key] for key in CRITERIA_INT_FIELDS if data.get(key) is not None}
        if data.get("min_documents_per_month") is not None and data.get("consecutive_months"):
            criteria["consecutive_months"] = data["consecutive_months"]
        if data.get("document_kinds"):
            criteria["document_kinds"] = [kind for kind in DOCUMENT_KINDS if kind in data["document_kinds"]]
        if data.get("min_completeness_pct") is not None:
            pct = data["min_completeness_pct"]
            criteria["min_completeness_pct"] = int(pct) if pct == pct.to_integral_value() else float(pct)
        fields = {name: data[name] for name in (
            "code", "name", "name_en", "module", "description", "target_kind", "target_count", "target_share_pct",
            "cohort_sales_bands", "cohort_size", "period_start", "period_end", "budget")}
        fields["fund"] = data["fund"]
        fields["criteria"] = criteria
        return fields


class ApplyForm(BootstrapMixin, forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    note = forms.CharField(label=_("Why your enterprise wants to take part"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, enterprise: Enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        joined = Enrolment.objects.filter(enterprise=enterprise, status__in=[Enrolment.Status.APPLIED,
                                                                             Enrolment.Status.ENROLLED])
        self.fields["programme"].queryset = (Programme.objects.filter(period_end__gte=timezone.localdate())
                                             .exclude(pk__in=joined.values("programme_id"))
                                             .order_by("period_start", "code"))


class ReportForm(BootstrapMixin, forms.Form):
    month = forms.CharField(label=_("Month"), widget=forms.TextInput(attrs={"type": "month"}))

    def clean_month(self):
        try:
            return parse_month(self.cleaned_data["month"], field="month", required=True)
        except forms.ValidationError:
            raise forms.ValidationError(_("Pick a month."), code="invalid") from None
