"""A listing's page, posting and editing a listing, its changes of state, and a member's listings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from core.forms import form_errors_from
from core.tables import Column, Filter, Table
from ecommerce import selectors, services
from ecommerce.error_codes import BoardsErrorCode
from ecommerce.forms import HideForm, InquiryForm, ListingForm, QuotationForm
from ecommerce.models import Listing, Quotation
from ecommerce.services import BoardsPermissionDenied
from ecommerce.views._common import badges, boards_view, listing_or_404, listing_url, nav_context, run_reported
from ecommerce.views.rfq import with_withdraw_flags
from tenants.models import Role
from tenants.selectors import membership_get


def listing_detail(request, listing_id: int):
    listing = listing_or_404(request, listing_id)
    user = request.user
    membership = membership_get(user=user, enterprise=listing.enterprise) if user.is_authenticated else None
    is_owner = membership is not None and membership.has_role(Role.CLERK)
    is_office = user.is_authenticated and (user.is_office or user.is_platform_admin)
    can_contact = selectors.user_is_member_anywhere(user=user)
    acting = [m for m in selectors.acting_memberships(user=user) if m.enterprise_id != listing.enterprise_id]
    matches = selectors.listing_matches(listing=listing)
    context = {
        **nav_context(request), "listing": listing, "card": getattr(listing.enterprise, "board_card", None),
        "stock": selectors.listing_stock(listing=listing), "matches": matches,
        "images": list(listing.images.all()), "attachments": list(listing.attachments.all()) if can_contact else [],
        "is_member": membership is not None, "is_owner": is_owner, "is_office": is_office,
        "can_contact": can_contact, "acting": acting,
    }
    if acting and listing.is_visible:
        context["inquiry_form"] = InquiryForm(memberships=acting)
        context["my_thread"] = selectors.inquiry_thread_for_listing(listing=listing, user=user)
    if listing.is_rfq:
        context.update(_rfq_context(listing, user=user, is_owner=is_owner, is_office=is_office, acting=acting))
    if is_office:
        context["hide_form"] = HideForm()
    context["credit_badges"] = badges([m for m, _score in matches], enterprises=[
        listing.enterprise, *(q.enterprise for q in context.get("quotations") or ())])
    return render(request, "ecommerce/listing_detail.html", context)


def _rfq_context(listing: Listing, *, user, is_owner: bool, is_office: bool, acting: list) -> dict:
    """An RFQ's part of its page: the buyer (and the office) compare the quotations, a supplier sees its own."""
    quotations = selectors.rfq_quotations(listing=listing)
    context = {"quotation_count": len(quotations), "quota": services.rfq_quota(listing)}
    if is_owner or is_office:
        context["quotations"] = quotations
        context["can_accept"] = is_owner and not any(q.status == Quotation.Status.ACCEPTED for q in quotations)
    else:
        mine = with_withdraw_flags(selectors.rfq_quotations_of(listing=listing, user=user), user=user)
        context["my_quotations"] = mine
        context["has_live_quotation"] = any(q.status == Quotation.Status.SUBMITTED for q in mine)
    if acting and listing.rfq_open:
        context["quotation_form"] = QuotationForm(memberships=acting, listing=listing)
    return context


@boards_view(login=True)
def listing_new(request):
    memberships = selectors.acting_memberships(user=request.user)
    if not memberships:
        raise BoardsPermissionDenied(_("To post, you need the role “%(role)s” or higher in an enterprise on the "
                                       "platform.") % {"role": Role.CLERK.label}, BoardsErrorCode.ROLE_TOO_LOW)
    initial = {"kind": request.GET.get("kind", Listing.Kind.SUPPLY)}
    if request.GET.get("category"):
        initial["category"] = request.GET["category"]
    form = ListingForm(request.POST or None, memberships=memberships, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        try:
            listing = services.listing_create(enterprise=form.cleaned_data["enterprise"], user=request.user,
                                              publish="save_draft" not in request.POST, **data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Your listing is published.") if listing.status == Listing.Status.PUBLISHED
                             else _("Your listing is saved as a draft."))
            return redirect("boards:listing_detail", listing.pk)
    return render(request, "ecommerce/listing_form.html", {**nav_context(request), "form": form, "listing": None})


@boards_view(login=True)
def listing_edit(request, listing_id: int):
    listing = listing_or_404(request, listing_id)
    # the same clear refusal as the service gives, before a form is even shown
    services.member_require(user=request.user, enterprise=listing.enterprise, minimum=Role.CLERK)
    memberships = [membership_get(user=request.user, enterprise=listing.enterprise)]
    form = ListingForm(request.POST or None, memberships=memberships, editing=listing,
                       initial=ListingForm.initial_from(listing))
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        data.pop("kind", None)
        validity_days = data.pop("validity_days", None)
        erp_item_code = data.pop("erp_item_code", "")
        try:
            services.listing_update(listing=listing, user=request.user, validity_days=validity_days,
                                    erp_item_code=erp_item_code, **data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Listing saved."))
            return redirect("boards:listing_detail", listing.pk)
    return render(request, "ecommerce/listing_form.html", {**nav_context(request), "form": form, "listing": listing})


@require_POST
@boards_view(login=True)
def listing_action(request, listing_id: int, action: str):
    listing = listing_or_404(request, listing_id)
    actions = {"publish": (services.listing_publish, _("Your listing is published.")),
               "close": (services.listing_close, _("Listing closed.")),
               "renew": (services.listing_renew, _("Listing renewed."))}
    if action not in actions:
        raise Http404
    func, done = actions[action]
    run_reported(request, lambda: func(listing=listing, user=request.user), success=done)
    return redirect("boards:listing_detail", listing.pk)


@boards_view(login=True)
def my_listings(request):
    table = Table(
        request, selectors.my_listings(user=request.user),
        columns=[Column("title", _("Title"), sort="title", link=listing_url),
                 Column("kind", pgettext("listing kind", "Supply or demand"), sort="kind"),
                 Column("enterprise.display_name", _("Enterprise"), sort="enterprise__name"),
                 Column("board.name", _("Board"), sort="board__sort_order"),
                 Column("status", _("Status"), sort="status"),
                 Column("hidden_reason", _("Hidden by the office")),
                 Column("quotation_count", _("Quotations"), numeric=True),
                 Column("expires_at", _("Valid until"), sort="expires_at"),
                 Column("created_at", _("Created"), sort="created_at")],
        search_fields=["title", "description"],
        filters=[Filter("status", _("Status"), choices=list(Listing.Status.choices)),
                 Filter("kind", pgettext("listing kind", "Supply or demand"), choices=list(Listing.Kind.choices))],
        export_name="my-listings", default_sort="-created_at")
    if table.wants_export:
        return table.export_response()
    return render(request, "ecommerce/my_listings.html", {**nav_context(request), "table": table})
