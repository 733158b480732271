"""The small forms of the capacity / outsourcing page on the enterprise host (ecommerce/capacity_views.py): the
board category a capacity listing or processing RFQ goes under. The services decide the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from ecommerce.forms import category_field_choices
from ecommerce.services.capacity import CAPACITY_WEEKS, MAX_WEEKS


class CapacityPostForm(BootstrapMixin, forms.Form):
    category = forms.TypedChoiceField(label=_("Board category"), coerce=int)
    weeks = forms.IntegerField(label=_("Weeks shown"), min_value=1, max_value=MAX_WEEKS, initial=CAPACITY_WEEKS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + category_field_choices()


class ProcessingPostForm(BootstrapMixin, forms.Form):
    category = forms.TypedChoiceField(label=_("Board category"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + category_field_choices()
