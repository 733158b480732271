"""A listing's images and attached files, checked by ecommerce.uploads before anything is stored."""

from __future__ import annotations

import mimetypes

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import field_error
from ecommerce.conf import setting
from ecommerce.error_codes import BoardsErrorCode as Code
from ecommerce.models import Listing, ListingAttachment, ListingImage
from ecommerce.services._common import listing_locked
from ecommerce.services.permissions import member_require
from ecommerce.uploads import attachment_check, image_check, thumbnail_make
from tenants.models import Role, User


def listing_image_add(*, listing: Listing, user: User, file) -> ListingImage:
    return listing_images_add(listing=listing, user=user, files=[file])[0]


@transaction.atomic
def listing_images_add(*, listing: Listing, user: User, files: list) -> list[ListingImage]:
    """Add the images of one upload, all or none: each is checked first (type by content, size, pixel
    budget, and that it decodes wholly — see ecommerce.uploads), then each is stored with its thumbnail.
    A refusal is a field error on ``image`` naming the file when there are several; the listing keeps
    the images it had, and no file of a refused upload stays in the storage."""
    member_require(user=user, enterprise=listing.enterprise, minimum=Role.CLERK)
    listing = listing_locked(listing)
    files = list(files) or [None]
    limit = setting("BOARDS_IMAGES_PER_LISTING")
    existing = listing.images.count()
    if existing + len(files) > limit:
        raise field_error("image", _("At most %(n)d images per listing.") % {"n": limit}, Code.TOO_MANY_IMAGES)

    def named(exc: ValidationError, file) -> ValidationError:
        if len(files) == 1 or file is None:
            return exc
        error = exc.error_dict["image"][0]
        return field_error("image", _("“%(name)s”: %(problem)s") % {"name": file.name, "problem": error.message},
                           error.code)

    checked = []
    for file in files:
        try:
            checked.append((file, image_check(file)))
        except ValidationError as exc:
            raise named(exc, file)
    images: list[ListingImage] = []
    try:
        for n, (file, info) in enumerate(checked):
            image = ListingImage(listing=listing, content_type=info["content_type"], size=file.size,
                                 width=info["width"], height=info["height"], sort_order=existing + n)
            images.append(image)
            try:
                thumb = thumbnail_make(file)
            except ValidationError as exc:
                raise named(exc, file)
            image.image.save(f"img{info['ext']}", file, save=False)
            if thumb is not None:
                image.thumbnail.save("thumb.jpg", thumb, save=False)
            image.full_clean()
            image.save()
    except Exception:
        for image in images:  # the rows roll back with the transaction; the files must go by hand
            for stored in (image.image, image.thumbnail):
                if stored:
                    stored.delete(save=False)
        raise
    return images


@transaction.atomic
def listing_image_delete(*, image: ListingImage, user: User) -> None:
    member_require(user=user, enterprise=image.listing.enterprise, minimum=Role.CLERK)
    files = [(f.storage, f.name) for f in (image.image, image.thumbnail) if f]
    image.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


@transaction.atomic
def listing_attachment_add(*, listing: Listing, user: User, file) -> ListingAttachment:
    member_require(user=user, enterprise=listing.enterprise, minimum=Role.CLERK)
    name = attachment_check(file)
    attachment = ListingAttachment(listing=listing, original_name=name, size=file.size,
                                   content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
    attachment.file.save(name, file, save=False)
    try:
        attachment.full_clean()
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment
