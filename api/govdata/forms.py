from django import forms
from django.utils.translation import gettext_lazy as _

from api.govdata.models import SyncRun
from core.forms import StrictInputMixin

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class UploadForm(StrictInputMixin, forms.Form):
    KIND_CHOICES = [("", _("Detect from the headers"))] + [
        (k, label) for k, label in SyncRun.Kind.choices if k != SyncRun.Kind.NIGHTLY]

    file = forms.FileField(label=_("CSV or Excel export of the data-exchange centre"))
    kind = forms.ChoiceField(label=_("Data"), choices=KIND_CHOICES, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."), code="file_type")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."), code="file_too_large")
        return upload


class SyncForm(StrictInputMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What to sync"), choices=SyncRun.Kind.choices, initial=SyncRun.Kind.NIGHTLY)
