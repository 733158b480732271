"""Builders for the shipments tests (inside an enterprise's schema). Real rows, real services."""

from __future__ import annotations

import io
import itertools
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from erp_modules.sales.models import Delivery
from erp_modules.sales.services import delivery_create
from erp_modules.sales.tests.factories import make_customer, make_hood, order_for
from logistics.carriers.models import Carrier

D = Decimal
_n = itertools.count(1)


def carrier(code: str = "SF", name: str = "顺丰速运") -> Carrier:
    return Carrier.objects.get_or_create(code=code, defaults={"name": name})[0]


def make_delivery(*, quantity: int = 2, price: str = "1000", address: str = "浙江省宁波市江北区长兴路 8 号",
                  ship_to: str | None = None) -> Delivery:
    """A confirmed order of a hood delivered in full to a customer at ``address``."""
    n = next(_n)
    customer = make_customer(name=f"宁波美厨电器{n}号店", address=address, phone="0574-87650000", contact_name="李经理")
    hood = make_hood(f"HOOD-{n}", stock=quantity + 5)
    order = order_for(customer, (hood, quantity, price), confirm=True)
    return delivery_create(order=order, ship_to=ship_to)


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 120, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def truncated_jpeg(name: str = "cut.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(buffer, format="JPEG", quality=90)
    data = buffer.getvalue()
    return SimpleUploadedFile(name, data[:len(data) // 2], content_type="image/jpeg")
