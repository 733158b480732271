"""Checks for uploaded images and files, and thumbnails.

The type of an image is decided by its first bytes (not its name or the browser's word for it);
when Pillow is installed the image must also decode, may not exceed a pixel budget, and gets a
JPEG thumbnail. Without Pillow the checks by signature and size still apply and the original
is shown in place of a thumbnail.

"Decode" means every pixel: Pillow's `verify()` reads only the structure, so a truncated JPEG or a
PNG whose compressed data is corrupt passes it and fails later, when the thumbnail is made. The
check therefore decodes the whole image (after the pixel budget is known to hold), and the thumbnail
turns any decoding failure into the same field error: an image is refused before anything is stored."""

from __future__ import annotations

import io
import os
import struct
import unicodedata
import zlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from ecommerce.conf import setting
from ecommerce.error_codes import BoardsErrorCode

try:  # Pillow comes with reportlab today; the boards work without it (no thumbnails).
    from PIL import Image, UnidentifiedImageError
except ImportError:  # pragma: no cover - exercised only on a machine without Pillow
    Image = None
    UnidentifiedImageError = OSError

IMAGE_SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
]
ATTACHMENT_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".xlsx", ".xls", ".docx", ".doc", ".csv", ".txt",
                         ".dwg", ".dxf", ".step", ".stp", ".zip", ".7z"}
_PILLOW_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
# what Pillow raises on a file that is not, or not wholly, an image
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, zlib.error)


def _damaged() -> ValidationError:
    return ValidationError({"image": ValidationError(
        _("The image cannot be decoded: the file is damaged or incomplete. Save it again, or choose another image."),
        code=BoardsErrorCode.FILE_DAMAGED)})


def safe_name(name: str) -> str:
    name = unicodedata.normalize("NFC", os.path.basename(name or "")).strip().replace("\x00", "")
    name = "".join(c for c in name if c not in '\\/:*?"<>|' and ord(c) >= 32)
    return name[:200] or "file"


def _sniff(head: bytes) -> tuple[str, str] | None:
    for signature, content_type, ext in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return content_type, ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def image_check(file) -> dict:
    """Raise a ValidationError on ``image`` unless the file is a real JPEG/PNG/GIF/WebP within the
    limits; return {content_type, ext, width, height}."""
    if file is None:
        raise ValidationError({"image": ValidationError(_("Choose an image."), code=BoardsErrorCode.FILE_REQUIRED)})
    limit = setting("BOARDS_IMAGE_MAX_BYTES")
    if file.size > limit:
        raise ValidationError({"image": ValidationError(
            _("The image is %(size).1f MB; the limit is %(limit).0f MB.") % {"size": file.size / 1048576,
                                                                           "limit": limit / 1048576},
            code=BoardsErrorCode.FILE_TOO_LARGE)})
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    kind = _sniff(head)
    if kind is None:
        raise ValidationError({"image": ValidationError(
            _("Only JPEG, PNG, GIF and WebP images are accepted."), code=BoardsErrorCode.FILE_TYPE)})
    info = {"content_type": kind[0], "ext": kind[1], "width": None, "height": None}
    if Image is not None:
        try:
            with Image.open(file) as img:
                if _PILLOW_FORMATS.get(img.format) != kind[0]:
                    raise UnidentifiedImageError
                info["width"], info["height"] = img.size
                if img.size[0] * img.size[1] > setting("BOARDS_IMAGE_MAX_PIXELS"):
                    raise ValidationError({"image": ValidationError(
                        _("The image is too large (%(w)d × %(h)d pixels).") % {"w": img.size[0], "h": img.size[1]},
                        code=BoardsErrorCode.FILE_TOO_LARGE)})
                img.verify()
        except (UnidentifiedImageError, Image.DecompressionBombError, *_DECODE_ERRORS):
            raise ValidationError({"image": ValidationError(
                _("The file is not a readable image."), code=BoardsErrorCode.FILE_TYPE)})
        finally:
            file.seek(0)
        try:  # verify() does not decode the pixels: a truncated or corrupt image passes it
            with Image.open(file) as img:
                img.load()
        except (Image.DecompressionBombError, *_DECODE_ERRORS):
            raise _damaged()
        finally:
            file.seek(0)
    return info


def thumbnail_make(file) -> ContentFile | None:
    """A JPEG of at most BOARDS_THUMBNAIL_SIZE pixels a side, or None without Pillow."""
    if Image is None:
        return None
    size = setting("BOARDS_THUMBNAIL_SIZE")
    file.seek(0)
    try:
        with Image.open(file) as img:
            img.thumbnail((size, size))
            if img.mode not in ("RGB", "L"):
                background = Image.new("RGB", img.size, (255, 255, 255))
                rgba = img.convert("RGBA")
                background.paste(rgba, mask=rgba.split()[-1])
                img = background
            out = io.BytesIO()
            img.save(out, format="JPEG", quality=82, optimize=True)
    except (UnidentifiedImageError, Image.DecompressionBombError, *_DECODE_ERRORS):
        raise _damaged()  # a field error like the checks', never a server error
    finally:
        file.seek(0)
    return ContentFile(out.getvalue(), name="thumb.jpg")


def attachment_check(file, *, field: str = "file") -> str:
    """Raise unless the file's extension is allowed and it is within the size limit; return its safe name."""
    if file is None:
        raise ValidationError({field: ValidationError(_("Choose a file."), code=BoardsErrorCode.FILE_REQUIRED)})
    name = safe_name(file.name)
    ext = os.path.splitext(name)[1].lower()
    if ext not in ATTACHMENT_EXTENSIONS:
        raise ValidationError({field: ValidationError(
            _("Files of type %(ext)s are not accepted. Allowed: %(allowed)s")
            % {"ext": ext or "?", "allowed": " ".join(sorted(ATTACHMENT_EXTENSIONS))}, code=BoardsErrorCode.FILE_TYPE)})
    limit = setting("BOARDS_ATTACHMENT_MAX_BYTES")
    if file.size > limit:
        raise ValidationError({field: ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.") % {"size": file.size / 1048576,
                                                                          "limit": limit / 1048576},
            code=BoardsErrorCode.FILE_TOO_LARGE)})
    return name
