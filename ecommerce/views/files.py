"""A listing's images and attached files: upload, delete, serve."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecommerce import selectors, services
from ecommerce.models import ListingAttachment, ListingImage
from ecommerce.views._common import boards_view, listing_or_404, run_reported


@require_POST
@boards_view(login=True)
def image_upload(request, listing_id: int):
    listing = listing_or_404(request, listing_id)
    # all the files of the upload or none of them
    run_reported(request, lambda: services.listing_images_add(listing=listing, user=request.user,
                                                              files=request.FILES.getlist("image")),
                 success=_("Image added."))
    return redirect(reverse("boards:listing_detail", args=[listing.pk]) + "#images")


@require_POST
@boards_view(login=True)
def image_delete(request, image_id: int):
    # not found, whether missing or another enterprise's (a member of the listing's enterprise, of any role,
    # gets the reason)
    image = selectors.listing_image_of_member(image_id=image_id, user=request.user)
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
    listing = listing_or_404(request, listing_id)
    run_reported(request, lambda: services.listing_attachment_add(listing=listing, user=request.user,
                                                                  file=request.FILES.get("file")),
                 success=_("File attached."))
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
