from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import BootstrapMixin
from logistics.carriers.models import Carrier, Contract
from logistics.shipments import selectors
from logistics.shipments.models import Parcel, ProofOfDelivery, Shipment

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


def _carriers():
    return Carrier.objects.filter(active=True).order_by("code")


class ShipmentForm(BootstrapMixin, forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), choices=Shipment.Direction.choices,
                                  initial=Shipment.Direction.STANDALONE)
    consignee_name = forms.CharField(label=_("Consignee"), max_length=100)
    consignee_phone = forms.CharField(label=_("Consignee phone"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=255,
                              help_text=_("Province, city, district and street, e.g. 浙江省宁波市慈溪市白沙路街道…"))
    carrier = forms.ModelChoiceField(label=_("Carrier"), queryset=Carrier.objects.none(), required=False)
    goods_value = forms.DecimalField(label=_("Goods value"), initial=0, **MONEY)
    pickup_at = forms.DateTimeField(label=_("Pickup time"), required=False,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = _carriers()


class ShipmentEditForm(BootstrapMixin, forms.Form):
    """A draft's consignee, address (parsed again into region codes by the service), pickup time, value,
    carrier override and contract."""
    consignee_name = forms.CharField(label=_("Consignee"), max_length=100)
    consignee_phone = forms.CharField(label=_("Consignee phone"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=255,
                              help_text=_("Province, city, district and street, e.g. 浙江省宁波市慈溪市白沙路街道…"))
    pickup_at = forms.DateTimeField(label=_("Pickup time"), required=False,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                               format="%Y-%m-%dT%H:%M"),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    goods_value = forms.DecimalField(label=_("Goods value"), **MONEY)
    carrier = forms.ModelChoiceField(label=_("Carrier"), queryset=Carrier.objects.none(), required=False,
                                     help_text=_("Overrides the carrier of the chosen quote; empty: the parcels' "
                                                 "carrier at booking."))
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=Contract.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    FIELDS = ("consignee_name", "consignee_phone", "address", "pickup_at", "goods_value", "carrier", "contract",
              "note")

    def __init__(self, *args, shipment: Shipment, **kwargs):
        kwargs.setdefault("initial", {name: getattr(shipment, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = Carrier.objects.filter(active=True) | Carrier.objects.filter(
            pk=shipment.carrier_id or 0)
        self.fields["carrier"].queryset = self.fields["carrier"].queryset.order_by("code")
        contracts = Contract.objects.filter(active=True) | Contract.objects.filter(pk=shipment.contract_id or 0)
        self.fields["contract"].queryset = contracts.select_related("carrier").order_by("carrier__code", "name")
        self.fields["contract"].label_from_instance = lambda c: f"{c.carrier.code} · {c.name}"

    def clean(self):
        data = super().clean()
        carrier, contract = data.get("carrier"), data.get("contract")
        if carrier is not None and contract is not None and contract.carrier_id != carrier.pk:
            self.add_error("contract", _("The contract is not with this carrier; choose one of %(carrier)s or "
                                         "leave it empty.") % {"carrier": carrier})
        return data


class DeliveryPickForm(BootstrapMixin, forms.Form):
    delivery = forms.ModelChoiceField(label=pgettext_lazy("sales delivery", "Delivery"),
                                      queryset=selectors.deliveries_unshipped().none())
    address = forms.CharField(label=_("Address"), max_length=255, required=False,
                              help_text=_("Leave empty to use the delivery's ship-to address (else the customer's)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery"].queryset = selectors.deliveries_unshipped()
        self.fields["delivery"].label_from_instance = lambda d: f"{d.number} · {d.customer.name} · {d.delivery_date}"


class ReceiptPickForm(BootstrapMixin, forms.Form):
    receipt = forms.ModelChoiceField(label=_("Goods receipt"), queryset=selectors.receipts_unshipped().none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receipt"].queryset = selectors.receipts_unshipped()
        self.fields["receipt"].label_from_instance = lambda r: f"{r.number} · {r.order.supplier.name}"


class ParcelForm(BootstrapMixin, forms.Form):
    weight_kg = forms.DecimalField(label=_("Weight (kg)"), max_digits=10, decimal_places=3, min_value=0)
    length_cm = forms.DecimalField(label=_("Length (cm)"), max_digits=8, decimal_places=1, min_value=0, required=False)
    width_cm = forms.DecimalField(label=_("Width (cm)"), max_digits=8, decimal_places=1, min_value=0, required=False)
    height_cm = forms.DecimalField(label=_("Height (cm)"), max_digits=8, decimal_places=1, min_value=0, required=False)
    waybill_number = forms.CharField(label=_("Waybill number"), max_length=64, required=False, strip=True)
    carrier = forms.ModelChoiceField(label=_("Carrier"), queryset=Carrier.objects.none(), required=False,
                                     help_text=_("Empty: the shipment's carrier, else guessed from the number."))
    description = forms.CharField(label=_("Contents"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = _carriers()

    @staticmethod
    def initial_of(parcel: Parcel) -> dict:
        return {"weight_kg": parcel.weight_kg, "length_cm": parcel.length_cm, "width_cm": parcel.width_cm,
                "height_cm": parcel.height_cm, "waybill_number": parcel.waybill_number, "carrier": parcel.carrier_id,
                "description": parcel.description}


class FreightForm(BootstrapMixin, forms.Form):
    actual_freight = forms.DecimalField(label=_("Actual freight"), max_digits=12, decimal_places=2, min_value=0)


class QuoteChooseForm(BootstrapMixin, forms.Form):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=Contract.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.filter(active=True)


class ProofForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProofOfDelivery.Kind.choices)
    parcel = forms.ModelChoiceField(label=_("Parcel"), queryset=Parcel.objects.none(), required=False)
    file = forms.FileField(label=_("Photo or PDF"), widget=forms.ClearableFileInput(
        attrs={"accept": "image/*", "capture": "environment"}))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, shipment: Shipment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parcel"].queryset = shipment.parcels.order_by("seq")
        self.fields["parcel"].label_from_instance = lambda p: f"{p.seq} · {p.waybill_number or '—'}"
