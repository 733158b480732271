"""Input parsing only: the rules live in services (their errors are put back on these fields)."""

from __future__ import annotations

import re

from django import forms
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import StrictInputMixin
from core.parsing import is_id
from erp_modules.catalog.models import Bom, Item, Routing, WorkCenter
from erp_modules.inventory.models import Location
from erp_modules.production.models import WorkOrder, Worker
from erp_modules.production.services.workers import worker_for_member
from tenants.models import Membership


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def producible_items():
    return (Item.objects.filter(active=True, boms__status=Bom.Status.RELEASED)
            .exclude(item_type__in=[Item.Type.KIT, Item.Type.SERVICE, Item.Type.RAW])
            .select_related("uom").distinct().order_by("code"))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class WorkOrderForm(StrictInputMixin, forms.Form):
    item = forms.ModelChoiceField(label=_("Item to produce"), queryset=Item.objects.none())
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=18, decimal_places=4)
    bom = forms.ModelChoiceField(label=_("BOM version"), queryset=Bom.objects.none(), required=False,
                                 empty_label=_("The version in force"))
    routing = forms.ModelChoiceField(label=_("Routing"), queryset=Routing.objects.none(), required=False,
                                     empty_label=_("No routing (report the quantity at completion)"))
    planned_start = forms.DateField(label=_("Planned start"), required=False, widget=DateInput())
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=DateInput())
    component_location = forms.ModelChoiceField(label=_("Take components from"), required=False,
                                                queryset=Location.objects.none(),
                                                empty_label=_("The item's default location"))
    output_location = forms.ModelChoiceField(label=_("Put the output into"), required=False,
                                             queryset=Location.objects.none(),
                                             empty_label=_("The item's default location"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, reload_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = producible_items()
        locations = Location.objects.filter(active=True).select_related("warehouse")
        self.fields["component_location"].queryset = locations
        self.fields["output_location"].queryset = locations
        item_id = (self.data.get("item") if self.is_bound else None) or self.initial.get("item")
        item_id = getattr(item_id, "pk", item_id)
        if item_id and is_id(item_id):
            self.fields["bom"].queryset = Bom.objects.filter(item_id=item_id, status=Bom.Status.RELEASED).order_by(
                "-version")
            self.fields["routing"].queryset = Routing.objects.filter(item_id=item_id, active=True).order_by("name")
        self.fields["bom"].label_from_instance = lambda b: _("v%(version)s, in force from %(date)s") % {
            "version": b.version, "date": b.effective_from}
        self.fields["routing"].label_from_instance = lambda r: r.name
        if reload_url:  # choosing the item reloads the BOM and routing choices (htmx)
            self.fields["item"].widget.attrs.update({
                "hx-get": reload_url, "hx-trigger": "change", "hx-target": "#work-order-form",
                "hx-select": "#work-order-form", "hx-swap": "outerHTML", "hx-include": "closest form"})
        self.fields["quantity"].widget.attrs.update({"min": "0", "step": "any"})
        _style(self)


def operator_choices() -> list:
    """The report form's operators: the enterprise's active workers, then its members without a worker row
    yet (values "w<worker id>" and "m<user id>"; a member gets a worker row when first chosen)."""
    workers = list(Worker.objects.filter(active=True).order_by("code").values_list("pk", "code", "name", "user_id"))
    linked = {user_id for _pk, _code, _name, user_id in workers if user_id}
    members = (Membership.objects.filter(enterprise_id=getattr(connection.tenant, "pk", None))
               .exclude(user_id__in=linked).select_related("user").order_by("user__email"))
    choices = [("", "—")]
    if workers:
        choices.append((_("Workers"), [(f"w{pk}", f"{code} {name}") for pk, code, name, _user in workers]))
    member_choices = [(f"m{m.user_id}", (m.user.get_full_name() or m.user.email)) for m in members]
    if member_choices:
        choices.append((_("Members"), member_choices))
    return choices


class ReportForm(StrictInputMixin, forms.Form):
    operation = forms.ModelChoiceField(label=_("Operation"), queryset=None)
    worker = forms.ChoiceField(label=_("Operator"), choices=(),
                               error_messages={"required": _("Choose who did the work (the piece-rate pay goes to them).")})
    quantity_good = forms.DecimalField(label=_("Good"), max_digits=18, decimal_places=4)
    quantity_scrap = forms.DecimalField(label=_("Scrap"), max_digits=18, decimal_places=4, required=False)
    piece_count = forms.DecimalField(label=_("Pieces"), max_digits=18, decimal_places=4, required=False,
                                     help_text=_("Pieces handled; empty = good + scrap."))
    minutes = forms.DecimalField(label=_("Minutes"), max_digits=14, decimal_places=2, required=False)
    work_date = forms.DateField(label=_("Work date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    allow_over_production = forms.BooleanField(label=_("Allow more than the ordered quantity"), required=False)

    def clean_worker(self) -> Worker:
        """The chosen worker (a member's worker row made now if it has none)."""
        value = self.cleaned_data["worker"]
        if value.startswith("w") and is_id(value[1:]):
            worker = Worker.objects.filter(pk=int(value[1:]), active=True).first()
        elif value.startswith("m") and is_id(value[1:]):
            membership = (Membership.objects.filter(enterprise_id=getattr(connection.tenant, "pk", None),
                                                    user_id=int(value[1:])).select_related("user").first())
            worker = worker_for_member(user=membership.user) if membership else None
        else:
            worker = None
        if worker is None:
            raise forms.ValidationError(_("Choose a worker from the list."), code="invalid_choice")
        return worker

    def __init__(self, *args, work_order: WorkOrder, **kwargs):
        kwargs["initial"] = {"work_date": timezone.localdate(), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = work_order.operations.select_related("work_center").order_by("sequence")
        self.fields["worker"].choices = operator_choices()
        self.fields["operation"].label_from_instance = lambda op: f"{op.sequence} {op.name} · {op.work_center.name}"
        for name in ("quantity_good", "quantity_scrap", "piece_count", "minutes"):
            self.fields[name].widget.attrs.update({"min": "0", "step": "any"})
        _style(self)


class CompleteForm(StrictInputMixin, forms.Form):
    quantity = forms.DecimalField(label=_("Quantity produced"), max_digits=18, decimal_places=4, required=False)
    serials = forms.CharField(label=_("Serial numbers"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("One per line (or separated by spaces or commas); empty = numbered "
                                          "automatically after the work order."))

    def __init__(self, *args, work_order: WorkOrder, **kwargs):
        super().__init__(*args, **kwargs)
        if work_order.routing_id and work_order.operations.exists():
            del self.fields["quantity"]
        else:
            self.fields["quantity"].widget.attrs.update({"min": "0", "step": "any"})
        if work_order.item.tracking != Item.Tracking.SERIAL:
            del self.fields["serials"]
        _style(self)

    def serial_list(self) -> list[str]:
        return [s for s in re.split(r"[\s,;，；]+", self.cleaned_data.get("serials") or "") if s]


class CancelForm(StrictInputMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class WorkerForm(StrictInputMixin, forms.Form):
    code = forms.CharField(label=_("Worker number"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=100)
    work_center = forms.ModelChoiceField(label=_("Team / work center"), queryset=None, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_center"].queryset = WorkCenter.objects.filter(active=True).order_by("code")
        _style(self)
