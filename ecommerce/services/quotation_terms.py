"""A quotation's terms as a supplier gives them (services.rfq.quotation_submit): tax basis and VAT rate,
delivery terms and freight, payment terms, and the supplier's own ERP item. Each refusal names its field."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

from core.errors import field_error
from core.parsing import ParseErrorCode, parse_choice, parse_decimal, parse_id
from ecommerce.error_codes import BoardsErrorCode as Code
from ecommerce.models import Quotation
from ecommerce.selectors.supplier_items import enterprise_runs_erp, supplier_item_label
from tenants.models import Enterprise

DEFAULT_VAT_RATE = Decimal("13")


class QuotationTerms(NamedTuple):
    price_includes_vat: bool
    vat_rate: Decimal
    delivery_terms: str
    freight: Decimal
    payment_terms: str
    supplier_item_id: int | None


def quotation_terms_clean(*, enterprise: Enterprise, price_includes_vat=True, vat_rate=None, delivery_terms=None,
                          freight=None, payment_terms=None, supplier_item_id=None) -> QuotationTerms:
    """The terms checked, blanks given their defaults (incl. 13 % VAT, delivered, 30 days after invoice).

    Ex works, the supplier states the freight it estimates for the whole order (the buyer pays it; 0 when
    the buyer collects next door); a delivered price includes its freight, so no freight is added to it.
    The item is one of the supplier's active ERP items, read in its schema, and only when the supplier runs
    its ERP on the platform."""
    if price_includes_vat is None or price_includes_vat == "":
        price_includes_vat = True
    if not isinstance(price_includes_vat, bool):
        price_includes_vat = parse_choice(str(price_includes_vat).lower(), ["true", "false"],
                                          field="price_includes_vat") == "true"
    vat_rate = parse_decimal(vat_rate, field="vat_rate", max_digits=3, decimal_places=2, min_value=0,
                             max_value=100, thousands=False)
    if vat_rate is None:
        vat_rate = DEFAULT_VAT_RATE
    delivery_terms = parse_choice(delivery_terms, Quotation.Terms.values, field="delivery_terms",
                                  default=Quotation.Terms.DELIVERED.value)
    payment_terms = parse_choice(payment_terms, Quotation.Payment.values, field="payment_terms",
                                 default=Quotation.Payment.NET30.value)
    freight = parse_decimal(freight, field="freight", max_digits=14, decimal_places=2, min_value=0, thousands=False)
    if delivery_terms == Quotation.Terms.EX_WORKS and freight is None:
        raise field_error("freight", _("Ex works, the buyer pays the freight: enter your estimate of the freight for "
                                       "the whole order (0 if the buyer collects)."), ParseErrorCode.REQUIRED.value)
    if delivery_terms == Quotation.Terms.DELIVERED and freight:
        raise field_error("freight", _("A delivered price includes the freight: leave the freight at 0, or quote "
                                       "ex works."), ParseErrorCode.OUT_OF_RANGE.value)
    supplier_item_id = parse_id(supplier_item_id, field="supplier_item_id")
    if supplier_item_id is not None:
        if not enterprise_runs_erp(enterprise):
            raise field_error("supplier_item_id", _("%(enterprise)s does not run its ERP on the platform: leave the "
                                                    "item empty.") % {"enterprise": enterprise}, Code.ERP_ITEM)
        if supplier_item_label(enterprise=enterprise, item_id=supplier_item_id) is None:
            raise field_error("supplier_item_id", _("No active item with this id in %(enterprise)s's ERP.")
                              % {"enterprise": enterprise}, Code.ERP_ITEM)
    return QuotationTerms(price_includes_vat, vat_rate, delivery_terms, freight or Decimal("0"), payment_terms,
                          supplier_item_id)
