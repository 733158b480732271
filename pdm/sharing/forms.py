from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, IdField
from pdm.sharing.models import Share


class ShareForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(choices=Share.Kind.choices, widget=forms.HiddenInput)
    object_id = IdField(widget=forms.HiddenInput)
    partner = forms.CharField(label=_("Partner enterprise"), max_length=200,
                              help_text=_("Its Unified Social Credit Code (统一社会信用代码) or its exact name."))
    mode = forms.ChoiceField(label=_("The partner may"), choices=Share.Mode.choices, initial=Share.Mode.READ)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PartnerUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("New version"))
    comment = forms.CharField(label=_("What changed"), max_length=300)


def share_form(*, kind: str, object_id: int | None, data=None) -> ShareForm:
    """The share form of one object; a part revision is shared read-only, so its form offers no other mode."""
    form = ShareForm(data, initial={"kind": kind, "object_id": object_id, "mode": Share.Mode.READ})
    if kind == Share.Kind.REVISION:
        form.fields["mode"].choices = [(Share.Mode.READ.value, Share.Mode.READ.label)]
    return form
