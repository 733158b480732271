"""RFQs: a supplier's quotation, the buyer's acceptance, withdrawing, the quotation's file, and a
member's RFQs and quotations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import form_errors_from
from ecommerce import selectors, services
from ecommerce.forms import QuotationForm
from ecommerce.models import Quotation
from ecommerce.views._common import (acting_memberships_or_refuse, boards_view, listing_or_404, nav_context,
                                      run_reported)
from tenants.models import Role
from tenants.selectors import membership_get


@require_POST
@boards_view(login=True)
def quotation_submit(request, listing_id: int):
    listing = listing_or_404(request, listing_id)
    acting = acting_memberships_or_refuse(request, listing, refusal=_(
        "To quote, you need the role “%(role)s” or higher in another enterprise.") % {"role": Role.CLERK.label})
    form = QuotationForm(request.POST, request.FILES, memberships=acting, listing=listing)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.quotation_submit(listing=listing, user=request.user, **data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Your quotation is sent."))
            return redirect(reverse("boards:listing_detail", args=[listing.pk]) + "#rfq")
    errors = [f"{form.fields[name].label if name in form.fields else ''} {' '.join(e)}".strip()
              for name, e in form.errors.items()]
    messages.error(request, _("The quotation was not sent: %(errors)s") % {"errors": "; ".join(errors)})
    return redirect(reverse("boards:listing_detail", args=[listing.pk]) + "#rfq")


@require_POST
@boards_view(login=True)
def quotation_accept(request, quotation_id: int):
    # not found, whether missing or on another enterprise's RFQ (a member of the buyer, of any role, gets
    # the reason)
    quotation = selectors.quotation_received_get(quotation_id=quotation_id, user=request.user)
    if quotation is None:
        raise Http404
    run_reported(request, lambda: services.quotation_accept(quotation=quotation, user=request.user),
                 success=_("You accepted the quotation of %(supplier)s.") % {"supplier": quotation.enterprise})
    return redirect(reverse("boards:listing_detail", args=[quotation.listing_id]) + "#rfq")


@require_POST
@boards_view(login=True)
def quotation_withdraw(request, quotation_id: int):
    """The supplier withdraws its quotation (from the listing's page or from "my quotations")."""
    quotation = selectors.quotation_get(quotation_id=quotation_id)
    # not found, whether missing or another enterprise's (a member of the supplier, of any role, gets the reason)
    if quotation is None or membership_get(user=request.user, enterprise=quotation.enterprise) is None:
        raise Http404
    run_reported(request, lambda: services.quotation_withdraw(quotation=quotation, user=request.user,
                                                              reason=request.POST.get("reason", "")),
                 success=_("Your quotation for “%(title)s” is withdrawn.") % {"title": quotation.listing.title})
    if request.POST.get("back") == "rfqs":
        return redirect("boards:my_rfqs")
    return redirect(reverse("boards:listing_detail", args=[quotation.listing_id]) + "#rfq")


def with_withdraw_flags(quotations: list[Quotation], *, user) -> list[Quotation]:
    """Mark each quotation the user may withdraw (``.can_withdraw``): submitted, and the user is a clerk
    or above of the quoting enterprise. A submitted quotation is never one of a decided RFQ (accepting
    one declines the others)."""
    clerk_of = {m.enterprise_id for m in selectors.acting_memberships(user=user)}
    for quotation in quotations:
        quotation.can_withdraw = quotation.status == Quotation.Status.SUBMITTED and quotation.enterprise_id in clerk_of
    return quotations


@boards_view(login=True)
def quotation_attachment(request, quotation_id: int):
    quotation = selectors.quotation_get(quotation_id=quotation_id)
    if quotation is None or not quotation.attachment:
        raise Http404
    allowed = {quotation.listing.enterprise_id, quotation.enterprise_id}
    if quotation.status == Quotation.Status.WITHDRAWN:  # withdrawing takes the file back from the buyer
        allowed = {quotation.enterprise_id}
    mine = {m.enterprise_id for m in selectors.acting_memberships(user=request.user, minimum=Role.VIEWER)}
    if not (allowed & mine or request.user.is_office or request.user.is_platform_admin):
        raise Http404
    return FileResponse(quotation.attachment.open("rb"), as_attachment=True,
                        filename=quotation.attachment_name or "quotation")


@boards_view(login=True)
def my_rfqs(request):
    return render(request, "ecommerce/my_rfqs.html", {
        **nav_context(request), "rfqs": list(selectors.my_rfqs(user=request.user)[:200]),
        "quotations": with_withdraw_flags(list(selectors.my_quotations(user=request.user)[:200]),
                                          user=request.user)})
