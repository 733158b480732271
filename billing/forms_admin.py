"""Forms of the platform administrator's billing pages. They only parse input: the rules (prices not
negative, known modules, transfers not above what is outstanding, …) are the services'."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import Plan
from core.forms import BootstrapMixin
from tenants.models import Enterprise

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class PlanForm(BootstrapMixin, forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40,
                           help_text=_("Letters, digits and hyphens; cannot be changed later."))
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    modules = forms.MultipleChoiceField(label=_("Modules"), choices=Enterprise.Module.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    price_month = forms.DecimalField(label=_("Price per month (CNY)"), **MONEY)
    price_year = forms.DecimalField(label=_("Price per year (CNY)"), **MONEY)
    seats_included = forms.IntegerField(label=_("Seats included"), min_value=1, max_value=10000)
    extra_seat_month = forms.DecimalField(label=_("Extra seat per month (CNY)"), **MONEY)
    extra_seat_year = forms.DecimalField(label=_("Extra seat per year (CNY)"), **MONEY)
    trial_days = forms.IntegerField(label=_("Trial days"), min_value=0, max_value=365)
    is_active = forms.BooleanField(label=_("Offered to enterprises"), required=False)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, required=False)

    FIELDS = ("name", "name_en", "description", "modules", "price_month", "price_year", "seats_included",
              "extra_seat_month", "extra_seat_year", "trial_days", "is_active", "sort_order")

    def __init__(self, *args, plan: Plan | None = None, **kwargs):
        if plan is not None:
            kwargs.setdefault("initial", {"code": plan.code, **{n: getattr(plan, n) for n in self.FIELDS}})
        else:
            kwargs.setdefault("initial", {"is_active": True, "seats_included": 5, "trial_days": 14,
                                          "price_month": 0, "price_year": 0, "extra_seat_month": 0,
                                          "extra_seat_year": 0, "sort_order": 50})
        super().__init__(*args, **kwargs)
        self.plan = plan
        if plan is not None:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = ""

    def plan_fields(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in self.FIELDS}
        if values["sort_order"] is None:
            values["sort_order"] = self.plan.sort_order if self.plan else 0
        return values


class BankTransferForm(BootstrapMixin, forms.Form):
    amount = forms.DecimalField(label=_("Amount received (CNY)"), max_digits=14, decimal_places=2)
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=60)
    payer_name = forms.CharField(label=_("Payer"), max_length=200, required=False)

    def __init__(self, *args, invoice=None, **kwargs):
        if invoice is not None:
            kwargs.setdefault("initial", {"amount": invoice.outstanding, "received_on": timezone.localdate(),
                                          "payer_name": invoice.enterprise.name})
        super().__init__(*args, **kwargs)


class FapiaoIssueForm(BootstrapMixin, forms.Form):
    fapiao_number = forms.CharField(label=_("Fapiao number"), max_length=40)
