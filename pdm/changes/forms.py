from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from pdm.changes.models import EcoAffectedPart, EcoApproval, EcoApprovalRule, EcoStage, EcoType
from pdm.changes.selectors import releasable_revisions
from tenants.models import Role, User


class RevisionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.part.number} {obj.revision} · {obj.part.item.code} {obj.part.item.name}"


class EcoForm(BootstrapMixin, forms.Form):
    eco_type = forms.ModelChoiceField(label=_("ECO type"), queryset=EcoType.objects.filter(active=True))
    title = forms.CharField(label=_("Title"), max_length=200)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    effective_date = forms.DateField(label=_("Effective date"), widget=forms.DateInput(attrs={"type": "date"}))
    revisions = RevisionChoiceField(label=_("Affected parts (released revisions)"), queryset=None,
                                    widget=forms.SelectMultiple(attrs={"size": 8}))
    disposition = forms.ChoiceField(label=_("Old stock and open orders"), choices=EcoAffectedPart.Disposition.choices,
                                    initial=EcoAffectedPart.Disposition.USE_UP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revisions"].queryset = releasable_revisions()
        if len(self.fields["eco_type"].queryset) == 1:
            self.fields["eco_type"].initial = self.fields["eco_type"].queryset[0].pk


class DecisionForm(BootstrapMixin, forms.Form):
    # worded as actions, and "comment only" first: a member who only writes a remark never approves by default
    decision = forms.ChoiceField(label=_("Decision"), initial=EcoApproval.Decision.COMMENT, choices=[
        (EcoApproval.Decision.COMMENT, _("Comment only")), (EcoApproval.Decision.APPROVED, _("Approve")),
        (EcoApproval.Decision.REJECTED, _("Reject"))])
    comment = forms.CharField(label=_("Comment"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class EcoTypeForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=20)


class EcoStageForm(BootstrapMixin, forms.Form):
    eco_type = forms.ModelChoiceField(label=_("ECO type"), queryset=EcoType.objects.all())
    sequence = forms.IntegerField(label=_("Sequence"), min_value=1, max_value=100000, initial=30)
    name = forms.CharField(label=_("Name"), max_length=100)
    is_final = forms.BooleanField(label=_("Final stage"), required=False)
    allow_apply = forms.BooleanField(label=_("Allows apply"), required=False)


class EcoRuleForm(BootstrapMixin, forms.Form):
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=EcoStage.objects.select_related("type"))
    approver = forms.ModelChoiceField(label=_("Approver"), queryset=None, required=False)
    role = forms.ChoiceField(label=_("or any member with at least the role"), required=False,
                             choices=[("", "—")] + [(r, label) for r, label in Role.choices if r != Role.OWNER])
    requirement = forms.ChoiceField(label=_("Requirement"), choices=EcoApprovalRule.Requirement.choices)

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approver"].queryset = User.objects.filter(memberships__enterprise=enterprise).order_by("email")
        self.fields["stage"].label_from_instance = lambda s: f"{s.type.name} · {s.sequence} {s.name}"


class EcoRuleRemoveForm(BootstrapMixin, forms.Form):
    rule = forms.ModelChoiceField(queryset=EcoApprovalRule.objects.all(), widget=forms.HiddenInput)


class EcoEditForm(BootstrapMixin, forms.Form):
    """An open ECO's title, reason and effective date (its owner or a manager)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    effective_date = forms.DateField(label=_("Effective date"),
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class EffectiveDateForm(BootstrapMixin, forms.Form):
    """The new effective date of an applied ECO (managers, while the date is still to come)."""

    effective_date = forms.DateField(label=_("New effective date"),
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class DispositionForm(BootstrapMixin, forms.Form):
    """One affected part's disposition; the page writes ``affected`` (the part's row in the ECO) itself,
    through ``unlocalize``, and gives each part's form its own ``auto_id``."""

    affected = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    disposition = forms.ChoiceField(label=_("Old stock and open orders"), choices=EcoAffectedPart.Disposition.choices)
