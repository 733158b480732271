from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, StrictDateField

DateInput = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_DAYS = 3 * 366  # a longer period would only be slower, not more telling


class PeriodForm(BootstrapMixin, forms.Form):
    """The dashboard's period (GET); both dates optional: the last 90 days by default."""

    date_from = StrictDateField(label=_("From"), required=False, widget=DateInput)
    date_to = StrictDateField(label=_("To"), required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", forms.ValidationError(_("The end is before the start."), code="dates_reversed"))
        elif start and end and (end - start).days > MAX_DAYS:
            self.add_error("date_from", forms.ValidationError(_("Choose a period of at most three years."),
                                                              code="period_too_long"))
        return data
