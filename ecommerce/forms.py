"""Forms of the boards. They parse input; the services decide."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import BootstrapMixin, StrictInputMixin
from ecommerce.conf import setting
from ecommerce.models import Category, Listing, Quotation
from ecommerce.selectors.listings import category_choices_by_board
from ecommerce.selectors.supplier_items import supplier_items

VALIDITY_CHOICES = [(7, _("7 days")), (15, _("15 days")), (30, _("30 days")), (60, _("60 days")),
                    (90, _("90 days")), (180, _("180 days"))]
_ATTR_LINE = re.compile(r"^\s*([^:：=]+?)\s*[:：=]\s*(.+?)\s*$")


def attributes_parse(text: str) -> list[list[str]]:
    """"材质: GCr15" per line (a Chinese colon or "=" work too) → [["材质", "GCr15"], …]."""
    pairs = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _ATTR_LINE.match(line)
        if not match:
            raise forms.ValidationError(_("Line %(n)d: write “name: value”.") % {"n": n}, code="invalid_attributes")
        pairs.append([match.group(1), match.group(2)])
    return pairs


def attributes_text(pairs) -> str:
    return "\n".join(f"{k}: {v}" for k, v in pairs or [])


def category_field_choices() -> list:
    """Categories grouped by board for a <select> with optgroups, each board's as its tree: a parent,
    then its children indented under it."""
    return [(board.name, options) for board, options in category_choices_by_board()]


class EnterpriseChoiceMixin:
    """The enterprise a user acts for (posting, quoting, asking), among their memberships."""

    def _set_enterprises(self, memberships):
        self.fields["enterprise"].choices = [(m.enterprise_id, m.enterprise.display_name) for m in memberships]
        self._memberships = {m.enterprise_id: m for m in memberships}
        if len(memberships) == 1:
            self.fields["enterprise"].initial = memberships[0].enterprise_id

    def clean_enterprise(self):
        value = int(self.cleaned_data["enterprise"])
        return self._memberships[value].enterprise


class ListingForm(EnterpriseChoiceMixin, BootstrapMixin, forms.Form):
    enterprise = forms.TypedChoiceField(label=_("Post for"), coerce=int)
    kind = forms.ChoiceField(label=pgettext_lazy("listing kind", "Supply or demand"), choices=Listing.Kind.choices,
                             widget=forms.RadioSelect)
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    attributes = forms.CharField(label=_("Specifications"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                 help_text=_("One per line, “name: value”, e.g. “型号: 6204-2RS”."))
    quantity = forms.DecimalField(label=_("Quantity"), required=False, min_value=0, max_digits=18, decimal_places=4)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=10, help_text=_("e.g. 台, 套, 件, kg, 吨, 米"))
    moq = forms.DecimalField(label=_("Minimum order quantity"), required=False, min_value=0, max_digits=18,
                             decimal_places=4)
    price_min = forms.DecimalField(label=_("Price from (CNY)"), required=False, min_value=0, max_digits=18,
                                   decimal_places=4)
    price_max = forms.DecimalField(label=_("Price to (CNY)"), required=False, min_value=0, max_digits=18,
                                   decimal_places=4, help_text=_("Leave empty for a single price."))
    negotiable = forms.BooleanField(label=_("Price negotiable"), required=False)
    delivery_terms = forms.ChoiceField(label=_("Delivery terms"), choices=Listing.Delivery.choices)
    delivery_place = forms.CharField(label=_("Delivery place"), required=False, max_length=100)
    validity_days = forms.TypedChoiceField(label=_("Valid for"), choices=VALIDITY_CHOICES, coerce=int, initial=30)
    contact_name = forms.CharField(label=_("Contact person"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=30)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    is_rfq = forms.BooleanField(label=_("Ask suppliers for quotations (RFQ)"), required=False)
    rfq_deadline = forms.DateTimeField(label=_("Quotation deadline"), required=False,
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                  format="%Y-%m-%dT%H:%M"),
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    rfq_max_quotations = forms.IntegerField(label=_("Close after N quotations"), required=False, min_value=1)
    erp_item_code = forms.CharField(label=_("ERP item code"), required=False, max_length=40,
                                    help_text=_("Supply only: link an item of your ERP to show its live stock."))
    show_stock = forms.BooleanField(label=_("Show live stock (if the enterprise allows it)"), required=False,
                                    initial=True)

    def __init__(self, *args, memberships, editing: Listing | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_enterprises(memberships)
        self.fields["category"].choices = [("", "—")] + category_field_choices()
        self.fields["rfq_max_quotations"].max_value = setting("BOARDS_RFQ_MAX_QUOTATIONS")
        self.fields["kind"].widget.attrs["class"] = "form-check-input"
        if editing is not None:
            self.fields["enterprise"].disabled = True
            self.fields["kind"].disabled = True
            self.fields["validity_days"].required = False
            self.fields["validity_days"].choices = [("", _("keep"))] + VALIDITY_CHOICES
            self.fields["validity_days"].initial = ""
        else:
            self.fields["rfq_deadline"].initial = (timezone.localtime() + timedelta(days=7)).replace(
                minute=0, second=0, microsecond=0)

    def clean_category(self):
        category = Category.objects.select_related("board").filter(pk=self.cleaned_data["category"]).first()
        if category is None:
            raise forms.ValidationError(_("Choose a category."))
        return category

    def clean_attributes(self):
        return attributes_parse(self.cleaned_data.get("attributes", ""))

    def clean_validity_days(self):
        value = self.cleaned_data.get("validity_days")
        return None if value in ("", None) else int(value)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        category = data.pop("category")
        data.pop("enterprise", None)
        return {**data, "category": category, "board": category.board}

    @classmethod
    def initial_from(cls, listing: Listing) -> dict:
        initial = {name: getattr(listing, name) for name in (
            "kind", "title", "description", "quantity", "unit", "moq", "price_min", "price_max", "negotiable",
            "delivery_terms", "delivery_place", "contact_name", "contact_phone", "contact_email", "is_rfq",
            "rfq_max_quotations", "erp_item_code", "show_stock")}
        initial["enterprise"] = listing.enterprise_id
        initial["category"] = listing.category_id
        initial["attributes"] = attributes_text(listing.attributes)
        if listing.rfq_deadline:
            initial["rfq_deadline"] = timezone.localtime(listing.rfq_deadline)
        return initial


QUOTATION_VAT_RATES = [("13", "13%"), ("9", "9%"), ("6", "6%"), ("3", "3%"), ("1", "1%"), ("0", "0%")]


class QuotationForm(EnterpriseChoiceMixin, BootstrapMixin, forms.Form):
    """A supplier's quotation and its terms (blank terms keep the defaults: incl. 13 % VAT, delivered, 30 days).
    The supplier's ERP item is offered only for enterprises that run their ERP on the platform; its value is
    "<enterprise id>:<item id>", so an item of one enterprise cannot be sent for another."""

    enterprise = forms.TypedChoiceField(label=_("Quote for"), coerce=int)
    unit_price = forms.DecimalField(label=_("Unit price (CNY)"), min_value=0, max_digits=18, decimal_places=4)
    price_includes_vat = forms.TypedChoiceField(
        label=_("Tax basis"), required=False, initial="true", empty_value=True, coerce=lambda value: value == "true",
        choices=[("true", _("Price includes VAT")), ("false", _("Price excludes VAT"))])
    vat_rate = forms.TypedChoiceField(label=_("VAT rate"), required=False, initial="13", empty_value=None,
                                      coerce=Decimal, choices=QUOTATION_VAT_RATES)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=18, decimal_places=4)
    delivery_terms = forms.ChoiceField(label=_("Delivery terms"), required=False, choices=Quotation.Terms.choices,
                                       initial=Quotation.Terms.DELIVERED)
    freight = forms.DecimalField(label=_("Freight for the whole order (CNY)"), required=False, min_value=0,
                                 max_digits=16, decimal_places=2,
                                 help_text=_("Ex works: your estimate of what the buyer pays to carry the order."))
    payment_terms = forms.ChoiceField(label=_("Payment terms"), required=False, choices=Quotation.Payment.choices,
                                      initial=Quotation.Payment.NET30)
    lead_time_days = forms.IntegerField(label=pgettext_lazy("quotation", "Lead time (days)"), min_value=0,
                                        max_value=3650)
    valid_until = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))
    supplier_item_id = forms.ChoiceField(
        label=_("Your ERP item"), required=False,
        help_text=_("The item of your ERP you quote: your sales order uses it when the buyer accepts."))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args, memberships, listing: Listing, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_enterprises(memberships)
        self.fields["valid_until"].initial = timezone.localdate() + timedelta(days=30)
        if listing.quantity:
            self.fields["quantity"].initial = format(listing.quantity.normalize(), "f")  # 500, not 5E+2
        groups = [(m.enterprise.display_name, [(f"{m.enterprise_id}:{pk}", label) for pk, label in
                                               supplier_items(enterprise=m.enterprise)]) for m in memberships]
        groups = [(name, options) for name, options in groups if options]
        if not groups:  # no enterprise of the user runs its ERP here (or has items): no item to choose
            del self.fields["supplier_item_id"]
        else:
            self.fields["supplier_item_id"].choices = [("", "—")] + (groups[0][1] if len(groups) == 1 else groups)

    def clean_supplier_item_id(self):
        value = self.cleaned_data.get("supplier_item_id") or ""
        if not value:
            return None
        enterprise_id, _sep, item_id = value.partition(":")
        return int(enterprise_id), int(item_id)

    def clean(self):
        cleaned = super().clean()
        item = cleaned.get("supplier_item_id")
        if isinstance(item, tuple):
            enterprise = cleaned.get("enterprise")
            if enterprise is not None and item[0] != enterprise.pk:
                self.add_error("supplier_item_id", _("This item is in the ERP of another of your enterprises."))
            else:
                cleaned["supplier_item_id"] = item[1]
        return cleaned


class InquiryForm(EnterpriseChoiceMixin, BootstrapMixin, forms.Form):
    enterprise = forms.TypedChoiceField(label=_("Ask for"), coerce=int)
    body = forms.CharField(label=pgettext_lazy("inquiry", "Message"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_enterprises(memberships)


class ReplyForm(BootstrapMixin, forms.Form):
    body = forms.CharField(label=_("Reply"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class HideForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason (the poster sees it)"), max_length=255)


class CardForm(BootstrapMixin, forms.Form):
    established_year = forms.IntegerField(label=_("Year established"), required=False, min_value=1900)
    main_products = forms.CharField(label=_("Main products"), required=False, max_length=255)
    introduction = forms.CharField(label=_("Introduction"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 4}))
    share_stock = forms.BooleanField(label=_("Show live available stock on supply listings linked to ERP items"),
                                     required=False)


class SearchForm(StrictInputMixin, forms.Form):
    q = forms.CharField(required=False, max_length=100)
    board = forms.CharField(required=False)
    category = forms.IntegerField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", "")] + list(Listing.Kind.choices))
    price_min = forms.DecimalField(required=False, min_value=0, max_digits=18, decimal_places=4)
    price_max = forms.DecimalField(required=False, min_value=0, max_digits=18, decimal_places=4)
    town = forms.CharField(required=False, max_length=50)
    credit = forms.BooleanField(required=False)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in ("relevance", "newest", "price", "-price")])
    page = forms.IntegerField(required=False, min_value=1)
