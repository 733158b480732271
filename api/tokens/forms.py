from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.tokens.scopes import SCOPES
from core.forms import StrictInputMixin


class ApiTokenForm(StrictInputMixin, forms.Form):
    """Only parses the input: the rules (a name, a scope, a future expiry, how many) are api_token_create's.
    The fields are named as the service names them, so its errors land on the right field."""

    name = forms.CharField(label=_("Name"), max_length=100, required=False,
                           help_text=_("What will use it, e.g. “MES line 2” or “online shop”."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), required=False, widget=forms.CheckboxSelectMultiple)
    expires_at = forms.DateField(label=_("Expires on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 help_text=_("Optional. The token stops working at 00:00 on this day."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = list(SCOPES.items())

    def clean_expires_at(self):
        day = self.cleaned_data.get("expires_at")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())
