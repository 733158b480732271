from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from logistics.shipments.models import ParcelStatus
from logistics.tracking import selectors

# the statuses a driver may report (delivered/returned end the parcel; created is not news)
DRIVER_STATUSES = [("", _("(no change of status)"))] + [
    (value, label) for value, label in ParcelStatus.choices if value != ParcelStatus.CREATED]


class ParcelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.shipment.number}-{obj.seq}" + (f" · {obj.waybill_number}" if obj.waybill_number else "")


class DriverEventForm(BootstrapMixin, forms.Form):
    parcel = ParcelChoiceField(label=_("Parcel"), queryset=selectors.driver_parcels())
    status = forms.ChoiceField(label=_("Status"), choices=DRIVER_STATUSES, required=False)
    location = forms.CharField(label=_("Location"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parcel"].queryset = selectors.driver_parcels()

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("status") and not (data.get("note") or "").strip():
            self.add_error("note", _("Choose a status or write a note."))
        return data


class ResolveForm(BootstrapMixin, forms.Form):
    resolution = forms.CharField(label=_("What was done"), max_length=300)
