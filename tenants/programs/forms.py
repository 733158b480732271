from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.forms import BootstrapMixin
from tenants.models import Enterprise
from tenants.programs.models import Enrolment, Milestone, Programme


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
        from datetime import date

        value = self.cleaned_data["month"]
        try:
            year, month = (int(p) for p in value.split("-")[:2])
            return date(year, month, 1)
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Pick a month."), code="invalid") from None
