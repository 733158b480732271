"""The form of "Post an RFQ" (发布询价) on the enterprise host, prefilled from the ERP (ecommerce/erp_views.py).
It parses input; `services.erp_rfq.rfq_from_erp_create` decides."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from ecommerce.conf import setting
from ecommerce.forms import attributes_parse, attributes_text, category_field_choices
from ecommerce.models import Category
from ecommerce.selectors.erp_rfq import RfqPrefill, rfq_deadline_default


def _plain(number: Decimal) -> Decimal:
    """10.0000 → 10, 2.5000 → 2.5 (never 1E+1: the input shows it as typed)."""
    number = number.normalize()
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


class RfqFromErpForm(BootstrapMixin, forms.Form):
    category = forms.TypedChoiceField(label=_("Board category"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=120)
    attributes = forms.CharField(label=_("Specifications"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                 help_text=_("One per line, “name: value”, e.g. “型号: 6204-2RS”."))
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=18, decimal_places=4)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=10)
    need_date = forms.DateField(label=_("Needed by"), widget=forms.DateInput(attrs={"type": "date"}))
    delivery_place = forms.CharField(label=_("Delivery place"), required=False, max_length=100)
    rfq_deadline = forms.DateTimeField(label=_("Quotation deadline"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                  format="%Y-%m-%dT%H:%M"),
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    rfq_max_quotations = forms.IntegerField(label=_("Close after N quotations"), required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + category_field_choices()
        self.fields["rfq_max_quotations"].max_value = setting("BOARDS_RFQ_MAX_QUOTATIONS")

    @staticmethod
    def initial_from(prefill: RfqPrefill, *, category: Category | None, delivery_place: str) -> dict:
        return {
            "category": category.pk if category is not None else "", "title": prefill.title,
            "attributes": attributes_text(prefill.attributes), "description": prefill.description,
            "quantity": _plain(prefill.quantity), "unit": prefill.unit, "need_date": prefill.need_date,
            "delivery_place": delivery_place[:100],
            "rfq_deadline": timezone.localtime(rfq_deadline_default(need_date=prefill.need_date)),
        }

    def clean_category(self):
        category = Category.objects.select_related("board").filter(pk=self.cleaned_data["category"]).first()
        if category is None:
            raise forms.ValidationError(_("Choose a category."))
        return category

    def clean_attributes(self):
        return attributes_parse(self.cleaned_data.get("attributes", ""))
