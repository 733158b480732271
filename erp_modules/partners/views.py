from functools import partial

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.permissions import role_required
from core.tables import Column, Filter, Table
from erp_modules.common.forms import form_save
from erp_modules.common.selectors import audit_history
from erp_modules.partners import selectors, services
from erp_modules.partners.credit import partner_credit_for, partner_credit_one
from erp_modules.partners.forms import PartnerForm
from erp_modules.partners.models import Partner
from tenants.models import Role

YES_NO = [("true", gettext_lazy("yes")), ("false", gettext_lazy("no"))]


class CreditColumn(Column):
    """A partner's registry status and credit badge from `credits` ({credit code: PartnerCredit}, filled once the
    table knows its page: one batch for the page's partners). On the page: the badge (HTML); in the export: the
    status and the ratings as text."""

    def __init__(self, key, label, *, credits: dict, html: bool):
        super().__init__(key, label)
        self.credits, self.html = credits, html

    def value(self, obj):
        credit = self.credits.get(obj.uscc) if obj.uscc else None
        if credit is None:
            return ""
        if self.html:
            return credit.badge_html
        return " · ".join(part for part in (credit.status_label, credit.rating_text) if part)

    def display(self, obj) -> str:
        value = self.value(obj)
        return value if value else "—"


@role_required(Role.VIEWER)
def partner_list(request):
    credits: dict = {}  # the government credit of the partners shown (api/govdata, through partners.credit)
    exporting = request.GET.get("export") == "xlsx"
    table = Table(
        request, selectors.partner_list(active=None), export_name="partners", default_sort="code",
        columns=[
            Column("code", gettext_lazy("Code"), sort="code", link=lambda p: f"/partners/{p.pk}/"),
            Column("name", gettext_lazy("Name"), sort="name"),
            Column("is_customer", gettext_lazy("Customer")),
            Column("is_supplier", gettext_lazy("Supplier")),
            Column("uscc", gettext_lazy("Unified Social Credit Code")),
            CreditColumn("credit", gettext_lazy("Registry status and credit"), credits=credits, html=not exporting),
            Column("contact_name", gettext_lazy("Contact person")),
            Column("phone", gettext_lazy("Phone")),
            Column("payment_terms_days", gettext_lazy("Payment terms (days)"), numeric=True),
            Column("active", gettext_lazy("Active")),
        ],
        search_fields=["code", "name", "uscc", "contact_name", "phone"],
        filters=[Filter("is_customer", gettext_lazy("Customer"), YES_NO),
                 Filter("is_supplier", gettext_lazy("Supplier"), YES_NO),
                 Filter("active", gettext_lazy("Active"), YES_NO)],
    )
    if table.wants_export:
        credits.update(partner_credit_for(table.filtered.values_list("uscc", flat=True)))
        return table.export_response()
    credits.update(partner_credit_for(p.uscc for p in table.page))
    return render(request, "partners/partner_list.html", {"table": table,
                                                          "can_edit": request.membership.has_role(Role.CLERK)})


def _get(partner_id: int) -> Partner:
    partner = Partner.objects.filter(pk=partner_id).first()
    if partner is None:
        raise Http404
    return partner


@role_required(Role.VIEWER)
def partner_detail(request, partner_id: int):
    partner = _get(partner_id)
    return render(request, "partners/partner_detail.html", {
        "partner": partner, "history": audit_history(obj=partner)[:30], "credit": partner_credit_one(partner),
        "can_edit": request.membership.has_role(Role.CLERK)})


@role_required(Role.CLERK)
def partner_edit(request, partner_id: int | None = None):
    partner = _get(partner_id) if partner_id else None
    form = PartnerForm(request.POST or None, instance=partner,
                       initial=None if partner else {"is_customer": request.GET.get("kind") == "customer",
                                                     "is_supplier": request.GET.get("kind") == "supplier"})
    saved = form_save(request, form, services.partner_create if partner is None
                      else partial(services.partner_update, partner=partner))
    if saved is not None:
        messages.success(request, _("%(name)s saved.") % {"name": saved.name})
        return redirect(f"/partners/{saved.pk}/")
    return render(request, "partners/partner_form.html", {"form": form, "partner": partner})
