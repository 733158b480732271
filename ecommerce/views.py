"""Pages of the boards (public host, /boards/). Thin: parse input, call a service or selector, render.

Anyone may browse and search. Contact details, attachments, inquiries and quotations are for
logged-in members of an enterprise. A user acts for one of their enterprises (chosen in each form,
role clerk or above); only members of the posting enterprise change a listing; the office moderates.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.govdata.selectors import registry_for
from core.tables import Column, Filter, Table
from ecommerce import selectors, services
from ecommerce.credit import credit_badges_on_page
from ecommerce.forms import (CardForm, HideForm, InquiryForm, ListingForm, QuotationForm, ReplyForm, SearchForm)
from ecommerce.models import Category, Listing, ListingAttachment, ListingImage, Quotation
from ecommerce.services import BoardsPermissionDenied
from tenants.models import Enterprise, Role
from tenants.selectors import membership_get


def _login_url(request) -> str:
    return f"/login/?{urlencode({'next': request.get_full_path()})}"


def boards_view(view=None, *, login: bool = False):
    """Login when needed; a refusal from a service becomes a 403 page that says why."""

    def decorator(func):
        @wraps(func)
        def wrapped(request, *args, **kwargs):
            if login and not request.user.is_authenticated:
                return HttpResponseRedirect(_login_url(request))
            try:
                return func(request, *args, **kwargs)
            except BoardsPermissionDenied as exc:
                return render(request, "ecommerce/forbidden.html", {**_nav(request), "message": exc.message,
                                                                    "code": exc.code}, status=403)

        return wrapped

    return decorator(view) if view is not None else decorator


def _nav(request) -> dict:
    user = request.user
    context = {}
    if user.is_authenticated:
        context["unread_notifications"] = selectors.notifications_unread_count(user=user)
        context["unread_inquiries"] = selectors.inquiry_unread_total(user=user)
        context["is_office"] = user.is_office or user.is_platform_admin
    return context


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _listing_or_404(request, listing_id: int) -> Listing:
    listing = selectors.listing_get(listing_id=listing_id)
    if listing is None or not selectors.listing_can_view(listing=listing, user=request.user):
        raise Http404
    return listing


def _require_listing_member(request, listing: Listing):
    """The same clear refusal as the service gives, before a form is even shown."""
    return services.member_require(user=request.user, enterprise=listing.enterprise, minimum=Role.CLERK)


# ---- browsing ------------------------------------------------------------------------------------


def _badges(*listing_lists, enterprises=()) -> dict:
    """The government credit badges of every poster on the page, loaded at once (3 queries)."""
    posters = [item.enterprise for items in listing_lists for item in items]
    return credit_badges_on_page(enterprises=[*enterprises, *posters])


def index(request):
    featured = selectors.board_featured(limit=6)
    newest_supply = selectors.board_newest(kind=Listing.Kind.SUPPLY, limit=8)
    newest_demand = selectors.board_newest(kind=Listing.Kind.DEMAND, limit=8)
    return render(request, "ecommerce/index.html", {
        **_nav(request), "boards": selectors.board_list(), "featured": featured, "newest_supply": newest_supply,
        "newest_demand": newest_demand, "credit_badges": _badges(featured, newest_supply, newest_demand)})


def board_home(request, code: str):
    board = selectors.board_get(code=code)
    if board is None:
        raise Http404
    featured = selectors.board_featured(board=board)
    newest_supply = selectors.board_newest(board=board, kind=Listing.Kind.SUPPLY)
    newest_demand = selectors.board_newest(board=board, kind=Listing.Kind.DEMAND)
    return render(request, "ecommerce/board.html", {
        **_nav(request), "board": board, "boards": selectors.board_list(), "tree": selectors.category_tree(board=board),
        "featured": featured, "newest_supply": newest_supply, "newest_demand": newest_demand,
        "credit_badges": _badges(featured, newest_supply, newest_demand)})


def search(request):
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    board = selectors.board_get(code=data.get("board") or "") if data.get("board") else None
    category = Category.objects.filter(pk=data.get("category")).first() if data.get("category") else None
    filters = selectors.SearchFilters(
        q=data.get("q") or "", board=board, category=category, kind=data.get("kind") or "",
        price_min=data.get("price_min"), price_max=data.get("price_max"), town=data.get("town") or "",
        credit_verified=bool(data.get("credit")), sort=data.get("sort") or "relevance")
    page = selectors.listing_search(filters=filters, page=data.get("page") or 1)
    params = request.GET.copy()
    params.pop("page", None)
    context = {**_nav(request), "page": page, "filters": filters, "query_string": params.urlencode(),
               "credit_badges": _badges(page.results),
               "boards": selectors.board_list(), "towns": selectors.town_choices(),
               "categories": selectors.category_choices(board=board), "form_errors": form.errors if form.is_bound
               else {}}
    template = "ecommerce/_results.html" if request.htmx and not request.htmx.boosted else "ecommerce/search.html"
    return render(request, template, context)


def listing_detail(request, listing_id: int):
    listing = _listing_or_404(request, listing_id)
    user = request.user
    membership = membership_get(user=user, enterprise=listing.enterprise) if user.is_authenticated else None
    is_owner = membership is not None and membership.has_role(Role.CLERK)
    is_office = user.is_authenticated and (user.is_office or user.is_platform_admin)
    can_contact = selectors.user_is_member_anywhere(user=user)
    acting = [m for m in selectors.acting_memberships(user=user) if m.enterprise_id != listing.enterprise_id]
    matches = selectors.listing_matches(listing=listing)
    context = {
        **_nav(request), "listing": listing, "card": getattr(listing.enterprise, "board_card", None),
        "stock": selectors.listing_stock(listing=listing), "matches": matches,
        "images": list(listing.images.all()), "attachments": list(listing.attachments.all()) if can_contact else [],
        "is_member": membership is not None, "is_owner": is_owner, "is_office": is_office,
        "can_contact": can_contact, "acting": acting,
    }
    if acting and listing.is_visible:
        context["inquiry_form"] = InquiryForm(memberships=acting)
        context["my_thread"] = selectors.inquiry_thread_for_listing(listing=listing, user=user)
    if listing.is_rfq:
        quotations = selectors.rfq_quotations(listing=listing)
        context["quotation_count"] = len(quotations)
        context["quota"] = services.rfq_quota(listing)
        if is_owner or is_office:
            context["quotations"] = quotations
            prices = [q.unit_price for q in quotations if q.status != Quotation.Status.DECLINED]
            context["best_price"] = min(prices) if prices else None
            context["can_accept"] = is_owner and not any(q.status == Quotation.Status.ACCEPTED for q in quotations)
        else:
            mine = _with_withdraw_flags(selectors.rfq_quotations_of(listing=listing, user=user), user=user)
            context["my_quotations"] = mine
            context["has_live_quotation"] = any(q.status == Quotation.Status.SUBMITTED for q in mine)
        if acting and listing.rfq_open:
            context["quotation_form"] = QuotationForm(memberships=acting, listing=listing)
    if is_office:
        context["hide_form"] = HideForm()
    context["credit_badges"] = _badges([m for m, _score in matches], enterprises=[
        listing.enterprise, *(q.enterprise for q in context.get("quotations") or ())])
    return render(request, "ecommerce/listing_detail.html", context)


def enterprise_profile(request, slug: str):
    enterprise = Enterprise.objects.filter(slug=slug, status=Enterprise.Status.ACTIVE).first()
    if enterprise is None:
        raise Http404
    listings = selectors.enterprise_listings(enterprise=enterprise)
    return render(request, "ecommerce/enterprise.html", {
        **_nav(request), "enterprise": enterprise, "card": services.enterprise_card_get(enterprise=enterprise),
        "listings": listings, "credit_badges": _badges(listings, enterprises=[enterprise]),
        "registry": registry_for(enterprise.uscc),
        "can_edit": request.user.is_authenticated and bool(
            (m := membership_get(user=request.user, enterprise=enterprise)) and m.has_role(Role.ADMIN))})


# ---- posting -------------------------------------------------------------------------------------


@boards_view(login=True)
def listing_new(request):
    memberships = selectors.acting_memberships(user=request.user)
    if not memberships:
        raise BoardsPermissionDenied(_("To post, you need the role “%(role)s” or higher in an enterprise on the "
                                       "platform.") % {"role": Role.CLERK.label}, services.Code.ROLE_TOO_LOW)
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
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Your listing is published.") if listing.status == Listing.Status.PUBLISHED
                             else _("Your listing is saved as a draft."))
            return redirect("boards:listing_detail", listing.pk)
    return render(request, "ecommerce/listing_form.html", {**_nav(request), "form": form, "listing": None})


@boards_view(login=True)
def listing_edit(request, listing_id: int):
    listing = _listing_or_404(request, listing_id)
    _require_listing_member(request, listing)
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
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Listing saved."))
            return redirect("boards:listing_detail", listing.pk)
    return render(request, "ecommerce/listing_form.html", {**_nav(request), "form": form, "listing": listing})


@require_POST
@boards_view(login=True)
def listing_action(request, listing_id: int, action: str):
    listing = _listing_or_404(request, listing_id)
    actions = {"publish": (services.listing_publish, _("Your listing is published.")),
               "close": (services.listing_close, _("Listing closed.")),
               "renew": (services.listing_renew, _("Listing renewed."))}
    if action not in actions:
        raise Http404
    func, done = actions[action]
    try:
        func(listing=listing, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("boards:listing_detail", listing.pk)


@require_POST
@boards_view(login=True)
def image_upload(request, listing_id: int):
    listing = _listing_or_404(request, listing_id)
    try:
        for file in request.FILES.getlist("image") or [None]:
            services.listing_image_add(listing=listing, user=request.user, file=file)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Image added."))
    return redirect(reverse("boards:listing_detail", args=[listing.pk]) + "#images")


@require_POST
@boards_view(login=True)
def image_delete(request, image_id: int):
    image = ListingImage.objects.select_related("listing", "listing__enterprise").filter(pk=image_id).first()
    if image is None:
        raise Http404
    services.listing_image_delete(image=image, user=request.user)
    messages.success(request, _("Image removed."))
    return redirect(reverse("boards:listing_detail", args=[image.listing_id]) + "#images")


def image_serve(request, image_id: int, thumb: bool = False):
    image = ListingImage.objects.select_related("listing", "listing__enterprise").filter(pk=image_id).first()
    if image is None or not selectors.listing_can_view(listing=image.listing, user=request.user):
        raise Http404
    stored = image.thumbnail if thumb and image.thumbnail else image.image
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(handle, content_type="image/jpeg" if stored is image.thumbnail else image.content_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_POST
@boards_view(login=True)
def attachment_upload(request, listing_id: int):
    listing = _listing_or_404(request, listing_id)
    try:
        services.listing_attachment_add(listing=listing, user=request.user, file=request.FILES.get("file"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("File attached."))
    return redirect(reverse("boards:listing_detail", args=[listing.pk]) + "#attachments")


@boards_view(login=True)
def attachment_download(request, attachment_id: int):
    attachment = ListingAttachment.objects.select_related("listing", "listing__enterprise").filter(
        pk=attachment_id).first()
    if (attachment is None or not selectors.user_is_member_anywhere(user=request.user)
            or not selectors.listing_can_view(listing=attachment.listing, user=request.user)):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                        content_type=attachment.content_type)


# ---- RFQs ----------------------------------------------------------------------------------------


@require_POST
@boards_view(login=True)
def quotation_submit(request, listing_id: int):
    listing = _listing_or_404(request, listing_id)
    acting = [m for m in selectors.acting_memberships(user=request.user) if m.enterprise_id != listing.enterprise_id]
    if not acting:
        raise BoardsPermissionDenied(_("To quote, you need the role “%(role)s” or higher in another enterprise.")
                                     % {"role": Role.CLERK.label}, services.Code.ROLE_TOO_LOW)
    form = QuotationForm(request.POST, request.FILES, memberships=acting, listing=listing)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.quotation_submit(listing=listing, user=request.user, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
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
    quotation = selectors.quotation_get(quotation_id=quotation_id)
    if quotation is None or not selectors.listing_can_view(listing=quotation.listing, user=request.user):
        raise Http404
    try:
        services.quotation_accept(quotation=quotation, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You accepted the quotation of %(supplier)s.") % {"supplier": quotation.enterprise})
    return redirect(reverse("boards:listing_detail", args=[quotation.listing_id]) + "#rfq")


@require_POST
@boards_view(login=True)
def quotation_withdraw(request, quotation_id: int):
    """The supplier withdraws its quotation (from the listing's page or from "my quotations")."""
    quotation = selectors.quotation_get(quotation_id=quotation_id)
    # not found, whether missing or another enterprise's (a member of the supplier, of any role, gets the reason)
    if quotation is None or membership_get(user=request.user, enterprise=quotation.enterprise) is None:
        raise Http404
    try:
        services.quotation_withdraw(quotation=quotation, user=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your quotation for “%(title)s” is withdrawn.")
                         % {"title": quotation.listing.title})
    if request.POST.get("back") == "rfqs":
        return redirect("boards:my_rfqs")
    return redirect(reverse("boards:listing_detail", args=[quotation.listing_id]) + "#rfq")


def _with_withdraw_flags(quotations: list[Quotation], *, user) -> list[Quotation]:
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
    mine = {m.enterprise_id for m in selectors.acting_memberships(user=request.user, minimum=Role.VIEWER)}
    if not (allowed & mine or request.user.is_office or request.user.is_platform_admin):
        raise Http404
    return FileResponse(quotation.attachment.open("rb"), as_attachment=True,
                        filename=quotation.attachment_name or "quotation")


@boards_view(login=True)
def my_rfqs(request):
    return render(request, "ecommerce/my_rfqs.html", {
        **_nav(request), "rfqs": list(selectors.my_rfqs(user=request.user)[:200]),
        "quotations": _with_withdraw_flags(list(selectors.my_quotations(user=request.user)[:200]),
                                           user=request.user)})


# ---- inquiries -----------------------------------------------------------------------------------


@require_POST
@boards_view(login=True)
def inquiry_start(request, listing_id: int):
    listing = _listing_or_404(request, listing_id)
    acting = [m for m in selectors.acting_memberships(user=request.user) if m.enterprise_id != listing.enterprise_id]
    if not acting:
        raise BoardsPermissionDenied(_("To send an inquiry, you need the role “%(role)s” or higher in another "
                                       "enterprise.") % {"role": Role.CLERK.label}, services.Code.ROLE_TOO_LOW)
    form = InquiryForm(request.POST, memberships=acting)
    if form.is_valid():
        try:
            thread = services.inquiry_send(listing=listing, enterprise=form.cleaned_data["enterprise"],
                                           user=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your inquiry is sent."))
            return redirect("boards:inquiry_thread", thread.pk)
    else:
        messages.error(request, _("Write a message."))
    return redirect(reverse("boards:listing_detail", args=[listing.pk]) + "#inquiry")


@boards_view(login=True)
def inquiries(request):
    return render(request, "ecommerce/inquiries.html", {**_nav(request),
                                                         "threads": selectors.inquiry_threads(user=request.user)})


@boards_view(login=True)
def inquiry_thread(request, thread_id: int):
    thread = selectors.inquiry_thread_for_user(thread_id=thread_id, user=request.user)
    if thread is None:
        raise Http404
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.inquiry_reply(thread=thread, enterprise=thread.side, user=request.user,
                                   body=form.cleaned_data["body"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("boards:inquiry_thread", thread.pk)
    services.inquiry_mark_read(thread=thread, enterprise=thread.side)
    membership = membership_get(user=request.user, enterprise=thread.side)
    return render(request, "ecommerce/inquiry_thread.html", {
        **_nav(request), "thread": thread, "messages_list": list(selectors.inquiry_messages(thread=thread)),
        "form": form, "can_reply": membership is not None and membership.has_role(Role.CLERK)})


# ---- a member's pages ----------------------------------------------------------------------------


def _listing_url(listing: Listing) -> str:
    return reverse("boards:listing_detail", args=[listing.pk])


@boards_view(login=True)
def my_listings(request):
    table = Table(
        request, selectors.my_listings(user=request.user),
        columns=[Column("title", _("Title"), sort="title", link=_listing_url),
                 Column("kind", _("Kind"), sort="kind"),
                 Column("enterprise.display_name", _("Enterprise"), sort="enterprise__name"),
                 Column("board.name", _("Board"), sort="board__sort_order"),
                 Column("status", _("Status"), sort="status"),
                 Column("hidden_reason", _("Hidden by the office")),
                 Column("quotation_count", _("Quotations"), numeric=True),
                 Column("expires_at", _("Valid until"), sort="expires_at"),
                 Column("created_at", _("Created"), sort="created_at")],
        search_fields=["title", "description"],
        filters=[Filter("status", _("Status"), choices=list(Listing.Status.choices)),
                 Filter("kind", _("Kind"), choices=list(Listing.Kind.choices))],
        export_name="my-listings", default_sort="-created_at")
    if table.wants_export:
        return table.export_response()
    return render(request, "ecommerce/my_listings.html", {**_nav(request), "table": table})


@boards_view(login=True)
def notifications(request):
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("boards:notifications")
    items = selectors.notifications_for(user=request.user)
    return render(request, "ecommerce/notifications.html", {**_nav(request), "items": items})


@boards_view(login=True)
def card_edit(request, slug: str):
    enterprise = Enterprise.objects.filter(slug=slug).first()
    if enterprise is None:
        raise Http404
    services.member_require(user=request.user, enterprise=enterprise, minimum=Role.ADMIN)
    card = services.enterprise_card_get(enterprise=enterprise)
    form = CardForm(request.POST or None, initial={"established_year": card.established_year,
                                                   "introduction": card.introduction,
                                                   "main_products": card.main_products,
                                                   "share_stock": card.share_stock})
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_card_update(enterprise=enterprise, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Enterprise card saved."))
            return redirect("boards:enterprise", enterprise.slug)
    return render(request, "ecommerce/card_form.html", {**_nav(request), "form": form, "enterprise": enterprise,
                                                        "card": card})


# ---- the office ----------------------------------------------------------------------------------


@boards_view(login=True)
def office(request):
    services.office_require(user=request.user)
    table = Table(
        request, selectors.office_listings(),
        columns=[Column("title", _("Title"), sort="title", link=_listing_url),
                 Column("enterprise.display_name", _("Enterprise"), sort="enterprise__name"),
                 Column("kind", _("Kind"), sort="kind"),
                 Column("board.name", _("Board")),
                 Column("status", _("Status"), sort="status"),
                 Column("featured", _("Featured"), sort="featured"),
                 Column("hidden_reason", _("Hidden because")),
                 Column("created_at", _("Created"), sort="created_at")],
        search_fields=["title", "enterprise__name"],
        filters=[Filter("status", _("Status"), choices=list(Listing.Status.choices)),
                 Filter("shown", _("Moderation"), choices=[("false", _("hidden")), ("true", _("shown"))],
                        lookup="hidden_at__isnull"),
                 Filter("board", _("Board"), choices=[(b.code, b.name) for b in selectors.board_list()],
                        lookup="board__code")],
        export_name="board-listings", default_sort="-created_at")
    if table.wants_export:
        return table.export_response()
    return render(request, "ecommerce/office.html", {**_nav(request), "table": table})


@require_POST
@boards_view(login=True)
def moderate(request, listing_id: int):
    services.office_require(user=request.user)
    listing = selectors.listing_get(listing_id=listing_id)
    if listing is None:
        raise Http404
    action = request.POST.get("action")
    try:
        if action == "hide":
            services.listing_hide(listing=listing, user=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("The listing is hidden; the poster sees the reason."))
        elif action == "unhide":
            services.listing_unhide(listing=listing, user=request.user)
            messages.success(request, _("The listing is shown again."))
        elif action in ("feature", "unfeature"):
            services.listing_feature(listing=listing, user=request.user, featured=action == "feature")
            messages.success(request, _("Saved."))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("boards:listing_detail", listing.pk)

