"""Inquiries: asking about a listing, a user's conversations, one conversation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import error_messages
from core.forms import form_errors_from
from core.parsing import is_id
from ecommerce import selectors, services
from ecommerce.forms import InquiryForm, ReplyForm
from ecommerce.views._common import acting_memberships_or_refuse, boards_view, listing_or_404, nav_context
from tenants.models import Role
from tenants.selectors import membership_get


@require_POST
@boards_view(login=True)
def inquiry_start(request, listing_id: int):
    listing = listing_or_404(request, listing_id)
    acting = acting_memberships_or_refuse(request, listing, refusal=_(
        "To send an inquiry, you need the role “%(role)s” or higher in another enterprise.")
        % {"role": Role.CLERK.label})
    form = InquiryForm(request.POST, memberships=acting)
    if form.is_valid():
        try:
            thread = services.inquiry_send(listing=listing, enterprise=form.cleaned_data["enterprise"],
                                           user=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            messages.error(request, " ".join(error_messages(exc)))
        else:
            messages.success(request, _("Your inquiry is sent."))
            return redirect(reverse("boards:inquiry_thread", args=[thread.pk]) + f"?as={thread.asker_id}")
    else:
        messages.error(request, _("Write a message."))
    return redirect(reverse("boards:listing_detail", args=[listing.pk]) + "#inquiry")


@boards_view(login=True)
def inquiries(request):
    return render(request, "ecommerce/inquiries.html", {**nav_context(request),
                                                         "threads": selectors.inquiry_threads(user=request.user)})


def inquiries_unread(request):
    """The unread counters of the navigation bar and, with ?threads=1 (the inbox), the conversations: a
    fragment the inquiry pages poll (htmx, out-of-band swaps). Reading it marks nothing read. Logged out
    (the session ended), 286 tells htmx to stop polling."""
    if not request.user.is_authenticated:
        return HttpResponse(status=286)
    user = request.user
    threads = selectors.inquiry_threads(user=user) if request.GET.get("threads") else None
    unread = sum(t.unread for t in threads) if threads is not None else selectors.inquiry_unread_total(user=user)
    return render(request, "ecommerce/_inquiries_unread.html", {
        "unread_inquiries": unread, "unread_notifications": selectors.notifications_unread_count(user=user),
        "threads": threads})


@boards_view(login=True)
def inquiry_thread(request, thread_id: int):
    # the side the user reads and writes for: ?as=<enterprise id> (the inbox and notifications link it),
    # else the one the user acts for (selectors.inquiry_side_pick); a member of both may have to choose
    side_id = request.GET.get("as", "")
    if side_id and not is_id(side_id):
        raise Http404
    thread = selectors.inquiry_thread_for_user(thread_id=thread_id, user=request.user,
                                               enterprise_id=int(side_id) if side_id else None)
    if thread is None or (side_id and thread.side is None):
        raise Http404
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if thread.side is None:
            form.add_error(None, _("You are a member of both enterprises: choose the one you write for."))
        else:
            try:
                services.inquiry_reply(thread=thread, enterprise=thread.side, user=request.user,
                                       body=form.cleaned_data["body"])
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                return redirect(reverse("boards:inquiry_thread", args=[thread.pk]) + f"?as={thread.side.pk}")
    membership = None
    if thread.side is not None:
        services.inquiry_mark_read(thread=thread, enterprise=thread.side, user=request.user)
        membership = membership_get(user=request.user, enterprise=thread.side)
    return render(request, "ecommerce/inquiry_thread.html", {
        **nav_context(request), "thread": thread, "messages_list": list(selectors.inquiry_messages(thread=thread)),
        "form": form, "can_reply": membership is not None and membership.has_role(Role.CLERK)})
