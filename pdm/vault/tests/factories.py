"""Builders for the vault's tests: real files (PNG with Pillow, PDF with reportlab, DXF with ezdxf), members
of an enterprise, and a part revision with a BOM."""

from __future__ import annotations

import io
import itertools

import ezdxf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from erp_modules.workspace.testing import make_bom, make_item
from pdm.parts.models import Part, PartRevision

_n = itertools.count(1)


def png_bytes(color=(200, 30, 30), size=(40, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes(text: str = "Specification 规格书") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("STSong-Light", 18)
    page.drawString(72, 760, text)
    page.rect(72, 400, 300, 200)
    page.showPage()
    page.save()
    return buffer.getvalue()


def dxf_bytes(text: str = "油烟机外壳 CXW-200") -> bytes:
    """A DXF whose text style uses AutoCAD's SHX fonts (txt.shx + the Chinese big font gbcbig.shx)."""
    doc = ezdxf.new("R2010")
    doc.styles.add("HZ", font="txt.shx").dxf.bigfont = "gbcbig.shx"
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (200, 0), (200, 100), (0, 100)], close=True)
    msp.add_circle((100, 50), 30)
    msp.add_text(text, dxfattribs={"style": "HZ", "height": 6}).set_placement((10, 10))
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode("utf-8")


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def member(enterprise, role: str, make_user):
    from tenants.models import Membership

    user = make_user(email=f"{role}{next(_n)}-{enterprise.slug}@example.test", full_name=f"{role} 用户")
    Membership.objects.create(user=user, enterprise=enterprise, role=role)
    return user


def revision(state: str = PartRevision.State.IN_WORK) -> PartRevision:
    """A part revision A of a new item, with a released BOM of one component."""
    code = f"VP{next(_n):04d}"
    item = make_item(code, item_type="finished")
    bom = make_bom(item, [(make_item(f"{code}-C"), 2)])
    part = Part.objects.create(item=item, number=f"ENG-{code}")
    released = state in PartRevision.FROZEN_STATES
    return PartRevision.objects.create(part=part, revision="A", state=state, bom=bom,
                                       released_at=timezone.now() if released else None)
