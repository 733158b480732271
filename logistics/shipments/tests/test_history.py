"""A shipment's page shows its history as every history panel does (erp_modules.common.history): the status by its
label in the reader's language, not the stored names."""

from decimal import Decimal

import pytest
from django.utils import translation

from erp_modules.common.services import audit_record
from logistics.shipments.services import shipment_cancel, shipment_create

pytestmark = pytest.mark.django_db


def test_the_shipment_page_shows_its_history_in_words(erp, web, owner):
    # given a draft cancelled, and an older entry of its goods value (as services store it)
    shipment = shipment_create(direction="standalone", consignee_name="宁波美厨 李经理", consignee_phone="0574-87650000",
                               address="浙江省宁波市江北区长兴路 8 号", goods_value=Decimal("2000"), user=owner)
    audit_record(obj=shipment, action="update", user=owner, changes={"goods_value": ["1500.00", "12000.5"]})
    shipment = shipment_cancel(shipment=shipment, user=owner)
    # when the owner reads the page in English and in Chinese
    english = web.get(f"/logistics/shipments/{shipment.pk}/").content.decode()
    chinese = web.get(f"/logistics/shipments/{shipment.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then the status and the value read as people say them
    assert "status: draft → cancelled" in english and "goods value: ¥1,500.00 → ¥12,000.50" in english
    with translation.override("zh-hans"):
        status = str(shipment._meta.get_field("status").verbose_name)
        draft, cancelled = (str(shipment.Status.DRAFT.label), str(shipment.Status.CANCELLED.label))
    assert f"{status}: {draft} → {cancelled}" in chinese and draft != "draft"
