from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from erp_modules.catalog.models import Bom, BomLine, Item, RoutingOperation, WorkCenter


class ItemForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Item
        fields = ["code", "name", "name_en", "item_type", "uom", "category", "default_warehouse", "tracking",
                  "lead_time_days", "safety_stock", "min_order_qty", "order_multiple", "standard_cost", "drawing_ref",
                  "description", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self):
        # Uniqueness and the rest are checked by the service (with our error codes).
        pass


class BomCreateForm(BootstrapMixin, forms.Form):
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.filter(
        active=True, item_type__in=[Item.Type.FINISHED, Item.Type.SUBASSEMBLY, Item.Type.KIT, Item.Type.COMPONENT]))
    quantity = forms.DecimalField(label=_("Quantity produced"), initial=1, min_value=0.0001)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class BomLineForm(BootstrapMixin, forms.Form):
    component = forms.ModelChoiceField(label=_("Component"), queryset=Item.objects.filter(active=True))
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0.0001, max_digits=18, decimal_places=4)
    scrap_pct = forms.DecimalField(label=_("Scrap %"), initial=0, min_value=0, max_value=99.99, decimal_places=2)
    line_type = forms.ChoiceField(label=_("Line type"), choices=BomLine.LineType.choices)
    sequence = forms.IntegerField(label=_("Sequence"), initial=10, min_value=0)


class BomReleaseForm(BootstrapMixin, forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}))


class WorkCenterForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = WorkCenter
        fields = ["code", "name", "cost_per_hour", "process", "hours_per_week", "active"]


class RoutingForm(BootstrapMixin, forms.Form):
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.filter(
        active=True, item_type__in=[Item.Type.FINISHED, Item.Type.SUBASSEMBLY]))
    name = forms.CharField(label=_("Name"), max_length=100)


class RoutingOperationForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = RoutingOperation
        fields = ["sequence", "name", "work_center", "setup_minutes", "run_minutes_per_unit", "piece_rate",
                  "outsourced", "process"]


RoutingOperationFormSet = forms.formset_factory(RoutingOperationForm, extra=5, max_num=30)

BOM_STATUS_CHOICES = Bom.Status.choices
