from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, IdField
from erp_modules.catalog.models import BomLine, Item, ItemCategory
from pdm.parts.models import NumberingRule


class PartCreateForm(BootstrapMixin, forms.Form):
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.filter(active=True, part__isnull=True)
                                  .order_by("code"))
    rule = forms.ModelChoiceField(label=_("Numbering rule"), required=False,
                                  queryset=NumberingRule.objects.filter(active=True))
    number = forms.CharField(label=_("Engineering number"), required=False, max_length=40,
                             help_text=_("Leave empty to take the next number of the rule."))
    description = forms.CharField(label=_("Engineering description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class NumberingRuleForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    prefix = forms.CharField(label=_("Prefix"), max_length=10)
    category = forms.ModelChoiceField(label=_("Item category"), required=False,
                                      queryset=ItemCategory.objects.order_by("code"))
    category_code = forms.CharField(label=_("Category code"), required=False, max_length=10)
    digits = forms.IntegerField(label=_("Digits"), min_value=1, max_value=12, initial=5)
    next_value = forms.IntegerField(label=_("Next number"), min_value=1, max_value=2_000_000_000, initial=1)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ReleaseForm(BootstrapMixin, forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}))
    keep_previous = forms.BooleanField(label=_("Keep the previous revision released (a customer's variant)"),
                                       required=False)


class BomLineAddForm(BootstrapMixin, forms.Form):
    component = forms.ModelChoiceField(label=_("Component"), queryset=Item.objects.filter(active=True).order_by("code"))
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0.0001, max_digits=18, decimal_places=4)
    scrap_pct = forms.DecimalField(label=_("Scrap %"), initial=0, min_value=0, max_value=99.99, max_digits=5,
                                   decimal_places=2)
    line_type = forms.ChoiceField(label=_("Line type"), choices=BomLine.LineType.choices)


class BomLineRemoveForm(BootstrapMixin, forms.Form):
    line = IdField(label=_("Line"))
