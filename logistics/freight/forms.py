from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, IdField

CATEGORY_CHOICES = [
    ("", _("By weight (express, LTL or full truckload)")),
    ("frt-ftl", _("Full truckload")),
    ("frt-ltl", _("Less than truckload")),
    ("frt-express", _("Express")),
    ("frt-cold", _("Cold chain")),
    ("frt-city", _("City delivery")),
]


class FreightPostForm(BootstrapMixin, forms.Form):
    """The one-click post from a shipment's page: the shipment's id, and the board category if chosen."""

    shipment = IdField(label=_("Shipment"))
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORY_CHOICES, required=False)


class FreightBillUploadForm(BootstrapMixin, forms.Form):
    """A carrier's bill to check: the file and, optionally, the carrier whose parcels it charges."""

    carrier = forms.TypedChoiceField(label=_("Carrier"), required=False, coerce=int, empty_value=None,
                                     help_text=_("Only needed when two carriers could have the same waybill number."))
    file = forms.FileField(label=_("Bill (.xlsx or .csv)"), required=False)

    def __init__(self, *args, carrier_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [("", _("Any carrier")), *carrier_choices]
