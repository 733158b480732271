from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, harden_field
from logistics.carriers import regions
from logistics.carriers.models import Carrier

PARCEL_ROWS = 10


class CarrierForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30, help_text=_("e.g. SF, ZTO, YTO, YD, STO, JD, JTSD, EMS, DBL"))
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Carrier.Kind.choices)
    tracking_code = forms.CharField(label=_("Tracking code"), max_length=40, required=False,
                                    help_text=_("the carrier's code at the tracking aggregator, e.g. shunfeng"))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ContractForm(BootstrapMixin, forms.Form):
    carrier = forms.ModelChoiceField(label=_("Carrier"), queryset=Carrier.objects.filter(active=True).order_by("code"))
    name = forms.CharField(label=_("Name"), max_length=100)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    volumetric_divisor = forms.IntegerField(label=_("Volumetric divisor"), min_value=1000, max_value=100000,
                                            initial=6000, help_text=_("cm³ per kg: 6000 for express, 8000 for "
                                                                      "many freight lines"))
    min_charge = forms.DecimalField(label=_("Minimum charge"), min_value=0, max_digits=12, decimal_places=2,
                                    initial=Decimal("0"))
    fuel_surcharge_pct = forms.DecimalField(label=_("Fuel surcharge %"), min_value=0, max_value=100, max_digits=5,
                                            decimal_places=2, initial=Decimal("0"))
    free_over = forms.DecimalField(label=_("Free over (goods value)"), required=False, min_value=Decimal("0.01"),
                                   max_digits=14, decimal_places=2)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["carrier"]  # a contract stays with its carrier


class ZoneForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Zone"), max_length=60)
    first_weight_kg = forms.DecimalField(label=_("First weight (kg)"), min_value=Decimal("0.001"), max_digits=8,
                                         decimal_places=3, initial=Decimal("1"))
    first_price = forms.DecimalField(label=_("First weight price"), min_value=0, max_digits=12, decimal_places=2)
    step_kg = forms.DecimalField(label=_("Additional step (kg)"), min_value=Decimal("0.001"), max_digits=8,
                                 decimal_places=3, initial=Decimal("1"))
    step_price = forms.DecimalField(label=_("Price per additional step"), min_value=0, max_digits=12,
                                    decimal_places=2)
    promised_days = forms.IntegerField(label=_("Promised days"), min_value=0, max_value=60, initial=3)
    regions = forms.MultipleChoiceField(label=_("Regions"), choices=(), widget=forms.CheckboxSelectMultiple,
                                        help_text=_("provinces, or cities (a city beats its province)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].choices = regions.region_choices()

    def selected(self) -> set[str]:
        value = self["regions"].value() or []
        return {str(v) for v in value} if isinstance(value, (list, tuple)) else {str(value)}


def _city_choices():
    out = [("", "—")]
    for province in regions.provinces():
        cities = regions.cities(province.code)
        if cities:
            out.append((province.name, [(c.code, c.name) for c in cities]))
    return out


class QuoteForm(BootstrapMixin, forms.Form):
    """A destination (a free-text address, or a province and city picked) and up to PARCEL_ROWS parcels."""

    address = forms.CharField(label=_("Destination address"), max_length=regions.ADDRESS_MAX_LENGTH, required=False,
                              help_text=_("e.g. 浙江省宁波市慈溪市古塘街道新城大道北路; or pick the province and city"))
    province = forms.ChoiceField(label=_("Province"), required=False, choices=())
    city = forms.ChoiceField(label=_("City"), required=False, choices=())
    goods_value = forms.DecimalField(label=_("Goods value"), required=False, min_value=0, max_digits=14,
                                     decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", "—")] + [(p.code, p.name) for p in regions.provinces()]
        self.fields["city"].choices = _city_choices()
        for i in range(1, PARCEL_ROWS + 1):
            self.fields[f"weight_{i}"] = forms.DecimalField(
                label=_("Weight (kg)"), required=False, min_value=Decimal("0.001"), max_digits=9, decimal_places=3)
            for dim, label in (("length", _("Length (cm)")), ("width", _("Width (cm)")), ("height", _("Height (cm)"))):
                self.fields[f"{dim}_{i}"] = forms.DecimalField(
                    label=label, required=False, min_value=Decimal("0.1"), max_value=10000, max_digits=6,
                    decimal_places=1)
        for name, field in self.fields.items():  # the parcel fields came after the mixin's __init__
            harden_field(field)
            if name.split("_")[0] in ("weight", "length", "width", "height"):
                field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def parcel_rows(self) -> list[dict]:
        return [{"n": i, "fields": [self[f"{d}_{i}"] for d in ("weight", "length", "width", "height")]}
                for i in range(1, PARCEL_ROWS + 1)]

    def clean(self):
        data = super().clean()
        parcels = []
        for i in range(1, PARCEL_ROWS + 1):
            weight = data.get(f"weight_{i}")
            dims = [data.get(f"{d}_{i}") for d in ("length", "width", "height")]
            if weight is None and all(d is None for d in dims):
                continue
            if weight is None:
                if f"weight_{i}" not in self.errors:
                    self.add_error(f"weight_{i}", _("Enter the parcel's weight."))
                continue
            if any(d is not None for d in dims) and any(d is None for d in dims):
                self.add_error(f"length_{i}", _("Enter all three dimensions, or none."))
                continue
            parcels.append((weight, *dims))
        if not parcels and not any(k.startswith("weight_") for k in self.errors):
            self.add_error("weight_1", _("Enter at least one parcel."))
        data["parcels"] = parcels
        province, city = data.get("province") or "", data.get("city") or ""
        if city and not data.get("address"):
            region = regions.region_get(city)
            if region is None:
                self.add_error("city", _("Choose a city from the list."))
            elif province and region.province_code != province:
                self.add_error("city", _("%(city)s is not in %(province)s.")
                               % {"city": region.name, "province": regions.region_name(province)})
            else:
                data["province"] = region.province_code
        if not data.get("address") and not data.get("province") and "city" not in self.errors:
            self.add_error("address", _("Enter an address, or choose a province."))
        return data
