"""Images (type by content, size, thumbnails), attachments for members only, and the ERP stock link."""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from PIL import Image

from ecommerce import selectors, services
from ecommerce.models import ListingImage
from ecommerce.tests.factories import member, owner_of, post
from erp_modules.inventory.services import reservation_create
from erp_modules.workspace.testing import main_location, make_item, receive
from tenants.models import Role

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(width=800, height=600, name="hood.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 30, 30, 128)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_image_is_checked_by_content_and_gets_a_thumbnail(client, make_enterprise):
    # given
    e = make_enterprise()
    listing = post(e)
    # when
    image = services.listing_image_add(listing=listing, user=owner_of(e), file=png())
    # then
    assert (image.content_type, image.width, image.height) == ("image/png", 800, 600)
    with Image.open(image.thumbnail.open("rb")) as thumb:
        assert (thumb.format, max(thumb.size)) == ("JPEG", 360)
    response = client.get(f"/boards/images/{image.pk}/thumb/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert client.get(f"/boards/images/{image.pk}/")["Content-Type"] == "image/png"


def test_bad_images_are_refused(make_enterprise, settings):
    # given
    e = make_enterprise()
    listing = post(e)
    user = owner_of(e)
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    broken = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    # when / then
    for upload, code in ((fake, "type_not_allowed"), (broken, "type_not_allowed"), (None, "required")):
        with pytest.raises(ValidationError) as exc:
            services.listing_image_add(listing=listing, user=user, file=upload)
        assert exc.value.error_dict["image"][0].code == code
    settings.BOARDS_IMAGE_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as exc:
        services.listing_image_add(listing=listing, user=user, file=png())
    assert exc.value.error_dict["image"][0].code == "too_large"
    settings.BOARDS_IMAGE_MAX_BYTES = 5 * 1024 * 1024
    settings.BOARDS_IMAGES_PER_LISTING = 1
    services.listing_image_add(listing=listing, user=user, file=png(40, 40))
    with pytest.raises(ValidationError) as exc:
        services.listing_image_add(listing=listing, user=user, file=png(40, 40))
    assert exc.value.error_dict["image"][0].code == "too_many_images"
    assert ListingImage.objects.count() == 1


def test_attachments_are_type_checked_and_shown_only_to_members(client, make_enterprise, make_user):
    # given
    e = make_enterprise()
    listing = post(e)
    with pytest.raises(ValidationError) as exc:
        services.listing_attachment_add(listing=listing, user=owner_of(e),
                                        file=SimpleUploadedFile("run.exe", b"MZ"))
    assert exc.value.error_dict["file"][0].code == "type_not_allowed"
    attachment = services.listing_attachment_add(listing=listing, user=owner_of(e),
                                                 file=SimpleUploadedFile("规格书.pdf", b"%PDF-1.4 spec"))
    # when
    anonymous = client.get(f"/boards/files/{attachment.pk}/")
    client.force_login(make_user())  # logged in, but a member of no enterprise
    loner = client.get(f"/boards/files/{attachment.pk}/")
    client.force_login(owner_of(make_enterprise()))
    other_member = client.get(f"/boards/files/{attachment.pk}/")
    # then
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    assert loner.status_code == 404
    assert other_member.status_code == 200 and b"".join(other_member.streaming_content) == b"%PDF-1.4 spec"


def test_linked_erp_item_shows_live_available_stock_when_the_enterprise_allows_it(client, make_enterprise):
    # given: 120 on hand, 20 reserved for an order
    e = make_enterprise()
    with tenant_context(e):
        item = make_item("CXW-200-A1")
        receive(item, 120)
        reservation_create(item=item, location=main_location(), quantity=D("20"), reference_type="sales_order",
                           reference_id=1)
    cache.clear()
    listing = post(e, title="侧吸式吸油烟机 CXW-200-A1", category_code="appl-kitchen-hood", erp_item_code="cxw-200-a1",
                   unit="台")
    assert (listing.erp_item_code, listing.erp_item_id) == ("CXW-200-A1", item.pk)
    # when the enterprise has not allowed it
    assert selectors.listing_stock(listing=listing) is None
    # when it allows it
    services.enterprise_card_update(enterprise=e, user=owner_of(e), share_stock=True)
    # then
    assert selectors.listing_stock(listing=listing) == D("100")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "in stock: 100 台" in client.get(f"/boards/l/{listing.pk}/").content.decode()
    # the figure is cached briefly (tenant-aware key, read from the public schema)
    with tenant_context(e):
        receive(item, 5)
    assert selectors.listing_stock(listing=listing) == D("100")
    cache.clear()
    assert selectors.listing_stock(listing=listing) == D("105")
    # a listing can switch it off for itself
    services.listing_update(listing=listing, user=owner_of(e), show_stock=False)
    listing.refresh_from_db()
    assert selectors.listing_stock(listing=listing) is None


def test_erp_link_needs_an_existing_item_of_the_same_enterprise_and_a_supply(make_enterprise):
    # given
    a, b = make_enterprise(), make_enterprise()
    with tenant_context(b):
        make_item("ONLY-IN-B")
    # when / then
    with pytest.raises(ValidationError) as exc:
        post(a, erp_item_code="ONLY-IN-B")
    assert exc.value.error_dict["erp_item_code"][0].code == "erp_item_not_found"
    with pytest.raises(ValidationError) as exc:
        post(b, kind="demand", erp_item_code="ONLY-IN-B")
    assert exc.value.error_dict["erp_item_code"][0].code == "erp_item_supply_only"


def test_another_enterprises_image_cannot_be_deleted_nor_found(client, make_enterprise, make_user):
    # given: an image on B's draft and one on B's published listing
    a, b = make_enterprise(), make_enterprise()
    images = [services.listing_image_add(listing=post(b, publish=publish), user=owner_of(b), file=png())
              for publish in (False, True)]
    # when / then: A's owner gets "not found" for both, as for an image that does not exist
    client.force_login(owner_of(a))
    for image in images:
        assert client.post(f"/boards/images/{image.pk}/delete/").status_code == 404
    assert client.post(f"/boards/images/{images[-1].pk + 1000}/delete/").status_code == 404
    # a viewer of B is told why not; B's owner deletes it
    client.force_login(member(make_user, b, role=Role.VIEWER))
    refused = client.post(f"/boards/images/{images[0].pk}/delete/")
    assert refused.status_code == 403 and 'data-code="role_too_low"' in refused.content.decode()
    client.force_login(owner_of(b))
    assert client.post(f"/boards/images/{images[0].pk}/delete/").status_code == 302
    assert list(ListingImage.objects.values_list("pk", flat=True)) == [images[1].pk]
