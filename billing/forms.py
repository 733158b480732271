"""Forms of the owner's billing pages. The card fields are read once, handed to the payment provider to
tokenise and never stored (nor echoed back into the page on an error)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.selectors import plan_name
from billing.models import FapiaoRequest, Interval, Plan, Subscription
from core.forms import BootstrapMixin, StrictIntegerField

METHODS = [(Subscription.PaymentMethod.CARD, Subscription.PaymentMethod.CARD.label),
           (Subscription.PaymentMethod.BANK_TRANSFER, Subscription.PaymentMethod.BANK_TRANSFER.label)]


class CardFieldsMixin(forms.Form):
    card_number = forms.CharField(label=_("Card number"), max_length=23, required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}))
    card_exp = forms.CharField(label=_("Expiry (MM/YY)"), max_length=7, required=False,
                               widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "placeholder": "12/30"}))
    card_cvc = forms.CharField(label=_("CVC"), max_length=4, required=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "cc-csc"}))

    def card(self) -> dict | None:
        """{"number", "exp_month", "exp_year", "cvc"} when a card was entered (checked), else None."""
        number = "".join(ch for ch in self.cleaned_data.get("card_number", "") if ch.isdigit())
        if not number:
            return None
        exp = self.cleaned_data.get("card_exp", "").replace(" ", "")
        month, _sep, year = exp.partition("/")
        if not (month.isdigit() and year.isdigit() and 1 <= int(month) <= 12):
            self.add_error("card_exp", _("Enter the expiry as MM/YY."))
            return None
        year_n = int(year) + (2000 if len(year) == 2 else 0)
        return {"number": number, "exp_month": int(month), "exp_year": year_n,
                "cvc": self.cleaned_data.get("card_cvc", "")}

    def clean_card_number(self):
        value = self.cleaned_data.get("card_number", "")
        digits = "".join(ch for ch in value if ch.isdigit())
        if value and (len(digits) < 12 or len(digits) > 19 or any(not (c.isdigit() or c in " -") for c in value)):
            raise forms.ValidationError(_("A card number has 12 to 19 digits."))
        return value


class PlanChoiceForm(BootstrapMixin, CardFieldsMixin):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.none(), empty_label=None)
    interval = forms.ChoiceField(label=_("Billing interval"), choices=Interval.choices, initial=Interval.MONTH)
    extra_seats = StrictIntegerField(label=_("Extra seats"), min_value=0, max_value=10000, initial=0, required=False)
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=METHODS, required=False)

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["plan"].label_from_instance = plan_name

    def clean_extra_seats(self):
        return self.cleaned_data.get("extra_seats") or 0


class CardForm(BootstrapMixin, CardFieldsMixin):
    pass


class PaymentMethodForm(BootstrapMixin, CardFieldsMixin):
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=METHODS)


class FapiaoRequestForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = FapiaoRequest
        fields = ["kind", "title", "tax_number", "address", "phone", "bank_name", "bank_account"]


