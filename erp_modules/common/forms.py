from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, form_errors_from
from erp_modules.common.services import VAT_RATES


def form_save(request, form, save):
    """A posted, valid model ``form`` saved by the service ``save(user=..., **values of the form's Meta.fields)``:
    what the service returns. None when nothing was posted, the form is invalid or the service refused (its errors
    are then on the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save(user=request.user, **{name: form.cleaned_data[name] for name in form.Meta.fields})
    except ValidationError as exc:
        form_errors_from(form, exc)
        return None


class ErpSettingsForm(BootstrapMixin, forms.Form):
    """Only parses the input; erp_modules.common.services.erp_settings_update validates and saves."""

    vat_rate = forms.ChoiceField(
        label=capfirst(_("VAT rate %")),
        help_text=_("The rate that new lines of quotations, sales orders and purchase orders get when none is "
                    "entered; invoices take the rate of their order lines. A line can still have its own rate. "
                    "General taxpayers mostly use 13 %, small-scale taxpayers 3 %."))
    over_receipt_tolerance_pct = forms.CharField(
        label=capfirst(_("over-receipt tolerance %")), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("How much more than ordered a purchase receipt may bring in, as a percentage of the ordered "
                    "quantity of the line. 0 refuses any receipt above the ordered quantity."))
    allow_partial_delivery = forms.BooleanField(
        label=capfirst(_("allow partial deliveries")), required=False,
        help_text=_("Whether a sales order may be delivered in parts. When off, each delivery must ship the whole "
                    "open quantity of every line of the order."))
    bank_name = forms.CharField(label=capfirst(_("bank (开户行)")), max_length=200, required=False,
                                help_text=_("Printed with the account number on your sales invoices."))
    bank_account = forms.CharField(label=capfirst(_("bank account number")), max_length=80, required=False)
    currency = forms.CharField(
        label=capfirst(_("currency")), max_length=20, required=False,
        help_text=_("Three-letter code (CNY if left empty); new purchase orders, quotations and sales orders use it "
                    "when the supplier or customer has no currency of its own."))

    def __init__(self, *args, current_vat_rate=None, **kwargs):
        super().__init__(*args, **kwargs)
        rates = list(VAT_RATES)
        if current_vat_rate is not None and current_vat_rate not in rates:
            rates.append(current_vat_rate)  # show what is stored rather than silently another rate
        self.fields["vat_rate"].choices = [(f"{rate:.2f}", f"{rate.normalize():f} %") for rate in sorted(rates)]
