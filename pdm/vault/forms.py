from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from erp_modules.catalog.models import BomLine
from pdm.parts.models import PartRevision
from pdm.vault.models import Document


class DocumentForm(BootstrapMixin, forms.Form):
    number = forms.CharField(label=_("Document number"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices)
    file = forms.FileField(label=_("File"))
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class CheckInForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("New version"))
    comment = forms.CharField(label=_("What changed"), max_length=500)


class _OfferedChoices(ModelChoiceIterator):
    def __init__(self, field):
        super().__init__(field)
        self.queryset = field.offered.all()


class OfferedModelChoiceField(forms.ModelChoiceField):
    """Offers the rows of ``offered`` but accepts any row of ``queryset``: a choice that stopped being offered
    since the page was drawn (a revision released meanwhile) reaches the service, which refuses it with its own
    coded message ("… is released: its documents can no longer change") instead of "not a valid choice"."""

    iterator = _OfferedChoices

    def __init__(self, *, offered, **kwargs):
        self.offered = offered
        super().__init__(**kwargs)


class BomLineChoiceField(OfferedModelChoiceField):
    """A line of a revision's BOM, named by the part and revision that own it: "RH-HOOD-200 B · SCREW-M4 × 2"."""

    def label_from_instance(self, line):
        return f"{line.bom.part_revision} · {line.component.code} × {line.quantity.normalize():f}"


_IN_WORK = ~Q(state__in=PartRevision.FROZEN_STATES)


class LinkForm(BootstrapMixin, forms.Form):
    """Link a document to a part revision, optionally to one line of its BOM. Only revisions still changing
    and their BOM lines are offered (document_link refuses a frozen revision)."""

    revision = OfferedModelChoiceField(
        label=_("Part revision"), queryset=PartRevision.objects.select_related("part"),
        offered=PartRevision.objects.filter(_IN_WORK).select_related("part").order_by("part__number", "revision"))
    bom_line = BomLineChoiceField(
        label=_("BOM line (optional)"), required=False,
        queryset=BomLine.objects.filter(bom__part_revision__isnull=False),
        offered=BomLine.objects.filter(bom__part_revision__isnull=False)
        .exclude(bom__part_revision__state__in=PartRevision.FROZEN_STATES)
        .select_related("bom__part_revision__part", "component")
        .order_by("bom__part_revision__part__number", "bom__part_revision__revision", "sequence", "pk"))
