"""Images that pass Pillow's verify() but do not decode (a truncated JPEG, a PNG whose compressed data is
corrupt) are refused with a field message, and the listing stays as it was: no image row, no stored file."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from ecommerce import services
from ecommerce.models import ListingImage
from ecommerce.tests.factories import owner_of, post

pytestmark = pytest.mark.django_db

DAMAGED = "The image cannot be decoded: the file is damaged or incomplete. Save it again, or choose another image."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield tmp_path


def good_png(name="ok.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def truncated_jpeg(name="cut.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(buffer, format="JPEG", quality=90)
    data = buffer.getvalue()
    return SimpleUploadedFile(name, data[:len(data) // 2], content_type="image/jpeg")  # the upload broke off


def corrupt_png(name="corrupt.png") -> SimpleUploadedFile:
    """Every chunk well-formed with a right CRC (so verify() passes), but the IDAT data is no deflate stream."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"\x78\x9c" + b"not deflate data" * 8)
            + chunk(b"IEND", b""))
    return SimpleUploadedFile(name, data, content_type="image/png")


@pytest.mark.parametrize("make", [truncated_jpeg, corrupt_png])
def test_the_damaged_files_really_pass_verify(make):
    upload = make()
    with Image.open(upload) as img:
        img.verify()  # no error: this is the case the check must catch
    upload.seek(0)
    with pytest.raises(OSError), Image.open(upload) as img:
        img.load()


@pytest.mark.parametrize("make", [truncated_jpeg, corrupt_png])
def test_a_damaged_image_is_refused_and_nothing_is_stored(make_enterprise, media, make):
    # given: a listing with one good image
    enterprise = make_enterprise()
    listing = post(enterprise)
    user = owner_of(enterprise)
    kept = services.listing_image_add(listing=listing, user=user, file=good_png())
    files_before = sorted(p.name for p in media.rglob("*") if p.is_file())
    # when
    with pytest.raises(ValidationError) as exc:
        services.listing_image_add(listing=listing, user=user, file=make())
    # then
    assert [(e.code, e.message) for e in exc.value.error_dict["image"]] == [("file_damaged", DAMAGED)]
    assert list(ListingImage.objects.filter(listing=listing)) == [kept]
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == files_before


def test_an_upload_of_several_images_with_one_damaged_adds_none(client, make_enterprise, media):
    # given
    enterprise = make_enterprise()
    listing = post(enterprise)
    client.force_login(owner_of(enterprise))
    # when: the page uploads a good image and a damaged one together
    response = client.post(f"/boards/l/{listing.pk}/images/", {"image": [good_png(), truncated_jpeg()]},
                           HTTP_ACCEPT_LANGUAGE="en", follow=True)
    # then: a message naming the file, no image, no stored file
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [f"“cut.jpg”: {DAMAGED}"]
    assert ListingImage.objects.filter(listing=listing).count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_a_thumbnail_that_fails_is_a_field_error_not_a_server_error(make_enterprise, media, monkeypatch):
    # given: a decoder that fails only when the thumbnail is made (as a damaged file would)
    from ecommerce import uploads

    enterprise = make_enterprise()
    listing = post(enterprise)
    original = uploads.Image.Image.thumbnail

    def failing(self, *args, **kwargs):
        raise OSError("broken data stream when reading image file")

    monkeypatch.setattr(uploads.Image.Image, "thumbnail", failing)
    # when
    with pytest.raises(ValidationError) as exc:
        services.listing_image_add(listing=listing, user=owner_of(enterprise), file=good_png())
    monkeypatch.setattr(uploads.Image.Image, "thumbnail", original)
    # then
    assert exc.value.error_dict["image"][0].code == "file_damaged"
    assert ListingImage.objects.count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []
