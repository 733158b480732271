from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from erp_modules.catalog.models import Item
from erp_modules.inventory.models import Location, ReasonCode, Warehouse


def _stocked_items():
    return Item.objects.filter(active=True).exclude(item_type__in=[Item.Type.KIT, Item.Type.SERVICE])


class AdjustmentForm(BootstrapMixin, forms.Form):
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.none())
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none())
    quantity = forms.DecimalField(label=_("Quantity (+ in, − out)"), max_digits=18, decimal_places=4)
    lot = forms.CharField(label=_("Lot"), required=False, max_length=50)
    unit_cost = forms.DecimalField(label=_("Unit cost (incoming only)"), required=False, min_value=0,
                                   max_digits=18, decimal_places=4)
    reason = forms.ModelChoiceField(label=_("Reason"), queryset=ReasonCode.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = _stocked_items()
        self.fields["location"].queryset = Location.objects.filter(active=True).select_related("warehouse")
        self.fields["reason"].queryset = ReasonCode.objects.all()


class TransferForm(BootstrapMixin, forms.Form):
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.none())
    source = forms.ModelChoiceField(label=_("From"), queryset=Location.objects.none())
    destination = forms.ModelChoiceField(label=_("To"), queryset=Location.objects.none())
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0.0001, max_digits=18, decimal_places=4)
    lot = forms.CharField(label=_("Lot"), required=False, max_length=50)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = _stocked_items()
        locations = Location.objects.filter(active=True).select_related("warehouse")
        self.fields["source"].queryset = locations
        self.fields["destination"].queryset = locations


class WarehouseForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)


class LocationForm(BootstrapMixin, forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.all())
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    allow_negative = forms.BooleanField(label=_("Allow negative stock"), required=False)


class CountCreateForm(BootstrapMixin, forms.Form):
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none())
    reason = forms.ModelChoiceField(label=_("Reason"), queryset=ReasonCode.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(active=True).select_related("warehouse")
        self.fields["reason"].queryset = ReasonCode.objects.all()
