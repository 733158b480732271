"""Input parsing for the purchasing pages. Forms only read and type the input; every rule is in services."""

from __future__ import annotations

import re

from django import forms
from django.urls import reverse
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, StrictInputMixin
from erp_modules.catalog.models import Item
from erp_modules.catalog.revision_source import item_revisions, revisions_available
from erp_modules.inventory.models import Location
from erp_modules.inventory.selectors import location_default
from erp_modules.partners.models import Partner
from erp_modules.purchasing.services import fmt_qty

LINE_KEY = re.compile(r"^line-([0-9]{1,6})-")
DATE_WIDGET = {"type": "date"}
ISO_DATE = "%Y-%m-%d"  # <input type="date"> needs ISO whatever the language


def supplier_queryset(current: Partner | None = None):
    qs = Partner.objects.filter(is_supplier=True, active=True)
    if current is not None:
        qs = Partner.objects.filter(pk=current.pk) | qs
    return qs.order_by("code")


def location_queryset():
    return Location.objects.filter(active=True).select_related("warehouse").order_by("warehouse__code", "code")


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} {obj.name}".strip()


class OrderForm(BootstrapMixin, forms.Form):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Partner.objects.none())
    order_date = forms.DateField(label=_("Order date"), widget=forms.DateInput(attrs=DATE_WIDGET, format=ISO_DATE))
    expected_date = forms.DateField(label=_("Expected date"), required=False,
                                    widget=forms.DateInput(attrs=DATE_WIDGET, format=ISO_DATE))
    location = LocationChoiceField(label=_("Receive into"), queryset=Location.objects.none())
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False,
                               help_text=_("Empty: the supplier's currency."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, current_supplier: Partner | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = supplier_queryset(current_supplier)
        self.fields["location"].queryset = location_queryset()

    @staticmethod
    def initial_for_new() -> dict:
        return {"order_date": timezone.localdate(), "location": location_default()}


class LineForm(StrictInputMixin, forms.Form):
    """One row of the order's line table (`line-<n>-<field>`); a row without item and quantity is skipped."""

    item = forms.CharField(label=_("Item code"), max_length=40, required=False)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    revision = forms.CharField(label=_("Revision"), max_length=8, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), required=False, max_digits=18, decimal_places=4)
    unit_price = forms.DecimalField(label=_("Unit price excl. VAT"), required=False, max_digits=18, decimal_places=4)
    vat_rate = forms.DecimalField(label=_("VAT rate %"), required=False, max_digits=5, decimal_places=2)
    expected_date = forms.DateField(label=_("Expected date"), required=False,
                                    widget=forms.DateInput(attrs=DATE_WIDGET, format=ISO_DATE))

    def __init__(self, *args, index: int, **kwargs):
        super().__init__(*args, prefix=f"line-{index}", **kwargs)
        self.index = index
        self.item_obj: Item | None = None
        for name, field in self.fields.items():
            field.widget.attrs.update({"class": "form-control form-control-sm", "aria-label": str(field.label)})
            if isinstance(field, forms.DecimalField):
                field.widget.attrs.update({"inputmode": "decimal", "step": "any"})
        self.fields["item"].widget.attrs.update({"list": "item-codes", "autocomplete": "off"})
        # the revision's suggestions: the datalist of this row, refreshed when the item changes (htmx, no script)
        self.revisions_id = f"revisions-{index}"
        self.fields["revision"].widget.attrs.update({"list": self.revisions_id, "autocomplete": "off", "size": "3"})
        if revisions_available():
            self.fields["item"].widget.attrs.update({
                "hx-get": reverse("purchasing:item_revision_options"), "hx-trigger": "change",
                "hx-target": f"#{self.revisions_id}", "hx-swap": "innerHTML"})
        self.fields["unit_price"].widget.attrs["placeholder"] = _("price list")
        self.fields["vat_rate"].widget.attrs["placeholder"] = _("default")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def revision_options(self) -> list:
        """The revisions the row's item offers (its datalist when the page is drawn)."""
        code = ((self.data.get(self.add_prefix("item")) if self.is_bound else self.initial.get("item")) or "").strip()
        if not code:
            return []
        return item_revisions(Item.objects.filter(code__iexact=code).first())

    def is_blank(self) -> bool:
        if not self.is_bound:
            return True
        return not any((self.data.get(self.add_prefix(name)) or "").strip()
                       for name in ("item", "quantity", "unit_price", "description"))

    def clean_item(self):
        code = (self.cleaned_data.get("item") or "").strip()
        if code:
            self.item_obj = Item.objects.select_related("uom").filter(code__iexact=code).first()
            if self.item_obj is None:
                raise ValidationError(_("No item with code %(code)s.") % {"code": code}, code="unknown_item")
        return code

    def to_service(self) -> dict:
        data = self.cleaned_data
        return {"item": self.item_obj, "description": data.get("description", ""), "revision": data.get("revision", ""),
                "quantity": data.get("quantity"),
                "unit_price": data.get("unit_price"), "vat_rate": data.get("vat_rate"),
                "expected_date": data.get("expected_date")}


def line_forms_from_post(data) -> list[LineForm]:
    indexes = sorted({int(m.group(1)) for key in data for m in [LINE_KEY.match(key)] if m})
    return [LineForm(data, index=i) for i in indexes]


def line_forms_from_order(order) -> list[LineForm]:
    forms_ = []
    for n, line in enumerate(order.lines.select_related("item").order_by("line_no")):
        forms_.append(LineForm(index=n, initial={
            "item": line.item.code, "description": line.description, "revision": line.revision,
            "quantity": fmt_qty(line.quantity),
            "unit_price": fmt_qty(line.unit_price), "vat_rate": fmt_qty(line.vat_rate),
            "expected_date": line.expected_date if line.expected_date != order.expected_date else None}))
    return forms_


def apply_service_errors(exc: ValidationError, *, form: forms.Form, lines: list[forms.Form] | None = None) -> list[str]:
    """Put a service's errors on the form fields / the line rows (key line_<n> → the n-th line);
    returns the messages that fit nowhere (to show at the top)."""
    loose: list[str] = []
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    for key, errors in exc.error_dict.items():
        messages_ = [m for e in errors for m in e.messages]
        if key.startswith("line_") and lines is not None and key[5:].isdigit() and 0 < int(key[5:]) <= len(lines):
            for message in messages_:
                lines[int(key[5:]) - 1].add_error(None, message)
        elif key in form.fields:
            for message in messages_:
                form.add_error(key, message)
        elif key == NON_FIELD_ERRORS or key == "lines":
            for message in messages_:
                form.add_error(None, message)
        else:
            loose.extend(messages_)
    return loose
