"""Spare capacity and outsourced processing (外协) on the enterprise host (mounted at /erp/capacity/ by
config/urls_tenants.py, so the ERP's roles apply): the work centers whose free hours can go on the boards as
capacity listings (computed from the work-order load, recomputed on demand and nightly), and the outsourced
operations of open work orders that can be posted as processing RFQs.

Every id is one of the host enterprise's: ERP rows are read in its schema, listings filtered by it; another
enterprise's id is not found (404), as a missing one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import role_required
from ecommerce.capacity_forms import CapacityPostForm, ProcessingPostForm
from ecommerce.models import Category, Listing
from ecommerce.selectors.capacity import capacity_listing_get, erp_listings_by_source
from ecommerce.services.capacity import (CAPACITY_WEEKS, capacity_listing_post, capacity_listing_refresh,
                                         processing_demand_post)
from erp_modules.production.selectors import (capacity_work_center_get, capacity_work_centers,
                                              outsourced_operation_get, outsourced_operations,
                                              work_center_free_hours)
from tenants.models import Role
from tenants.selectors import site_base_url

PAGE = "/erp/capacity/"


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@role_required(Role.VIEWER)
def capacity_page(request):
    enterprise = request.enterprise
    posted_wc = erp_listings_by_source(enterprise=enterprise, source=Listing.ErpSource.WORK_CENTER)
    posted_op = erp_listings_by_source(enterprise=enterprise, source=Listing.ErpSource.OPERATION)
    work_centers = [{"work_center": wc, "weeks": work_center_free_hours(work_center=wc, weeks=CAPACITY_WEEKS),
                     "listing": posted_wc.get(wc.pk)} for wc in capacity_work_centers()]
    operations = [{"operation": op, "listing": posted_op.get(op.pk)} for op in outsourced_operations()[:200]]
    return render(request, "ecommerce/erp/capacity.html", {
        "work_centers": work_centers, "operations": operations,
        "weeks": work_centers[0]["weeks"] if work_centers else [],
        "capacity_form": CapacityPostForm(auto_id=False), "processing_form": ProcessingPostForm(auto_id=False),
        "can_post": request.membership.has_role(Role.CLERK), "site": site_base_url(request=request),
    })


def _category(form) -> Category | None:
    return Category.objects.select_related("board").filter(pk=form.cleaned_data["category"]).first()


def _post_to_board(request, form, post, success: str):
    """Post a listing from the capacity page: the category chosen on ``form``, then ``post(board, category)``
    (a service); its refusal or ``success`` (formatted with the listing's title) as a message, back to the page."""
    category = _category(form) if form.is_valid() else None
    if category is None:
        messages.error(request, _("Choose a board category."))
        return redirect(PAGE)
    try:
        listing = post(category.board, category)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, success % {"title": listing.title})
    return redirect(PAGE)


@require_POST
@role_required(Role.CLERK)
def capacity_post(request, work_center_id: int):
    if capacity_work_center_get(work_center_id=work_center_id) is None:
        raise Http404
    form = CapacityPostForm(request.POST)
    return _post_to_board(request, form, lambda board, category: capacity_listing_post(
        enterprise=request.enterprise, user=request.user, work_center_id=work_center_id, board=board,
        category=category, weeks=form.cleaned_data["weeks"]), _("“%(title)s” is on the boards."))


@require_POST
@role_required(Role.CLERK)
def capacity_refresh(request, listing_id: int):
    listing = capacity_listing_get(enterprise=request.enterprise, listing_id=listing_id)
    if listing is None:
        raise Http404
    try:
        capacity_listing_refresh(listing=listing)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Free hours recomputed from the current work-order load."))
    return redirect(PAGE)


@require_POST
@role_required(Role.CLERK)
def processing_post(request, operation_id: int):
    if outsourced_operation_get(operation_id=operation_id) is None:
        raise Http404
    return _post_to_board(request, ProcessingPostForm(request.POST), lambda board, category: processing_demand_post(
        enterprise=request.enterprise, user=request.user, operation_id=operation_id, board=board, category=category),
        _("RFQ “%(title)s” is published on the boards; subcontractors can now quote."))
